"""Plans and refusals are decided from the user's words; refusals quote only those words.

The requests carry the prompt that the template writer (stage 1) really writes for them, as
the pipeline does: its boilerplate ("no added text or watermarks") used to be quoted back as
if the user had asked to add objects.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from catalogue.providers import registry
from catalogue.providers.base import ImageRequest, PromptRequest, ProviderError, TaskType
from catalogue.providers.offline import planning
from catalogue.providers.offline.planning import plan_operations
from catalogue.providers.offline.template_writer import TemplatePromptWriter

from .photos import as_input, landscape_image, pixels, portrait_image

PHOTO = as_input(landscape_image(384, 288))
QUOTED = re.compile(r'"([^"]+)"')


def staged(instruction: str, task=TaskType.EDIT, images=(PHOTO,), **extra) -> ImageRequest:
    """The request stage 2 gets: the instruction and the template writer's prompt for it."""
    prompt = TemplatePromptWriter().write(
        PromptRequest(instruction=instruction, task_type=task, images=images, **extra)
    )
    return ImageRequest(
        prompt=prompt.prompt, instruction=instruction, task_type=task, images=images, **extra
    )


def ops(instruction: str, **kw) -> list:
    return plan_operations(staged(instruction, **kw))[0]


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("crop to a square", "1:1"),
        ("square crop", "1:1"),
        ("crop it square", "1:1"),
        ("make it 16:9", "16:9"),
        ("crop to widescreen", "16:9"),
        ("裁剪成正方形", "1:1"),
    ],
)
def test_english_crop_phrasings(text, ratio):
    (op,) = ops(text)
    assert (op.name, op.params["ratio"]) == ("crop", ratio)


def test_crop_the_centre_and_a_bare_crop():
    (op,) = ops("crop the center")
    assert op.name == "crop" and op.params["centre"] and "ratio" not in op.params
    (op,) = ops("crop", aspect_ratio="1:1")
    assert op.params["ratio"] == "1:1"
    with pytest.raises(ProviderError) as info:
        ops("crop")
    assert QUOTED.findall(info.value.message) == ["crop"] and "square" in info.value.message


def test_crop_to_a_square_makes_a_square(editor):
    result = editor.generate(staged("crop to a square", images=(PHOTO,)))
    out = pixels(result.images[0].data)
    assert out.shape[0] == out.shape[1] == 288
    out = pixels(editor.generate(staged("crop the centre")).images[0].data)
    assert out.shape[:2] == (216, 288)


def test_style_of_the_second_photo_and_fusion_with_two_images(editor):
    two = (PHOTO, as_input(portrait_image(256)))
    (op,) = ops("paint the first photo in the style of the second", images=two)
    assert op.params["source"] == "image"
    for text in ("fuse", "blend them", "combine the two photos"):
        assert [o.name for o in ops(text, task=TaskType.FUSION, images=two)] == ["bg_image"]
    request = staged("paint the first photo in the style of the second", images=two)
    assert editor.generate(request).model == "offline-editor/style-image"


REFUSED = [
    ("asdf qwerty zxcv", TaskType.EDIT),
    ("qwertyuiop", TaskType.FUSION),
    ("让这个人穿上医生的白大褂，背景是医院", TaskType.EDIT),
    ("亮一点，给他加上帽子", TaskType.EDIT),
    ("brighter and add a hat", TaskType.EDIT),
    ("make him smile", TaskType.EDIT),
    ("make it look like a sunset", TaskType.EDIT),
    ("Ｍａｋｅ　ｉｔ　ｇｌｏｗ，ｐｌｅａｓｅ", TaskType.EDIT),  # full-width characters
    ("apply a dreamy underwater look", TaskType.FILTER),
    ("make it red", TaskType.EDIT),
    ("crop", TaskType.EDIT),
    ("pad it", TaskType.EDIT),
]


@pytest.mark.parametrize(("text", "task"), REFUSED)
def test_refusals_quote_only_the_users_words(text, task):
    images = (PHOTO, PHOTO) if task == TaskType.FUSION else (PHOTO,)
    with pytest.raises(ProviderError) as info:
        plan_operations(staged(text, task=task, images=images))
    error = info.value
    assert error.permanent and error.provider == "offline"
    quotes = QUOTED.findall(error.message)
    assert quotes, error.message
    for quote in quotes:
        assert quote in text, (quote, error.message)
    assert "watermark" not in error.message and "no added text" not in error.message
    # The providers that can, named for the user (no settings: those go to the detail).
    assert registry.alternatives(task, exclude=("offline",))[0] in error.message
    assert "GEMINI_API_KEY" not in error.message


def test_gibberish_is_called_not_understood():
    with pytest.raises(ProviderError) as info:
        plan_operations(staged("asdf qwerty zxcv"))
    message = info.value.message
    assert message.startswith('The offline editor did not understand "asdf qwerty zxcv"')
    assert info.value.code == "unsupported_instruction"


def test_the_clause_that_cannot_be_done_is_named():
    with pytest.raises(ProviderError) as info:
        plan_operations(staged("亮一点，给他加上帽子"))
    assert 'cannot do "给他加上帽子" (' in info.value.message
    assert '"亮一点"' not in info.value.message


def test_a_prompt_that_asks_for_new_content_is_refused_in_the_users_words():
    request = ImageRequest(
        prompt="Dress the person in a red winter coat.", instruction="お願いします"
    )
    with pytest.raises(ProviderError) as info:
        plan_operations(request)
    assert '"お願いします"' in info.value.message and "Dress" not in info.value.message


def test_the_template_prompt_alone_asks_for_nothing():
    request = staged("", task=TaskType.HOTSPOT, hotspot=(10, 10))
    with pytest.raises(ProviderError) as info:  # "blend it seamlessly" is not a fusion
        plan_operations(request)
    assert info.value.code == "unsupported_instruction"


def test_a_wish_not_to_add_is_not_a_request_to_add():
    assert [o.name for o in ops("black and white, without adding any text")] == ["grayscale"]


def test_no_import_cycles_in_the_offline_package():
    """Every import between the package's modules, module level or inside a function."""
    folder = Path(planning.__file__).parent
    graph = {}
    for path in folder.glob("*.py"):
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    edges.add(node.module.split(".")[0])
                else:
                    edges.update(alias.name for alias in node.names)
        graph[path.stem] = {e for e in edges if (folder / f"{e}.py").exists()}

    def visit(name, trail):
        assert name not in trail, " -> ".join([*trail, name])
        for nxt in graph[name]:
            visit(nxt, [*trail, name])

    for name in graph:
        visit(name, [])
    assert "planning" in graph["editor"] and "instructions" in graph["planning"]
    assert all(len(p.read_text().splitlines()) <= 300 for p in folder.glob("*.py"))  # small modules


def test_the_operator_reads_which_settings_would_serve_a_refusal(settings):
    from catalogue.providers.offline.editor import OfflineImageProvider

    with pytest.raises(ProviderError) as info:
        OfflineImageProvider().generate(staged("让这个人穿上医生的白大褂"))
    assert "GEMINI_API_KEY" in info.value.detail and "AICEPS_DIFFUSERS_MODEL" in info.value.detail
    assert "GEMINI_API_KEY" not in info.value.message


@pytest.mark.parametrize(
    "instruction",
    ["让这个人穿上医生的白大褂，背景是医院", "put a hat on him", "Van Gogh style", "抠图", "blah"],
)
def test_the_words_alone_refuse_what_running_would_refuse(instruction):
    """The pages mark a preset from its words; that verdict matches the run's (no photo
    needed): a refusal from the words means the run refuses with the same message."""
    verdict = registry.instruction_refusal(
        "offline", task_type=TaskType.EDIT, instruction=instruction
    )
    try:
        ops(instruction)
    except ProviderError as error:
        if verdict is not None:
            assert verdict == error.message
    else:
        assert verdict is None
    generative = instruction in ("让这个人穿上医生的白大褂，背景是医院", "put a hat on him")
    assert (verdict is not None) == generative  # unknown words are not judged from words
