"""The ASGI application: ``uvicorn aiceps.asgi:application`` (development, ``./scripts/run``)
and gunicorn's uvicorn workers (production, ``./scripts/serve``) serve this same object."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.base")
django.setup(set_prefix=False)

from operations.serving import application as build  # noqa: E402

application = build()
