"""Serving a built single-page front end (the photo editor's ``dist/``) from AicePS itself.

Optional: with ``AICEPS_EDITOR_DIST`` set to the folder ``vite build`` wrote, the files are
served under ``AICEPS_EDITOR_PATH`` (default ``/editor/``; build the editor with
``--base=/editor/`` to match). Paths without a file fall back to ``index.html`` (the
editor's own routes, such as ``/editor/reset-password``); hashed ``assets/`` are cached for
a year, ``index.html`` never. nginx serving the same folder does the same job faster (see
docs/photo-editor.md); this is for deployments without one.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import re_path
from django.views.decorators.http import require_safe


@require_safe
def serve_spa(request, path: str = ""):
    folder = settings.AICEPS_EDITOR_DIST
    if not folder:
        raise Http404("No front end is configured (AICEPS_EDITOR_DIST).")
    root = Path(folder).resolve()
    wanted = (root / path).resolve() if path else root / "index.html"
    if not wanted.is_relative_to(root):
        raise Http404
    if not wanted.is_file():
        if Path(path).suffix:  # a missing asset is a 404, not the page
            raise Http404
        wanted = root / "index.html"
        if not wanted.is_file():
            raise Http404("index.html is missing from AICEPS_EDITOR_DIST.")
    content_type = mimetypes.guess_type(wanted.name)[0] or "application/octet-stream"
    # Built front ends are small; bytes avoid a synchronous file iterator under ASGI.
    response = HttpResponse(wanted.read_bytes(), content_type=content_type)
    hashed = wanted.parent.name == "assets"
    response["Cache-Control"] = "public, max-age=31536000, immutable" if hashed else "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    # Not the pages' policy: the editor's build loads its own sources (aice_ps has an inline
    # import map and styles, React from esm.sh, Google Fonts). AICEPS_EDITOR_CSP sets one.
    if settings.AICEPS_EDITOR_CSP:
        response["Content-Security-Policy"] = settings.AICEPS_EDITOR_CSP
    else:
        response.csp_exempt = True
    return response


def spa_urlpatterns() -> list:
    prefix = settings.AICEPS_EDITOR_PATH.strip("/")
    if not prefix:
        # Mounted at the root it would answer every path: only when a front end is set.
        return [re_path(r"^(?P<path>.*)$", serve_spa)] if settings.AICEPS_EDITOR_DIST else []
    return [
        re_path(rf"^{prefix}$", lambda request: HttpResponseRedirect(f"/{prefix}/")),
        re_path(rf"^{prefix}/(?P<path>.*)$", serve_spa, name="editor-spa"),
    ]
