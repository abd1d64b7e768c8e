"""Progress inside stage 2, as clients see it while the task runs: the v1 task events (an SSE
client over a real socket) of a local diffusers task carry "denoising, step i of N" and
preview URLs; the CLI prints the same on stderr, in order, as it happens."""

from __future__ import annotations

import io
import json
import threading
import time

import pytest
import requests
from django.core.management import call_command
from django_q.conf import Conf

from generation.models import TaskHistory
from generation.services import task_run
from tests.conftest import make_photo
from tests.fakes.http import http
from tests.fakes.sse import events

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.local_models]


@pytest.fixture
def diffusers(settings, tiny_sd):
    settings.AICEPS_DIFFUSERS_MODEL = str(tiny_sd)
    settings.AICEPS_DIFFUSERS_STEPS = 12
    settings.AICEPS_DIFFUSERS_STRENGTH = 1.0
    settings.AICEPS_DIFFUSERS_DEVICE = "cpu"
    settings.AICEPS_DIFFUSERS_SEED = 3
    return tiny_sd


def test_task_events_show_each_denoising_step_and_previews(
    asgi_server, token, diffusers, monkeypatch, settings
):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued: this test runs it once it watches
    # SQLite's shared poll, at a tick shorter than a tiny denoising step: at the default
    # 0.2 s a quiet machine runs all 12 steps between two ticks and the stream sees none.
    settings.AICEPS_NOTIFY_POLL_SECONDS = 0.01
    auth = {"Authorization": f"Bearer {token}"}
    photo = io.BytesIO(make_photo(64, 64))
    created = requests.post(
        f"{asgi_server.url}/api/v1/tasks",
        headers=auth,
        files={"image": ("p.jpg", photo, "image/jpeg")},
        data={"prompt": "snow", "image_provider": "diffusers"},
        timeout=30,
    )
    assert created.status_code == 202, created.text
    task_id = created.json()["id"]
    seen: dict = {}

    def follow():
        seen["answer"] = http(
            asgi_server.port, "GET", f"/api/v1/tasks/{task_id}/events", headers=auth, timeout=120
        )

    watcher = threading.Thread(target=follow)
    watcher.start()
    time.sleep(0.5)  # the stream is open and has sent the pending task
    task_run(task_id=task_id)
    watcher.join(timeout=120)
    stream = events(seen["answer"].body.decode())
    statuses = [data for name, data in stream if name == "status"]
    steps = [s["progress"] for s in statuses if s["progress"] and s["progress"]["steps"]]
    assert len(steps) >= 3, statuses
    assert {p["phase"] for p in steps} == {"denoising"} and {p["steps"] for p in steps} == {12}
    numbers = [p["step"] for p in steps]
    assert numbers == sorted(set(numbers)) and numbers[0] >= 1 and numbers[-1] <= 12
    previews = {p["preview_url"] for p in steps if p["preview_url"]}
    assert len(previews) >= 2  # each preview is a new file
    picture = requests.get(sorted(previews)[0], headers=auth, timeout=10)
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    assert stream[-1][0] == "end" and statuses[-1]["status"] == "completed"
    assert statuses[-1]["progress"] is None  # done: no progress left


def test_the_cli_prints_progress_as_it_happens(diffusers, tmp_path, capsys):
    photo = tmp_path / "p.png"
    photo.write_bytes(make_photo(64, 64, fmt="PNG"))
    call_command(
        "generate",
        "--image",
        str(photo),
        "--prompt",
        "snow",
        "--image-provider",
        "diffusers",
        "--prompt-writer",
        "template",
        "--output-dir",
        str(tmp_path / "out"),
    )
    captured = capsys.readouterr()
    assert json.loads(captured.out)["success"] is True
    lines = captured.err.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("stage 1/2"))
    second = next(i for i, line in enumerate(lines) if line.startswith("stage 2/2"))
    denoising = [i for i, line in enumerate(lines) if line.strip().startswith("denoising")]
    storing = lines.index("storing the result")
    assert first < second < denoising[0] and denoising[-1] < storing
    assert [lines[i].split()[1] for i in denoising] == [f"{n}/12" for n in range(1, 13)]
    assert sum("(preview)" in lines[i] for i in denoising) == 3
    assert TaskHistory.objects.get().status == "completed"
