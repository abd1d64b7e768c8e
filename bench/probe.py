"""A latency probe in a process of its own, so that the load generator's event loop never
delays (or flatters) the figures it reports.

    python bench/probe.py --port 8000 --token KEY --path /api/v1/credits --path /healthz \
        --interval 0.1 --out probe.json

Each path gets a thread with one keep-alive connection that sends a request every
``interval`` seconds and notes when it was sent (``time.time()``), how long the answer took
and its status. It runs until SIGTERM (or SIGINT), then writes everything to ``--out``.
:class:`Probe` starts and stops it from a benchmark and reads the figures by time window.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import median, percentile


def _probe(port: int, token: str, path: str, interval: float, stop: threading.Event, out):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        sent = time.time()
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()  # counted as an error; the next request reconnects
            status = 0
        out.append((sent, (time.perf_counter() - started) * 1000, status))
        stop.wait(max(0.0, interval - (time.perf_counter() - started)))
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    samples = {path: [] for path in args.path}
    threads = [
        threading.Thread(
            target=_probe, args=(args.port, args.token, path, args.interval, stop, samples[path])
        )
        for path in args.path
    ]
    for thread in threads:
        thread.start()
    print("probing", flush=True)
    while not stop.is_set():
        stop.wait(0.5)
    for thread in threads:
        thread.join(40)
    Path(args.out).write_text(json.dumps(samples))
    return 0


class Probe:
    """The probe process around a part of a benchmark::

    with Probe(port, token, ["/healthz"], out) as probe: ...
    probe.summary("/healthz", since=t0, until=t1)
    """

    def __init__(self, port: int, token: str, paths: list[str], out: Path, interval=0.1):
        self.command = [sys.executable, str(Path(__file__).resolve()), "--port", str(port)]
        self.command += ["--token", token, "--interval", str(interval), "--out", str(out)]
        for path in paths:
            self.command += ["--path", path]
        self.out, self.samples = out, {}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Probe:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, start_new_session=True
        )
        self.process.stdout.readline()  # "probing": its connections are about to start
        time.sleep(0.3)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.process = None
        if self.out.exists():
            self.samples = json.loads(self.out.read_text())

    def summary(self, path: str, *, since: float = 0, until: float = float("inf")) -> dict:
        window = [s for s in self.samples.get(path, []) if since <= s[0] < until]
        ok = [ms for _, ms, status in window if status == 200]
        return {
            "requests": len(window),
            "errors": len(window) - len(ok),
            "p50_ms": median(ok),
            "p99_ms": percentile(ok, 99),
            "max_ms": max(ok, default=float("nan")),
        }


if __name__ == "__main__":
    sys.exit(main())
