"""inpaint, expand and upscale through every entry point: ``/api/v1/tasks``, the seed endpoint,
``/v1/images/edits`` (the official ``openai`` client against AicePS served live; a mask means
inpaint), the CLI and the compose page. Pixels of the stored result, exact credits and ledger
rows, and refusals before any charge with the balance unchanged.

The image provider is ``SloppyPrimitivesProvider``: it answers every request with the whole
photo inverted at half size, so what comes back shows what the pipeline makes true."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import openai
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image, ImageDraw

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance, credits_ledger_sum
from generation.models import TaskHistory
from generation.services import task_run
from generation.storage import read_bytes
from tests.conftest import make_photo

SLOPPY = "tests.fakes.providers.SloppyPrimitivesProvider"
COSTS = {"default": 1, "inpaint": 2, "expand": 3, "upscale": 4}
BOX = (40, 30, 139, 119)  # the mask's white rectangle on the 320×240 photo


@pytest.fixture(autouse=True)
def _sloppy(settings):
    settings.AICEPS_IMAGE_PROVIDER = SLOPPY
    settings.AICEPS_TASK_COSTS = COSTS


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PHOTO = make_photo(320, 240, fmt="PNG")


def mask_bytes(size=(320, 240)) -> bytes:
    plane = Image.new("L", size, 0)
    ImageDraw.Draw(plane).rectangle(BOX, fill=255)
    return png_bytes(plane)


def upload(data: bytes, name="photo.png"):
    file = io.BytesIO(data)
    file.name = name
    return file


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def outside_kept(result: bytes) -> None:
    got, original = pixels(result), pixels(PHOTO)
    assert got.shape == original.shape
    inside = np.zeros(original.shape[:2], bool)
    inside[BOX[1] : BOX[3] + 1, BOX[0] : BOX[2] + 1] = True
    assert np.array_equal(got[~inside], original[~inside])
    assert np.abs(got[inside] - original[inside]).mean() > 30  # the provider's, inverted


def result_of(task_id) -> bytes:
    return read_bytes(TaskHistory.objects.get(pk=task_id).generated_image.name)


def charged(user, task_id, amount: int) -> None:
    rows = CreditTransaction.objects.filter(task_id=task_id)
    assert [row.amount for row in rows] == [-amount]
    assert credits_balance(user=user) == 10 - amount == credits_ledger_sum(user=user)


# --- /api/v1/tasks --------------------------------------------------------------------------


@pytest.mark.django_db
def test_tasks_api_inpaints_expands_and_upscales_with_exact_credits(api, user):
    body = api.post(
        "/api/v1/tasks",
        {"task_type": "inpaint", "image": upload(PHOTO), "mask": upload(mask_bytes(), "m.png")},
        format="multipart",
    ).json()
    assert TaskHistory.objects.get(pk=body["id"]).status == "completed", body
    outside_kept(result_of(body["id"]))
    charged(user, body["id"], 2)

    body = api.post(
        "/api/v1/tasks",
        {"task_type": "expand", "image": upload(PHOTO), "left": 40, "bottom": 20},
        format="multipart",
    ).json()
    assert body["parameters"] == {"left": 40, "top": 0, "right": 0, "bottom": 20}
    result = pixels(result_of(body["id"]))
    assert result.shape[:2] == (260, 360)
    assert np.array_equal(result[:240, 40:], pixels(PHOTO))
    assert credits_balance(user=user) == 5

    body = api.post(
        "/api/v1/tasks",
        {"task_type": "upscale", "image": upload(PHOTO), "scale": 4},
        format="multipart",
    ).json()
    with Image.open(io.BytesIO(result_of(body["id"]))) as image:
        assert image.size == (1280, 960)
    assert credits_balance(user=user) == 1 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_tasks_api_expands_to_an_aspect_ratio(api, user):
    body = api.post(
        "/api/v1/tasks",
        {"task_type": "expand", "image": upload(PHOTO), "aspect_ratio": "16:9"},
        format="multipart",
    ).json()
    result = pixels(result_of(body["id"]))
    assert result.shape[:2] == (240, 427)
    assert abs(427 / 240 - 16 / 9) < 0.005
    assert np.array_equal(result[:, 53:373], pixels(PHOTO))
    charged(user, body["id"], 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"task_type": "inpaint"}, "mask_required"),
        ({"task_type": "inpaint", "mask": "small"}, "mask_size_mismatch"),
        ({"task_type": "upscale", "scale": 3}, "invalid_scale"),
        ({"task_type": "upscale", "scale": 4, "image": "wide"}, "upscale_too_large"),
        ({"task_type": "expand"}, "missing_padding"),
        ({"task_type": "expand", "top": 5000}, "invalid_padding"),
    ],
)
def test_tasks_api_refuses_before_charging(api, user, fields, code):
    fields = dict(fields)
    image = make_photo(2100, 50, fmt="PNG") if fields.pop("image", "") == "wide" else PHOTO
    fields["image"] = upload(image)
    if fields.get("mask") == "small":
        fields["mask"] = upload(mask_bytes((160, 120)), "m.png")
    response = api.post("/api/v1/tasks", fields, format="multipart")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)
    assert not TaskHistory.objects.exists()


@pytest.mark.django_db
def test_offline_refuses_a_busy_expansion_before_charging(api, user, settings):
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    response = api.post(
        "/api/v1/tasks",
        {"task_type": "expand", "image": upload(PHOTO), "aspect_ratio": "16:9"},
        format="multipart",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unsupported_task" and "OpenAI" in error["message"]
    assert credits_balance(user=user) == 10 and not TaskHistory.objects.exists()


# --- the seed endpoint ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_seed_endpoint_takes_the_primitives(token, user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    answer = client.post(
        "/api/custom-image-generation",
        {"image": upload(PHOTO), "prompt": "", "task_type": "upscale", "scale": 2},
        format="multipart",
    )
    assert answer.status_code == 200, answer.json()
    with Image.open(io.BytesIO(result_of(answer.json()["task_id"]))) as image:
        assert image.size == (640, 480)
    charged(user, answer.json()["task_id"], 4)
    answer = client.post(
        "/api/custom-image-generation",
        {
            "image": upload(PHOTO),
            "prompt": "remove it",
            "task_type": "inpaint",
            "mask": upload(mask_bytes(), "m.png"),
        },
        format="multipart",
    )
    assert answer.status_code == 200, answer.json()
    outside_kept(result_of(answer.json()["task_id"]))
    assert credits_balance(user=user) == 4 == credits_ledger_sum(user=user)
    refused = client.post(
        "/api/custom-image-generation",
        {"image": upload(PHOTO), "prompt": "", "task_type": "upscale", "scale": 3},
        format="multipart",
    )
    assert refused.status_code == 400 and credits_balance(user=user) == 4


# --- /v1/images/edits, with the official client -------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_openai_client_edit_with_a_mask_is_an_inpaint(asgi_server, token, user):
    client = openai.OpenAI(base_url=f"{asgi_server.url}/v1", api_key=token, max_retries=0)
    result = client.images.edit(
        image=("photo.png", PHOTO, "image/png"),
        mask=("mask.png", mask_bytes(), "image/png"),
        prompt="remove the subject",
    )
    outside_kept(base64.b64decode(result.data[0].b64_json))
    task = TaskHistory.objects.get()
    assert (task.task_type, task.source) == ("inpaint", "openai")
    assert task.parameters["mask_alpha"] == "edit"
    charged(user, task.pk, 2)

    # OpenAI's own convention: an RGBA mask, transparent where the photo may change.
    theirs = Image.new("RGBA", (320, 240), (0, 0, 0, 255))
    ImageDraw.Draw(theirs).rectangle(BOX, fill=(0, 0, 0, 0))
    result = client.images.edit(
        image=("photo.png", PHOTO, "image/png"),
        mask=("mask.png", png_bytes(theirs), "image/png"),
        prompt="remove the subject",
    )
    outside_kept(base64.b64decode(result.data[0].b64_json))
    assert credits_balance(user=user) == 6

    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            image=("photo.png", PHOTO, "image/png"),
            mask=("mask.png", mask_bytes((160, 120)), "image/png"),
            prompt="remove the subject",
        )
    assert caught.value.body["param"] == "mask"
    assert caught.value.body["code"] == "mask_size_mismatch"
    assert credits_balance(user=user) == 6 and TaskHistory.objects.count() == 2


# --- the CLI ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cli_runs_the_primitives(capsys, tmp_path, user, settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    photo, mask = tmp_path / "photo.png", tmp_path / "mask.png"
    photo.write_bytes(PHOTO)
    mask.write_bytes(mask_bytes())
    out = str(tmp_path / "out")

    def generate(*args):
        call_command("generate", "--image", str(photo), "--output-dir", out, *args)
        return json.loads(capsys.readouterr().out)

    body = generate("--task-type", "upscale", "--scale", "4", "--user-id", str(user.pk))
    assert Image.open(body["output_path"]).size == (1280, 960)
    assert credits_balance(user=user) == 6 == body["credits_remaining"]
    body = generate("--task-type", "inpaint", "--mask", str(mask))
    outside_kept(Path(body["output_path"]).read_bytes())
    body = generate("--task-type", "expand", "--left", "10", "--top", "20")
    assert Image.open(body["output_path"]).size == (330, 260)
    with pytest.raises(SystemExit):
        generate("--task-type", "upscale", "--scale", "3", "--user-id", str(user.pk))
    assert json.loads(capsys.readouterr().out)["error_code"] == "invalid_scale"
    assert credits_balance(user=user) == 6 == credits_ledger_sum(user=user)


# --- the compose page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_compose_page_offers_and_submits_the_primitives(client, user):
    client.force_login(user)
    html = client.get(reverse("web:new")).content.decode()
    assert 'value="upscale"' in html and 'name="scale"' in html and 'name="mask"' in html
    assert 'id="id_left"' in html

    def submit(**fields):
        data = {
            "images": SimpleUploadedFile("p.png", PHOTO, content_type="image/png"),
            "prompt": "",
            **fields,
        }
        return client.post(reverse("web:new"), data)

    response = submit(task_type="upscale", scale="4")
    assert response.status_code == 302
    task = task_run(task_id=TaskHistory.objects.get().pk)
    with Image.open(io.BytesIO(read_bytes(task.generated_image.name))) as image:
        assert image.size == (1280, 960)
    response = submit(
        task_type="inpaint", mask=SimpleUploadedFile("m.png", mask_bytes(), "image/png")
    )
    assert response.status_code == 302
    task = task_run(task_id=TaskHistory.objects.latest("created_at").pk)
    outside_kept(read_bytes(task.generated_image.name))
    response = submit(task_type="expand", aspect_ratio="1:1", right="30")  # sides win
    task = task_run(task_id=TaskHistory.objects.latest("created_at").pk)
    assert (task.aspect_ratio, task.parameters["right"]) == ("", 30)
    assert credits_balance(user=user) == 10 - 4 - 2 - 3 == credits_ledger_sum(user=user)

    response = submit(task_type="inpaint")
    assert response.status_code == 400 and "mask" in response.content.decode()
    assert TaskHistory.objects.count() == 3 and credits_balance(user=user) == 1
