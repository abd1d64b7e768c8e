"""``stream=True`` with the official client: partial images, then the completed images, over
the async serving tier, for the offline editor, a tiny local diffusers model and OpenAI
upstream (partials passed through)."""

from __future__ import annotations

import base64
import hashlib

import openai
import pytest

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.fakes.fixtures import openai_server, openai_service  # noqa: F401

from .conftest import decoded, photo_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def kinds(events) -> list[str]:
    return [event.type for event in events]


def test_offline_edit_streams_its_stage_boundary_then_the_image(client, runner, settings, user):
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    stream = client.images.edit(
        image=photo_file(), prompt="黑白", stream=True, partial_images=2, size="256x192"
    )
    events = list(stream)
    assert kinds(events) == ["image_edit.partial_image", "image_edit.completed"]
    partial, completed = events
    assert partial.partial_image_index == 0
    # The partial is the editor's own answer at the end of stage 2; the completed image was
    # then made the size asked (320x240 -> 256x192).
    assert decoded(base64.b64decode(partial.b64_json)).size == (320, 240)
    assert partial.size == "320x240"
    final = decoded(base64.b64decode(completed.b64_json))
    assert final.size == (256, 192) and completed.size == "256x192"
    pixel = final.convert("RGB").getpixel((128, 96))
    assert pixel[0] == pixel[1] == pixel[2]  # black and white
    assert completed.usage.total_tokens >= 0 and completed.output_format == "png"
    assert credits_balance(user=user) == 9
    assert TaskHistory.objects.get().status == "completed"


def test_stream_events_arrive_before_the_task_is_done(client, runner, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.SlowInvertImageProvider"
    stream = client.images.generate(prompt="a green square", stream=True, partial_images=1)
    first = next(iter(stream))
    # The generations stream of a provider that answers at once: its image at the stage's
    # end is the partial; the task then finishes (format, storing) and completes.
    assert first.type == "image_generation.partial_image"
    rest = list(stream)
    assert kinds(rest) == ["image_generation.completed"]


@pytest.mark.local_models
def test_diffusers_streams_step_previews_that_differ(client, runner, settings, tiny_sd):
    settings.AICEPS_IMAGE_PROVIDER = "diffusers"
    settings.AICEPS_DIFFUSERS_MODEL = str(tiny_sd)
    settings.AICEPS_DIFFUSERS_STEPS = 8
    settings.AICEPS_DIFFUSERS_DEVICE = "cpu"
    settings.AICEPS_DIFFUSERS_SEED = 7
    stream = client.images.generate(
        prompt="a lighthouse", model="diffusers", stream=True, partial_images=2, size="64x64"
    )
    events = list(stream)
    assert kinds(events) == [
        "image_generation.partial_image",
        "image_generation.partial_image",
        "image_generation.completed",
    ]
    assert [e.partial_image_index for e in events[:2]] == [0, 1]
    images = [base64.b64decode(e.b64_json) for e in events]
    assert len({hashlib.sha256(data).hexdigest() for data in images}) == 3
    assert all(decoded(data).size == (64, 64) for data in images)
    task = TaskHistory.objects.get()
    assert task.status == "completed" and len(task.extra_files["partials"]) == 2


def test_openai_upstream_partials_are_passed_through(client, runner, settings, openai_server):  # noqa: F811
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = openai_server.base_url
    settings.AICEPS_OPENAI_IMAGE_MODEL = "gpt-image-2"
    stream = client.images.edit(
        image=photo_file(),
        prompt="make it orange",
        model="openai",
        stream=True,
        partial_images=2,
        size="1024x1024",
    )
    events = list(stream)
    assert kinds(events) == [
        "image_edit.partial_image",
        "image_edit.partial_image",
        "image_edit.completed",
    ]
    [sent] = openai_server.requests_to("edits")
    assert (sent.field("stream"), sent.field("partial_images")) == ("true", "2")
    shades = [decoded(base64.b64decode(e.b64_json)).convert("RGB").getpixel((5, 5)) for e in events]
    assert shades[0] != shades[1] != shades[2]
    assert shades[2] == openai_server.color
    assert events[2].usage.output_tokens == openai_server.tokens  # + the prompt writer's


def test_a_failed_stream_raises_in_the_client(client, runner, settings, user):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    stream = client.images.generate(prompt="a cat", stream=True)
    with pytest.raises(openai.APIError) as caught:
        list(stream)
    assert "refused" in caught.value.message
    assert caught.value.body["code"] == "content_blocked"
    assert credits_balance(user=user) == 10  # refunded
