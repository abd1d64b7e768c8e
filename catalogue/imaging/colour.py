"""Bringing decoded pixels to 8-bit RGB or RGBA, and to sRGB, guided by their ICC profile."""

from __future__ import annotations

import io
from typing import cast

import numpy as np
from PIL import Image


def band_extrema(band: Image.Image) -> tuple[float, float]:
    """The lowest and highest value of a one-band image (``getextrema`` answers a pair per
    band for images of several)."""
    low, high = cast("tuple[float, float]", band.getextrema())
    return low, high


def _sixteen_to_eight(im: Image.Image) -> Image.Image:
    arr = np.asarray(im)
    if im.mode == "F":
        arr8 = np.clip(arr, 0, 255).astype(np.uint8)
    else:
        arr8 = (np.clip(arr.astype(np.int64), 0, 65535) >> 8).astype(np.uint8)
    return Image.fromarray(arr8, mode="L") if arr8.ndim == 2 else Image.fromarray(arr8)


def _icc_colour_space(icc: bytes | None) -> bytes | None:
    # Bytes 16-19 of an ICC header name the data colour space: b"RGB ", b"CMYK", b"GRAY".
    return icc[16:20] if icc and len(icc) >= 128 else None


def _cmyk_to_rgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    if icc is not None and _icc_colour_space(icc) == b"CMYK":
        try:
            from PIL import ImageCms

            converted = ImageCms.profileToProfile(
                im,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
            if converted is not None:  # None only when converting in place
                return converted
        except Exception:  # a broken profile: fall back to the plain conversion
            pass
    return im.convert("RGB")


def _has_alpha(im: Image.Image) -> bool:
    if im.mode != "RGBA":
        return False
    return band_extrema(im.getchannel("A"))[0] < 255


def normalize(im: Image.Image) -> tuple[Image.Image, bytes | None]:
    """``im`` in RGB or RGBA (RGBA only when some pixel is not opaque), and the ICC profile
    that still describes it (None when it does not apply or there was none)."""
    icc = im.info.get("icc_profile") or None
    mode = im.mode
    if mode == "CMYK":
        out = _cmyk_to_rgb(im, icc)
        icc = None  # the pixels are sRGB now
    elif mode in ("RGB", "RGBA"):
        out = im
    elif mode.startswith("I") or mode == "F":
        out = _sixteen_to_eight(im).convert("RGB")
    elif mode in ("RGBa", "LA", "La", "PA") or "transparency" in im.info:
        out = im.convert("RGBA")
    else:  # "1", "L", "P" without transparency, "YCbCr", "LAB", "HSV"
        out = im.convert("RGB")
    if out.mode == "RGBA" and not _has_alpha(out):
        out = out.convert("RGB")
    if _icc_colour_space(icc) != b"RGB ":
        icc = None  # e.g. a grey profile on an image now in RGB
    return out, icc


def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert RGB(A) pixels described by a non-sRGB ``icc`` profile to sRGB."""
    if icc is None:
        return im
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in (ImageCms.getProfileDescription(source) or "").lower():
            return im
        rgb = im.convert("RGB") if im.mode == "RGBA" else im
        converted = ImageCms.profileToProfile(
            rgb,
            source,
            ImageCms.createProfile("sRGB"),
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGB",
        )
        if converted is None:  # None only when converting in place
            return im
        if im.mode == "RGBA":
            converted.putalpha(im.getchannel("A"))
        return converted
    except Exception:  # no LittleCMS or a broken profile: use the pixels as they are
        return im
