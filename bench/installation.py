"""A throwaway AicePS installation for the benchmarks, and its processes.

An installation is a temporary folder with a SQLite database (WAL, as configured by
``DATABASE_URL``) or a throwaway PostgreSQL database, local media, the production settings
(``aiceps.settings.production``: ``DJANGO_DEBUG`` off, a metrics token; only the redirect to
HTTPS is off, as nothing here speaks TLS) and the test providers from
``tests/fakes/providers.py``. The web tier runs as in production: ``gunicorn -c
aiceps/gunicorn.conf.py aiceps.asgi:application`` (uvicorn workers), with nginx rendered by
``python -m operations.nginx_conf`` where a benchmark puts it in front; ``manage.py qcluster``
runs the tasks. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from .servers import NGINX, Nginx, Server, free_port, wait_port

ROOT = Path(__file__).resolve().parent.parent
ISOLATION = ROOT / "bench" / "isolation"  # its sitecustomize keeps other checkouts out
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
ECHO = "tests.fakes.providers.EchoPromptWriter"
INVERT = "tests.fakes.providers.InvertImageProvider"
SLOW = "tests.fakes.providers.SlowInvertImageProvider"
FINAL = ("completed", "failed", "cancelled")


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def parse_db_time(value: str | None) -> float | None:
    if not value:
        return None
    value = value.replace("T", " ").split("+")[0]
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in value else "%Y-%m-%d %H:%M:%S"
    return datetime.strptime(value, fmt).replace(tzinfo=UTC).timestamp()


class Installation:
    """``postgres_url``: a server to create a throwaway database on (dropped by ``close()``);
    without it, a SQLite file in ``root``. ``redis_url``: where :meth:`redis_env` points the
    broker, notifications and cache (a database number of its own; the queue name is unique
    to this installation and its keys are deleted by ``close()``)."""

    def __init__(
        self, root: Path, postgres_url: str | None = None, redis_url: str | None = None
    ) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.db_path = root / "bench.sqlite3"
        self.postgres_url, self.database_url = postgres_url, f"sqlite:///{self.db_path}"
        if postgres_url:
            name = f"aiceps_bench_{uuid.uuid4().hex[:8]}"
            _admin(postgres_url, f'CREATE DATABASE "{name}"')
            self.database_url = postgres_url.rsplit("/", 1)[0] + "/" + name
        self.redis_url = redis_url
        self.queue_name = f"aiceps-bench-{uuid.uuid4().hex[:8]}"
        self.log_dir = root / "logs"
        self.temp_dir = root / "tmp"  # TMPDIR of every server: where a spooled body would go
        for folder in (self.log_dir, self.temp_dir, root / "prom", root / "static"):
            folder.mkdir(parents=True, exist_ok=True)
        self.token, self.tokens = "", []
        self.metrics_token = f"bench-metrics-{uuid.uuid4().hex}"
        # The benchmarks measure the defaults: nothing of the caller's AicePS configuration
        # leaks in (each benchmark sets what it varies).
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AICEPS_") and key not in ("WEB_CONCURRENCY", "Q_CLUSTER_NAME")
        }
        self.default_poll = 0.05  # aiceps/settings/tasks.py's; setup() reads the real one
        self.env = {
            **inherited,
            "PYTHONPATH": os.pathsep.join([str(ISOLATION), str(ROOT)]),
            "TMPDIR": str(self.temp_dir),
            "DJANGO_SETTINGS_MODULE": "aiceps.settings.production",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": f"bench-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AICEPS_METRICS_TOKEN": self.metrics_token,
            "AICEPS_SSL_REDIRECT": "0",
            "DATABASE_URL": self.database_url,
            "AICEPS_VAR_DIR": str(root),
            "AICEPS_MEDIA_ROOT": str(root / "media"),
            "AICEPS_QUEUE_NAME": self.queue_name,
            "AICEPS_PROMPT_WRITER": ECHO,
            "AICEPS_IMAGE_PROVIDER": INVERT,
            "AICEPS_THROTTLE_USER": "1000000/min",
            "AICEPS_THROTTLE_SUBMIT": "1000000/min",
            "AICEPS_SIGNUP_CREDITS": "1000000",
            "AICEPS_PROMPT_CACHE_SECONDS": "0",
            # Benchmarks queue tasks before their qcluster starts (or with none at all).
            "AICEPS_WORKER_CHECK": "0",
            "AICEPS_LOG_LEVEL": "INFO",
            "PROMETHEUS_MULTIPROC_DIR": str(root / "prom"),
            "REDIS_URL": "",
            "S3_BUCKET_NAME": "",
            "GEMINI_API_KEY": "",
            "OPENAI_API_KEY": "",
        }
        self._db = None

    def redis_env(self) -> dict[str, str]:
        """The variables that put a server or worker on Redis (broker, pub/sub, cache)."""
        if not self.redis_url:
            raise RuntimeError("this installation has no Redis URL")
        return {"REDIS_URL": self.redis_url}

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

    def setup(self, *, users: int = 1) -> None:
        """Migrate and create ``users`` users with API tokens (``self.tokens``; the first
        is also ``self.token``); read the queue's default poll interval as a worker sees it
        (``self.default_poll``)."""
        self.manage("migrate", "--noinput", "-v", "0")
        code = (
            "import json; from django.conf import settings; from accounts.models import User;"
            "from rest_framework.authtoken.models import Token;"
            f"names = ['bench'] + [f'bench-{{i}}' for i in range(1, {users})];"
            "print(json.dumps({'tokens': [Token.objects.create(user=User.objects.create_user("
            "n, password='bench-pass-1')).key for n in names],"
            "'poll': settings.AICEPS_QUEUE_POLL_SECONDS}))"
        )
        created = json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])
        self.tokens, self.default_poll = created["tokens"], created["poll"]
        self.token = self.tokens[0]

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
            with contextlib.suppress(Exception):
                name = self.database_url.rsplit("/", 1)[1]
                _admin(self.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self.redis_url:
            with contextlib.suppress(Exception):
                import redis

                client = redis.Redis.from_url(self.redis_url)
                for key in client.scan_iter(match=f"django_q:{self.queue_name}*"):
                    client.delete(key)
                client.close()

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

    def gunicorn(self, *, workers: int | None = None, **env: str) -> Server:
        """The production web tier; ``workers`` as ``WEB_CONCURRENCY`` (default: one per
        CPU, as ``aiceps/gunicorn.conf.py``); ``env`` overrides the installation's."""
        port = free_port()
        command = [GUNICORN, "-c", "aiceps/gunicorn.conf.py", "aiceps.asgi:application"]
        env = {"AICEPS_BIND": f"127.0.0.1:{port}", **env}
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        process = self.spawn(f"gunicorn-{port}", command, **env)
        server = Server(process, port, (self.token, self.metrics_token))
        server.wait_ready(workers or os.cpu_count() or 1)
        return server

    def nginx(self, upstream: Server) -> Nginx:
        port = free_port()
        prefix = self.root / f"nginx-{port}"
        prefix.mkdir()
        conf = prefix / "nginx.conf"
        conf.write_text(
            self.manage_module(
                "operations.nginx_conf",
                *("--listen", f"127.0.0.1:{port}", "--upstream", f"127.0.0.1:{upstream.port}"),
                *("--static", str(self.root / "static"), "--prefix", str(prefix)),
            )
        )
        command = [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
        process = self.spawn(f"nginx-{port}", command)
        wait_port(port, process, what="nginx")
        return Nginx(process, port, prefix)

    def manage_module(self, module: str, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, "-m", module, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    def qcluster(self, *, workers: int, poll: float | None = None, **env: str):
        settings = {"AICEPS_QUEUE_WORKERS": str(workers), **env}
        if poll is not None:
            settings["AICEPS_QUEUE_POLL_SECONDS"] = str(poll)
        command = [PYTHON, "manage.py", "qcluster"]
        return self.spawn(f"qcluster-{workers}-{poll}", command, **settings)
