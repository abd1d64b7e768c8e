"""Thin lines leaving the subject that U-2-Net-p does not see: a cat's whiskers over a pale,
out-of-focus background, a stray hair, an antenna.

The network's saliency is smooth at its 320 x 320 input, so a line a pixel or two wide is
gone from it before the matte is made (the ridges :func:`.segment.strands` takes back are
the ones it did see). These are found in the photo itself: a top-hat (the photo minus its
opening) keeps what is brighter and thinner than a small disc, which on a defocused or plain
background is nearly nothing but the lines. Pieces are kept where they are long and thin,
start at the subject (or at a piece that does), and stand out from the top-hat's level
around the subject; their alpha is their strength against the pieces' own. Only where the
background is smooth: on wood, paper or grass every grain is such a line. Dark lines are not
sought: they were mostly the darker strips beside bright whiskers and scratches in paper.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK = 1024  # lines are sought at most this big (long side)
DISC = 60  # the top-hat's disc: the short side over this (odd, at least 5 px)
# Only on a smooth background (out of focus, plain): where more than GRAINY of it, a little
# away from the subject, has a top-hat over GRAIN, every grain of wood or paper is a line
GRAIN, GRAINY = 4.0, 0.15
STRONG, WEAK = 3.0, 1.5  # hysteresis: times the top-hat's 90th percentile there
FLOOR = 6.0  # and at least this (8-bit lightness) for a piece's strongest and mean pixel
STRAIGHT = 0.12  # a piece's spread across over its spread along: whiskers 0.03-0.10
LENGTH = 30  # a piece at least the short side over this long
WIDTH = 3.5  # and at most this many pixels of area per pixel of length
CHAIN = 2  # a piece may start at a piece that starts at the subject, this many times
_KERNEL = np.ones((3, 3), np.uint8)


def _grow(mask: np.ndarray, reach: int) -> np.ndarray:
    """``mask`` (uint8) dilated by a square ``reach`` pixels to each side, in one pass."""
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1,) * 2))


def _spread(labels: np.ndarray, count: int) -> np.ndarray:
    """Per labelled piece, its spread across over its spread along (the square root of the
    ratio of its second moments' eigenvalues): 0 for a straight line, 1 for a disc."""
    ys, xs = np.nonzero(labels)
    which = labels[ys, xs]
    n = np.maximum(np.bincount(which, minlength=count), 1)
    mx, my = np.bincount(which, xs, count) / n, np.bincount(which, ys, count) / n
    dx, dy = xs - mx[which], ys - my[which]
    a, b, c = (np.bincount(which, v, count) / n for v in (dx * dx, dx * dy, dy * dy))
    root = np.sqrt(((a - c) / 2) ** 2 + b * b)
    small, large = (a + c) / 2 - root, (a + c) / 2 + root
    return np.sqrt(np.clip(small, 0, None) / np.maximum(large, 1e-6))


def _pieces(top: np.ndarray, subject: np.ndarray, side: int) -> np.ndarray:
    """The line pixels (bool) in the top-hat ``top``, beside ``subject``."""
    subject8 = subject.astype(np.uint8)
    near = _grow(subject8, max(3, side // 8)) > 0
    around = near & ~subject
    far = near & ~(_grow(subject8, max(3, side // 30)) > 0)
    if not far.any() or (top[far] > GRAIN).mean() > GRAINY:
        return np.zeros(top.shape, bool)
    level = max(float(np.percentile(top[far], 90)), 1.0)
    weak = (top > WEAK * level) & around
    count, labels, stats, _ = cv2.connectedComponentsWithStats(weak.astype(np.uint8), 8)
    which, value = labels[weak], top[weak]
    strongest = np.zeros(count, np.float32)
    np.maximum.at(strongest, which, value)
    area = stats[:, cv2.CC_STAT_AREA]
    mean = np.bincount(which, value, count) / np.maximum(area, 1)
    length = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    line = (
        (strongest > max(STRONG * level, FLOOR))
        & (mean >= FLOOR)
        & (length >= max(8, side // LENGTH))
        & (area <= WIDTH * length)
        & (_spread(labels, count) <= STRAIGHT)
    )
    line[0] = False
    taken = np.zeros(count, bool)
    grown = subject
    for _ in range(CHAIN + 1):
        touching = np.zeros(count, bool)
        touching[labels[cv2.dilate(grown.astype(np.uint8), _KERNEL, iterations=2) > 0]] = True
        new = line & touching & ~taken
        if not new.any():
            break
        taken |= new
        grown = subject | taken[labels]
    return taken[labels]


def add(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``alpha`` (uint8, full size) with the thin lines leaving the subject added."""
    h, w = alpha.shape
    scale = min(1.0, WORK / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    matte = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA) if scale < 1 else alpha
    light = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    side = min(size)
    disc = max(5, (side // DISC) | 1)
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (disc, disc))
    subject = matte > 127
    top = cv2.morphologyEx(light, cv2.MORPH_TOPHAT, element).astype(np.float32)
    pieces = _pieces(top, subject, side)
    if not pieces.any():
        return alpha
    full = float(np.percentile(top[pieces], 90))
    found = np.where(pieces, np.clip(top / max(full, 1.0), 0, 1), 0).astype(np.float32)
    if scale < 1:
        found = cv2.resize(found, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(alpha, (found * 255 + 0.5).astype(np.uint8))
