"""Benchmark: preparing a 24-megapixel JPEG for a model, draft-mode decode versus full decode.

Run with ``python bench/image_preparation.py [runs]``. ``run()`` returns the figures for the
benchmark runner. The photo is synthetic but photo-like (smooth regions, edges, texture and
sensor noise), 6000×4000, saved as JPEG quality 90 with an EXIF block.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.test")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from catalogue import imaging  # noqa: E402

WIDTH, HEIGHT = 6000, 4000
MAX_SIDE = 2048
TARGET_SPEEDUP = 3.0


def make_photo(width: int = WIDTH, height: int = HEIGHT, seed: int = 7) -> bytes:
    """A photo-like JPEG: a smooth colour field, hard-edged shapes, fine texture, noise."""
    rng = np.random.default_rng(seed)
    field = Image.fromarray(rng.integers(30, 225, (height // 250, width // 250, 3), np.uint8))
    base = np.asarray(field.resize((width, height), Image.Resampling.BICUBIC), np.float32)
    y, x = np.ogrid[0:height, 0:width]
    texture = (np.sin(x / 7.0) * np.cos(y / 11.0) * 14.0).astype(np.float32)
    base += texture[..., None]
    for _ in range(40):  # hard edges: rectangles and discs
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        r = int(rng.integers(60, 600))
        colour = rng.integers(0, 255, 3).astype(np.float32)
        if rng.random() < 0.5:
            base[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r] = colour
        else:
            y0, y1, x0, x1 = max(0, cy - r), min(height, cy + r), max(0, cx - r), min(width, cx + r)
            mask = (y[y0:y1] - cy) ** 2 + (x[:, x0:x1] - cx) ** 2 <= r * r
            base[y0:y1, x0:x1][mask] = colour
    base += rng.normal(0.0, 4.0, (height, width, 1)).astype(np.float32)
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"  # Make
    exif[0x0112] = 1  # Orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def full_decode_and_resize(data: bytes, max_side: int = MAX_SIDE) -> tuple[bytes, tuple]:
    """The baseline: decode every pixel, Lanczos-resize to the same size, encode the same way."""
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        scale = max_side / max(im.size)
        size = (
            (max_side, max(1, round(im.height * scale)))
            if im.width >= im.height
            else (max(1, round(im.width * scale)), max_side)
        )
        resized = im.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    return imaging.encode_image(resized, format="JPEG", quality=92), resized.size


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(runs: int = 7) -> dict:
    data = make_photo()
    draft = imaging.prepare_for_model(data, max_side=MAX_SIDE)
    _, full_size = full_decode_and_resize(data)
    draft_ms = _median_ms(lambda: imaging.prepare_for_model(data, max_side=MAX_SIDE), runs)
    full_ms = _median_ms(lambda: full_decode_and_resize(data), runs)
    upload_ms = _median_ms(lambda: imaging.prepare_upload(data, max_side=MAX_SIDE), runs)
    return {
        "source": f"{WIDTH}x{HEIGHT} JPEG",
        "source_bytes": len(data),
        "runs": runs,
        "draft_ms": round(draft_ms, 1),
        "full_ms": round(full_ms, 1),
        "speedup": round(full_ms / draft_ms, 2),
        "target_speedup": TARGET_SPEEDUP,
        "draft_size": (draft.width, draft.height),
        "full_size": full_size,
        "sizes_match": (draft.width, draft.height) == tuple(full_size),
        "prepare_upload_ms": round(upload_ms, 1),
    }


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    r = run(runs)
    print(
        f"Preparing a {r['source']} ({r['source_bytes'] / 1e6:.1f} MB) for a model, "
        f"median of {r['runs']} runs"
    )
    print(f"{'method':<44}{'ms':>9}  output")
    print(
        f"{'prepare_for_model (JPEG draft + bicubic)':<44}{r['draft_ms']:>9.1f}  "
        f"{r['draft_size'][0]}x{r['draft_size'][1]}"
    )
    print(
        f"{'full decode + Lanczos':<44}{r['full_ms']:>9.1f}  "
        f"{r['full_size'][0]}x{r['full_size'][1]}"
    )
    print(f"{'prepare_upload (stored copy + model image)':<44}{r['prepare_upload_ms']:>9.1f}")
    print(
        f"speed-up: {r['speedup']:.2f}x (target >= {r['target_speedup']:g}x); "
        f"output sizes match: {r['sizes_match']}"
    )
    if r["speedup"] < r["target_speedup"]:
        print("note: speed-up below target on this machine", file=sys.stderr)
    if not r["sizes_match"]:
        print("FAIL: the two methods produced different sizes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
