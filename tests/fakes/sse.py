"""Reading a server-sent event stream that a test client returned."""

from __future__ import annotations

import json

from asgiref.sync import async_to_sync


def stream_text(response) -> str:
    """The whole body of a streaming response, whether its iterator is sync or async (the
    event streams are async: they wait on the event loop)."""
    content = response.streaming_content
    if hasattr(content, "__aiter__"):

        async def collect():
            return [part async for part in content]

        parts = async_to_sync(collect)()
    else:
        parts = list(content)
    return b"".join(p if isinstance(p, bytes) else p.encode() for p in parts).decode()


def fields(text: str) -> list[dict]:
    """Each event's fields as an EventSource reads them (``event``, ``data``, ``id``;
    ``retry`` a number): what an OpenAPI schema of an event stream describes. Comments
    (``: keep-alive``) are skipped; several ``data`` lines are joined with newlines."""
    found = []
    for block in text.split("\n\n"):
        event: dict = {}
        for line in block.splitlines():
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            event[name] = f"{event[name]}\n{value}" if name == "data" and name in event else value
        if "retry" in event:
            event["retry"] = int(event["retry"])
        if event:
            found.append(event)
    return found


def events(text: str) -> list[tuple[str, dict]]:
    """(event name, JSON data) of each event in ``text`` that has data."""
    return [
        (event.get("event", "message"), json.loads(event["data"]))
        for event in fields(text)
        if event.get("data")
    ]
