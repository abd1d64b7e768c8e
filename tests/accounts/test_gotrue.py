"""AicePS's Supabase-compatible sign-in, in GoTrue's own request and answer shapes (as
``@supabase/auth-js`` 2.71 sends and reads them), and the same-origin session cookie."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import jwt
import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.gotrue.tokens import signing_secret
from accounts.identities import identity_get
from accounts.models import SignInSession, User
from accounts.selectors import credits_balance

pytestmark = pytest.mark.django_db
ORIGIN = "http://testserver"
PASSWORD = "pw-for-tests-1"
SESSION_KEYS = {"access_token", "token_type", "expires_in", "expires_at", "refresh_token", "user"}


@pytest.fixture(autouse=True)
def _clean_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="Alice@Example.com")


def gotrue(client, method, path, body=None, *, token=None, origin=ORIGIN, **headers):
    headers = {"apikey": "anon-key", "X-Client-Info": "supabase-js-web/2.57.4", **headers}
    if origin:
        headers["Origin"] = origin
    if token:
        headers["Authorization"] = f"Bearer {token}"
    call = getattr(client, method)
    if method == "get":
        return call(path, headers=headers)
    return call(path, body or {}, format="json", headers=headers)


def sign_in(client, email="alice@example.com", password=PASSWORD, **kwargs):
    return gotrue(
        client,
        "post",
        "/auth/v1/token?grant_type=password",
        {"email": email, "password": password, "gotrue_meta_security": {"captcha_token": None}},
        **kwargs,
    )


def test_password_grant_answers_a_session(alice):
    response = sign_in(APIClient())
    assert response.status_code == 200, response.content
    session = response.json()
    assert set(session) >= SESSION_KEYS and session["token_type"] == "bearer"
    user = session["user"]
    assert user["email"] == "Alice@example.com" and user["aud"] == "authenticated"
    assert identity_get(provider="aiceps", subject=user["id"]).user == alice
    claims = jwt.decode(
        session["access_token"], signing_secret(), algorithms=["HS256"], audience="authenticated"
    )
    assert claims["sub"] == user["id"] and claims["iss"] == "aiceps"
    assert claims["exp"] == session["expires_at"] > time.time()
    assert response["X-Supabase-Api-Version"] == "2024-01-01"


def test_the_same_user_keeps_one_id(alice):
    first = sign_in(APIClient()).json()["user"]["id"]
    assert sign_in(APIClient()).json()["user"]["id"] == first
    assert sign_in(APIClient(), email="alice").json()["user"]["id"] == first  # the username


@pytest.mark.parametrize(
    ("email", "password"), [("alice@example.com", "wrong"), ("nobody@example.com", PASSWORD)]
)
def test_wrong_credentials_in_gotrue_error_shape(alice, email, password):
    response = sign_in(APIClient(), email=email, password=password)
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "invalid_credentials"
    assert body["msg"] == "Invalid login credentials"  # the editor matches this text


def test_user_update_and_refresh(alice, settings):
    settings.AICEPS_AUTH = replace(settings.AICEPS_AUTH, refresh_reuse_seconds=0)
    client = APIClient()
    session = sign_in(client).json()
    me = gotrue(client, "get", "/auth/v1/user", token=session["access_token"])
    assert me.status_code == 200 and me.json()["id"] == session["user"]["id"]
    updated = gotrue(
        client,
        "put",
        "/auth/v1/user",
        {"data": {"nickname": "Al"}, "password": "a-new-pw-for-alice-2"},
        token=session["access_token"],
    )
    assert updated.status_code == 200
    assert updated.json()["user_metadata"] == {"nickname": "Al"}
    assert sign_in(APIClient(), password="a-new-pw-for-alice-2").status_code == 200
    refreshed = gotrue(
        client,
        "post",
        "/auth/v1/token?grant_type=refresh_token",
        {"refresh_token": session["refresh_token"]},
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != session["refresh_token"]
    assert new["user"]["user_metadata"] == {"nickname": "Al"}
    again = gotrue(
        client,
        "post",
        "/auth/v1/token?grant_type=refresh_token",
        {"refresh_token": session["refresh_token"]},
    )
    assert again.status_code == 400  # a refresh token works once
    assert again.json()["error_code"] == "refresh_token_not_found"


def refresh(token: str):
    return gotrue(
        APIClient(), "post", "/auth/v1/token?grant_type=refresh_token", {"refresh_token": token}
    )


def test_a_replaced_refresh_token_still_refreshes_within_the_reuse_interval(alice, settings):
    settings.AICEPS_AUTH = replace(settings.AICEPS_AUTH, refresh_reuse_seconds=10)
    first = sign_in(APIClient()).json()["refresh_token"]
    tab_a = refresh(first)  # two tabs refresh with the same token at the same moment
    tab_b = refresh(first)
    assert tab_a.status_code == tab_b.status_code == 200, tab_b.json()
    token_a, token_b = tab_a.json()["refresh_token"], tab_b.json()["refresh_token"]
    assert len({first, token_a, token_b}) == 3
    assert refresh(first).status_code == 400  # reused once: its replacement was replaced
    assert refresh(token_b).status_code == 200  # the newest goes on
    assert SignInSession.objects.count() == 1
    # Past the interval a replaced token is refused, and a signed-out session's never works.
    SignInSession.objects.update(refreshed_at=timezone.now() - timedelta(seconds=11))
    assert refresh(token_b).json()["error_code"] == "refresh_token_not_found"


def test_logout_ends_the_session_tokens_and_cookie(alice):
    client = APIClient()
    session = sign_in(client).json()
    headers = {"Origin": ORIGIN}
    assert (
        client.get("/api/user-permissions/" + session["user"]["id"], headers=headers).status_code
        == 200
    )
    response = gotrue(client, "post", "/auth/v1/logout?scope=global", token=session["access_token"])
    assert response.status_code == 204
    me = gotrue(APIClient(), "get", "/auth/v1/user", token=session["access_token"])
    assert me.status_code == 403 and me.json()["error_code"] == "session_not_found"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {session['access_token']}")
    assert api.get("/api/v1/credits").status_code == 401
    assert (
        client.get("/api/user-permissions/" + session["user"]["id"], headers=headers).status_code
        == 401
    )
    refresh = gotrue(
        APIClient(),
        "post",
        "/auth/v1/token?grant_type=refresh_token",
        {"refresh_token": session["refresh_token"]},
    )
    assert refresh.status_code == 400
    assert SignInSession.objects.filter(revoked_at=None).count() == 0


def test_signup_only_when_open(settings):
    settings.AICEPS_OPEN_SIGNUP = False
    body = {"email": "new@example.com", "password": "long-enough-pw-9", "data": {}}
    closed = gotrue(APIClient(), "post", "/auth/v1/signup", body)
    assert closed.status_code == 422 and closed.json()["error_code"] == "signup_disabled"
    settings.AICEPS_OPEN_SIGNUP = True
    opened = gotrue(
        APIClient(),
        "post",
        "/auth/v1/signup",
        {**body, "code_challenge": "x", "code_challenge_method": "s256"},
    )
    assert opened.status_code == 200, opened.content
    assert set(opened.json()) >= SESSION_KEYS
    user = User.objects.get(email="new@example.com")
    assert credits_balance(user=user) == 10  # sign-up credits
    twice = gotrue(APIClient(), "post", "/auth/v1/signup", body)
    assert twice.status_code == 422 and twice.json()["msg"] == "User already registered"
    weak = gotrue(
        APIClient(), "post", "/auth/v1/signup", {"email": "w@example.com", "password": "1"}
    )
    assert weak.status_code == 422 and weak.json()["error_code"] == "weak_password"
    assert weak.json()["weak_password"]["reasons"]


def test_recover_sends_the_reset_mail_and_tells_nobody(alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for email in ("alice@example.com", "nobody@example.com"):
        response = gotrue(APIClient(), "post", "/auth/v1/recover", {"email": email})
        assert response.status_code == 200 and response.json() == {}
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_settings_and_the_apikey(settings):
    response = gotrue(APIClient(), "get", "/auth/v1/settings")
    assert response.status_code == 200
    assert response.json()["external"]["email"] is True
    assert response.json()["disable_signup"] is True
    settings.AICEPS_AUTH = replace(settings.AICEPS_AUTH, anon_key="the-anon-key")
    assert gotrue(APIClient(), "get", "/auth/v1/settings").status_code == 401
    ok = gotrue(APIClient(), "get", "/auth/v1/settings", apikey="the-anon-key")
    assert ok.status_code == 200


def test_sign_in_is_throttled_per_address(alice, settings):
    settings.AICEPS_THROTTLE_SIGN_IN = "3/min"
    codes = [sign_in(APIClient(), password="wrong").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    assert sign_in(APIClient()).json()["error_code"] == "over_request_rate_limit"


def test_wrong_passwords_from_many_addresses_lock_the_account_in_gotrue_shape(alice, settings):
    # the account's ceiling, from anywhere
    settings.AICEPS_SIGN_IN_LIMITS = replace(
        settings.AICEPS_SIGN_IN_LIMITS, account_failure_limit=3
    )
    assert sign_in(APIClient(REMOTE_ADDR="192.0.2.5")).status_code == 200  # alice's own place
    addresses = [f"203.0.113.{n}" for n in range(4)]  # one guess from each of four addresses
    answers = [sign_in(APIClient(REMOTE_ADDR=address), password="wrong") for address in addresses]
    assert [answer.status_code for answer in answers] == [400, 400, 400, 429]
    locked = answers[-1]
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["error_code"] == "over_request_rate_limit"
    assert int(locked["Retry-After"]) > 0
    # Even the right password waits out the lockout, from yet another address...
    right = sign_in(APIClient(REMOTE_ADDR="198.51.100.7"))
    assert right.status_code == 429 and right.json()["code"] == 429
    # ...but not from where alice signed in before: strangers cannot lock her out of it.
    assert sign_in(APIClient(REMOTE_ADDR="192.0.2.5")).status_code == 200


def test_the_cookie_is_set_on_the_same_origin_only(alice):
    same = APIClient()
    sign_in(same)
    assert same.cookies.get("sessionid") and same.cookies["sessionid"]["httponly"]
    other = APIClient()
    sign_in(other, origin="https://elsewhere.example")
    assert not other.cookies.get("sessionid")
    none = APIClient()
    sign_in(none, origin=None, HTTP_SEC_FETCH_SITE="cross-site")
    assert not none.cookies.get("sessionid")


def test_cookie_calls_need_the_same_origin(alice):
    client = APIClient()
    uid = sign_in(client).json()["user"]["id"]
    path = f"/api/user-permissions/{uid}/check-feature"
    body = {"feature": "nano_banana", "resourceData": {"type": "filter"}}
    assert client.post(path, body, format="json", headers={"Origin": ORIGIN}).status_code == 200
    assert (
        client.post(
            path, body, format="json", headers={"Sec-Fetch-Site": "same-origin"}
        ).status_code
        == 200
    )
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {},  # a write with no sign of where it comes from
    ):
        response = client.post(path, body, format="json", headers=headers)
        assert response.status_code == 403, headers
        assert "own pages" in response.json()["message"]


def test_an_expired_or_forged_aiceps_token_is_refused(alice):
    session = sign_in(APIClient()).json()
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    expired = jwt.encode({**claims, "exp": int(time.time()) - 5}, signing_secret(), "HS256")
    forged = jwt.encode(claims, "not-the-secret-but-long-enough-1234", "HS256")
    for token in (expired, forged):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert api.get("/api/v1/credits").status_code == 401
        assert gotrue(APIClient(), "get", "/auth/v1/user", token=token).status_code == 401


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/v1/token?grant_type=password", {"email": 7, "password": PASSWORD}),
        ("/auth/v1/token?grant_type=password", ["alice@example.com", PASSWORD]),
        ("/auth/v1/token?grant_type=refresh_token", {"refresh_token": ["x"]}),
        ("/auth/v1/recover", {"email": {"a": 1}}),
        ("/auth/v1/recover", {"email": "alice\x00@example.com"}),
    ],
)
def test_a_body_of_the_wrong_shape_is_gotrue_bad_json(alice, path, body):
    response = gotrue(APIClient(), "post", path, body)
    assert response.status_code == 400, response.content
    assert response.json()["error_code"] == "bad_json" and response.json()["code"] == 400
    assert not SignInSession.objects.exists()


def test_recover_needs_an_email(alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = gotrue(APIClient(), "post", "/auth/v1/recover")
    assert response.status_code == 400 and response.json()["error_code"] == "validation_failed"
    assert len(mail.outbox) == 0


def test_gotrue_answers_json_whatever_accept_asks(alice):
    response = sign_in(APIClient(), Accept="text/html")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert set(response.json()) == SESSION_KEYS
    refused = gotrue(APIClient(), "get", "/auth/v1/user", Accept="image/png")
    assert refused.status_code == 401 and refused.json()["error_code"] == "no_authorization"
