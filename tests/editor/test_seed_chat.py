"""The chat assistant (AI 图片定制助手) posts page-relative to the seed endpoint with no
credentials: the session cookie of the same origin carries it, and it reads
``custom_image_url``."""

from __future__ import annotations

import pytest

from accounts.selectors import credits_balance

from .conftest import EditorClient, photo_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_chat_assistant_call(editor, alice):
    response = editor.post(
        "/api/custom-image-generation", {"image": photo_file(), "prompt": "换成白色背景"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["success"] is True
    assert body["custom_image_url"] == body["generated_image_url"]
    assert body["custom_image_url"].startswith("http://testserver/files/")
    assert body["professional_prompt"] and isinstance(body["processing_time"], float)
    assert credits_balance(user=alice) == 9


def test_the_same_call_from_another_origin_is_refused(editor, alice):
    elsewhere = EditorClient(origin="https://evil.example")
    elsewhere.http = editor.http  # the same browser, so the same cookie
    response = elsewhere.post(
        "/api/custom-image-generation", {"image": photo_file(), "prompt": "换成白色背景"}
    )
    assert response.status_code == 403
    assert credits_balance(user=alice) == 10
