"""Starts a real ``manage.py qcluster`` process against the test database, and the lease
timings the fault tests give it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# bench/faults.py sets it to "production": the fault tests then run, and measure, with the
# production lease timings instead of short ones.
TIMINGS_ENV = "AICEPS_FAULT_TIMINGS"


@dataclass(frozen=True)
class FaultTimings:
    """A task's lease, its renewal, the reaper's period, how long a pending task waits before
    the reaper queues it again (its job was lost) and the slow test model's call.

    A task whose worker died is final about ``lease + reaper + model`` later (its lease lapses,
    the next reaper pass queues it again, the model runs again); a task a dead cluster had
    taken but not started, ``rescue + reaper + model``. ``bound(calls)`` adds 20 s of slack
    for a cluster's start on a loaded machine."""

    lease: int
    renew: float
    reaper: float
    rescue: int
    model: float

    def env(self) -> dict[str, str]:
        """The workers' environment for these timings."""
        return {
            "AICEPS_TASK_LEASE_SECONDS": str(self.lease),
            "AICEPS_LEASE_RENEW_SECONDS": str(self.renew),
            "AICEPS_REAPER_SECONDS": str(self.reaper),
            "AICEPS_PENDING_RESCUE_SECONDS": str(self.rescue),
            "AICEPS_TEST_MODEL_SECONDS": str(self.model),
        }

    def bound(self, calls: int = 1) -> float:
        return max(self.lease, self.rescue) + self.reaper + calls * self.model + 20


# The settings' defaults (and an 8 s model call); and the test suite's.
PRODUCTION = FaultTimings(lease=30, renew=10.0, reaper=5.0, rescue=30, model=8.0)
SHORT = FaultTimings(lease=4, renew=1.0, reaper=0.5, rescue=4, model=2.0)


def fault_timings() -> FaultTimings:
    """Short in the test suite (a lost task back within seconds, not half a minute);
    production's when ``$AICEPS_FAULT_TIMINGS`` is ``production`` (bench/faults.py)."""
    return PRODUCTION if os.environ.get(TIMINGS_ENV) == "production" else SHORT


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A qcluster child process; ``kill()`` is SIGKILL to all its processes (a lost machine)."""

    def __init__(self, **env: str) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "aiceps.settings.base",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": database_url(),
            "AICEPS_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "AICEPS_QUEUE_POLL_SECONDS": "0.1",
            "AICEPS_QUEUE_WORKERS": "1",
            "AICEPS_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        return self

    def stop(self) -> None:
        """SIGTERM to the main process only (a process-group SIGTERM can hang django-q2)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Worker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_for(predicate, *, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"condition not met within {timeout} s")
