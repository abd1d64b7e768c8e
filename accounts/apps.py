from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from core.client_address import parse_trusted_proxies

        from . import schema, sign_in_gate, signals  # noqa: F401  (receivers, schema extensions)

        parse_trusted_proxies(str(settings.AICEPS_TRUSTED_PROXIES))  # a bad value stops startup
