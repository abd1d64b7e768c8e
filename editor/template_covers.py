"""A drawn cover for a template that has none uploaded.

The editor shows every template's cover (through ``/api/proxy-image``) and reports a failed
image when there is none, so a template without an uploaded cover gets a drawn card at
``/api/templates/covers/<slug>.png``: a gradient in colours of its own (from its slug) with a
frame, plainly an illustration, not a result. Upload a cover in the admin to replace it.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw

from generation.models_templates import PromptTemplate

COVER_SIZE = (480, 360)
COVER_PATH = "/api/templates/covers/"


def template_cover_url(slug: str, absolute) -> str:
    return absolute(reverse("editor-template-cover", args=[slug]))


@lru_cache(maxsize=256)
def drawn_cover(slug: str) -> bytes:
    digest = hashlib.sha256(slug.encode()).digest()
    start, end = tuple(64 + b // 2 for b in digest[:3]), tuple(64 + b // 2 for b in digest[3:6])
    width, height = COVER_SIZE
    turns = (None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180)
    ramp = Image.linear_gradient("L")  # top to bottom; turned for some
    if turn := turns[digest[6] % 3]:
        ramp = ramp.transpose(turn)
    ramp = ramp.resize(COVER_SIZE)
    cover = Image.composite(
        Image.new("RGB", COVER_SIZE, end), Image.new("RGB", COVER_SIZE, start), ramp
    )
    draw = ImageDraw.Draw(cover)
    inset = min(width, height) // 6
    box = (inset, inset, width - inset, height - inset)
    draw.rounded_rectangle(box, radius=inset // 2, outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    cover.save(out, format="PNG", optimize=True)
    return out.getvalue()


def cover_bytes(name: str) -> bytes | None:
    """The drawn cover named ``<slug>.png``, for an active template without a cover."""
    slug, dot, extension = name.rpartition(".")
    if not dot or extension != "png":
        return None
    exists = PromptTemplate.objects.filter(slug=slug, is_active=True, cover_image="").exists()
    return drawn_cover(slug) if exists else None


@require_safe
def serve_template_cover(request, name: str):
    data = cover_bytes(name)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
