"""Where a point edit (a click, ``ImageRequest.hotspot``) may change the photo.

A square window around the point (``WINDOW`` of the photo's short side) is segmented with
U-2-Net-p on its own; if the window holds an object under the point (a helmet, a face, a
cup), that object is the region. For removal and recolouring, which need the whole object,
the network looks again where that is not enough (:func:`find_object`): a smaller window
where it saw nothing under the point or joined the clicked thing to another, a wider one
where the object goes on beyond the window. Otherwise (the point is on a wall, or the
network takes the whole window), a disc of ``RADIUS`` of the short side around the point
is. Either way the region, feathering included, stays inside the box looked at last: every
pixel outside it is left exactly as it was."""

from __future__ import annotations

import cv2
import numpy as np

from .segment import fill_holes, saliency

WINDOW = 0.5  # side of the window around the point, as a share of the short side
RADIUS = 0.08  # radius of the fallback disc, as a share of the short side
SMALLEST, LARGEST = 0.005, 0.4  # an object's share of the window
SMALL = 0.4  # the window looked at where the first finds nothing or too much
LARGEST_SMALL = 0.6  # an object's share of that smaller window
DETAIL = 0.25  # a clicked colour under this share of a joined part is a detail of a thing
LARGEST_WINDOW = 0.8  # the most a window grows to hold an object that goes on beyond it
TOLERANCE = 14  # how far (Lab units) the clicked object's colour may stray
WORK = 384  # the object is looked for at most this big
MARGIN = 8  # pixels kept free inside the window's edge for the feathering


def window(size: tuple[int, int], point: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the window around ``point`` in an image of ``size``."""
    w, h = size
    side = min(w, h) if min(w, h) < 64 else max(32, round(min(w, h) * WINDOW))
    x, y = (min(max(int(v), 0), lim - 1) for v, lim in zip(point, (w, h), strict=True))
    left = min(max(x - side // 2, 0), w - side)
    top = min(max(y - side // 2, 0), h - side)
    return left, top, left + side, top + side


def _radius(size: tuple[int, int]) -> int:
    return max(6, round(min(size) * RADIUS))


def disc(size: tuple[int, int], point: tuple[int, int]) -> np.ndarray:
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    cv2.circle(mask, (int(point[0]), int(point[1])), _radius(size), 255, -1)
    return mask


def _same_colour(crop: np.ndarray, allowed: np.ndarray, point: tuple[int, int]) -> np.ndarray:
    """Pixels of about the clicked colour connected to the point, inside ``allowed``."""
    h, w = crop.shape[:2]
    smooth = cv2.GaussianBlur(crop, (0, 0), max(1.0, min(h, w) / 150))
    lab = cv2.cvtColor(smooth, cv2.COLOR_RGB2LAB)
    mask = np.zeros((h + 2, w + 2), np.uint8)
    mask[1:-1, 1:-1] = (~allowed).astype(np.uint8)  # floodFill does not enter non-zero pixels
    tol = (TOLERANCE,) * 3
    flags = 4 | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (2 << 8)
    cv2.floodFill(lab, mask, point, (0, 0, 0), tol, tol, flags)
    return mask[1:-1, 1:-1] == 2


def _box(size: tuple[int, int], centre: tuple[float, float], side: int) -> tuple:
    """(left, top, right, bottom): a square of ``side`` around ``centre``, inside the photo."""
    w, h = size
    side = min(side, w, h)
    left = min(max(round(centre[0] - side / 2), 0), w - side)
    top = min(max(round(centre[1] - side / 2), 0), h - side)
    return left, top, left + side, top + side


def _touches(part: np.ndarray, box: tuple, size: tuple[int, int]) -> bool:
    """Whether ``part`` (at the box's size) reaches an edge of the box that is not the photo's."""
    left, top, right, bottom = box
    m = max(1, part.shape[0] // 64)
    return bool(
        (top > 0 and part[:m].any())
        or (bottom < size[1] and part[-m:].any())
        or (left > 0 and part[:, :m].any())
        or (right < size[0] and part[:, -m:].any())
    )


def _component(crop: np.ndarray, point: tuple[int, int]) -> np.ndarray | None:
    """The network's salient part under ``point`` in ``crop`` (bool), or None."""
    h, w = crop.shape[:2]
    pred = cv2.resize(saliency(crop), (w, h), interpolation=cv2.INTER_LINEAR)
    count, labels = cv2.connectedComponents((pred > 0.5).astype(np.uint8), 8, cv2.CV_32S)
    x, y = point
    reach = max(2, min(h, w) // 40)
    near = labels[max(0, y - reach) : y + reach + 1, max(0, x - reach) : x + reach + 1]
    found = np.bincount(near.ravel(), minlength=count)
    found[0] = 0
    if count <= 1 or found.max() == 0:
        return None
    return labels == int(found.argmax())


def _look(rgb: np.ndarray, box: tuple, point: tuple[int, int]):
    """(the crop looked at, the part under the point at most WORK px wide or None, the
    point in the crop)."""
    left, top, right, bottom = box
    side = right - left
    crop = np.ascontiguousarray(rgb[top:bottom, left:right])
    local = (int(point[0]) - left, int(point[1]) - top)
    scale = min(1.0, WORK / side)
    if scale < 1:
        small = round(side * scale)
        crop = cv2.resize(crop, (small, small), interpolation=cv2.INTER_AREA)
        local = (min(small - 1, int(local[0] * scale)), min(small - 1, int(local[1] * scale)))
    return crop, _component(crop, local), local


def _full(part: np.ndarray, box: tuple, size: tuple[int, int]) -> np.ndarray:
    """A part found in ``box`` (at any size) as a bool mask over the whole photo."""
    left, top, right, bottom = box
    full = np.zeros((size[1], size[0]), bool)
    if part.shape[0] != right - left:
        part = cv2.resize(part.astype(np.uint8), (right - left,) * 2, cv2.INTER_NEAREST) > 0
    full[top:bottom, left:right] = part
    return full


def _valid(part: np.ndarray | None) -> bool:
    return part is not None and SMALLEST <= part.mean() <= LARGEST


def find_object(rgb: np.ndarray, point: tuple[int, int], *, thorough: bool = True):
    """(the object under ``point`` as a bool mask at the box's size or None, the box looked
    at, whether the object goes on beyond it).

    The network looks at a window of ``WINDOW`` of the short side around the point. Where
    it finds nothing under the point (the shuttle's white orbiter beside the astronaut), or
    joins the clicked thing to another into more than ``LARGEST`` of the window (a helmet
    held against the suit) and the clicked colour is under ``DETAIL`` of what it joined (the
    helmet's white rim), a window of ``SMALL`` is looked at, in which the clicked thing is
    the main subject, and the larger reading is taken. Where what it finds reaches the
    window's edge, one more window, centred on what was found and big enough to hold it with
    room around it (at most ``LARGEST_WINDOW``), is looked at, so the whole object is
    taken. At most three looks; one where the first window holds the whole object, and
    always one unless ``thorough`` (each look is a pass of the network)."""
    h, w = rgb.shape[:2]
    size, short = (w, h), min(h, w)
    box = window(size, point)
    crop, part, local = _look(rgb, box, point)
    unseen = box if part is None else None  # nothing under the point in the first window
    if not _valid(part):
        candidates = []  # (area in the photo's pixels, part, box)
        if part is not None and part.mean() > LARGEST:
            # joined to another thing: the part of it in about the clicked colour
            coloured = fill_holes(_same_colour(crop, part, local), 0.5)
            if _valid(coloured):
                candidates.append((coloured.mean() * (box[2] - box[0]) ** 2, coloured, box))
                if coloured.sum() >= DETAIL * part.sum() or not thorough:
                    return _grown(rgb, point, coloured, box, thorough)  # most of it: one look
        if not thorough:
            return None, box, False
        smaller = _box(size, point, max(32, round(short * SMALL)))
        _, part, _ = _look(rgb, smaller, point)
        if part is not None and SMALLEST <= part.mean() <= LARGEST_SMALL:
            area = part.mean() * (smaller[2] - smaller[0]) ** 2
            # where the first window found nothing, only a thing bigger than the fallback
            # disc: a smaller one is as often a part of it (the lit half of a pale ball)
            if candidates or area > np.pi * _radius(size) ** 2:
                candidates.append((area, part, smaller))
        if not candidates:
            return None, box, False
        # the larger reading of the clicked thing: the whole helmet, not its white rim
        _, part, box = max(candidates, key=lambda c: c[0])
    return _grown(rgb, point, fill_holes(part, 0.2), box, thorough, unseen)


def _within(inner: tuple, outer: tuple) -> bool:
    """Whether box ``inner`` lies entirely in box ``outer`` (left, top, right, bottom)."""
    left, top, right, bottom = inner
    return outer[0] <= left and outer[1] <= top and outer[2] >= right and outer[3] >= bottom


def _grown(
    rgb,
    point: tuple[int, int],
    part: np.ndarray,
    box: tuple,
    thorough: bool = True,
    unseen: tuple | None = None,
):
    """``find_object``'s answer for ``part`` found in ``box``: looked at again in a wider
    window where it reaches the window's edge, unless that window holds all of ``unseen``, a
    window in which the network saw nothing under the point: with even more around it, the
    clicked thing is no more the subject (the shuttle's orbiter, whose first window holds the
    astronaut; on 125 clicks over five sample photos such a look never found anything), and
    the look, a pass of the network, is saved."""
    h, w = rgb.shape[:2]
    size, short = (w, h), min(h, w)
    if not _touches(part, box, size):
        return part, box, False
    if not thorough:
        return part, box, True
    # the object goes on beyond the window: look again around what was found
    found = _full(part, box, size)
    ys, xs = np.nonzero(found)
    extent = max(xs.max() - xs.min(), ys.max() - ys.min())
    side = min(round(short * LARGEST_WINDOW), round(1.5 * extent))
    if side <= box[2] - box[0]:
        return part, box, True
    wider = _box(size, ((xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2), side)
    if unseen is not None and _within(unseen, wider):
        return part, box, True
    _, again, _ = _look(rgb, wider, point)
    if not _valid(again):
        return part, box, True
    again = fill_holes(again, 0.2)
    whole = _full(again, wider, size)
    if (whole & found).sum() < 0.7 * found.sum():
        return part, box, True  # the network now sees something else under the point
    return again, wider, _touches(again, wider, size)


def point_region(
    rgb: np.ndarray, point: tuple[int, int], *, thorough: bool = True
) -> tuple[np.ndarray, str, tuple, bool]:
    """(mask uint8, 255 = may change; what it is: "object" or "area"; the box looked at,
    outside which nothing changes; whether the object goes on beyond that box) for a click.

    ``thorough``: look again where the first look is not enough (see :func:`find_object`),
    for edits that need the whole object (removal, recolouring); a blur or a pixelation at a
    click is as good on a disc and keeps to one look."""
    h, w = rgb.shape[:2]
    small = min(h, w) < 32
    found, box, cut = (
        (None, window((w, h), point), False)
        if small
        else find_object(rgb, point, thorough=thorough)
    )
    left, top, right, bottom = box
    side = right - left
    mask = np.zeros((h, w), np.uint8)
    if found is not None:
        grow = max(1, found.shape[0] // 100)
        part = cv2.dilate(found.astype(np.uint8) * 255, np.ones((3, 3), np.uint8), iterations=grow)
        if part.shape[0] != side:
            part = cv2.resize(part, (side, side), interpolation=cv2.INTER_LINEAR)
            part = np.where(part >= 128, 255, 0).astype(np.uint8)
        mask[top:bottom, left:right] = part
        kind = "object"
    else:
        box = window((w, h), point)
        left, top, right, bottom = box
        mask = disc((w, h), point)
        kind = "area"
    m = MARGIN if min(right - left, bottom - top) > 4 * MARGIN else 0
    inner = np.zeros_like(mask)  # room for the feathering, except along the photo's edges
    inner[
        top + (m if top else 0) : bottom - (m if bottom < h else 0),
        left + (m if left else 0) : right - (m if right < w else 0),
    ] = 255
    return cv2.bitwise_and(mask, inner), kind, box, cut
