"""What can be guessed is throttled: sign-in (pages and admin) per account and per address,
with a lockout that ends; failed API credentials per address; the web form's submissions.
Counters live in the shared cache: the database's when there is no Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.fakes.worker import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)
LOGIN = "/accounts/login/"


@pytest.fixture
def lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)


def sign_in(client, username, password, path=LOGIN):
    return client.post(path, {"username": username, "password": password})


def test_an_account_is_locked_after_failures_and_opens_again(user, lockout):
    client = Client(REMOTE_ADDR="10.0.0.1")
    answers = [sign_in(client, "alice", "wrong").status_code for _ in range(3)]
    assert answers == [200, 200, 429]  # the form again, then locked at the limit
    locked = sign_in(Client(REMOTE_ADDR="10.0.0.2"), "alice", "pw-for-tests-1")
    assert locked.status_code == 429  # even the right password, from another address
    assert b"Too many sign-in attempts" in locked.content
    time.sleep(2.2)
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), "alice", "pw-for-tests-1").status_code == 302


def test_an_address_is_locked_whatever_account_it_tries(make_user, lockout):
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


def test_bad_tokens_are_throttled_per_address(user, settings):
    settings.AICEPS_THROTTLE_BAD_CREDENTIALS = "5/min"
    good = Token.objects.create(user=user).key
    guesser = Client(REMOTE_ADDR="10.0.2.1")
    answers = [
        guesser.get("/api/v1/credits", HTTP_AUTHORIZATION=f"Bearer guess{n:036d}").status_code
        for n in range(7)
    ]
    assert answers[:5] == [401] * 5 and answers[5:] == [429, 429]
    # Past the rate the address learns nothing, not even that a token is good.
    assert guesser.get("/api/v1/credits", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 429
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
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aiceps.settings.base",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "AICEPS_THROTTLE_BAD_CREDENTIALS": "6/min",
        "PYTHONPATH": str(ROOT),
    }
    script = (
        "import django, sys; django.setup()\n"
        "from django.core.cache import caches\n"
        "print(type(caches['default']).__name__)\n"
        "from django.test import Client\n"
        "c = Client(REMOTE_ADDR='10.0.3.1')\n"
        "for n in range(int(sys.argv[1])):\n"
        "    print(c.get('/api/v1/credits', HTTP_AUTHORIZATION='Bearer x%039d' % n).status_code)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, count],
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
