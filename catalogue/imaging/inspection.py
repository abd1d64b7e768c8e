"""Checking an upload in the web tier from its header alone, without decoding its pixels.

A 40-megapixel PNG of one flat colour is 116 KB on the wire and 160 MB decoded; sixteen of
them at once would take a web process past 2.5 GB. So the web tier only reads what the file
says about itself: its format (magic bytes), its size in pixels and orientation (the header
and EXIF), and whether the file is complete (PNG chunks up to IEND, the JPEG end marker, the
WebP RIFF length, the GIF trailer). The pixels are decoded by the worker, which also replaces
the stored upload with its clean copy (:func:`read_upload`: no EXIF, GPS, XMP or comments)
when the upload carried any.
"""

from __future__ import annotations

import hashlib
import struct

from PIL import Image

from .decoding import as_bytes, exif_orientation, open_image
from .encoding import UploadedImage
from .errors import damaged_error
from .formats import STORED_FORMAT
from .limits import check_bytes, resolve_limits

_RAW_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
}
_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")


def inspect_upload(
    data: bytes, *, max_bytes: int | None = None, max_pixels: int | None = None
) -> UploadedImage:
    """Validate an upload from its header and keep its bytes as they came.

    ``width``/``height`` are as the photo is shown (EXIF orientation applied);
    ``needs_cleaning`` says whether the worker must replace it with a clean copy. Raises
    :class:`ImageError` like :func:`read_upload`."""
    data = as_bytes(data)
    max_bytes, max_pixels, _ = resolve_limits(max_bytes, max_pixels)
    check_bytes(data, max_bytes)
    im, mime = open_image(data, max_pixels)  # the header only; PNG chunks walked too
    if not _complete(data, mime):
        raise damaged_error(mime)
    orientation = _png_orientation(data) if mime == "image/png" else exif_orientation(im)
    width, height = im.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    has_metadata = any(im.info.get(key) for key in _METADATA)
    stored_mime, _ = STORED_FORMAT[mime]
    return UploadedImage(
        data=data,
        mime_type=mime,
        extension=_RAW_EXTENSIONS[mime],
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
        needs_cleaning=has_metadata or orientation != 1 or stored_mime != mime,
    )


def _png_orientation(data: bytes) -> int:
    """EXIF orientation from a PNG's eXIf chunk, read directly: Pillow's ``getexif`` on a
    PNG decodes every pixel to find chunks that follow the image data."""
    offset = 8
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"eXIf":
            exif = Image.Exif()
            try:
                exif.load(data[offset + 8 : offset + 8 + length])
                value = int(exif.get(0x0112, 1))
            except Exception:  # unreadable EXIF: ignore it rather than refuse the photo
                return 1
            return value if 1 <= value <= 8 else 1
        if kind == b"IEND":
            return 1
        offset += 12 + length
    return 1


def _complete(data: bytes, mime: str) -> bool:
    if mime == "image/jpeg":
        # The end-of-image marker; cameras may append a few bytes (or a thumbnail) after it.
        return b"\xff\xd9" in data[-65536:]
    if mime == "image/webp":
        (size,) = struct.unpack("<I", data[4:8])
        return len(data) >= size + 8
    if mime == "image/gif":
        return data.rstrip(b"\x00").endswith(b";")
    return True  # PNG: open_image walked its chunks to IEND
