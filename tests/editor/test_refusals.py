"""Bad input to the editor's routes gets a clear 4xx in the editor's shape (``error`` and
``message`` strings, ``code``, ``param``), never a 500 or a silent acceptance: what
schemathesis found against the documented schema."""

from __future__ import annotations

import socket
import time

import pytest

from generation.models import TaskHistory

from .conftest import photo_file


def refused(response, status: int, code: str | None = None, param: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["message"] == body["error"]
    if code:
        assert body["code"] == code, body
    if param:
        assert body["param"] == param, body
    return body


def test_a_json_body_to_a_multipart_call_is_415(editor):
    response = editor.post("/api/edit-image", [{"type": "edit"}], fmt="json")
    refused(response, 415, "unsupported_media_type")
    assert TaskHistory.objects.count() == 0


def test_a_multipart_body_to_a_json_call_is_415(editor):
    response = editor.post("/api/generate-image", {"prompt": "a cat"})
    refused(response, 415, "unsupported_media_type")
    response = editor.post("/api/api/text-to-comic/deepseek/extract-scenes", {"text": "A fox ran."})
    refused(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("path", ["check-feature", "consume-credits"])
def test_a_json_list_to_a_permission_call_is_400(editor, path):
    response = editor.post(f"/api/user-permissions/{editor.uid}/{path}", [1, 2], fmt="json")
    refused(response, 400, "invalid_request")


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/api/text-to-comic/deepseek/extract-scenes", {"text": 0}, "text"),
        ("/api/text-to-comic/nanobanana/generate-comic", {"description": 0}, "description"),
        ("/api/generate-image", {"prompt": 12}, "prompt"),
        ("/api/task-history/tasks", {"status": 0}, "status"),
    ],
)
def test_a_number_where_text_belongs_is_400(editor, path, body, param):
    refused(editor.post(path, body, fmt="json", token=True), 400, "invalid_request", param)
    assert TaskHistory.objects.count() == 0


@pytest.mark.parametrize("value", ["12", True, 1.5])
def test_reported_numbers_must_be_whole_json_numbers(editor, value):
    created = editor.post("/api/task-history/tasks", {"prompt": "x"}, fmt="json", token=True)
    record_id = created.json()["data"]["id"]
    response = editor.put(f"/api/task-history/tasks/{record_id}/complete", {"tokens_used": value})
    refused(response, 400, "invalid_request", "tokens_used")


def test_a_story_over_its_length_is_refused_even_after_leading_spaces(editor):
    text = "\u0085" + "*" * 20_000  # 20 001 characters, as sent
    response = editor.post("/api/text-to-comic/deepseek/extract-scenes", {"text": text}, fmt="json")
    refused(response, 400, "invalid_request", "text")


def test_nul_characters_are_400_in_query_path_and_bodies(editor):
    refused(editor.get("/api/templates", search="cat\x00"), 400, "invalid_character", "search")
    refused(
        editor.get("/api/task-history/tasks", token=True, status="\x00"),
        400,
        "invalid_character",
        "status",
    )
    refused(editor.get("/api/templates/x%00y"), 404, "not_found")
    refused(editor.get("/api/proxy-image", url="/api/templates/images/a\x00.png"), 400)
    response = editor.post(
        "/api/edit-image", {"image": photo_file(), "type": "filter", "prompt": "黑\x00白"}
    )
    refused(response, 400, "invalid_request", "prompt")
    response = editor.post(
        "/api/generate-batch-images", {"image": photo_file(), "prompts": '["a\\u0000b"]'}
    )
    refused(response, 400, "invalid_prompts", "prompts")
    created = editor.post("/api/task-history/tasks", {"prompt": "x"}, fmt="json", token=True)
    record_id = created.json()["data"]["id"]
    response = editor.put(
        f"/api/task-history/tasks/{record_id}/complete", {"error_message": "bad\x00"}
    )
    refused(response, 400, "invalid_request", "error_message")
    assert TaskHistory.objects.count() == 0


def test_a_batch_without_a_photo_is_400_and_creates_nothing(editor):
    response = editor.post("/api/generate-batch-images", {"prompts": '["a", "b"]'})
    refused(response, 400, "invalid_request", "image")
    assert TaskHistory.objects.count() == 0


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "0001-01-01", "9999-12-31"],
)
def test_dates_at_the_ends_of_time_are_clamped(editor, moment):
    for path in ("/api/task-history/tasks", "/api/task-history/statistics"):
        for param in ("start_date", "end_date"):
            response = editor.get(path, token=True, **{param: moment})
            assert response.status_code == 200, response.content


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "2024-01-01T25:00"])
def test_a_date_that_is_no_date_is_400(editor, value):
    response = editor.get("/api/task-history/tasks", token=True, start_date=value)
    refused(response, 400, "invalid_date", "start_date")


def test_a_page_past_the_end_is_empty_however_far(editor):
    far = str(10**30)
    body = editor.get("/api/task-history/tasks", token=True, page=far, limit="100").json()
    assert body["data"]["tasks"] == [] and body["data"]["pagination"]["has_more"] is False
    body = editor.get("/api/templates", page=far, limit="100").json()
    assert body["data"]["templates"] == [] and body["data"]["hasMore"] is False


@pytest.mark.parametrize("value", ["", "0", "-1", "two"])
def test_page_and_limit_are_whole_numbers_from_1(editor, value):
    response = editor.get("/api/task-history/tasks", token=True, page=value)
    refused(response, 400, param="page")
    refused(editor.get("/api/templates", limit=value), 400, param="limit")


def test_a_limit_over_100_counts_as_100(editor):
    body = editor.get("/api/task-history/tasks", token=True, limit="1000").json()
    assert body["data"]["pagination"]["per_page"] == 100


@pytest.mark.django_db(transaction=True)
def test_a_body_over_the_limit_on_an_editor_route_is_413_in_the_editor_shape(asgi_server):
    declared = 300 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", asgi_server.port), timeout=5) as conn:
        started = time.monotonic()
        conn.sendall(
            b"POST /api/edit-image HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {declared}\r\n\r\n".encode()
            + b"only the first bytes"
        )
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    assert time.monotonic() - started < 1.0
    head, _, body = answer.decode().partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413"), answer
    assert '"code": "request_too_large"' in body
    assert '"error": "The request is larger than' in body  # a string the editor can show
