"""What the offline editor's operations work on: the canvas (pixels, alpha, the user's mask)
and the context one request's operations share (the second photo, the matte, notes, tags)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..base import InputImage
from .decoding import decode


@dataclass
class Canvas:
    rgb: np.ndarray  # H x W x 3 uint8
    alpha: np.ndarray | None = None  # H x W uint8, None when opaque
    mask: np.ndarray | None = None  # H x W uint8, the user's mask

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


@dataclass
class Context:
    # The second photo, decoded when an operation first needs it: after the subject's matte,
    # so its pixels are not held while the network runs.
    second_source: InputImage | None = None
    _second_image: np.ndarray | None = field(default=None, init=False, repr=False)
    matte: np.ndarray | None = None  # uint8, set before the first background operation
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def second_image(self) -> np.ndarray | None:
        """The second photo as RGB uint8 (None when there is none)."""
        if self._second_image is None and self.second_source is not None:
            self._second_image = decode(self.second_source)[0]
        return self._second_image
