"""A small HTTP client of midjourney-proxy (github.com/novicezk/midjourney-proxy), on the
standard library: no SDK exists, and a proxy speaks plain JSON.

Its protocol, as its controllers and ``docs/api.md`` define it, under ``{base}/mj``:

``POST /submit/imagine``
    ``{"prompt", "base64Array": ["data:image/png;base64,…"], "notifyHook", "state"}``
``POST /submit/change``
    ``{"taskId", "action": "UPSCALE" | "VARIATION" | "REROLL", "index": 1-4, "notifyHook",
    "state"}``
    Both answer ``{"code", "description", "result": task id, "properties"}``: code 1
    submitted, 21 already exists (an upscale asked before: ``result`` is that task), 22
    queued, 23 queue full, 24 banned word (``properties.bannedWord``), 3 not found, 4
    validation error, 9 system error.
``GET /task/{id}/fetch``
    The task: ``{"id", "action", "status": NOT_START | SUBMITTED | IN_PROGRESS | FAILURE |
    SUCCESS, "progress": "45%", "imageUrl", "failReason", "prompt", "promptEn",
    "submitTime", "startTime", "finishTime", "properties"}``; an empty body for an unknown
    id.

The notify hook receives the same task object, POSTed as JSON, whenever its status or
progress changes. ``mj-api-secret`` carries the proxy's ``mj.api-secret`` when it has one.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from ._support import error_for_status, parse_retry_after
from .base import ProviderError

NAME = "midjourney"
SECRET_HEADER = "mj-api-secret"
MAX_IMAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Submitted:
    code: int
    description: str
    result: str | None
    properties: dict = field(default_factory=dict)


class MidjourneyProxyClient:
    def __init__(self, base_url: str, *, api_secret: str = "", timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_secret = api_secret
        self.timeout = timeout

    # --- the proxy's calls -------------------------------------------------------------

    def imagine(self, *, prompt: str, images: list[str], notify_hook: str = "") -> Submitted:
        body = {"prompt": prompt, "base64Array": images}
        if notify_hook:
            body["notifyHook"] = notify_hook
        return self._submitted(self._call("POST", "/mj/submit/imagine", body))

    def change(
        self, *, task_id: str, action: str, index: int | None = None, notify_hook: str = ""
    ) -> Submitted:
        body: dict = {"taskId": task_id, "action": action}
        if index is not None:
            body["index"] = index
        if notify_hook:
            body["notifyHook"] = notify_hook
        return self._submitted(self._call("POST", "/mj/submit/change", body))

    def fetch(self, task_id: str) -> dict | None:
        """The proxy's task, or None when it does not know it (a restarted proxy)."""
        answer = self._call("GET", f"/mj/task/{task_id}/fetch")
        return answer if isinstance(answer, dict) and answer.get("id") else None

    def download(self, url: str) -> bytes:
        """The image at ``url`` (Discord's CDN, or the proxy's own copy)."""
        request = urllib.request.Request(url, headers={"User-Agent": "AicePS"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read(MAX_IMAGE_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise error_for_status(
                error.code, f"downloading the image failed: {error.reason}", provider=NAME
            ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise ProviderError(
                f"Downloading the Midjourney image failed: {exc}",
                code="download_failed",
                provider=NAME,
            ) from None
        if len(data) > MAX_IMAGE_BYTES:
            raise ProviderError(
                "The Midjourney image is too large.", permanent=True, code="invalid_image"
            )
        return data

    # --- plumbing ----------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict | None = None):
        headers = {"Accept": "application/json", "User-Agent": "AicePS"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.api_secret:
            headers[SECRET_HEADER] = self.api_secret
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            text = error.read()[:300].decode("utf-8", "replace")
            failure = error_for_status(
                error.code,
                text or str(error.reason),
                provider=NAME,
                retry_after=parse_retry_after(error.headers),
            )
            if error.code in (401, 403):
                failure.code, failure.status = "invalid_configuration", 503
                failure.detail = "Check AICEPS_MIDJOURNEY_API_SECRET (the proxy's mj.api-secret)."
            raise failure from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            timeout = isinstance(reason, TimeoutError | socket.timeout)
            raise ProviderError(
                f"midjourney-proxy {'timed out' if timeout else 'cannot be reached'}: {reason}",
                code="timeout" if timeout else "connection_error",
                provider=NAME,
            ) from None
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ProviderError(
                f"midjourney-proxy answered something that is not JSON: {raw[:200]!r}",
                code="malformed_response",
                provider=NAME,
            ) from None

    @staticmethod
    def _submitted(answer) -> Submitted:
        if not isinstance(answer, dict) or not isinstance(answer.get("code"), int):
            raise ProviderError(
                f"midjourney-proxy answered a submission without a code: {str(answer)[:200]}",
                code="malformed_response",
                provider=NAME,
            )
        result = answer.get("result")
        return Submitted(
            code=answer["code"],
            description=str(answer.get("description") or ""),
            result=str(result) if result not in (None, "") else None,
            properties=dict(answer.get("properties") or {}),
        )
