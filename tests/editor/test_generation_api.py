"""``/api/edit-image`` for every type the editor sends, ``/api/generate-image``, the batch
and the creative suggestions, with the editor's own request shapes and no Authorization
header: real images come back, and credits move by AicePS's price list alone."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from accounts.selectors import credits_balance
from generation.models import PromptTemplate, TaskHistory
from tests.conftest import make_photo

from .conftest import COSTS, EditorClient, photo_file

pytestmark = pytest.mark.django_db(transaction=True)
IMAGE_RESULT = {"success", "imageUrl", "filename"}


def download(client: EditorClient, url: str) -> Image.Image:
    assert url.startswith("http://testserver/files/task-history/"), url
    response = client.http.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def inverted(photo: bytes, result: Image.Image) -> bool:
    original = np.asarray(Image.open(io.BytesIO(photo)).convert("RGB"), dtype=np.int16)
    got = np.asarray(result.convert("RGB"), dtype=np.int16)
    return got.shape == original.shape and np.abs(255 - original - got).mean() < 3


@pytest.mark.parametrize(
    ("editor_type", "task_type", "prompt", "extra"),
    [
        ("edit", "hotspot", "去掉这颗痣", {"hotspot": json.dumps({"x": 160, "y": 120})}),
        ("adjustment", "adjustment", "make it brighter", {}),
        ("filter", "filter", "黑白", {}),
        ("texture", "texture", "overlay a canvas texture", {}),
        ("remove-background", "remove_background", "", {}),
        ("style", "style", "Van Gogh style", {}),
        ("decade", "decade", "Reimagine the person in the style of the 1970s.", {}),
    ],
)
def test_edit_image_maps_every_type_and_answers_an_absolute_image(
    editor, alice, editor_type, task_type, prompt, extra
):
    photo = make_photo()
    name = "image.png" if editor_type == "decade" else "photo.jpg"
    response = editor.post(
        "/api/edit-image",
        {"image": photo_file(photo, name), "prompt": prompt, "type": editor_type, **extra},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) >= IMAGE_RESULT and body["success"] is True
    assert inverted(photo, download(editor, body["imageUrl"]))
    task = TaskHistory.objects.get(pk=body["task_id"])
    assert (task.task_type, task.source, task.user) == (task_type, "editor", alice)
    if editor_type == "edit":
        assert task.parameters == {"x": 160, "y": 120}
    price = COSTS.get(task_type, COSTS["default"])
    assert task.credits_deducted == price
    assert credits_balance(user=alice) == 10 - price == body["credits_remaining"]


def test_fusion_takes_the_main_photo_first_under_images(editor, alice):
    main, second = make_photo(320, 240), make_photo(200, 200)
    response = editor.post(
        "/api/edit-image",
        {
            "type": "fusion",
            "prompt": "把人放到第二张图的背景里",
            "images": [photo_file(main, "main.jpg"), photo_file(second, "b.jpg")],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert inverted(main, download(editor, body["imageUrl"]))
    task = TaskHistory.objects.get(pk=body["task_id"])
    assert task.task_type == "fusion" and len(task.extra_files["sources"]) == 1
    assert credits_balance(user=alice) == 10 - COSTS["fusion"]


def test_a_cut_out_costs_what_it_costs_whatever_the_editor_says(editor, alice):
    check = editor.post(
        f"/api/user-permissions/{editor.uid}/check-feature",
        {"feature": "nano_banana", "resourceData": {"type": "remove-background"}},
        fmt="json",
    ).json()["data"]
    assert check["creditsRequired"] == COSTS["remove_background"]
    consumed = editor.post(
        f"/api/user-permissions/{editor.uid}/consume-credits",
        {"feature": "nano_banana", "resourceData": {}, "creditsToConsume": 14},
        fmt="json",
    ).json()
    assert consumed["success"] is True and consumed["data"]["creditsConsumed"] == 0
    assert credits_balance(user=alice) == 10  # nothing charged by consume-credits
    response = editor.post(
        "/api/edit-image", {"image": photo_file(), "prompt": "", "type": "remove-background"}
    )
    assert response.status_code == 200
    assert credits_balance(user=alice) == 10 - COSTS["remove_background"]


def test_generate_image_from_text_with_an_aspect_ratio(editor, alice):
    response = editor.post(
        "/api/generate-image", {"prompt": "一只猫在月球上", "aspectRatio": "16:9"}, fmt="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    image = download(editor, body["imageUrl"])
    assert image.size == (64, 64) and image.getpixel((0, 0))[:3] == (10, 200, 30)
    task = TaskHistory.objects.get(pk=body["task_id"])
    assert (task.task_type, task.aspect_ratio) == ("text_to_image", "16:9")
    assert credits_balance(user=alice) == 10 - COSTS["text_to_image"]


def test_a_template_use_counts_for_the_popular_order(editor):
    template = PromptTemplate.objects.create(
        slug="film", name_en="Film", prompt_en="vintage film look", task_type="adjustment"
    )
    editor.post(
        "/api/edit-image",
        {"image": photo_file(), "prompt": "vintage film look", "type": "adjustment"},
    )
    template.refresh_from_db()
    assert template.use_count == 1


def test_batch_answers_each_prompt_on_its_own(editor, alice):
    from accounts.services import credits_charge

    credits_charge(user=alice, amount=8, note="leave two")  # two style tasks, not three
    photo = make_photo()
    response = editor.post(
        "/api/generate-batch-images",
        {"image": photo_file(photo), "prompts": json.dumps(["油画", "水彩", "素描"])},
    )
    assert response.status_code == 200, response.json()
    images = response.json()["images"]
    assert [entry["index"] for entry in images] == [0, 1, 2]
    assert [entry["status"] for entry in images] == ["done", "done", "error"]
    for entry in images[:2]:
        assert inverted(photo, download(editor, entry["url"]))
    assert "Insufficient credits" in images[2]["error"]
    assert images[2]["code"] == "insufficient_credits"
    assert credits_balance(user=alice) == 0
    assert TaskHistory.objects.filter(user=alice, task_type="style").count() == 2


def test_batch_refuses_what_is_not_a_list_of_prompts(editor):
    response = editor.post(
        "/api/generate-batch-images", {"image": photo_file(), "prompts": "not json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body["message"], str) and isinstance(body["error"], str)
    assert body["code"] == "invalid_prompts"


@pytest.mark.parametrize("kind", ["filter", "adjustment", "texture"])
def test_creative_suggestions_are_four_named_prompts_from_the_prompt_writer(editor, kind):
    response = editor.post("/api/creative-suggestions", {"image": photo_file(), "type": kind})
    assert response.status_code == 200, response.json()
    suggestions = response.json()["suggestions"]
    assert len(suggestions) == 4
    assert len({s["name"] for s in suggestions}) == 4
    for suggestion in suggestions:
        assert suggestion["name"] and suggestion["prompt"].startswith("Professional prompt: ")
    assert not TaskHistory.objects.filter(task_type="suggestions").exists()  # read, forgotten


def test_errors_are_strings_with_the_right_status(editor, alice):
    cases = [
        ({"image": photo_file(), "prompt": "x", "type": "sticker"}, 400, "unsupported_type"),
        ({"prompt": "黑白", "type": "filter"}, 400, "missing_image"),
        ({"type": "fusion", "prompt": "mix", "images": [photo_file()]}, 400, "missing_image"),
        ({"image": photo_file(), "type": "edit", "prompt": ""}, 400, "missing_prompt"),
        (
            {"image": photo_file(), "type": "edit", "prompt": "x", "hotspot": "{bad"},
            400,
            "invalid_hotspot",
        ),
        (
            {
                "image": photo_file(),
                "type": "edit",
                "prompt": "x",
                "hotspot": json.dumps({"x": 5000, "y": 1}),
            },
            400,
            "hotspot_outside_image",
        ),
        ({"image": photo_file(b"not an image"), "type": "filter"}, 400, "not_an_image"),
    ]
    for data, status, code in cases:
        response = editor.post("/api/edit-image", data)
        body = response.json()
        assert response.status_code == status, (code, body)
        assert body["code"] == code
        assert isinstance(body["message"], str) and body["message"] == body["error"]
    assert credits_balance(user=alice) == 10
    assert not TaskHistory.objects.exists()


def test_a_failing_model_answers_its_status_and_refunds(editor, alice, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    response = editor.post("/api/edit-image", {"image": photo_file(), "type": "filter"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "content_blocked" and "refused" in body["message"]
    assert body["credits_remaining"] == 10 == credits_balance(user=alice)


def test_insufficient_credits_is_402_and_nothing_runs(editor, alice):
    from accounts.services import credits_charge

    credits_charge(user=alice, amount=9, note="leave one")
    response = editor.post("/api/generate-image", {"prompt": "cat"}, fmt="json")
    assert response.status_code == 402
    body = response.json()
    assert (body["available_credits"], body["required_credits"]) == (1, 2)
    assert not TaskHistory.objects.filter(user=alice).exists()


def test_without_a_sign_in_the_calls_are_401(alice):
    client = EditorClient()
    response = client.post("/api/edit-image", {"image": photo_file(), "type": "filter"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not TaskHistory.objects.exists()


@pytest.mark.django_db
def test_a_task_still_running_after_the_wait_is_504_with_its_id(alice, settings):
    settings.AICEPS_SYNC_WAIT_SECONDS = 0.2  # and no commit here, so no worker takes it
    client = EditorClient().sign_in("alice@example.com")
    response = client.post("/api/edit-image", {"image": photo_file(), "type": "filter"})
    assert response.status_code == 504
    body = response.json()
    assert body["code"] == "still_running" and body["status"] == "pending"
    assert body["status_url"].endswith(f"/api/v1/tasks/{body['task_id']}")


def test_the_editor_routes_answer_in_chinese(editor, alice):
    from accounts.services import credits_charge

    credits_charge(user=alice, amount=9, note="leave one")
    response = editor.post(
        "/api/generate-image",
        {"prompt": "cat"},
        fmt="json",
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    assert response.status_code == 402
    body = response.json()
    assert "积分不足" in body["message"] and body["message"] == body["error"]
