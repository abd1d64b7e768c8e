"""Textures laid over the whole photo: canvas weave, wood grain, brushed metal, cracked paint
and aged paper, the photo editor's texture presets.

Each texture is drawn in code (seeded noise, so the same photo gives the same result) as a
relief and a tone, then laid over the photo: the relief lit from the upper left and blended
in "overlay" so the photo's light and colour stay readable through it, the tone multiplied
(wood's dark grain, paper's stains, the dark layer in the cracks). Drawn at most ``WORK`` px
on the long side, then scaled to the photo.
"""

from __future__ import annotations

import cv2
import numpy as np

from .painting import _noise

WORK = 1024
KINDS = ("canvas", "wood", "metal", "cracks", "paper")


def _canvas(h: int, w: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    period = max(4.0, min(h, w) / 110)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    wobble = _noise((h, w), period * 6, seed) * period * 0.25
    warp = np.sin((x + wobble) * np.pi / period)
    weft = np.sin((y - wobble) * np.pi / period)
    over = np.where(np.sin(x * np.pi / (2 * period)) * np.sin(y * np.pi / (2 * period)) > 0, 1, -1)
    relief = 0.5 * (np.abs(warp) * (over > 0) + np.abs(weft) * (over < 0))
    relief += 0.15 * _noise((h, w), 1.5, seed + 1)
    tone = 1 - 0.06 * (1 - relief)
    return relief, tone


def _wood(h: int, w: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    scale = min(h, w)
    bend = _noise((h, w), scale / 2.5, seed) * scale * 0.12 + _noise((h, w), scale / 10, seed + 1)
    rings = np.sin((y + bend * 4 + 0.08 * x) * 2 * np.pi / (scale / 14))
    fibre = _noise((h, w), 2.0, seed + 2)
    fibre = cv2.GaussianBlur(fibre, (0, 0), sigmaX=scale / 40, sigmaY=0.7)
    fibre /= max(float(np.abs(fibre).max()), 1e-6)
    relief = 0.5 + 0.35 * rings + 0.25 * fibre
    tone = 0.62 + 0.18 * (rings > 0.55) * -1 + 0.12 * fibre + 0.1 * rings
    return relief, np.clip(tone, 0.35, 1.0)


def _metal(h: int, w: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    streaks = np.random.default_rng(seed).standard_normal((h, w)).astype(np.float32)
    streaks = cv2.GaussianBlur(streaks, (0, 0), sigmaX=max(8.0, w / 25), sigmaY=0.6)
    streaks /= max(float(np.abs(streaks).max()), 1e-6)
    y = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    x = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    sheen = np.exp(-((x * 0.6 + y * 0.9) ** 2) * 2.5)  # a soft diagonal highlight
    relief = 0.5 + 0.5 * streaks
    tone = 0.8 + 0.25 * sheen + 0.06 * streaks
    return relief, tone


def _cracks(h: int, w: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    count = max(40, int(h * w / 2500))
    points = np.stack([rng.uniform(0, w, count), rng.uniform(0, h, count)], axis=1)
    subdiv = cv2.Subdiv2D((0, 0, w, h))
    for px, py in points:
        subdiv.insert((float(min(px, w - 1)), float(min(py, h - 1))))
    cells, _ = subdiv.getVoronoiFacetList([])
    lines = np.zeros((h, w), np.uint8)
    jitter = _noise((h, w), min(h, w) / 30, seed + 1)
    for cell in cells:
        cv2.polylines(lines, [np.asarray(cell, np.int32)], True, 255, max(1, min(h, w) // 400))
    lines = cv2.remap(
        lines,
        (np.mgrid[0:h, 0:w][1] + jitter * 4).astype(np.float32),
        (np.mgrid[0:h, 0:w][0] + jitter * 4).astype(np.float32),
        cv2.INTER_LINEAR,
    )
    crack = cv2.GaussianBlur(lines.astype(np.float32) / 255.0, (0, 0), 0.8)
    peeled = (_noise((h, w), min(h, w) / 8, seed + 2) > 0.45).astype(np.float32)
    peeled = cv2.GaussianBlur(peeled, (0, 0), 1.0)
    relief = 0.6 - 0.6 * crack + 0.2 * peeled + 0.08 * _noise((h, w), 2.0, seed + 3)
    tone = np.clip(1 - 0.85 * crack - 0.45 * peeled, 0.1, 1.0)  # the darker layer shows
    return relief, tone


def _paper(h: int, w: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    fibres = _noise((h, w), 1.5, seed) * 0.6 + _noise((h, w), 6.0, seed + 1) * 0.4
    stains = np.clip(_noise((h, w), min(h, w) / 5, seed + 2), 0, 1)
    relief = 0.5 + 0.3 * fibres
    tone = np.clip(1 - 0.18 * stains - 0.04 * fibres, 0.6, 1.0)
    return relief, tone


DRAW = {"canvas": _canvas, "wood": _wood, "metal": _metal, "cracks": _cracks, "paper": _paper}
TINT = {"wood": (0.78, 0.55, 0.33), "metal": (0.9, 0.92, 0.95), "paper": (1.0, 0.94, 0.8)}
STRENGTH = {"canvas": 0.55, "wood": 0.6, "metal": 0.75, "cracks": 0.7, "paper": 0.5}


def texture(rgb: np.ndarray, kind: str = "canvas", amount: float = 1.0, seed: int = 13):
    """``rgb`` with the texture ``kind`` laid over it; same size, uint8."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK / max(h, w))
    sh, sw = max(16, round(h * scale)), max(16, round(w * scale))
    relief, tone = DRAW[kind](sh, sw, seed)
    gx = cv2.Sobel(relief.astype(np.float32), cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(relief.astype(np.float32), cv2.CV_32F, 0, 1, ksize=3)
    light = -(gx + gy)
    light = 0.5 + 0.5 * np.clip(light / max(float(np.percentile(np.abs(light), 99)), 1e-4), -1, 1)
    if (sh, sw) != (h, w):
        light = cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR)
        tone = cv2.resize(tone.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    out = np.empty_like(rgb)
    mix = min(1.0, STRENGTH[kind] * amount)
    tint = np.asarray(TINT.get(kind, (1.0, 1.0, 1.0)), np.float32)
    for top in range(0, h, 256):  # a band at a time: bounded memory at 2,048 px and beyond
        rows = slice(top, top + 256)
        photo = rgb[rows].astype(np.float32) / 255.0
        base = photo * tint
        if kind == "metal":  # a metal print: the photo's light on brushed steel, colour muted
            grey = base.mean(axis=2, keepdims=True)
            base = grey + 0.45 * (base - grey)
        base *= tone[rows, :, None]
        lit = light[rows, :, None]
        overlay = np.where(base < 0.5, 2 * base * lit, 1 - 2 * (1 - base) * (1 - lit))
        blended = photo * (1 - mix) + overlay * mix
        out[rows] = (np.clip(blended, 0, 1) * 255 + 0.5).astype(np.uint8)
    return out
