"""A waiter in this process wakes when a worker in another process changes its task, through
each notification channel: one shared poll (SQLite), LISTEN/NOTIFY (PostgreSQL) and Redis
pub/sub. With the two real channels the safety poll is set far off, so only the message can
have woken the waiter in time."""

from __future__ import annotations

import time
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.db import connection, transaction
from django_q.conf import Conf

from catalogue.imaging import inspect_upload
from generation.live.waiting import wait_for_task
from generation.services import TaskInput, task_create
from tests.conftest import make_photo
from tests.fakes.redis_target import TEST_REDIS_URL, redis_answers
from tests.fakes.worker import Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
SLOW = {
    "AICEPS_PROMPT_WRITER": "tests.fakes.providers.EchoPromptWriter",
    "AICEPS_IMAGE_PROVIDER": "tests.fakes.providers.SlowInvertImageProvider",
}


@pytest.fixture
def queued(monkeypatch, settings):
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_PROMPT_WRITER = SLOW["AICEPS_PROMPT_WRITER"]
    settings.AICEPS_IMAGE_PROVIDER = SLOW["AICEPS_IMAGE_PROVIDER"]


def submit(user):
    with transaction.atomic():
        data = TaskInput(prompt="黑白", images=(inspect_upload(make_photo()),))
        return task_create(user=user, data=data).task


def wait_and_measure(task, *, timeout: float = 60.0):
    started = time.monotonic()
    final = async_to_sync(wait_for_task)(task.pk, timeout=timeout)
    woke = time.time()
    return final, woke - final.completed_at.timestamp(), time.monotonic() - started


def test_sqlite_waiters_share_one_poll(user, queued, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the shared poll is the SQLite channel")
    settings.AICEPS_NOTIFY_BACKEND = "poll"
    settings.AICEPS_NOTIFY_POLL_SECONDS = 0.2
    task = submit(user)
    with Worker(**SLOW, AICEPS_NOTIFY_BACKEND="poll"):
        final, late, _ = wait_and_measure(task)
    assert final.status == "completed"
    assert late < 1.5  # one poll tick, plus the read


def test_postgres_listen_wakes_the_waiter(user, queued, settings):
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (the suite's second run)")
    settings.AICEPS_NOTIFY_BACKEND = "postgres"
    settings.AICEPS_NOTIFY_SAFETY_POLL_SECONDS = 120
    task = submit(user)
    with Worker(**SLOW, AICEPS_NOTIFY_BACKEND="postgres"):
        final, late, _ = wait_and_measure(task)
    assert final.status == "completed"
    assert late < 1.0  # the safety poll is two minutes away: NOTIFY woke it


@pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {TEST_REDIS_URL}")
def test_redis_pubsub_wakes_the_waiter(user, queued, settings, monkeypatch):
    name = f"aiceps-test-{uuid.uuid4().hex[:8]}"
    redis_url = TEST_REDIS_URL
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", redis_url)
    monkeypatch.setattr(Conf, "PREFIX", name)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    settings.REDIS_URL = redis_url
    settings.AICEPS_QUEUE_NAME = name
    settings.AICEPS_NOTIFY_BACKEND = "redis"
    settings.AICEPS_NOTIFY_SAFETY_POLL_SECONDS = 120
    task = submit(user)
    env = {**SLOW, "REDIS_URL": redis_url, "AICEPS_QUEUE_NAME": name}
    with Worker(**env, AICEPS_NOTIFY_BACKEND="redis"):
        final, late, _ = wait_and_measure(task)
    assert final.status == "completed"
    assert late < 1.0
    from django_q.brokers import get_broker

    get_broker().delete_queue()
