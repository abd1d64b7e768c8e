"""The photo editor is offered only what a live worker runs: ``check-feature`` says no while
no worker of the image provider's group beats, and ``/api/edit-image`` is refused with 503
``no_worker`` in the editor's own error shape, with nothing charged."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_q.conf import Conf

from accounts.selectors import credits_balance
from generation.liveness import forget_alive
from generation.models import TaskHistory, WorkerHeartbeat

from .conftest import photo_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checking(settings, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_WORKER_CHECK = True
    settings.AICEPS_WORKER_CHECK_SECONDS = 0
    forget_alive()
    yield
    forget_alive()


def check(editor) -> dict:
    return editor.post(
        f"/api/user-permissions/{editor.uid}/check-feature",
        {"feature": "nano_banana", "resourceData": {"type": "filter"}},
        fmt="json",
    ).json()["data"]


def test_check_feature_says_no_while_no_worker_runs_the_model(editor, settings):
    data = check(editor)
    assert (data["canUse"], data["hasFeatureAccess"], data["hasEnoughCredits"]) == (
        False,
        False,
        True,
    )
    assert "No worker is running" in data["reason"]
    now = timezone.now()
    WorkerHeartbeat.objects.create(queue=settings.AICEPS_QUEUE_NAME, started_at=now, seen_at=now)
    data = check(editor)
    assert (data["canUse"], data["reason"]) == (True, "")


def test_an_edit_without_a_live_worker_is_refused_uncharged(editor, alice):
    response = editor.post(
        "/api/edit-image", {"image": photo_file(), "prompt": "黑白", "type": "filter"}
    )
    assert response.status_code == 503
    body = response.json()
    assert (body["success"], body["code"]) == (False, "no_worker")
    assert isinstance(body["error"], str) and body["message"] == body["error"]
    assert credits_balance(user=alice) == 10 and not TaskHistory.objects.exists()
