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
* :func:`prepare_upload` does both from a single decode.
* :func:`inspect_upload` checks an upload from its header alone and keeps its bytes: the web
  tier uses it, so it never decodes pixels (the worker cleans the stored copy).

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

import importlib

# Where each public name lives. They are imported on first use (PEP 562), so importing a light
# module of this package (``values``, ``formats``) never loads Pillow or numpy.
_EXPORTS = {
    "MODEL_JPEG_QUALITY": "encoding",
    "PNG_COMPRESS_LEVEL": "encoding",
    "STORED_JPEG_QUALITY": "encoding",
    "STORED_WEBP_QUALITY": "encoding",
    "UploadedImage": "encoding",
    "encode_image": "encoding",
    "ImageError": "errors",
    "ACCEPTED_MIME_TYPES": "formats",
    "image_mime_type": "formats",
    "inspect_upload": "inspection",
    "DEFAULT_MAX_IMAGE_PIXELS": "limits",
    "DEFAULT_MAX_UPLOAD_BYTES": "limits",
    "DEFAULT_MODEL_MAX_SIDE": "limits",
    "decode_image": "preparation",
    "prepare_for_model": "preparation",
    "prepare_upload": "preparation",
    "read_upload": "preparation",
    "InputImage": "values",
}

__all__ = [
    "ACCEPTED_MIME_TYPES",
    "ImageError",
    "InputImage",
    "UploadedImage",
    "decode_image",
    "encode_image",
    "image_mime_type",
    "inspect_upload",
    "prepare_for_model",
    "prepare_upload",
    "read_upload",
]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
