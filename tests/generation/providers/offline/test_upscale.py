"""Upscaling: resampling (Lanczos and edge-aware sharpening), strip by strip so results up to
8,192 px stay memory-bounded, closer to the original than Lanczos, and said to be resampling."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generation.providers.offline import upscale

from . import samples
from .photos import pixels, request


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return 10 * np.log10(255**2 / np.mean((a.astype(np.float64) - b) ** 2))


@pytest.mark.parametrize("name", ["astronaut", "coffee"])
def test_a_large_result_made_in_strips_beats_lanczos(name):
    """At 2x to more than 1,024 x 1,024 px, the strips path runs (not one piece); it is as close to
    the original as the one-piece resample, and closer than plain Lanczos."""
    photo = samples.photo(name)
    mirrored = np.hstack([photo, photo[:, ::-1], photo])  # a wide photo, seamless
    original = np.vstack([mirrored, mirrored[::-1]])
    h, w = (s // 2 * 2 for s in original.shape[:2])
    original = np.ascontiguousarray(original[:h, :w])
    assert h * w > upscale.STRIP * upscale.STRIP * 4  # the strips path
    small = cv2.resize(original, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    alpha = np.full(small.shape[:2], 200, np.uint8)
    (rgb, grown_alpha, none), factor, method = upscale.upscale([small, alpha, None], 2)
    assert (factor, method, none) == (2.0, "sharp-lanczos", None)
    assert rgb.shape == original.shape and grown_alpha.shape == original.shape[:2]
    assert (grown_alpha == 200).all()
    lanczos = cv2.resize(small, (w, h), interpolation=cv2.INTER_LANCZOS4)
    assert psnr(rgb, original) > psnr(lanczos, original) + 0.05
    whole = upscale._sharpen_strip(lanczos, 0.55 * 2)  # the one-piece result
    assert np.abs(rgb.astype(int) - whole).max() <= 3


def test_the_long_side_goes_up_to_8192_px():
    """A strip of a photo asked for 20,000 px: 8,192 px long (and quick: the sharpening's
    blur stops growing beyond 4x)."""
    strip = np.ascontiguousarray(samples.photo("astronaut")[250:252, ::12])  # 2 x 43 px
    (rgb,), factor, _ = upscale.upscale([strip], target=20_000)
    assert max(rgb.shape[:2]) == rgb.shape[1] == upscale.MAX_UPSCALED_SIDE == 8192
    assert factor == pytest.approx(8192 / strip.shape[1])
    assert rgb.std() > 10  # the photo's colours, stretched


def test_the_result_says_it_is_resampling(editor):
    result = editor.generate(request("upscale 2x", samples.image("chelsea")))
    assert result.model.endswith("sharp-lanczos-x2")
    assert "resampling" in result.text
    assert pixels(result.images[0].data).shape[:2] == (600, 902)
