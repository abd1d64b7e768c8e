"""inspect_upload: the web tier's check of an upload from its header alone."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest
from PIL import Image

from catalogue.imaging import ImageError, inspect_upload

from .images import bilevel_png, encode, exif_with, gradient


def flat_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_40_megapixel_png_is_checked_without_decoding_its_pixels():
    data = flat_png(7300, 5470)  # 39.9 MP, about 120 KB
    assert len(data) < 400_000
    tracemalloc.start()
    started = time.perf_counter()
    upload = inspect_upload(data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (upload.width, upload.height) == (7300, 5470)
    assert upload.data is data  # kept as it came
    assert peak < 5 * 1024 * 1024  # decoded, it would be 120 MB
    assert elapsed < 0.5


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_size_is_as_shown_with_the_exif_rotation(fmt):
    data = encode(gradient(40, 20), fmt, exif=exif_with(orientation=6))
    upload = inspect_upload(data)
    assert (upload.width, upload.height) == (20, 40)
    assert upload.needs_cleaning  # the worker stores it rotated and without EXIF


def test_clean_uploads_need_no_cleaning_and_others_do():
    assert not inspect_upload(encode(gradient(30, 20), "PNG")).needs_cleaning
    assert not inspect_upload(encode(gradient(30, 20), "JPEG")).needs_cleaning
    gps = encode(gradient(30, 20), "JPEG", exif=exif_with(gps=True))
    assert inspect_upload(gps).needs_cleaning
    gif = encode(gradient(30, 20), "GIF")
    upload = inspect_upload(gif)
    assert (upload.extension, upload.needs_cleaning) == ("gif", True)  # stored as PNG later


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_a_cut_file_is_refused_from_its_structure(fmt):
    data = encode(gradient(300, 200).effect_spread(3), fmt)
    with pytest.raises(ImageError) as caught:
        inspect_upload(data[: int(len(data) * 0.6)])
    assert caught.value.code == "truncated_image"


def test_limits_and_bombs_are_checked_from_the_header():
    with pytest.raises(ImageError) as caught:
        inspect_upload(bilevel_png(50_000, 50_000))
    assert caught.value.code == "decompression_bomb"
    with pytest.raises(ImageError) as caught:
        inspect_upload(encode(gradient(1200, 1000), "JPEG"), max_pixels=1_000_000)
    assert (caught.value.code, caught.value.status) == ("image_too_large", 413)
    with pytest.raises(ImageError) as caught:
        inspect_upload(b"GIF89a not really")
    assert caught.value.code == "truncated_image"
