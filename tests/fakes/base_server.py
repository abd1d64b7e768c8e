"""A scriptable local HTTP server, the base of the fake Gemini and OpenAI servers.

It listens on 127.0.0.1 (port 0 picks a free one) in a background thread, records every
request (path, lower-cased headers, raw body, parsed JSON or multipart form) and answers
each route from a queue of canned responses, falling back to the subclass's default answer
(a real generated image) when the queue is empty.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from PIL import Image

Color = tuple[int, int, int]


def solid_png(color: Color = (255, 0, 0), size: tuple[int, int] = (64, 64)) -> bytes:
    """A PNG of one colour: what the fakes return as a "generated" image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def default_plan(user_text: str) -> dict:
    """The prompt-writer plan the fakes answer by default, built from the user's words."""
    match = re.search(r"^User instruction: (.*)$", user_text, re.M)
    instruction = match.group(1) if match else user_text.strip()
    return {"prompt": f"Professional prompt for: {instruction}", "task_type": "edit"}


@dataclass
class Canned:
    status: int = 200
    body: Any = None  # dict/list (sent as JSON), str or bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to provoke client timeouts)


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Received:
    method: str
    path: str
    route: str | None
    headers: dict[str, str]  # lower-cased names
    query: dict[str, list[str]]
    body: bytes
    json: Any = None
    form: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[UploadedFile]] = field(default_factory=dict)

    def field(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None


class FakeServer:
    """Subclasses set ``routes`` (name -> path regex) and implement ``default``."""

    routes: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        color: Color = (255, 0, 0),
        api_key: str | None = None,
    ) -> None:
        self.color = color
        self.api_key = api_key  # when set, requests without it get a 401
        self.requests: list[Received] = []
        self._queues: dict[str, deque[Canned]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve_until_interrupted(self, banner: str) -> None:
        """Run in the foreground (the modules' ``__main__``) until Ctrl-C."""
        with self, contextlib.suppress(KeyboardInterrupt):
            print(f"{banner} (Ctrl-C to stop)", flush=True)
            threading.Event().wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """What the SDK takes as its base URL."""
        return self.url

    # --- scripting -------------------------------------------------------------------------
    def enqueue(
        self,
        route: str,
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next request to ``route`` with this response instead of the default."""
        if route not in self.routes:
            raise ValueError(f"unknown route {route!r}; one of {sorted(self.routes)}")
        with self._lock:
            self._queues[route].append(Canned(status, body, dict(headers or {}), delay))

    def reset(self) -> None:
        """Forget recorded requests and queued responses (between tests sharing a server)."""
        with self._lock:
            self.requests.clear()
            self._queues.clear()

    def requests_to(self, route: str) -> list[Received]:
        return [r for r in self.requests if r.route == route]

    def default(self, request: Received) -> Canned:
        raise NotImplementedError

    def authorized(self, request: Received) -> bool:
        return True

    def unauthorized(self) -> Canned:
        return Canned(401, {"error": {"message": "invalid API key"}})

    # --- plumbing --------------------------------------------------------------------------
    def _route(self, path: str) -> str | None:
        for name, pattern in self.routes.items():
            if re.search(pattern, path):
                return name
        return None

    def _respond(self, request: Received) -> Canned:
        with self._lock:
            self.requests.append(request)
            queue = self._queues.get(request.route or "")
            canned = queue.popleft() if queue else None
        if canned is not None:
            return canned
        if request.route is None:
            return Canned(404, {"error": {"message": f"no route for {request.path}"}})
        if self.api_key and not self.authorized(request):
            return self.unauthorized()
        return self.default(request)

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._serve()

            def do_POST(self):
                self._serve()

            def _serve(self):
                body = _read_body(self)
                split = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Received(
                    method=self.command,
                    path=split.path,
                    route=server._route(split.path),
                    headers=headers,
                    query=parse_qs(split.query),
                    body=body,
                )
                _parse_body(request)
                canned = server._respond(request)
                if canned.delay:
                    time.sleep(canned.delay)
                payload = canned.body
                if isinstance(payload, dict | list):
                    payload = json.dumps(payload).encode()
                    canned.headers.setdefault("Content-Type", "application/json")
                elif isinstance(payload, str):
                    payload = payload.encode()
                payload = payload or b""
                try:
                    self.send_response(canned.status)
                    for name, value in canned.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format, *args):
                pass

        return Handler


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0], 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def _parse_body(request: Received) -> None:
    content_type = request.headers.get("content-type", "")
    if "multipart/form-data" in content_type:
        match = re.search(r'boundary="?([^";]+)"?', content_type)
        if match:
            _parse_multipart(request, match.group(1).encode())
    elif request.body:
        try:
            request.json = json.loads(request.body)
        except ValueError:
            request.json = None


def _parse_multipart(request: Received, boundary: bytes) -> None:
    for chunk in request.body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if not name:
            continue
        if filename:
            upload = UploadedFile(filename.group(1), headers.get("content-type", ""), data)
            request.files.setdefault(name.group(1), []).append(upload)
        else:
            request.form.setdefault(name.group(1), []).append(data.decode("utf-8", "replace"))
