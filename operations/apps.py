from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Health, readiness, metrics and the serving tier's wiring (request logs, limits)."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self):
        from . import deploy_checks  # noqa: F401  (registers the checks)
