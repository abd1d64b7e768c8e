"""Reads of the prompt-template library: active ones only, by type, words and order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generation.models import PromptTemplate
from generation.selectors_templates import template_get, template_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    PromptTemplate.objects.all().delete()  # the shipped templates aside
    make = PromptTemplate.objects.create
    templates = {
        "film": make(
            slug="film",
            name_en="Film",
            prompt_en="vintage film look",
            task_type="filter",
            position=2,
            use_count=9,
        ),
        "oil": make(
            slug="oil",
            name_en="Oil",
            name_zh="油画",
            prompt_en="oil painting",
            task_type="style",
            position=1,
            use_count=5,
        ),
        "gone": make(
            slug="gone", name_en="Gone", prompt_en="x", task_type="filter", is_active=False
        ),
    }
    earlier = templates["oil"].created_at - timedelta(minutes=1)
    PromptTemplate.objects.filter(slug="film").update(created_at=earlier)
    return templates


def slugs(templates) -> list[str]:
    return [t.slug for t in templates]


def test_active_templates_by_type_words_and_order(library):
    assert slugs(template_list()) == ["oil", "film"]  # by position
    assert slugs(template_list(task_type="filter")) == ["film"]
    assert slugs(template_list(task_type="no-such-type")) == []
    assert slugs(template_list(search="油画")) == ["oil"]
    assert slugs(template_list(order="popular")) == ["film", "oil"]  # most used
    assert slugs(template_list(order="latest")) == ["oil", "film"]  # made last


def test_one_template_by_id_or_slug(library):
    assert template_get(key=str(library["film"].pk)) == library["film"]
    assert template_get(key="oil") == library["oil"]
    assert template_get(key="gone") is None and template_get(key="nothing") is None
