"""The template library's writes: counting uses (the "popular" order), making offline covers."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Q

from .. import template_renders
from ..models_templates import PromptTemplate


def template_record_use(*, prompt: str = "", slug: str = "") -> int:
    """Count one use of the active template named by ``slug``, or of those whose English or
    Chinese prompt is exactly ``prompt`` (the photo editor sends the template's prompt, not
    its id). Returns how many templates were counted."""
    prompt = (prompt or "").strip()
    if slug:
        match = Q(slug=slug)
    elif prompt:
        match = Q(prompt_en=prompt) | Q(prompt_zh=prompt)
    else:
        return 0
    return PromptTemplate.objects.filter(match, is_active=True).update(use_count=F("use_count") + 1)


def template_covers_render() -> Iterator[tuple[str, bool]]:
    """Make and store the offline cover of every active template without an uploaded cover
    (otherwise made on first view); yields each one's slug and whether the offline editor
    could make it, as it goes."""
    for template in PromptTemplate.objects.filter(is_active=True, cover_image=""):
        data = template_renders.stored_render(template.slug, template.task_type, template.prompt_en)
        yield template.slug, bool(data)
