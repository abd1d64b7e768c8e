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


def events(text: str) -> list[tuple[str, dict]]:
    """(event name, JSON data) of each event in ``text``; comments are skipped."""
    found = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith(":")]
        name = next((line[7:] for line in lines if line.startswith("event: ")), "message")
        data = "\n".join(line[6:] for line in lines if line.startswith("data: "))
        if data:
            found.append((name, json.loads(data)))
    return found


def fields(text: str) -> list[dict]:
    """Each event's fields as an EventSource reads them (``event``, ``data``, ``id``;
    ``retry`` a number): what an OpenAPI schema of an event stream describes."""
    found = []
    for block in text.split("\n\n"):
        event: dict = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if not line or line.startswith(":"):
                continue
            event[name] = event[name] + "\n" + value if name == "data" and name in event else value
        if "retry" in event:
            event["retry"] = int(event["retry"])
        if event:
            found.append(event)
    return found
