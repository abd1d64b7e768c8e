"""The MCP server over Streamable HTTP, driven by the official MCP client against a live
ASGI server: tools, an edit with progress and the image, exactly-once charges, budgets,
isolation and argument errors."""

from __future__ import annotations

import json
from datetime import timedelta

import anyio
import numpy as np
import pytest
from rest_framework.authtoken.models import Token

from accounts.key_services import api_key_create
from accounts.selectors import credits_balance, credits_ledger_sum
from generation.models import TaskHistory

from .conftest import astronaut_data_url, image_of, mcp_session, summary_of

pytestmark = pytest.mark.django_db(transaction=True)


def _token(user) -> str:
    return Token.objects.create(user=user).key


def test_lists_the_tools_and_edits_a_real_photo_with_progress(live_mcp, user):
    token = _token(user)
    before = credits_balance(user=user)
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value, total, message):
        progress.append((value, message))

    async def run():
        async with mcp_session(live_mcp.url, token) as session:
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            result = await session.call_tool(
                "edit_image",
                {
                    "images": [astronaut_data_url()],
                    "instruction": "black and white",
                    "provider": "offline",
                },
                progress_callback=on_progress,
            )
            return tools, result

    tools, result = anyio.run(run)
    assert {
        "edit_image",
        "generate_image",
        "upscale",
        "expand",
        "inpaint",
        "remove_background",
        "get_task",
        "list_tasks",
        "cancel_task",
        "get_credits",
        "list_capabilities",
    } <= set(tools)
    assert "filter" in tools["edit_image"].input_schema["properties"]["task_type"]["enum"]
    assert tools["get_task"].annotations.read_only_hint
    assert not tools["edit_image"].annotations.read_only_hint
    assert not result.is_error, result.content
    summary = summary_of(result)
    assert summary["status"] == "completed"
    assert summary["professional_prompt"]
    image = np.asarray(image_of(result).convert("RGB")).astype(int)
    assert max(image.shape[:2]) <= 1024
    assert np.abs(image[..., 0] - image[..., 1]).max() <= 3  # grey: black and white
    assert image.std() > 20  # and still a photo
    links = [block for block in result.content if block.type == "resource_link"]
    assert [str(link.uri) for link in links] == [r["uri"] for r in summary["results"]]
    assert summary["results"][0]["url"].startswith(live_mcp.url)
    assert progress and progress[-1][0] == 1.0
    assert [value for value, _ in progress] == sorted({value for value, _ in progress})
    charged = summary["credits_charged"]
    assert charged >= 1
    assert credits_balance(user=user) == before - charged == summary["credits"]["balance"]
    assert credits_ledger_sum(user=user) == credits_balance(user=user)


def _edit(token: str, url: str, **arguments):
    arguments.setdefault("images", [astronaut_data_url()])
    arguments.setdefault("instruction", "black and white")
    arguments.setdefault("provider", "offline")

    async def run():
        async with mcp_session(url, token) as session:
            return await session.call_tool("edit_image", arguments)

    return anyio.run(run)


def test_a_retried_request_is_charged_once(live_mcp, user):
    token = _token(user)
    before = credits_balance(user=user)
    first = _edit(token, live_mcp.url, idempotency_key="agent-retry-1")
    again = _edit(token, live_mcp.url, idempotency_key="agent-retry-1")
    assert not first.is_error and not again.is_error
    assert summary_of(first)["id"] == summary_of(again)["id"]
    assert TaskHistory.objects.filter(user=user).count() == 1
    charged = summary_of(first)["credits_charged"]
    assert charged >= 1
    assert credits_balance(user=user) == before - charged
    # The same key for another request is refused and charges nothing.
    other = _edit(token, live_mcp.url, idempotency_key="agent-retry-1", instruction="sepia")
    assert other.is_error
    assert summary_of(other)["error"]["code"] == "idempotency_key_reused"
    assert credits_balance(user=user) == before - charged


def _post(client, url, session_id, body):
    headers = {
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2025-11-25",
    }
    if session_id:
        headers["Mcp-Session-Id"] = session_id
    return client.post(f"{url}/mcp", json=body, headers=headers)


def _rpc_result(response) -> dict:
    for line in response.text.splitlines():
        if line.startswith("data:") and '"result"' in line:
            return json.loads(line[5:])["result"]
    return response.json()["result"]


def test_the_same_json_rpc_request_sent_twice_is_charged_once(live_mcp, user):
    """A client that resends a tools/call (same session, same request id) after losing the
    answer gets the same task: the derived idempotency key."""
    import httpx2

    before = credits_balance(user=user)
    call = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {
            "name": "edit_image",
            "arguments": {
                "images": [astronaut_data_url()],
                "instruction": "black and white",
                "provider": "offline",
            },
        },
    }
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "retry-test", "version": "1"},
        },
    }
    with httpx2.Client(headers={"Authorization": f"Bearer {_token(user)}"}, timeout=60) as client:
        opened = _post(client, live_mcp.url, None, init)
        assert opened.status_code == 200, opened.text
        session_id = opened.headers["mcp-session-id"]
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert _post(client, live_mcp.url, session_id, note).status_code == 202
        first = _rpc_result(_post(client, live_mcp.url, session_id, call))
        second = _rpc_result(_post(client, live_mcp.url, session_id, call))
    assert first["structuredContent"]["id"] == second["structuredContent"]["id"]
    assert TaskHistory.objects.filter(user=user).count() == 1
    charged = first["structuredContent"]["credits_charged"]
    assert credits_balance(user=user) == before - charged


def test_an_api_key_whose_budget_is_spent_gets_a_tool_error_and_pays_nothing(live_mcp, user):
    key = api_key_create(user=user, name="agent", credit_budget=0).key
    before = credits_balance(user=user)
    result = _edit(key, live_mcp.url)
    assert result.is_error
    assert summary_of(result)["error"]["code"] == "api_key_budget_exceeded"
    assert credits_balance(user=user) == before
    assert not TaskHistory.objects.filter(user=user).exists()


def test_another_users_task_is_not_found(live_mcp, user, other_user):
    theirs = _edit(_token(other_user), live_mcp.url)
    their_id = summary_of(theirs)["id"]
    uri = summary_of(theirs)["results"][0]["uri"]
    mine = _token(user)

    async def run():
        async with mcp_session(live_mcp.url, mine) as session:
            got = await session.call_tool("get_task", {"task_id": their_id})
            cancel = await session.call_tool("cancel_task", {"task_id": their_id})
            reuse = await session.call_tool(
                "edit_image", {"images": [their_id], "instruction": "sepia", "provider": "offline"}
            )
            with pytest.raises(Exception, match="No such resource"):
                await session.read_resource(uri)
            return got, cancel, reuse

    got, cancel, reuse = anyio.run(run)
    for result in (got, cancel, reuse):
        assert result.is_error
        assert summary_of(result)["error"]["code"] == "task_not_found"
    assert summary_of(reuse)["error"]["param"] == "images.0"
    assert not TaskHistory.objects.filter(user=user).exists()


def test_a_bad_argument_gives_a_tool_error_naming_it(live_mcp, user):
    token = _token(user)
    before = credits_balance(user=user)
    unknown_type = _edit(token, live_mcp.url, task_type="nonsense")
    missing_point = _edit(token, live_mcp.url, task_type="hotspot")
    not_a_photo = _edit(token, live_mcp.url, images=["data:image/png;base64,aGVsbG8="])
    assert summary_of(unknown_type)["error"]["param"] == "task_type"
    assert "task_type" in unknown_type.content[0].text
    assert missing_point.is_error and summary_of(missing_point)["error"]["param"] in ("x", "point")
    assert summary_of(not_a_photo)["error"]["param"] == "images.0"
    assert credits_balance(user=user) == before
    assert not TaskHistory.objects.filter(user=user).exists()


def test_nothing_anonymous_and_bad_tokens_are_refused(live_mcp):
    import httpx2

    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    with httpx2.Client(timeout=10) as client:
        anonymous = _post(client, live_mcp.url, None, body)
        client.headers["Authorization"] = "Bearer " + "0" * 40
        wrong = _post(client, live_mcp.url, None, body)
    assert anonymous.status_code == wrong.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.slow
def test_progress_follows_a_task_that_a_worker_process_runs(live_mcp, user, monkeypatch):
    """In production a qcluster process runs the task: progress comes from the task's
    notifications across processes, not from this process's signals."""
    from django_q.conf import Conf

    from tests.fakes.worker import Worker

    monkeypatch.setattr(Conf, "SYNC", False)
    token = _token(user)
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value, total, message):
        progress.append((value, message))

    async def run():
        async with mcp_session(live_mcp.url, token) as session:
            return await session.call_tool(
                "edit_image",
                {"images": [astronaut_data_url()], "instruction": "black and white"},
                progress_callback=on_progress,
            )

    with Worker():
        result = anyio.run(run)
    assert not result.is_error, result.content
    assert summary_of(result)["status"] == "completed"
    assert progress[0] == (0.05, "Queued")
    assert progress[-1][0] == 1.0
    assert [value for value, _ in progress] == sorted({value for value, _ in progress})


def test_session_jwts_are_accepted_and_expired_api_keys_refused(live_mcp, user, settings):
    import time

    import httpx2
    import jwt
    from django.utils import timezone

    settings.SUPABASE_JWT_SECRET = "a-test-secret-of-enough-length-for-hs256"
    claims = {"sub": "agent-7", "aud": "authenticated", "exp": int(time.time()) + 300}
    session_jwt = jwt.encode(claims, settings.SUPABASE_JWT_SECRET, algorithm="HS256")

    async def credits(token):
        async with mcp_session(live_mcp.url, token) as session:
            return await session.call_tool("get_credits", {})

    assert summary_of(anyio.run(credits, session_jwt))["balance"] == settings.AICEPS_SIGNUP_CREDITS
    created = api_key_create(user=user, name="old", expires_at=timezone.now() + timedelta(days=1))
    type(created.api_key).objects.filter(pk=created.api_key.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    with httpx2.Client(headers={"Authorization": f"Bearer {created.key}"}, timeout=10) as client:
        expired = _post(client, live_mcp.url, None, body)
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]


def test_the_sessionless_2026_protocol_edits_with_progress_and_keys_charge_once(live_mcp, user):
    """A client that opens with ``server/discover`` (protocol 2026-07-28: no session) gets the
    same tools and progress; without a session, its ``idempotency_key`` makes a retry safe."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    token = _token(user)
    before = credits_balance(user=user)
    progress: list[float] = []

    async def on_progress(value, total, message):
        progress.append(value)

    async def run():
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            create_mcp_http_client(headers=headers) as http,
            streamable_http_client(f"{live_mcp.url}/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.discover()
            assert session.protocol_version == "2026-07-28"
            arguments = {
                "images": [astronaut_data_url()],
                "instruction": "black and white",
                "idempotency_key": "modern-1",
            }
            first = await session.call_tool("edit_image", arguments, progress_callback=on_progress)
            again = await session.call_tool("edit_image", arguments)
            return first, again

    first, again = anyio.run(run)
    assert summary_of(first)["status"] == "completed"
    assert summary_of(again)["id"] == summary_of(first)["id"]
    assert progress and progress[-1] == 1.0
    assert credits_balance(user=user) == before - summary_of(first)["credits_charged"]
