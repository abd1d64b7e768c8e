"""Opening image bytes safely: format and pixel checks before decoding, then EXIF orientation."""

from __future__ import annotations

import io
import struct

from PIL import Image

from .colour import normalize
from .errors import ImageError, bomb_error, damaged_error
from .formats import ACCEPTED_MIME_TYPES, ACCEPTED_NAMES, FORMAT_NAMES, PIL_FORMATS, image_mime_type
from .limits import check_bytes, check_pixels

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


def as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    return data if isinstance(data, bytes) else bytes(data)


def open_image(data: bytes, max_pixels: int | None) -> tuple[Image.Image, str]:
    """Open ``data`` (header only), checking its format and pixel count."""
    mime = image_mime_type(data)
    if mime not in ACCEPTED_MIME_TYPES:
        if mime.startswith("image/"):
            raise ImageError(
                "unsupported_format",
                f"{FORMAT_NAMES.get(mime, 'This')} images are not supported. "
                f"Please upload a {ACCEPTED_NAMES} image.",
            )
        raise ImageError(
            "not_an_image",
            f"The file is not an image. Please upload a {ACCEPTED_NAMES} image.",
        )
    try:
        im = Image.open(io.BytesIO(data), formats=[PIL_FORMATS[mime]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb_error() from None
    except Exception:
        raise damaged_error(mime) from None
    check_pixels(im.size, len(data), max_pixels)
    if mime == "image/png" and not _png_is_complete(data):
        raise damaged_error(mime)
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


def load_pixels(im: Image.Image, mime: str, draft_size: tuple[int, int] | None = None) -> None:
    """Decode the pixels (the first frame), at reduced scale for JPEG when ``draft_size``."""
    try:
        if draft_size is not None and im.format == "JPEG":
            im.draft("RGB", draft_size)
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb_error(*im.size) from None
    except Exception:
        raise damaged_error(mime) from None


def exif_orientation(im: Image.Image) -> int:
    try:
        value = int(im.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # unreadable EXIF: ignore it rather than refuse the photo
        return 1
    return value if value in _TRANSPOSE else 1


def apply_orientation(im: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return im.transpose(method) if method is not None else im


def decode_full(data: bytes, max_bytes: int | None, max_pixels: int | None):
    check_bytes(data, max_bytes)
    im, mime = open_image(data, max_pixels)
    load_pixels(im, mime)
    orientation = exif_orientation(im)
    normalized, icc = normalize(im)
    return apply_orientation(normalized, orientation), icc, mime
