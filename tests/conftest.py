"""Shared fixtures: users with credits, API clients, photos made in code."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from django.core.cache import cache
from PIL import Image, ImageDraw

from catalogue.providers import registry
from generation.storage_breaker import breaker
from tests.fakes.asgi_server import asgi_server  # noqa: F401  (a fixture for every test)
from tests.fakes.seaweed import seaweed_fixture  # noqa: F401  (one S3 server per test process)

# What makes a test reach the database: pytest-django refuses it to every other test, so a test
# without one of these cannot behave differently on another database.
_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}
_DATABASE_FIXTURES = {
    "db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    *_TRANSACTIONAL_FIXTURES,
}


def _uses_database(item: pytest.Item) -> bool:
    return (
        item.get_closest_marker("django_db") is not None
        or item.get_closest_marker("database") is not None  # reached from another process
        or bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
    )


def _runs_here(item: pytest.Item) -> bool:
    if os.environ.get("AICEPS_TEST_DATABASE_ONLY") == "1":
        return _uses_database(item) and item.get_closest_marker("first_database") is None
    if os.environ.get("AICEPS_TEST_DATABASE_NEXT") == "1":
        return item.get_closest_marker("last_database") is None
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``./scripts/test`` runs the suite on SQLite (``AICEPS_TEST_DATABASE_NEXT=1``: another
    database follows), then with ``AICEPS_TEST_DATABASE_ONLY=1`` on PostgreSQL: there only the
    tests that use the database, the rest ran on SQLite already. A test that checks an HTTP
    contract at length through the database runs once: ``first_database`` on SQLite,
    ``last_database`` on PostgreSQL (stricter: NUL bytes, types, lengths)."""
    kept, dropped = [], []
    for item in items:
        (kept if _runs_here(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    # The longest first in their group: a test of minutes started last keeps one process busy
    # while the others have nothing left (pytest-xdist hands out tests in this order). Only
    # those: all the slow ones first (processes, browsers) made the SQLite run 50 s longer.
    # The groups stay in pytest-django's order (database tests, then transactional ones, then
    # the rest): a transactional test empties every table, the templates and schedules the
    # migrations made included, so none may run before the database tests that read them.
    items[:] = sorted(
        kept, key=lambda item: (_group(item), item.get_closest_marker("long") is None)
    )


def _group(item: pytest.Item) -> int:
    """pytest-django's order: 0 database, 1 transactional database, 2 neither."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    if (marker is not None and marker.kwargs.get("transaction")) or (
        _TRANSACTIONAL_FIXTURES & fixtures
    ):
        return 1
    return 0 if marker is not None or "db" in fixtures else 2


@pytest.fixture(autouse=True)
def _fresh_provider_instances():
    registry.reset()
    yield
    registry.reset()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the (per-process) cache: each test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def _closed_storage_breaker():
    """The S3 breaker is per process: each test starts with it closed."""
    breaker.succeeded()
    yield
    breaker.succeeded()


@pytest.fixture
def make_user(db, django_user_model):
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, **extra):
        name = username or f"user{next(counter)}"
        return django_user_model.objects.create_user(
            username=name, password="pw-for-tests-1", **extra
        )

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice")


@pytest.fixture
def other_user(make_user):
    return make_user("bob")


def make_photo(width: int = 320, height: int = 240, *, fmt: str = "JPEG") -> bytes:
    """A synthetic photo: a sky-to-grass gradient with a warm ellipse 'subject' in the middle."""
    y = np.linspace(0, 1, height)[:, None]
    x = np.linspace(0, 1, width)[None, :]
    red = 90 + 60 * y + 20 * x
    green = 150 + 60 * y - 30 * x
    blue = 230 - 150 * y
    pixels = np.stack(np.broadcast_arrays(red, green, blue), axis=-1).clip(0, 255)
    image = Image.fromarray(pixels.astype("uint8"), "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.35, height * 0.2, width * 0.65, height * 0.9), fill=(200, 80, 60))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def photo_bytes() -> bytes:
    return make_photo()
