"""Text tasks (the editor's creative suggestions and story scenes) live the life of every task:
created and charged by a service, queued on commit, claimed under a lease, re-queued or failed
by the reaper, announced to waiters; their answer is text in ``result``. They are internal:
never offered, listed, counted or sent to webhooks, and forgotten once read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.imaging import read_upload
from catalogue.task_types import SPECS
from catalogue.text_tasks import TEXT_TASK_TYPES, TextTaskType
from core.errors import ValidationError
from generation.events import task_event
from generation.liveness import forget_alive
from generation.models import TaskHistory, TaskStatistics
from generation.selectors import task_get, task_list
from generation.services import (
    TaskInput,
    queue_for,
    task_claim,
    task_create,
    task_run,
    tasks_reap_stuck,
    text_task_collect,
    text_task_create,
    text_tasks_forget,
)
from generation.services.workers import NoWorkerError
from generation.storage import primary_storage
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db
ECHO = "tests.fakes.providers.EchoPromptWriter"


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.AICEPS_PROMPT_WRITER = ECHO


@pytest.fixture
def events():
    heard = []

    def listen(sender, task_id, event, **kwargs):
        heard.append((task_id, event))

    task_event.connect(listen)
    yield heard
    task_event.disconnect(listen)


def suggestions(user, kind="filter"):
    return text_task_create(
        user=user,
        task_type=TextTaskType.SUGGESTIONS,
        parameters={"type": kind, "language": "en"},
        photo=read_upload(make_photo()),
    )


def stored(name: str) -> bool:
    return primary_storage().exists(name)


def test_a_text_task_runs_like_any_task_and_answers_text(
    user, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # queued once committed, run inline
        task = suggestions(user)
    photo = task.original_image.name
    assert photo == f"task-history/{user.pk}/{task.pk}/original.jpg"
    task.refresh_from_db()
    assert (task.status, task.stage, task.attempts) == ("completed", "done", 1)
    assert task.prompt_writer == ECHO and task.image_provider == ""
    ideas = task.result["suggestions"]
    assert len(ideas) == 4 and all(i["prompt"].startswith("Professional prompt: ") for i in ideas)
    assert not stored(photo)  # the photo was only needed for the answer
    # Free, as before: no ledger row; not listed, not counted, not sent to webhooks.
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)
    assert not CreditTransaction.objects.filter(task_id=task.pk).exists()
    assert not task_list(user=user).exists() and task_get(user=user, task_id=task.pk) is None
    assert not TaskStatistics.objects.filter(user=user).exists()
    assert events == []


def test_a_story_is_described_scene_by_scene(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = text_task_create(
            user=user,
            task_type=TextTaskType.SCENES,
            text="A fox ran. It hid.",
            parameters={"style": "watercolor"},
        )
    task.refresh_from_db()
    assert task.status == "completed" and task.result["style"] == "watercolor"
    assert [s["text"] for s in task.result["scenes"]] == ["A fox ran.", "It hid."]
    assert task.result["scenes"][0]["description"].startswith("Professional prompt: A watercolor")


def test_a_refusal_fails_the_task_with_its_own_status(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = suggestions(user, kind="sticker")
    task.refresh_from_db()
    assert (task.status, task.error_status) == ("failed", 400)
    assert "filter, adjustment or texture" in task.error_message
    assert not stored(task.original_image.name)
    assert not TaskStatistics.objects.filter(user=user).exists()


def test_a_crash_fails_the_task_without_leaking_internals(user, monkeypatch):
    import catalogue.text_tasks.suggestions as module

    def explode(request):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(module, "suggest", explode)
    task = task_run(task_id=suggestions(user).pk)
    assert (task.status, task.error_code, task.error_status) == ("failed", "internal_error", 500)
    assert "disk on fire" not in task.error_message and "disk on fire" in task.error_detail
    assert task_run(task_id=task.pk) is None  # final: nothing left to claim


def test_the_reaper_requeues_a_text_task_whose_worker_vanished(
    user, django_capture_on_commit_callbacks
):
    task = suggestions(user)
    task_claim(task_id=task.pk)
    TaskHistory.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_reap_stuck() == {"requeued": 1, "failed": 0}
    task.refresh_from_db()
    assert (task.status, task.attempts) == ("completed", 2)
    assert len(task.result["suggestions"]) == 4


def test_the_reaper_fails_a_text_task_after_the_last_attempt(user, settings):
    settings.AICEPS_TASK_MAX_ATTEMPTS = 1
    task = suggestions(user)
    task_claim(task_id=task.pk)
    TaskHistory.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks_reap_stuck() == {"requeued": 0, "failed": 1}
    task.refresh_from_db()
    assert (task.status, task.error_code) == ("failed", "worker_lost")


def test_a_lost_pending_text_task_is_queued_again(
    user, settings, django_capture_on_commit_callbacks
):
    task = suggestions(user)
    TaskHistory.objects.filter(pk=task.pk).update(
        updated_at=timezone.now()
        - timedelta(seconds=settings.AICEPS_LEASES.pending_rescue_seconds + 5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_reap_stuck()["requeued"] == 1
    task.refresh_from_db()
    assert task.status == "completed"


def test_text_tasks_go_to_the_default_queue(settings):
    assert queue_for("") == settings.AICEPS_QUEUE_NAME


def test_collecting_forgets_it_and_old_ones_are_forgotten(user):
    done = task_run(task_id=suggestions(user).pk)
    text_task_collect(task=done)
    assert not TaskHistory.objects.filter(pk=done.pk).exists()
    old, running = suggestions(user), suggestions(user)
    TaskHistory.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert text_tasks_forget(user=user) == 1
    assert not TaskHistory.objects.filter(pk=old.pk).exists()
    assert not stored(old.original_image.name)
    assert stored(running.original_image.name)
    TaskHistory.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh = suggestions(user)  # a new one forgets the user's old ones
    assert list(TaskHistory.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_retention_job_forgets_text_tasks_nobody_read(user, make_user):
    from generation.tasks import expire_task_files

    old = suggestions(make_user("bob"))
    TaskHistory.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh = suggestions(user)
    expire_task_files()
    assert list(TaskHistory.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not stored(old.original_image.name)


def test_without_a_live_worker_nothing_is_stored(user, settings, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_WORKER_CHECK = True
    settings.AICEPS_WORKER_CHECK_SECONDS = 0
    forget_alive()
    try:
        with pytest.raises(NoWorkerError):
            suggestions(user)
    finally:
        forget_alive()
    assert not TaskHistory.objects.exists()


def test_a_photo_is_required_where_it_is_taken(user):
    with pytest.raises(ValidationError) as refused:
        text_task_create(user=user, task_type=TextTaskType.SUGGESTIONS, parameters={})
    assert refused.value.code == "missing_image"


def test_text_tasks_are_not_offered_as_task_types(user):
    assert not TEXT_TASK_TYPES & {spec.value.value for spec in SPECS.values()}
    data = TaskInput(prompt="x", task_type="suggestions", images=(read_upload(make_photo()),))
    with pytest.raises(ValidationError) as refused:
        task_create(user=user, data=data, enqueue=False)
    assert refused.value.code == "unknown_task_type"
