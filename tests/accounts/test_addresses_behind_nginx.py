"""Behind the nginx recipe (ops/nginx/aiceps.conf, AICEPS_TRUSTED_PROXIES=1 as
./scripts/serve sets it) a client cannot pick its address with X-Forwarded-For: bad tokens
sent with a new forged address each time are still refused past the rate, and a valid token
from the same place still passes. Skipped where nginx is not installed."""

from __future__ import annotations

import shutil

import httpx
import pytest
from rest_framework.authtoken.models import Token

from tests.fakes.asgi_server import AsgiServer
from tests.fakes.concurrency import burst, outside_a_window_end
from tests.fakes.nginx import nginx_in_front_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed"),
]


@pytest.fixture
def nginx(transactional_db, settings, tmp_path):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.AICEPS_TRUSTED_PROXIES = "1"
    app = AsgiServer(proxy_headers=False).start()
    try:
        with nginx_in_front_of(app.port, tmp_path) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        app.stop()


def test_forged_forwarded_addresses_do_not_escape_the_bad_token_rate(nginx, user, settings):
    settings.AICEPS_THROTTLE_BAD_CREDENTIALS = "10/min"
    good = Token.objects.create(user=user).key
    # nginx saw 127.0.0.1 (this test) and appended it: that is the address counted.
    outside_a_window_end("bad_credentials", "address:127.0.0.1", "10/min")
    with httpx.Client(base_url=nginx, timeout=60) as client:

        def guess(n: int) -> int:
            headers = {
                "Authorization": f"Bearer guess{n:036d}",
                "X-Forwarded-For": f"198.18.{n // 250}.{n % 250}",
            }
            return client.get("/api/v1/credits", headers=headers).status_code

        answers = burst(30, guess)
        assert answers.count(401) == 10 and answers.count(429) == 20
        valid = {"Authorization": f"Bearer {good}", "X-Forwarded-For": "198.18.9.9"}
        assert client.get("/api/v1/credits", headers=valid).status_code == 200
