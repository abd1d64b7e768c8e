"""Counting the uses of templates from the library (the "popular" order)."""

from __future__ import annotations

from django.db.models import F, Q

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
