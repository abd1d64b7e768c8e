"""The GPU check of the local diffusers provider: one prepared command.

    python bench/gpu_check.py            # full-size models, random weights, one CUDA GPU
    python bench/gpu_check.py --tiny     # the same families with tiny shapes, on the CPU

For each family of ``bench/gpu_models.py`` (SD 1.5, SD-Turbo, InstructPix2Pix, SDXL, SDXL
inpainting, FLUX.1 Kontext, FLUX.1 Fill, Qwen-Image-Edit) it builds the pipeline from its real
configuration with random weights (nothing downloaded, nothing written to disk but a
model_index.json), then times one image through the service
(``DiffusersImageProvider.generate``: the prompt fitted to each text encoder, the pipeline call,
compositing, PNG) and through raw diffusers (the same pipeline called with the same arguments),
alternating, and prints per family and dtype: seconds per image, the service/raw ratio (raw time
over service time; target at least 0.95), the peak GPU memory, and the same through the provider
with model CPU offload. Float16 and bfloat16 on the GPU (FLUX and Qwen: bfloat16 only, they
overflow in float16); float32 on the CPU.

Images are noise (random weights); the work per image is the real models'. Steps are the spec's
(FLUX 8 instead of 28, to fit the budget): seconds per image scale with steps. ``--budget``
seconds (default 420, leaving the last family time to finish within 8 minutes) bounds the run:
a family that would start after it is reported as skipped. ``--json
PATH`` also writes the figures.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INSTRUCTION = "make the sky an orange sunset"


def _say(message: str) -> None:
    print(message, flush=True)


def _photo(side: int):
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (side, side), (90, 130, 180))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, side * 2 // 3, side, side), fill=(60, 90, 40))
    draw.ellipse((side // 3, side // 4, side // 2, side * 5 // 12), fill=(250, 220, 120))
    return im


def _encode(im):
    from catalogue.providers.base import InputImage

    buffer = io.BytesIO()
    im.save(buffer, format="PNG")
    return InputImage(buffer.getvalue(), "image/png", im.width, im.height)


def _mask(side: int):
    from PIL import Image, ImageDraw

    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).rectangle((side // 4, side // 4, side * 3 // 4, side // 2), fill=255)
    return mask


def _request(spec, side: int):
    from catalogue.providers.base import ImageRequest, PromptRequest, TaskType
    from catalogue.providers.offline.template_writer import TemplatePromptWriter

    image = _encode(_photo(side))
    prompt = TemplatePromptWriter().write(PromptRequest(instruction=INSTRUCTION, images=(image,)))
    mask = _encode(_mask(side)) if spec.task == "inpaint" else None
    task = TaskType.INPAINT if spec.task == "inpaint" else TaskType.EDIT
    return ImageRequest(
        prompt=prompt.prompt, instruction=INSTRUCTION, task_type=task, images=(image,), mask=mask
    )


def _raw_kwargs(spec, provider, request, side: int, torch) -> dict:
    """What a diffusers user would pass for the same image: same size, steps, strength."""
    kwargs = {
        "prompt": request.prompt,
        "image": _photo(side),
        "num_inference_steps": spec.steps,
        "guidance_scale": spec.guidance,
        "generator": torch.Generator("cpu").manual_seed(0),
    }
    if spec.key == "instruct-pix2pix":
        kwargs["image_guidance_scale"] = provider.image_guidance
    elif spec.task == "inpaint":
        kwargs.update(mask_image=_mask(side), width=side, height=side, strength=1.0)
    elif "flux" in spec.key:
        kwargs.update(width=side, height=side, max_area=side * side)
    elif spec.key.startswith("qwen"):  # true classifier-free guidance, as the provider runs it
        kwargs.update(width=side, height=side, true_cfg_scale=spec.guidance, negative_prompt=" ")
        kwargs.pop("guidance_scale")
    else:
        kwargs["strength"] = provider.strength
        kwargs["num_inference_steps"] = provider.strength_steps(spec.steps, provider.strength)
    return kwargs


def _timed(call, torch, device: str) -> float:
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    call()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started


def _provider(spec, folder: Path, device: str, side: int, pipe, *, offloaded=False):
    from catalogue.providers.diffusers_local import DiffusersImageProvider

    (folder / "model_index.json").write_text(json.dumps({"_class_name": spec.class_name}))
    p = DiffusersImageProvider(
        str(folder),
        device=device,
        steps=spec.steps,
        guidance=spec.guidance,
        seed=0,
        max_side=side,
        text_to_image_side=side,
    )
    p.adopt(pipe, offloaded=offloaded)
    return p


def measure(
    spec, dtype_name: str, *, tiny: bool, device: str, rounds: int, offload: bool = True
) -> dict:
    import torch

    from bench.gpu_models import build

    dtype = getattr(torch, dtype_name)
    side = spec.tiny_side if tiny else spec.side
    if tiny:
        spec = replace(spec, steps=spec.tiny_steps)
    row = {"family": spec.key, "dtype": dtype_name, "side": side, "steps": spec.steps}
    started = time.perf_counter()
    pipe = build(spec, tiny=tiny, dtype=dtype, device=device)
    row["build_s"] = round(time.perf_counter() - started, 1)
    folder = Path(tempfile.mkdtemp(prefix=f"gpu-check-{spec.key}-"))
    provider = _provider(spec, folder, device, side, pipe)
    request = _request(spec, side)
    raw = _raw_kwargs(spec, provider, request, side, torch)
    with torch.inference_mode():
        pipe(**raw)  # warm-up of both paths (kernels, allocator, lazy set-up)
    provider.generate(request)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    service, direct = [], []
    for _ in range(rounds):
        service.append(_timed(lambda: provider.generate(request), torch, device))
        with torch.inference_mode():
            direct.append(_timed(lambda: pipe(**raw), torch, device))
    row["service_s"] = round(statistics.median(service), 3)
    row["raw_s"] = round(statistics.median(direct), 3)
    row["ratio"] = round(row["raw_s"] / row["service_s"], 3)
    row["prompt_read"] = dict(provider.generate(request).model_prompt) if tiny else None
    if device == "cuda":
        row["peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    if device == "cuda" and offload:
        pipe.to("cpu")
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        pipe.enable_model_cpu_offload()
        offloaded = _provider(spec, folder, device, side, pipe, offloaded=True)
        row["offload_s"] = round(_timed(lambda: offloaded.generate(request), torch, device), 3)
        row["offload_peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    pipe = provider = offloaded = None  # drop the weights before the next family
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return row


def plan(tiny: bool, device: str, families: set[str] | None):
    from bench.gpu_models import SPECS

    for spec in SPECS:
        if families and spec.key not in families:
            continue
        if tiny or device != "cuda":
            dtypes = ["float32"]
        else:
            dtypes = (["float16"] if spec.float16 else []) + ["bfloat16"]
        for dtype in dtypes:
            yield spec, dtype


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny shapes, on the CPU")
    parser.add_argument("--families", default="", help="comma-separated keys (default: all)")
    parser.add_argument(
        "--budget", type=float, default=420.0, help="no family starts after (default 420 s)"
    )
    parser.add_argument("--rounds", type=int, default=0, help="timed images per path")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    import torch

    device = "cuda" if torch.cuda.is_available() and not args.tiny else "cpu"
    if device == "cpu" and not args.tiny:
        # Said before Django and diffusers load: they take seconds to import.
        _say("No CUDA GPU: the full-size check needs one. Run with --tiny on the CPU.")
        raise SystemExit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.test")
    import django

    django.setup()
    from diffusers.utils import logging as diffusers_logging

    from bench.gpu_models import SKIPPED

    logging.getLogger("generation").setLevel(logging.WARNING)
    diffusers_logging.set_verbosity_error()
    if args.tiny:
        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        # Kontext resizes its reference to about a megapixel; with the tiny VAE (factor 1)
        # that is a million tokens. Both paths get the tiny size instead.
        from diffusers.pipelines.flux import pipeline_flux_kontext

        pipeline_flux_kontext.PREFERRED_KONTEXT_RESOLUTIONS = [(32, 32)]
        # Qwen-Image-Edit conditions on its input resized to a megapixel: likewise.
        from diffusers.pipelines.qwenimage import pipeline_qwenimage_edit

        pipeline_qwenimage_edit.calculate_dimensions = lambda area, ratio: (32, 32, None)
    rounds = args.rounds or (1 if args.tiny else 2)
    families = {f.strip() for f in args.families.split(",") if f.strip()} or None
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    _say(f"GPU check on {gpu}, torch {torch.__version__}, {'tiny' if args.tiny else 'full'}")
    started, rows = time.perf_counter(), []
    for spec, dtype in plan(args.tiny, device, families):
        if time.perf_counter() - started > args.budget:
            rows.append({"family": spec.key, "dtype": dtype, "skipped": "over the budget"})
        else:
            try:
                # Offload once per family, in the dtype "auto" picks (float16 where it can).
                offload = dtype == ("float16" if spec.float16 else "bfloat16")
                rows.append(
                    measure(
                        spec, dtype, tiny=args.tiny, device=device, rounds=rounds, offload=offload
                    )
                )
            except Exception as exc:  # one family failing must not hide the others' figures
                rows.append({"family": spec.key, "dtype": dtype, "error": repr(exc)[:300]})
        _say(_line(rows[-1]))
    for key, reason in SKIPPED.items():
        rows.append({"family": key, "skipped": reason})
        _say(_line(rows[-1]))
    _say(f"total {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    return rows


def _line(row: dict) -> str:
    name = f"{row['family']:<17} {row.get('dtype', ''):<9}"
    if "skipped" in row or "error" in row:
        return f"{name} {row.get('skipped') or 'ERROR ' + row['error']}"
    text = (
        f"{name} {row['side']}px {row['steps']:>2} steps  service {row['service_s']:.3f} s/img"
        f"  raw {row['raw_s']:.3f} s/img  ratio {row['ratio']:.3f}"
    )
    if "peak_gib" in row:
        text += f"  peak {row['peak_gib']} GiB"
    if "offload_s" in row:
        text += f"  offload {row['offload_s']:.3f} s/img peak {row['offload_peak_gib']} GiB"
    return text


if __name__ == "__main__":
    main()
