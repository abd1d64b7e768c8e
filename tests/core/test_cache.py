"""The database cache's add and incr are atomic: concurrent callers each get their own count
(Django's own DatabaseCache.incr loses updates), on SQLite and on PostgreSQL."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches

from core.threads import close_connections
from tests.fakes.concurrency import burst

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def db_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "db": {"BACKEND": "core.cache.DatabaseCache", "LOCATION": "aiceps_cache"},
    }
    cache = caches["db"]
    cache.clear()
    yield cache
    close_connections()


def test_concurrent_increments_are_all_counted(db_cache):
    db_cache.add("hits", 0, 60)
    results = burst(40, lambda _n: db_cache.incr("hits"))
    assert sorted(results) == list(range(1, 41))
    assert db_cache.get("hits") == 40


def test_one_concurrent_add_wins(db_cache):
    assert burst(20, lambda n: db_cache.add("first", n, 60)).count(True) == 1


def test_incr_keeps_the_expiry_and_refuses_an_expired_key(db_cache):
    db_cache.add("short", 1, 1)
    assert db_cache.incr("short", 5) == 6
    time.sleep(2.1)  # expiry is kept to the second
    with pytest.raises(ValueError):
        db_cache.incr("short")
    assert db_cache.add("short", 1, 60)  # an expired key can be added again
