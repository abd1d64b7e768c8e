"""A webhook receiver on 127.0.0.1: records every delivery (headers, exact body) and answers
200, or what a test queued (``enqueue("hook", 500)``), like a customer's server."""

from __future__ import annotations

import pytest

from .base_server import Canned, FakeServer, Received


class WebhookReceiver(FakeServer):
    routes = {"hook": r"^/hook"}

    def default(self, request: Received) -> Canned:
        return Canned(200, {"received": True})

    @property
    def hook_url(self) -> str:
        return f"{self.url}/hook"

    def deliveries(self) -> list[Received]:
        return self.requests_to("hook")

    def events(self) -> list[str]:
        return [request.json["type"] for request in self.deliveries()]


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server
