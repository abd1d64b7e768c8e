"""Where a queued task's time goes, step by step: ``python bench/queue_profile.py [--redis
URL] [--tasks N]``.

The queue benchmark measures the overhead from outside (API, hand-off, worker, the completing
transaction). This tool opens the two big parts up: ``POST /api/v1/tasks`` through Django's
handler (the view, the services and the enqueue, without the ASGI server and its thread
hops) and ``task_run`` as a worker calls it, both in this process under ``cProfile``, on a
throwaway installation with the production settings (SQLite, or Redis as the broker). It
prints the wall time of each and the share of its main steps. cProfile slows Python code
down (roughly 1.5 to 2 times), so the shares matter, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "isolation"))
import sitecustomize  # noqa: E402, F401 - this checkout's code only

from bench.client import multipart, photo  # noqa: E402
from bench.installation import Installation  # noqa: E402

# (label, file suffix, function name): the steps reported, by where they are defined.
API_STEPS = [
    ("authentication (token lookup)", "accounts/authentication.py", "authenticate"),
    ("request parsing (multipart)", "rest_framework/request.py", "_parse"),
    ("header check of the upload", "imaging/inspection.py", "inspect_upload"),
    ("task_create, in all", "services/creation.py", "task_create"),
    ("  storing the input file", "services/creation.py", "_store_inputs"),
    ("  charging the credits", "accounts/services.py", "credits_charge"),
    ("  enqueue on commit (django-q)", "django_q/tasks.py", "async_task"),
    ("    of which: closing the DB connection", "db/__init__.py", "close_old_connections"),
    ("answer: TaskSerializer", "api/serializers.py", "to_representation"),
]
WORKER_STEPS = [
    ("claim", "services/lifecycle.py", "task_claim"),
    ("input decoded and prepared", "services/task_inputs.py", "pipeline_input"),
    ("the two stages (the pipeline)", "generation/pipeline.py", "run"),
    ("stage writes", "services/lifecycle.py", "task_set_stage"),
    ("stage 1's record", "services/runner.py", "_record_prompt"),
    ("storing the result", "services/runner.py", "_store_results"),
    ("completion (one transaction)", "services/lifecycle.py", "task_complete"),
    ("  of which: statistics", "services/statistics.py", "statistics_record"),
    ("reload at the end", "services/runner.py", "_reload"),
    ("notifications sent", "live/publish.py", "_send"),
]


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():
        if function == name and filename.endswith(suffix):
            total += cumulative
    return total


def _report(title: str, profile: cProfile.Profile, steps, count: int, wall_ms: float) -> None:
    stats = pstats.Stats(profile)
    print(f"\n{title}: {wall_ms:.1f} ms each under the profiler ({count} runs)")
    for label, suffix, name in steps:
        ms = _cumulative(stats, suffix, name) / count * 1000
        print(f"  {label:<44} {ms:6.1f} ms  {ms / wall_ms:5.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", metavar="URL", help="the Redis broker (else the ORM broker)")
    parser.add_argument("--tasks", type=int, default=40)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="aiceps-bench-profile-"))
    inst = Installation(root, redis_url=args.redis)
    try:
        inst.setup()
        os.environ.update(inst.env, AICEPS_LOG_LEVEL="ERROR")
        if args.redis:
            os.environ.update(inst.redis_env())
        import django

        django.setup()
        from django.test import Client

        from generation.services.runner import task_run

        client = Client(HTTP_AUTHORIZATION=f"Bearer {inst.token}", SERVER_NAME="127.0.0.1")
        image = photo(640, 480)

        def submit(n: int) -> str:
            body, content_type = multipart({"prompt": f"edit {n}"}, [("image", "p.jpg", image)])
            answer = client.generic("POST", "/api/v1/tasks", body, content_type=content_type)
            if answer.status_code != 202:
                raise RuntimeError(f"POST /api/v1/tasks answered {answer.status_code}")
            return answer.json()["id"]

        for task_id in [submit(n) for n in range(5)]:  # warm-up: imports, first connections
            task_run(task_id=task_id)
        api, worker = cProfile.Profile(), cProfile.Profile()
        started = time.perf_counter()
        api.enable()
        ids = [submit(n) for n in range(args.tasks)]
        api.disable()
        api_ms = (time.perf_counter() - started) / args.tasks * 1000
        started = time.perf_counter()
        worker.enable()
        for task_id in ids:
            task_run(task_id=task_id)
        worker.disable()
        worker_ms = (time.perf_counter() - started) / args.tasks * 1000
        broker = "Redis" if args.redis else "ORM"
        print(f"Broker: {broker}; database: {inst.database}")
        _report("POST /api/v1/tasks (Django's handler)", api, API_STEPS, args.tasks, api_ms)
        _report("task_run (a worker's call)", worker, WORKER_STEPS, args.tasks, worker_ms)
    finally:
        inst.close()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
