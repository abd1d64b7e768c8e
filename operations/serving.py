"""The ASGI application AicePS is served by, in development and in production alike.

Three things around Django's own ASGI handler:

* **Bounded threads.** Django gives every request a thread of its own for its synchronous
  parts (middleware hooks, sync views, the ORM), kept until the request ends, so a client
  waiting a minute for an image would hold a thread for a minute. :class:`AicepsASGIHandler`
  runs those parts on one pool per process (``AICEPS_WEB_SYNC_THREADS``) instead: each part
  takes a thread and gives it back, and the waiting itself happens on the event loop.
  (Within one request, consecutive synchronous parts may run on different threads of the
  pool; each is complete on its own: a transaction never spans two.)
* **Body limits before reading.** :class:`BodyLimit` answers 413 from ``Content-Length``
  before a byte of the body is read, and stops a chunked body at the limit.
* **Lifespan.** Startup and shutdown messages are answered (Django has no lifespan).
"""

from __future__ import annotations

import json
import logging

from asgiref.sync import ThreadSensitiveContext
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

from core.threads import install

logger = logging.getLogger(__name__)


class AicepsASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.pool = install(settings.AICEPS_WEB_SYNC_THREADS)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"AicePS serves HTTP only, not {scope['type']}.")
        async with ThreadSensitiveContext(executor=self.pool):
            await self.handle(scope, receive, send)


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, unread."""

    def __init__(self, app, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            logger.info("request body refused", extra={"declared_bytes": declared})
            return await _too_large(send, self.limit)
        if declared is not None:
            return await self.app(scope, receive, send)
        return await self.app(scope, self._counting(receive, send), send)

    def _counting(self, receive, send):
        """For a body without Content-Length (chunked): stop reading at the limit."""
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    await _too_large(send, self.limit)
                    return {"type": "http.disconnect"}  # Django stops reading and answers nothing
            return message

        return counted


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send, limit: int) -> None:
    mb = limit / (1024 * 1024)
    body = json.dumps(
        {
            "success": False,
            "error": {
                "code": "request_too_large",
                "message": f"The request is larger than the {mb:.0f} MB limit.",
            },
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def application():
    """The whole ASGI application: limits, then Django with bounded threads."""
    return BodyLimit(AicepsASGIHandler(), limit=settings.AICEPS_MAX_REQUEST_BYTES)
