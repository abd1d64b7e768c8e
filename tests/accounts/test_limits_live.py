"""Limits under real concurrency, against AicePS served live (uvicorn, the real ASGI app):
concurrent wrong passwords are counted before any is hashed, bad tokens are refused past
their rate whatever ``X-Forwarded-For`` says while valid tokens pass, and concurrent
submissions never get past the submission rate."""

from __future__ import annotations

import os
import time
import uuid

import httpx
import pytest
import redis
from django_q.conf import Conf
from rest_framework.authtoken.models import Token

from accounts.services import credits_grant
from generation.models import TaskHistory
from tests.conftest import make_photo
from tests.fakes.asgi_server import AsgiServer
from tests.fakes.concurrency import burst, outside_a_window_end
from tests.fakes.hashers import CountingHasher

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests-1"
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TOKEN_URL = "/auth/v1/token?grant_type=password"


@pytest.fixture
def live(transactional_db, settings):
    """The app served as production serves it: uvicorn leaves X-Forwarded-For to AicePS."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    server = AsgiServer(proxy_headers=False).start()
    try:
        yield server
    finally:
        server.stop()


def redis_answers() -> bool:
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(params=["locmem", "database", "redis"])
def shared_cache(request, settings):
    """The counters in this process's memory, in the database (production without Redis:
    core.cache.DatabaseCache), and in Redis (skipped where none answers)."""
    if request.param == "database":
        settings.CACHES = {
            "default": {"BACKEND": "core.cache.DatabaseCache", "LOCATION": "aiceps_cache"}
        }
    elif request.param == "redis":
        if not redis_answers():
            pytest.skip(f"no Redis at {REDIS}")
        prefix = f"test-limits-{uuid.uuid4().hex}"  # counters of this test only
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": prefix,
            }
        }
        yield request.param
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)  # only this test's keys: the Redis may be shared
        return
    yield request.param


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.fakes.hashers.CountingHasher"]
    CountingHasher.reset()
    return CountingHasher


def test_concurrent_wrong_passwords_are_counted_before_any_is_hashed(
    live, shared_cache, make_user, settings, counting_hasher
):
    settings.AICEPS_TRUSTED_PROXIES = "127.0.0.1"  # the test client speaks as a proxy
    # Long enough that the checks after the burst run within it on a loaded machine.
    settings.AXES_COOLOFF_TIME = settings.AXES_COOLOFF_TIME.__class__(seconds=6)
    settings.AICEPS_THROTTLE_SIGN_IN = "1000/min"  # the per-address rate is another limit
    make_user("alice", email="alice@example.com")
    counting_hasher.reset()
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    wrong_answers: list[int] = []
    right_answer: list[httpx.Response] = []

    with httpx.Client(base_url=live.url, timeout=60) as client:

        def sign_in(password: str, headers: dict) -> httpx.Response:
            body = {"email": "alice@example.com", "password": password}
            return client.post(TOKEN_URL, json=body, headers=headers)

        def attempt(n: int) -> int:
            if n < 50:
                answer = sign_in(f"wrong-{n}", attacker)
                wrong_answers.append(answer.status_code)
                return answer.status_code
            # The right password, sent while the burst is still arriving.
            while len(wrong_answers) < 5:
                time.sleep(0.005)
            right_answer.append(sign_in(PASSWORD, attacker))
            return right_answer[0].status_code

        answers = burst(51, attempt)
        assert answers.count(400) <= 5 and answers.count(400) + answers.count(429) == 51
        assert (
            right_answer[0].status_code == 429 and int(right_answer[0].headers["Retry-After"]) > 0
        )
        assert counting_hasher.calls <= 5  # at most five passwords were hashed of 51
        print(f"hashed {counting_hasher.calls} of 51, {answers.count(429)} refused unhashed")

        # Alice, from her own (clean) address, is not locked out by the stranger.
        assert sign_in(PASSWORD, {"X-Forwarded-For": "198.51.100.20"}).status_code == 200
        # From the attacker's address the right password waits out the lockout...
        waiting = sign_in(PASSWORD, attacker)
        assert waiting.status_code == 429
        # Django's database cache keeps an expiry to the second, so a count can last 1 s more.
        time.sleep(int(waiting.headers["Retry-After"]) + 1.2)
        assert sign_in(PASSWORD, attacker).status_code == 200  # ...and then signs in


def test_bad_tokens_are_refused_past_the_rate_whatever_the_forwarded_header(
    live, shared_cache, user, settings
):
    settings.AICEPS_THROTTLE_BAD_CREDENTIALS = "10/min"
    good = Token.objects.create(user=user).key
    outside_a_window_end("bad_credentials", "address:127.0.0.1", "10/min")
    with httpx.Client(base_url=live.url, timeout=60) as client:

        def guess(n: int) -> int:
            headers = {
                "Authorization": f"Bearer guess{n:036d}",
                "X-Forwarded-For": f"10.9.{n // 250}.{n % 250}",  # a new "address" each time
            }
            return client.get("/api/v1/credits", headers=headers).status_code

        answers = burst(40, guess)
        assert answers.count(401) == 10 and answers.count(429) == 30
        # A valid token from the same address still passes; a bad one is still refused.
        valid = {"Authorization": f"Bearer {good}", "X-Forwarded-For": "10.99.0.1"}
        assert client.get("/api/v1/credits", headers=valid).status_code == 200
        assert guess(1000) == 429


def test_concurrent_submissions_never_pass_the_submission_rate(
    live, shared_cache, user, monkeypatch
):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued, not run: the test is about the gate
    credits_grant(user=user, amount=200, note="enough for every submission")
    token = Token.objects.create(user=user).key
    photo = make_photo(64, 48)
    outside_a_window_end("submit", f"user:{user.pk}", "30/min")
    with httpx.Client(base_url=live.url, timeout=120) as client:

        def submit(n: int) -> int:
            return client.post(
                "/api/v1/tasks",
                headers={"Authorization": f"Bearer {token}"},
                data={"prompt": f"burst {n}"},
                files={"image": ("photo.jpg", photo, "image/jpeg")},
            ).status_code

        answers = burst(100, submit)
    accepted = [code for code in answers if code != 429]
    assert len(accepted) == 30 and set(accepted) == {202}, sorted(set(answers))
    assert TaskHistory.objects.filter(user=user).count() == 30
