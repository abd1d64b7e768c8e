"""Deleting what a user owns: one task, everything (from the API and the pages), or the user
in the admin. Afterwards no file of theirs is left, in local storage or in SeaweedFS (a real
S3 server), and the balance still equals the ledger's sum."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from accounts.models import CreditAccount, CreditTransaction, User
from accounts.selectors import credits_balance, credits_ledger_sum
from generation.models import TaskHistory
from generation.storage import store_bytes
from tests.conftest import make_photo
from tests.generation.api.conftest import ECHO, INVERT, RunningClient
from tests.generation.s3_support import s3_fixture  # noqa: F401  (S3 as the default storage)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _providers(settings, tmp_path):
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_IMAGE_PROVIDER = INVERT
    # "No file of theirs is left" looks by user id: files other tests left in the shared
    # media folder for a user of the same id must not count.
    settings.MEDIA_ROOT = tmp_path / "media"


def api_for(user, capture) -> RunningClient:
    client = RunningClient()
    client.capture = staticmethod(capture)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api(user, django_capture_on_commit_callbacks):
    return api_for(user, django_capture_on_commit_callbacks)


def submit(api, prompt="黑白", photos=1):
    files = [
        SimpleUploadedFile(f"p{n}.jpg", make_photo(), content_type="image/jpeg")
        for n in range(photos)
    ]
    answer = api.post("/api/v1/tasks", {"image": files, "prompt": prompt, "task_type": "filter"})
    assert answer.status_code == 202, answer.content
    return answer.json()["id"]


def local_files(settings, user) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    found = []
    for folder in ("", "s3-fallback/", "s3-cache/"):
        for prefix in (f"task-history/{user.pk}", f"web-staging/{user.pk}"):
            path = root / folder / prefix
            found += [str(p) for p in path.rglob("*") if p.is_file()] if path.exists() else []
    return found


def content_of(user, settings, seaweed=None) -> list[str]:
    files = local_files(settings, user)
    if seaweed is not None:
        files += seaweed.keys(f"task-history/{user.pk}/") + seaweed.keys(f"web-staging/{user.pk}/")
    return files


def make_content(api, user):
    first, second = submit(api), submit(api, "复古")
    store_bytes(f"web-staging/{user.pk}/{'a' * 32}.png", b"staged photo")
    store_bytes(f"task-history/{user.pk}/orphan/generated-1.png", b"an orphan")
    return [first, second]


def assert_ledger_consistent(user, rows_before: int):
    assert credits_balance(user=user) == credits_ledger_sum(user=user)
    assert CreditTransaction.objects.filter(account__user=user).count() == rows_before


# --- One task ---------------------------------------------------------------------------


def test_deleting_a_task_removes_its_files_and_words(api, user, settings):
    task_id = submit(api)
    task = TaskHistory.objects.get(pk=task_id)
    names = [task.original_image.name, *task.extra_files["generated"]]
    assert all((Path(settings.MEDIA_ROOT) / name).exists() for name in names)

    assert api.delete(f"/api/v1/tasks/{task_id}").status_code == 204

    assert not any((Path(settings.MEDIA_ROOT) / name).exists() for name in names)
    assert api.get(f"/api/v1/tasks/{task_id}").status_code == 404
    assert api.get("/api/v1/tasks").json()["results"] == []
    task.refresh_from_db()
    assert task.deleted_at and task.prompt == "" and task.professional_prompt == ""
    assert task.credits_deducted == 1  # the numbers stay, the ledger points at the row
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)


def test_a_queued_task_must_be_cancelled_before_it_is_deleted(user, client):
    task = TaskHistory.objects.create(user=user, prompt="waiting")
    client.force_login(user)

    page = client.post(f"/history/{task.pk}/delete/")

    assert page.status_code == 302 and page["Location"] == f"/history/{task.pk}/"
    task.refresh_from_db()
    assert task.deleted_at is None


def test_the_task_page_deletes_a_finished_task(api, user, client):
    task_id = submit(api)
    client.force_login(user)

    assert b'id="delete-task"' in client.get(f"/history/{task_id}/").content
    assert client.post(f"/history/{task_id}/delete/")["Location"] == "/history/"
    assert client.get(f"/history/{task_id}/").status_code == 404


# --- Everything a user owns -------------------------------------------------------------


def test_deleting_everything_from_the_api_leaves_no_local_file(
    api, user, other_user, settings, django_capture_on_commit_callbacks
):
    other_task = submit(api_for(other_user, django_capture_on_commit_callbacks))
    make_content(api, user)
    queued = TaskHistory.objects.create(user=user, prompt="queued", credits_deducted=0)
    rows = CreditTransaction.objects.filter(account__user=user).count()
    assert len(content_of(user, settings)) >= 6

    answer = api.delete("/api/v1/account/data")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["tasks_deleted"], body["cancelled"]) == (3, 1)
    before = body["files"]
    assert before >= 6  # two inputs, two results, the staged photo, the orphan
    assert content_of(user, settings) == []
    assert not TaskHistory.objects.filter(user=user, deleted_at=None).exists()
    assert TaskHistory.objects.get(pk=queued.pk).status == "cancelled"
    assert_ledger_consistent(user, rows)
    assert body["credits_remaining"] == credits_balance(user=user) == 8
    # Someone else's files are untouched.
    other = TaskHistory.objects.get(pk=other_task)
    assert (Path(settings.MEDIA_ROOT) / other.generated_image.name).exists()


def test_deleting_everything_needs_the_account_not_an_api_key(
    user, django_capture_on_commit_callbacks
):
    from accounts.key_services import api_key_create

    client = RunningClient()
    client.capture = staticmethod(django_capture_on_commit_callbacks)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_create(user=user, name='x').key}")

    assert client.delete("/api/v1/account/data").status_code == 403
    assert client.get("/api/v1/account/export").status_code == 403


def test_deleting_everything_on_s3_leaves_no_object(api, user, settings, s3):
    make_content(api, user)
    assert s3.keys(f"task-history/{user.pk}/") and local_files(settings, user)  # cache copies
    rows = CreditTransaction.objects.filter(account__user=user).count()

    assert api.delete("/api/v1/account/data").status_code == 200

    assert content_of(user, settings, s3) == []
    assert_ledger_consistent(user, rows)


def test_deleting_everything_from_the_settings_page(api, user, client, settings):
    make_content(api, user)
    client.force_login(user)

    unconfirmed = client.post("/settings/delete-everything/", {"confirm": "yes"})
    assert unconfirmed.status_code == 302 and content_of(user, settings)
    client.post("/settings/delete-everything/", {"confirm": "DELETE"})

    assert content_of(user, settings) == []
    assert credits_balance(user=user) == credits_ledger_sum(user=user) == 8


# --- The user, in the admin -------------------------------------------------------------


def delete_in_admin(client, admin_user, user, capture):
    client.force_login(admin_user)
    confirm = client.get(f"/admin/accounts/user/{user.pk}/delete/")
    assert confirm.status_code == 200 and b"Yes, I" in confirm.content
    with capture(execute=True):
        done = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert done.status_code == 302, done.content[:2000]


@pytest.mark.parametrize("storage", ["local", "s3"])
def test_deleting_a_user_in_the_admin_keeps_the_ledger_and_removes_the_files(
    storage, api, user, admin_user, client, settings, request, django_capture_on_commit_callbacks
):
    seaweed = request.getfixturevalue("s3") if storage == "s3" else None
    make_content(api, user)
    account = CreditAccount.objects.get(user=user)
    rows = list(account.transactions.values_list("amount", "created_at"))
    assert content_of(user, settings, seaweed)
    user_id = user.pk

    delete_in_admin(client, admin_user, user, django_capture_on_commit_callbacks)

    assert not User.objects.filter(pk=user_id).exists()
    assert not TaskHistory.objects.filter(user_id=user_id).exists()
    account.refresh_from_db()
    assert account.user_id is None and account.former_user_id == user_id and account.closed_at
    assert list(account.transactions.values_list("amount", "created_at")) == rows
    assert account.balance == sum(amount for amount, _ in rows) == 8
    assert all(row.task_id is None for row in account.transactions.all())
    user.pk = user_id  # for the folder names
    assert content_of(user, settings, seaweed) == []


# --- Export -----------------------------------------------------------------------------


def test_the_export_holds_the_tasks_their_files_and_the_ledger(api, user):
    first, second = make_content(api, user)

    answer = api.get("/api/v1/account/export")

    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    tasks = json.loads(archive.read("tasks.json"))
    assert [task["id"] for task in tasks] == [first, second]
    assert tasks[0]["prompt"] == "黑白" and "generated_image_url" not in tasks[0]
    ledger = json.loads(archive.read("ledger.json"))
    assert sum(row["amount"] for row in ledger) == credits_balance(user=user) == 8
    task = TaskHistory.objects.get(pk=first)
    stored = archive.read(f"files/{first}/{task.generated_image.name.rsplit('/', 1)[-1]}")
    assert stored == (Path(task.generated_image.path)).read_bytes()
    without = api.get("/api/v1/account/export?files=0")
    names = zipfile.ZipFile(io.BytesIO(b"".join(without.streaming_content))).namelist()
    assert sorted(names) == ["account.json", "ledger.json", "tasks.json"]


@pytest.mark.parametrize("files", ["null", "maybe", ""])
def test_the_export_refuses_a_files_flag_it_cannot_read(api, files):
    answer = api.get(f"/api/v1/account/export?files={files}")
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "files"
