from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "parley.mediation"
    label = "mediation"
    verbose_name = "Mediation center"
