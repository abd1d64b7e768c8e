"""Reading instructions (Chinese and English) into operations, and refusing what can't be done."""

from __future__ import annotations

import pytest

from catalogue.providers import registry
from catalogue.providers.base import ImageRequest, InputImage, ProviderError, TaskType
from catalogue.providers.offline.glossary import ORDER, TERMS
from catalogue.providers.offline.instructions import parse
from catalogue.providers.offline.planning import plan_operations

ONE = (InputImage(b"", "image/png", 64, 64),)
TWO = ONE * 2


def names(text: str) -> list[str]:
    return [op.name for op in parse(text).operations]


def plan(instruction: str, task: TaskType = TaskType.EDIT, images=ONE, **extra):
    request = ImageRequest(
        prompt=extra.pop("prompt", ""),
        instruction=instruction,
        task_type=task,
        images=images,
        **extra,
    )
    return plan_operations(request)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("把背景换成白色", ["bg_color"]),
        ("把背景换成纯白色", ["bg_color"]),
        ("换成蓝底", ["bg_color"]),
        ("黑白", ["grayscale"]),
        ("黑白复古", ["grayscale", "vintage", "grain", "vignette"]),
        ("复古", ["vintage", "grain", "vignette"]),
        ("加点胶片颗粒", ["grain"]),
        ("加上暗角", ["vignette"]),
        ("素描", ["sketch"]),
        ("铅笔画", ["sketch"]),
        ("卡通", ["cartoon"]),
        ("梵高风格", ["style"]),
        ("油画", ["style"]),
        ("抠图", ["remove_bg"]),
        ("去掉背景", ["remove_bg"]),
        ("背景模糊", ["bg_blur"]),
        ("放大两倍", ["upscale"]),
        ("亮一点", ["brightness"]),
        ("调暗", ["brightness"]),
        ("提高对比度", ["contrast"]),
        ("饱和度高一点", ["saturation"]),
        ("暖色调", ["warmth"]),
        ("冷色调", ["warmth"]),
        ("锐化", ["sharpness"]),
        ("裁剪成16:9", ["crop"]),
        ("消除这个", ["remove_object"]),
        ("给脸打马赛克", ["pixelate"]),
        ("make it black and white", ["grayscale"]),
        ("Black & White", ["grayscale"]),
        ("sepia", ["sepia"]),
        ("add film grain", ["grain"]),
        ("add a vignette", ["vignette"]),
        ("pencil sketch", ["sketch"]),
        ("cartoon", ["cartoon"]),
        ("in the style of Van Gogh", ["style"]),
        ("remove the background", ["remove_bg"]),
        ("blur the background", ["bg_blur"]),
        ("upscale 2x", ["upscale"]),
        ("make it brighter", ["brightness"]),
        ("increase the contrast", ["contrast"]),
        ("warmer tones", ["warmth"]),
        ("sharpen", ["sharpness"]),
        ("crop to 1:1", ["crop"]),
        ("remove the object", ["remove_object"]),
        ("put the product on a white background", ["bg_color"]),
        ("black and white, then add film grain and a vignette", ["grayscale", "grain", "vignette"]),
        # The photo editor's own presets and fusion phrasings, as its users write them.
        ("高对比度", ["contrast"]),
        ("80年代合成波风格，带有霓虹灯光", ["cinematic"]),
        ("Apply a synthwave look with cyan glows", ["cinematic"]),
    ],
)
def test_phrases_become_operations(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("梵高风格", 19),
        ("Van Gogh style", 19),
        ("starry night", 19),
        ("浮世绘", 24),
        ("Hokusai wave", 24),
        ("水彩", 14),
        ("watercolor painting", 14),
        ("油画", 25),
        ("oil painting", 25),
        ("mosaic", 6),
        ("印象派", 16),
    ],
)
def test_style_words_pick_a_style(text, index):
    (op,) = parse(text).operations
    assert op.params["index"] == index


@pytest.mark.parametrize(
    ("text", "colour", "rgb"),
    [
        ("把背景换成纯白色", "white", (255, 255, 255)),
        ("背景换成黑色", "black", (0, 0, 0)),
        ("红色背景", "red", (255, 0, 0)),
        ("make the background light blue", "light blue", (173, 216, 230)),
        ("change the background to #336699", "#336699", (51, 102, 153)),
        ("white background", "white", (255, 255, 255)),
    ],
)
def test_background_colours(text, colour, rgb):
    (op,) = parse(text).operations
    assert op.params["colour"] == colour and op.params["rgb"] == rgb


def test_amounts_scale_the_operation():
    amount = {
        t: parse(t).operations[0].params["amount"]
        for t in (
            "make it a bit brighter",
            "make it brighter",
            "make it much brighter",
            "increase brightness by 20%",
            "亮度降低30%",
        )
    }
    assert (
        amount["make it a bit brighter"]
        < amount["make it brighter"]
        < amount["make it much brighter"]
    )
    assert amount["increase brightness by 20%"] == pytest.approx(0.2)
    assert amount["亮度降低30%"] == pytest.approx(-0.3)


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("放大两倍", 2),
        ("放大4倍", 4),
        ("upscale 3x", 3),
        ("upscale", 2),
        ("double the resolution and upscale", 2),
        ("enlarge it by four", 4),
        ("upscale by a factor of 3", 3),
        ("make it two times bigger", 2),
        ("quadruple the size", 4),
        ("scale up 4x", 4),
        ("x4", 4),
        ("make it 2x", 2),
    ],
)
def test_upscale_factors(text, factor):
    assert parse(text).operations[0].params["factor"] == factor


def test_a_bare_factor_is_an_upscale_only_as_a_clause_of_its_own():
    ops = {o.name: o.params for o in parse("x4, black and white").operations}
    assert ops["upscale"]["factor"] == 4 and "grayscale" in ops
    assert [o.name for o in parse("crop 2x3").operations] == ["crop"]


def test_a_phrase_said_twice_counts_once():
    (op,) = parse("warmer, golden-hour tones").operations
    assert op.params["amount"] == pytest.approx(0.35)


def test_upscale_to_4k():
    op = parse("图片放大到4K").operations[0]
    assert op.params["target"] == 3840


def test_geometry_parameters():
    assert parse("crop to 16:9").operations[0].params["ratio"] == "16:9"
    assert parse("裁剪成4比3").operations[0].params["ratio"] == "4:3"
    assert parse("正方形").operations[0].params["ratio"] == "1:1"
    assert parse("rotate 90 degrees").operations[0].params["degrees"] == 90
    assert parse("向左转").operations[0].params["degrees"] == 270
    assert parse("上下翻转").operations[0].params["axis"] == "vertical"


def test_black_and_white_is_not_split_at_and():
    parsed = parse("make it black and white")
    assert len(parsed.clauses) == 1 and parsed.clauses[0].status == "ops"


def test_negation_cancels_an_operation():
    assert names("don't make it black and white, just brighter") == ["brightness"]


def test_keep_clauses_are_constraints():
    parsed = parse("make it vintage but keep the face unchanged")
    assert [c.status for c in parsed.clauses] == ["ops", "constraint"]
    assert plan("make it vintage but keep the face unchanged")


@pytest.mark.parametrize(
    "text",
    [
        "让这个人穿上医生的白大褂，背景是医院",  # clothing + a background scene
        "亮一点，给他加上帽子",  # understood + an essential generative clause
        "brighter and add a hat",
        "remove the background and put me on a beach",
        "change the background to a beach",
        "把背景换成海滩",
        "make him smile",
        "make it look like a sunset",  # not understood at all
        "把天空变成蓝色",
    ],
)
def test_unsupported_instructions_fail_permanently(text):
    with pytest.raises(ProviderError) as info:
        plan(text)
    error = info.value
    assert error.permanent and error.code == "unsupported_instruction"
    assert "Gemini, OpenAI or a local diffusers model" in error.message
    assert "GEMINI_API_KEY" not in error.message  # settings are for the operator's detail


def test_text_to_image_is_not_offered():
    with pytest.raises(ProviderError) as info:
        plan("a cat on the moon", TaskType.TEXT_TO_IMAGE, images=())
    assert info.value.permanent and info.value.code == "unsupported_task"
    # Every provider that can, by the name users know it, as the registry finds them.
    able = registry.alternatives(TaskType.TEXT_TO_IMAGE, exclude=("offline",))[0]
    assert able.startswith("Gemini, OpenAI") and able.endswith(" or Midjourney")
    assert f"Use {able}." in info.value.message


def test_task_types_supply_defaults():
    assert [o.name for o in plan("", TaskType.REMOVE_BACKGROUND)] == ["remove_bg"]
    assert [o.name for o in plan("asdf qwerty zxcv", TaskType.REMOVE_BACKGROUND)] == ["remove_bg"]
    assert [o.name for o in plan("请处理一下", TaskType.REMOVE_BACKGROUND)] == ["remove_bg"]
    assert "vintage" in [o.name for o in plan("apply a filter", TaskType.FILTER)]
    assert [o.name for o in plan("", TaskType.STYLE)] == ["style"]
    assert plan("", TaskType.STYLE, images=TWO)[0].params["source"] == "image"
    assert [o.name for o in plan("", TaskType.ADJUSTMENT)] == ["enhance"]
    assert [o.name for o in plan("", TaskType.FUSION, images=TWO)] == ["bg_image"]
    # words it knows still win over the defaults
    assert [o.name for o in plan("黑白", TaskType.FILTER)] == ["grayscale"]


def test_specific_task_with_unknown_words_still_fails():
    with pytest.raises(ProviderError):
        plan("apply a dreamy underwater look", TaskType.FILTER)


def test_empty_edit_fails():
    with pytest.raises(ProviderError) as info:
        plan("")
    assert info.value.code == "unsupported_instruction"


def test_aspect_ratio_adds_a_crop():
    ops = plan("黑白", aspect_ratio="16:9")
    assert [o.name for o in ops] == ["crop", "grayscale"]
    assert ops[0].params["ratio"] == "16:9"
    assert plan("pad to 9:16")[0].name == "pad"


def test_prompt_is_used_when_the_instruction_is_not_understood():
    ops = plan("rends la photo plus lumineuse", prompt="Brighten the exposure of the photo.")
    assert [o.name for o in ops] == ["brightness"]
    ops = plan("", prompt="Convert the photo to black and white. Keep the subject unchanged.")
    assert [o.name for o in ops] == ["grayscale"]
    ops = plan("please edit this photo", prompt="Add a soft vignette to the photo.")
    assert [o.name for o in ops] == ["vignette"]
    with pytest.raises(ProviderError):  # the prompt asks for new content
        plan("お願いします", prompt="Dress the person in a red winter coat.")


def test_missing_inputs_are_named():
    with pytest.raises(ProviderError) as info:
        plan("remove the object")
    assert info.value.code == "mask_required" and info.value.permanent
    with pytest.raises(ProviderError) as info:
        plan("参考图的风格")
    assert info.value.code == "missing_image"
    assert plan("remove the object", hotspot=(10, 10))


def test_operations_run_in_canonical_order():
    ops = plan("放大两倍，黑白，背景换成白色，裁剪成1:1")
    assert [o.name for o in ops] == ["crop", "grayscale", "bg_color", "upscale"]
    assert [o.name for o in ops] == sorted((o.name for o in ops), key=ORDER.index)


def test_glossary_is_complete():
    for term in TERMS:
        assert term.patterns and term.ops and term.en
        assert all(name in ORDER for name, _ in term.ops)


@pytest.mark.parametrize(
    "text",
    [
        "use the style of the second image",
        "apply the style of image 2",
        "take the art style from the other photo",
        "把图2的风格应用到图1",
        "in the style of the second image",
    ],
)
def test_the_second_images_style_in_other_words(text):
    parsed = parse(text)
    assert [o.name for o in parsed.operations] == ["style"]
    assert parsed.operations[0].params["source"] == "image"
