"""A fake OpenAI API on 127.0.0.1 speaking the real wire protocol.

Routes (``base_url`` ends in ``/v1``, like the real one): ``edits`` (``POST /v1/images/edits``,
multipart), ``generations`` (``POST /v1/images/generations``, JSON) and ``chat``
(``POST /v1/chat/completions``, JSON). By default the image routes answer ``n`` solid PNGs of
``server.color`` at the requested ``size`` (1024x1024 when absent or ``auto``) in
``b64_json``, and chat answers a prompt-writer JSON plan. Script other answers with
``enqueue`` or the helpers below. A request with ``stream`` answers server-sent events as
the real API does: ``partial_images`` partial images (darker shades of the colour, so each
differs) then one ``.completed`` event per image, with ``usage``.

Standalone: ``python -m tests.fakes.openai_server --port 8766`` then
``OPENAI_BASE_URL=http://127.0.0.1:8766/v1 OPENAI_API_KEY=anything``.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import time
from typing import Any

from .base_server import Canned, Color, FakeServer, Received, default_plan, solid_png


def images_body(*pngs: bytes, tokens: int = 272) -> dict:
    return {
        "created": int(time.time()),
        "data": [{"b64_json": base64.b64encode(png).decode()} for png in pngs],
        "usage": {
            "input_tokens": tokens // 4,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": tokens // 4},
            "output_tokens": tokens - tokens // 4,
            "total_tokens": tokens,
        },
    }


def chat_body(content: str | None, *, tokens: int = 57, refusal: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {
            "prompt_tokens": tokens - 7,
            "completion_tokens": 7,
            "total_tokens": tokens,
        },
    }


def error_body(message: str, type_: str = "invalid_request_error", code: str | None = None):
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def chat_images(request: Received) -> list[tuple[str, bytes]]:
    """The ``data:`` URL images of a chat request, as (mime type, bytes)."""
    images = []
    for message in (request.json or {}).get("messages", []):
        content = message.get("content")
        for part in content if isinstance(content, list) else []:
            url = (part.get("image_url") or {}).get("url", "")
            match = re.match(r"data:([^;]+);base64,(.*)$", url, re.S)
            if match:
                images.append((match.group(1), base64.b64decode(match.group(2))))
    return images


def chat_text(request: Received) -> str:
    """All the text of a chat request's user messages."""
    texts = []
    for message in (request.json or {}).get("messages", []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        for part in content if isinstance(content, list) else []:
            if part.get("type") == "text":
                texts.append(part.get("text", ""))
    return "\n".join(texts)


class OpenAIFakeServer(FakeServer):
    routes = {
        "edits": r"/v1/images/edits$",
        "generations": r"/v1/images/generations$",
        "chat": r"/v1/chat/completions$",
    }
    tokens = 272

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def authorized(self, request: Received) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Canned:
        return Canned(401, error_body("Incorrect API key provided.", code="invalid_api_key"))

    def default(self, request: Received) -> Canned:
        if request.route == "chat":
            return Canned(200, chat_body(json.dumps(default_plan(chat_text(request)))))
        params = request.json if request.route == "generations" else None
        params = params if isinstance(params, dict) else {k: v[0] for k, v in request.form.items()}
        size = (1024, 1024)
        match = re.fullmatch(r"(\d+)x(\d+)", str(params.get("size") or ""))
        if match:
            size = (int(match.group(1)), int(match.group(2)))
        png = solid_png(self.color, size)
        count = int(params.get("n") or 1)
        if str(params.get("stream")).lower() == "true":
            kind = "image_edit" if request.route == "edits" else "image_generation"
            return self.stream(kind, png, count, int(params.get("partial_images") or 0), size)
        if params.get("response_format") == "url":
            data = [{"url": f"{self.url}/files/{i}.png"} for i in range(count)]
            return Canned(200, {"created": int(time.time()), "data": data})
        return Canned(200, images_body(*[png] * count, tokens=self.tokens))

    def stream(self, kind: str, png: bytes, count: int, partials: int, size) -> Canned:
        common = {"background": "opaque", "output_format": "png", "quality": "medium"}
        common["size"] = f"{size[0]}x{size[1]}"
        events = []
        for index in range(partials):
            shade = tuple(value * (index + 1) // (partials + 1) for value in self.color)
            events.append(
                {
                    "type": f"{kind}.partial_image",
                    "b64_json": base64.b64encode(solid_png(shade, size)).decode(),
                    "partial_image_index": index,
                    "created_at": int(time.time()),
                    **common,
                }
            )
        usage = images_body(tokens=self.tokens)["usage"]
        for _ in range(count):
            events.append(
                {
                    "type": f"{kind}.completed",
                    "b64_json": base64.b64encode(png).decode(),
                    "created_at": int(time.time()),
                    "usage": usage,
                    **common,
                }
            )
        body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
        return Canned(200, body, {"Content-Type": "text/event-stream"})

    # --- scripting helpers -------------------------------------------------------------------
    def enqueue_image(
        self, route: str = "edits", color: Color | None = None, size=(64, 64), **kwargs: Any
    ) -> bytes:
        """Queue an image answer on ``route``; returns the PNG bytes it will carry."""
        png = solid_png(color or self.color, size)
        self.enqueue(route, 200, images_body(png, **kwargs))
        return png

    def enqueue_chat(self, content: str | None, **kwargs: Any) -> None:
        self.enqueue("chat", 200, chat_body(content, **kwargs))

    def enqueue_error(
        self,
        route: str,
        status: int,
        message: str = "error",
        *,
        code: str | None = None,
        type_: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.enqueue(route, status, error_body(message, type_, code), headers=headers)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--color", default="e76f51", help="hex colour of generated images")
    parser.add_argument("--api-key", default=None, help="reject requests without this key")
    args = parser.parse_args(argv)
    color = tuple(int(args.color[i : i + 2], 16) for i in (0, 2, 4))
    server = OpenAIFakeServer(host=args.host, port=args.port, color=color, api_key=args.api_key)
    server.serve_until_interrupted(f"Fake OpenAI API at {server.base_url}")


if __name__ == "__main__":
    main()
