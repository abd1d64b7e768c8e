"""Recovery figures: how long a fault costs, measured by the fault tests themselves.

Runs the tests that kill a worker and a whole cluster (``kill -9``, ORM and Redis brokers),
cut a worker off from PostgreSQL for 20 s, hang S3, and kill a web process under waiting seed
calls and event streams, with ``AICEPS_FIGURES_FILE`` set so each records what it measured,
and ``AICEPS_FAULT_TIMINGS=production`` so their workers keep production's lease timings (a
30 s lease renewed every 10 s, the reaper every 5 s; the test suite runs them with a 4 s
lease); prints one row per figure and database. SQLite always, PostgreSQL when
``--postgres URL`` is given (or one answers on 127.0.0.1:5432). It takes about 8 minutes.

    python bench/faults.py [--postgres postgres://postgres@127.0.0.1:5432/postgres | none]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = [
    "tests/generation/test_worker_process.py::test_a_killed_worker_process_costs_its_task_one_lease",
    "tests/generation/test_worker_process.py::test_a_killed_cluster_leaves_nothing_stuck",
    "tests/generation/test_worker_outages.py::test_a_task_survives_a_database_outage",
    "tests/generation/test_storage_breaker_shared.py::test_with_s3_hung_only_the_first_upload_is_slow",
    "tests/operations/test_web_worker_killed.py::test_killed_web_process_costs_no_seed_call_and_no_stream",
]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_answers() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 5432)) == 0


def measure(database_url: str | None) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.jsonl"
        env = {
            **os.environ,
            "AICEPS_FIGURES_FILE": str(figures),
            "AICEPS_FAULT_TIMINGS": "production",
        }
        env.pop("TEST_DATABASE_URL", None)
        if database_url:  # a test database of its own, beside any test run
            env["TEST_DATABASE_URL"] = database_url
            env["TEST_DATABASE_NAME"] = "test_aiceps_faults_bench"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        summary = done.stdout.strip().splitlines()[-1:] or ["(no output)"]
        print(f"  tests on {database_url or 'SQLite'}: {summary[0]}", file=sys.stderr)
        if not figures.exists():
            return []
        return [json.loads(line) for line in figures.read_text().splitlines()]


def describe(seconds) -> str:
    if isinstance(seconds, list):
        return " / ".join(f"{s * 1000:.0f} ms" for s in seconds)
    return f"{seconds:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL, or none")
    args = parser.parse_args()
    postgres = args.postgres or (DEFAULT_POSTGRES if postgres_answers() else "none")
    rows = measure(None)
    if postgres != "none":
        rows += measure(postgres)
    print(f"{'fault':<62} {'database':<11} {'broker':<8} figure")
    for row in rows:
        broker = row.get("broker", "-")
        print(f"{row['name']:<62} {row['database']:<11} {broker:<8} {describe(row['seconds'])}")


if __name__ == "__main__":
    main()
