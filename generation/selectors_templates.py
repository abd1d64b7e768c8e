"""Reads of the prompt-template library (active templates, with their example images)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from catalogue import task_types

from .models_templates import PromptTemplate, PromptTemplateImage

ORDERS = {
    "popular": ["-use_count", "position", "name_en"],
    "latest": ["-created_at"],
    "": ["position", "name_en"],
}


def _active() -> QuerySet[PromptTemplate]:
    examples = Prefetch(
        "example_images", queryset=PromptTemplateImage.objects.order_by("position", "pk")
    )
    return PromptTemplate.objects.filter(is_active=True).prefetch_related(examples)


def _none() -> QuerySet[PromptTemplate]:
    return PromptTemplate.objects.none()


def template_list(
    *, task_type: str = "", search: str = "", order: str = ""
) -> QuerySet[PromptTemplate]:
    """Active templates of ``task_type`` (none for a type that does not exist), whose name,
    description or prompt (either language) has ``search``; ordered by ``order``:
    ``popular`` (most used), ``latest``, or their position."""
    templates = _active()
    if task_type:
        known = {value for value, _label in task_types.choices()}
        templates = (
            templates.filter(task_type=task_type) if task_type in known else templates.none()
        )
    if search:
        templates = templates.filter(
            Q(name_en__icontains=search)
            | Q(name_zh__icontains=search)
            | Q(description_en__icontains=search)
            | Q(description_zh__icontains=search)
            | Q(prompt_en__icontains=search)
            | Q(prompt_zh__icontains=search)
        )
    return templates.order_by(*ORDERS.get(order, ORDERS[""]))


def template_get(*, key: str) -> PromptTemplate | None:
    """The active template with id ``key`` (digits) or slug ``key``."""
    template = _active().filter(pk=int(key)).first() if key.isdigit() else None
    return template or template_get_by_slug(slug=key)


def template_get_by_slug(*, slug: str) -> PromptTemplate | None:
    """The active template ``slug`` (a slug only, never an id: a name clients know it by)."""
    return _active().filter(slug=slug).first()
