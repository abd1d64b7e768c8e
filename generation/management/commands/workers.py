"""``manage.py workers``: one ``qcluster`` per queue this server offers, what ``./scripts/run``
starts beside its web server.

The default queue always; the local-model queue too when a local model is configured
(``generation.services.workers.worker_queues``), so a provider that the pages and the APIs
offer has a worker. Each cluster is a child process (django-q2 reads its queue from
``Q_CLUSTER_NAME`` when it starts); SIGTERM or SIGINT stops them all, and when one exits the
others are stopped too, so a half-served setup never goes unnoticed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from generation.services.workers import worker_queues

STOP_SECONDS = 30


class Command(BaseCommand):
    help = "Starts one django-q2 cluster (qcluster) per queue this server offers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="print the queues, one a line, and exit"
        )

    def handle(self, *args, **options):
        queues = worker_queues()
        if options["list"]:
            self.stdout.write("\n".join(queues))
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        children = [self._start(queue) for queue in queues]
        self.stderr.write(f"workers: {', '.join(queues)}")
        while not stop.wait(0.5):
            if any(child.poll() is not None for child in children):
                break
        died = not stop.is_set()  # a cluster ended on its own: stop the rest, say so
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if died:
            sys.exit(1)

    @staticmethod
    def _start(queue: str) -> subprocess.Popen:
        env = {**os.environ, "Q_CLUSTER_NAME": queue}  # the name of the default one: default
        # Django's own entry point with this process's settings: generation does not name
        # the project's (aiceps.cli, a layer above).
        env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
        return subprocess.Popen([sys.executable, "-m", "django", "qcluster"], env=env)
