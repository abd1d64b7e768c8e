"""``task_offer``: whether a task type can be asked for now and its price, as task_create
would find them, without creating anything."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_q.conf import Conf

from generation.liveness import forget_alive
from generation.models import TaskHistory, WorkerHeartbeat
from generation.selectors_offers import task_offer

pytestmark = pytest.mark.django_db
INVERT = "tests.fakes.providers.InvertImageProvider"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.AICEPS_IMAGE_PROVIDER = INVERT
    settings.AICEPS_TASK_COSTS = {"default": 1, "text_to_image": 2}


def test_an_offer_has_the_price_task_create_would_charge():
    offer = task_offer(task_type="filter")
    assert (offer.available, offer.price, offer.reason) == (True, 1, "")
    assert not TaskHistory.objects.exists()


def test_what_the_provider_cannot_do_says_who_can(settings):
    offer = task_offer(task_type="inpaint")  # an explicit primitive the fake does not name
    assert not offer.available
    assert offer.reason.startswith("This server's image model cannot do that")


def test_without_a_live_worker_nothing_is_available(settings, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_WORKER_CHECK = True
    settings.AICEPS_WORKER_CHECK_SECONDS = 0
    forget_alive()
    try:
        offer = task_offer(task_type="filter")
        assert not offer.available and "No worker is running" in offer.reason
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            queue=settings.AICEPS_QUEUE_NAME, started_at=now, seen_at=now
        )
        assert task_offer(task_type="filter").available
    finally:
        forget_alive()
