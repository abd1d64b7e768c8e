"""Upscaling: resampling (Lanczos and edge-aware sharpening), strip by strip so results up to
8,192 px stay memory-bounded, closer to the original than Lanczos, and said to be resampling."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from catalogue.providers.offline import upscale

from . import samples
from .photos import pixels, request


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return 10 * np.log10(255**2 / np.mean((a.astype(np.float64) - b) ** 2))


@pytest.mark.parametrize("size", [(3000, 3000), (3001, 2999)])
def test_strips_resampled_from_their_own_rows_match_one_piece(size):
    """Beyond ``ONE_PIECE`` pixels each strip is resampled from the source rows it needs:
    the same pixels as ``cv2.resize`` in one piece (within rounding), seams included."""
    photo = cv2.resize(samples.photo("astronaut"), (1500, 1500), interpolation=cv2.INTER_CUBIC)
    whole = cv2.resize(photo, size, interpolation=cv2.INTER_LANCZOS4)
    steps = range(0, size[1], upscale.STRIP)
    strips = np.vstack(
        [upscale._resized_rows(photo, size, t, min(size[1], t + upscale.STRIP)) for t in steps]
    )
    difference = np.abs(strips.astype(int) - whole)
    assert difference.max() <= 2 and difference.mean() < 0.1


@pytest.mark.parametrize("name", ["astronaut", "coffee"])
def test_upscaling_beats_lanczos_and_resizes_every_plane(name):
    original = samples.photo(name)
    h, w = (s // 2 * 2 for s in original.shape[:2])
    original = np.ascontiguousarray(original[:h, :w])
    small = cv2.resize(original, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    alpha = np.full(small.shape[:2], 200, np.uint8)
    (rgb, grown_alpha, none), factor, method = upscale.upscale([small, alpha, None], 2)
    assert (factor, method, none) == (2.0, "sharp-lanczos", None)
    assert rgb.shape == original.shape and grown_alpha.shape == original.shape[:2]
    assert (grown_alpha == 200).all()
    lanczos = cv2.resize(small, (w, h), interpolation=cv2.INTER_LANCZOS4)
    assert psnr(rgb, original) > psnr(lanczos, original) + 0.05


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
