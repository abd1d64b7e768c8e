"""``bench/gpu_check.py --tiny`` runs on the CPU, so the GPU check keeps working until a GPU
runs it full-size: every family is built, run through the provider and raw diffusers, timed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.local_models
@pytest.mark.slow
@pytest.mark.long
def test_the_gpu_check_runs_every_family_on_tiny_shapes(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "bench/gpu_check.py", "--tiny", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = {row["family"]: row for row in json.loads(out.read_text())}
    sys.path.insert(0, str(ROOT))
    from bench.gpu_models import SKIPPED, SPECS

    assert set(rows) == {spec.key for spec in SPECS} | set(SKIPPED)
    for spec in SPECS:
        row = rows[spec.key]
        assert "error" not in row and "skipped" not in row, row
        assert row["service_s"] > 0 and row["raw_s"] > 0 and row["ratio"] > 0
        assert row["dtype"] == "float32" and row["side"] == spec.tiny_side
        # What the encoders read: the instruction first, in every family.
        assert all(text.startswith("make the sky") for text in row["prompt_read"].values())
        assert f"{spec.key} " in done.stdout


def test_without_a_gpu_the_full_check_says_what_to_do():
    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the full check would run")
    done = subprocess.run(
        [sys.executable, "bench/gpu_check.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--tiny" in done.stdout


# Published sizes, in millions of parameters (diffusers' and transformers' model cards).
PUBLISHED = {
    "sd-1.5": {"unet": 859.5, "text_encoder": 123.1, "vae": 83.7},
    "sd-turbo": {"unet": 865.9, "text_encoder": 340.4},  # SD 2.1's UNet, OpenCLIP ViT-H
    "instruct-pix2pix": {"unet": 859.5},
    "sdxl": {"unet": 2567.5, "text_encoder": 123.1, "text_encoder_2": 694.7},
    "sdxl-inpainting": {"unet": 2567.5},
    "flux-kontext": {"transformer": 11901.4, "text_encoder_2": 4762.3},  # 12B, T5-XXL
    "flux-fill": {"transformer": 11902.4},
    # Qwen-Image's 20B transformer, Qwen2.5-VL 7B (8.29B with its vision tower), Wan's VAE.
    "qwen-image-edit": {"transformer": 20430.4, "text_encoder": 8292.2, "vae": 126.9},
}


@pytest.mark.local_models
def test_the_full_size_configurations_are_the_published_models():
    """Built on the meta device (no memory, no weights): the shapes the GPU check runs."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    sys.path.insert(0, str(ROOT))
    from bench.gpu_models import SPECS, build

    for spec in SPECS:
        pipe = build(spec, tiny=False, dtype=torch.bfloat16, device="meta")
        for name, millions in PUBLISHED[spec.key].items():
            count = sum(p.numel() for p in getattr(pipe, name).parameters()) / 1e6
            assert abs(count - millions) / millions < 0.002, (spec.key, name, count)
