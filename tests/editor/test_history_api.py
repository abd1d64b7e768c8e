"""``/api/task-history/*``: the editor's recording calls accepted but never trusted, the
list and statistics from AicePS's own records, and deletion of a task with its files."""

from __future__ import annotations

import base64

import pytest

from accounts.selectors import credits_balance
from generation.files import TaskFiles
from generation.models import TaskHistory
from generation.storage import primary_storage
from tests.conftest import make_photo

from .conftest import COSTS, EditorClient, photo_file

pytestmark = pytest.mark.django_db(transaction=True)
TASK_FIELDS = {
    "id",
    "status",
    "task_type",
    "prompt",
    "created_at",
    "original_image_url",
    "generated_image_url",
    "tokens_used",
    "credits_deducted",
    "generation_time_ms",
    "error_message",
}


def record_an_edit(editor: EditorClient, photo: bytes, prompt: str = "黑白") -> tuple[str, dict]:
    """The editor's own sequence: create, original-image, the edit, complete (with what it
    believes it spent)."""
    created = editor.post(
        "/api/task-history/tasks",
        {
            "task_type": "image_edit",
            "prompt": prompt,
            "model_version": "gemini-1.5-pro",
            "status": "pending",
        },
        fmt="json",
        token=True,
    )
    assert created.status_code == 201, created.json()
    record_id = created.json()["data"]["id"]
    original = editor.put(
        f"/api/task-history/tasks/{record_id}/original-image",
        {"image": photo_file(photo)},
        fmt="multipart",
    )
    assert original.status_code == 200, original.json()
    edit = editor.post(
        "/api/edit-image", {"image": photo_file(photo), "prompt": prompt, "type": "filter"}
    )
    assert edit.status_code == 200
    fake_image = "data:image/png;base64," + base64.b64encode(b"\x89PNG forged").decode()
    completed = editor.put(
        f"/api/task-history/tasks/{record_id}/complete",
        {
            "generated_image_data": fake_image,
            "tokens_used": 999,
            "credits_deducted": 1,
            "generation_time_ms": 5,
        },
    )
    assert completed.status_code == 200, completed.json()
    return record_id, completed.json()["data"] | {"edit": edit.json()}


def test_recording_links_the_real_task_and_trusts_none_of_the_claims(editor, alice, settings):
    settings.AICEPS_TASK_COSTS = {"default": 5}
    photo = make_photo()
    record_id, data = record_an_edit(editor, photo)
    task = TaskHistory.objects.get(user=alice)
    assert data["verified"] is True and data["aiceps_task_id"] == str(task.pk)
    assert data["id"] == record_id
    assert data["credits_deducted"] == 5 == task.credits_deducted  # AicePS's, not the claim
    assert data["tokens_used"] == task.tokens_used != 999
    assert data["reported"]["credits_deducted"] == 1 and data["reported"]["tokens_used"] == 999
    # the same file (each answer signs its link afresh: the expiry may be a second apart)
    assert data["generated_image_url"].split("?")[0] == data["edit"]["imageUrl"].split("?")[0]
    assert credits_balance(user=alice) == 5
    # The forged "generated" image was not stored: the task's files are its own.
    assert TaskFiles(task).generated == [task.generated_image.name]
    with primary_storage().open(task.generated_image.name) as handle:
        assert handle.read().startswith(b"\x89PNG\r\n")


def test_a_record_links_its_own_edit_not_an_earlier_one_on_the_same_photo(editor, alice):
    photo = make_photo()
    earlier = editor.post(  # no record of its own, moments before (a refused edit, say)
        "/api/edit-image", {"image": photo_file(photo), "prompt": "反色", "type": "filter"}
    )
    assert earlier.status_code == 200
    record_id, data = record_an_edit(editor, photo, prompt="黑白")
    own = TaskHistory.objects.get(user=alice, prompt="黑白")
    assert data["aiceps_task_id"] == str(own.pk) == data["edit"]["task_id"]
    assert data["id"] == record_id


def test_an_unlinked_record_claims_nothing(editor, alice):
    created = editor.post(
        "/api/task-history/tasks",
        {"task_type": "image_generation", "prompt": "made in the browser", "status": "pending"},
        fmt="json",
        token=True,
    ).json()["data"]
    done = editor.put(
        f"/api/task-history/tasks/{created['id']}/complete",
        {"generated_image_data": "data:image/png;base64,AAAA", "credits_deducted": 14},
    ).json()["data"]
    assert done["verified"] is False and done["credits_deducted"] == 0
    assert done["reported"]["credits_deducted"] == 14
    assert credits_balance(user=alice) == 10
    assert not TaskHistory.objects.exists()


def test_the_list_is_aiceps_tasks_in_the_editor_shape(editor, alice):
    photo = make_photo()
    record_an_edit(editor, photo)
    editor.post("/api/generate-image", {"prompt": "a cat", "aspectRatio": "1:1"}, fmt="json")
    response = editor.get("/api/task-history/tasks", token=True, page=1, limit=1)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["pagination"] == {
        "current_page": 1,
        "per_page": 1,
        "total_items": 2,
        "total_pages": 2,
        "has_more": True,
    }
    (first,) = data["tasks"]
    assert set(first) >= TASK_FIELDS
    assert first["task_type"] == "image_generation" and first["status"] == "completed"
    assert first["credits_deducted"] == COSTS["text_to_image"]
    assert first["generated_image_url"].startswith("http://testserver/files/")
    second = editor.get("/api/task-history/tasks", token=True, page=2, limit=1).json()["data"]
    assert second["tasks"][0]["task_type"] == "image_edit"
    assert second["tasks"][0]["original_image_url"].startswith("http://testserver/files/")
    assert second["pagination"]["has_more"] is False
    edits = editor.get("/api/task-history/tasks", token=True, task_type="image_edit").json()
    assert [t["task_type"] for t in edits["data"]["tasks"]] == ["image_edit"]
    today = TaskHistory.objects.first().created_at.date().isoformat()
    ranged = editor.get(
        "/api/task-history/tasks", token=True, start_date=today, end_date=today
    ).json()["data"]
    assert ranged["pagination"]["total_items"] == 2
    none = editor.get(
        "/api/task-history/tasks", token=True, start_date="2001-01-01", end_date="2001-01-02"
    ).json()["data"]
    assert none["tasks"] == []


def test_statistics_totals_from_the_real_records(editor, alice, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    editor.post("/api/edit-image", {"image": photo_file(), "type": "filter"})
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    editor.post("/api/edit-image", {"image": photo_file(), "type": "filter"})
    editor.post("/api/edit-image", {"image": photo_file(), "type": "remove-background"})
    response = editor.get("/api/task-history/statistics", token=True, period="daily")
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data["statistics"]) == 1
    totals = data["totals"]
    assert totals["total_tasks"] == 3 and totals["successful_tasks"] == 2
    assert totals["success_rate"] == 66.67
    assert totals["total_credits_deducted"] == COSTS["default"] + COSTS["remove_background"]
    assert isinstance(totals["avg_generation_time_ms"], int)
    listed = editor.get("/api/task-history/tasks", token=True).json()["data"]["tasks"]
    failed = next(task for task in listed if task["status"] == "failed")
    assert (failed["credits_deducted"], failed["credits_refunded"]) == (0, COSTS["default"])
    assert failed["error_message"] == "The model refused."


def test_delete_removes_the_task_and_its_files(editor, alice):
    editor.post("/api/edit-image", {"image": photo_file(), "type": "filter"})
    task = TaskHistory.objects.get(user=alice)
    names = TaskFiles(task).all()
    assert names and all(primary_storage().exists(name) for name in names)
    response = editor.delete(f"/api/task-history/tasks/{task.pk}")
    assert response.status_code == 200
    assert not any(primary_storage().exists(name) for name in names)
    listed = editor.get("/api/task-history/tasks", token=True).json()["data"]
    assert listed["tasks"] == []
    assert editor.get(f"/api/task-history/tasks/{task.pk}", token=True).status_code == 404
    assert editor.delete(f"/api/task-history/tasks/{task.pk}").status_code == 404
    assert credits_balance(user=alice) == 9  # the charge stays in the ledger
    task.refresh_from_db()
    assert task.deleted_at is not None and task.prompt == ""


def test_another_users_task_cannot_be_read_or_deleted(editor, bob):
    other = EditorClient().sign_in("bob@example.com")
    other.post("/api/edit-image", {"image": photo_file(), "type": "filter"})
    task = TaskHistory.objects.get(user=bob)
    assert editor.delete(f"/api/task-history/tasks/{task.pk}").status_code == 404
    assert editor.get(f"/api/task-history/tasks/{task.pk}", token=True).status_code == 404
    assert editor.get("/api/task-history/tasks", token=True).json()["data"]["tasks"] == []
    task.refresh_from_db()
    assert task.deleted_at is None and TaskFiles(task).generated


def test_history_needs_a_sign_in(alice):
    assert EditorClient().get("/api/task-history/tasks").status_code == 401
