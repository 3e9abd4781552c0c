from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "parley.mediation"
    label = "mediation"
    verbose_name = "Mediation center"

    def ready(self) -> None:
        from parley.mediation import signals  # noqa: F401  (connects the receivers)
