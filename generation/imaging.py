"""Decoding, validating and preparing images: the one place AicePS reads image bytes.

Every image that enters AicePS goes through here:

* :func:`read_upload` validates an upload and makes the *stored copy*: re-encoded without
  EXIF (GPS included), XMP or comments, EXIF orientation applied, in RGB or RGBA. The ICC
  colour profile is kept when it describes the stored pixels, so browsers show the colours the
  camera meant.
* :func:`prepare_for_model` turns uploaded or stored bytes into what a model sees: at most
  ``AICEPS_MODEL_MAX_SIDE`` pixels on the long side, oriented, converted to sRGB, PNG when it
  has transparency and JPEG (quality 92) otherwise. JPEGs are decoded at reduced scale
  (Pillow's draft mode), about three times faster than a full decode and Lanczos resize
  for a 24-megapixel photo (``python bench/image_preparation.py``).
* :func:`prepare_upload` does both from a single decode, for the API.

Accepted formats are JPEG, PNG, WebP and GIF (the first frame, stored as PNG). Everything
else is refused with an :class:`ImageError` whose ``code`` says why and whose ``message`` is a
sentence for the end user:

==================== ====== ==============================================================
code                 status when
==================== ====== ==============================================================
empty_file           400    no bytes at all
file_too_large       413    more than ``max_bytes`` (``AICEPS_MAX_UPLOAD_BYTES``)
not_an_image         400    not an image file
unsupported_format   400    an image, but not JPEG, PNG, WebP or GIF (HEIC, TIFF, ...)
truncated_image      400    an accepted format, but incomplete or damaged
image_too_large      413    more pixels than ``max_pixels`` (``AICEPS_MAX_IMAGE_PIXELS``)
decompression_bomb   400    dimensions implausible for the file size (a tiny file claiming
                            billions of pixels), or refused as a bomb by Pillow itself
==================== ====== ==============================================================

Pixel limits are checked from the header, before anything is decoded. Pillow's own bomb
check (``Image.MAX_IMAGE_PIXELS``, left at Pillow's default) still applies and errors above
twice that (about 179 megapixels), so ``AICEPS_MAX_IMAGE_PIXELS`` should stay below it.
Truncated files are rejected because ``ImageFile.LOAD_TRUNCATED_IMAGES`` is left off.

The functions are thread-safe: they change no global state.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image

from generation.providers.base import InputImage

__all__ = [
    "ACCEPTED_MIME_TYPES",
    "ImageError",
    "UploadedImage",
    "decode_image",
    "encode_image",
    "image_mime_type",
    "prepare_for_model",
    "prepare_upload",
    "read_upload",
]

# Defaults when Django settings are not configured (the values of aiceps.settings.base).
DEFAULT_MAX_UPLOAD_BYTES = 12 * 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_MODEL_MAX_SIDE = 2048

STORED_JPEG_QUALITY = 95
STORED_WEBP_QUALITY = 95
MODEL_JPEG_QUALITY = 92
PNG_COMPRESS_LEVEL = 3  # about half the time of 6 for photos, at much the same size

# A header claiming more pixels than this many per byte of file, and over the pixel limit,
# is reported as a decompression bomb rather than merely a large image. Real photos carry a
# handful of pixels per byte; even a flat-colour PNG stays under about 350.
_BOMB_PIXELS_PER_BYTE = 1000

ACCEPTED_MIME_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
_ACCEPTED_NAMES = "JPEG, PNG, WebP or GIF"
_PIL_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}
_STORED_FORMAT = {  # source mime -> (stored mime, extension)
    "image/jpeg": ("image/jpeg", "jpg"),
    "image/png": ("image/png", "png"),
    "image/webp": ("image/webp", "webp"),
    "image/gif": ("image/png", "png"),
}
_FORMAT_NAMES = {
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
    "image/heic": "HEIC",
    "image/avif": "AVIF",
    "image/jxl": "JPEG XL",
    "image/jp2": "JPEG 2000",
    "image/x-icon": "ICO",
    "image/vnd.adobe.photoshop": "Photoshop (PSD)",
    "image/svg+xml": "SVG",
    "image/qoi": "QOI",
}

_EXIF_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageError(Exception):
    """An image was refused. ``code`` is machine-readable, ``message`` is for the end user
    and ``status`` is the HTTP status the API should answer with (400 or 413)."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"ImageError(code={self.code!r}, status={self.status}, message={self.message!r})"


@dataclass(frozen=True)
class UploadedImage:
    """The stored copy of an upload: re-encoded, metadata-free but for the ICC profile."""

    data: bytes
    mime_type: str  # image/png, image/jpeg or image/webp
    extension: str  # "png", "jpg" or "webp"
    width: int
    height: int
    sha256: str  # hex digest of the ORIGINAL uploaded bytes


# --- Settings ---------------------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, name, default))
    except Exception:  # Django not installed or settings not configured
        return default


def _limits(
    max_bytes: int | None = None, max_pixels: int | None = None, max_side: int | None = None
) -> tuple[int, int, int]:
    """The given limits, each defaulting to its Django setting."""
    if max_bytes is None:
        max_bytes = _setting("AICEPS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)
    if max_pixels is None:
        max_pixels = _setting("AICEPS_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    if max_side is None:
        max_side = _setting("AICEPS_MODEL_MAX_SIDE", DEFAULT_MODEL_MAX_SIDE)
    return max_bytes, max_pixels, max_side


# --- Sniffing ---------------------------------------------------------------------------


def image_mime_type(data: bytes) -> str:
    """The MIME type of ``data`` from its magic bytes; never raises.

    Accepted formats give ``image/jpeg``, ``image/png``, ``image/webp`` or ``image/gif``;
    other recognised image formats give their own type (``image/heic``, ``image/tiff``, ...);
    anything else gives ``application/octet-stream``.
    """
    head = bytes(data[:64])
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "image/heic"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:2] == b"BM" and len(head) >= 26 and head[6:10] == b"\x00\x00\x00\x00":
        return "image/bmp"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "image/jxl"
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return "image/jp2"
    if head[:4] == b"8BPS":
        return "image/vnd.adobe.photoshop"
    if head[:4] == b"qoif":
        return "image/qoi"
    if head[:4] == b"\x00\x00\x01\x00" and len(head) >= 22 and head[4:6] != b"\x00\x00":
        return "image/x-icon"
    text = bytes(data[:1024]).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "image/svg+xml"
    return "application/octet-stream"


# --- Errors -----------------------------------------------------------------------------


def _mb(n: int) -> str:
    """``n`` bytes for people: "12 MB", "3.5 MB", or "200 KB" below a megabyte."""
    if n < 1024 * 1024:
        return f"{-(-n // 1024)} KB"
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _check_bytes(data: bytes, max_bytes: int | None) -> None:
    if not data:
        raise ImageError("empty_file", "The file is empty. Please choose an image to upload.")
    if max_bytes is not None and len(data) > max_bytes:
        raise ImageError(
            "file_too_large",
            f"The file is {_mb(len(data))}, more than the {_mb(max_bytes)} limit. "
            "Please upload a smaller image.",
            status=413,
        )


def _bomb(width: int | None = None, height: int | None = None) -> ImageError:
    size = f" ({width}×{height} pixels)" if width and height else ""
    return ImageError(
        "decompression_bomb",
        f"The image's dimensions{size} are implausibly large for its file size, so it was "
        "not opened. Please upload a regular photo.",
    )


def _damaged(mime: str) -> ImageError:
    name = _PIL_FORMATS.get(mime, "image")
    return ImageError(
        "truncated_image",
        f"The {name} file is incomplete or damaged and could not be read. "
        "Please upload it again or export it anew.",
    )


def _check_pixels(size: tuple[int, int], n_bytes: int, max_pixels: int | None) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError("not_an_image", "The image has no pixels.")
    pixels = width * height
    if max_pixels is not None and pixels > max_pixels:
        if pixels > _BOMB_PIXELS_PER_BYTE * n_bytes:
            raise _bomb(width, height)
        raise ImageError(
            "image_too_large",
            f"The image is {width}×{height} pixels ({pixels / 1e6:.1f} megapixels), more than "
            f"the {max_pixels / 1e6:g} megapixel limit. Please resize it and try again.",
            status=413,
        )


# --- Decoding ---------------------------------------------------------------------------


def _open(data: bytes, max_pixels: int | None) -> tuple[Image.Image, str]:
    """Open ``data`` (header only), checking its format and pixel count."""
    mime = image_mime_type(data)
    if mime not in ACCEPTED_MIME_TYPES:
        if mime.startswith("image/"):
            raise ImageError(
                "unsupported_format",
                f"{_FORMAT_NAMES.get(mime, 'This')} images are not supported. "
                f"Please upload a {_ACCEPTED_NAMES} image.",
            )
        raise ImageError(
            "not_an_image",
            f"The file is not an image. Please upload a {_ACCEPTED_NAMES} image.",
        )
    try:
        im = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[mime]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except Exception:
        raise _damaged(mime) from None
    _check_pixels(im.size, len(data), max_pixels)
    if mime == "image/png" and not _png_is_complete(data):
        raise _damaged(mime)
    return im, mime


def _png_is_complete(data: bytes) -> bool:
    """Whether every PNG chunk up to IEND is present in full (Pillow alone accepts a file
    cut inside its last IDAT chunk as long as the pixels it has decode)."""
    offset = 8
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        if data[offset + 4 : offset + 8] == b"IEND":
            return True
        offset += 12 + length
    return False


def _load(im: Image.Image, mime: str, draft_size: tuple[int, int] | None = None) -> None:
    """Decode the pixels (the first frame), at reduced scale for JPEG when ``draft_size``."""
    try:
        if draft_size is not None and im.format == "JPEG":
            im.draft("RGB", draft_size)
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(*im.size) from None
    except Exception:
        raise _damaged(mime) from None


def _orientation(im: Image.Image) -> int:
    try:
        value = int(im.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # unreadable EXIF: ignore it rather than refuse the photo
        return 1
    return value if value in _TRANSPOSE else 1


def _orient(im: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return im.transpose(method) if method is not None else im


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
    if _icc_colour_space(icc) == b"CMYK":
        try:
            from PIL import ImageCms

            return ImageCms.profileToProfile(
                im,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
        except Exception:  # a broken profile: fall back to the plain conversion
            pass
    return im.convert("RGB")


def _has_alpha(im: Image.Image) -> bool:
    if im.mode != "RGBA":
        return False
    return im.getchannel("A").getextrema()[0] < 255


def _normalize(im: Image.Image) -> tuple[Image.Image, bytes | None]:
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


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
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
        if im.mode == "RGBA":
            converted.putalpha(im.getchannel("A"))
        return converted
    except Exception:  # no LittleCMS or a broken profile: use the pixels as they are
        return im


def _target_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    long_side = max(width, height)
    if long_side <= max_side:
        return width, height
    scale = max_side / long_side
    if width >= height:
        return max_side, max(1, round(height * scale))
    return max(1, round(width * scale)), max_side


def _resize(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Downscale to exactly ``size``: first by an integer factor with a box filter (what a
    JPEG draft decode does in the DCT domain), then bicubic for the remaining < 2x.

    Against a Lanczos resize of the full-resolution 24 MP photo, a draft decode plus this
    comes within about 49 dB PSNR (visually identical); Lanczos after the same reduction is
    no closer and its final step takes about 1.5x as long."""
    if im.size == size:
        return im
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.0)


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


# --- Encoding ---------------------------------------------------------------------------


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
        image, _ = _normalize(image)
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


def _model_image(im: Image.Image, icc: bytes | None) -> InputImage:
    """``im`` (RGB or RGBA, oriented, final size) as the bytes a model receives."""
    im = _to_srgb(im, icc)
    if im.mode == "RGBA":
        return InputImage(encode_image(im, format="PNG"), "image/png", im.width, im.height)
    data = encode_image(im, format="JPEG", quality=MODEL_JPEG_QUALITY)
    return InputImage(data, "image/jpeg", im.width, im.height)


def _stored_image(im: Image.Image, icc: bytes | None, source_mime: str, data: bytes):
    mime, extension = _STORED_FORMAT[source_mime]
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


# --- Public entry points ----------------------------------------------------------------


def _as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    return data if isinstance(data, bytes) else bytes(data)


def _decode_full(data: bytes, max_bytes: int | None, max_pixels: int | None):
    _check_bytes(data, max_bytes)
    im, mime = _open(data, max_pixels)
    _load(im, mime)
    orientation = _orientation(im)
    normalized, icc = _normalize(im)
    return _orient(normalized, orientation), icc, mime


def decode_image(data: bytes, *, max_pixels: int | None = None) -> Image.Image:
    """Validate and fully decode ``data``: an RGB or RGBA image with EXIF orientation applied.

    The pixel limit defaults to ``AICEPS_MAX_IMAGE_PIXELS``; there is no byte limit (use it
    for provider output as well as uploads). Raises :class:`ImageError`."""
    data = _as_bytes(data)
    _, max_pixels, _ = _limits(max_pixels=max_pixels)
    image, _, _ = _decode_full(data, None, max_pixels)
    return image


def read_upload(
    data: bytes, *, max_bytes: int | None = None, max_pixels: int | None = None
) -> UploadedImage:
    """Validate an upload and produce its stored copy. Raises :class:`ImageError`."""
    data = _as_bytes(data)
    max_bytes, max_pixels, _ = _limits(max_bytes, max_pixels)
    image, icc, mime = _decode_full(data, max_bytes, max_pixels)
    return _stored_image(image, icc, mime, data)


def prepare_for_model(data: bytes, *, max_side: int | None = None) -> InputImage:
    """Uploaded or stored bytes as a model input: at most ``max_side`` pixels on the long side
    (default ``AICEPS_MODEL_MAX_SIDE``), oriented, sRGB, PNG with alpha else JPEG.

    JPEGs are decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still covers the target
    size (Pillow's draft mode), then resized to the exact size (see :func:`_resize`).
    Raises :class:`ImageError`."""
    data = _as_bytes(data)
    _, max_pixels, max_side = _limits(max_side=max_side)
    _check_bytes(data, None)
    im, mime = _open(data, max_pixels)
    target = _target_size(im.size, max_side)
    _load(im, mime, draft_size=target if target != im.size else None)
    orientation = _orientation(im)
    normalized, icc = _normalize(im)
    resized = _resize(normalized, target)
    return _model_image(_orient(resized, orientation), icc)


def prepare_upload(
    data: bytes,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    max_side: int | None = None,
) -> tuple[UploadedImage, InputImage]:
    """:func:`read_upload` and :func:`prepare_for_model` from one full decode."""
    data = _as_bytes(data)
    max_bytes, max_pixels, max_side = _limits(max_bytes, max_pixels, max_side)
    image, icc, mime = _decode_full(data, max_bytes, max_pixels)
    stored = _stored_image(image, icc, mime, data)
    model_image = _resize(image, _target_size(image.size, max_side))
    return stored, _model_image(model_image, icc)
