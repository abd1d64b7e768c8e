"""gunicorn settings for production.

    PROMETHEUS_MULTIPROC_DIR=/run/aiceps-metrics gunicorn -c aiceps/gunicorn.conf.py aiceps.wsgi

Threaded workers (``gthread``): the task event stream (server-sent events) and the synchronous
seed endpoint hold a request open while a task runs; with plain sync workers each would block
a whole process. Every value can be changed from the environment:

``AICEPS_BIND`` (``127.0.0.1:8000``), ``WEB_CONCURRENCY`` (worker processes: the CPU count),
``AICEPS_WEB_THREADS`` (threads per worker: 8), ``AICEPS_WEB_TIMEOUT`` (seconds a request may
take: the seed endpoint's wait, ``AICEPS_SYNC_WAIT_SECONDS``, plus 30), ``AICEPS_WEB_MAX_REQUESTS``
(recycle a worker after this many requests; 0, the default, never does).

With ``PROMETHEUS_MULTIPROC_DIR`` set (and the same value for ``qcluster``), ``/metrics`` sums
every worker's counts: the directory is created and the files of processes that are gone are
removed when gunicorn starts (a running qcluster's files stay), and a worker's live gauges go
when it exits. Request lines are logged by ``aiceps.middleware`` (no gunicorn access log).
"""

from __future__ import annotations

import os

_cores = os.cpu_count() or 1

bind = os.environ.get("AICEPS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", _cores))
worker_class = "gthread"
threads = int(os.environ.get("AICEPS_WEB_THREADS", 8))
timeout = int(
    os.environ.get(
        "AICEPS_WEB_TIMEOUT", float(os.environ.get("AICEPS_SYNC_WAIT_SECONDS", 120)) + 30
    )
)
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("AICEPS_WEB_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
# Uploads are read into memory by Django; keep gunicorn's own limits at their defaults.


def on_starting(server):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from operations.multiprocess import clean_multiprocess_dir

        removed = clean_multiprocess_dir()
        server.log.info("metrics: %s file(s) of finished processes removed", removed)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
