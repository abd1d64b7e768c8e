"""A provider is offered only while a worker of its queue group lives (the heartbeats every
qcluster records), and a task that no live worker would take is refused up front: 503
``no_worker`` from every entry point, with nothing stored, queued or charged."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance
from catalogue.providers import registry
from generation.liveness import forget_alive, group_served, queues_alive
from generation.models import TaskHistory, WorkerHeartbeat
from generation.services.workers import (
    NoWorkerError,
    provider_served,
    worker_beat,
    worker_gone,
    worker_queues,
    workers_check,
)
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db
INVERT = "tests.fakes.providers.InvertImageProvider"
ECHO = "tests.fakes.providers.EchoPromptWriter"
CODES = re.compile(r'data-error-codes="([^"]*)"')


@pytest.fixture
def checking(settings, monkeypatch, tmp_path):
    """Liveness checked as in production: jobs queued, heartbeats read on every question."""
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_WORKER_CHECK = True
    settings.AICEPS_WORKER_CHECK_SECONDS = 0
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_DIFFUSERS_MODEL = str(tmp_path / "model")  # set up, never loaded here
    forget_alive()
    yield settings
    forget_alive()


def beat(queue: str, *, age: float = 0.0) -> WorkerHeartbeat:
    seen = timezone.now() - timedelta(seconds=age)
    return WorkerHeartbeat.objects.create(
        queue=queue, host="test", pid=1, started_at=seen, seen_at=seen
    )


def test_with_jobs_run_inline_every_group_is_served(settings):
    settings.AICEPS_WORKER_CHECK = True
    assert Conf.SYNC is True  # the test settings
    assert not WorkerHeartbeat.objects.exists()
    assert group_served("local") and group_served("default")
    assert workers_check(image_providers=["diffusers", "offline"]) == ["diffusers", "offline"]


def test_a_group_is_served_while_a_worker_of_its_queue_beats(checking):
    local, default = checking.AICEPS_LOCAL_QUEUE_NAME, checking.AICEPS_QUEUE_NAME
    assert not provider_served("offline") and not provider_served("diffusers")
    beat(local, age=checking.AICEPS_LEASES.worker_stale_seconds + 1)  # a worker that went silent
    assert not provider_served("diffusers")
    cluster = uuid.uuid4()
    worker_beat(beat_id=cluster, queue=default, started_at=timezone.now())
    assert provider_served("offline") and provider_served(INVERT)
    assert not provider_served("diffusers")
    assert queues_alive() == {default}
    worker_gone(beat_id=cluster)  # stopped: its group is no longer offered
    assert not provider_served("offline")


def test_a_beat_renews_one_row_and_forgets_clusters_long_dead(checking):
    queue = checking.AICEPS_QUEUE_NAME
    dead = beat(queue, age=2 * 3600)
    cluster, started = uuid.uuid4(), timezone.now()
    worker_beat(beat_id=cluster, queue=queue, started_at=started)
    first = WorkerHeartbeat.objects.get(pk=cluster).seen_at
    worker_beat(beat_id=cluster, queue=queue, started_at=started)
    row = WorkerHeartbeat.objects.get(pk=cluster)
    assert row.seen_at > first and row.started_at == started
    assert list(WorkerHeartbeat.objects.values_list("pk", flat=True)) == [cluster]
    assert not WorkerHeartbeat.objects.filter(pk=dead.pk).exists()


def test_the_heartbeats_are_read_once_per_interval(checking, django_assert_num_queries):
    checking.AICEPS_WORKER_CHECK_SECONDS = 60
    with django_assert_num_queries(1):
        for _ in range(50):
            assert not provider_served("offline")
    beat(checking.AICEPS_QUEUE_NAME)
    with django_assert_num_queries(0):
        assert not provider_served("offline")  # what was read a moment ago
    forget_alive()
    with django_assert_num_queries(1):
        for _ in range(50):
            assert provider_served("offline")


def test_auto_takes_a_provider_that_a_live_worker_runs(checking, monkeypatch):
    # A table where a local-model provider comes first (the shipped one puts offline first).
    table = {"diffusers": registry.IMAGE_PROVIDERS["diffusers"], **registry.IMAGE_PROVIDERS}
    monkeypatch.setitem(registry.TABLES, "image_provider", table)
    checking.AICEPS_IMAGE_PROVIDER = "auto"
    assert registry.resolve_name(None, kind="image_provider") == "diffusers"  # none lives
    beat(checking.AICEPS_QUEUE_NAME)
    assert registry.resolve_name(None, kind="image_provider") == "offline"
    beat(checking.AICEPS_LOCAL_QUEUE_NAME)
    assert registry.resolve_name(None, kind="image_provider") == "diffusers"


def test_a_chain_keeps_the_providers_a_live_worker_runs(checking):
    beat(checking.AICEPS_QUEUE_NAME)
    assert workers_check(image_providers=["diffusers", "offline"]) == ["offline"]
    with pytest.raises(NoWorkerError) as caught:
        workers_check(image_providers=["diffusers"])
    assert (caught.value.code, caught.value.status, caught.value.retryable) == (
        "no_worker",
        503,
        True,
    )


def test_the_workers_take_the_local_queue_when_a_local_model_is_configured(settings):
    default, local = settings.AICEPS_QUEUE_NAME, settings.AICEPS_LOCAL_QUEUE_NAME
    settings.AICEPS_DIFFUSERS_MODEL = ""
    settings.AICEPS_IMAGE_PROVIDER = "auto"
    assert worker_queues() == [default]
    settings.AICEPS_IMAGE_PROVIDER = "diffusers"  # named, even before its model is set
    assert worker_queues() == [default, local]
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    settings.AICEPS_DIFFUSERS_MODEL = "/models/sd-turbo"  # clients may ask for it by name
    assert worker_queues() == [default, local]


# --- Refused up front, from every entry point ---------------------------------------------


def _upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_photo(), content_type="image/jpeg")


@pytest.fixture
def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    return client


def _nothing_happened(user, *, ledger: int) -> None:
    assert credits_balance(user=user) == 10
    assert CreditTransaction.objects.filter(account__user=user).count() == ledger
    assert not TaskHistory.objects.exists()
    assert not OrmQ.objects.exists()


def test_no_live_worker_is_503_no_worker_before_any_charge(
    checking, api, user, django_capture_on_commit_callbacks
):
    checking.AICEPS_IMAGE_PROVIDER = INVERT
    ledger = CreditTransaction.objects.filter(account__user=user).count()
    answer = api.post("/api/v1/tasks", {"image": _upload(), "prompt": "黑白"}, format="multipart")
    assert answer.status_code == 503, answer.content
    error = answer.json()["error"]
    assert error["code"] == "no_worker" and "worker" in error["message"]
    assert int(answer["Retry-After"]) > 0
    seed = api.post(
        "/api/custom-image-generation", {"image": _upload(), "prompt": "黑白"}, format="multipart"
    )
    assert seed.status_code == 503 and seed.json()["error"]["code"] == "no_worker"
    assert seed.json()["success"] is False and seed.json()["message"]
    edits = api.post(
        "/v1/images/edits", {"image[]": [_upload()], "prompt": "黑白"}, format="multipart"
    )
    assert edits.status_code == 503
    assert (edits.json()["error"]["code"], edits.json()["error"]["type"]) == (
        "no_worker",
        "server_error",
    )
    page = Client()
    page.force_login(user)
    form = page.post("/new/", {"images": [_upload()], "prompt": "黑白", "task_type": "edit"})
    assert form.status_code == 503
    assert CODES.search(form.content.decode()).group(1) == "no_worker"
    assert "No worker is running this server&#x27;s image model now." in form.content.decode()
    _nothing_happened(user, ledger=ledger)

    beat(checking.AICEPS_QUEUE_NAME)  # a worker starts: the same request is taken
    with django_capture_on_commit_callbacks(execute=True):  # queued once committed
        answer = api.post(
            "/api/v1/tasks", {"image": _upload(), "prompt": "黑白"}, format="multipart"
        )
    assert answer.status_code == 202, answer.content
    assert OrmQ.objects.filter(key=checking.AICEPS_QUEUE_NAME).count() == 1
    assert credits_balance(user=user) == 10 - TaskHistory.objects.get().credits_deducted


def test_a_local_model_without_its_worker_is_refused_and_not_offered(checking, api, user):
    checking.AICEPS_IMAGE_PROVIDER = "diffusers"
    beat(checking.AICEPS_QUEUE_NAME)  # only the default group's worker runs
    ledger = CreditTransaction.objects.filter(account__user=user).count()
    answer = api.post("/api/v1/tasks", {"image": _upload(), "prompt": "a watercolour"})
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "no_worker"
    assert answer.json()["error"]["image_provider"] == "diffusers"
    _nothing_happened(user, ledger=ledger)

    models = [entry["id"] for entry in api.get("/v1/models").json()["data"]]
    assert "offline" in models and "diffusers" not in models
    page = Client()
    page.force_login(user)
    html = page.get("/new/").content.decode()
    notice = re.search(
        r'<div class="error-box" role="status" id="no-worker"[^>]*>.*?</div>', html, re.S
    )
    assert notice and 'data-providers="diffusers"' in notice.group(0)
    assert "no worker is running it" in notice.group(0)
    radios = re.findall(r'<input type="radio" name="task_type"[^>]*>', html)
    assert radios and all("disabled" in radio for radio in radios)
    chinese = page.get("/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "图像模型（diffusers）当前不可用" in chinese

    beat(checking.AICEPS_LOCAL_QUEUE_NAME)  # the local worker starts
    models = [entry["id"] for entry in api.get("/v1/models").json()["data"]]
    assert "diffusers" in models
    html = page.get("/new/").content.decode()
    assert 'id="no-worker"' not in html
    radios = re.findall(r'<input type="radio" name="task_type" id="task-type-edit"[^>]*>', html)
    assert radios and "disabled" not in radios[0]


def test_readiness_shows_which_offered_queues_have_a_live_worker(checking, client):
    checking.AICEPS_DIFFUSERS_MODEL = ""
    assert client.get("/readyz").json()["checks"]["broker"]["workers"] == {"aiceps": False}
    beat(checking.AICEPS_QUEUE_NAME)
    checking.AICEPS_DIFFUSERS_MODEL = "/models/sd-turbo"
    workers = client.get("/readyz").json()["checks"]["broker"]["workers"]
    assert workers == {"aiceps": True, "aiceps-local": False}
