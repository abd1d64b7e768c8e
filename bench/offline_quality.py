"""Benchmark: the offline editor's picture quality on composites whose truth is known.

Run with ``python bench/offline_quality.py [--code ROOT] [--label after] [--sheets DIR]``.
``--code`` imports the editor from another checkout (e.g. an older commit exported with
``git archive``), so the same composites measure the code before and after a change.

* removal: an object with a known mask is pasted onto one of scikit-image's public-domain
  photos and "remove this" is asked at a click on it; the error is the mean absolute
  difference (0..255) inside the object's region against the clean photo, and the PSNR there;
* cut-out: a subject with a known alpha (thin structures included: spokes, handlebars,
  whiskers) is pasted onto a defocused photo and "remove the background" is asked; the
  intersection-over-union of alpha > 0.5, and the share of the thin structures kept;
* upscale: a photo is shrunk by the factor (area average) and "upscale Nx" is asked; the
  PSNR against the original, beside plain Lanczos.

With ``--sheets DIR`` each run saves its results under ``DIR/<label>/``; when a run labelled
``before`` is there too, side-by-side sheets (input, before, after, truth) are written to
``DIR/sheet-<kind>.png``.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def photo(name: str) -> np.ndarray:
    from skimage import data

    return np.ascontiguousarray(getattr(data, name)()[..., :3])


def backdrop(name: str) -> np.ndarray:
    """A 600 x 450 background without a subject of its own, slightly out of focus:
    scikit-image's grass, brick or gravel texture, tinted."""
    from skimage import data

    grey = getattr(data, name)().astype(np.float32)[:384, :512] / 255
    tint = {"grass": (90, 160, 70), "brick": (190, 110, 90), "gravel": (150, 135, 115)}[name]
    image = cv2.resize(grey[..., None] * np.array(tint, np.float32) * 1.4, (600, 450))
    return cv2.GaussianBlur(image.clip(0, 255).astype(np.uint8), (0, 0), 1.5)


def _fur(size: tuple[int, int]) -> np.ndarray:
    cat = photo("chelsea")[40:260, 120:340]
    return cv2.resize(cat, size, interpolation=cv2.INTER_AREA)


def ball(side: int) -> tuple[np.ndarray, np.ndarray]:
    """A shaded red ball: (RGB, alpha 0..1)."""
    yy, xx = np.mgrid[:side, :side].astype(np.float32)
    r = side / 2 - 1
    d = np.hypot(xx - side / 2, yy - side / 2) / r
    alpha = np.clip((1 - d) * r, 0, 1)
    light = np.clip(1.2 - np.hypot(xx - side * 0.35, yy - side * 0.35) / side, 0.2, 1.2)
    rgb = np.stack([220 * light, 40 * light, 50 * light], -1)
    return np.clip(rgb, 0, 255).astype(np.uint8), alpha


def horse(side: int, lines: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """scikit-image's horse silhouette in the cat's fur; with ``lines``, thin reins and a
    whip (2 px and 1 px wide) as the thin structures."""
    from skimage import data

    shape = (~data.horse()).astype(np.uint8) * 255
    h = round(side * shape.shape[0] / shape.shape[1])
    alpha = cv2.resize(shape, (side, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    rgb = _fur((side, h))
    if lines:
        thin = np.zeros((h, side), np.uint8)
        cv2.line(thin, (int(side * 0.82), int(h * 0.18)), (int(side * 0.45), int(h * 0.45)), 255, 2)
        cv2.line(thin, (int(side * 0.45), int(h * 0.45)), (int(side * 0.2), int(h * 0.05)), 255, 1)
        alpha = np.maximum(alpha, thin / 255.0)
        rgb[thin > 0] = (30, 25, 20)
    return rgb, alpha


def bicycle(side: int) -> tuple[np.ndarray, np.ndarray]:
    """Two wheels with 1 px spokes, a 3 px frame and handlebars: (RGB, alpha)."""
    h = round(side * 0.62)
    a = np.zeros((h, side), np.uint8)
    r = round(side * 0.2)
    wheels = [(r + 4, h - r - 4), (side - r - 4, h - r - 4)]
    for cx, cy in wheels:
        cv2.circle(a, (cx, cy), r, 255, 5, cv2.LINE_AA)
        for k in range(12):
            t = k * math.pi / 6
            cv2.line(a, (cx, cy), (cx + round(r * math.cos(t)), cy + round(r * math.sin(t))), 255)
    (x0, y0), (x1, _) = wheels
    seat, bar = (round(side * 0.42), round(h * 0.3)), (round(side * 0.7), round(h * 0.22))
    for p, q in [((x0, y0), seat), (seat, (x1 - r // 2, y0)), ((x0, y0), (x1 - r // 2, y0))]:
        cv2.line(a, p, q, 255, 3, cv2.LINE_AA)
    cv2.line(a, (x1, y0), bar, 255, 3, cv2.LINE_AA)
    cv2.line(a, (bar[0] - side // 12, bar[1] - 4), (bar[0] + side // 14, bar[1] + 2), 255, 2)
    cv2.line(a, (seat[0] - side // 20, seat[1]), (seat[0] + side // 20, seat[1]), 255, 6)
    rgb = np.zeros((h, side, 3), np.uint8)
    rgb[:] = (20, 60, 160)
    return rgb, a.astype(np.float32) / 255


def rimmed(side: int) -> tuple[np.ndarray, np.ndarray]:
    """A dark shaded dome with a white rim across its top, like the astronaut's helmet: the
    network joins it to what is around it, and the rim alone has the clicked colour."""
    rgb, alpha = ball(side)
    grey = rgb.astype(np.float32).mean(-1, keepdims=True).repeat(3, -1)
    rgb = (grey * 0.25).astype(np.uint8)
    rgb[: side // 4] = 235
    return rgb, alpha


def pale(obj: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The object in light greys, as faint to the saliency network as a white model on a pale
    wall (the shuttle beside the astronaut)."""
    rgb, alpha = obj
    grey = rgb.astype(np.float32).mean(-1, keepdims=True)
    return np.clip(150 + grey * 0.4, 0, 255).repeat(3, -1).astype(np.uint8), alpha


def paste(back: np.ndarray, obj: tuple, centre: tuple[float, float]) -> tuple:
    """(composite, alpha of the object over the whole photo, the object's centre in pixels)."""
    rgb, alpha = obj
    h, w = alpha.shape
    bh, bw = back.shape[:2]
    x, y = round(centre[0] * bw - w / 2), round(centre[1] * bh - h / 2)
    full = np.zeros((bh, bw), np.float32)
    full[y : y + h, x : x + w] = alpha
    layer = back.copy()
    layer[y : y + h, x : x + w] = rgb
    a = full[..., None]
    out = (back * (1 - a) + layer * a + 0.5).astype(np.uint8)
    return out, full, (x + w // 2, y + h // 2)


REMOVALS = {  # name: (photo, object, where its centre goes[, where it is clicked])
    "ball on the table": ("coffee", lambda: ball(70), (0.18, 0.8)),
    "horse in the sky": ("rocket", lambda: horse(110), (0.2, 0.25)),
    "ball on the cat": ("chelsea", lambda: ball(56), (0.25, 0.7)),
    "ball by the astronaut": ("astronaut", lambda: ball(64), (0.1, 0.75)),
    "horse on the coffee": ("coffee", lambda: horse(160), (0.45, 0.5)),  # too big to fill
    "pale horse by the astronaut's head": ("astronaut", lambda: pale(horse(150)), (0.66, 0.25)),
    # clicked on its white rim, 3/8 of its height above its centre
    "rimmed dome on the cat": ("chelsea", lambda: rimmed(90), (0.3, 0.6), -0.375),
}
CUTOUTS = {  # name: (what is behind, subject, its centre)
    "bicycle on grass": ("grass", lambda: bicycle(330), (0.5, 0.55)),
    "bicycle on gravel": ("gravel", lambda: bicycle(330), (0.5, 0.55)),
    "horse with reins on bricks": ("brick", lambda: horse(360, lines=True), (0.5, 0.55)),
    "horse with reins on gravel": ("gravel", lambda: horse(360, lines=True), (0.5, 0.5)),
}
UPSCALES = [("astronaut", 2), ("chelsea", 2), ("coffee", 2), ("rocket", 2), ("astronaut", 4)]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b) ** 2).mean())
    return 10 * math.log10(255**2 / max(mse, 1e-10))


class Editor:
    def __init__(self, code: Path):
        sys.path.insert(0, str(code))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.test")
        import django

        django.setup()
        from catalogue.providers.base import ImageRequest, InputImage, ProviderError, TaskType
        from catalogue.providers.offline.editor import OfflineImageProvider

        self.types = ImageRequest, InputImage, ProviderError, TaskType
        self.provider = OfflineImageProvider()

    def __call__(self, rgb: np.ndarray, text: str, hotspot=None):
        """(RGB, alpha or None, model) or (None, None, the refusal's code)."""
        request_type, input_type, error_type, task_type = self.types
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, "PNG")
        image = input_type(buffer.getvalue(), "image/png", rgb.shape[1], rgb.shape[0])
        fields = {"hotspot": hotspot, "task_type": task_type.HOTSPOT} if hotspot else {}
        request = request_type(prompt="", instruction=text, images=(image,), **fields)
        try:
            result = self.provider.generate(request)
        except error_type as error:
            return None, None, f"refused ({error.code})"
        out = Image.open(io.BytesIO(result.images[0].data))
        alpha = np.asarray(out.getchannel("A")) if out.mode == "RGBA" else None
        return np.asarray(out.convert("RGB")), alpha, result.model


def removals(editor: Editor, save) -> list[dict]:
    rows = []
    for name, (back, obj, centre, *click) in REMOVALS.items():
        clean, thing = photo(back), obj()
        composite, alpha, point = paste(clean, thing, centre)
        if click:  # where on the object it is clicked: a share of its height from its centre
            point = (point[0], point[1] + round(click[0] * thing[1].shape[0]))
        out, _, model = editor(composite, "remove this", hotspot=point)
        region = alpha > 0.02
        row = {"case": name, "region_px": int(region.sum()), "model": model}
        if out is not None:
            diff = np.abs(out.astype(np.float32) - clean)[region]
            row["error"] = float(diff.mean())
            row["psnr"] = psnr(out[region], clean[region])
            rest = ~cv2.dilate(region.astype(np.uint8), np.ones((3, 3)), iterations=80).astype(bool)
            row["changed_far_px"] = int((np.abs(out.astype(int) - composite)[rest] > 2).sum())
        save("removal", name, [composite, out, clean])
        rows.append(row)
    return rows


def cutouts(editor: Editor, save) -> list[dict]:
    rows = []
    for name, (back, obj, centre) in CUTOUTS.items():
        rgb, alpha = obj()
        behind = backdrop(back)
        composite, truth, _ = paste(behind, (rgb, alpha), centre)
        thin_truth = truth - cv2.morphologyEx(truth, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
        thin = thin_truth > 0.5
        out, got, model = editor(composite, "remove the background")
        row = {"case": name, "model": model}
        if got is not None:
            a, t = got > 127, truth > 0.5
            row["iou"] = float((a & t).sum() / max((a | t).sum(), 1))
            row["thin_kept"] = float(a[thin].mean())
            row["alpha_error"] = float(np.abs(got / 255.0 - truth).mean())
            shown = out * (got[..., None] / 255.0) + 255 * (1 - got[..., None] / 255.0)
            truth_image = (truth * 255).astype(np.uint8)
            save("cutout", name, [composite, shown.astype(np.uint8), truth_image])
        rows.append(row)
    return rows


def upscales(editor: Editor, save) -> list[dict]:
    rows = []
    for name, factor in UPSCALES:
        original = photo(name)
        h, w = (s - s % factor for s in original.shape[:2])
        original = np.ascontiguousarray(original[:h, :w])
        small = cv2.resize(original, (w // factor, h // factor), interpolation=cv2.INTER_AREA)
        out, _, model = editor(small, f"upscale {factor}x")
        lanczos = cv2.resize(small, (w, h), interpolation=cv2.INTER_LANCZOS4)
        row = {"case": f"{name} {factor}x", "model": model, "lanczos_psnr": psnr(lanczos, original)}
        if out is not None and out.shape == original.shape:
            row["psnr"] = psnr(out, original)
        save("upscale", f"{name} {factor}x", [lanczos, out, original])
        rows.append(row)
    return rows


def sheets(folder: Path) -> None:
    """input | before | after | truth, one row per case, per kind."""
    for kind in ("removal", "cutout", "upscale"):
        names = sorted(p.name for p in (folder / "after").glob(f"{kind}-*-input.png"))
        rows = []
        for n in names:
            stem = n[: -len("-input.png")]
            cells = [folder / "after" / f"{stem}-input.png", folder / "before" / f"{stem}-out.png"]
            cells += [folder / "after" / f"{stem}-out.png", folder / "after" / f"{stem}-truth.png"]
            images = [
                np.asarray(Image.open(c).convert("RGB")) if c.exists() else None for c in cells
            ]
            h = max(i.shape[0] for i in images if i is not None)
            row = [
                cv2.resize(i, (round(i.shape[1] * h / i.shape[0]), h))
                if i is not None
                else np.full((h, h, 3), 128, np.uint8)
                for i in images
            ]
            rows.append(cv2.resize(np.hstack(row), None, fx=300 / h, fy=300 / h))
        if rows:
            wide = max(r.shape[1] for r in rows)
            rows = [np.pad(r, ((0, 4), (0, wide - r.shape[1]), (0, 0))) for r in rows]
            Image.fromarray(np.vstack(rows)).save(folder / f"sheet-{kind}.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default=str(ROOT), help="the checkout to import the editor from")
    parser.add_argument("--label", default="after")
    parser.add_argument("--sheets", default="")
    parser.add_argument("--json", default="")
    parser.add_argument("--only", default="removal,cutout,upscale")
    args = parser.parse_args()
    editor = Editor(Path(args.code))
    folder = Path(args.sheets) if args.sheets else None

    def save(kind: str, case: str, images: list) -> None:
        if folder is None:
            return
        target = folder / args.label
        target.mkdir(parents=True, exist_ok=True)
        for part, image in zip(("input", "out", "truth"), images, strict=True):
            if image is not None:
                Image.fromarray(image).save(target / f"{kind}-{case.replace(' ', '_')}-{part}.png")

    results = {}
    for kind, run in (("removal", removals), ("cutout", cutouts), ("upscale", upscales)):
        if kind in args.only:
            results[kind] = run(editor, save)
            for row in results[kind]:
                print(
                    kind,
                    json.dumps(
                        {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}
                    ),
                )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if folder is not None and (folder / "before").exists() and (folder / "after").exists():
        sheets(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
