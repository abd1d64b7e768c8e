"""``./scripts/run``'s workers, as real processes: ``manage.py workers`` (the line scripts/run
runs) starts a cluster of the local-model queue when a local model is configured, and it
completes a diffusers task; once they stop, the same request is refused with 503
``no_worker`` and nothing charged.

Running all of ``./scripts/run`` here would install a virtualenv and serve uvicorn; its
workers are this one command, so the test runs that command with the test database."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys

import pytest
from django.db import transaction
from django_q.conf import Conf
from PIL import Image

from accounts.selectors import credits_balance
from catalogue.imaging import inspect_upload
from generation.liveness import forget_alive
from generation.models import TaskHistory, WorkerHeartbeat
from generation.services import TaskInput, task_create
from generation.services.workers import NoWorkerError, provider_served
from generation.storage import read_bytes
from tests.conftest import make_photo
from tests.fakes.worker import ROOT, Worker, wait_for

ECHO = "tests.fakes.providers.EchoPromptWriter"


def test_scripts_run_starts_its_workers_with_this_command():
    lines = [
        line.strip()
        for line in (ROOT / "scripts" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert "tier_start workers python manage.py workers" in lines
    assert not [line for line in lines if re.search(r"\bqcluster\b", line)]


def submit(user) -> TaskHistory:
    data = TaskInput(prompt="a watercolour", images=(inspect_upload(make_photo(64, 64)),))
    with transaction.atomic():
        return task_create(user=user, data=data).task


@pytest.mark.slow
@pytest.mark.local_models
@pytest.mark.django_db(transaction=True)
def test_the_workers_of_scripts_run_complete_a_diffusers_task(
    user, tmp_path, settings, monkeypatch
):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from tests.fakes.tiny_diffusers import save_tiny_sd

    model = save_tiny_sd(tmp_path / "tiny-sd", tmp_path / "tokenizer")
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_WORKER_CHECK = True
    settings.AICEPS_WORKER_CHECK_SECONDS = 0
    settings.AICEPS_DIFFUSERS_MODEL = str(model)
    settings.AICEPS_IMAGE_PROVIDER = "diffusers"
    settings.AICEPS_PROMPT_WRITER = ECHO
    forget_alive()
    with pytest.raises(NoWorkerError):
        submit(user)
    env = Worker(
        AICEPS_DIFFUSERS_MODEL=str(model),
        AICEPS_DIFFUSERS_STEPS="2",
        AICEPS_DIFFUSERS_DEVICE="cpu",
        AICEPS_IMAGE_PROVIDER="diffusers",
        AICEPS_PROMPT_WRITER=ECHO,
        AICEPS_REAPER_SECONDS="0.5",  # the heartbeat's period: shows up within a second
    ).env
    log = (tmp_path / "workers.log").open("wb")
    workers = subprocess.Popen(
        [sys.executable, "manage.py", "workers"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(
            lambda: provider_served("diffusers") and provider_served("offline"),
            timeout=120,
            interval=0.5,
        )
        queues = set(WorkerHeartbeat.objects.values_list("queue", flat=True))
        assert queues == {settings.AICEPS_QUEUE_NAME, settings.AICEPS_LOCAL_QUEUE_NAME}
        task = submit(user)
        wait_for(lambda: TaskHistory.objects.get(pk=task.pk).is_final, timeout=240, interval=0.5)
        task.refresh_from_db()
        assert task.status == "completed", (task.error_code, task.error_detail)
        assert task.image_provider == "diffusers"
        result = Image.open(io.BytesIO(read_bytes(task.generated_image.name)))
        assert result.size[0] > 0 and result.getextrema() != ((0, 0), (0, 0), (0, 0))
        assert credits_balance(user=user) == 10 - task.credits_deducted
        workers.send_signal(signal.SIGTERM)
        assert workers.wait(timeout=90) == 0
    finally:
        if workers.poll() is None:
            os.killpg(workers.pid, signal.SIGKILL)
            workers.wait(timeout=10)
        log.close()
    assert not WorkerHeartbeat.objects.exists()  # each cluster removed its own on the way out
    balance = credits_balance(user=user)
    with pytest.raises(NoWorkerError):
        submit(user)
    assert credits_balance(user=user) == balance
    assert TaskHistory.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_when_one_cluster_dies_the_workers_stop_the_rest_and_fail(tmp_path, settings):
    """No half-served setup: scripts/run's web server would otherwise offer nothing of the
    dead cluster's queue and never say why."""
    env = Worker(
        AICEPS_IMAGE_PROVIDER="offline",
        AICEPS_DIFFUSERS_MODEL=str(tmp_path / "model"),  # the local queue too (no torch used)
        AICEPS_REAPER_SECONDS="0.5",
    ).env
    workers = subprocess.Popen(
        [sys.executable, "manage.py", "workers"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = settings.AICEPS_LOCAL_QUEUE_NAME
    try:
        wait_for(lambda: WorkerHeartbeat.objects.count() == 2, timeout=120, interval=0.5)
        os.kill(WorkerHeartbeat.objects.get(queue=local).pid, signal.SIGKILL)
        assert workers.wait(timeout=60) == 1
        # The other cluster was stopped, cleanly: only the killed one's row is left (stale).
        assert list(WorkerHeartbeat.objects.values_list("queue", flat=True)) == [local]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(workers.pid, signal.SIGKILL)  # the killed cluster's orphans
        if workers.poll() is None:
            workers.wait(timeout=10)
