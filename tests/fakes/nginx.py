"""Debian's nginx with the production recipe (``operations.nginx_conf``) in front of a port,
for tests of what crosses it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from operations.nginx_conf import render
from tests.fakes.asgi_server import free_port


@contextlib.contextmanager
def nginx_in_front_of(upstream_port: int, tmp_path: Path) -> Iterator[int]:
    """nginx on a free port proxying to ``upstream_port`` (its port is yielded); it serves
    ``tmp_path/static`` (with ``hello.txt``) as the static files."""
    port = free_port()
    tmp_path.mkdir(parents=True, exist_ok=True)
    static = tmp_path / "static"
    static.mkdir()
    (static / "hello.txt").write_text("static from nginx")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(
        render(
            listen=f"127.0.0.1:{port}",
            upstream=f"127.0.0.1:{upstream_port}",
            static=str(static),
            prefix=str(prefix),
            max_body="2m",
        )
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
        time.sleep(0.05)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
