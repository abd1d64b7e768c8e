import io

import pytest
from django.core.cache import cache
from django.db import OperationalError

from tests.conftest import make_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def test_submissions_are_throttled_per_user(api, settings):
    settings.AICEPS_THROTTLE_SUBMIT = "2/min"  # read per request
    responses = []
    for _ in range(3):
        photo = io.BytesIO(make_photo())
        photo.name = "p.jpg"
        responses.append(
            api.post("/api/v1/tasks", {"image": photo, "prompt": "黑白"}, format="multipart")
        )
    assert [r.status_code for r in responses] == [202, 202, 429]
    assert responses[-1].json()["error"]["code"] == "throttled"
    assert int(responses[-1]["Retry-After"]) >= 1
    assert api.get("/api/v1/credits").status_code == 200  # reads are not submissions


def test_database_outage_is_503_without_internals(api, monkeypatch):
    def down(**kwargs):
        raise OperationalError("could not connect to server: secret-host:5432")

    monkeypatch.setattr("accounts.credits_api.credits_balance", down)
    monkeypatch.setattr("accounts.credits_api.credits_ledger", down)
    response = api.get("/api/v1/credits")
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "service_unavailable"
    assert "secret-host" not in response.content.decode()


def test_unexpected_errors_are_500_without_a_trace(api, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("internal detail /srv/aiceps/x.py")

    monkeypatch.setattr("generation.api.tasks.statistics_for", broken)
    response = api.get("/api/v1/statistics")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "internal detail" not in response.content.decode()
