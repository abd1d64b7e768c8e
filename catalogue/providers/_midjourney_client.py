"""A small HTTP client of midjourney-proxy (github.com/novicezk/midjourney-proxy), through
AicePS's one way out (:mod:`core.outbound`): no SDK exists, and a proxy speaks plain JSON.

The proxy's URL is the operator's (private networks allowed); the images it names come from
Discord's CDN or from the proxy itself, so they are fetched under the public-only SSRF policy,
the proxy's own host excepted, and a failed download is tried again (:mod:`core.retry`).

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
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from core import outbound
from core.destinations import CONFIGURED, DestinationError, Policy
from core.retry import RetryPolicy, parse_retry_after

from ._support import error_for_status, request_failed
from .base import ProviderError

NAME = "midjourney"
SECRET_HEADER = "mj-api-secret"
MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_ANSWER_BYTES = 4 * 1024 * 1024
CONNECT_SECONDS = 10.0
DOWNLOAD_RETRY = RetryPolicy(max_attempts=3, backoff_seconds=0.5, max_backoff_seconds=5.0)


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
        own_host = (urlsplit(self.base_url).hostname or "").lower().rstrip(".")
        try:
            response = outbound.get(
                url,
                policy=Policy(private_hosts=frozenset({own_host})),
                timeouts=self._timeouts(),
                max_bytes=MAX_IMAGE_BYTES,
                redirects=3,
                retry=DOWNLOAD_RETRY,
            )
        except outbound.TooLarge:
            raise ProviderError(
                "The Midjourney image is too large.", permanent=True, code="invalid_image"
            ) from None
        except (outbound.OutboundError, DestinationError) as exc:
            raise ProviderError(
                f"Downloading the Midjourney image failed: {exc}",
                code="download_failed",
                provider=NAME,
                permanent=isinstance(exc, DestinationError),
            ) from None
        if response.status != 200:
            raise error_for_status(response.status, "downloading the image failed", provider=NAME)
        return response.body

    # --- plumbing ----------------------------------------------------------------------

    def _timeouts(self) -> outbound.Timeouts:
        return outbound.Timeouts(connect=min(CONNECT_SECONDS, self.timeout), read=self.timeout)

    def _call(self, method: str, path: str, body: dict | None = None):
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.api_secret:
            headers[SECRET_HEADER] = self.api_secret
        try:
            response = outbound.request(
                method,
                self.base_url + path,
                policy=CONFIGURED,
                timeouts=self._timeouts(),
                max_bytes=MAX_ANSWER_BYTES,
                headers=headers,
                body=None if body is None else json.dumps(body).encode(),
                redirects=3,
            )
        except (DestinationError, outbound.OutboundError) as exc:
            raise request_failed(
                exc, provider=NAME, label="midjourney-proxy", setting="AICEPS_MIDJOURNEY_PROXY_URL"
            ) from None
        if response.status >= 300:
            failure = error_for_status(
                response.status,
                response.excerpt() or f"HTTP {response.status}",
                provider=NAME,
                retry_after=parse_retry_after(response.headers),
            )
            if response.status in (401, 403):
                failure.code, failure.status = "invalid_configuration", 503
                failure.detail = "Check AICEPS_MIDJOURNEY_API_SECRET (the proxy's mj.api-secret)."
            raise failure
        if not response.body.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise ProviderError(
                f"midjourney-proxy answered something that is not JSON: {response.body[:200]!r}",
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
