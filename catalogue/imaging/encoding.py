"""Encoding metadata-free output: the stored copy of an upload and the bytes a model receives."""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass

from PIL import Image

from .colour import normalize, to_srgb
from .formats import STORED_FORMAT
from .values import InputImage

STORED_JPEG_QUALITY = 95
STORED_WEBP_QUALITY = 95
MODEL_JPEG_QUALITY = 92
PNG_COMPRESS_LEVEL = 3  # about half the time of 6 for photos, at much the same size


@dataclass(frozen=True)
class UploadedImage:
    """An upload as AicePS stores it: the clean copy (``read_upload``: re-encoded,
    metadata-free but for the ICC profile) or the bytes as they came (``inspect_upload``)."""

    data: bytes
    mime_type: str  # image/png, image/jpeg or image/webp
    extension: str  # "png", "jpg" or "webp"
    width: int
    height: int
    sha256: str  # hex digest of the ORIGINAL uploaded bytes
    # True for an upload kept as it came (``inspect_upload``) that still carries metadata,
    # an EXIF rotation or a format that is stored otherwise: the worker cleans it.
    needs_cleaning: bool = False


def encode_image(
    image: Image.Image,
    *,
    format: str = "PNG",
    quality: int | None = None,
    icc_profile: bytes | None = None,
    lossless: bool = False,
) -> bytes:
    """Encode ``image`` as PNG, JPEG or WEBP with no metadata (no EXIF, XMP, comment, and no
    ICC profile unless ``icc_profile`` is given). Modes are converted as needed: 16-bit and
    palette images to 8-bit RGB(A); transparency is flattened onto white for JPEG."""
    fmt = format.upper()
    if fmt == "JPG":
        fmt = "JPEG"
    if fmt not in ("PNG", "JPEG", "WEBP"):
        raise ValueError(f"encode_image: unsupported format {format!r}")
    if image.mode not in ("RGB", "RGBA", "L"):
        image, _ = normalize(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(
            out,
            "JPEG",
            quality=quality or MODEL_JPEG_QUALITY,
            icc_profile=icc_profile,
            comment=b"",
            exif=b"",
        )
    elif fmt == "WEBP":
        if lossless:
            image.save(out, "WEBP", lossless=True, icc_profile=icc_profile, exif=b"")
        else:
            image.save(
                out,
                "WEBP",
                quality=quality or STORED_WEBP_QUALITY,
                icc_profile=icc_profile,
                exif=b"",
            )
    else:
        image.save(out, "PNG", compress_level=PNG_COMPRESS_LEVEL, icc_profile=icc_profile)
    return out.getvalue()


def model_image(im: Image.Image, icc: bytes | None, *, lossless: bool = False) -> InputImage:
    """``im`` (RGB or RGBA, oriented, final size) as the bytes a model receives: PNG with
    transparency or when ``lossless`` (pixels a result must keep exactly), else JPEG."""
    im = to_srgb(im, icc)
    if im.mode == "RGBA" or lossless:
        return InputImage(encode_image(im, format="PNG"), "image/png", im.width, im.height)
    data = encode_image(im, format="JPEG", quality=MODEL_JPEG_QUALITY)
    return InputImage(data, "image/jpeg", im.width, im.height)


def _webp_is_lossless(data: bytes) -> bool:
    offset = 12
    while offset + 8 <= len(data):
        fourcc = data[offset : offset + 4]
        if fourcc == b"VP8L":
            return True
        if fourcc in (b"VP8 ", b"ANMF", b"ALPH"):
            return False
        (size,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        offset += 8 + size + (size & 1)
    return False


def stored_image(im: Image.Image, icc: bytes | None, source_mime: str, data: bytes):
    mime, extension = STORED_FORMAT[source_mime]
    if mime == "image/jpeg":
        encoded = encode_image(im, format="JPEG", quality=STORED_JPEG_QUALITY, icc_profile=icc)
    elif mime == "image/webp":
        encoded = encode_image(im, format="WEBP", icc_profile=icc, lossless=_webp_is_lossless(data))
    else:
        encoded = encode_image(im, format="PNG", icc_profile=icc)
    return UploadedImage(
        data=encoded,
        mime_type=mime,
        extension=extension,
        width=im.width,
        height=im.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )
