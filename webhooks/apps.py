from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from generation.events import task_event

        from .services.events import on_task_event

        task_event.connect(on_task_event, dispatch_uid="webhooks_on_task_event")
