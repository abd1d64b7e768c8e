"""Providers for tests and benchmarks, selected by dotted path in settings.

They do real (tiny) work: the image provider inverts the photo, so its result always differs
from the input and a test can check the exact pixels that came back.
"""

from __future__ import annotations

import io
import threading
import time

from PIL import Image, ImageOps

from catalogue.providers.base import (
    Capabilities,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    ImageResult,
    PromptRequest,
    PromptResult,
    PromptWriter,
    ProviderError,
    TaskType,
)


class EchoPromptWriter(PromptWriter):
    name = "echo-writer"
    calls = 0
    lock = threading.Lock()

    def write(self, request: PromptRequest) -> PromptResult:
        with EchoPromptWriter.lock:
            EchoPromptWriter.calls += 1
        return PromptResult(
            prompt=f"Professional prompt: {request.instruction}", model="echo-1", tokens_used=7
        )


def invert(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    buffer = io.BytesIO()
    ImageOps.invert(image).save(buffer, format="PNG")
    return buffer.getvalue()


class InvertImageProvider(ImageProvider):
    name = "invert"
    capabilities = Capabilities(edit=True, text_to_image=True, mask=True, max_input_images=4)
    delay_seconds = 0.0

    def generate(self, request: ImageRequest) -> ImageResult:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if not request.images:
            image = Image.new("RGB", (64, 64), (10, 200, 30))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            data = buffer.getvalue()
        else:
            data = invert(request.images[0].data)
        images = tuple(GeneratedImage(data, "image/png") for _ in range(max(request.count, 1)))
        return ImageResult(images=images, model="invert-1", tokens_used=3)


class SlowInvertImageProvider(InvertImageProvider):
    """A stand-in for a remote model that takes a second."""

    name = "slow-invert"
    delay_seconds = 1.0


class FailingImageProvider(ImageProvider):
    name = "failing"
    capabilities = Capabilities(edit=True, text_to_image=True, max_input_images=4)

    def generate(self, request: ImageRequest) -> ImageResult:
        raise ProviderError("The model refused.", permanent=True, code="content_blocked")


class EditOnlyImageProvider(InvertImageProvider):
    name = "edit-only"
    capabilities = Capabilities(edit=True, text_to_image=False, mask=False, max_input_images=1)


class RecordingImageProvider(InvertImageProvider):
    """Inverts, and keeps the last request it was given (for what the pipeline sent)."""

    name = "recording"
    last: ImageRequest | None = None

    def generate(self, request: ImageRequest) -> ImageResult:
        RecordingImageProvider.last = request
        return super().generate(request)


class PidWritingImageProvider(InvertImageProvider):
    """A slow model that writes its worker's pid to ``$AICEPS_TEST_PID_FILE`` as it starts,
    so a test can kill exactly the process running the task. Its call takes
    ``$AICEPS_TEST_MODEL_SECONDS`` (8 s unless set; ``tests.fakes.worker.FaultTimings``)."""

    name = "pid-writing"
    delay_seconds = 8.0

    def generate(self, request: ImageRequest) -> ImageResult:
        import os

        self.delay_seconds = float(os.environ.get("AICEPS_TEST_MODEL_SECONDS", self.delay_seconds))
        path = os.environ.get("AICEPS_TEST_PID_FILE")
        if path:
            with open(path, "a") as handle:
                handle.write(f"{os.getpid()}\n")
        return super().generate(request)


class OneImageProvider(InvertImageProvider):
    """Promises up to four images a task and delivers one: the undelivered are refunded."""

    name = "one-image"

    def generate(self, request: ImageRequest) -> ImageResult:
        result = super().generate(request)
        return ImageResult(images=result.images[:1], model=result.model, tokens_used=3)


class FlakyImageProvider(InvertImageProvider):
    """An upstream that answers 503 every time (a transient failure, retried, then given up)."""

    name = "flaky"
    calls = 0

    def generate(self, request: ImageRequest) -> ImageResult:
        FlakyImageProvider.calls += 1
        raise ProviderError("Upstream 503", code="server_error")


class FailingPromptWriter(PromptWriter):
    name = "failing-writer"

    def write(self, request: PromptRequest) -> PromptResult:
        raise ProviderError("Writer timed out", code="timeout")


class SloppyPrimitivesProvider(InvertImageProvider):
    """Claims every task type, the editing primitives included, and answers them carelessly:
    the whole photo inverted at half its size (a model that changes pixels outside the mask,
    ignores the canvas and the asked scale), so tests see what the pipeline makes true."""

    name = "sloppy-primitives"
    capabilities = Capabilities(
        edit=True,
        text_to_image=True,
        mask=True,
        max_input_images=4,
        task_types=frozenset(TaskType),
    )
    seen: list[ImageRequest] = []

    def generate(self, request: ImageRequest) -> ImageResult:
        SloppyPrimitivesProvider.seen.append(request)
        image = Image.open(io.BytesIO(invert(request.images[0].data)))
        half = image.resize((max(1, image.width // 2), max(1, image.height // 2)))
        buffer = io.BytesIO()
        half.save(buffer, format="PNG")
        return ImageResult(images=(GeneratedImage(buffer.getvalue(), "image/png"),), model="s-1")
