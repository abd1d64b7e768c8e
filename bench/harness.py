"""What the benchmarks share: a throwaway installation, its processes, an HTTP client.

An installation is a temporary folder with a SQLite database (WAL, as configured by
``DATABASE_URL``), local media, production settings (``DJANGO_DEBUG`` off) and the test
providers from ``tests/fakes/providers.py``; ``gunicorn`` (``aiceps/gunicorn.conf.py``) and
``manage.py qcluster`` run as real subprocesses on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
ECHO = "tests.fakes.providers.EchoPromptWriter"
INVERT = "tests.fakes.providers.InvertImageProvider"
SLOW = "tests.fakes.providers.SlowInvertImageProvider"
FINAL = ("completed", "failed", "cancelled")


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        ram = int(kb) / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def _create_database(url: str, name: str) -> str:
    _admin(url, f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def _drop_database(url: str, name: str) -> None:
    with contextlib.suppress(Exception):
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def parse_db_time(value: str | None) -> float | None:
    if not value:
        return None
    value = value.replace("T", " ").split("+")[0]
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in value else "%Y-%m-%d %H:%M:%S"
    return datetime.strptime(value, fmt).replace(tzinfo=UTC).timestamp()


class Installation:
    """``postgres_url``: a server to create a throwaway database on (dropped by ``close()``);
    without it, a SQLite file in ``root``."""

    def __init__(self, root: Path, postgres_url: str | None = None) -> None:
        self.root = root
        self.db_path = root / "bench.sqlite3"
        self.postgres_url, self.database_url = postgres_url, f"sqlite:///{self.db_path}"
        if postgres_url:
            self.database_url = _create_database(
                postgres_url, f"aiceps_bench_{uuid.uuid4().hex[:8]}"
            )
        self.log_dir = root / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (root / "prom").mkdir(exist_ok=True)
        self.token = ""
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "aiceps.settings.base",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": f"bench-{uuid.uuid4().hex}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "AICEPS_VAR_DIR": str(root),
            "AICEPS_MEDIA_ROOT": str(root / "media"),
            "AICEPS_PROMPT_WRITER": ECHO,
            "AICEPS_IMAGE_PROVIDER": INVERT,
            "AICEPS_THROTTLE_USER": "1000000/min",
            "AICEPS_THROTTLE_SUBMIT": "1000000/min",
            "AICEPS_SIGNUP_CREDITS": "1000000",
            "AICEPS_PROMPT_CACHE_SECONDS": "0",
            "AICEPS_LOG_LEVEL": "INFO",
            "PROMETHEUS_MULTIPROC_DIR": str(root / "prom"),
            "REDIS_URL": "",
            "S3_BUCKET_NAME": "",
            "GEMINI_API_KEY": "",
            "OPENAI_API_KEY": "",
        }
        self._db = None

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def setup(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        code = (
            "from accounts.models import User; from rest_framework.authtoken.models import Token;"
            "u = User.objects.create_user('bench', password='bench-pass-1');"
            "print(Token.objects.create(user=u).key)"
        )
        self.token = self.manage("shell", "-c", code).strip().splitlines()[-1]

    # --- Database reads (read-only, no Django in this process) ---------------------------

    @property
    def db(self):
        if self._db is None and self.postgres_url:
            import psycopg

            self._db = psycopg.connect(self.database_url, autocommit=True)
        elif self._db is None:
            uri = f"file:{self.db_path}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)
        return self._db

    @property
    def database(self) -> str:
        return "PostgreSQL" if self.postgres_url else "SQLite (WAL)"

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self.postgres_url:
            _drop_database(self.postgres_url, self.database_url.rsplit("/", 1)[1])

    def task_rows(self, ids: list[str]) -> dict[str, dict]:
        keys = [uuid.UUID(i) if self.postgres_url else uuid.UUID(i).hex for i in ids]
        marks = ",".join(("%s" if self.postgres_url else "?") for _ in keys)
        cursor = self.db.execute(
            "SELECT id, status, created_at, started_at, completed_at, generation_time_ms,"
            " prompt_time_ms, image_time_ms, storage_time_ms"
            f" FROM user_task_history WHERE id IN ({marks})",
            keys,
        )
        names = [c[0] for c in cursor.description]
        rows = {}
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            for key in ("created_at", "started_at", "completed_at"):
                value = row[key]
                row[key] = (
                    value.timestamp() if isinstance(value, datetime) else parse_db_time(value)
                )
            rows[str(uuid.UUID(str(row["id"])))] = row
        return rows

    def wait_final(self, ids: list[str], *, timeout: float, interval: float = 0.005):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.task_rows(ids)
            if len(rows) == len(ids) and all(r["status"] in FINAL for r in rows.values()):
                return rows
            time.sleep(interval)
        raise TimeoutError(f"tasks not finished within {timeout} s")

    # --- Processes -----------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        process.log = log
        return process

    def gunicorn(self, *, workers: int, threads: int, **env: str) -> Server:
        port = free_port()
        command = [GUNICORN, "-c", "aiceps/gunicorn.conf.py", "aiceps.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        command += ["--threads", str(threads)]
        server = Server(self.spawn(f"gunicorn-{port}", command, **env), port, self.token)
        server.wait_ready()
        return server

    def qcluster(self, *, workers: int, poll: float) -> subprocess.Popen:
        return self.spawn(
            f"qcluster-{workers}-{poll}",
            [PYTHON, "manage.py", "qcluster"],
            AICEPS_QUEUE_WORKERS=str(workers),
            AICEPS_QUEUE_POLL_SECONDS=str(poll),
        )


def stop(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """SIGTERM to the main process (not the group: qcluster hangs on that), then SIGKILL."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # stragglers of its group
        os.killpg(process.pid, signal.SIGKILL)
    process.log.close()


class Server:
    def __init__(self, process: subprocess.Popen, port: int, token: str) -> None:
        self.process, self.port, self.token = process, port, token

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited; see its log")
            with contextlib.suppress(OSError):
                if self.connection().request_json("GET", "/healthz")[0] == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError("gunicorn did not answer /healthz")

    def connection(self) -> Client:
        return Client(self.port, self.token)

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def close(self) -> None:
        stop(self.process)


class Client:
    """One keep-alive connection to 127.0.0.1."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        try:
            self.http.request(method, path, body=body, headers=headers)
            response = self.http.getresponse()
        except (http.client.HTTPException, ConnectionError):
            self.http.close()  # the server closed a kept-alive connection: once more
            self.http.request(method, path, body=body, headers=headers)
            response = self.http.getresponse()
        return response.status, response.read()

    def request_json(self, method: str, path: str, body=None, headers=None):
        status, data = self.request(method, path, body, headers)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, {"raw": data[:200]}

    def submit(self, image: bytes, prompt: str) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n'.encode()
            + prompt.encode()
            + b"\r\n",
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
            f'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + image
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request_json("POST", "/api/v1/tasks", b"".join(parts), headers)


def photo(width: int, height: int, *, quality: int = 90, noise: float = 0.0) -> bytes:
    """A synthetic JPEG (``noise`` adds grain, to make a file of a realistic size)."""
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    y = np.linspace(0, 1, height)[:, None, None]
    x = np.linspace(0, 1, width)[None, :, None]
    base = np.concatenate([90 + 60 * y + 0 * x, 150 + 60 * y - 30 * x, 230 - 150 * y + 0 * x], 2)
    if noise:
        base = base + rng.normal(0, noise, base.shape)
    image = Image.fromarray(base.clip(0, 255).astype("uint8"), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
