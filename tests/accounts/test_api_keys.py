"""Named API keys through the API: created (shown once, kept as a hash), used for tasks,
revoked, expired, and refused with 402 once their credit budget is spent."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import ApiKey, CreditTransaction
from accounts.selectors import credits_balance, credits_ledger_sum
from generation.models import TaskHistory
from tests.conftest import make_photo
from tests.generation.api.conftest import ECHO, INVERT, RunningClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_IMAGE_PROVIDER = INVERT
    settings.AICEPS_TASK_COSTS = {"default": 2}


def client_with(secret: str, capture) -> RunningClient:
    client = RunningClient()
    client.capture = staticmethod(capture)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def owner(user, django_capture_on_commit_callbacks):
    return client_with(Token.objects.create(user=user).key, django_capture_on_commit_callbacks)


@pytest.fixture
def with_key(django_capture_on_commit_callbacks):
    return lambda key: client_with(key, django_capture_on_commit_callbacks)


def create_key(owner, **fields) -> dict:
    answer = owner.post("/api/v1/keys", {"name": "ci", **fields}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def submit(client, prompt="黑白"):
    photo = SimpleUploadedFile("p.jpg", make_photo(), content_type="image/jpeg")
    return client.post("/api/v1/tasks", {"image": [photo], "prompt": prompt, "task_type": "filter"})


def test_a_key_is_shown_once_and_kept_as_a_hash(owner, user):
    created = create_key(owner, name="laptop", expires_in_days=30)

    key = created["key"]
    assert key.startswith("aiceps_") and key.startswith(created["prefix"])
    row = ApiKey.objects.get(pk=created["id"])
    assert row.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiKey.objects.filter(pk=row.pk).values().first())
    listed = owner.get("/api/v1/keys").json()["results"]
    assert [k["name"] for k in listed] == ["laptop"] and "key" not in listed[0]
    assert listed[0]["state"] == "active" and listed[0]["expires_at"]
    assert owner.get(f"/api/v1/keys/{created['id']}").json()["prefix"] == created["prefix"]


def test_several_named_keys_create_tasks_and_record_their_use(owner, with_key, user):
    first, second = create_key(owner, name="ci"), create_key(owner, name="phone")

    answer = submit(with_key(first["key"]))

    assert answer.status_code == 202, answer.content
    task = TaskHistory.objects.get(pk=answer.json()["id"])
    assert task.api_key_id == first["id"] and task.status == "completed"
    debit = CreditTransaction.objects.get(task_id=task.pk, kind="debit")
    assert debit.api_key_id == first["id"]
    keys = {k["name"]: k for k in owner.get("/api/v1/keys").json()["results"]}
    assert keys["ci"]["last_used_at"] and keys["ci"]["credits_spent"] == 2
    assert keys["phone"]["last_used_at"] is None and second["credits_spent"] == 0
    # The account's own token still works as before.
    assert submit(owner).status_code == 202


def test_a_revoked_key_is_refused(owner, with_key):
    created = create_key(owner)
    client = with_key(created["key"])
    assert client.get("/api/v1/credits").status_code == 200

    revoked = owner.delete(f"/api/v1/keys/{created['id']}")

    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    answer = client.get("/api/v1/credits")
    assert answer.status_code == 401 and "revoked" in answer.json()["error"]["message"]


def test_an_expired_key_is_refused(owner, with_key):
    created = create_key(owner)
    ApiKey.objects.filter(pk=created["id"]).update(expires_at=timezone.now() - timedelta(1))

    answer = with_key(created["key"]).get("/api/v1/credits")

    assert answer.status_code == 401 and "expired" in answer.json()["error"]["message"]


def test_an_unknown_key_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer aiceps_00000000_notakey")
    answer = client.get("/api/v1/credits")
    assert answer.status_code == 401


def test_a_spent_budget_is_refused_with_402_and_nothing_charged(owner, with_key, user):
    client = with_key(create_key(owner, credit_budget=5)["key"])

    assert submit(client).status_code == 202
    assert submit(client).status_code == 202
    refused = submit(client)

    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "api_key_budget_exceeded"
    assert (error["credit_budget"], error["credits_spent"], error["required_credits"]) == (5, 4, 2)
    assert TaskHistory.objects.filter(user=user).count() == 2
    assert credits_balance(user=user) == 10 - 4 == credits_ledger_sum(user=user)
    # The account itself still has credits: its token is not bound by the key's budget.
    assert submit(owner).status_code == 202


def test_a_refunded_task_gives_its_budget_back(owner, with_key, user, settings):
    created = create_key(owner, credit_budget=2)
    client = with_key(created["key"])
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"

    failed = submit(client)

    assert failed.status_code == 202
    assert TaskHistory.objects.get(pk=failed.json()["id"]).status == "failed"
    refund = CreditTransaction.objects.get(kind="refund")
    assert refund.api_key_id == created["id"]
    assert owner.get(f"/api/v1/keys/{created['id']}").json()["credits_left"] == 2
    settings.AICEPS_IMAGE_PROVIDER = INVERT
    assert submit(client).status_code == 202


def test_a_key_cannot_manage_keys(owner, with_key):
    client = with_key(create_key(owner)["key"])

    answer = client.post("/api/v1/keys", {"name": "escalated"}, format="json")

    assert answer.status_code == 403 and answer.json()["error"]["code"] == "api_key_not_allowed"
    assert ApiKey.objects.count() == 1


def test_keys_work_on_the_v1_routes_too(owner, with_key, user):
    client = with_key(create_key(owner)["key"])

    assert client.get("/v1/models").status_code == 200
    assert client.get("/api/v1/credits").json()["balance"] == 10


def test_the_keys_page_shows_a_new_key_once(client, user):
    client.force_login(user)

    created = client.post("/settings/keys/", {"name": "from the page", "credit_budget": "7"})

    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    key = ApiKey.objects.get(name="from the page")
    assert key.credit_budget == 7
    assert created.context["created"].key.encode() in created.content
    listing = client.get("/settings/keys/")
    assert created.context["created"].key.encode() not in listing.content
    assert key.prefix.encode() in listing.content
    revoked = client.post(f"/settings/keys/{key.pk}/revoke/")
    assert revoked.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_staff_see_keys_in_the_admin(client, admin_user, user, owner):
    create_key(owner, name="visible")
    client.force_login(admin_user)

    page = client.get("/admin/accounts/apikey/")

    assert page.status_code == 200 and b"visible" in page.content
