"""The template library's images: their URLs, and serving them from AicePS's storage.

Cover and example images are uploaded in the admin into the default storage under
``prompt-templates/``. On S3 their URLs are the storage's own (presigned, or plain with
``AICEPS_S3_PUBLIC_READ``); on local storage they are served, to anyone, by
:func:`serve_template_image` (``/api/templates/images/<key>``), which serves only images that
belong to an active template.
"""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from generation.models_templates import TEMPLATE_IMAGE_PREFIX, PromptTemplate
from generation.storage import read_bytes, uses_remote_storage


def is_template_key(name: str) -> bool:
    parts = name.split("/")
    return (
        len(parts) == 3
        and parts[0] == TEMPLATE_IMAGE_PREFIX
        and all(part not in ("", ".", "..") for part in parts)
        and "\\" not in name
        and "\x00" not in name
    )


def template_image_url(name: str, absolute) -> str | None:
    if not name:
        return None
    if uses_remote_storage():
        return default_storage.url(name)
    return absolute(reverse("editor-template-image", args=[name]))


def template_image_bytes(name: str) -> bytes | None:
    """The bytes of an image of an active template, or None."""
    if not is_template_key(name):
        return None
    used = PromptTemplate.objects.filter(
        Q(cover_image=name) | Q(example_images__image=name), is_active=True
    ).exists()
    if not used:
        return None
    try:
        return read_bytes(name)
    except (OSError, ValueError):
        return None


@require_safe
def serve_template_image(request, name: str):
    data = template_image_bytes(name)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type=mimetypes.guess_type(name)[0] or "image/png")
    response["Cache-Control"] = "public, max-age=86400"  # names change when images do
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
