from django.apps import AppConfig


class EditorConfig(AppConfig):
    name = "editor"
    label = "editor"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Photo editor"
