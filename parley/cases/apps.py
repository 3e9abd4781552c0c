from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "parley.cases"
    label = "cases"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from parley.cases import signals  # noqa: F401  (connects the receivers)
