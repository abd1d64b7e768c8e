"""HTTP/1.1 over asyncio streams, for a thousand connections from one process: requests,
server-sent event streams, and deliberately slow or oversized clients.

Plain sockets and a minimal parser (status line, headers, ``Content-Length`` or chunked
bodies): a connection costs a socket and a coroutine, so 1,200 of them stay a small share of
the machine next to the server they measure. uvloop is used when it is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


def _head(method: str, path: str, token: str | None, headers: dict | None, length: int | None):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed before an answer")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


async def body_chunks(reader: asyncio.StreamReader, headers: dict[str, str]):
    """The body as it arrives: chunked, ``Content-Length``, or until the server closes."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                return
            chunk = await reader.readexactly(size)
            await reader.readexactly(2)
            yield chunk
    elif "content-length" in headers:
        left = int(headers["content-length"])
        while left > 0:
            chunk = await reader.read(min(left, 65536))
            if not chunk:
                raise ConnectionError("closed in the middle of a body")
            left -= len(chunk)
            yield chunk
    else:
        while chunk := await reader.read(65536):
            yield chunk


async def request(
    port: int,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 120,
) -> Response:
    """One request on a connection of its own."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        length = len(body) if body is not None else (0 if method == "POST" else None)
        writer.write(_head(method, path, token, headers, length) + (body or b""))
        await writer.drain()

        async def answer():
            status, head = await read_head(reader)
            data = b"".join([chunk async for chunk in body_chunks(reader, head)])
            return status, head, data

        status, head, data = await asyncio.wait_for(answer(), timeout)
        return Response(status, head, data, (time.perf_counter() - started) * 1000)
    finally:
        writer.close()


@dataclass
class StreamResult:
    """What one event stream received; times are ``time.time()``."""

    task_id: str
    http_status: int = 0
    opened: float = 0.0
    first_status: float | None = None
    ended: float | None = None
    end_status: str = ""
    events: dict[str, int] = field(default_factory=dict)
    error: str = ""


async def stream(port: int, task_id: str, token: str, *, timeout: float) -> StreamResult:
    """``GET /api/v1/tasks/{id}/events`` until its ``end`` event (or ``timeout`` seconds)."""
    result = StreamResult(task_id, opened=time.time())
    path = f"/api/v1/tasks/{task_id}/events"
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError as exc:
        result.error = f"connect: {exc}"
        return result
    try:
        writer.write(_head("GET", path, token, {"Accept": "text/event-stream"}, None))
        await writer.drain()
        await asyncio.wait_for(_read_events(reader, result), timeout)
    except TimeoutError:
        result.error = "no end event in time"
    except (OSError, ConnectionError, ValueError, asyncio.IncompleteReadError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        writer.close()
    return result


async def _read_events(reader: asyncio.StreamReader, result: StreamResult) -> None:
    result.http_status, head = await read_head(reader)
    if result.http_status != 200:
        data = b"".join([chunk async for chunk in body_chunks(reader, head)])
        result.error = f"HTTP {result.http_status}: {data[:200].decode(errors='replace')}"
        return
    text = ""
    async for chunk in body_chunks(reader, head):
        text += chunk.decode()
        while "\n\n" in text:
            block, text = text.split("\n\n", 1)
            lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            name = lines.get("event")
            if not name:
                continue  # a keep-alive comment
            result.events[name] = result.events.get(name, 0) + 1
            if name == "status" and result.first_status is None:
                result.first_status = time.time()
            if name in ("end", "timeout"):
                result.end_status = json.loads(lines.get("data", "{}")).get("status", "")
                if name == "end":
                    result.ended = time.time()
                else:
                    result.error = f"timeout event (task {result.end_status})"
                return
    result.error = "closed without an end event"


@dataclass
class SlowStats:
    """What slow clients saw: connections made, and those the server ended (with the first
    bytes it answered, if any) after how many seconds."""

    opened: int = 0
    closed_by_server: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    lifetimes: list[float] = field(default_factory=list)


async def slow_client(port: int, head: bytes, trickle, stop: asyncio.Event, stats: SlowStats):
    """Send ``head``, then one ``trickle(n)`` a second until ``stop``; when the server ends
    the connection, note it and connect again (so the load stays the same)."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        stats.opened += 1
        started = time.monotonic()
        answer = asyncio.ensure_future(reader.read(256))
        try:
            writer.write(head)
            n = 0
            while not stop.is_set():
                done, _ = await asyncio.wait({answer}, timeout=1.0)
                if done:
                    break
                n += 1
                writer.write(trickle(n))
                await writer.drain()
            if answer.done():
                first = answer.result().split(b"\r\n", 1)[0].decode(errors="replace")
                key = " ".join(first.split()[:2]) or "without an answer"
                stats.answers[key] = stats.answers.get(key, 0) + 1
                stats.closed_by_server += 1
                stats.lifetimes.append(time.monotonic() - started)
        except OSError:
            stats.closed_by_server += 1
            stats.lifetimes.append(time.monotonic() - started)
        finally:
            answer.cancel()
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def slow_header_client(port: int, stop: asyncio.Event, stats: SlowStats):
    """One header line a second, never the blank line that ends them."""
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    return slow_client(port, head, lambda n: f"X-Slow-{n}: {n}\r\n".encode(), stop, stats)


def slow_body_client(port: int, token: str, stop: asyncio.Event, stats: SlowStats):
    """An upload of 1 MB announced, sent four bytes a second."""
    head = _head(
        "POST",
        "/api/v1/tasks",
        token,
        {"Content-Type": "multipart/form-data; boundary=slowslowslow"},
        1_000_000,
    )
    return slow_client(port, head, lambda n: b"slow", stop, stats)


async def oversized_upload(port: int, token: str, *, size: int, chunked: bool = False) -> dict:
    """POST a ``size``-byte body as fast as the server takes it, and stop when it answers:
    how long the answer took from the end of the headers, and how much had been sent."""
    reader, writer = await asyncio.open_connection(HOST, port)
    headers = {"Content-Type": "multipart/form-data; boundary=oversized"}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    writer.write(_head("POST", "/api/v1/tasks", token, headers, None if chunked else size))
    await writer.drain()
    started, sent, answered = time.perf_counter(), 0, []
    answer = asyncio.ensure_future(read_head(reader))
    answer.add_done_callback(lambda _: answered.append(time.perf_counter()))
    block = b"x" * 65536
    piece = (b"10000\r\n" + block + b"\r\n") if chunked else block
    try:
        while sent < size and not answer.done():
            writer.write(piece)
            sending = asyncio.ensure_future(writer.drain())
            await asyncio.wait({answer, sending}, return_when=asyncio.FIRST_COMPLETED)
            if sending.done() and sending.exception() is None:
                sent += len(block)
            else:
                sending.cancel()
    except OSError:
        pass  # the server closed after answering
    status, ms = 0, float("nan")
    with contextlib.suppress(Exception):
        status, _ = await asyncio.wait_for(answer, 30)
        ms = (answered[0] - started) * 1000
    writer.close()
    return {"status": status, "ms": ms, "sent_bytes": sent, "size": size, "chunked": chunked}
