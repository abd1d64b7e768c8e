"""Tasks go to the workers of their provider's group: local models (torch, a GPU) to the
local-model queue, everything else to the default queue; two clusters share one broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from generation.models import TaskHistory, WorkerHeartbeat
from generation.services import queue_for
from tests.fakes.worker import ROOT, Worker, database_url, wait_for


def test_each_provider_group_has_its_queue(settings):
    assert queue_for("diffusers") == settings.AICEPS_LOCAL_QUEUE_NAME == "aiceps-local"
    for name in ("offline", "gemini", "openai", "tests.fakes.providers.InvertImageProvider"):
        assert queue_for(name) == settings.AICEPS_QUEUE_NAME


NO_TORCH_WEB = textwrap.dedent(
    """
    import sys

    class NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "diffusers", "transformers", "accelerate"):
                raise ModuleNotFoundError(f"No module named {name!r}")

    sys.meta_path.insert(0, NotInstalled())
    import django

    django.setup()
    from accounts.models import User
    from catalogue.imaging import inspect_upload
    from generation.services import TaskInput, task_create
    from tests.conftest import make_photo

    user = User.objects.get(pk=int(sys.argv[1]))
    data = TaskInput(
        prompt="a watercolour", images=(inspect_upload(make_photo()),), image_provider="diffusers"
    )
    task = task_create(user=user, data=data).task
    print(task.pk, task.status, "torch" in sys.modules)
    """
)


def _web_env(model_dir, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aiceps.settings.base",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "AICEPS_DIFFUSERS_MODEL": str(model_dir),
        "AICEPS_PROMPT_WRITER": "tests.fakes.providers.EchoPromptWriter",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def _model_index(directory, class_name="StableDiffusionPipeline"):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model_index.json").write_text(json.dumps({"_class_name": class_name}))
    return directory


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_web_process_without_torch_accepts_a_local_model_task(user, tmp_path, settings):
    model = _model_index(tmp_path / "model")
    env = _web_env(model)
    now = timezone.now()  # a worker of the local queue lives (elsewhere): the task is taken
    WorkerHeartbeat.objects.create(
        queue=settings.AICEPS_LOCAL_QUEUE_NAME, started_at=now, seen_at=now
    )
    done = subprocess.run(
        [sys.executable, "-c", NO_TORCH_WEB, str(user.pk)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    task_id, status, torch_loaded = done.stdout.split()
    assert (status, torch_loaded) == ("pending", "False")
    job = OrmQ.objects.get()
    assert job.key == settings.AICEPS_LOCAL_QUEUE_NAME
    # A worker of the default group, on the same broker, never takes it.
    with Worker(AICEPS_DIFFUSERS_MODEL=str(model)):
        time.sleep(4)
    assert TaskHistory.objects.get(pk=task_id).status == "pending"
    assert OrmQ.objects.filter(key=settings.AICEPS_LOCAL_QUEUE_NAME).count() == 1


@pytest.mark.slow
@pytest.mark.local_models
@pytest.mark.django_db(transaction=True)
def test_only_a_local_model_worker_runs_it(user, tmp_path, settings, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from tests.fakes.tiny_diffusers import save_tiny_sd

    monkeypatch.setattr(Conf, "SYNC", False)
    model = save_tiny_sd(tmp_path / "tiny-sd", tmp_path / "tokenizer")
    settings.AICEPS_DIFFUSERS_MODEL = str(model)
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    from django.db import transaction

    from catalogue.imaging import inspect_upload
    from generation.services import TaskInput, task_create
    from tests.conftest import make_photo

    with transaction.atomic():
        data = TaskInput(
            prompt="a watercolour",
            images=(inspect_upload(make_photo()),),
            image_provider="diffusers",
        )
        task = task_create(user=user, data=data).task
    offline = TaskInput(prompt="黑白", images=(inspect_upload(make_photo()),))
    with transaction.atomic():
        other = task_create(user=user, data=offline).task
    local = {
        "Q_CLUSTER_NAME": settings.AICEPS_LOCAL_QUEUE_NAME,
        "AICEPS_DIFFUSERS_MODEL": str(model),
        "AICEPS_DIFFUSERS_STEPS": "2",
        "AICEPS_DIFFUSERS_DEVICE": "cpu",
        "AICEPS_PROMPT_WRITER": "tests.fakes.providers.EchoPromptWriter",
    }
    with Worker(**local):
        wait_for(lambda: TaskHistory.objects.get(pk=task.pk).is_final, timeout=180, interval=0.5)
    assert TaskHistory.objects.get(pk=task.pk).status == "completed"
    assert TaskHistory.objects.get(pk=other.pk).status == "pending"  # not the local group's
    with Worker(AICEPS_PROMPT_WRITER="tests.fakes.providers.EchoPromptWriter"):
        wait_for(lambda: TaskHistory.objects.get(pk=other.pk).is_final, timeout=60)
    assert TaskHistory.objects.get(pk=other.pk).status == "completed"


@pytest.mark.django_db(transaction=True)
def test_enqueueing_reuses_one_broker_and_keeps_the_callers_connection(monkeypatch, settings):
    from django.db import connection

    from generation.services.queue import _broker, enqueue_job

    monkeypatch.setattr(Conf, "SYNC", False)  # really enqueue, do not run
    cluster = settings.AICEPS_QUEUE_NAME
    connection.ensure_connection()
    held = connection.connection
    for n in range(2):
        enqueue_job("math.floor", 1.5, name=f"probe-{n}", cluster=cluster)
    assert connection.connection is held  # not closed and reopened by the broker
    assert _broker(cluster) is _broker(cluster)
    assert OrmQ.objects.filter(key=cluster).count() == 2
