from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.ledger_tasks import register_task_describer
        from catalogue.providers import registry

        from . import receivers  # noqa: F401  (signal receivers register when imported)
        from .liveness import group_served
        from .presenters import ledger_task_descriptions

        registry.set_group_check(group_served)
        register_task_describer(ledger_task_descriptions)  # what the ledger's task ids are
