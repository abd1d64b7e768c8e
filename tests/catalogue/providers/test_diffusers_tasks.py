"""Local-model tasks as a worker runs them (``task_create`` then ``task_run``) and through
``POST /api/v1/tasks``: an inpaint task on a tiny SD inpainting model charges its price once,
changes only what the mask covers and records what the text encoder read; a task type the
model folder cannot do is refused before anything is charged.

Expand (the inpainting model on a padded canvas) and upscale (the SD x4 upscaler) run the
same way through ``POST /api/v1/tasks``, and ``/v1/images/edits`` with a mask is an inpaint,
each with its price charged once.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw

from accounts.selectors import credits_balance
from catalogue.imaging import inspect_upload
from core.errors import DomainError
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, task_run
from generation.services.task_inputs import pipeline_input
from generation.storage import read_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.local_models, pytest.mark.slow]


@pytest.fixture(scope="module")
def inpainting_model(tmp_path_factory):
    torch = pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from tests.fakes.tiny_diffusers import save_tiny_sd_inpainting

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny-tasks")
    yield save_tiny_sd_inpainting(root / "tiny-sd-inpainting", root / "_tok")
    torch.set_num_threads(threads)


@pytest.fixture
def local(settings, inpainting_model):
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "diffusers"
    settings.AICEPS_DIFFUSERS_MODEL = str(inpainting_model)
    settings.AICEPS_DIFFUSERS_DEVICE = "cpu"
    settings.AICEPS_DIFFUSERS_STEPS = 2
    settings.AICEPS_DIFFUSERS_SEED = 1
    settings.AICEPS_TASK_COSTS = {"default": 1, "inpaint": 3}
    return settings


def png(im: Image.Image) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, format="PNG")
    return buffer.getvalue()


def photo(size=(64, 48)) -> Image.Image:
    im = Image.new("RGB", size)
    px = im.load()
    for x in range(size[0]):
        for y in range(size[1]):
            px[x, y] = (x * 4 % 256, y * 5 % 256, (x + y) * 3 % 256)
    return im


def test_an_inpaint_task_changes_only_the_masked_area_and_charges_once(local, user):
    image = photo()
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rectangle((8, 8, 40, 30), fill=255)
    before = credits_balance(user=user)
    data = TaskInput(
        prompt="把这里换成一块红色的砖墙",
        task_type="inpaint",
        images=(inspect_upload(png(image)),),
        mask=inspect_upload(png(mask)),
    )
    task = task_run(task_id=task_create(user=user, data=data, enqueue=False).task.pk)

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert task.image_provider == "diffusers"
    assert task.model_version == "tiny-sd-inpainting (StableDiffusionInpaintPipeline)"
    assert task.credits_deducted == 3 and credits_balance(user=user) == before - 3
    with Image.open(io.BytesIO(read_bytes(task.generated_image.name))) as out:
        out = out.convert("RGB")
    assert out.size == image.size
    # Models receive the photo as prepared for them (a JPEG at quality 92): outside the mask
    # the result is exactly that. (Pasting the uploaded original's own pixels back is the
    # task pipeline's final composite, on the primitives branch.)
    given = pipeline_input(task).images[0]
    with Image.open(io.BytesIO(given.data)) as prepared:
        prepared = prepared.convert("RGB")
    diff = ImageChops.difference(out, prepared).convert("L")
    outside = Image.eval(mask, lambda v: 255 - v)
    assert ImageChops.multiply(diff, outside).getbbox() is None  # untouched outside the mask
    assert ImageChops.multiply(diff, mask).getbbox() is not None
    (read,) = task.extra_files["model_prompt"].values()
    assert read and "砖" not in read  # the CLIP encoder got English, never the raw Chinese


@pytest.fixture
def api(user, django_capture_on_commit_callbacks):
    from rest_framework.authtoken.models import Token

    from tests.generation.api.conftest import RunningClient

    client = RunningClient()
    client.capture = staticmethod(django_capture_on_commit_callbacks)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    return client


def upload(data: bytes, name: str):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_an_inpaint_task_through_the_api(local, api, user):
    image = photo()
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).ellipse((20, 10, 50, 40), fill=255)
    before = credits_balance(user=user)
    response = api.post(
        "/api/v1/tasks",
        {
            "image": upload(png(image), "photo.png"),
            "mask": upload(png(mask), "mask.png"),
            "task_type": "inpaint",
            "prompt": "a red brick wall",
        },
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    detail = api.get(f"/api/v1/tasks/{response.json()['id']}").json()
    assert detail["status"] == "completed", detail
    assert detail["task_type"] == "inpaint"
    assert credits_balance(user=user) == before - 3
    task = TaskHistory.objects.get(pk=response.json()["id"])
    assert task.model_version == "tiny-sd-inpainting (StableDiffusionInpaintPipeline)"
    (read,) = task.extra_files["model_prompt"].values()
    assert read.startswith("a red brick wall")


def test_a_task_type_the_folder_cannot_do_is_refused_before_any_charge(local, user):
    before = credits_balance(user=user)
    data = TaskInput(
        prompt="a lighthouse at dusk", task_type="text_to_image", images=(), parameters={}
    )
    with pytest.raises(DomainError) as caught:
        task_create(user=user, data=data, enqueue=False)
    assert caught.value.status in (400, 422)
    assert credits_balance(user=user) == before
    assert not TaskHistory.objects.filter(user=user).exists()


def test_an_expand_task_through_the_api(local, api, user):
    image = photo()  # 64 x 48 (4:3)
    before = credits_balance(user=user)
    response = api.post(
        "/api/v1/tasks",
        {"image": upload(png(image), "photo.png"), "task_type": "expand", "aspect_ratio": "16:9"},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    task = TaskHistory.objects.get(pk=response.json()["id"])
    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert task.model_version == "tiny-sd-inpainting (StableDiffusionInpaintPipeline)"
    assert credits_balance(user=user) == before - 1
    with Image.open(io.BytesIO(read_bytes(task.generated_image.name))) as out:
        out = out.convert("RGB")
    assert out.height == image.height and abs(out.width / out.height - 16 / 9) < 0.03
    left = (out.width - image.width) // 2
    placed = out.crop((left, 0, left + image.width, image.height))
    assert ImageChops.difference(placed, image).getbbox() is None  # the photo, in place


def test_an_upscale_task_through_the_api(settings, api, user, tmp_path):
    pytest.importorskip("diffusers")
    from tests.fakes.tiny_diffusers import save_tiny_upscaler

    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "diffusers"
    settings.AICEPS_DIFFUSERS_MODEL = str(save_tiny_upscaler(tmp_path / "up", tmp_path / "tok"))
    settings.AICEPS_DIFFUSERS_DEVICE = "cpu"
    settings.AICEPS_DIFFUSERS_STEPS = 2
    settings.AICEPS_TASK_COSTS = {"default": 1, "upscale": 2}
    image = photo((32, 24))
    before = credits_balance(user=user)
    response = api.post(
        "/api/v1/tasks",
        {"image": upload(png(image), "photo.png"), "task_type": "upscale", "scale": 4},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    task = TaskHistory.objects.get(pk=response.json()["id"])
    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert "StableDiffusionUpscalePipeline" in task.model_version
    assert credits_balance(user=user) == before - 2
    with Image.open(io.BytesIO(read_bytes(task.generated_image.name))) as out:
        assert out.size == (128, 96)


@pytest.mark.django_db(transaction=True)
def test_an_openai_edit_with_a_mask_is_a_local_inpaint(local, asgi_server, user):
    import openai
    from rest_framework.authtoken.models import Token

    image = photo()
    theirs = Image.new("RGBA", image.size, (0, 0, 0, 255))  # OpenAI's: transparent = change
    ImageDraw.Draw(theirs).rectangle((8, 8, 40, 30), fill=(0, 0, 0, 0))
    before = credits_balance(user=user)
    client = openai.OpenAI(
        base_url=f"{asgi_server.url}/v1",
        api_key=Token.objects.create(user=user).key,
        max_retries=0,
    )
    answer = client.images.with_raw_response.edit(
        image=("photo.png", png(image), "image/png"),
        mask=("mask.png", png(theirs), "image/png"),
        prompt="a red brick wall",
    )
    task = TaskHistory.objects.get(pk=answer.headers["X-AicePS-Task-Id"])
    assert (task.task_type, task.image_provider) == ("inpaint", "diffusers")
    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert answer.headers["X-AicePS-Credits-Charged"] == "3"
    assert credits_balance(user=user) == before - 3
    assert answer.parse().data[0].b64_json
