"""Tone and colour operations on RGB uint8 arrays (H x W x 3); each returns a new array."""

from __future__ import annotations

import cv2
import numpy as np

LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _f(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) / 255.0


def _u8(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _luma(x: np.ndarray) -> np.ndarray:
    return x @ LUMA


def _sigma(rgb: np.ndarray, per: float) -> float:
    return max(0.8, min(rgb.shape[:2]) / per)


def brightness(rgb: np.ndarray, amount: float = 0.25) -> np.ndarray:
    """Gamma curve: +0.25 lifts mid-grey from 50% to about 63% without clipping highlights."""
    gamma = 1.0 / (1.0 + 2.0 * amount) if amount >= 0 else 1.0 - 2.0 * amount
    lut = _u8((np.arange(256, dtype=np.float32) / 255.0) ** gamma)
    return lut[rgb]


def contrast(rgb: np.ndarray, amount: float = 0.3) -> np.ndarray:
    x = _f(rgb)
    pivot = float(_luma(x).mean())
    return _u8((x - pivot) * (1.0 + amount) + pivot)


def saturation(rgb: np.ndarray, amount: float = 0.35) -> np.ndarray:
    x = _f(rgb)
    y = _luma(x)[..., None]
    return _u8(y + (x - y) * max(0.0, 1.0 + amount))


def warmth(rgb: np.ndarray, amount: float = 0.35) -> np.ndarray:
    gains = np.array([1 + 0.22 * amount, 1 + 0.04 * amount, 1 - 0.22 * amount], np.float32)
    return _u8(_f(rgb) * gains)


def sharpness(rgb: np.ndarray, amount: float = 0.8) -> np.ndarray:
    x = _f(rgb)
    blurred = cv2.GaussianBlur(x, (0, 0), _sigma(rgb, 700))
    return _u8(x + amount * (x - blurred))


def blur(rgb: np.ndarray, amount: float = 1.0) -> np.ndarray:
    return cv2.GaussianBlur(rgb, (0, 0), amount * _sigma(rgb, 250))


def denoise(rgb: np.ndarray, amount: float = 1.0) -> np.ndarray:
    strength = 4.0 + 5.0 * amount
    return cv2.fastNlMeansDenoisingColored(rgb, None, strength, strength, 5, 15)


def enhance(rgb: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """Gentle auto levels and local contrast on lightness only, then a little colour and
    crispness. Flat or already punchy photos change little."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    light = lab[..., 0].astype(np.float32) / 255.0
    lo, hi = (float(v) for v in np.percentile(light, (0.5, 99.5)))
    spread, centre = max(hi - lo, 0.6), (lo + hi) / 2  # stretch at most 1.67x, halfway
    light = 0.5 * light + 0.5 * ((light - centre) / spread + 0.5)
    levelled = _u8(light)
    tiles = max(2, min(rgb.shape[:2]) // 128)
    clahe = cv2.createCLAHE(clipLimit=1.0 + 0.5 * amount, tileGridSize=(tiles, tiles))
    lab[..., 0] = cv2.addWeighted(clahe.apply(levelled), 0.4, levelled, 0.6, 0)
    out = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    out = saturation(out, 0.12 * amount)
    return sharpness(out, 0.35 * amount)


def grayscale(rgb: np.ndarray) -> np.ndarray:
    """Exactly neutral: R == G == B for every pixel."""
    y = _u8(_luma(_f(rgb)))
    return np.repeat(y[..., None], 3, axis=2)


_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], np.float32)


def sepia(rgb: np.ndarray, strength: float = 1.0) -> np.ndarray:
    x = _f(rgb)
    toned = x @ _SEPIA.T
    return _u8(x + (toned - x) * strength)


def vintage(rgb: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Faded film: lifted blacks, softer whites, muted and warm-yellow colour."""
    x = _f(rgb)
    y = _luma(x)[..., None]
    faded = y + (x - y) * 0.7
    faded = faded * 0.82 + 0.09
    faded = faded * np.array([1.06, 1.01, 0.86], np.float32) + np.array([0.02, 0.01, 0.0])
    curve = faded + 0.08 * np.sin((faded - 0.5) * np.pi) * 0.5
    return _u8(x + (curve - x) * strength)


PALETTES = {  # (shadow tint, highlight tint)
    "teal_orange": ((-0.084, 0.028, 0.084), (0.084, 0.024, -0.084)),
    "cyberpunk": ((-0.03, -0.02, 0.12), (0.12, -0.05, 0.08)),
}


def cinematic(rgb: np.ndarray, strength: float = 1.0, palette: str = "teal_orange") -> np.ndarray:
    """Split toning (teal shadows and orange highlights by default), a touch more contrast."""
    x = _f(rgb)
    y = _luma(x)[..., None]
    shadows, highlights = (np.array(t, np.float32) for t in PALETTES[palette])
    graded = x + (1.0 - y) * shadows + y * highlights
    graded = (graded - 0.5) * 1.1 + 0.5
    return _u8(x + (graded - x) * strength)


def invert(rgb: np.ndarray) -> np.ndarray:
    return 255 - rgb


def grain(rgb: np.ndarray, amount: float = 1.0, seed: int = 7) -> np.ndarray:
    """Monochrome film grain, strongest in the mid-tones; the same on every channel."""
    h, w = rgb.shape[:2]
    rng = np.random.default_rng(seed)
    small = rng.normal(0.0, 1.0, (max(1, int(h / 1.5)), max(1, int(w / 1.5)))).astype(np.float32)
    noise = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    noise /= max(float(noise.std()), 1e-6)
    x = _f(rgb)
    y = _luma(x)
    weight = 0.35 + 2.6 * y * (1.0 - y)
    return _u8(x + (noise * weight * 0.045 * amount)[..., None])


def vignette(rgb: np.ndarray, amount: float = 1.0) -> np.ndarray:
    h, w = rgb.shape[:2]
    yy, xx = np.ogrid[:h, :w]
    r = np.sqrt(((xx - (w - 1) / 2) / (w / 2)) ** 2 + ((yy - (h - 1) / 2) / (h / 2)) ** 2)
    r = (r / np.sqrt(2)).astype(np.float32)
    t = np.clip((r - 0.35) / 0.65, 0.0, 1.0)
    factor = 1.0 - min(amount, 1.6) * 0.55 * (t * t * (3 - 2 * t))
    return _u8(_f(rgb) * factor[..., None])


def recolor(rgb: np.ndarray, target: tuple[int, int, int]) -> np.ndarray:
    """Give the pixels the target colour's hue and chroma, keeping their own shading."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    goal = cv2.cvtColor(np.array([[target[:3]]], np.uint8), cv2.COLOR_RGB2LAB)[0, 0]
    goal = goal.astype(np.float32)
    light = lab[..., 0]
    lab[..., 0] = light + (goal[0] - float(light.mean())) * 0.6  # towards the target's tone
    lab[..., 1] = goal[1]
    lab[..., 2] = goal[2]
    return cv2.cvtColor(np.clip(lab + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
