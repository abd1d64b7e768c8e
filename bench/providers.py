"""Providers for the benchmarks, selected by dotted path (``AICEPS_IMAGE_PROVIDER=
bench.providers.RemoteModelStandIn``; workers import it with ``PYTHONPATH`` set to the
repository)."""

from __future__ import annotations

import os
import time

from tests.fakes.providers import InvertImageProvider


class RemoteModelStandIn(InvertImageProvider):
    """A remote image model that answers after ``AICEPS_BENCH_PROVIDER_SECONDS`` (20 s),
    reporting progress four times on the way, as the hosted models do: it holds its worker
    process for the whole time and then inverts the photo."""

    name = "bench-remote-stand-in"
    steps = 4

    def generate(self, request):
        seconds = float(os.environ.get("AICEPS_BENCH_PROVIDER_SECONDS", "20"))
        for step in range(1, self.steps + 1):
            time.sleep(seconds / self.steps)
            request.progress("generating", step=step, steps=self.steps)
        return super().generate(request)
