"""The task-type registry and the rules every entry point's request is checked by."""

from __future__ import annotations

import pytest
from django.utils import translation

from catalogue import task_rules, task_types
from catalogue.imaging import inspect_upload
from catalogue.providers.base import Capabilities
from core.errors import ValidationError
from generation.services import TaskInput
from tests.conftest import make_photo

EVERYTHING = Capabilities(edit=True, text_to_image=True, mask=True, max_input_images=4)
OFFLINE_LIKE = Capabilities(edit=True, mask=True, max_input_images=2, max_count=1)


def photo(width=320, height=240):
    return inspect_upload(make_photo(width, height))


def check(caps=EVERYTHING, **fields):
    return task_rules.validate(TaskInput(**fields), capabilities=caps, provider="test")


def refused(caps=EVERYTHING, **fields) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(caps, **fields)
    return caught.value


def test_every_task_type_has_a_spec_with_both_languages():
    assert set(task_types.SPECS) == set(task_types.TaskType)
    for spec in task_types.SPECS.values():
        assert spec.label.en and spec.label.zh and spec.help.en and spec.help.zh
    with translation.override("zh-hans"):
        assert str(task_types.spec_for("fusion").label) == "融合"
    with translation.override("en"):
        assert dict(task_types.choices())["fusion"] == "Fusion"


def test_unknown_types_and_providers_that_cannot():
    assert refused(prompt="x", task_type="teleport").param == "task_type"
    edit_only = Capabilities(edit=True, max_input_images=1)
    error = refused(edit_only, prompt="a lighthouse", task_type="text_to_image")
    assert (error.code, error.param) == ("unsupported_task", "task_type")
    assert task_types.provider_can(EVERYTHING, "fusion")
    assert not task_types.provider_can(edit_only, "fusion")  # one photo is not enough


def test_photo_counts_follow_the_type_and_the_provider():
    assert refused(prompt="x", task_type="edit").code == "missing_image"
    assert refused(prompt="x", task_type="fusion", images=(photo(),)).code == "missing_image"
    error = refused(prompt="x", task_type="filter", images=(photo(), photo()))
    assert (error.code, error.extra["max_images"]) == ("too_many_images", 1)
    three = (photo(), photo(), photo())
    assert check(prompt="x", task_type="fusion", images=three).images == three
    assert refused(OFFLINE_LIKE, prompt="x", task_type="fusion", images=three).code == (
        "too_many_images"
    )
    assert check(prompt="a lighthouse", task_type="text_to_image", images=(photo(),)).images == ()


def test_defaults_are_filled_in():
    cut = check(prompt="  ", task_type="remove_background", images=(photo(),))
    assert cut.prompt == "Remove the background"
    assert check(prompt="a fox", task_type="text_to_image").aspect_ratio == "1:1"
    assert check(prompt="", task_type="filter", images=(photo(),)).prompt == ""
    assert refused(prompt=" ", task_type="edit", images=(photo(),)).param == "prompt"


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (160, 120, (160, 120)),
        (0.5, 0.25, (160, 60)),
        ("0.999", "1", (319, 239)),
        (0, 0, (0, 0)),
        (1, 1, (1, 1)),  # whole numbers are pixels
    ],
)
def test_a_point_is_pixels_or_fractions(x, y, expected):
    assert task_rules.parse_point(x, y, width=320, height=240) == expected


@pytest.mark.parametrize(
    ("x", "y", "code"),
    [(320, 10, "hotspot_outside_image"), (-1, 3, "invalid_hotspot"), ("nan", 2, "invalid_hotspot")],
)
def test_a_point_outside_or_malformed_is_refused(x, y, code):
    with pytest.raises(ValidationError) as caught:
        task_rules.parse_point(x, y, width=320, height=240)
    assert caught.value.code == code


def test_a_point_is_only_for_types_that_take_one():
    assert refused(prompt="x", task_type="hotspot", images=(photo(),)).code == "missing_hotspot"
    kept = check(prompt="x", task_type="edit", images=(photo(),), parameters={"x": 3, "y": 4})
    assert "x" not in kept.parameters  # an edit of the whole photo ignores a stray point


def test_masks_counts_and_sizes():
    mask = photo()
    assert check(prompt="x", images=(photo(),), mask=mask).mask is mask
    assert refused(prompt="x", task_type="filter", images=(photo(),), mask=mask).param == "mask"
    assert refused(OFFLINE_LIKE, prompt="x", images=(photo(),), parameters={"n": 2}).param == "n"
    assert "n" not in check(prompt="x", images=(photo(),), parameters={"n": 1}).parameters
    assert refused(prompt="x", images=(photo(),), parameters={"n": 5}).code == "invalid_n"
    assert refused(prompt="x", images=(photo(),), parameters={"size": "big"}).param == "size"
    assert refused(prompt="x", images=(photo(),), parameters={"size": "9000x10"}).param == "size"
    sized = Capabilities(edit=True, max_input_images=1, sizes=("1024x1024",))
    assert refused(sized, prompt="x", images=(photo(),), parameters={"size": "512x512"}).code == (
        "invalid_size"
    )
    assert check(sized, prompt="x", images=(photo(),), parameters={"size": "1024x1024"})
    assert refused(prompt="x", images=(photo(),), aspect_ratio="7:3").code == (
        "invalid_aspect_ratio"
    )
