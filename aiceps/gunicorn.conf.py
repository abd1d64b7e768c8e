"""gunicorn settings for production: processes supervised by gunicorn, each an ASGI event loop.

    gunicorn -c aiceps/gunicorn.conf.py aiceps.asgi:application

Why gunicorn with uvicorn workers: every client of AicePS waits (for an image, on an event
stream), so each web process must hold thousands of waiting connections; an event loop
(uvicorn) holds one for the cost of a socket. gunicorn adds what a bare uvicorn lacks in
production: a supervisor that restarts a crashed or hung worker, graceful reloads (HUP), and
recycling each worker after ``max_requests`` so memory is given back to the system.

Every value can be changed from the environment: ``AICEPS_BIND`` (``127.0.0.1:8000``),
``WEB_CONCURRENCY`` (worker processes: the CPU count), ``AICEPS_WEB_TIMEOUT`` (seconds a worker
may stop answering its supervisor: 60), ``AICEPS_WEB_MAX_REQUESTS`` (recycle a worker after this
many requests, with jitter: 5000; 0 never), ``AICEPS_WEB_CONNECTIONS`` (most connections per
worker before answering 503: 5000).

With ``PROMETHEUS_MULTIPROC_DIR`` set (and the same value for ``qcluster``), ``/metrics`` sums
every worker's counts: the files of processes that are gone are removed when gunicorn starts,
and a worker's live gauges go when it exits. Request lines are logged by
``operations.middleware`` (no gunicorn access log).
"""

from __future__ import annotations

import os

_cores = os.cpu_count() or 1

bind = os.environ.get("AICEPS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", _cores))
worker_class = "operations.uvicorn_worker.AicepsUvicornWorker"
# Not the request time (a stream lasts up to 30 min): how long a worker may be silent to its
# supervisor before it is killed and replaced.
timeout = int(os.environ.get("AICEPS_WEB_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("AICEPS_WEB_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"


def on_starting(server):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from operations.multiprocess import clean_multiprocess_dir

        removed = clean_multiprocess_dir()
        server.log.info("metrics: %s file(s) of finished processes removed", removed)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
