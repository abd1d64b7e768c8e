"""The local diffusers provider through the service, against the same tiny pipeline called
directly. Run by ``bench/run.py`` in a subprocess (torch stays out of the runner); prints one
JSON object, or ``{"skipped": reason}`` when torch or diffusers is missing.

Service: ``task_create`` + ``task_run`` in this process (SQLite, local storage, the provider
from the registry, the echo prompt writer), i.e. everything a worker does for a task except
the queue hand-off, which the queue benchmark measures. Direct: the img2img pipeline loaded
from the same folder and called with the provider's arguments (64x64, 20 steps at strength
0.6, guidance 7.5). The two alternate call by call; throughput is one over the median time
of a task (or a call).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STEPS, STRENGTH, GUIDANCE, SIDE = 20, 0.6, 7.5, 64


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _missing() -> str | None:
    for name in ("torch", "diffusers", "transformers"):
        if importlib.util.find_spec(name) is None:
            return f"{name} is not installed (the [local] extra)"
    return None


def main(pairs: int = 6, budget_seconds: float = 120.0) -> dict:
    if reason := _missing():
        return {"skipped": reason}
    os.environ["DJANGO_SETTINGS_MODULE"] = "aiceps.settings.test"
    import django

    django.setup()
    import torch
    from diffusers import StableDiffusionImg2ImgPipeline
    from django.core.management import call_command
    from django.test.utils import override_settings
    from PIL import Image

    from accounts.models import User
    from accounts.services import credits_grant
    from catalogue.imaging import read_upload
    from catalogue.providers import registry
    from generation.services import TaskInput, task_create, task_run
    from tests.conftest import make_photo
    from tests.fakes.tiny_diffusers import save_tiny_sd

    workdir = Path(tempfile.mkdtemp(prefix=f"aiceps-bench-diffusers-{os.getpid()}-"))
    model = save_tiny_sd(workdir / "tiny-sd", workdir / "tokenizer")
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench-diffusers", password="bench-pass-1")
    credits_grant(user=user, amount=10_000, note="benchmark")
    photo = make_photo(SIDE, SIDE, fmt="PNG")
    image = read_upload(photo)

    direct = StableDiffusionImg2ImgPipeline.from_pretrained(str(model), local_files_only=True)
    direct.set_progress_bar_config(disable=True)
    source = Image.open(__import__("io").BytesIO(photo)).convert("RGB")

    def call_direct(i: int) -> None:
        direct(
            prompt=f"make it snowy {i}",
            image=source,
            strength=STRENGTH,
            num_inference_steps=STEPS,
            guidance_scale=GUIDANCE,
            generator=torch.Generator("cpu").manual_seed(i),
        )

    overrides = {
        "AICEPS_PROMPT_WRITER": "tests.fakes.providers.EchoPromptWriter",
        "AICEPS_IMAGE_PROVIDER": "diffusers",
        "AICEPS_DIFFUSERS_MODEL": str(model),
        "AICEPS_DIFFUSERS_DEVICE": "cpu",
        "AICEPS_DIFFUSERS_DTYPE": "float32",
        "AICEPS_DIFFUSERS_STEPS": STEPS,
        "AICEPS_DIFFUSERS_STRENGTH": STRENGTH,
        "AICEPS_DIFFUSERS_GUIDANCE": GUIDANCE,
        "AICEPS_DIFFUSERS_SEED": 1,
        "AICEPS_PROMPT_CACHE_SECONDS": 0,
    }
    with override_settings(**overrides):
        registry.reset()

        def call_service(i: int) -> None:
            data = TaskInput(prompt=f"make it snowy {i}", images=(image,))
            task = task_create(user=user, data=data, enqueue=False).task
            done = task_run(task_id=task.pk)
            if done is None or done.status != "completed":
                raise RuntimeError(f"service task ended {getattr(done, 'status', None)}")

        for name, call in (("service", call_service), ("direct", call_direct)):
            started = time.perf_counter()
            call(-1)  # the service loads the model once, as a worker does on its first task
            _say(f"first {name} call: {time.perf_counter() - started:.2f} s")
        timings: dict[str, list[float]] = {"service": [], "direct": []}
        deadline = time.monotonic() + budget_seconds
        for i in range(pairs):  # alternate, so a busy moment of the machine hits both
            if i >= 3 and time.monotonic() > deadline:  # a slow machine: fewer pairs
                break
            for name, call in (("direct", call_direct), ("service", call_service)):
                started = time.perf_counter()
                call(i)
                timings[name].append(time.perf_counter() - started)
            _say(
                f"pair {i}: direct {timings['direct'][-1]:.2f} s, "
                f"service {timings['service'][-1]:.2f} s"
            )
    service = 1 / statistics.median(timings["service"])
    direct_rate = 1 / statistics.median(timings["direct"])
    return {
        "service_per_second": service,
        "direct_per_second": direct_rate,
        "ratio": service / direct_rate,
        "pairs": len(timings["direct"]),
        "torch_threads": torch.get_num_threads(),
    }


if __name__ == "__main__":
    try:
        print(json.dumps(main()))
    finally:  # the tiny model and its tokenizer (8 MB a run), the test settings' database
        for folder in Path(tempfile.gettempdir()).glob(f"aiceps-bench-diffusers-{os.getpid()}-*"):
            shutil.rmtree(folder, ignore_errors=True)
        settings_folder = getattr(sys.modules.get("aiceps.settings.test"), "_TMP", None)
        if settings_folder is not None:
            shutil.rmtree(settings_folder, ignore_errors=True)
