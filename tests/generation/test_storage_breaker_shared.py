"""The S3 breaker is shared by every process (through the cache): the first timed-out upload
opens it everywhere, one probe runs per cool-down whichever process makes it, and a process
whose cache is away keeps a breaker of its own. Uploads run in the caller's thread."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aiceps.settings.storage import s3_storage_options
from generation.storage_breaker import CLOSED, OPEN, PROBING, Breaker, timed_out
from tests.fakes.asgi_server import free_port
from tests.fakes.figures import record_figure
from tests.fakes.worker import ROOT

from .s3_support import s3_fixture  # noqa: F401  (the `s3` fixture)
from .test_storage_breaker import Clock, hung_s3, photo_file  # noqa: F401  (a fixture)

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "aiceps_cache",
    }
}


@pytest.fixture
def breaker_settings(settings):
    settings.AICEPS_S3 = replace(
        settings.AICEPS_S3, breaker_failures=3, breaker_cooldown_seconds=30
    )


@pytest.mark.django_db
def test_two_processes_share_one_breaker(breaker_settings):
    clock = Clock()
    web, worker = Breaker(clock), Breaker(clock)  # two processes' breakers, one cache
    assert web.allow() and worker.allow()
    worker.failed()
    worker.failed()
    assert web.state == CLOSED  # two errors are not yet an outage
    web.failed()  # the third, in another process
    assert not worker.allow() and not web.allow()
    assert web.describe()["state"] == OPEN and web.describe()["shared"] is True

    clock.now = 31
    probes = [web.allow(), worker.allow(), web.allow()]
    assert probes.count(True) == 1  # one probe, in one process
    assert worker.state == PROBING
    (web if probes[0] else worker).failed()  # still away: another cool-down
    assert not web.allow() and not worker.allow()
    clock.now = 62
    prober = web if web.allow() else worker
    prober.succeeded()
    assert web.state == worker.state == CLOSED and web.allow() and worker.allow()


@pytest.mark.django_db
def test_a_timeout_opens_the_breaker_at_once(breaker_settings):
    from botocore.exceptions import ReadTimeoutError

    breaker = Breaker(Clock())
    error = ReadTimeoutError(endpoint_url="http://s3")
    assert timed_out(error) and not timed_out(PermissionError("denied"))
    breaker.failed(hang=timed_out(error))
    assert breaker.state == OPEN and not breaker.allow()


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_breaker_this_one_opened(breaker_settings, settings):
    """A real second process on the database's cache table: it opens the breaker with a
    timed-out upload, and this process then refuses S3 too."""
    if connection.vendor != "sqlite":
        pytest.skip("the child process opens the SQLite test database file")
    settings.CACHES = DATABASE_CACHE
    script = textwrap.dedent(
        """
        import django
        from django.conf import settings
        settings.CACHES = {caches!r}
        django.setup()
        from generation.storage_breaker import Breaker
        Breaker().failed(hang=True)
        print(Breaker().describe()["state"])
        """
    ).format(caches=DATABASE_CACHE)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aiceps.settings.test",
        "TEST_DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "PYTHONPATH": str(ROOT),
    }
    assert Breaker().allow()
    child = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == OPEN
    assert not Breaker().allow()
    assert Breaker().describe()["state"] == OPEN


@pytest.mark.django_db
def test_with_the_cache_away_each_process_keeps_its_own_breaker(breaker_settings, settings):
    settings.CACHES = {
        **settings.CACHES,
        "away": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    breaker = Breaker(Clock(), cache_alias="away")
    assert breaker.allow()
    breaker.failed(hang=True)
    assert not breaker.allow()
    assert breaker.describe() == {
        "state": OPEN,
        "failures": 1,
        "open_for_s": 0.0,
        "shared": False,
    }
    breaker.succeeded()
    assert breaker.allow()


@pytest.mark.django_db
def test_with_s3_hung_only_the_first_upload_is_slow(hung_s3, user, settings):  # noqa: F811
    """The default three failures: the first upload times out, which opens the breaker at
    once; every later submission is accepted within a second."""
    settings.AICEPS_S3 = replace(settings.AICEPS_S3, breaker_failures=3)
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    times, connections = [], []
    for n in range(5):
        started = time.perf_counter()
        response = client.post(
            "/api/v1/tasks", {"image": photo_file(), "prompt": f"黑白 {n}"}, format="multipart"
        )
        times.append(time.perf_counter() - started)
        connections.append(len(hung_s3.held))
        assert response.status_code == 202, response.content
    record_figure("submissions with S3 hung, one slow upload then the shared breaker", times)
    assert times[0] > 0.5 and connections[0] > 0  # it waited on the hung server
    assert connections[1:] == [connections[0]] * 4  # the later ones never went to it
    # A few tens of ms when the machine is quiet (the figure above); the bound is the one
    # read timeout (0.5 s) a later upload that reached the server would wait, with room
    # for a loaded machine.
    assert all(t < 1.5 for t in times[1:]), times


def test_uploads_run_in_the_callers_thread():
    config = s3_storage_options(bucket_name="b")["transfer_config"]
    assert config.use_threads is False and config.max_concurrency == 1
    assert config.multipart_threshold >= 60 * 1024 * 1024  # every upload is one request


@pytest.mark.django_db
def test_an_s3_upload_starts_no_thread(s3):
    from generation.storage import read_bytes, store_bytes

    data = os.urandom(12 * 1024 * 1024)  # the largest upload
    store_bytes("threads/warm.bin", b"x")  # the client and its connection pool exist
    seen = []
    done = threading.Event()

    def count():
        while not done.is_set():
            seen.append(threading.active_count())
            time.sleep(0.005)

    before = threading.active_count()
    counter = threading.Thread(target=count, daemon=True)
    counter.start()
    stored = store_bytes("threads/big.bin", data)
    done.set()
    counter.join()
    assert not stored.fallback
    assert max(seen) <= before + 1  # the counting thread itself, nothing else
    assert read_bytes("threads/big.bin") == data
