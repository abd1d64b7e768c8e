"""``manage.py check --deploy`` warnings about what a public server is missing."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mail_configured(app_configs, **kwargs):
    if settings.AICEPS_MAIL_ENABLED:
        return []
    return [
        Warning(
            "No mail server is set: password-reset emails cannot be sent, and the reset "
            "forms say so.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD).",
            id="aiceps.W001",
        )
    ]
