"""Benchmark: the offline editor, per operation, at 1,024 and 2,048 px, warm and cold.

Run with ``python bench/offline_editor.py [--sizes 1024 2048] [--runs 3] [--only a,b]``.
Each operation and size runs in a fresh subprocess, so the figures are isolated:

* ``cold``: the first ``generate()`` in that process (model sessions built, caches empty),
  after Django and the editor were imported (``import`` says how long that took);
* ``warm``: the median of ``--runs`` further calls in the same process (mattes are not
  reused: each call gets a photo with one pixel changed, so it is segmented again);
* ``cpu``: the CPU seconds of a warm call, all threads together (less sensitive than the
  wall time to other work on the machine);
* ``peak``: the process's peak resident memory (``ru_maxrss``) over all of it; the worker
  imports nothing but Django and the editor (the photos are prepared by the parent).

The photos are scikit-image's public-domain samples (the ``dev`` extra installs it), resized
so the long side is the column's size, and sent as JPEG (quality 92) like the pipeline does;
"upscale 2x" starts from half the column's size, so its output has the column's size.
Without scikit-image, the synthetic portrait from the tests stands in. Targets: warm at most
1 s and peak at most 500 MB at 2,048 px.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S, TARGET_MB = 1.0, 500

# label: (photo, instruction, second photo or None, extra request fields)
OPERATIONS: dict[str, tuple[str, str, str | None, dict]] = {
    "white background": ("astronaut", "把背景换成纯白色", None, {}),
    "cut-out": ("chelsea", "remove the background", None, {}),
    "background image": ("chelsea", "put the cat on the second image", "coffee", {}),
    "Van Gogh style": ("coffee", "梵高风格", None, {}),
    "style of image 2": ("astronaut", "in the style of the second image", "rocket", {}),
    "pencil sketch": ("chelsea", "pencil sketch", None, {}),
    "watercolour": ("rocket", "watercolour", None, {}),
    "ukiyo-e": ("motorcycle_left", "ukiyo-e", None, {}),
    "black and white": ("astronaut", "black and white", None, {}),
    "blur": ("coffee", "blur", None, {}),
    "point blur": ("astronaut", "blur this", None, {"hotspot": (0.06, 0.25)}),
    "point remove": ("astronaut", "remove this", None, {"hotspot": (0.78, 0.84)}),  # the helmet
    # the shuttle's white orbiter: two looks (the first sees nothing under it, the smaller
    # window sees the orbiter; a wider window would hold the first, so no third)
    "point recolour": ("astronaut", "make this red", None, {"hotspot": (0.77, 0.29)}),
    "crop to square": ("coffee", "crop to a square", None, {}),
    "upscale 2x": ("chelsea", "upscale 2x", None, {"half": True}),
}


def photo(name: str, size: int):
    import numpy as np
    from PIL import Image

    try:
        from skimage import data

        rgb = data.stereo_motorcycle()[0] if name == "motorcycle_left" else getattr(data, name)()
        image = Image.fromarray(np.ascontiguousarray(rgb[..., :3]))
    except ImportError:
        from tests.catalogue.providers.offline.photos import portrait_image

        image = portrait_image(512)
    scale = size / max(image.size)
    return image.resize(
        (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
    )


def prepare(label: str, size: int, folder: Path) -> list[str]:
    """JPEG files for one operation: the first photo, and the second where it takes one."""
    import numpy as np

    name, _, second, extra = OPERATIONS[label]
    first = photo(name, size // 2 if extra.get("half") else size)
    paths = []
    for index, image in enumerate([first, *([photo(second, size)] if second else [])]):
        path = folder / f"{label.replace(' ', '_')}-{size}-{index}.npy"
        np.save(path, np.asarray(image))
        paths.append(str(path))
    return paths


def worker(label: str, size: int, runs: int, paths: list[str]) -> dict:
    """Runs in the subprocess, which imports only Django and the editor: cold, then warm."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.test")
    import django

    django.setup()
    import numpy as np
    from PIL import Image

    from catalogue.providers.base import ImageRequest, InputImage, TaskType
    from catalogue.providers.offline.editor import OfflineImageProvider

    editor = OfflineImageProvider()
    imported = time.perf_counter() - started
    _, text, _, extra = OPERATIONS[label]
    pictures = [np.load(p) for p in paths]
    fields = {}
    if "hotspot" in extra:
        fx, fy = extra["hotspot"]
        h, w = pictures[0].shape[:2]
        fields = {"hotspot": (round(fx * w), round(fy * h)), "task_type": TaskType.HOTSPOT}

    def encoded(pixels: np.ndarray, tweak: int) -> InputImage:
        pixels = pixels.copy()
        pixels[:8, :8] = (pixels[:8, :8].astype(np.int16) + 5 * tweak) % 256  # a new photo
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, "JPEG", quality=92)
        return InputImage(buffer.getvalue(), "image/jpeg", pixels.shape[1], pixels.shape[0])

    def call(tweak: int):
        images = (encoded(pictures[0], tweak), *(encoded(p, 0) for p in pictures[1:]))
        request = ImageRequest(prompt="", instruction=text, images=images, **fields)
        start, cpu = time.perf_counter(), time.process_time()
        result = editor.generate(request)
        return time.perf_counter() - start, time.process_time() - cpu, result

    cold, _, result = call(0)
    warm, warm_cpu = [], []
    for i in range(runs):
        elapsed, cpu, result = call(i + 1)
        warm.append(elapsed)
        warm_cpu.append(cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out_size = Image.open(io.BytesIO(result.images[0].data)).size
    h, w = pictures[0].shape[:2]
    return {
        "label": label,
        "size": size,
        "input": f"{w}x{h}",
        "output": f"{out_size[0]}x{out_size[1]}",
        "import_s": imported,
        "cold_s": cold,
        "warm_s": statistics.median(warm),
        "warm_cpu_s": statistics.median(warm_cpu),
        "peak_mb": peak,
        "model": result.model,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated labels")
    parser.add_argument("--json", default="", help="also write the raw figures here")
    parser.add_argument("--worker", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        label, size, runs, *paths = args.worker
        print(json.dumps(worker(label, int(size), int(runs), paths)))
        return 0
    labels = [s.strip() for s in args.only.split(",") if s.strip()] or list(OPERATIONS)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AICEPS_LOG_LEVEL": "WARNING"}
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="offline-bench-"))
    print(f"load average {os.getloadavg()[0]:.2f} at the start (other work slows this down)")
    for label in labels:
        for size in args.sizes:
            paths = prepare(label, size, folder)
            done = subprocess.run(
                [sys.executable, __file__, "--worker", label, str(size), str(args.runs), *paths],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                check=False,
            )
            if done.returncode:
                print(f"{label} @ {size}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            report(rows[-1], header=len(rows) == 1)
    shutil.rmtree(folder, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    failing = [r for r in rows if r["size"] >= 2048 and not ok(r)]
    print(f"\n2,048 px targets (warm <= {TARGET_S:g} s, peak <= {TARGET_MB} MB): ", end="")
    print("all met" if not failing else "missed by " + ", ".join(r["label"] for r in failing))
    return 0


def ok(row: dict) -> bool:
    return row["warm_s"] <= TARGET_S and row["peak_mb"] <= TARGET_MB


def report(row: dict, header: bool) -> None:
    if header:
        print(f"{os.cpu_count()} CPUs; seconds per generate(); peak: RSS high-water mark")
        print(
            f"{'operation':<18}{'px':>6}  {'input':>10} {'output':>10}  {'import':>7}"
            f"{'cold':>7}{'warm':>7}{'cpu':>6}{'peak MB':>9}  model"
        )
    print(
        f"{row['label']:<18}{row['size']:>6}  {row['input']:>10} {row['output']:>10}  "
        f"{row['import_s']:>7.2f}{row['cold_s']:>7.2f}{row['warm_s']:>7.2f}"
        f"{row['warm_cpu_s']:>6.2f}{row['peak_mb']:>9.0f}"
        f"  {row['model']}"
    )


if __name__ == "__main__":
    sys.exit(main())
