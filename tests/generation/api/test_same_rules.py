"""One definition of a task: the same invalid request gets the same code from every entry
point (the v1 API, the seed endpoint, /v1/images/edits, the page form, the CLI), and nothing
is stored or charged."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db
CODES = re.compile(r'data-error-codes="([^"]*)"')


def files(count: int) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"p{n}.jpg", make_photo(), content_type="image/jpeg")
        for n in range(count)
    ]


def via_api(api, *, images=1, **fields):
    response = api.post("/api/v1/tasks", {"image": files(images), **fields}, format="multipart")
    return response.status_code, response.json()["error"]["code"]


def via_seed(api, **fields):
    response = api.post(
        "/api/custom-image-generation", {"image": files(1)[0], **fields}, format="multipart"
    )
    return response.status_code, response.json()["error"]["code"]


def via_openai(api, *, images=1, **fields):
    response = api.post(
        "/v1/images/edits", {"image[]": files(images), **fields}, format="multipart"
    )
    body = response.json()["error"]
    assert {"message", "type", "param", "code"} <= set(body)
    return response.status_code, body["code"]


def via_page(user, *, images=1, **fields):
    client = Client()
    client.force_login(user)
    response = client.post("/new/", {"images": files(images), **fields})
    found = CODES.search(response.content.decode())
    return response.status_code, found.group(1) if found else ""


def via_cli(capsys, tmp_path, *, images=1, **options):
    paths = []
    for n in range(images):
        path = tmp_path / f"p{n}.jpg"
        path.write_bytes(make_photo())
        paths.append(path)
    args = ["--image", str(paths[0])]
    for path in paths[1:]:
        args += ["--image2", str(path)]
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    with pytest.raises(SystemExit) as exit_:
        call_command("generate", *args)
    assert exit_.value.code == 1
    return json.loads(capsys.readouterr().out)["error_code"]


def test_too_many_images_for_the_task_type(api, user, capsys, tmp_path):
    fields = {"prompt": "黑白"}
    assert via_api(api, images=5, task_type="edit", **fields) == (400, "too_many_images")
    assert via_openai(api, images=5, **fields) == (400, "too_many_images")
    assert via_page(user, images=5, task_type="edit", **fields) == (400, "too_many_images")
    assert via_cli(capsys, tmp_path, images=5, task_type="edit", **fields) == "too_many_images"
    # The seed endpoint takes one photo by its contract: the same rule, for a second photo
    # on a one-photo task type, is what the others answer too.
    assert via_api(api, images=2, task_type="filter", **fields) == (400, "too_many_images")
    assert TaskHistory.objects.count() == 0 and credits_balance(user=user) == 10


def test_a_hotspot_outside_the_image(api, user, capsys, tmp_path):
    point = {"task_type": "hotspot", "prompt": "blur this", "x": 999, "y": 10}
    assert via_api(api, **point) == (400, "hotspot_outside_image")
    assert via_seed(api, **point) == (400, "hotspot_outside_image")
    assert via_page(user, **point) == (400, "hotspot_outside_image")
    assert via_cli(capsys, tmp_path, **point) == "hotspot_outside_image"
    assert TaskHistory.objects.count() == 0 and credits_balance(user=user) == 10


def test_an_unknown_aspect_ratio(api, user, capsys, tmp_path):
    ratio = {"task_type": "text_to_image", "prompt": "a lighthouse", "aspect_ratio": "7:3"}
    edit = {"task_type": "edit", "prompt": "crop it", "aspect_ratio": "7:3"}
    assert via_api(api, images=0, **ratio) == (400, "invalid_aspect_ratio")
    assert via_seed(api, **edit) == (400, "invalid_aspect_ratio")
    assert via_page(user, images=0, **ratio) == (400, "invalid_aspect_ratio")
    assert via_cli(capsys, tmp_path, **edit) == "invalid_aspect_ratio"
    assert TaskHistory.objects.count() == 0 and credits_balance(user=user) == 10
