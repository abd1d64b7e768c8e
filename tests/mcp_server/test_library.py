"""Results as resources (full size), the template library as prompts, capabilities, credits,
photos by URL under the SSRF policy, and cancellation of a request that is still queued."""

from __future__ import annotations

import base64
import io
import time

import anyio
import pytest
from PIL import Image
from rest_framework.authtoken.models import Token

from accounts.key_services import api_key_create
from accounts.selectors import credits_balance, credits_ledger_sum
from generation.models import TaskHistory
from generation.models_templates import PromptTemplate

from .conftest import image_of, mcp_session, summary_of

pytestmark = pytest.mark.django_db(transaction=True)


def _big_photo_data_url(side: int = 1400) -> str:
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.chelsea()).resize((side, side * 3 // 4)).save(buffer, "JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_results_are_downscaled_for_the_agent_and_full_size_as_resources(live_mcp, user):
    token = Token.objects.create(user=user).key
    PromptTemplate.objects.create(
        slug="noir", name_en="Noir", prompt_en="black and white", task_type="filter"
    )

    async def run():
        # A full-size result is larger than the SDK's default 1 MB per event.
        async with mcp_session(live_mcp.url, token, max_sse_event_size=None) as session:
            result = await session.call_tool(
                "edit_image",
                {
                    "images": [_big_photo_data_url()],
                    "instruction": "black and white",
                    "task_type": "filter",
                    "provider": "offline",
                },
            )
            uri = summary_of(result)["results"][0]["uri"]
            listed = [str(r.uri) for r in (await session.list_resources()).resources]
            full = await session.read_resource(uri)
            prompts = [p.name for p in (await session.list_prompts()).prompts]
            prompt = await session.get_prompt("noir", {"language": "en"})
            capabilities = await session.call_tool("list_capabilities", {})
            tasks = await session.call_tool("list_tasks", {"limit": 5})
            return result, uri, listed, full, prompts, prompt, capabilities, tasks

    result, uri, listed, full, prompts, prompt, capabilities, tasks = anyio.run(run)
    assert not result.is_error, result.content
    assert max(image_of(result).size) == 1024
    assert uri in listed
    stored = Image.open(io.BytesIO(base64.b64decode(full.contents[0].blob)))
    assert stored.size == (1400, 1050)
    assert "noir" in prompts
    assert "edit_image" in prompt.messages[0].content.text
    assert "filter" in prompt.messages[0].content.text
    about = summary_of(capabilities)
    filter_row = next(row for row in about["task_types"] if row["task_type"] == "filter")
    assert "offline" in filter_row["providers"] and filter_row["available_now"]
    assert filter_row["price"]["offline"] >= 0
    assert summary_of(tasks)["tasks"][0]["id"] == summary_of(result)["id"]


def test_get_credits_shows_an_api_keys_budget(live_mcp, user):
    key = api_key_create(user=user, name="agent", credit_budget=5).key

    async def run():
        async with mcp_session(live_mcp.url, key) as session:
            return await session.call_tool("get_credits", {})

    credits = summary_of(anyio.run(run))
    assert credits["balance"] == credits_balance(user=user)
    assert credits["api_key"]["credit_budget"] == 5
    assert credits["api_key"]["credits_left"] == 5


def test_photo_urls_go_through_the_ssrf_policy(live_mcp, user, settings):
    token = Token.objects.create(user=user).key
    before = credits_balance(user=user)

    async def edit(images, instruction="black and white"):
        async with mcp_session(live_mcp.url, token) as session:
            return await session.call_tool(
                "edit_image", {"images": images, "instruction": instruction, "provider": "offline"}
            )

    first = anyio.run(edit, [_big_photo_data_url(400)])
    url = summary_of(first)["results"][0]["url"]  # served by this (loopback) server
    refused = anyio.run(edit, [url])
    assert refused.is_error
    assert summary_of(refused)["error"]["code"] == "destination_not_public"
    assert summary_of(refused)["error"]["param"] == "images.0"
    metadata = anyio.run(edit, ["http://169.254.169.254/latest/meta-data/"])
    assert summary_of(metadata)["error"]["code"] == "destination_not_public"
    charged_once = before - credits_balance(user=user)

    settings.AICEPS_MCP_URL_ALLOW_PRIVATE = True  # a closed network: loopback allowed
    fetched = anyio.run(edit, [url], "make it brighter")
    assert not fetched.is_error, fetched.content
    assert summary_of(fetched)["status"] == "completed"
    assert TaskHistory.objects.filter(user=user).count() == 2
    assert before - credits_balance(user=user) == 2 * charged_once


def test_cancelling_a_request_cancels_its_queued_task_and_refunds_it(live_mcp, user, monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker; none runs here
    token = Token.objects.create(user=user).key
    before = credits_balance(user=user)

    async def run():
        async with mcp_session(live_mcp.url, token) as session:
            queued = anyio.Event()

            async def on_progress(value, total, message):
                queued.set()

            with anyio.CancelScope() as scope:

                async def cancel_once_queued():
                    await queued.wait()
                    scope.cancel()

                async with anyio.create_task_group() as group:
                    group.start_soon(cancel_once_queued)
                    await session.call_tool(
                        "edit_image",
                        {
                            "images": [_big_photo_data_url(300)],
                            "instruction": "black and white",
                            "provider": "offline",
                        },
                        progress_callback=on_progress,
                    )
            assert scope.cancelled_caught

    anyio.run(run)
    deadline = time.monotonic() + 10
    task = TaskHistory.objects.get(user=user)
    while task.status != TaskHistory.Status.CANCELLED and time.monotonic() < deadline:
        time.sleep(0.05)
        task.refresh_from_db()
    assert task.status == TaskHistory.Status.CANCELLED
    assert credits_balance(user=user) == before
    assert credits_ledger_sum(user=user) == before
