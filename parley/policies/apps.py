from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "parley.policies"
    label = "policies"
    verbose_name = "Program policies"
