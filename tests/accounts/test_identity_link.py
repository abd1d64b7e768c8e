"""An external identity never takes over an account by its email: a Supabase token whose
email is an existing account's makes no account and signs in to none, until the account's
owner links it (signed in, with a verified email that is theirs); email sign-in on
/auth/v1/token stays with the original account."""

from __future__ import annotations

import time

import jwt
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import ExternalIdentity, User

pytestmark = pytest.mark.django_db
SECRET = "supabase-test-secret-with-enough-length"
SUB = "0b7d4f3a-0000-4000-8000-00000000beef"


def supabase_token(sub=SUB, email="alice@example.com", verified=True, **claims) -> str:
    payload = {
        "sub": sub,
        "aud": "authenticated",
        "exp": int(time.time()) + 600,
        "email": email,
        "role": "authenticated",
        "user_metadata": {"email": email, "email_verified": verified},
        **claims,
    }
    return jwt.encode(payload, SECRET, algorithm="HS256")


@pytest.fixture(autouse=True)
def _supabase(settings):
    settings.SUPABASE_JWT_SECRET = SECRET


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="Alice@Example.com")


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def email_sign_in():
    return APIClient().post(
        "/auth/v1/token?grant_type=password",
        {"email": "alice@example.com", "password": "pw-for-tests-1"},
        format="json",
    )


def test_a_token_with_an_existing_email_makes_no_account_and_signs_in_to_none(alice):
    answer = bearer(supabase_token()).get("/api/v1/credits")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "identity_not_linked"
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    assert not ExternalIdentity.objects.filter(provider="supabase").exists()
    # Alice still signs in by email, to her own account.
    signed_in = email_sign_in()
    assert signed_in.status_code == 200
    assert signed_in.json()["user"]["email"] == alice.email
    assert User.objects.get(email__iexact="alice@example.com").pk == alice.pk


def test_the_owner_links_a_verified_identity_and_it_signs_in_to_her_account(alice):
    owner = bearer(Token.objects.create(user=alice).key)
    linked = owner.post("/api/v1/identities", {"access_token": supabase_token()}, format="json")
    assert linked.status_code == 201 and linked.json()["id"] == SUB
    again = owner.post("/api/v1/identities", {"access_token": supabase_token()}, format="json")
    assert again.status_code == 200
    via_supabase = bearer(supabase_token()).get("/api/v1/credits")
    assert via_supabase.status_code == 200 and via_supabase.json()["balance"] == 10
    assert User.objects.count() == 1
    assert email_sign_in().status_code == 200


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (supabase_token(verified=False), "identity_link_refused"),  # email not verified
        (supabase_token(email="mallory@example.com"), "identity_link_refused"),  # not hers
        (supabase_token(aud="anon"), "invalid_identity_token"),
    ],
)
def test_linking_needs_a_valid_token_with_her_verified_email(alice, token, code):
    owner = bearer(Token.objects.create(user=alice).key)
    answer = owner.post("/api/v1/identities", {"access_token": token}, format="json")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == code
    assert not ExternalIdentity.objects.filter(provider="supabase").exists()


def test_an_identity_of_another_account_is_not_moved(alice, make_user):
    first = bearer(supabase_token(sub="other", email="bob@example.com"))
    assert first.get("/api/v1/credits").status_code == 200  # bob's new account
    alice.email = "bob@example.com"
    alice.save(update_fields=["email"])
    owner = bearer(Token.objects.create(user=alice).key)
    answer = owner.post(
        "/api/v1/identities",
        {"access_token": supabase_token(sub="other", email="bob@example.com")},
        format="json",
    )
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "identity_in_use"


def test_a_new_identity_keeps_its_email_only_when_verified():
    verified = supabase_token(sub="v", email="v@example.com")
    unverified = supabase_token(sub="u", email="u@example.com", verified=False)
    assert bearer(verified).get("/api/v1/credits").status_code == 200
    assert bearer(unverified).get("/api/v1/credits").status_code == 200
    emails = {identity.subject: identity.user.email for identity in ExternalIdentity.objects.all()}
    assert emails == {"v": "v@example.com", "u": ""}


def test_email_sign_in_picks_the_original_account_over_an_older_shadow(alice):
    # A shadow made before this fix: an external identity's account with alice's email.
    User.objects.create_user(username="ext-shadow", email="alice@example.com")
    signed_in = email_sign_in()
    assert signed_in.status_code == 200
    assert User.objects.get(username="alice").last_login is not None
