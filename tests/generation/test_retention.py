"""Retention: a task's files are deleted some days after it ended (the deployment's period or
the user's own); the record keeps its words and numbers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import RetentionOverride
from catalogue.imaging import inspect_upload
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, task_run, tasks_expire_files
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"


def finished_task(user, days_ago: int) -> TaskHistory:
    data = TaskInput(prompt="黑白", task_type="filter", images=(inspect_upload(make_photo()),))
    task = task_run(task_id=task_create(user=user, data=data, enqueue=False).task.pk)
    ended = timezone.now() - timedelta(days=days_ago)
    TaskHistory.objects.filter(pk=task.pk).update(completed_at=ended)
    task.refresh_from_db()
    return task


def files_of(task, settings) -> list[Path]:
    from generation.files import TaskFiles

    return [Path(settings.MEDIA_ROOT) / name for name in TaskFiles(task).all()]


def test_files_past_the_period_go_and_the_record_stays(settings, user, client):
    settings.AICEPS_RETENTION_DAYS = 30
    old, recent = finished_task(user, 40), finished_task(user, 10)
    old_files = files_of(old, settings)
    assert old_files and all(path.exists() for path in old_files)

    assert tasks_expire_files() == 1

    assert not any(path.exists() for path in old_files)
    assert all(path.exists() for path in files_of(recent, settings))
    old.refresh_from_db()
    assert old.files_expired_at is not None and old.generated_image.name == ""
    assert (old.prompt, old.credits_deducted, old.status) == ("黑白", 1, "completed")
    assert old.professional_prompt and old.tokens_used == 10
    assert tasks_expire_files() == 0  # once
    client.force_login(user)
    payload = client.get(f"/history/{old.pk}/status.json").json()
    assert payload["generated_image_url"] is None and payload["files_expired_at"]


def test_nothing_expires_without_a_period(settings, user):
    settings.AICEPS_RETENTION_DAYS = 0
    task = finished_task(user, 4000)

    assert tasks_expire_files() == 0
    assert all(path.exists() for path in files_of(task, settings))


def test_a_user_may_have_a_period_of_their_own(settings, user, other_user):
    settings.AICEPS_RETENTION_DAYS = 30
    RetentionOverride.objects.create(user=user, days=5)
    RetentionOverride.objects.create(user=other_user, days=0)
    mine, theirs = finished_task(user, 10), finished_task(other_user, 400)

    assert tasks_expire_files() == 1

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.files_expired_at is not None and theirs.files_expired_at is None


def test_the_job_is_scheduled():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="generation.tasks.expire_task_files")
    assert schedule.minutes == 60 and schedule.repeats == -1
    assert Schedule.objects.filter(func="webhooks.tasks.deliver_due", minutes=1).exists()
