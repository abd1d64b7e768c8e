"""``manage.py qcluster``: django-q2's cluster, plus the reaper of tasks whose worker died and
the cluster's heartbeat.

The cluster's main process only waits for its sentinel; here it also runs
``tasks_reap_stuck`` every ``AICEPS_REAPER_SECONDS``, so a task whose worker was killed runs
again (or fails and is refunded) within seconds of its lease running out, and a cluster that
starts after a crash picks up what the dead one held. Every cluster runs it; the reaper's
conditional updates make that safe. Each run first records the cluster's heartbeat for its
queue (``worker_beat``): the providers of that queue's group are offered only while one beats.
"""

from __future__ import annotations

import contextlib
import os
import uuid

from django.conf import settings
from django.utils import timezone
from django_q.cluster import Cluster
from django_q.conf import Conf
from django_q.management.commands.qcluster import Command as ClusterCommand

from generation.services import tasks_reap_stuck
from generation.services.leases import keep_reaping
from generation.services.workers import worker_beat, worker_gone


class Command(ClusterCommand):
    help = "Starts a django-q2 cluster that also reaps tasks whose worker died."

    def handle(self, *args, **options):
        if options.get("run_once"):
            return super().handle(*args, **options)
        settings.SECRET_KEY  # noqa: B018 - django-q2 signs jobs with it: fail now if unset
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        # The queue this cluster takes jobs from (its sentinel reads the same variable).
        queue = os.environ.get("Q_CLUSTER_NAME") or Conf.CLUSTER_NAME
        beat_id, started_at = uuid.uuid4(), timezone.now()

        def beat_and_reap() -> dict:
            worker_beat(beat_id=beat_id, queue=queue, started_at=started_at)
            return tasks_reap_stuck()

        cluster = Cluster()
        cluster.start()
        try:
            keep_reaping(
                lambda: cluster.sentinel is not None and cluster.sentinel.is_alive(),
                reap=beat_and_reap,
            )
        finally:
            with contextlib.suppress(Exception):  # the database away: the row goes stale
                worker_gone(beat_id=beat_id)
