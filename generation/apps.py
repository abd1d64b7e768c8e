from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Signal receivers and the OpenAPI extensions register themselves when imported.
        from catalogue.providers import registry

        from . import receivers  # noqa: F401
        from .api import schema  # noqa: F401
        from .liveness import group_served

        registry.set_group_check(group_served)
