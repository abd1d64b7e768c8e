"""The primitives hand their parameters to task_create the way /api/v1/tasks does."""

from __future__ import annotations

import anyio
import pytest

from generation.models import TaskHistory
from mcp_server.inputs import task_input
from mcp_server.principal import Principal
from mcp_server.tools import Call, call_tool

from .conftest import astronaut_data_url, summary_of

pytestmark = pytest.mark.django_db(transaction=True)


async def _no_progress(*args):
    return None


def _call(user, name, arguments):
    call = Call(principal=Principal(user=user), session="s", request_id="1", report=_no_progress)
    return anyio.run(call_tool, call, name, arguments)


def test_upscale_passes_its_scale_to_the_task(user):
    result = _call(user, "upscale", {"image": astronaut_data_url(), "scale": 2})
    task = TaskHistory.objects.get(user=user)
    assert (task.task_type, task.parameters["scale"]) == ("upscale", 2)
    assert summary_of(result)["id"] == str(task.pk)


def test_expand_and_inpaint_build_the_task_input_the_api_would(user):
    photo = astronaut_data_url()
    expand = task_input("expand", {"image": photo, "left": 16, "right": 8}, user=user)
    assert (expand.task_type, expand.parameters) == ("expand", {"left": 16, "right": 8})
    ratio = task_input("expand", {"image": photo, "aspect_ratio": "16:9"}, user=user)
    assert ratio.aspect_ratio == "16:9" and ratio.parameters == {}
    inpaint = task_input("inpaint", {"image": photo, "mask": photo}, user=user)
    assert inpaint.task_type == "inpaint" and inpaint.mask.sha256 == inpaint.images[0].sha256


def test_a_primitive_refuses_a_scale_its_task_type_does_not_take(user):
    result = _call(user, "upscale", {"image": astronaut_data_url(), "scale": 3})
    assert result.is_error and summary_of(result)["error"]["param"] == "scale"
    assert not TaskHistory.objects.exists()


def test_the_submission_throttle_applies(user, settings):
    settings.AICEPS_THROTTLE_SUBMIT = "1/min"
    photo = astronaut_data_url()
    first = _call(user, "edit_image", {"images": [photo], "instruction": "black and white"})
    second = _call(user, "edit_image", {"images": [photo], "instruction": "make it brighter"})
    assert not first.is_error
    assert second.is_error and summary_of(second)["error"]["code"] == "throttled"
    assert summary_of(second)["error"]["retry_after"] > 0
    assert TaskHistory.objects.filter(user=user).count() == 1


def test_photos_over_the_size_limit_are_refused_before_anything_is_charged(user, settings):
    from accounts.selectors import credits_balance

    before = credits_balance(user=user)
    settings.AICEPS_MAX_UPLOAD_BYTES = 2000
    result = _call(user, "edit_image", {"images": [astronaut_data_url()], "instruction": "sepia"})
    error = summary_of(result)["error"]
    assert (error["code"], error["param"]) == ("file_too_large", "images.0")
    assert credits_balance(user=user) == before and not TaskHistory.objects.exists()
