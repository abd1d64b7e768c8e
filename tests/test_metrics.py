"""/metrics: counters that move when tasks run through the API, gauges read at scrape time,
the token, and several processes adding up through PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from generation.models import TaskHistory
from tests.conftest import make_photo

ROOT = Path(__file__).resolve().parent.parent
ECHO = "tests.fakes.providers.EchoPromptWriter"
INVERT = "tests.fakes.providers.InvertImageProvider"
FAILING = "tests.fakes.providers.FailingImageProvider"


TOKEN = "metrics-token-for-tests"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    """Metrics need a token outside development (tests run with DEBUG off)."""
    settings.AICEPS_METRICS_TOKEN = TOKEN


def scrape(client, **headers) -> dict[tuple, float]:
    headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {TOKEN}")
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, *sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, *sorted(labels.items())), 0.0)


@pytest.fixture
def api(user, settings, django_capture_on_commit_callbacks):
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_IMAGE_PROVIDER = INVERT

    class RunningClient(APIClient):  # runs on-commit hooks: the test queue runs tasks inline
        def generic(self, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return super().generic(*args, **kwargs)

    client = RunningClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    return client


def submit(api, prompt="黑白"):
    photo = io.BytesIO(make_photo())
    photo.name = "photo.jpg"
    response = api.post("/api/v1/tasks", {"image": photo, "prompt": prompt}, format="multipart")
    assert response.status_code == 202, response.json()
    return response.json()


@pytest.mark.django_db
def test_task_metrics_move_when_a_task_runs_through_the_api(api, client, settings):
    before = scrape(client)
    body = submit(api)
    assert api.get(f"/api/v1/tasks/{body['id']}").json()["status"] == "completed"
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("aiceps_task_transitions_total", status="pending") == 1
    assert moved("aiceps_task_transitions_total", status="completed") == 1
    assert moved("aiceps_credits_charged_total") == 1
    for stage, provider in (("prompt", "echo-writer"), ("image", "invert")):
        count = "aiceps_task_stage_duration_seconds_count"
        assert moved(count, stage=stage, provider=provider, outcome="ok") == 1
    for stage in ("queue", "storing", "total"):
        labels = {"stage": stage, "provider": "invert", "outcome": "completed"}
        assert moved("aiceps_task_stage_duration_seconds_count", **labels) == 1
    assert value(after, "aiceps_tasks", status="completed") == 1  # read from the database
    assert value(after, "aiceps_tasks", status="pending") == 0
    route = {"route": "/api/v1/tasks", "method": "POST", "status": "202"}
    assert moved("aiceps_http_request_duration_seconds_count", **route) == 1
    detail = {"route": "/api/v1/tasks/<str:task_id>", "method": "GET", "status": "200"}
    assert moved("aiceps_http_request_duration_seconds_count", **detail) == 1
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert body["id"] not in text  # routes, never raw paths

    settings.AICEPS_IMAGE_PROVIDER = FAILING
    submit(api, prompt="fails")
    failed = scrape(client)
    assert (
        value(failed, "aiceps_task_transitions_total", status="failed")
        - value(after, "aiceps_task_transitions_total", status="failed")
        == 1
    )
    errors = "aiceps_provider_errors_total"
    labels = {"provider": "failing", "code": "content_blocked"}
    assert value(failed, errors, **labels) - value(after, errors, **labels) == 1
    refunded = "aiceps_credits_refunded_total"
    assert value(failed, refunded) - value(after, refunded) == 1
    assert value(failed, "aiceps_dependency_up", dependency="database") == 1


@pytest.mark.django_db
def test_queue_gauges_read_the_broker_and_the_pending_tasks(client, user):
    now = timezone.now()
    OrmQ.objects.create(key=Conf.CLUSTER_NAME, payload="x", lock=now - timedelta(seconds=30))
    OrmQ.objects.create(key=Conf.CLUSTER_NAME, payload="y", lock=now - timedelta(seconds=5))
    OrmQ.objects.create(key=Conf.CLUSTER_NAME, payload="z", lock=now + timedelta(minutes=5))
    task = TaskHistory.objects.create(user=user, prompt="waiting")
    TaskHistory.objects.filter(pk=task.pk).update(created_at=now - timedelta(seconds=90))
    samples = scrape(client)
    assert value(samples, "aiceps_queue_depth") == 2  # the third is taken by a worker
    assert 29 <= value(samples, "aiceps_queue_oldest_age_seconds") < 60
    assert value(samples, "aiceps_tasks", status="pending") == 1
    assert 89 <= value(samples, "aiceps_tasks_oldest_pending_age_seconds") < 120


@pytest.mark.django_db
def test_metrics_need_the_token_when_one_is_set(client, settings):
    settings.AICEPS_METRICS_TOKEN = "metrics-token-123"
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic metrics-token-123").status_code == 401
    samples = scrape(client, HTTP_AUTHORIZATION="Bearer metrics-token-123")
    assert value(samples, "aiceps_dependency_up", dependency="database") == 1


def _python(code: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_processes_add_up_through_the_multiprocess_directory(tmp_path):
    """Two worker processes count; a third (the web worker answering the scrape) sums them."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    env["DJANGO_SETTINGS_MODULE"] = "aiceps.settings.test"
    (tmp_path / "prom").mkdir()
    count = """
        from core import metrics
        metrics.TASK_TRANSITIONS.labels("completed").inc()
        metrics.STORAGE_FALLBACKS.inc(2)
        metrics.TASK_STAGE_DURATION.labels("image", "invert", "ok").observe(1.5)
    """
    _python(count, env)
    _python(count, env)
    scrape = """
        import django
        django.setup()
        from operations import collectors
        print(collectors.render().decode())
    """
    text = _python(scrape, env)
    samples = {
        (s.name, *sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("aiceps_task_transitions_total", ("status", "completed"))] == 2
    assert samples[("aiceps_storage_fallbacks_total",)] == 4
    key = ("aiceps_task_stage_duration_seconds_count",)
    labels = (("outcome", "ok"), ("provider", "invert"), ("stage", "image"))
    assert samples[(*key, *labels)] == 2
    # The scrape-time gauges come along; this database has no tables, so no task gauges.
    assert ("aiceps_dependency_up", ("dependency", "database")) in samples
    # Files of processes that ended are removed at start; a live process's stay.
    dead = sorted(p.name for p in (tmp_path / "prom").iterdir())
    live = tmp_path / "prom" / f"counter_{os.getpid()}.db"
    live.write_bytes(b"")
    cleaned = _python(
        "from operations import multiprocess; print(multiprocess.clean_multiprocess_dir())", env
    )
    assert int(cleaned) == len(dead) >= 4  # two processes, a counter and a histogram file each
    left = {p.name for p in (tmp_path / "prom").iterdir()}
    assert live.name in left
    assert not left & set(dead)


def test_without_a_token_metrics_are_open_in_development_only(client, settings):
    settings.AICEPS_METRICS_TOKEN = ""
    settings.DEBUG = True
    assert client.get("/metrics").status_code == 200
    settings.DEBUG = False
    closed = client.get("/metrics")
    assert closed.status_code == 401
    assert "AICEPS_METRICS_TOKEN" in closed.json()["error"]["message"]
