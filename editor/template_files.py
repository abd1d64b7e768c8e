"""The template library's images: their URLs, and serving them from AicePS's storage.

Cover and example images are uploaded in the admin into the default storage under
``prompt-templates/``. On S3 their URLs are the storage's own (presigned, or plain with
``AICEPS_S3_PUBLIC_READ``); on local storage they are served, to anyone, by
:func:`serve_template_image` (``/api/templates/images/<key>``), which serves only images that
belong to an active template (:func:`generation.selectors_files.template_image_bytes`).
"""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from generation.selectors_files import files_stored_remotely, template_image_bytes


def template_image_url(name: str, absolute) -> str | None:
    if not name:
        return None
    if files_stored_remotely():
        return default_storage.url(name)
    return absolute(reverse("editor-template-image", args=[name]))


@require_safe
def serve_template_image(request, name: str):
    data = template_image_bytes(name=name)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type=mimetypes.guess_type(name)[0] or "image/png")
    response["Cache-Control"] = "public, max-age=86400"  # names change when images do
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
