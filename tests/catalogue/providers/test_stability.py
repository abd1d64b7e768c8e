"""The Stability AI provider against a local server speaking Stability's v2beta wire protocol
(``tests.fakes.stability_server``): what it sends, then whole tasks through the real task
flow (``task_create`` then ``task_run``): the stored pixels, the credits, the refunds."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw

from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.imaging import inspect_upload
from catalogue.providers.base import ImageRequest, ProviderError, TaskType
from catalogue.providers.stability import StabilityImageProvider
from core.errors import DomainError
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, task_run
from generation.storage import read_bytes
from tests.fakes.stability_server import StabilityFakeServer

KEY = "sk-stability-test"
GREEN = (46, 139, 87)
ECHO = "tests.fakes.providers.EchoPromptWriter"


@pytest.fixture(scope="module")
def stability_service():
    with StabilityFakeServer(api_key=KEY, color=GREEN) as server:
        yield server


@pytest.fixture
def server(stability_service):
    stability_service.reset()
    yield stability_service
    stability_service.reset()


@pytest.fixture
def stability(settings, server):
    settings.STABILITY_API_KEY = KEY
    settings.STABILITY_BASE_URL = server.url + "/"
    settings.AICEPS_IMAGE_PROVIDER = "stability"
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_TASK_COSTS = {"default": 1, "stability": 3}
    return server


def photo(size=(160, 120)) -> bytes:
    image = Image.new("RGB", size)
    pixels = image.load()
    for x in range(size[0]):
        for y in range(size[1]):
            pixels[x, y] = (x * 3 % 256, y * 4 % 256, (x + y) % 256)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def run(user, **fields) -> TaskHistory:
    task = task_create(user=user, data=TaskInput(**fields), enqueue=False).task
    return task_run(task_id=task.pk)


# --- The provider alone -----------------------------------------------------------------


def provider(server, **options) -> StabilityImageProvider:
    return StabilityImageProvider(api_key=KEY, base_url=server.url, timeout=5, **options)


def test_text_to_image_posts_a_multipart_form_with_the_key(server):
    result = provider(server).generate(
        ImageRequest(
            prompt="a lighthouse at dusk",
            instruction="灯塔",
            task_type=TaskType.TEXT_TO_IMAGE,
            aspect_ratio="4:3",
        )
    )

    [sent] = server.requests
    assert sent.path == "/v2beta/stable-image/generate/core"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.form == {
        "prompt": ["a lighthouse at dusk"],
        "aspect_ratio": ["5:4"],  # Stability has no 4:3: the nearest it has
        "output_format": ["png"],
    }
    [image] = result.images
    made = opened(image.data)
    assert image.mime_type == "image/png" and made.size == (96, 77)
    assert made.convert("RGB").getpixel((10, 10)) == GREEN
    assert result.model == "stability:core"


def test_an_sd3_model_goes_to_the_sd3_route_with_its_name(server):
    provider(server, model="sd3.5-large-turbo").generate(
        ImageRequest(prompt="a fox", instruction="a fox", task_type=TaskType.TEXT_TO_IMAGE)
    )

    [sent] = server.requests
    assert sent.path == "/v2beta/stable-image/generate/sd3"
    assert sent.field("model") == "sd3.5-large-turbo" and sent.field("mode") == "text-to-image"


def test_the_output_filter_and_a_wrong_key_are_permanent_failures(server):
    request = ImageRequest(prompt="a gory scene", instruction="x", task_type="text_to_image")
    with pytest.raises(ProviderError) as caught:
        provider(server).generate(request)
    assert caught.value.code == "content_blocked" and caught.value.permanent

    wrong = StabilityImageProvider(api_key="nope", base_url=server.url, timeout=5)
    with pytest.raises(ProviderError) as caught:
        wrong.generate(ImageRequest(prompt="a fox", instruction="x", task_type="text_to_image"))
    assert caught.value.code == "invalid_configuration" and caught.value.status == 503
    assert "STABILITY_API_KEY" in caught.value.detail and "unauthorized" in caught.value.detail


def test_a_rate_limit_is_transient_and_says_when_to_come_back(server):
    server.enqueue(
        "core",
        429,
        {"id": "x", "name": "rate_limit_exceeded", "errors": ["You have exceeded the rate limit"]},
        headers={"Retry-After": "7"},
    )
    with pytest.raises(ProviderError) as caught:
        provider(server).generate(
            ImageRequest(prompt="a fox", instruction="x", task_type="text_to_image")
        )
    assert not caught.value.permanent and caught.value.retry_after == 7
    assert "rate_limit_exceeded" in caught.value.message


# --- Whole tasks ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_text_to_image_task_stores_the_image_and_charges_the_price(stability, user):
    task = run(user, prompt="a lighthouse at dusk", task_type="text_to_image", aspect_ratio="16:9")

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert task.image_provider == "stability" and task.model_version == "stability:core"
    stored = opened(read_bytes(task.generated_image.name)).convert("RGB")
    assert stored.size == (96, 54) and stored.getpixel((40, 20)) == GREEN
    assert stability.requests_to("core")[0].field("aspect_ratio") == "16:9"
    assert task.credits_deducted == 3
    assert credits_balance(user=user) == 10 - 3 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_an_inpaint_task_changes_only_the_masked_area(stability, user):
    mask = Image.new("L", (160, 120), 0)
    ImageDraw.Draw(mask).rectangle((40, 30, 99, 89), fill=255)
    upload = inspect_upload(photo())

    task = run(
        user,
        prompt="a red brick wall",
        task_type="inpaint",
        images=(upload,),
        mask=inspect_upload(png(mask)),
    )

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    [sent] = stability.requests_to("inpaint")
    sent_mask = stability.sent_image(sent, "mask")
    assert sent_mask.mode == "L" and sent_mask.size == (160, 120)
    assert sent_mask.getpixel((50, 40)) == 255 and sent_mask.getpixel((5, 5)) == 0
    stored = opened(read_bytes(task.generated_image.name)).convert("RGB")
    assert stored.size == (160, 120)
    changed = (
        ImageChops.difference(stored, opened(photo()).convert("RGB"))
        .convert("L")
        .point(lambda v: 255 * (v > 8))
    )
    assert changed.getbbox() == (40, 30, 100, 90)  # the masked rectangle, nothing else
    assert stored.getpixel((70, 60)) == GREEN
    assert credits_balance(user=user) == 10 - 3 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_an_expand_task_sends_the_sides_and_keeps_the_photo_in_place(stability, user):
    task = run(
        user,
        prompt="more beach",
        task_type="expand",
        images=(inspect_upload(photo()),),
        parameters={"left": 20, "right": 30, "bottom": 10},
    )

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    [sent] = stability.requests_to("outpaint")
    sides = {name: sent.field(name) for name in ("left", "right", "up", "down")}
    assert sides == {"left": "20", "right": "30", "up": "0", "down": "10"}
    stored = opened(read_bytes(task.generated_image.name)).convert("RGB")
    assert stored.size == (160 + 50, 120 + 10)
    assert stored.getpixel((5, 60)) == GREEN and stored.getpixel((200, 60)) == GREEN


@pytest.mark.django_db
def test_a_removed_background_is_stored_transparent(stability, user):
    task = run(user, prompt="", task_type="remove_background", images=(inspect_upload(photo()),))

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    [sent] = stability.requests_to("remove_background")
    assert "prompt" not in sent.form and sent.field("output_format") == "png"
    stored = opened(read_bytes(task.generated_image.name))
    assert stored.mode == "RGBA"
    assert stored.getpixel((2, 2))[3] == 0 and stored.getpixel((80, 60))[3] == 255


@pytest.mark.django_db
def test_a_refused_request_fails_the_task_and_refunds_it(stability, user):
    stability.enqueue(
        "core",
        400,
        {"id": "e1", "name": "bad_request", "errors": ["prompt: too long"]},
    )

    task = run(user, prompt="a lighthouse at dusk", task_type="text_to_image")

    assert task.status == TaskHistory.Status.FAILED
    assert task.error_code == "invalid_request" and "prompt: too long" in task.error_detail
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_moderation_fails_the_task_and_refunds_it(stability, user):
    task = run(user, prompt="something forbidden", task_type="text_to_image")

    assert task.status == TaskHistory.Status.FAILED and task.error_code == "content_blocked"
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_a_server_error_is_retried_and_charged_once(stability, user):
    stability.enqueue("core", 500, {"id": "e2", "name": "internal_error", "errors": ["oops"]})

    task = run(user, prompt="a lighthouse at dusk", task_type="text_to_image")

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert len(stability.requests_to("core")) == 2
    assert credits_balance(user=user) == 10 - 3 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_a_task_type_it_does_not_declare_is_refused_before_any_charge(stability, user):
    data = TaskInput(
        prompt="in Van Gogh's style", task_type="style", images=(inspect_upload(photo()),)
    )
    with pytest.raises(DomainError) as caught:
        task_create(user=user, data=data, enqueue=False)

    assert caught.value.status in (400, 422) and "Stability" not in caught.value.message
    assert credits_balance(user=user) == 10 and stability.requests == []


@pytest.mark.django_db
def test_v1_models_lists_it_and_a_named_sd3_model_reaches_it(stability, user):
    from generation.api.openai.models import catalogue, choose

    ids = {entry["id"]: entry for entry in catalogue()}
    assert {"stability", "stable-image-core"} <= set(ids)
    assert ids["stability"]["aiceps"]["max_n"] == 1 and ids["stability"]["aiceps"]["mask"]
    assert choose("stable-image-core").provider == "stability"
    chosen = choose("sd3.5-medium")
    assert (chosen.provider, chosen.upstream_model) == ("stability", "sd3.5-medium")

    task = run(
        user,
        prompt="a fox",
        task_type="text_to_image",
        image_provider=chosen.provider,
        parameters={"model": chosen.upstream_model},
    )
    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert stability.requests_to("sd3")[0].field("model") == "sd3.5-medium"
