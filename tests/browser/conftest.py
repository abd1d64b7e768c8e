"""Browser tests: Debian's chromium driven by Playwright against a live server, with a real
django-q2 cluster (``manage.py qcluster``) running the tasks from the same test database.

Skipped, with the reason, when chromium or Playwright is missing or the tests run on
PostgreSQL (the cluster is pointed at the SQLite test database file).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(settings.BASE_DIR)
SCREENSHOTS = ROOT / "screenshots"


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return (
            "Debian's chromium is not installed at /usr/bin/chromium "
            "(apt-get install -y --no-install-recommends chromium)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return "browser tests run on SQLite only (the worker opens the SQLite test database file)"
    return None


@pytest.fixture
def allow_orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
    # calls from the test ("SynchronousOnlyOperation"); the calls here are plain sync code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(allow_orm_beside_playwright):
    """A headless chromium, per test: Playwright's event loop must not outlive the test, or
    every later test of the session would be refused the ORM."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def enqueue_to_broker(monkeypatch):
    """The live server queues tasks on the ORM broker instead of running them inline
    (test settings run django-q in sync mode; ``Conf`` is read at import time)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


@pytest.fixture
def worker_env() -> dict[str, str]:
    """More environment for the worker; a test module overrides this fixture to run, say,
    the local-model queue with another image provider."""
    return {}


@pytest.fixture
def worker(live_server, enqueue_to_broker, tmp_path, worker_env):
    """A real ``manage.py qcluster`` on the test database and media folder."""
    from django.db import connection

    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    database = Path(connection.settings_dict["NAME"])
    if not database.exists():
        pytest.skip(f"the SQLite test database is not a file the worker can open: {database}")
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="aiceps.settings.base",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # django-q signs queued tasks with it
        DATABASE_URL=f"sqlite:///{database}",
        AICEPS_VAR_DIR=str(tmp_path / "worker-var"),
        AICEPS_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        AICEPS_PROMPT_WRITER="template",
        AICEPS_IMAGE_PROVIDER="offline",
        AICEPS_QUEUE_POLL_SECONDS="0.1",
        AICEPS_QUEUE_WORKERS="1",
        AICEPS_QUEUE_NAME=settings.Q_CLUSTER["name"],
        GEMINI_API_KEY="",
        OPENAI_API_KEY="",
        S3_BUCKET_NAME="",
    )
    env.update(worker_env)
    log_path = tmp_path / "qcluster.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    time.sleep(0.5)
    if process.poll() is not None:
        pytest.fail(f"qcluster exited at once:\n{log_path.read_text(errors='replace')}")
    yield process
    # SIGTERM to the cluster's main process only: it stops its own workers.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
