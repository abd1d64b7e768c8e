"""Browsers on another origin: preflights answered without authentication, the editor's
headers allowed, ``Location`` exposed, file downloads included; nothing for origins that
are not configured."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
EDITOR = "https://ps.example.com"


@pytest.fixture(autouse=True)
def _cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [EDITOR]


def preflight(path: str, origin: str = EDITOR, method: str = "POST"):
    return Client().options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key,"
            "apikey,x-client-info",
        },
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/edit-image",
        "/api/v1/tasks",
        "/auth/v1/token",
        "/api/task-history/tasks/1/complete",
        "/files/task-history/1/x/generated-1.png",
        "/v1/images/edits",
    ],
)
def test_preflights_answer_without_authentication(path):
    response = preflight(path)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == EDITOR
    allowed = response["Access-Control-Allow-Headers"].lower()
    for header in ("authorization", "content-type", "idempotency-key", "apikey", "x-client-info"):
        assert header in allowed
    assert "PUT" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response


def test_answers_carry_the_origin_and_expose_location(user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user).key
    response = Client().get(
        "/api/v1/credits", headers={"Origin": EDITOR, "Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == EDITOR
    assert "Location" in response["Access-Control-Expose-Headers"]


def test_other_origins_get_no_cors_headers():
    response = preflight("/api/edit-image", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_pages_are_not_cors_enabled():
    response = preflight("/history/")
    assert "Access-Control-Allow-Origin" not in response


def test_every_middleware_is_async_capable(settings):
    from django.utils.module_loading import import_string

    for dotted in settings.MIDDLEWARE:
        middleware = import_string(dotted)
        assert getattr(middleware, "async_capable", False), dotted
