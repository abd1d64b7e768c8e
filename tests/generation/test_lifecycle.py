from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.imaging import read_upload
from core.errors import ValidationError
from generation.models import TaskHistory
from generation.services import (
    TaskInput,
    task_claim,
    task_create,
    task_fail,
    task_run,
    tasks_reap_stuck,
)
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db
INVERT = "tests.fakes.providers.InvertImageProvider"
ECHO = "tests.fakes.providers.EchoPromptWriter"


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_IMAGE_PROVIDER = INVERT


def create(user, **kwargs):
    data = TaskInput(prompt="黑白", images=(read_upload(make_photo()),))
    return task_create(user=user, data=data, enqueue=False, **kwargs).task


def test_create_stores_the_original_under_the_contract_key_and_charges(user):
    task = create(user)
    assert task.status == "pending" and task.credits_deducted == 1
    assert task.original_image.name == f"task-history/{user.pk}/{task.pk}/original.jpg"
    assert task.input_sha256 and len(task.request_fingerprint) == 64
    assert credits_balance(user=user) == 9
    debit = CreditTransaction.objects.get(task_id=task.pk)
    assert (debit.kind, debit.amount) == ("debit", -1)


def test_a_task_is_claimed_once(user):
    task = create(user)
    assert task_claim(task_id=task.pk) is not None
    assert task_claim(task_id=task.pk) is None
    task.refresh_from_db()
    assert (task.status, task.attempts) == ("processing", 1)


def test_running_twice_runs_once(user):
    task = create(user)
    first = task_run(task_id=task.pk)
    assert first.status == "completed"
    assert task_run(task_id=task.pk) is None
    first.refresh_from_db()
    assert first.attempts == 1
    assert first.generated_image.name == f"task-history/{user.pk}/{task.pk}/generated-1.png"


def test_fail_refunds_once_and_is_idempotent(user):
    task = create(user)
    assert task_fail(task=task, code="x", message="broken")
    assert not task_fail(task=task, code="x", message="broken")
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


def test_a_crash_in_the_runner_fails_and_refunds(user, settings, monkeypatch):
    import generation.services.runner as runner

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runner, "_store_results", explode)
    task = task_run(task_id=create(user).pk)
    assert (task.status, task.error_code) == ("failed", "internal_error")
    assert "disk on fire" not in task.error_message  # no internals leak to the user
    assert credits_balance(user=user) == 10


def test_reaper_requeues_a_task_whose_worker_vanished(user, django_capture_on_commit_callbacks):
    task = create(user)
    task_claim(task_id=task.pk)
    TaskHistory.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):  # the queue hand-off waits for it
        assert tasks_reap_stuck() == {"requeued": 1, "failed": 0}
    task.refresh_from_db()
    # The queue runs inline in tests, so the re-queued task has run to completion.
    assert task.status == "completed"
    assert task.attempts == 2
    assert credits_balance(user=user) == 9


def test_reaper_fails_and_refunds_after_the_last_attempt(user, settings):
    settings.AICEPS_TASK_MAX_ATTEMPTS = 1
    task = create(user)
    task_claim(task_id=task.pk)
    TaskHistory.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks_reap_stuck() == {"requeued": 0, "failed": 1}
    task.refresh_from_db()
    assert (task.status, task.error_code) == ("failed", "worker_lost")
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


def test_reaper_leaves_live_tasks_alone(user):
    task = create(user)
    task_claim(task_id=task.pk)
    assert tasks_reap_stuck() == {"requeued": 0, "failed": 0}
    task.refresh_from_db()
    assert task.status == "processing"


def test_reaper_requeues_a_pending_task_whose_job_was_lost(
    user, settings, django_capture_on_commit_callbacks
):
    task = create(user)
    TaskHistory.objects.filter(pk=task.pk).update(
        updated_at=timezone.now()
        - timedelta(seconds=settings.AICEPS_LEASES.pending_rescue_seconds + 5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_reap_stuck()["requeued"] == 1
    task.refresh_from_db()
    assert task.status == "completed"


def test_unknown_provider_is_refused_before_charging(user):
    data = TaskInput(prompt="x", images=(read_upload(make_photo()),), image_provider="nope")

    with pytest.raises(ValidationError) as caught:
        task_create(user=user, data=data, enqueue=False)
    assert (caught.value.code, caught.value.param) == ("unknown_provider", "image_provider")
    assert credits_balance(user=user) == 10
    assert TaskHistory.objects.count() == 0


def test_a_failed_task_keeps_its_professional_prompt(user, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    task = task_run(task_id=create(user).pk)
    assert task.status == "failed"
    assert task.professional_prompt == "Professional prompt: 黑白"
    assert task.prompt_time_ms is not None
