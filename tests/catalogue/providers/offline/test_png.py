"""The editor's PNG encoder: exact round trips, several strips, RGB and RGBA."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from catalogue.providers.offline import png


@pytest.mark.parametrize("shape", [(1, 1), (7, 5), (700, 513)])  # 700 rows: three strips
@pytest.mark.parametrize("with_alpha", [False, True])
def test_round_trip(shape, with_alpha):
    rng = np.random.default_rng(sum(shape))
    rgb = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, shape, dtype=np.uint8) if with_alpha else None
    data = png.encode(rgb, alpha)
    decoded = Image.open(io.BytesIO(data))
    decoded.load()  # checks the CRCs and the zlib stream
    back = np.asarray(decoded)
    assert decoded.mode == ("RGBA" if with_alpha else "RGB")
    assert (back[..., :3] == rgb).all()
    if with_alpha:
        assert (back[..., 3] == alpha).all()


def test_smooth_photos_compress():
    y, x = np.mgrid[:512, :512]
    rgb = np.dstack([x // 2, y // 2, (x + y) // 4]).astype(np.uint8)
    assert len(png.encode(rgb)) < rgb.nbytes / 20
