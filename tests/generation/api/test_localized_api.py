"""The API, the seed endpoint and the pages answer in Chinese to ``Accept-Language: zh-CN``."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import credits_charge
from tests.conftest import make_photo


@pytest.mark.django_db
def test_the_v1_api_answers_in_chinese(api, user):
    credits_charge(user=user, amount=10, note="spent")
    photo = make_photo()

    answer = api.post(
        "/api/v1/tasks",
        {"image": SimpleUploadedFile("p.jpg", photo, "image/jpeg"), "prompt": "黑白"},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    assert answer.status_code == 402
    error = answer.json()["error"]
    assert error["code"] == "insufficient_credits"
    assert "积分不足" in error["message"] and "有 0 积分" in error["message"]

    english = api.post(
        "/api/v1/tasks",
        {"image": SimpleUploadedFile("p.jpg", photo, "image/jpeg"), "prompt": "黑白"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json()["error"]["message"].startswith("Insufficient credits")


@pytest.mark.django_db
def test_the_seed_endpoint_answers_in_chinese(api):
    answer = api.post(
        "/api/custom-image-generation",
        {"prompt": "黑白", "task_type": "no-such-type"},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    assert answer.status_code == 400
    body = answer.json()
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body


@pytest.mark.django_db
def test_the_pages_say_a_refusal_in_chinese(client, user):
    from generation.models import TaskHistory

    client.force_login(user)
    answer = client.post(
        "/new/",
        {"task_type": "inpaint", "prompt": "去掉这个"},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    assert answer.status_code in (400, 422)
    assert re.search(r"[\u4e00-\u9fff]{4,}", answer.content.decode())
    assert not TaskHistory.objects.exists()
