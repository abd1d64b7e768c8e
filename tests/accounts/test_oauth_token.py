"""The GoTrue token endpoint is also an OAuth 2.0 token endpoint (RFC 6749 4.3 and 6), and the
schema says so: its security scheme is an OAuth 2.0 password flow whose token URL is that
endpoint, so Swagger UI's "Authorize" and OAuth 2.0 clients sign in with an email and a
password. The schema leaves sign-up out while it is closed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-oauth-1"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def alice(make_user):
    user = make_user("alice", email="alice@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


def token_form(body: str):
    return APIClient().generic("POST", "/auth/v1/token", body, content_type=FORM)


def test_a_form_password_grant_answers_a_bearer_token_that_works(alice):
    answer = token_form(f"grant_type=password&username=alice%40example.com&password={PASSWORD}")
    assert answer.status_code == 200, answer.content
    session = answer.json()
    assert session["token_type"] == "bearer" and session["expires_in"] > 0
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {session['access_token']}")
    assert client.get("/api/v1/credits").status_code == 200

    refreshed = token_form(f"grant_type=refresh_token&refresh_token={session['refresh_token']}")
    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.json()["refresh_token"] != session["refresh_token"]  # rotated


def test_a_wrong_password_in_a_form_is_refused_in_both_error_shapes(alice):
    answer = token_form("grant_type=password&username=alice%40example.com&password=wrong-pw-1")
    assert answer.status_code == 400
    # GoTrue's error_code, and RFC 6749's error / error_description pair
    assert answer.json()["error_code"] == answer.json()["error"] == "invalid_credentials"
    assert answer.json()["error_description"]
    unknown = token_form("grant_type=client_credentials&client_id=x")
    assert unknown.status_code == 400
    assert unknown.json()["error_code"] == "unsupported_grant_type"


def test_the_query_grant_type_of_gotrue_still_decides_a_json_call(alice):
    answer = APIClient().post(
        "/auth/v1/token?grant_type=password",
        {"email": "alice@example.com", "password": PASSWORD},
        format="json",
    )
    assert answer.status_code == 200, answer.content


def schema(client=None):
    answer = (client or APIClient()).get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    return answer.json()


def test_the_schema_declares_the_password_flow_at_the_token_endpoint():
    described = schema()
    scheme = described["components"]["securitySchemes"]["supabaseJWT"]
    flow = scheme["flows"]["password"]
    assert scheme["type"] == "oauth2" and flow["tokenUrl"] == "/auth/v1/token"
    token = described["paths"]["/auth/v1/token"]["post"]
    assert set(token["requestBody"]["content"]) == {"application/json", FORM}


def test_sign_up_is_in_the_schema_only_while_open(settings):
    settings.AICEPS_OPEN_SIGNUP = False
    assert "/auth/v1/signup" not in schema()["paths"]
    settings.AICEPS_OPEN_SIGNUP = True
    assert "/auth/v1/signup" in schema()["paths"]


def test_a_required_apikey_rides_in_the_token_url(alice, settings):
    settings.AICEPS_AUTH = replace(settings.AICEPS_AUTH, anon_key="public-anon-key")
    flow = schema()["components"]["securitySchemes"]["supabaseJWT"]["flows"]["password"]
    assert flow["tokenUrl"] == "/auth/v1/token?apikey=public-anon-key"
    body = f"grant_type=password&username=alice%40example.com&password={PASSWORD}"
    without = token_form(body)
    assert without.status_code == 401
    answer = APIClient().generic("POST", flow["tokenUrl"], body, content_type=FORM)
    assert answer.status_code == 200, answer.content
