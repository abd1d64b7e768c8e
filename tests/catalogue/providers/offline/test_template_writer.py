"""The template prompt writer: English prompts and a plan, from Chinese or English."""

from __future__ import annotations

import re

import pytest

from catalogue.providers import registry
from catalogue.providers.base import PromptRequest, TaskType
from catalogue.providers.offline.template_writer import TemplatePromptWriter

from .photos import as_input, landscape_image

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def photo():
    return as_input(landscape_image(1024, 768))


def write(instruction, photo=None, task=TaskType.EDIT, **extra):
    images = (photo,) if photo is not None else ()
    return TemplatePromptWriter().write(
        PromptRequest(instruction=instruction, task_type=task, images=images, **extra)
    )


def test_known_chinese_comes_out_in_english(photo):
    result = write("把背景换成纯白色", photo)
    assert not HAN.search(result.prompt)
    assert result.prompt.startswith("Edit the provided 1024x768 landscape photo")
    assert "white (#ffffff)" in result.prompt and "Keep" in result.prompt
    assert "dominant colours:" in result.prompt and "brightness" in result.prompt
    assert (result.model, result.tokens_used) == ("template-v1", 0)


def test_unknown_chinese_is_quoted_with_a_gloss(photo):
    result = write("让这个人穿上医生的白大褂，背景是医院", photo)
    assert 'original instruction (Chinese): "让这个人穿上医生的白大褂，背景是医院"' in result.prompt
    assert "doctor" in result.prompt and "hospital" in result.prompt
    assert result.plan.task_type is None  # nothing to refine: it is a general edit


def test_mixed_instruction_translates_what_it_knows(photo):
    result = write("亮一点，给他加上帽子", photo)
    assert "brighten the exposure" in result.prompt
    assert '"给他加上帽子"' in result.prompt and "hat" in result.prompt


@pytest.mark.parametrize(
    ("instruction", "task"),
    [
        ("黑白复古", TaskType.FILTER),
        ("抠图", TaskType.REMOVE_BACKGROUND),
        ("梵高风格", TaskType.STYLE),
        ("亮一点，提高对比度", TaskType.ADJUSTMENT),
        ("make it brighter and crop to 16:9", None),
    ],
)
def test_plan_refines_the_task(photo, instruction, task):
    assert write(instruction, photo).plan.task_type == task


def test_plan_carries_the_aspect_ratio(photo):
    assert write("裁剪成16:9", photo).plan.aspect_ratio == "16:9"
    assert write("黑白", photo, aspect_ratio="4:3").plan.aspect_ratio == "4:3"
    result = write("黑白", photo, aspect_ratio="1:1")
    assert "1:1 aspect ratio" in result.prompt


def test_english_passes_through(photo):
    result = write("Make it brighter and give him a cowboy hat", photo)
    assert "brighten the exposure" in result.prompt and "cowboy hat" in result.prompt


def test_task_defaults_and_hotspot(photo):
    result = write("", photo, task=TaskType.REMOVE_BACKGROUND)
    assert "transparent" in result.prompt
    result = write("去掉这个痘", photo, task=TaskType.HOTSPOT, hotspot=(500, 300))
    assert "(500, 300)" in result.prompt and not HAN.search(result.prompt)


def test_text_to_image_needs_no_photo():
    result = write("一只在月球上的猫", task=TaskType.TEXT_TO_IMAGE, aspect_ratio="16:9")
    assert result.prompt.startswith("Create a new")
    assert "16:9" in result.prompt and "moon" in result.prompt and "cat" in result.prompt


def test_registry_builds_the_template_writer():
    assert isinstance(registry.get_prompt_writer("template"), TemplatePromptWriter)
