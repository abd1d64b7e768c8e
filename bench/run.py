"""AicePS benchmarks, side by side: ``python bench/run.py`` (a few minutes; not part of tests).

Every server is the production web tier: ``gunicorn -c aiceps/gunicorn.conf.py
aiceps.asgi:application`` (uvicorn workers, one per CPU unless a part says otherwise) with the
production settings, and ``manage.py qcluster`` workers.

1. ``queue``: tasks one at a time through ``POST /api/v1/tasks`` and a real ``qcluster``
   worker, with a provider that answers at once, against the same two stages called
   in-process: the ORM broker at its default poll interval and at 0.01 s (the poll's share),
   and the Redis broker; then throughput of one-second tasks with N = 1, 2, 4 workers.
2. ``web``: 1 MB JPEGs accepted per second by ``POST /api/v1/tasks``, with p50 and p99 (the
   tasks just queue); one web worker's memory after 1,000 requests against after 100.
3. ``serving`` (``bench/serving_bench.py``): 1,000 event streams and 200 seed calls held at
   once, slow clients through nginx and without it, a 300 MB body, and 16 requests of four
   flat 40-megapixel PNGs, with probe latencies, memory and thread counts.
4. ``images``: image preparation (``bench/image_preparation.py``).
5. ``diffusers``: the local diffusers provider through the service against the same tiny
   pipeline called directly (skipped without torch and diffusers).

Everything runs on 127.0.0.1 in a temporary folder. ``--only queue,web,serving,images,
diffusers`` runs a subset; ``--json FILE`` also writes the raw figures; ``--postgres URL`` runs
the servers on a throwaway PostgreSQL database instead of SQLite; ``--redis URL`` (default
``redis://127.0.0.1:6379/11``; ``--redis none`` to skip) is where the Redis broker's figures
and the serving section run (a database number of its own; queue names unique to the run).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "isolation"))
import sitecustomize  # noqa: E402, F401 - this checkout's code only, here as in the servers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.test")
os.environ.setdefault("AICEPS_LOG_LEVEL", "WARNING")  # this process only; servers log INFO

import django  # noqa: E402

django.setup()

from bench import queue_bench, report, report_serving, serving_bench, web_bench  # noqa: E402
from bench.figures import cpu_pressure, machine, pressure_text  # noqa: E402
from bench.installation import ISOLATION, Installation  # noqa: E402

ISOLATED_PATH = os.pathsep.join([str(ISOLATION), str(ROOT)])

SECTIONS = ("images", "queue", "web", "serving", "diffusers")
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
BUSY_PSI = 10.0  # percent of time something waited for a CPU: other people's load


def run_images() -> dict:
    from bench import image_preparation

    return image_preparation.run()


def run_diffusers() -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "diffusers_bench.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "AICEPS_LOG_LEVEL": "WARNING", "PYTHONPATH": ISOLATED_PATH},
    )
    if done.returncode:
        return {"skipped": f"failed: {done.stderr.strip().splitlines()[-1][:200]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    table = []
    if results.get("queue"):
        table += report.queue_rows(results["queue"])
    if results.get("web"):
        table += report.web_rows(results["web"])
    if results.get("serving"):
        table += report_serving.serving_rows(results["serving"])
    if results.get("images"):
        table += report.images_rows(results["images"])
    if results.get("diffusers"):
        table += report.diffusers_rows(results["diffusers"])
    return table


def redis_reachable(url: str) -> str | None:
    """None when Redis answers at ``url``, else why not."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def enough_files(wanted: int = 8192) -> int:
    """1,200 client sockets here and as many in the servers (which inherit the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def _remove_test_settings_folder() -> None:
    """This process's settings (``aiceps.settings.test``) made a temporary folder at import."""
    folder = getattr(sys.modules.get("aiceps.settings.test"), "_TMP", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    # SIGTERM (a timeout, a CI runner) unwinds like Ctrl-C: every process started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run the servers on a throwaway database created on this PostgreSQL server "
        "(e.g. postgres://postgres@127.0.0.1:5432/postgres) instead of SQLite",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        default=DEFAULT_REDIS,
        help=f"Redis for the Redis broker and the serving section ({DEFAULT_REDIS}; 'none')",
    )
    args = parser.parse_args()
    wanted = [s for s in args.only.split(",") if s]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {SECTIONS}")
    info = machine()
    files = enough_files()
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; "
        f"Python {info['python']}; {info['os']}; open files {files}"
    )
    before = cpu_pressure()
    print(f"CPU pressure from other load before: {pressure_text(before)} (PSI some)", flush=True)
    if before and before["avg10"] > BUSY_PSI:
        print(
            f"  The machine is busy (more than {BUSY_PSI:g}% CPU pressure): the figures will be "
            "pessimistic; repeat the run when it is quieter.",
            flush=True,
        )
    redis_url = None if args.redis.lower() == "none" else args.redis
    if redis_url and (why := redis_reachable(redis_url)):
        print(f"No Redis at {redis_url} ({why}): its parts are skipped.", flush=True)
        redis_url = None
    started = time.monotonic()
    results: dict = {"machine": info, "pressure_before": before, "redis": redis_url}
    root = Path(tempfile.mkdtemp(prefix="aiceps-bench-"))
    try:
        if "images" in wanted:
            results["images"] = run_images()
        if "queue" in wanted or "web" in wanted:
            inst = Installation(root / "queue", postgres_url=args.postgres, redis_url=redis_url)
            results["database"] = inst.database
            print(f"Database: {inst.database}", flush=True)
            try:
                inst.setup()
                if "queue" in wanted:
                    print("  queue ...", flush=True)
                    results["queue"] = queue_bench.run_all(inst)
                if "web" in wanted:
                    print("  web ...", flush=True)
                    results["web"] = {
                        "intake": web_bench.intake(inst),
                        "memory": web_bench.memory(inst),
                    }
            finally:
                inst.close()
        if "serving" in wanted:
            inst = Installation(root / "serving", postgres_url=args.postgres, redis_url=redis_url)
            results["database"] = inst.database
            try:
                inst.setup(users=serving_bench.USERS + 1)
                results["serving"] = serving_bench.run_all(
                    inst, say=lambda text: print(text, flush=True)
                )
            finally:
                inst.close()
        if "diffusers" in wanted:
            results["diffusers"] = run_diffusers()
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
        _remove_test_settings_folder()
    after = cpu_pressure()
    results["pressure_after"] = after
    results["seconds"] = time.monotonic() - started
    print(
        f"CPU pressure after: {pressure_text(after)} (this run's own load included); "
        f"took {results['seconds']:.0f} s\n"
    )
    report.print_table(rows(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
