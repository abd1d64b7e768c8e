"""``manage.py mcp --user NAME`` over stdio, driven by the official MCP client: the same tools,
an edit with progress and the image, one charge for a retried request, argument errors."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.fakes.worker import database_url

from .conftest import astronaut_data_url, image_of, summary_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _server(username: str) -> StdioServerParameters:
    env = {
        **get_default_environment(),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "aiceps.settings.test",
        "TEST_DATABASE_URL": database_url(),
    }
    return StdioServerParameters(
        command=sys.executable, args=["manage.py", "mcp", "--user", username], env=env, cwd=ROOT
    )


def test_stdio_lists_tools_and_edits_once_per_request(user):
    before = credits_balance(user=user)
    progress: list[float] = []

    async def on_progress(value, total, message):
        progress.append(value)

    async def run():
        async with (
            stdio_client(_server(user.username)) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = [tool.name for tool in (await session.list_tools()).tools]
            arguments = {
                "images": [astronaut_data_url()],
                "instruction": "black and white",
                "provider": "offline",
                "idempotency_key": "stdio-1",
            }
            first = await session.call_tool("edit_image", arguments, progress_callback=on_progress)
            again = await session.call_tool("edit_image", arguments)
            bad = await session.call_tool("edit_image", {**arguments, "aspect_ratio": "2:7"})
            credits = await session.call_tool("get_credits", {})
            return tools, first, again, bad, credits

    tools, first, again, bad, credits = anyio.run(run)
    assert "edit_image" in tools and "list_capabilities" in tools
    assert not first.is_error, first.content
    image = np.asarray(image_of(first).convert("RGB")).astype(int)
    assert np.abs(image[..., 0] - image[..., 2]).max() <= 3 and image.std() > 20
    assert progress and progress[-1] == 1.0
    assert summary_of(again)["id"] == summary_of(first)["id"]
    assert bad.is_error and summary_of(bad)["error"]["param"] == "aspect_ratio"
    charged = summary_of(first)["credits_charged"]
    assert charged >= 1
    assert TaskHistory.objects.filter(user=user).count() == 1
    assert credits_balance(user=user) == before - charged
    assert summary_of(credits)["balance"] == before - charged


def test_the_command_refuses_an_unknown_or_inactive_user(make_user):
    make_user("sleeper", is_active=False)
    for name in ("nobody-here", "sleeper"):
        with pytest.raises(CommandError, match="No active user"):
            call_command("mcp", "--user", name)
