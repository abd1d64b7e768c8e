"""The processes a benchmark starts and stops: gunicorn (the production web tier), nginx in
front of it, qcluster workers. Every one is started in a session of its own and stopped by
its PID (then its process group), never by a name pattern: other people's processes on the
machine may have the same names."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .client import Client
from .figures import children

NGINX = "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen, *, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}; see its log")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not listen on port {port} within {timeout} s")


def stop(process: subprocess.Popen, *, timeout: float = 15, sig=signal.SIGTERM) -> None:
    """``sig`` to the main process (not the group: qcluster hangs on that), then SIGKILL to
    its group (its own session, so only what it started)."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError, PermissionError):  # stragglers of its group
        os.killpg(process.pid, signal.SIGKILL)
    log = getattr(process, "log", None)
    if log is not None:
        log.close()


class Server:
    """gunicorn serving ``aiceps.asgi:application`` with ``aiceps/gunicorn.conf.py``."""

    def __init__(self, process: subprocess.Popen, port: int, tokens) -> None:
        self.process, self.port = process, port
        self.token, self.metrics_token = tokens

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, workers: int, timeout: float = 60) -> None:
        """Until /healthz answers and every worker has started (each imports Django on
        its own: a probe answered by the first says nothing of the second)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited; see its log")
            with contextlib.suppress(OSError):
                answered = self.connection().request_json("GET", "/healthz")[0] == 200
                if answered and len(self.worker_pids()) >= workers:
                    for _ in range(4 * workers):  # and each has answered once, roughly
                        self.connection().request("GET", "/healthz")
                    return
            time.sleep(0.1)
        raise TimeoutError("gunicorn did not answer /healthz")

    def connection(self, token: str | None = None) -> Client:
        return Client(self.port, token or self.token, metrics_token=self.metrics_token)

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def close(self) -> None:
        stop(self.process, timeout=40)  # gunicorn's graceful_timeout is 30 s


class Nginx:
    """Debian's nginx with the configuration ``python -m operations.nginx_conf`` renders."""

    def __init__(self, process: subprocess.Popen, port: int, prefix: Path) -> None:
        self.process, self.port, self.prefix = process, port, prefix

    def close(self) -> None:
        stop(self.process, sig=signal.SIGQUIT)  # graceful: its workers exit with it

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def temp_files(self) -> list[Path]:
        """Files nginx keeps under its temporary folders (request bodies buffered to disk)."""
        folders = [self.prefix / name for name in ("body", "proxy")]
        return [p for folder in folders for p in folder.rglob("*") if p.is_file()]
