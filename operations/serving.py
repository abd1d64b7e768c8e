"""The ASGI application AicePS is served by, in development and in production alike.

Three things around Django's own ASGI handler:

* **Bounded threads.** Django gives every request a thread of its own for its synchronous
  parts (middleware hooks, sync views, the ORM), kept until the request ends, so a client
  waiting a minute for an image would hold a thread for a minute. :class:`AicepsASGIHandler`
  runs those parts on one pool per process (``AICEPS_WEB_SYNC_THREADS``) instead: each part
  takes a thread and gives it back, and the waiting itself happens on the event loop.
  (Within one request, consecutive synchronous parts may run on different threads of the
  pool; each is complete on its own: a transaction never spans two.)
* **One crossing per request.** Django's async chain crosses to a thread for each hook of
  each synchronous middleware (about 19 crossings a request here), and each crossing waits
  its turn in the pool behind everyone else's during a burst. A request for a synchronous
  view instead runs the synchronous middleware chain and the view in one crossing
  (:meth:`AicepsASGIHandler.get_response_async`); async views (everything that waits) keep
  the async chain, on the event loop.
* **Liveness on the event loop.** ``/healthz`` is answered before Django, so a process whose
  pool is busy still answers its liveness check at once.
* **Body limits before reading.** :class:`BodyLimit` answers 413 from ``Content-Length``
  before a byte of the body is read, and stops a chunked body at the limit.
* **Lifespan.** Startup and shutdown messages are answered (Django has no lifespan).
"""

from __future__ import annotations

import json
import logging
import os

from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.urls import Resolver404, resolve

from core.api.problems import SHAPES, Problem, v1_body
from core.threads import install
from editor.errors import editor_body

logger = logging.getLogger(__name__)


class AicepsASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.pool = install(settings.AICEPS_WEB_SYNC_THREADS)
        self.sync_handler = BaseHandler()
        self.sync_handler.load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"AicePS serves HTTP only, not {scope['type']}.")
        if scope["path"] == LIVENESS_PATH and scope["method"] in ("GET", "HEAD"):
            await _alive(send, head=scope["method"] == "HEAD")
            return
        async with ThreadSensitiveContext(executor=self.pool):
            await self.handle(scope, receive, send)

    async def get_response_async(self, request):
        if _is_sync_view(request.path_info):
            return await sync_to_async(self.sync_handler.get_response)(request)
        return await super().get_response_async(request)


LIVENESS_PATH = "/healthz"


def _is_sync_view(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False  # static files, redirects and 404 pages: the async chain
    return not iscoroutinefunction(match.func)


async def _alive(send, *, head: bool) -> None:
    body = json.dumps({"status": "ok", "pid": os.getpid()}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-cache, no-store, must-revalidate, max-age=0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else body})


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
            return await _too_large(send, self.limit, scope.get("path", ""))
        if declared is not None:
            return await self.app(scope, receive, send)
        return await self.app(scope, self._counting(scope, receive, send), send)

    def _counting(self, scope, receive, send):
        """For a body without Content-Length (chunked): stop reading at the limit."""
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    await _too_large(send, self.limit, scope.get("path", ""))
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


def _error_body(path: str, problem: Problem) -> dict:
    """``problem`` in the error shape of the view at ``path`` (the editor's own for its
    routes, which it shows as text), v1's where there is no such view."""
    try:
        shape = getattr(getattr(resolve(path).func, "cls", None), "error_shape", "v1")
    except Resolver404:
        shape = "v1"
    return editor_body(problem) if shape == "editor" else SHAPES.get(shape, v1_body)(problem)


async def _too_large(send, limit: int, path: str) -> None:
    mb = limit / (1024 * 1024)
    message = f"The request is larger than the {mb:.0f} MB limit."
    body = json.dumps(_error_body(path, Problem(413, "request_too_large", message))).encode()
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
