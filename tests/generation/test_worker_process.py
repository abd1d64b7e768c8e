"""Tasks through real ``qcluster`` processes: delivery, and recovery when a worker or the whole
cluster is killed (``kill -9``), on the ORM and the Redis broker.

A running worker renews its task's lease while it runs; the reaper in every cluster looks for
lapsed ones. So a task whose worker died runs again once its lease lapses, and every task ends
with the ledger intact. Here the lease is 4 s (renewed every second, the reaper every half
second, the model call 2 s); with production's 30 s lease (renewed every 10 s, the reaper
every 5 s, an 8 s model call) ``python bench/faults.py`` runs these tests and reports what
they measured: about half a minute per lost task."""

import os
import signal
import time
import uuid

import pytest
from django.db import transaction
from django_q.conf import Conf

from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.imaging import inspect_upload
from generation.models import TaskHistory
from generation.services import TaskInput, task_create
from tests.conftest import make_photo
from tests.fakes.figures import record_figure
from tests.fakes.redis_target import TEST_REDIS_URL, redis_answers
from tests.fakes.worker import Worker, fault_timings, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PROVIDERS = {
    "AICEPS_PROMPT_WRITER": "tests.fakes.providers.EchoPromptWriter",
    "AICEPS_IMAGE_PROVIDER": "tests.fakes.providers.InvertImageProvider",
}
TIMINGS = fault_timings()
SLOW = {
    **PROVIDERS,
    **TIMINGS.env(),
    "AICEPS_IMAGE_PROVIDER": "tests.fakes.providers.PidWritingImageProvider",
}


@pytest.fixture(autouse=True)
def queued(settings, monkeypatch):
    """This process enqueues for real instead of running jobs inline."""
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_PROMPT_WRITER = PROVIDERS["AICEPS_PROMPT_WRITER"]
    settings.AICEPS_IMAGE_PROVIDER = PROVIDERS["AICEPS_IMAGE_PROVIDER"]


@pytest.fixture(params=["orm", "redis"])
def broker(request, settings, monkeypatch):
    """Environment for the workers, and this process's queue settings, per broker."""
    if request.param == "orm":
        yield {}
        return
    if not redis_answers():
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    name = f"aiceps-test-{uuid.uuid4().hex[:8]}"
    url = TEST_REDIS_URL
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", url)
    monkeypatch.setattr(Conf, "PREFIX", name)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    settings.REDIS_URL = url
    settings.AICEPS_QUEUE_NAME = name
    yield {"REDIS_URL": url, "AICEPS_QUEUE_NAME": name}
    from django_q.brokers import get_broker

    get_broker().delete_queue()


def submit(user, settings, provider: str) -> TaskHistory:
    settings.AICEPS_IMAGE_PROVIDER = provider
    with transaction.atomic():
        return task_create(
            user=user, data=TaskInput(prompt="黑白", images=(inspect_upload(make_photo()),))
        ).task


def status_of(task):
    task.refresh_from_db()
    return task.status


def test_a_task_runs_in_a_real_worker_process(user, settings, broker):
    task = submit(user, settings, PROVIDERS["AICEPS_IMAGE_PROVIDER"])
    with Worker(**PROVIDERS, **broker):
        wait_for(lambda: status_of(task) == "completed", timeout=60)
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)


def _running_pid(path) -> int:
    wait_for(lambda: path.exists() and path.read_text().strip(), timeout=60, interval=0.05)
    return int(path.read_text().split()[-1])


def test_a_killed_worker_process_costs_its_task_one_lease(user, settings, broker, tmp_path):
    pids = tmp_path / "pids"
    task = submit(user, settings, SLOW["AICEPS_IMAGE_PROVIDER"])
    with Worker(**SLOW, **broker, AICEPS_TEST_PID_FILE=str(pids)):
        os.kill(_running_pid(pids), signal.SIGKILL)  # the worker in the middle of the model call
        killed = time.monotonic()
        wait_for(
            lambda: status_of(task) in ("completed", "failed"),
            timeout=TIMINGS.bound() + 30,
            interval=0.25,
        )
        recovered = time.monotonic() - killed
    record_figure("a killed worker's task final", recovered, broker="redis" if broker else "orm")
    assert status_of(task) == "completed" and task.attempts == 2
    assert TIMINGS.lease - TIMINGS.renew < recovered < TIMINGS.bound()  # its lease lapsed
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)


def test_a_killed_cluster_leaves_nothing_stuck(user, settings, broker, tmp_path):
    pids = tmp_path / "pids"
    tasks = [submit(user, settings, SLOW["AICEPS_IMAGE_PROVIDER"]) for _ in range(3)]
    worker = Worker(**SLOW, **broker, AICEPS_TEST_PID_FILE=str(pids)).start()
    try:
        _running_pid(pids)
    finally:
        worker.kill()  # kill -9 of every process of the cluster while a model call runs
    killed = time.monotonic()
    assert any(status_of(task) == "processing" for task in tasks)
    with Worker(**SLOW, **broker):
        wait_for(
            lambda: all(status_of(task) in ("completed", "failed") for task in tasks),
            timeout=TIMINGS.bound(calls=3) + 30,
            interval=0.25,
        )
        recovered = time.monotonic() - killed
    record_figure(
        "a killed cluster's 3 tasks all final", recovered, broker="redis" if broker else "orm"
    )
    assert [status_of(task) for task in tasks] == ["completed"] * 3
    assert TIMINGS.lease - TIMINGS.renew < recovered < TIMINGS.bound(calls=3)
    assert credits_balance(user=user) == 7 == credits_ledger_sum(user=user)
