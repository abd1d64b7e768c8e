"""The editing primitives (inpaint, expand, upscale): their rules before any charge, the one
padding resolution, which providers may offer them, and the offline editor's side, checked on
the result's pixels through ``task_create`` and the worker."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue import primitives
from catalogue.imaging import inspect_upload
from catalogue.primitive_rules import resolve_padding
from catalogue.providers.base import (
    Capabilities,
    GeneratedImage,
    ImageRequest,
    ImageResult,
    InputImage,
    ProviderError,
    TaskType,
)
from catalogue.providers.registry import chain_capabilities, provider_class
from catalogue.task_types import provider_can
from core.errors import ValidationError
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, task_run
from generation.storage import read_bytes
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db
OFFLINE = "offline"


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def photo(width=320, height=240) -> bytes:
    return make_photo(width, height, fmt="PNG")


def plain_photo(width=240, height=240) -> bytes:
    """A studio shot: a flat backdrop with a subject in the middle (a border to extend)."""
    image = Image.new("RGB", (width, height), (200, 205, 210))
    ImageDraw.Draw(image).ellipse(
        (width * 0.3, height * 0.25, width * 0.7, height * 0.8), fill=(160, 60, 40)
    )
    return png(image)


def busy_photo(width=240, height=240) -> bytes:
    rng = np.random.default_rng(3)
    return png(Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)))


def mask_of(width, height, box) -> bytes:
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rectangle(box, fill=255)
    return png(mask)


def create(user, task_type, image, *, mask=None, provider=OFFLINE, **fields):
    aspect_ratio = fields.pop("aspect_ratio", "")
    return task_create(
        user=user,
        data=TaskInput(
            prompt=fields.pop("prompt", ""),
            task_type=task_type,
            images=(inspect_upload(image),),
            mask=inspect_upload(mask) if mask else None,
            aspect_ratio=aspect_ratio,
            parameters=fields,
            image_provider=provider,
        ),
        enqueue=False,
        trusted=True,
    ).task


def run(task: TaskHistory) -> TaskHistory:
    task = task_run(task_id=task.pk)
    assert task.status == TaskHistory.Status.COMPLETED, (task.error_code, task.error_message)
    return task


def refused(user, code, *args, **kwargs):
    before = credits_balance(user=user)
    with pytest.raises((ValidationError, ProviderError)) as caught:
        create(user, *args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert credits_balance(user=user) == before == credits_ledger_sum(user=user)
    assert not TaskHistory.objects.filter(user=user).exists()
    return caught.value


# --- rules, before anything is charged -------------------------------------------------------


def test_inpaint_needs_a_mask_of_the_photos_size(user):
    refused(user, "mask_required", "inpaint", photo())
    error = refused(
        user, "mask_size_mismatch", "inpaint", photo(), mask=mask_of(160, 120, (0, 0, 9, 9))
    )
    assert error.status == 400 and "320×240" in error.message


def test_upscale_takes_scale_2_or_4_and_results_up_to_8192(user):
    refused(user, "invalid_scale", "upscale", photo(), scale=3)
    error = refused(user, "upscale_too_large", "upscale", photo(4100, 60), scale=2)
    assert "8,200" in error.message
    refused(user, "upscale_too_large", "upscale", photo(2100, 60), scale=4)
    refused(user, "invalid_scale", "edit", photo(), prompt="黑白", scale=2)


def test_expand_takes_a_ratio_or_pixels_per_side(user):
    refused(user, "missing_padding", "expand", plain_photo())
    refused(user, "invalid_padding", "expand", plain_photo(), aspect_ratio="16:9", left=10)
    refused(user, "invalid_padding", "expand", plain_photo(), left=0, right=0)
    refused(user, "invalid_padding", "expand", plain_photo(), left=2049)
    refused(user, "invalid_padding", "expand", plain_photo(), aspect_ratio="1:1")  # already


def test_padding_is_resolved_in_one_place():
    assert resolve_padding(width=200, height=100, aspect_ratio="1:1") == (0, 50, 0, 50)
    assert resolve_padding(width=100, height=100, aspect_ratio="16:9") == (39, 0, 39, 0)
    assert resolve_padding(width=101, height=100, aspect_ratio="16:9") == (38, 0, 39, 0)
    # pixels per side of the upload, in pixels of a copy half its width
    assert resolve_padding(width=500, height=250, sides=(100, 0, 41, 10), source_width=1000) == (
        50,
        0,
        20,
        5,
    )


def test_only_providers_that_list_the_primitives_are_offered_them():
    assert not provider_can(Capabilities(edit=True, mask=True), "inpaint")  # None: not these
    assert provider_can(Capabilities(edit=True, mask=True), "edit")
    openai = provider_class("openai").configured_capabilities()
    gemini = provider_class("gemini").configured_capabilities()
    offline = provider_class("offline").configured_capabilities()
    midjourney = provider_class("midjourney").configured_capabilities()
    assert [provider_can(openai, t) for t in ("inpaint", "expand", "upscale")] == [1, 1, 0]
    assert [provider_can(gemini, t) for t in ("inpaint", "expand", "upscale")] == [1, 1, 0]
    assert [provider_can(offline, t) for t in ("inpaint", "expand", "upscale")] == [1, 1, 1]
    assert not any(provider_can(midjourney, t) for t in ("inpaint", "expand", "upscale"))
    chain = chain_capabilities(["openai", "offline"])
    assert provider_can(chain, "upscale") and provider_can(chain, "edit")


def test_offline_refuses_words_beyond_the_primitive_before_charging(user):
    error = refused(user, "unsupported_instruction", "upscale", photo(), prompt="add a red hat")
    assert "Leave the instruction empty" in error.message
    error = refused(
        user, "unsupported_instruction", "expand", plain_photo(), left=9, prompt="加一个人"
    )
    assert "OpenAI" in error.message and "Gemini" in error.message
    mask = mask_of(320, 240, (10, 10, 60, 60))
    refused(user, "unsupported_instruction", "inpaint", photo(), mask=mask, prompt="add a red hat")


# --- the offline editor, on the result's pixels ----------------------------------------------


def test_offline_inpaint_changes_only_the_inside_of_the_mask(user):
    image = photo()
    box = (120, 50, 200, 200)
    task = run(create(user, "inpaint", image, mask=mask_of(320, 240, box)))
    before, after = pixels(image), pixels(read_bytes(task.generated_image.name))
    assert after.shape == before.shape
    inside = np.zeros(before.shape[:2], bool)
    inside[box[1] : box[3] + 1, box[0] : box[2] + 1] = True
    assert np.array_equal(after[~inside], before[~inside])
    assert np.abs(after[inside] - before[inside]).mean() > 10  # the subject was erased
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)


def test_offline_inpaint_with_words_edits_under_the_mask(user):
    image = photo()
    box = (0, 0, 100, 100)
    task = run(create(user, "inpaint", image, mask=mask_of(320, 240, box), prompt="黑白"))
    before, after = pixels(image), pixels(read_bytes(task.generated_image.name))
    inside = np.zeros(before.shape[:2], bool)
    inside[: box[3] + 1, : box[2] + 1] = True
    assert np.array_equal(after[~inside], before[~inside])
    grey = after[20:80, 20:80]
    assert np.abs(grey[..., 0] - grey[..., 2]).max() <= 2  # black and white inside


def test_offline_upscale_makes_the_exact_size_beyond_the_model_input_cap(user, settings):
    settings.AICEPS_TASK_COSTS = {"default": 1, "upscale": 3}
    task = run(create(user, "upscale", photo(4000, 40), scale=2))
    with Image.open(io.BytesIO(read_bytes(task.generated_image.name))) as result:
        assert result.size == (8000, 80)  # not capped at 2,048 px
    assert task.credits_deducted == 3
    assert credits_balance(user=user) == 7 == credits_ledger_sum(user=user)
    task = run(create(user, "upscale", photo(200, 150), scale=4))
    with Image.open(io.BytesIO(read_bytes(task.generated_image.name))) as result:
        assert result.size == (800, 600)


def test_offline_expand_extends_a_plain_border_with_the_photo_in_place(user):
    image = plain_photo(240, 240)
    task = run(create(user, "expand", image, aspect_ratio="16:9"))
    after = pixels(read_bytes(task.generated_image.name))
    assert after.shape[:2] == (240, 427)
    left = (427 - 240) // 2
    assert np.array_equal(after[:, left : left + 240], pixels(image))
    assert np.abs(after[:, :left] - np.array([200, 205, 210])).max() <= 3  # the backdrop

    task = run(create(user, "expand", image, top=30, right=50))
    after = pixels(read_bytes(task.generated_image.name))
    assert after.shape[:2] == (270, 290)
    assert np.array_equal(after[30:, :240], pixels(image))


def test_offline_expand_of_a_busy_border_is_refused_before_charging(user):
    error = refused(user, "unsupported_task", "expand", busy_photo(), aspect_ratio="16:9")
    assert "left and right" in error.message and "OpenAI" in error.message
    assert error.status == 422


# --- the pipeline's promise, whatever the provider answers -----------------------------------


def _input(data: bytes) -> InputImage:
    with Image.open(io.BytesIO(data)) as opened:
        return InputImage(data, "image/png", opened.width, opened.height)


def _sloppy(request: ImageRequest) -> ImageResult:
    wrong = Image.new("RGB", (50, 30), (0, 255, 0))
    return ImageResult(images=(GeneratedImage(png(wrong), "image/png"),), model="sloppy")


def test_enforce_keeps_each_primitives_promise():
    image = _input(photo())
    mask = _input(mask_of(320, 240, (10, 10, 99, 59)))
    request = ImageRequest(prompt="p", instruction="", task_type=TaskType.INPAINT, images=(image,))
    result = primitives.enforce(
        ImageRequest(**{**request.__dict__, "mask": mask}), _sloppy(request)
    )
    out = pixels(result.images[0].data)
    inside = np.zeros((240, 320), bool)
    inside[10:60, 10:100] = True
    assert np.array_equal(out[~inside], pixels(image.data)[~inside])
    assert (out[inside] == [0, 255, 0]).all()

    expand = ImageRequest(
        prompt="p", instruction="", task_type=TaskType.EXPAND, images=(image,), padding=(5, 6, 7, 8)
    )
    out = pixels(primitives.enforce(expand, _sloppy(expand)).images[0].data)
    assert out.shape[:2] == (254, 332)
    assert np.array_equal(out[6:246, 5:325], pixels(image.data))

    upscale = ImageRequest(
        prompt="p", instruction="", task_type=TaskType.UPSCALE, images=(image,), scale=4
    )
    with Image.open(io.BytesIO(primitives.enforce(upscale, _sloppy(upscale)).images[0].data)) as im:
        assert im.size == (1280, 960)


def test_models_without_a_mask_input_are_shown_the_area():
    image = _input(photo())
    mask = _input(mask_of(320, 240, (0, 0, 9, 9)))
    request = ImageRequest(
        prompt="remove it", instruction="", task_type=TaskType.INPAINT, images=(image,), mask=mask
    )
    shown = primitives.for_unmasked_model(request)
    assert shown.mask is None and len(shown.images) == 2 and shown.prompt.endswith("remove it")
    marked = pixels(shown.images[1].data)
    assert marked[5, 5, 1] < marked[5, 5, 0] and np.array_equal(
        marked[100:, 100:], pixels(image.data)[100:, 100:]
    )
    canvas = primitives.for_masked_model(
        ImageRequest(
            prompt="p",
            instruction="",
            task_type=TaskType.EXPAND,
            images=(image,),
            padding=(10, 0, 0, 0),
        )
    )
    with Image.open(io.BytesIO(canvas.images[0].data)) as opened:
        assert opened.size == (330, 240) and opened.getpixel((3, 3))[3] == 0  # transparent
    with Image.open(io.BytesIO(canvas.mask.data)) as opened:
        assert opened.getpixel((3, 3)) == 255 and opened.getpixel((20, 3)) == 0
