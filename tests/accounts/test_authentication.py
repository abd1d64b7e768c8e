import time

import jwt
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.identities import identity_get
from accounts.models import ExternalIdentity
from accounts.selectors import credits_balance

pytestmark = pytest.mark.django_db
SECRET = "supabase-test-secret-with-enough-length"


def supabase_token(sub="6f1c0e4e-0000-4000-8000-000000000001", **claims):
    payload = {
        "sub": sub,
        "aud": "authenticated",
        "exp": int(time.time()) + 600,
        "email": "editor@example.com",
        "role": "authenticated",
        **claims,
    }
    return jwt.encode(payload, claims.pop("secret", SECRET), algorithm="HS256")


@pytest.fixture
def client(settings):
    settings.SUPABASE_JWT_SECRET = SECRET
    return APIClient()


def test_drf_token_with_bearer_keyword(client, user):
    key = Token.objects.create(user=user).key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/credits").json()["balance"] == 10


def test_supabase_jwt_creates_the_user_once_with_signup_credits(client):
    token = supabase_token(user_metadata={"email_verified": True})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/credits").status_code == 200
    assert client.get("/api/v1/credits").status_code == 200
    user = identity_get(provider="supabase", subject="6f1c0e4e-0000-4000-8000-000000000001").user
    assert user.email == "editor@example.com"
    assert credits_balance(user=user) == 10
    assert ExternalIdentity.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    [
        supabase_token(exp=int(time.time()) - 10),
        supabase_token(aud="anon"),
        jwt.encode(
            {"sub": "x", "aud": "authenticated", "exp": int(time.time()) + 60},
            "another-secret-of-enough-length!",
            algorithm="HS256",
        ),
        "not.a.jwt",
    ],
)
def test_invalid_jwts_are_401(client, token):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/credits")
    assert response.status_code == 401
    assert response.json()["success"] is False
    assert ExternalIdentity.objects.count() == 0


def test_jwt_without_a_configured_secret_is_refused(client, settings):
    settings.SUPABASE_JWT_SECRET = ""
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {supabase_token()}")
    assert client.get("/api/v1/credits").status_code == 401


def test_session_auth_works_for_pages(client, user):
    client.force_login(user)
    assert client.get("/api/v1/credits").status_code == 200
