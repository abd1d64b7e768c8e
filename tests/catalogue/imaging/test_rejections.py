"""catalogue.imaging: what is refused, with which code and message."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catalogue import imaging
from catalogue.imaging import (
    ImageError,
    decode_image,
    prepare_for_model,
    prepare_upload,
    read_upload,
)

from .images import bilevel_png, encode, gradient


def rejected(data: bytes, **limits) -> ImageError:
    with pytest.raises(ImageError) as caught:
        read_upload(data, **limits)
    return caught.value


def test_empty_file():
    error = rejected(b"")
    assert (error.code, error.status) == ("empty_file", 400)
    with pytest.raises(ImageError, match="empty"):
        prepare_for_model(b"")


def test_file_too_large_names_the_limit_in_mb():
    data = encode(gradient(200, 200), "PNG")
    error = rejected(b"\x89PNG\r\n\x1a\n" + bytes(13 * 1024 * 1024))
    assert (error.code, error.status) == ("file_too_large", 413)
    assert "13 MB" in error.message and "12 MB limit" in error.message
    assert "more than the 1 KB limit" in rejected(data, max_bytes=1000).message
    with pytest.raises(ImageError) as caught:
        prepare_upload(data, max_bytes=100)
    assert caught.value.code == "file_too_large"


def test_byte_limit_defaults_to_settings(settings):
    settings.AICEPS_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    error = rejected(b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024))
    assert error.code == "file_too_large"
    assert "2 MB" in error.message


def test_not_an_image():
    error = rejected(b"%PDF-1.7 this is not a picture")
    assert (error.code, error.status) == ("not_an_image", 400)
    assert "JPEG, PNG, WebP or GIF" in error.message


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (encode(gradient(8, 8), "BMP"), "BMP"),
        (encode(gradient(8, 8), "TIFF"), "TIFF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ],
)
def test_unsupported_formats_name_the_accepted_ones(data, name):
    error = rejected(data)
    assert (error.code, error.status) == ("unsupported_format", 400)
    assert name in error.message
    assert "JPEG, PNG, WebP or GIF" in error.message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("keep", [0.5, 0.98, -2])
def test_truncated_images_are_rejected(fmt, keep):
    data = encode(gradient(300, 200).effect_spread(3), fmt)
    cut = data[:keep] if isinstance(keep, int) else data[: int(len(data) * keep)]
    for function in (read_upload, prepare_for_model, decode_image):
        with pytest.raises(ImageError) as caught:
            function(cut)
        assert caught.value.code == "truncated_image"
        assert caught.value.status == 400


def test_truncated_jpeg_rejected_by_draft_decode_too():
    data = encode(gradient(3000, 2000), "JPEG", quality=90)
    with pytest.raises(ImageError) as caught:
        prepare_for_model(data[: len(data) * 3 // 4], max_side=512)  # decoded at 1/4 scale
    assert caught.value.code == "truncated_image"


def test_too_many_pixels():
    data = encode(gradient(1200, 1000), "JPEG")
    error = rejected(data, max_pixels=1_000_000)
    assert (error.code, error.status) == ("image_too_large", 413)
    assert "1200×1000" in error.message and "1 megapixel" in error.message


def test_decompression_bomb_50000_square_is_refused_before_decoding():
    data = bilevel_png(50_000, 50_000)
    assert len(data) < 1_000_000  # 2.5 gigapixels in a few hundred kilobytes
    for function in (read_upload, prepare_for_model, decode_image):
        with pytest.raises(ImageError) as caught:
            function(data)
        assert caught.value.code == "decompression_bomb"
    assert rejected(data, max_pixels=10**12).code == "decompression_bomb"  # Pillow's own check


def test_decompression_bomb_below_pillows_limit_is_caught_by_ours():
    data = bilevel_png(8000, 8000)  # 64 MP: under Pillow's limit, over ours
    check = Image.open(io.BytesIO(data))
    check.load()  # the crafted file is a genuine, complete PNG
    assert check.size == (8000, 8000)
    error = rejected(data)
    assert (error.code, error.status) == ("decompression_bomb", 400)


def test_image_error_fields():
    error = ImageError("not_an_image", "Nope.")
    assert (error.code, error.message, error.status, str(error)) == (
        "not_an_image",
        "Nope.",
        400,
        "Nope.",
    )
    assert imaging.ACCEPTED_MIME_TYPES == ("image/jpeg", "image/png", "image/webp", "image/gif")
