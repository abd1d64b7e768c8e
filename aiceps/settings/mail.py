"""Mail: where password-reset links go. Read from the environment here, imported by base.

With ``EMAIL_HOST`` set, mail goes out over SMTP. Without it, development prints each mail
(the reset link included) on the console of ``./scripts/run``, and a production server has no
mail at all: ``check --deploy`` says so and the reset forms answer that email is not set up,
instead of claiming a mail was sent."""

from __future__ import annotations

from .env import env_bool, env_int, env_str

EMAIL_HOST = env_str(
    "EMAIL_HOST", doc="SMTP server for password-reset mails (empty: see `EMAIL_BACKEND`)"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, doc="SMTP port")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", doc="SMTP user name")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", doc="SMTP password")
EMAIL_USE_TLS = env_bool(
    "EMAIL_USE_TLS", EMAIL_PORT == 587, doc="STARTTLS", shown="on with port 587"
)
EMAIL_USE_SSL = env_bool(
    "EMAIL_USE_SSL", EMAIL_PORT == 465, doc="TLS from the start", shown="on with port 465"
)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, doc="seconds before an SMTP call gives up")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "AicePS <noreply@localhost>", doc="the sender of AicePS's mails"
)
_DEBUG = env_bool("DJANGO_DEBUG", False, doc="development mode")
# An explicit backend wins (e.g. django.core.mail.backends.filebased.EmailBackend with
# EMAIL_FILE_PATH); else SMTP when a host is named, the console in development, none otherwise.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    doc=(
        "Django mail backend; without one: SMTP when `EMAIL_HOST` is set, else the console "
        "in development (reset links appear in `./scripts/run`'s output) and none in "
        "production (the reset forms say mail is not set up)"
    ),
    shown="derived",
) or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
    if _DEBUG
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_FILE_PATH = (
    env_str("EMAIL_FILE_PATH", doc="folder of the file mail backend (one file per mail)") or None
)
# Whether a mail sent reaches someone: False only for the dummy backend of a server without mail.
AICEPS_MAIL_ENABLED = EMAIL_BACKEND != "django.core.mail.backends.dummy.EmailBackend"
