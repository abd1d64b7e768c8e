"""What can be guessed is throttled: sign-in (pages and admin) per account and per address,
with a lockout that ends; failed API credentials per address; the web form's submissions.
Counters live in the shared cache: the database's when there is no Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.fakes.concurrency import an_address_far_from_its_window_end
from tests.fakes.worker import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)
LOGIN = "/accounts/login/"


@pytest.fixture
def lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)


def sign_in(client, username, password, path=LOGIN):
    return client.post(path, {"username": username, "password": password})


def test_an_account_is_locked_at_one_address_after_failures_and_opens_again(user, lockout):
    client = Client(REMOTE_ADDR="10.0.0.1")
    answers = [sign_in(client, "alice", "wrong").status_code for _ in range(3)]
    assert answers == [200, 200, 429]  # the form again, then locked at the limit
    locked = sign_in(client, "alice", "pw-for-tests-1")
    assert locked.status_code == 429  # even the right password, from that address
    assert b"Too many sign-in attempts" in locked.content
    # A stranger's failures do not lock alice out of her own address.
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), "alice", "pw-for-tests-1").status_code == 302
    time.sleep(2.2)
    assert sign_in(client, "alice", "pw-for-tests-1").status_code == 302


def test_each_further_lockout_lasts_twice_as_long(user, lockout, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    client = Client(REMOTE_ADDR="10.0.0.3")
    for _ in range(4):
        sign_in(client, "alice", "wrong")
    first = sign_in(client, "alice", "pw-for-tests-1")
    assert first.status_code == 429 and int(first["Retry-After"]) == 1
    time.sleep(1.2)
    for _ in range(4):
        sign_in(client, "alice", "wrong")
    second = sign_in(client, "alice", "pw-for-tests-1")
    assert second.status_code == 429 and int(second["Retry-After"]) == 2
    time.sleep(1.2)
    assert sign_in(client, "alice", "pw-for-tests-1").status_code == 429  # still locked
    time.sleep(1.0)
    assert sign_in(client, "alice", "pw-for-tests-1").status_code == 302


def test_an_address_is_locked_past_its_ceiling_whatever_account_it_tries(
    make_user, lockout, settings
):
    settings.AICEPS_SIGN_IN_LIMITS = replace(
        settings.AICEPS_SIGN_IN_LIMITS, address_failure_limit=3
    )
    make_user("carol")
    client = Client(REMOTE_ADDR="10.0.0.9")
    for name in ("x1", "x2", "x3"):
        sign_in(client, name, "wrong")
    assert sign_in(client, "carol", "pw-for-tests-1").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.0.8"), "carol", "pw-for-tests-1").status_code == 302


def test_the_admin_sign_in_is_locked_too(make_user, lockout):
    make_user("root", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="10.0.1.1")
    for _ in range(3):
        sign_in(client, "root", "wrong", path="/admin/login/")
    assert sign_in(client, "root", "pw-for-tests-1", path="/admin/login/").status_code == 429


def test_forwarded_addresses_count_only_from_trusted_proxies(user, lockout, settings):
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.1"}
    for n in range(3):  # a stranger "rotating" the header: still one address, the peer's
        sign_in(Client(REMOTE_ADDR="10.0.4.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "alice", "x")
    assert (
        sign_in(Client(REMOTE_ADDR="10.0.4.1", **forged), "alice", "pw-for-tests-1").status_code
        == 429
    )
    settings.AICEPS_TRUSTED_PROXIES = "10.0.4.0/24"  # now the header is believed from there
    assert (
        sign_in(Client(REMOTE_ADDR="10.0.4.1", **forged), "alice", "pw-for-tests-1").status_code
        == 302
    )


def test_bad_tokens_are_throttled_per_address(user, settings):
    settings.AICEPS_THROTTLE_BAD_CREDENTIALS = "5/min"
    good = Token.objects.create(user=user).key
    guesser = Client(REMOTE_ADDR="10.0.2.1")
    answers = [
        guesser.get("/api/v1/credits", HTTP_AUTHORIZATION=f"Bearer guess{n:036d}").status_code
        for n in range(7)
    ]
    assert answers[:5] == [401] * 5 and answers[5:] == [429, 429]
    # Failures only are counted: a valid token from the same address (a NAT) still passes.
    assert guesser.get("/api/v1/credits", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200
    other = Client(REMOTE_ADDR="10.0.2.2")
    assert other.get("/api/v1/credits", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200


def test_the_web_form_is_throttled_like_the_api(user, settings):
    settings.AICEPS_THROTTLE_SUBMIT = "2/min"
    client = Client()
    client.force_login(user)
    codes = [
        client.post("/new/", {"task_type": "edit", "prompt": ""}).status_code for _ in range(3)
    ]
    assert codes[:2] == [400, 400] and codes[2] == 429


def test_counters_are_shared_between_processes_without_redis(user):
    """Two separate processes each send 3 bad tokens; a third is refused at once."""
    address = an_address_far_from_its_window_end("bad_credentials", "6/hour", margin=120)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aiceps.settings.base",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "AICEPS_THROTTLE_BAD_CREDENTIALS": "6/hour",
        "PYTHONPATH": str(ROOT),
    }
    script = (
        "import django, sys; django.setup()\n"
        "from django.core.cache import caches\n"
        "print(type(caches['default']).__name__)\n"
        "from django.test import Client\n"
        "c = Client(REMOTE_ADDR=sys.argv[2])\n"
        "for n in range(int(sys.argv[1])):\n"
        "    print(c.get('/api/v1/credits', HTTP_AUTHORIZATION='Bearer x%039d' % n).status_code)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, count, address],
            cwd=ROOT,
            env={**env, "DJANGO_ALLOWED_HOSTS": "testserver"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        for count in ("3", "3", "1")
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    outputs = [run.stdout.split() for run in runs]
    assert outputs[0][0] == "DatabaseCache"
    assert outputs[0][1:] == ["401"] * 3 and outputs[1][1:] == ["401"] * 3
    assert outputs[2][1:] == ["429"]


@pytest.fixture
def cache_away(settings):
    """The shared cache is a Redis that does not answer (nothing listens on port 1)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }


def test_limits_fail_closed_when_the_cache_cannot_count(user, cache_away, settings):
    # A sign-in is refused unhashed (and says when to try again), never checked uncounted.
    locked = sign_in(Client(REMOTE_ADDR="10.0.5.1"), "alice", "pw-for-tests-1")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    # API calls and submissions: 503, never through unthrottled.
    token = Token.objects.create(user=user).key
    api = Client(REMOTE_ADDR="10.0.5.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    answer = api.get("/api/v1/credits")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "rate_limiter_unavailable"
    bad = Client(REMOTE_ADDR="10.0.5.1", HTTP_AUTHORIZATION="Bearer " + "0" * 40)
    assert bad.get("/api/v1/credits").status_code == 503
