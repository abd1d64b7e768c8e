"""``/mcp``: the MCP server as Streamable HTTP, in front of the rest of the ASGI application.

:func:`with_mcp` wraps AicePS's ASGI application: requests for ``/mcp`` go to the SDK's
Streamable HTTP session manager, everything else to Django. Each request is authenticated
before the SDK sees it (:mod:`.principal`: 401 with ``WWW-Authenticate: Bearer``, 429 for an
address over its bad-credential rate), its ``Host`` checked against ``ALLOWED_HOSTS``, and the
principal handed to the handlers in the ASGI scope. A session is bound to the credential that
opened it (the SDK answers 404 to anyone else). The session manager runs for the
application's lifespan.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from .principal import Refused, authenticate, client_ip_of
from .server import SCOPE_KEY, build_server
from .sync import run_sync

logger = logging.getLogger(__name__)
PATH = "/mcp"


class McpMount:
    def __init__(self, app, *, path: str = PATH) -> None:
        self.app, self.path = app, path.rstrip("/")
        self.server = build_server()
        self.manager = StreamableHTTPSessionManager(
            app=self.server,
            # Hosts are checked here against ALLOWED_HOSTS; a browser page cannot send the
            # bearer credentials every request needs.
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
            max_request_body_size=settings.AICEPS_MAX_REQUEST_BYTES,
        )
        self.running = False

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            async with self.manager.run():
                self.running = True
                try:
                    await self.app(scope, receive, send)
                finally:
                    self.running = False
            return
        if scope["type"] == "http" and scope["path"].rstrip("/") == self.path:
            await self._serve(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _serve(self, scope, receive, send) -> None:
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        domain, _port = split_domain_port(headers.get("host", ""))
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            await _refuse(send, 400, "bad_host", "This host is not served here.")
            return
        if not self.running:
            await _refuse(send, 503, "mcp_not_started", "The MCP server needs the ASGI lifespan.")
            return
        client = scope.get("client") or ("", 0)
        try:
            principal = await run_sync(authenticate)(
                authorization=headers.get("authorization", ""),
                client_ip=client_ip_of(client[0], headers.get("x-forwarded-for", "")),
            )
        except Refused as refused:
            await _refuse(
                send, refused.status, "not_authenticated", refused.message, refused.retry_after
            )
            return
        token = AccessToken(token="", client_id=principal.client_id, scopes=[])
        scope = {**scope, SCOPE_KEY: principal, "user": AuthenticatedUser(token)}
        await self.manager.handle_request(scope, receive, send)


async def _refuse(send, status: int, code: str, message: str, retry_after=None) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="mcp"'))
    if retry_after:
        headers.append((b"retry-after", str(int(retry_after) + 1).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_mcp(app) -> McpMount:
    return McpMount(app)
