"""``GET /api/proxy-image?url=...``: an image AicePS stores, or one from an allowed host.

AicePS's own images (template images, signed task-file links, on this host or on its S3
storage) are read from the storage directly; anything else is fetched only from
``AICEPS_PROXY_IMAGE_HOSTS``, by the guarded fetcher in :mod:`editor.proxy`.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import DisallowedHost
from django.core.files.storage import default_storage
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.errors import ValidationError
from generation.selectors_files import (
    files_stored_remotely,
    signed_file_bytes,
    template_image_bytes,
)

from ..access import EditorApiMixin
from ..proxy import ProxyRefused, fetch_image
from ..schema import EditorErrorSerializer, image_bytes
from ..template_covers import COVER_PATH, cover_bytes

TEMPLATE_PATH = "/api/templates/images/"
FILES_PATH = "/files/"


def _own_hosts(request) -> set[str]:
    try:
        return {request.get_host().lower()}
    except DisallowedHost:  # nothing is ours
        return set()


def _storage_prefix() -> str:
    probe = "aiceps-proxy-probe"
    url = default_storage.url(probe).split("?", 1)[0]
    return url[: url.rfind(probe)]


def stored_image(request, url: str) -> tuple[bytes, str] | None:
    """(bytes, content type) when ``url`` names an image AicePS stores; None otherwise."""
    parts = urlsplit(url)
    scheme_ok = parts.scheme.lower() in ("", "http", "https")
    ours = scheme_ok and (not parts.netloc or parts.netloc.lower() in _own_hosts(request))
    if ours and parts.path.startswith(COVER_PATH):
        name = unquote(parts.path[len(COVER_PATH) :])
        data = cover_bytes(name)
    elif ours and parts.path.startswith(TEMPLATE_PATH):
        name = unquote(parts.path[len(TEMPLATE_PATH) :])
        data = template_image_bytes(name=name)
    elif ours and parts.path.startswith(FILES_PATH):
        name = unquote(parts.path[len(FILES_PATH) :])
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        data = signed_file_bytes(
            name=name, expires=query.get("expires"), signature=query.get("signature")
        )
        if data is None:
            raise ProxyRefused("That file link is not valid (or has expired).", status=404)
    elif files_stored_remotely() and url.split("?", 1)[0].startswith(_storage_prefix()):
        name = unquote(url.split("?", 1)[0][len(_storage_prefix()) :])
        data = template_image_bytes(name=name)  # on S3 only template images are public
    elif not parts.scheme and not parts.netloc:
        raise ProxyRefused("No such image on this server.", status=404)
    else:
        return None
    if data is None:
        raise ProxyRefused("No such image.", status=404)
    return data, mimetypes.guess_type(name)[0] or "application/octet-stream"


URL_PATTERN = r"^\s*([hH][tT][tT][pP][sS]?://[^\s/?#@\[\]:\x00]+|/(?!/))[^\x00]*$"


def check_url(url: str) -> None:
    """The client's URL must be a path on this server or an http(s) URL with a host: 400
    otherwise (a redirect to anything else, later, is the image host's fault: 403)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError:
        parts = None
    own_path = parts is not None and not parts.scheme and not parts.netloc
    if own_path and url.startswith("/") and not url.startswith("//"):
        return
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "url must be an http(s) image URL or a path on this server.",
            code="invalid_url",
            param="url",
        )


class ProxyImageApi(EditorApiMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "url",
                {"type": "string", "pattern": URL_PATTERN},
                required=True,
                description="An image AicePS stores (a template image, a signed file link), "
                "or an http(s) URL on a host of `AICEPS_PROXY_IMAGE_HOSTS`; others: 403.",
            )
        ],
        responses={
            **image_bytes("The image's bytes."),
            502: OpenApiResponse(EditorErrorSerializer, description="The image host failed."),
            504: OpenApiResponse(EditorErrorSerializer, description="The image host is slow."),
        },
    )
    def get(self, request):
        url = (request.query_params.get("url") or "").strip()
        if not url:
            raise ValidationError("url is required.", code="missing_url", param="url")
        check_url(url)
        found = stored_image(request, url)
        if found is None:
            fetched = fetch_image(url)
            found = fetched.data, fetched.content_type
        data, content_type = found
        response = HttpResponse(data, content_type=content_type)
        response["Cache-Control"] = "public, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        return response
