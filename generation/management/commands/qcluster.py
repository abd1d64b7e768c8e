"""``manage.py qcluster``: django-q2's cluster, plus the reaper of tasks whose worker died.

The cluster's main process only waits for its sentinel; here it also runs
``tasks_reap_stuck`` every ``AICEPS_REAPER_SECONDS``, so a task whose worker was killed runs
again (or fails and is refunded) within seconds of its lease running out, and a cluster that
starts after a crash picks up what the dead one held. Every cluster runs it; the reaper's
conditional updates make that safe.
"""

from __future__ import annotations

import os

from django.conf import settings
from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as ClusterCommand

from generation.services import tasks_reap_stuck
from generation.services.leases import keep_reaping


class Command(ClusterCommand):
    help = "Starts a django-q2 cluster that also reaps tasks whose worker died."

    def handle(self, *args, **options):
        if options.get("run_once"):
            return super().handle(*args, **options)
        settings.SECRET_KEY  # noqa: B018 - django-q2 signs jobs with it: fail now if unset
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        cluster = Cluster()
        cluster.start()
        keep_reaping(
            lambda: cluster.sentinel is not None and cluster.sentinel.is_alive(),
            reap=tasks_reap_stuck,
        )
