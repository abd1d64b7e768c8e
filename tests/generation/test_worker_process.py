"""Tasks through a real ``qcluster`` process: delivery, a killed worker, the Redis broker."""

import socket

import pytest
from django.db import transaction
from django_q.conf import Conf

from accounts.selectors import credits_balance, credits_ledger_sum
from generation.imaging import read_upload
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, tasks_reap_stuck
from tests.conftest import make_photo
from tests.fakes.worker import Worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PROVIDERS = {
    "AICEPS_PROMPT_WRITER": "tests.fakes.providers.EchoPromptWriter",
    "AICEPS_IMAGE_PROVIDER": "tests.fakes.providers.InvertImageProvider",
}


@pytest.fixture(autouse=True)
def queued(settings, monkeypatch):
    """This process enqueues for real instead of running jobs inline."""
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_PROMPT_WRITER = PROVIDERS["AICEPS_PROMPT_WRITER"]
    settings.AICEPS_IMAGE_PROVIDER = PROVIDERS["AICEPS_IMAGE_PROVIDER"]


def submit(user) -> TaskHistory:
    with transaction.atomic():
        return task_create(
            user=user, data=TaskInput(prompt="黑白", images=(read_upload(make_photo()),))
        ).task


def status_of(task):
    task.refresh_from_db()
    return task.status


def test_a_task_runs_in_a_real_worker_process(user):
    task = submit(user)
    with Worker(**PROVIDERS):
        wait_for(lambda: status_of(task) == "completed", timeout=60)
    assert task.generated_image.name.endswith("generated-1.png")
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)


def test_a_killed_worker_never_leaves_the_task_stuck(user, settings):
    slow = {
        **PROVIDERS,
        "AICEPS_IMAGE_PROVIDER": "tests.fakes.providers.SlowInvertImageProvider",
        "AICEPS_QUEUE_TIMEOUT_SECONDS": "4",
        "AICEPS_QUEUE_RETRY_SECONDS": "6",
        "AICEPS_TASK_LEASE_SECONDS": "5",
    }
    task = submit(user)
    worker = Worker(**slow).start()
    try:
        wait_for(lambda: status_of(task) == "processing", timeout=60, interval=0.05)
    finally:
        worker.kill()  # kill -9 of the whole cluster while the model call runs
    assert status_of(task) == "processing"
    with Worker(**slow):
        final = wait_for(
            lambda: status_of(task) if status_of(task) in ("completed", "failed") else None,
            timeout=60,
        )
    assert task.attempts == 2
    assert final == "completed"
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)


def redis_answers() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_redis_broker_and_the_reaper_recover_a_lost_job(user, settings, monkeypatch):
    """Redis does not redeliver a dead worker's job; the reaper re-queues it."""
    import uuid

    from django_q.brokers import get_broker

    name = f"aiceps-test-{uuid.uuid4().hex[:8]}"
    redis_url = "redis://127.0.0.1:6379/15"
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", redis_url)
    monkeypatch.setattr(Conf, "PREFIX", name)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    broker = get_broker()
    env = {
        **PROVIDERS,
        "REDIS_URL": redis_url,
        "AICEPS_QUEUE_NAME": name,
        "AICEPS_IMAGE_PROVIDER": "tests.fakes.providers.SlowInvertImageProvider",
        "AICEPS_QUEUE_TIMEOUT_SECONDS": "4",
        "AICEPS_TASK_LEASE_SECONDS": "5",
    }
    settings.AICEPS_TASK_LEASE_SECONDS = 5
    settings.AICEPS_QUEUE_NAME = name  # the queue this process hands tasks to
    task = submit(user)
    worker = Worker(**env).start()
    try:
        wait_for(lambda: status_of(task) == "processing", timeout=60, interval=0.05)
    finally:
        worker.kill()
    with Worker(**env):
        wait_for(lambda: tasks_reap_stuck()["requeued"], timeout=30, interval=0.5)
        wait_for(lambda: status_of(task) == "completed", timeout=60)
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)
    broker.delete_queue()
