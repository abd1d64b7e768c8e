"""The ASGI application: ``uvicorn aiceps.asgi:application`` (development, ``./scripts/run``)
and gunicorn's uvicorn workers (production, ``./scripts/serve``) serve this same object."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.base")
django.setup(set_prefix=False)

from mcp_server.http import with_mcp  # noqa: E402
from operations.serving import application as build  # noqa: E402

application = with_mcp(build())  # /mcp: the MCP server (Streamable HTTP); the rest: Django
