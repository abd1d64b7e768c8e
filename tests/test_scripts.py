"""./scripts/run as a user meets it: it says what it does, serves, and stops whole."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process started under ``pid``, however deep (setsid'd ones included)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(script: str, tmp_path: Path, ready: str, **extra: str):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AICEPS_", "GEMINI_", "OPENAI_", "TEST_DATABASE"))
    }
    port = free_port()
    env.update(
        AICEPS_VAR_DIR=str(tmp_path / "var"),
        AICEPS_ENV_FILE=str(tmp_path / ".env"),
        AICEPS_BIND=f"127.0.0.1:{port}",
        **extra,
    )
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / script)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal would give it
    )
    lines: list[str] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if ready in line:
            break
    return process, port, lines


def stopped_whole(process, sent: signal.Signals) -> None:
    tier = descendants(process.pid)
    assert len(tier) >= 3  # the web server, the cluster and its workers
    os.killpg(process.pid, sent)  # the whole group, as `kill -TERM -PGID` or Ctrl-C do
    began = time.monotonic()
    process.wait(timeout=15)
    while any(alive(pid) for pid in tier) and time.monotonic() - began < 10:
        time.sleep(0.2)
    assert [pid for pid in tier if alive(pid)] == []
    assert time.monotonic() - began < 10


@pytest.fixture
def started(tmp_path):
    process, port, lines = start("run", tmp_path, "ready in")
    try:
        yield process, port, lines, tmp_path
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_run_talks_serves_and_stops_whole_on_sigterm(started):
    process, port, lines, folder = started
    output = "".join(lines)
    assert "aiceps: migrating the database" in output, output
    assert "ready in" in output and f"http://127.0.0.1:{port}/" in output, output
    assert (folder / ".env").read_text().startswith("# AicePS settings")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
        assert answer.status == 200
    stopped_whole(process, signal.SIGTERM)


def test_run_stops_whole_when_told_to_before_it_is_ready(tmp_path):
    """SIGTERM while the web server is still starting: the script had set its traps only
    after "ready", so a signal before then killed the script alone and left the worker and
    the web server running in their own sessions (a clean-clone run caught it)."""
    process, _, lines = start("run", tmp_path, "starting the worker and the web server")
    tier: set[int] = set()
    try:
        deadline = time.monotonic() + 30
        while len(tier) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
            tier = descendants(process.pid)
        stopped_whole(process, signal.SIGTERM)
        said = "".join(lines) + process.stdout.read()
        assert "ready in" not in said, said  # it was told before it was ready
    finally:
        for pid in [process.pid, *tier]:  # each in a session of its own, with its children
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)


def test_serve_stops_whole_on_ctrl_c(tmp_path):
    public = free_port()
    process, _, lines = start(
        "serve",
        tmp_path,
        "AicePS: http://",
        AICEPS_SERVE_SETTINGS="aiceps.settings.base",
        DJANGO_DEBUG="1",
        AICEPS_PUBLIC_PORT=str(public),
        WEB_CONCURRENCY="1",
    )
    try:
        assert "AicePS: http://" in "".join(lines), "".join(lines)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{public}/healthz", timeout=5):
                    break
            except OSError:
                time.sleep(0.3)
        stopped_whole(process, signal.SIGINT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
