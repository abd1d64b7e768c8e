"""A fake Gemini REST API on 127.0.0.1 speaking the real wire protocol.

Routes: ``generateContent`` (``POST /{version}/models/{model}:generateContent``, also the
Vertex ``publishers/google/models/...`` form) and ``predict`` (Vertex Imagen). By default a
request asking for the IMAGE modality gets a solid PNG of ``server.color``, sized like a real
Gemini image for the requested aspect ratio; a JSON-mode request gets a prompt-writer plan;
anything else gets plain text. Script other answers with ``enqueue`` or the helpers below.

Standalone: ``python -m tests.fakes.gemini_server --port 8765`` then point the app at it with
``GEMINI_BASE_URL=http://127.0.0.1:8765 GEMINI_API_KEY=anything``.
"""

from __future__ import annotations

import argparse
import base64
import json
from typing import Any

from .base_server import Canned, Color, FakeServer, Received, default_plan, solid_png

# The sizes gemini-2.5-flash-image answers with, per aspect ratio.
SIZES = {
    "1:1": (1024, 1024),
    "16:9": (1344, 768),
    "9:16": (768, 1344),
    "4:3": (1184, 864),
    "3:4": (864, 1184),
}


def image_body(png: bytes, *, text: str | None = None, tokens: int = 1290) -> dict:
    parts: list[dict] = [{"text": text}] if text else []
    parts.append({"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}})
    return _candidate(parts, tokens=tokens)


def text_body(text: str, *, finish_reason: str = "STOP", tokens: int = 25) -> dict:
    return _candidate([{"text": text}], finish_reason=finish_reason, tokens=tokens)


def error_body(status: int, message: str, status_name: str = "INVALID_ARGUMENT") -> dict:
    return {"error": {"code": status, "message": message, "status": status_name}}


def _candidate(parts: list[dict], *, finish_reason: str = "STOP", tokens: int = 0) -> dict:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": parts}, "finishReason": finish_reason}
        ],
        "usageMetadata": {
            "promptTokenCount": tokens // 2,
            "candidatesTokenCount": tokens - tokens // 2,
            "totalTokenCount": tokens,
        },
        "modelVersion": "fake",
    }


def request_texts(request: Received) -> list[str]:
    """The text parts the client sent in ``contents`` (system instruction excluded)."""
    return [p["text"] for p in _parts(request) if "text" in p]


def request_images(request: Received) -> list[tuple[str, bytes]]:
    """The inline images the client sent, as (mime type, bytes)."""
    images = []
    for part in _parts(request):
        inline = part.get("inlineData") or part.get("inline_data")
        if inline:
            mime = inline.get("mimeType") or inline.get("mime_type")
            images.append((mime, _b64decode(inline["data"])))
    return images


def _b64decode(data: str) -> bytes:
    # google-genai sends URL-safe base64; the real API takes either alphabet.
    data = data.replace("-", "+").replace("_", "/")
    return base64.b64decode(data + "=" * (-len(data) % 4))


def _parts(request: Received) -> list[dict]:
    body = request.json if isinstance(request.json, dict) else {}
    return [p for c in body.get("contents", []) for p in c.get("parts", [])]


class GeminiFakeServer(FakeServer):
    """Fake Gemini API. ``tokens`` is the ``totalTokenCount`` of default answers."""

    routes = {
        "generateContent": r"/models/[^/:]+:generateContent$",
        "predict": r"/models/[^/:]+:predict$",
    }
    tokens = 1290

    def authorized(self, request: Received) -> bool:
        key = request.headers.get("x-goog-api-key") or (request.query.get("key") or [""])[0]
        return key == self.api_key

    def unauthorized(self) -> Canned:
        return Canned(401, error_body(401, "API key not valid.", "UNAUTHENTICATED"))

    def default(self, request: Received) -> Canned:
        body = request.json if isinstance(request.json, dict) else {}
        if request.route == "predict":
            params = body.get("parameters", {})
            png = solid_png(self.color, SIZES.get(params.get("aspectRatio"), SIZES["1:1"]))
            encoded = base64.b64encode(png).decode()
            count = int(params.get("sampleCount") or 1)
            predictions = [{"bytesBase64Encoded": encoded, "mimeType": "image/png"}] * count
            return Canned(200, {"predictions": predictions})
        config = body.get("generationConfig", {})
        if "IMAGE" in [m.upper() for m in config.get("responseModalities", [])]:
            ratio = (config.get("imageConfig") or {}).get("aspectRatio")
            png = solid_png(self.color, SIZES.get(ratio, SIZES["1:1"]))
            return Canned(200, image_body(png, tokens=self.tokens))
        texts = request_texts(request)
        if config.get("responseMimeType") == "application/json":
            plan = default_plan(texts[-1] if texts else "")
            return Canned(200, text_body(json.dumps(plan), tokens=self.tokens))
        return Canned(200, text_body("ok", tokens=self.tokens))

    # --- scripting helpers -------------------------------------------------------------------
    def enqueue_image(
        self, color: Color | None = None, size: tuple[int, int] = (64, 64), **kwargs: Any
    ) -> bytes:
        """Queue an image answer; returns the PNG bytes it will carry."""
        png = solid_png(color or self.color, size)
        self.enqueue("generateContent", 200, image_body(png, **kwargs))
        return png

    def enqueue_text(self, text: str, **kwargs: Any) -> None:
        self.enqueue("generateContent", 200, text_body(text, **kwargs))

    def enqueue_error(
        self,
        status: int,
        message: str = "error",
        status_name: str = "INTERNAL",
        *,
        retry_after: str | None = None,
        route: str = "generateContent",
    ) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.enqueue(route, status, error_body(status, message, status_name), headers=headers)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--color", default="2a9d8f", help="hex colour of generated images")
    parser.add_argument("--api-key", default=None, help="reject requests without this key")
    args = parser.parse_args(argv)
    color = tuple(int(args.color[i : i + 2], 16) for i in (0, 2, 4))
    server = GeminiFakeServer(host=args.host, port=args.port, color=color, api_key=args.api_key)
    server.serve_until_interrupted(f"Fake Gemini API at {server.base_url}")


if __name__ == "__main__":
    main()
