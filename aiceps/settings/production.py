"""Production settings: base, plus what a public deployment must have. Fails fast.

``DJANGO_SETTINGS_MODULE=aiceps.settings.production`` refuses to start with ``DJANGO_DEBUG``
on, without ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` or ``AICEPS_METRICS_TOKEN``, and
turns on HTTPS-only cookies, HSTS and the redirect to HTTPS. It assumes the nginx recipe
(``ops/nginx/aiceps.conf``) in front, which sets ``X-Forwarded-Proto``; set
``AICEPS_TRUST_FORWARDED_PROTO=0`` when nothing in front sets that header.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG
from .env import env_bool, env_derived, env_int, env_str

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off with aiceps.settings.production.")
_missing = [
    name
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "AICEPS_METRICS_TOKEN")
    if not os.environ.get(name, "").strip()
]
if _missing:
    raise ImproperlyConfigured(
        f"Production settings need {', '.join(_missing)}; see docs/configuration.md."
    )
if (
    len(
        env_str(
            "DJANGO_SECRET_KEY",
            doc="required in production",
            shown="none; a development key only while `DJANGO_DEBUG` is on",
        )
    )
    < 32
):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 32 random characters.")

SESSION_COOKIE_SECURE = env_bool(
    "AICEPS_SECURE_COOKIES",
    True,
    doc="secure session and CSRF cookies (behind HTTPS)",
    shown="off; on in production",
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool(
    "AICEPS_SSL_REDIRECT",
    True,
    doc=("redirect HTTP to HTTPS (not `/healthz`, `/readyz`, `/metrics`)"),
    shown="on in production",
)
# Probes and scrapers inside the network speak plain HTTP to the instance.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int(
    "AICEPS_HSTS_SECONDS",
    31_536_000,
    doc="HTTP Strict Transport Security: how long browsers remember to use HTTPS",
)
# AicePS is meant to have a host name of its own (aiceps.example.com): its subdomains, if
# any, are its own too. Turn these off when that is not so.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "AICEPS_HSTS_INCLUDE_SUBDOMAINS",
    True,
    doc=(
        "HTTP Strict Transport Security, subdomains included and preloaded (turn this off "
        "when AicePS shares its domain)"
    ),
)
# The preload lists take only policies that include subdomains.
SECURE_HSTS_PRELOAD = env_derived(
    "AICEPS_HSTS_PRELOAD",
    SECURE_HSTS_INCLUDE_SUBDOMAINS,
    doc="ask to be on the browsers' HSTS preload lists (production)",
    shown="`AICEPS_HSTS_INCLUDE_SUBDOMAINS`",
)
if env_bool(
    "AICEPS_TRUST_FORWARDED_PROTO",
    True,
    doc=("trust nginx's `X-Forwarded-Proto` (turn off when nothing in front sets it)"),
    shown="on in production",
):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
