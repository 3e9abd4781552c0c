from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "parley.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from parley.audit import checks, signals  # noqa: F401  (sign-ins are recorded; a deployment check)
