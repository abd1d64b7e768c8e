"""Every parameter of ``images.edit`` / ``images.generate``, sent by the official client to
AicePS served live: honoured (the pixels, sizes, formats and ledger say so), or refused with
a 400 naming it before anything is charged."""

from __future__ import annotations

import base64
from pathlib import Path

import openai
import pytest
import requests

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance
from generation.files import TaskFiles
from generation.models import TaskHistory
from tests.fakes.fixtures import openai_server, openai_service  # noqa: F401
from tests.fakes.http import http

from .conftest import decoded, photo_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def image_of(item):
    return decoded(base64.b64decode(item.b64_json))


def refused(call, param: str, user, balance: int = 10):
    with pytest.raises(openai.BadRequestError) as caught:
        call()
    assert caught.value.status_code == 400
    assert caught.value.body["param"] == param, caught.value.body
    assert caught.value.body["type"] == "invalid_request_error"
    assert credits_balance(user=user) == balance  # nothing charged
    return caught.value


@pytest.fixture
def upstream(settings, openai_server):  # noqa: F811
    """OpenAI itself (the fake, through the SDK) as the image provider behind AicePS."""
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = openai_server.base_url
    settings.AICEPS_OPENAI_IMAGE_MODEL = "gpt-image-2"
    return openai_server


def test_an_edit_answers_every_field_of_images_response(client, user):
    result = client.images.edit(image=photo_file(), prompt="黑白")
    assert result.created > 0
    [item] = result.data
    assert item.revised_prompt == "Professional prompt: 黑白"
    assert image_of(item).size == (320, 240)
    assert (result.background, result.output_format, result.size) == ("opaque", "png", "320x240")
    assert result.quality == "auto"
    usage = result.usage
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens == 10
    assert usage.input_tokens_details.text_tokens == 7
    assert usage.output_tokens_details.image_tokens == 3
    assert credits_balance(user=user) == 9


def test_several_images_under_image_and_image_brackets(client, asgi_server, token):
    client.images.edit(image=[photo_file(), photo_file(64, 48)], prompt="fuse them")
    # Raw forms: repeated "image[]" fields (LiteLLM's way), repeated "image" fields.
    parts = [("image[]", photo_file()), ("image[]", photo_file(100, 80))]
    body, content_type = _form([("prompt", "fuse"), *parts])
    answer = http(
        asgi_server.port,
        "POST",
        "/v1/images/edits",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    assert answer.status == 200, answer.body
    body, content_type = _form(
        [("prompt", "fuse"), ("image", photo_file()), ("image", photo_file())]
    )
    answer = http(
        asgi_server.port,
        "POST",
        "/v1/images/edits",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    assert answer.status == 200, answer.body
    assert [len(TaskFiles(t).inputs) for t in TaskHistory.objects.order_by("created_at")] == [2] * 3


def _form(fields) -> tuple[bytes, str]:
    boundary = "aicepsboundary"
    out = b""
    for name, value in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            filename, data, mime = value
            out += (
                (
                    f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {mime}\r\n\r\n"
                ).encode()
                + data
                + b"\r\n"
            )
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_mask_is_stored_and_reaches_the_provider(client, settings):
    # An edit with a mask is an inpaint: a provider that lists it runs it.
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.SloppyPrimitivesProvider"
    mask = ("mask.png", photo_file(320, 240)[1], "image/png")
    client.images.edit(image=photo_file(), mask=mask, prompt="remove it")
    task = TaskHistory.objects.get()
    assert TaskFiles(task).mask and task.task_type == "inpaint"


def test_n_images_cost_n_times_and_the_answer_agrees_with_the_ledger(client, user, settings):
    settings.AICEPS_TASK_COSTS = {"default": 2}
    raw = client.images.with_raw_response.generate(prompt="a green square", n=3)
    result = raw.parse()
    assert len(result.data) == 3
    assert raw.headers["x-aiceps-credits-charged"] == "6"
    assert int(raw.headers["x-aiceps-credits-remaining"]) == credits_balance(user=user) == 4
    refused(lambda: client.images.generate(prompt="x", n=11), "n", user, balance=4)
    refused(lambda: client.images.generate(prompt="x", n=5), "n", user, balance=4)  # max 4 here


def test_undelivered_images_are_refunded_once(client, user, settings):
    # A model that promises several images per task and delivers one.
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.OneImageProvider"
    raw = client.images.with_raw_response.edit(image=photo_file(), prompt="黑白", n=3)
    assert len(raw.parse().data) == 1
    assert raw.headers["x-aiceps-credits-charged"] == "1"
    assert credits_balance(user=user) == 9
    task = TaskHistory.objects.get()
    moves = CreditTransaction.objects.filter(task_id=task.pk).order_by("pk")
    assert [(m.kind, m.amount) for m in moves] == [("debit", -3), ("refund", 2)]
    assert task.credits_deducted == 1


def test_the_offline_editor_refuses_n_before_any_charge(client, user, settings):
    """As the README says: a model that makes one image refuses n=2 (nothing charged, no
    task); it is not accepted and then partly refunded."""
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    error = refused(
        lambda: client.images.edit(image=photo_file(), prompt="黑白", n=2),
        "n",
        user,
        credits_balance(user=user),
    )
    assert error.body["code"] == "invalid_n"
    assert "must be 1" in error.body["message"]
    assert not TaskHistory.objects.exists()
    docs = (Path(__file__).resolve().parents[4] / "docs" / "api.md").read_text()
    assert "1 for the offline editor" in docs


def test_size_is_made_exactly_or_refused(client, user):
    result = client.images.edit(image=photo_file(), prompt="黑白", size="256x256")
    assert image_of(result.data[0]).size == (256, 256) and result.size == "256x256"
    result = client.images.generate(prompt="a square", size="1536x1024")
    assert image_of(result.data[0]).size == (1536, 1024) and result.size == "1536x1024"
    result = client.images.edit(image=photo_file(), prompt="黑白", size="auto")
    assert result.size == "320x240"
    balance = credits_balance(user=user)
    refused(lambda: client.images.generate(prompt="x", size="big"), "size", user, balance)
    refused(lambda: client.images.generate(prompt="x", size="9000x9000"), "size", user, balance)


def test_quality_where_the_model_has_one(client, user, upstream):
    refused(lambda: client.images.generate(prompt="x", quality="high"), "quality", user)
    refused(lambda: client.images.generate(prompt="x", quality="ultra"), "quality", user)
    result = client.images.generate(prompt="x", quality="high", model="gpt-image-2")
    assert result.quality == "high"
    assert upstream.requests_to("generations")[-1].json["quality"] == "high"


def test_transparent_background_by_background_removal(client, user):
    result = client.images.edit(image=photo_file(), prompt="invert", background="transparent")
    picture = image_of(result.data[0])
    alpha = picture.convert("RGBA").getchannel("A")
    assert result.background == "transparent" and alpha.getextrema()[0] == 0
    assert alpha.getpixel((160, 150)) == 255  # the subject stays
    refused(
        lambda: client.images.edit(
            image=photo_file(), prompt="x", background="transparent", output_format="jpeg"
        ),
        "background",
        user,
        balance=9,
    )


def test_transparent_background_is_asked_upstream_where_it_is_native(client, upstream):
    client.images.edit(image=photo_file(), prompt="x", background="transparent", model="openai")
    assert upstream.requests_to("edits")[-1].field("background") == "transparent"


def test_output_format_and_compression(client, user):
    jpeg = client.images.edit(image=photo_file(), prompt="x", output_format="jpeg")
    assert base64.b64decode(jpeg.data[0].b64_json)[:3] == b"\xff\xd8\xff"
    assert jpeg.output_format == "jpeg"
    webp = client.images.edit(image=photo_file(), prompt="x", output_format="webp")
    assert base64.b64decode(webp.data[0].b64_json)[8:12] == b"WEBP"
    small, large = (
        client.images.edit(
            image=photo_file(), prompt="x", output_format="jpeg", output_compression=value
        )
        for value in (5, 100)
    )
    assert len(small.data[0].b64_json) < len(large.data[0].b64_json) / 2
    balance = credits_balance(user=user)
    refused(
        lambda: client.images.edit(image=photo_file(), prompt="x", output_compression=50),
        "output_compression",
        user,
        balance,
    )
    refused(
        lambda: client.images.edit(image=photo_file(), prompt="x", output_format="gif"),
        "output_format",
        user,
        balance,
    )


def test_input_fidelity_moderation_style_where_the_model_has_them(client, user, upstream):
    refused(
        lambda: client.images.edit(image=photo_file(), prompt="x", input_fidelity="high"),
        "input_fidelity",
        user,
    )
    refused(lambda: client.images.generate(prompt="x", moderation="low"), "moderation", user)
    refused(lambda: client.images.generate(prompt="x", style="vivid"), "style", user)
    client.images.edit(image=photo_file(), prompt="x", input_fidelity="high", model="openai")
    assert upstream.requests_to("edits")[-1].field("input_fidelity") == "high"
    client.images.generate(prompt="x", moderation="low", model="openai")
    assert upstream.requests_to("generations")[-1].json["moderation"] == "low"
    # low fidelity and auto moderation are what every model does anyway
    client.images.edit(image=photo_file(), prompt="x", input_fidelity="low")
    client.images.generate(prompt="x", moderation="auto")


def test_user_is_recorded_echoed_and_passed_upstream(client, upstream):
    result = client.images.generate(prompt="x", user="end-user-42")
    assert result.safety_identifier == "end-user-42"
    assert TaskHistory.objects.get().parameters["user"] == "end-user-42"
    client.images.generate(prompt="x", user="end-user-42", model="openai")
    assert upstream.requests_to("generations")[-1].json["user"] == "end-user-42"


def test_response_format_url(client):
    result = client.images.edit(image=photo_file(), prompt="x", response_format="url")
    download = requests.get(result.data[0].url, timeout=10)
    assert download.status_code == 200 and download.content.startswith(b"\x89PNG")


def test_unknown_and_unavailable_parameters_are_refused(client, user):
    refused(
        lambda: client.images.generate(prompt="x", extra_body={"colour": "red"}), "colour", user
    )
    refused(lambda: client.images.generate(prompt="x", extra_body={"svg": {}}), "svg", user)
    refused(
        lambda: client.images.edit(image=photo_file(), prompt="x", markup=photo_file()),
        "markup",
        user,
    )
    refused(lambda: client.images.generate(prompt=""), "prompt", user)
    refused(lambda: client.images.generate(prompt="x", partial_images=2), "partial_images", user)
