"""A live AicePS (the ASGI application with /mcp mounted, as ``aiceps.asgi`` serves it) and
the official MCP client of the same SDK, over Streamable HTTP."""

from __future__ import annotations

import base64
import io
import json
from contextlib import asynccontextmanager

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from PIL import Image

from tests.fakes.asgi_server import AsgiServer


class McpAsgiServer(AsgiServer):
    def __init__(self) -> None:
        super().__init__()
        from mcp_server.http import with_mcp

        self.config.app = with_mcp(self.config.app)


@pytest.fixture
def live_mcp(transactional_db, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    server = McpAsgiServer().start()
    try:
        yield server
    finally:
        server.stop()


@asynccontextmanager
async def mcp_session(url: str, token: str | None, **transport):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http_client(f"{url}/mcp", http_client=http, **transport) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def astronaut_data_url() -> str:
    """A real photo (scikit-image's public-domain astronaut), as a JPEG data URL."""
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).resize((256, 256)).save(buffer, "JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def summary_of(result) -> dict:
    return result.structured_content or json.loads(result.content[0].text)


def image_of(result) -> Image.Image:
    images = [block for block in result.content if block.type == "image"]
    assert len(images) == 1, result.content
    return Image.open(io.BytesIO(base64.b64decode(images[0].data)))
