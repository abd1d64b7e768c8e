"""Midjourney through a midjourney-proxy server (``AICEPS_MIDJOURNEY_PROXY_URL``).

Midjourney makes a grid of four images per ``/imagine``; AicePS then upscales one quadrant
per image the task asked for (``n``: U1 … U4) and returns the upscales. Photos go along as
image prompts (``base64Array``), so Midjourney suits new pictures: text to image, a style,
a fusion of photos; it does not edit a photo in place (no masks, no points).

Each job (the grid, then each upscale) is submitted once per task. Its id is remembered on
the AicePS task (``request.remember``) before anything waits on it, so a poll that fails, a
retried attempt, a worker that died or a task that staff run again resumes the job instead
of paying Midjourney for a second one. The proxy's notify hook
(``{AICEPS_MIDJOURNEY_NOTIFY_URL or AICEPS_PUBLIC_URL}/api/providers/midjourney/notify/
{task}/{token}``, a secret per task) reports each change; the provider reads those
notices every half second and polls ``/mj/task/{id}/fetch`` only as a fallback (every
``AICEPS_MIDJOURNEY_POLL_SECONDS``, at once when there is no hook). The images are
downloaded the moment they are ready (Discord's links expire) and stored by AicePS.
"""

from __future__ import annotations

import base64
import time
from typing import ClassVar

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from ..imaging.formats import RESULT_MIME_TYPES, image_mime_type
from ._midjourney_client import MidjourneyProxyClient, Submitted
from .base import (
    Capabilities,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    ImageResult,
    ProviderError,
    TaskType,
)
from .declaring import Provider, ProviderSetting

NAME = "midjourney"
# Midjourney through a midjourney-proxy server (github.com/novicezk/midjourney-proxy).
PROVIDER = Provider(
    image_providers={NAME: f"{__name__}.MidjourneyImageProvider"},
    settings=(
        ProviderSetting(
            "AICEPS_MIDJOURNEY_PROXY_URL",
            doc="a midjourney-proxy server: enables the `midjourney` image provider",
            url=True,
        ),
        ProviderSetting(
            "AICEPS_MIDJOURNEY_API_SECRET",
            doc="the proxy's `mj.api-secret` (sent as `mj-api-secret`)",
            secret=True,
        ),
        ProviderSetting(
            "AICEPS_MIDJOURNEY_TIMEOUT_SECONDS",
            600.0,
            doc="longest wait for one Midjourney job (the grid, each upscale) per attempt",
            type="float",
        ),
        # Polling is the fallback of the proxy's notify hook: this often with a hook.
        ProviderSetting(
            "AICEPS_MIDJOURNEY_POLL_SECONDS",
            10.0,
            doc=(
                "how often the proxy is polled as the notify hook's fallback (at once "
                "without a hook)"
            ),
            type="float",
        ),
        ProviderSetting(
            "AICEPS_MIDJOURNEY_NOTIFY_URL",
            doc="base URL the proxy calls back (empty: poll only)",
            shown="`AICEPS_PUBLIC_URL`",
            url=True,
        ),
        ProviderSetting(
            "AICEPS_MIDJOURNEY_PARAMETERS",
            doc="appended to every Midjourney prompt, e.g. `--v 7 --style raw`",
        ),
    ),
)
NOTICE_SECONDS = 0.5
FINAL = ("SUCCESS", "FAILURE")
ORDER = {"NOT_START": 0, "SUBMITTED": 1, "IN_PROGRESS": 2, "FAILURE": 3, "SUCCESS": 3}
_BLOCKED_WORDS = ("banned", "blocked", "moderation", "community guidelines", "sensitive")
NOTIFY_PATH = "/api/providers/midjourney/notify/"


def notify_token(task_id) -> str:
    """The secret of one task's notify URL (an HMAC of its id with ``SECRET_KEY``)."""
    return salted_hmac("aiceps.midjourney-notify", str(task_id), algorithm="sha256").hexdigest()


def notify_token_valid(task_id, token: str) -> bool:
    return constant_time_compare(notify_token(task_id), token or "")


def notify_url(task_id) -> str:
    base = settings.AICEPS_MIDJOURNEY_NOTIFY_URL or settings.AICEPS_PUBLIC_URL
    if not base or not task_id:
        return ""
    return f"{base.rstrip('/')}{NOTIFY_PATH}{task_id}/{notify_token(task_id)}"


def _percent(task: dict) -> int | None:
    text = str(task.get("progress") or "").rstrip("%").strip()
    return int(float(text)) if text.replace(".", "", 1).isdigit() else None


class MidjourneyImageProvider(ImageProvider):
    """Text to image, styles and fusions on Midjourney; ``n`` upscaled quadrants a task."""

    name = NAME
    title = "Midjourney"
    setup = "set AICEPS_MIDJOURNEY_PROXY_URL (a midjourney-proxy server)"
    summary = (
        "Midjourney through a midjourney-proxy server: text to image, styles, fusions; "
        "`n` upscaled quadrants"
    )
    queue_group = "default"
    capabilities: ClassVar[Capabilities] = Capabilities(
        edit=True,
        text_to_image=True,
        mask=False,
        max_input_images=4,
        max_count=4,
        max_side=2048,
        task_types=frozenset({TaskType.TEXT_TO_IMAGE, TaskType.STYLE, TaskType.FUSION}),
    )

    @classmethod
    def is_configured(cls) -> bool:
        return bool(settings.AICEPS_MIDJOURNEY_PROXY_URL)

    @classmethod
    def from_settings(cls) -> MidjourneyImageProvider:
        if not settings.AICEPS_MIDJOURNEY_PROXY_URL:
            raise ProviderError(
                "Midjourney is not set up on this server.",
                permanent=True,
                code="not_configured",
                provider=NAME,
                detail="Set AICEPS_MIDJOURNEY_PROXY_URL to a midjourney-proxy server.",
            )
        return cls(
            MidjourneyProxyClient(
                settings.AICEPS_MIDJOURNEY_PROXY_URL,
                api_secret=settings.AICEPS_MIDJOURNEY_API_SECRET,
                timeout=min(settings.AICEPS_PROVIDER_CALLS.timeout_seconds, 60.0),
            ),
            timeout=settings.AICEPS_MIDJOURNEY_TIMEOUT_SECONDS,
            poll_seconds=settings.AICEPS_MIDJOURNEY_POLL_SECONDS,
            parameters=settings.AICEPS_MIDJOURNEY_PARAMETERS,
        )

    def __init__(
        self,
        client: MidjourneyProxyClient,
        *,
        timeout: float = 600.0,
        poll_seconds: float = 10.0,
        parameters: str = "",
        sleep=time.sleep,
        clock=time.monotonic,
    ) -> None:
        self.client, self.timeout, self.poll_seconds = client, timeout, poll_seconds
        self.parameters = parameters.strip()
        self._sleep, self._clock = sleep, clock

    # --- the task ----------------------------------------------------------------------

    def generate(self, request: ImageRequest) -> ImageResult:
        hook = notify_url(request.task_id)
        state = request.memory.state
        grid = state.get("imagine")
        if not grid:
            references = [self._data_url(image.data, image.mime_type) for image in request.images]
            submitted = self.client.imagine(
                prompt=self._prompt(request), images=references, notify_hook=hook
            )
            grid = self._accepted(submitted, "imagine")
            request.remember(imagine=grid)  # before any wait: never submitted twice
        self._wait(request, grid, hook, phase="imagining")
        images: list[GeneratedImage] = []
        count = max(1, min(request.count, 4))
        for index in range(1, count + 1):
            key = f"upscale-{index}"
            job = state.get(key)
            if not job:
                submitted = self.client.change(
                    task_id=grid, action="UPSCALE", index=index, notify_hook=hook
                )
                job = self._accepted(submitted, f"upscale U{index}")
                request.remember(**{key: job})
            done = self._wait(request, job, hook, phase="upscaling", step=index, steps=count)
            images.append(self._image(done))  # at once: Discord's links expire
        return ImageResult(images=tuple(images), model=f"midjourney:{grid}")

    def _prompt(self, request: ImageRequest) -> str:
        words = " ".join(request.prompt.split())
        extra = []
        if request.aspect_ratio and "--ar" not in words:
            extra.append(f"--ar {request.aspect_ratio}")
        if self.parameters:
            extra.append(self.parameters)
        return " ".join([words, *extra])

    @staticmethod
    def _data_url(data: bytes, mime: str) -> str:
        return f"data:{mime};base64,{base64.b64encode(data).decode()}"

    def _accepted(self, submitted: Submitted, what: str) -> str:
        """The job id of an accepted submission; a ProviderError for a refusal."""
        if submitted.code in (1, 21, 22) and submitted.result:
            return submitted.result
        if submitted.code == 24:
            word = submitted.properties.get("bannedWord") or ""
            raise ProviderError(
                "Midjourney refused the prompt"
                + (f": it contains the banned word {word!r}." if word else "."),
                permanent=True,
                code="content_blocked",
                provider=NAME,
                detail=f"midjourney-proxy code 24 on {what}: {submitted.description}",
            )
        if submitted.code == 23:  # its queue is full: later
            raise ProviderError(
                "Midjourney is busy; the task will be tried again.",
                code="rate_limited",
                provider=NAME,
                retry_after=30.0,
                detail=f"midjourney-proxy code 23 (queue full) on {what}",
            )
        raise ProviderError(
            f"Midjourney did not accept the {what}: {submitted.description or submitted.code}.",
            permanent=submitted.code in (3, 4),
            code="invalid_request" if submitted.code == 4 else "provider_error",
            provider=NAME,
            detail=f"midjourney-proxy code {submitted.code}: {submitted.description}",
        )

    # --- waiting: notices first, polls as the fallback ---------------------------------

    def _wait(self, request: ImageRequest, job: str, hook: str, *, phase: str, **step) -> dict:
        started = self._clock()
        deadline = started + self.timeout
        next_poll = started + self.poll_seconds if hook else started
        latest: dict = {}
        shown = None
        while True:
            notice = request.notices().get(job)
            if isinstance(notice, dict) and self._newer(notice, latest):
                latest = notice
            if latest.get("status") not in FINAL and self._clock() >= next_poll:
                polled = self.client.fetch(job)  # a failure raises: the retry resumes
                if polled is None:
                    raise ProviderError(
                        "midjourney-proxy no longer knows this Midjourney job.",
                        permanent=True,
                        code="job_lost",
                        provider=NAME,
                        detail=f"GET /mj/task/{job}/fetch answered nothing (a restarted proxy?)",
                    )
                if self._newer(polled, latest):
                    latest = polled
                next_poll = self._clock() + self.poll_seconds
            status = latest.get("status")
            percent = _percent(latest)
            if percent is not None and percent != shown:
                shown = percent
                request.progress(phase, **(step or {"step": percent, "steps": 100}))
            if status == "SUCCESS":
                return latest
            if status == "FAILURE":
                raise self._failure(latest)
            if self._clock() >= deadline:
                raise ProviderError(
                    f"Midjourney did not finish within {self.timeout:g} seconds.",
                    code="timeout",
                    provider=NAME,
                    detail=f"job {job} was {status or 'not started'} ({latest.get('progress')})",
                )
            self._sleep(NOTICE_SECONDS if hook else min(NOTICE_SECONDS, self.poll_seconds))

    @staticmethod
    def _newer(candidate: dict, latest: dict) -> bool:
        rank = ORDER.get(str(candidate.get("status")), -1)
        was = ORDER.get(str(latest.get("status")), -1)
        return rank > was or (rank == was and (_percent(candidate) or 0) >= (_percent(latest) or 0))

    @staticmethod
    def _failure(task: dict) -> ProviderError:
        reason = str(task.get("failReason") or "no reason given")
        blocked = any(word in reason.lower() for word in _BLOCKED_WORDS)
        return ProviderError(
            f"Midjourney failed: {reason}",
            permanent=True,
            code="content_blocked" if blocked else "provider_error",
            provider=NAME,
            detail=f"job {task.get('id')} ({task.get('action')}) failed: {reason}",
        )

    def _image(self, task: dict) -> GeneratedImage:
        url = task.get("imageUrl")
        if not url:
            raise ProviderError(
                "Midjourney finished without an image.", permanent=True, code="no_image"
            )
        data = self.client.download(url)
        mime = image_mime_type(data)
        if mime not in RESULT_MIME_TYPES:
            raise ProviderError(
                "Midjourney's image could not be read.",
                code="malformed_response",
                provider=NAME,
                detail=f"{url} gave {len(data)} bytes that are not PNG, JPEG or WebP",
            )
        return GeneratedImage(data=data, mime_type=mime)
