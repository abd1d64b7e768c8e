"""The cover of a template that has none uploaded, at ``/api/templates/covers/<slug>.png``.

The editor shows every template's cover (through ``/api/proxy-image``) and reports a failed
image when there is none. A template without an uploaded cover shows what it does: its prompt
run by the offline editor on a public-domain photo (``generation.template_renders``, read
through :func:`generation.selectors_files.template_offline_cover`), made once and stored; the
photo itself is its "before" at ``<slug>.before.jpg``. Where the offline editor cannot do it,
the cover is a drawn card (a gradient in colours of its own, from its slug, with a frame:
plainly an illustration, not a result), marked "AI provider needed" when none of the
configured providers can do it either. Upload a cover in the admin to replace it.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw

from generation.selectors_files import template_has_before_photo, template_offline_cover

if TYPE_CHECKING:
    from generation.models_templates import PromptTemplate

COVER_SIZE = (480, 360)
COVER_PATH = "/api/templates/covers/"


def template_cover_url(slug: str, absolute) -> str:
    return absolute(reverse("editor-template-cover", args=[slug]))


@lru_cache(maxsize=256)
def drawn_cover(slug: str, marked: bool = False) -> bytes:
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
    if marked:  # a dark band across the card: this template needs an AI provider
        band = (0, height // 2 - 28, width, height // 2 + 28)
        draw.rectangle(band, fill=(32, 32, 36))
        text = "AI provider needed"
        left, top, right, bottom = draw.textbbox((0, 0), text, font_size=26)
        draw.text(
            ((width - (right - left)) / 2, (height - (bottom - top)) / 2 - top),
            text,
            fill=(255, 255, 255),
            font_size=26,
        )
    out = io.BytesIO()
    cover.save(out, format="PNG", optimize=True)
    return out.getvalue()


def cover_bytes(name: str) -> bytes | None:
    """``<slug>.png`` (the rendered or drawn cover) or ``<slug>.before.jpg`` (the photo it
    was rendered from), for an active template without an uploaded cover; None otherwise."""
    stem, dot, extension = name.rpartition(".")
    before = extension == "jpg" and stem.endswith(".before")
    slug = stem.removesuffix(".before") if before else stem
    if not dot or extension not in ("png", "jpg") or (extension == "jpg" and not before):
        return None
    cover = template_offline_cover(slug=slug, before=before)
    if cover is None:
        return None
    if before or cover.data is not None:
        return cover.data
    return drawn_cover(slug, cover.provider_needed)


def before_url(template: PromptTemplate, absolute) -> str | None:
    """The photo a template's offline cover was made from (its "before"), if it has one."""
    if not template_has_before_photo(template=template):
        return None
    return template_cover_url(f"{template.slug}.before.jpg", absolute)


@require_safe
def serve_template_cover(request, name: str):
    data = cover_bytes(name)
    if data is None:
        raise Http404
    kind = "image/jpeg" if name.endswith(".jpg") else "image/png"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
