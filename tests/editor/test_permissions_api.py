"""``/api/user-permissions/{uid}``: the caller's real balance and prices, for itself only."""

from __future__ import annotations

import pytest

from accounts.services import credits_charge, credits_grant

from .conftest import COSTS, EditorClient

pytestmark = pytest.mark.django_db


def test_permissions_show_the_real_balance_and_ledger(editor, alice):
    credits_grant(user=alice, amount=5, note="gift")
    credits_charge(user=alice, amount=3, note="spent")
    response = editor.get(f"/api/user-permissions/{editor.uid}")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    permissions = body["data"]["permissions"]
    assert set(permissions) >= {
        "planCode",
        "planName",
        "features",
        "monthlyQuota",
        "creditsRemaining",
        "isSubscribed",
        "subscriptionStatus",
    }
    assert permissions["features"]["nano_banana"] is True
    assert permissions["creditsRemaining"] == 12
    assert body["data"]["credits"] == {
        "total_credits": 15,
        "used_credits": 3,
        "available_credits": 12,
    }


@pytest.mark.parametrize(
    ("resource", "price"),
    [
        ({"type": "edit"}, COSTS["default"]),
        ({"type": "filter"}, COSTS["default"]),
        ({"type": "remove-background"}, COSTS["remove_background"]),
        ({"aspectRatio": "16:9"}, COSTS["text_to_image"]),
    ],
)
def test_check_feature_uses_the_real_price(editor, resource, price):
    response = editor.post(
        f"/api/user-permissions/{editor.uid}/check-feature",
        {"feature": "nano_banana", "resourceData": resource},
        fmt="json",
    )
    data = response.json()["data"]
    assert set(data) >= {
        "canUse",
        "hasFeatureAccess",
        "hasEnoughCredits",
        "creditsRequired",
        "creditsRemaining",
        "planCode",
    }
    assert (data["canUse"], data["creditsRequired"], data["creditsRemaining"]) == (True, price, 10)


def test_check_feature_says_when_credits_are_short(editor, alice):
    credits_charge(user=alice, amount=9, note="leave one")
    data = editor.post(
        f"/api/user-permissions/{editor.uid}/check-feature",
        {"feature": "nano_banana", "resourceData": {"aspectRatio": "1:1"}},
        fmt="json",
    ).json()["data"]
    assert data["canUse"] is False and data["hasEnoughCredits"] is False
    assert data["hasFeatureAccess"] is True
    assert "2 required, 1 available" in data["reason"]


def test_video_is_not_a_feature_here(editor):
    data = editor.post(
        f"/api/user-permissions/{editor.uid}/check-feature",
        {"feature": "veo3_video", "resourceData": {"duration": 5}},
        fmt="json",
    ).json()["data"]
    assert data["canUse"] is False and data["hasFeatureAccess"] is False


def test_consume_credits_charges_nothing_and_says_so(editor, alice):
    response = editor.post(
        f"/api/user-permissions/{editor.uid}/consume-credits",
        {"feature": "nano_banana", "resourceData": {"type": "filter"}, "creditsToConsume": 14},
        fmt="json",
    )
    body = response.json()
    assert body["success"] is True
    assert body["data"]["creditsConsumed"] == 0 and body["data"]["charged"] is False
    assert body["data"]["creditsRemaining"] == 10
    assert "charges each task when it is created" in body["data"]["message"]
    from accounts.selectors import credits_balance

    assert credits_balance(user=alice) == 10


def test_another_uid_is_403(editor, bob):
    other = EditorClient().sign_in("bob@example.com")
    for method, path in [
        ("get", f"/api/user-permissions/{other.uid}"),
        ("post", f"/api/user-permissions/{other.uid}/check-feature"),
        ("post", f"/api/user-permissions/{other.uid}/consume-credits"),
        ("get", "/api/user-permissions/6f1c0e4e-0000-4000-8000-000000000009"),
    ]:
        response = (
            getattr(editor, method)(path) if method == "get" else editor.post(path, fmt="json")
        )
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied"


def test_a_supabase_user_asks_with_its_own_sub(settings, make_user):
    import time

    import jwt
    from rest_framework.test import APIClient

    settings.SUPABASE_JWT_SECRET = "supabase-test-secret-with-enough-length"
    sub = "11111111-2222-4333-8444-555555555555"
    token = jwt.encode(
        {"sub": sub, "aud": "authenticated", "exp": int(time.time()) + 60},
        settings.SUPABASE_JWT_SECRET,
        algorithm="HS256",
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/user-permissions/{sub}").status_code == 200
    assert client.get("/api/user-permissions/someone-else").status_code == 403


def test_without_a_sign_in_permissions_are_401(alice):
    response = EditorClient().get("/api/user-permissions/anything")
    assert response.status_code == 401


def test_check_feature_names_the_providers_that_can(editor, settings):
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    data = editor.post(
        f"/api/user-permissions/{editor.uid}/check-feature",
        {"feature": "nano_banana", "resourceData": {"aspectRatio": "1:1"}},
        fmt="json",
    ).json()["data"]
    assert data["canUse"] is False and data["hasFeatureAccess"] is False
    assert "needs Gemini" in data["reason"] and "OpenAI" in data["reason"]
