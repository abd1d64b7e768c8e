"""Serves locally stored task images (local storage, or the S3 fallback) to those allowed."""

from __future__ import annotations

import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.http import require_safe

from core.http import file_response

from ..files import owner_of_key
from ..storage import (
    file_url,
    is_served_locally,
    now_seconds,
    open_local,
    signature_is_valid,
    uses_remote_storage,
)


@require_safe
def serve_task_file(request, key: str):
    """A signed, unexpired link, or the owner's (or staff's) session, may read the file;
    a file kept locally during an S3 outage and uploaded since is redirected to S3.

    Everyone else gets 404, so nobody learns which files exist."""
    owner = owner_of_key(key)
    if owner is None:
        raise Http404
    expires = request.GET.get("expires")
    signed = signature_is_valid(key, expires, request.GET.get("signature"))
    user = request.user
    allowed = signed or (user.is_authenticated and (str(user.pk) == owner or user.is_staff))
    if not allowed:
        raise Http404
    if not is_served_locally(key):
        # Handed out while S3 was away; the file has moved to S3 since: send the client on,
        # for what is left of the link's lifetime.
        if not uses_remote_storage():
            raise Http404
        left = int(expires) - int(now_seconds()) if signed else None
        return HttpResponseRedirect(file_url(key, expires_in=max(left, 60) if left else None))
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
    response = file_response(request, handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"  # the signature is in the query string
    response["Content-Security-Policy"] = "sandbox"  # never run anything from this origin
    return response
