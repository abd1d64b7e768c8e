"""Session JWTs of a real Supabase project, verified against its JWKS (ES256 and RS256) served
by a local server on 127.0.0.1 with keys made here; forged, expired, wrong-issuer and
wrong-audience tokens are refused, and any ``sub`` maps to exactly one user."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from rest_framework.test import APIClient

from accounts import jwks
from accounts.identities import identity_get
from accounts.models import ExternalIdentity, User
from accounts.selectors import credits_balance

pytestmark = pytest.mark.django_db


def hs256_by_hand(payload: dict, secret: bytes) -> str:
    """An HS256 token keyed with a public key (PyJWT rightly refuses to make one)."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': 'ec-1'})}.{part(payload)}"
    digest = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def jwk(public_key, kid: str, alg: str) -> dict:
    data = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(public_key))
    return {**data, "kid": kid, "alg": alg, "use": "sig"}


class Project:
    """A Supabase project's signing keys and its JWKS endpoint."""

    def __init__(self) -> None:
        self.ec_key = ec.generate_private_key(ec.SECP256R1())
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys = [
            jwk(self.ec_key.public_key(), "ec-1", "ES256"),
            jwk(self.rsa_key.public_key(), "rsa-1", "RS256"),
        ]
        self.fetches = 0
        project = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/auth/v1/.well-known/jwks.json":
                    self.send_response(404)
                    self.end_headers()
                    return
                project.fetches += 1
                body = json.dumps({"keys": project.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, alg="ES256", kid=None, key=None, **claims) -> str:
        payload = {
            "iss": f"{self.url}/auth/v1",
            "aud": "authenticated",
            "sub": "5b2c7a80-0000-4000-8000-00000000000a",
            "exp": int(time.time()) + 600,
            "email": "sb@example.com",
            "user_metadata": {"email_verified": True},
            "role": "authenticated",
            **claims,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        key = key or (self.ec_key if alg == "ES256" else self.rsa_key)
        kid = kid or ("ec-1" if alg == "ES256" else "rsa-1")
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def project(settings):
    project = Project()
    settings.SUPABASE_URL = project.url
    settings.SUPABASE_JWT_SECRET = ""
    jwks.forget()
    yield project
    jwks.forget()
    project.close()


def call(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/credits")


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_a_valid_token_signs_in_and_the_keys_are_cached(project, alg):
    assert call(project.token(alg)).status_code == 200
    assert call(project.token(alg)).status_code == 200
    assert project.fetches == 1
    user = identity_get(provider="supabase", subject="5b2c7a80-0000-4000-8000-00000000000a").user
    assert user.email == "sb@example.com" and credits_balance(user=user) == 10


def test_both_algorithms_share_one_user(project):
    assert call(project.token("ES256")).status_code == 200
    assert call(project.token("RS256")).status_code == 200
    assert ExternalIdentity.objects.count() == 1


def test_refused_tokens(project, settings):
    stranger = ec.generate_private_key(ec.SECP256R1())
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = {
        "forged ES256": project.token("ES256", key=stranger),
        "forged RS256": project.token("RS256", key=other_rsa),
        "expired": project.token(exp=int(time.time()) - 30),
        "wrong issuer": project.token(iss="https://evil.supabase.co/auth/v1"),
        "no issuer": project.token(iss=None),
        "wrong audience": project.token(aud="anon"),
        "RSA key named for the EC token": project.token("ES256", kid="rsa-1"),
        "unknown key": project.token("ES256", kid="nope", key=stranger),
        "alg none": jwt.encode({"sub": "x", "aud": "authenticated"}, None, algorithm="none"),
        "HS256 with the public key": hs256_by_hand(
            {
                "sub": "x",
                "aud": "authenticated",
                "exp": int(time.time()) + 60,
                "iss": f"{project.url}/auth/v1",
            },
            project.ec_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        ),
    }
    for name, token in refused.items():
        response = call(token)
        assert response.status_code == 401, name
    settings.SUPABASE_JWT_SECRET = "supabase-test-secret-with-enough-length"  # HS256 on too
    assert call(refused["HS256 with the public key"]).status_code == 401
    assert not User.objects.filter(identities__provider="supabase").exists()


def test_a_rotated_key_is_fetched_but_unknown_kids_do_not_hammer(project, monkeypatch):
    assert call(project.token()).status_code == 200
    new_key = ec.generate_private_key(ec.SECP256R1())
    project.keys.append(jwk(new_key.public_key(), "ec-2", "ES256"))
    for _ in range(5):  # within the refetch interval: refused, and no new fetch
        assert call(project.token(kid="ec-2", key=new_key)).status_code == 401
    assert project.fetches == 1
    monkeypatch.setattr(jwks, "REFETCH_SECONDS", 0.0)
    assert call(project.token(kid="ec-2", key=new_key)).status_code == 200
    assert project.fetches == 2


def test_an_unreachable_jwks_refuses_without_a_500(settings):
    settings.SUPABASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.AICEPS_JWKS_TIMEOUT_SECONDS = 1
    jwks.forget()
    key = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(
        {
            "sub": "x",
            "aud": "authenticated",
            "exp": int(time.time()) + 60,
            "iss": "http://127.0.0.1:9/auth/v1",
        },
        key,
        algorithm="ES256",
        headers={"kid": "k"},
    )
    assert call(token).status_code == 401
    jwks.forget()


def test_long_subjects_map_to_exactly_one_user_each(project):
    prefix = "s" * 146
    first, second, long, huge = prefix + "-one", prefix + "-two", "x" * 300, "z" * 10_000
    emails = {sub: f"user{n}@example.com" for n, sub in enumerate((first, second, long, huge))}
    for sub in (first, second, long, huge, first, long, huge):
        assert call(project.token(sub=sub, email=emails[sub])).status_code == 200, sub[:20]
    subjects = (first, second, long, huge)
    users = {sub: identity_get(provider="supabase", subject=sub).user for sub in subjects}
    assert len({user.pk for user in users.values()}) == 4
    assert ExternalIdentity.objects.count() == 4
    assert all(len(user.username) <= 150 for user in users.values())


def test_legacy_hs256_still_works_and_checks_the_issuer(project, settings):
    settings.SUPABASE_JWT_SECRET = "supabase-test-secret-with-enough-length"
    good = jwt.encode(
        {
            "sub": "legacy",
            "aud": "authenticated",
            "exp": int(time.time()) + 60,
            "iss": f"{project.url}/auth/v1",
        },
        settings.SUPABASE_JWT_SECRET,
        algorithm="HS256",
    )
    assert call(good).status_code == 200
    wrong_issuer = jwt.encode(
        {"sub": "legacy", "aud": "authenticated", "exp": int(time.time()) + 60, "iss": "x"},
        settings.SUPABASE_JWT_SECRET,
        algorithm="HS256",
    )
    assert call(wrong_issuer).status_code == 401
