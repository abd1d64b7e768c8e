"""JSON nested past the bound is a 400 ``json_too_deep`` on every endpoint, in the endpoint's
own error shape; never a RecursionError turned into a 500."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.json_bodies import JsonTooDeep, depth_of, loads_bounded

DEEP = "[" * 50_000 + "]" * 50_000  # 100 KB, far past the interpreter's recursion limit
DEEP_OBJECT = '{"a":' * 20_000 + "1" + "}" * 20_000


def nested(depth: int) -> str:
    return '{"prompt": ' + "[" * (depth - 1) + '"x"' + "]" * (depth - 1) + "}"


def test_depth_is_counted_without_recursion():
    assert depth_of(1, 32) == 0
    assert depth_of([], 32) == 1
    assert depth_of({"a": [1, {"b": []}]}, 32) == 4
    deep: list = []
    for _ in range(100_000):  # deeper than any recursion could walk
        deep = [deep]
    assert depth_of(deep, 32) == 33  # stops counting one past the limit


def test_loads_bounded_refuses_past_the_limit_and_keeps_json_errors():
    assert depth_of(loads_bounded(nested(32)), 99) == 32
    with pytest.raises(JsonTooDeep):
        loads_bounded(nested(33))
    with pytest.raises(JsonTooDeep):
        loads_bounded(DEEP)
    with pytest.raises(ValueError):
        loads_bounded("{not json")


def test_the_bound_is_a_setting(settings):
    settings.AICEPS_JSON_MAX_DEPTH = 3
    assert loads_bounded('{"a": [[1]]}') == {"a": [[1]]}
    with pytest.raises(JsonTooDeep):
        loads_bounded('{"a": [[[1]]]}')


@pytest.fixture
def signed_in(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    return client


def _error_code(response) -> str:
    body = response.json()
    error = body.get("error")
    if isinstance(error, dict):  # v1, seed, OpenAI
        return error["code"]
    return body.get("error_code") or body["code"]  # GoTrue; the editor


NAMED = [
    "/api/v1/keys",
    "/api/v1/webhooks",
    "/api/v1/tasks",
    "/auth/v1/token?grant_type=password",
    "/api/task-history/tasks",
    "/api/api/text-to-comic/deepseek/extract-scenes",
    "/api/custom-image-generation",
    "/v1/images/generations",
    "/api/generate-image",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", NAMED)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, nested(33)], ids=["list", "object", "33"])
def test_named_endpoints_answer_400_json_too_deep(signed_in, path, body):
    response = signed_in.post(path, body, content_type="application/json")
    assert response.status_code == 400, (path, response.content[:300])
    assert _error_code(response) == "json_too_deep"


@pytest.mark.django_db
def test_a_body_at_the_limit_is_read(signed_in):
    """At 32 levels the body reaches the view, which refuses the prompt for what it is."""
    response = signed_in.post("/api/v1/keys", nested(32), content_type="application/json")
    assert response.status_code == 400
    assert _error_code(response) == "invalid_request"


def _routes(resolver: URLResolver | None = None, prefix: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _concrete(route: str) -> str:
    """A path for a route: every converter filled with a plausible value."""
    import re

    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:int:)[^>]+>", "1", route)
    route = re.sub(r"<[^>]+>", "x", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "x", route)
    return "/" + route.replace("\\", "")


@pytest.mark.django_db
def test_no_route_answers_deep_json_with_a_500(signed_in):
    paths = sorted({_concrete(route) for route in _routes()})
    assert len(paths) > 40
    for path in paths:
        for method in ("post", "put", "patch"):
            response = getattr(signed_in, method)(path, DEEP, content_type="application/json")
            assert response.status_code < 500, (method, path, response.content[:300])
