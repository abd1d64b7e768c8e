"""A password change or reset ends every other session: GoTrue refresh and access tokens,
the DRF token, other browsers' cookies. The session that changed it stays, and API keys
stay (they are not sessions)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.key_services import api_key_create

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "a-new-pw-for-tests-2"


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="alice@example.com")


def gotrue(path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = APIClient()
    if path == "/auth/v1/user":
        return client.put(path, body, format="json", headers=headers)
    return client.post(path, body, format="json", headers=headers)


def sign_in(password=PASSWORD) -> dict:
    answer = gotrue(
        "/auth/v1/token?grant_type=password", {"email": "alice@example.com", "password": password}
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def refresh(session: dict):
    return gotrue(
        "/auth/v1/token?grant_type=refresh_token", {"refresh_token": session["refresh_token"]}
    )


def api_call(credential: str) -> int:
    return APIClient().get("/api/v1/credits", HTTP_AUTHORIZATION=f"Bearer {credential}").status_code


@pytest.fixture
def sessions(alice):
    """Everything alice is signed in with: two GoTrue sessions, a DRF token, an API key and a
    browser signed in on the page."""
    browser = Client()
    assert (
        browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )
    assert browser.get("/api/v1/credits").status_code == 200
    return {
        "here": sign_in(),
        "elsewhere": sign_in(),
        "token": Token.objects.create(user=alice).key,
        "api_key": api_key_create(user=alice, name="ci").key,
        "browser": browser,
    }


def assert_other_sessions_ended(sessions: dict) -> None:
    elsewhere = sessions["elsewhere"]
    assert refresh(elsewhere).status_code == 400  # its refresh token no longer refreshes
    assert api_call(elsewhere["access_token"]) == 401  # its access token is refused at once
    assert api_call(sessions["token"]) == 401  # the DRF token is gone
    assert sessions["browser"].get("/api/v1/credits").status_code in (401, 403)
    assert api_call(sessions["api_key"]) == 200  # API keys stay


def test_a_password_change_through_gotrue_ends_every_other_session(sessions):
    here = sessions["here"]
    changed = gotrue("/auth/v1/user", {"password": NEW_PASSWORD}, token=here["access_token"])
    assert changed.status_code == 200
    assert_other_sessions_ended(sessions)
    assert api_call(here["access_token"]) == 200  # the session that changed it stays
    assert refresh(here).status_code == 200
    assert sign_in(NEW_PASSWORD)["access_token"]


def test_a_password_reset_ends_every_session(sessions, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    browser = Client()
    browser.post("/accounts/password_reset/", {"email": "alice@example.com"})
    link = re.search(r"(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form = browser.get(link, follow=True)
    answer = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 302
    assert_other_sessions_ended(sessions)
    assert refresh(sessions["here"]).status_code == 400  # none kept: none changed it
    assert sign_in(NEW_PASSWORD)["access_token"]


def test_other_saves_of_the_user_end_nothing(sessions, alice):
    alice.first_name = "Alice"
    alice.save()
    assert refresh(sessions["elsewhere"]).status_code == 200
    assert api_call(sessions["token"]) == 200
