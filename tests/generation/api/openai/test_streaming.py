"""``stream=True`` with the official client: partial images, then the completed images, over
the async serving tier, for the offline editor, a tiny local diffusers model and OpenAI
upstream (partials passed through)."""

from __future__ import annotations

import base64
import hashlib
import json

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


def test_a_broken_stream_is_resumed_with_its_idempotency_key_and_last_event_id(
    asgi_server, token, runner, settings, user
):
    """The same request again, with its Idempotency-Key and the id of the last event read:
    the same task (charged once), and only the events after that id."""
    import httpx

    from tests.fakes.sse import events

    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "stream-1"}
    form = {"prompt": "黑白", "stream": "true", "partial_images": "2"}

    def post(**extra):
        return httpx.post(
            f"{asgi_server.url}/v1/images/edits",
            headers={**headers, **extra},
            files={"image": photo_file()},
            data=form,
            timeout=60,
        )

    whole = post()
    assert whole.status_code == 200, whole.text
    ids = [line[4:] for line in whole.text.splitlines() if line.startswith("id: ")]
    assert ids == ["1", "101"] and "retry: 2000" in whole.text
    assert [name for name, _ in events(whole.text)] == [
        "image_edit.partial_image",
        "image_edit.completed",
    ]
    resumed = post(**{"Last-Event-ID": "1"})
    assert [name for name, _ in events(resumed.text)] == ["image_edit.completed"]
    [(_, completed)] = events(resumed.text)
    assert completed["b64_json"] == events(whole.text)[1][1]["b64_json"]
    assert TaskHistory.objects.count() == 1 and credits_balance(user=user) == 9


def test_every_event_is_one_the_schema_documents(asgi_server, token, runner, settings):
    """schemathesis reads each event of a ``text/event-stream`` answer against its schema:
    images, partial images and the error event all fit it."""
    import httpx
    import jsonschema

    from tests.fakes.sse import fields

    schema = httpx.get(f"{asgi_server.url}/api/schema/?format=json", timeout=30).json()
    headers = {"Authorization": f"Bearer {token}"}
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    edit = httpx.post(
        f"{asgi_server.url}/v1/images/edits",
        headers=headers,
        files={"image": photo_file()},
        data={"prompt": "黑白", "stream": "true", "partial_images": "2"},
        timeout=60,
    )
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    failed = httpx.post(
        f"{asgi_server.url}/v1/images/generations",
        headers=headers,
        json={"prompt": "a cat", "stream": True},
        timeout=60,
    )
    sent = fields(edit.text) + fields(failed.text)
    assert [event["event"] for event in sent] == [
        "image_edit.partial_image",
        "image_edit.completed",
        "error",
    ]
    for path in ("/v1/images/edits", "/v1/images/generations"):
        answer = schema["paths"][path]["post"]["responses"]["200"]["content"]
        validator = jsonschema.Draft4Validator(answer["text/event-stream"]["schema"])
        for event in sent:
            validator.validate(event)
            assert json.loads(event["data"])["type"] == event["event"]
