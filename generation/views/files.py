"""Serves locally stored task images (local storage, or the S3 fallback) to those allowed."""

from __future__ import annotations

import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from ..files import owner_of_key
from ..storage import is_served_locally, open_local, signature_is_valid


@require_safe
def serve_task_file(request, key: str):
    """A signed, unexpired link, or the owner's (or staff's) session, may read the file.

    Everyone else gets 404, so nobody learns which files exist."""
    owner = owner_of_key(key)
    if owner is None or not is_served_locally(key):
        raise Http404
    signed = signature_is_valid(key, request.GET.get("expires"), request.GET.get("signature"))
    user = request.user
    allowed = signed or (user.is_authenticated and (str(user.pk) == owner or user.is_staff))
    if not allowed:
        raise Http404
    try:
        handle = open_local(key)
    except (
        FileNotFoundError,
        IsADirectoryError,
        NotADirectoryError,
        SuspiciousFileOperation,
        ValueError,
    ) as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"  # the signature is in the query string
    response["Content-Security-Policy"] = "sandbox"  # never run anything from this origin
    return response
