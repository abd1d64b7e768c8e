"""AicePS benchmarks, side by side: ``python bench/run.py`` (a few minutes; not part of tests).

1. Queue overhead: tasks one at a time through ``POST /api/v1/tasks`` (gunicorn) and a real
   ``qcluster`` worker (ORM broker, SQLite), with a provider that answers at once, against the
   same two stages called in-process; at the default poll interval and at 0.01 s, which shows
   the poll's share.
2. Throughput: one-second tasks, N = 1, 2, 4 worker processes (``AICEPS_QUEUE_WORKERS``).
3. API intake: 1 MB JPEGs accepted per second by ``POST /api/v1/tasks`` (gunicorn as
   configured by ``aiceps/gunicorn.conf.py``), with p50 and p99; the tasks just queue.
4. Image preparation (``bench/image_preparation.py``).
5. The local diffusers provider through the service against the same tiny pipeline called
   directly (skipped without torch and diffusers).
6. Memory: a web worker's resident memory after 1,000 requests against after 100.

Everything runs on 127.0.0.1 in a temporary folder. ``--only queue,web,images,diffusers``
runs a subset; ``--json FILE`` also writes the raw figures; ``--postgres URL`` runs the servers on
a throwaway PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.test")
os.environ.setdefault("AICEPS_LOG_LEVEL", "WARNING")  # this process only; servers log INFO

import django  # noqa: E402

django.setup()

from bench import queue_bench, web_bench  # noqa: E402
from bench.harness import Installation, machine  # noqa: E402

SECTIONS = ("images", "queue", "web", "diffusers")
WEB = {"workers": os.cpu_count() or 1, "threads": 8}  # aiceps/gunicorn.conf.py's defaults


def cpu_pressure() -> str:
    """Linux PSI: the share of time something waited for a CPU (other load on the machine)."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return line.split()[2].split("=")[1] + "%"
    except (OSError, IndexError):
        return "n/a"


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
        env={**os.environ, "AICEPS_LOG_LEVEL": "WARNING"},
    )
    if done.returncode:
        return {"skipped": f"failed: {done.stderr.strip().splitlines()[-1][:200]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    table = []
    q = results.get("queue")
    if q:
        slow, fast = q["overhead"], q["overhead_fast_poll"]
        for r in (slow, fast):
            limit = r["poll_ms"] + 50
            table.append(
                (
                    f"Queue overhead, median (poll {r['poll_ms'] / 1000:g} s)",
                    f"{r['overhead']:.0f} ms (task {r['e2e']:.0f} - direct {r['direct']:.0f})",
                    f"<= poll + 50 = {limit:.0f} ms",
                    "met" if r["overhead"] <= limit else "missed",
                )
            )
            table.append(
                (
                    "  where it goes (medians)",
                    f"API {r['api']:.0f}, hand-off {r['queue']:.0f}, "
                    f"worker {r['run'] - r['pipeline']:.0f}, p90 task {r['e2e_p90']:.0f} ms",
                    "",
                    "",
                )
            )
        share = slow["overhead"] - fast["overhead"]
        table.append(
            (
                f"  poll interval's share (poll {slow['poll_ms'] / 1000:g} s)",
                f"{share:.0f} ms ({share / slow['overhead']:.0%} of the overhead)",
                "",
                "",
            )
        )
        for t in q["throughput"]:
            target = 0.9 * t["workers"]
            table.append(
                (
                    f"Throughput, 1 s tasks, {t['workers']} worker(s)",
                    f"{t['per_second']:.2f} tasks/s ({t['completed']}/{t['tasks']} in "
                    f"{t['seconds']:.1f} s)",
                    f">= {target:.1f} tasks/s",
                    "met"
                    if t["per_second"] >= target and t["completed"] == t["tasks"]
                    else "missed",
                )
            )
    w = results.get("web")
    if w:
        i = w["intake"]
        table.append(
            (
                f"API intake, {i['image_bytes'] / 1e6:.1f} MB JPEG, {i['clients']} clients",
                f"{i['per_second']:.1f}/s, p50 {i['p50_ms']:.0f} ms, p99 {i['p99_ms']:.0f} ms "
                f"({i['failed']} failed)",
                i["config"],
                "measured" if not i["failed"] else "missed",
            )
        )
        m = w["memory"]
        table.append(
            (
                f"Web worker memory, {m['checkpoint']} -> {m['requests']} requests",
                f"{m['growth']:+.1%} ({m['rss_at_checkpoint_mib']:.0f} -> "
                f"{m['rss_at_end_mib']:.0f} MiB)",
                "within 10%",
                "met" if abs(m["growth"]) <= 0.10 else "missed",
            )
        )
    img = results.get("images")
    if img:
        table.append(
            (
                f"Image preparation, {img['source']}",
                f"{img['speedup']:.1f}x ({img['draft_ms']:.0f} vs {img['full_ms']:.0f} ms)",
                f">= {img['target_speedup']:g}x",
                "met" if img["speedup"] >= img["target_speedup"] else "missed",
            )
        )
    d = results.get("diffusers")
    if d:
        if "skipped" in d:
            table.append(("Local diffusers via the service", "-", ">= 0.95x", d["skipped"]))
        else:
            table.append(
                (
                    "Local diffusers via the service / direct",
                    f"{d['ratio']:.2f}x ({d['service_per_second']:.2f} vs "
                    f"{d['direct_per_second']:.2f} /s)",
                    ">= 0.95x",
                    "met" if d["ratio"] >= 0.95 else "missed",
                )
            )
    return table


def print_table(results: dict) -> None:
    table = [("benchmark", "figure", "target", "result"), *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> int:
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
    args = parser.parse_args()
    wanted = [s for s in args.only.split(",") if s]
    info = machine()
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; "
        f"Python {info['python']}; {info['os']}"
    )
    print(f"CPU pressure from other load before: {cpu_pressure()} (PSI some avg10)", flush=True)
    started = time.monotonic()
    results: dict = {"machine": info}
    root = Path(tempfile.mkdtemp(prefix="aiceps-bench-"))
    try:
        if "images" in wanted:
            results["images"] = run_images()
        if "queue" in wanted or "web" in wanted:
            inst = Installation(root, postgres_url=args.postgres)
            results["database"] = inst.database
            print(f"Database: {inst.database}", flush=True)
            try:
                inst.setup()
                if "queue" in wanted:
                    results["queue"] = queue_bench.run_all(inst)
                if "web" in wanted:
                    results["web"] = {
                        "intake": web_bench.intake(inst, **WEB),
                        "memory": web_bench.memory(inst),
                    }
            finally:
                inst.close()
        if "diffusers" in wanted:
            results["diffusers"] = run_diffusers()
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"CPU pressure after: {cpu_pressure()}; took {time.monotonic() - started:.0f} s\n")
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
