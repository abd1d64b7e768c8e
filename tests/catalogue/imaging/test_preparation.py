"""catalogue.imaging: the stored copy and the model input of every accepted image."""

from __future__ import annotations

import hashlib
import struct
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import ExifTags, Image, ImageCms

from catalogue.imaging import (
    UploadedImage,
    decode_image,
    encode_image,
    image_mime_type,
    prepare_for_model,
    prepare_upload,
    read_upload,
)
from catalogue.providers.base import InputImage

from .images import assert_no_metadata, encode, exif_with, gradient, opened


def test_exif_orientation_is_applied_everywhere():
    raw = Image.new("RGB", (40, 20), (0, 0, 255))
    raw.paste((255, 0, 0), (0, 0, 5, 5))  # a red mark at the raw top-left
    data = encode(raw, "JPEG", quality=95, exif=exif_with(orientation=6))

    stored = read_upload(data)
    assert (stored.width, stored.height) == (20, 40)
    stored_image = opened(stored.data)
    assert stored_image.size == (20, 40)
    # Orientation 6: displayed rotated 90° clockwise, so the mark ends up top-right.
    r, _, b = stored_image.getpixel((17, 2))
    assert r > 200 and b < 60
    assert stored_image.getexif().get(ExifTags.Base.Orientation) is None

    model = prepare_for_model(data)
    assert (model.width, model.height) == (20, 40)
    assert opened(model.data).size == (20, 40)
    assert decode_image(data).size == (20, 40)
    both = prepare_upload(data)
    assert (both[0].width, both[0].height, both[1].width, both[1].height) == (20, 40, 20, 40)


def test_gps_exif_xmp_and_comments_are_stripped_icc_kept():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>'
    data = encode(
        gradient(64, 48),
        "JPEG",
        exif=exif_with(gps=True),
        xmp=xmp,
        comment=b"shot at home",
        icc_profile=icc,
    )
    assert opened(data).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the source really has GPS

    stored = read_upload(data)
    assert_no_metadata(stored.data)
    assert b"secret" not in stored.data and b"shot at home" not in stored.data
    assert opened(stored.data).info.get("icc_profile") == icc  # colour profile kept

    model = prepare_for_model(data)
    assert_no_metadata(model.data)
    assert "icc_profile" not in opened(model.data).info  # the model gets plain sRGB


def test_jpeg_upload_is_stored_as_jpeg_with_sha256_of_original():
    data = encode(gradient(120, 80), "JPEG", quality=90)
    stored = read_upload(data)
    assert isinstance(stored, UploadedImage)
    assert (stored.mime_type, stored.extension) == ("image/jpeg", "jpg")
    assert (stored.width, stored.height) == (120, 80)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert image_mime_type(stored.data) == "image/jpeg"


def test_cmyk_jpeg_becomes_rgb():
    data = encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", quality=95)
    assert opened(data).mode == "CMYK"
    stored = read_upload(data)
    image = opened(stored.data)
    assert image.mode == "RGB"
    r, g, b = image.getpixel((16, 16))
    assert r > 200 and g < 60 and b < 60  # still red
    model = prepare_for_model(data)
    assert opened(model.data).mode == "RGB"
    assert model.mime_type == "image/jpeg"


def test_sixteen_bit_greyscale_png_becomes_eight_bit():
    image = Image.new("I;16", (16, 8), 0x8000)
    image.putpixel((0, 0), 0xFFFF)
    data = encode(image, "PNG")
    assert opened(data).mode.startswith("I")
    stored = read_upload(data)
    assert stored.mime_type == "image/png"
    result = opened(stored.data)
    assert result.mode == "RGB"
    assert result.getpixel((5, 5)) == (128, 128, 128)  # scaled, not clipped to 255
    assert result.getpixel((0, 0)) == (255, 255, 255)
    assert opened(prepare_for_model(data).data).getpixel((5, 5))[0] in range(126, 131)


def test_palette_png_with_transparency_becomes_rgba_png():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.paste(1, (10, 0, 20, 20))
    data = encode(image, "PNG", transparency=0)
    stored = read_upload(data)
    result = opened(stored.data)
    assert (stored.mime_type, result.mode) == ("image/png", "RGBA")
    assert result.getpixel((2, 2))[3] == 0
    assert result.getpixel((15, 2)) == (0, 0, 255, 255)
    model = prepare_for_model(data)
    assert model.mime_type == "image/png"
    assert opened(model.data).mode == "RGBA"


def test_opaque_rgba_png_is_stored_and_sent_without_alpha():
    data = encode(gradient(30, 20, "RGBA"), "PNG")
    stored, model = prepare_upload(data)
    assert opened(stored.data).mode == "RGB"
    assert stored.mime_type == "image/png"  # a PNG stays lossless
    assert model.mime_type == "image/jpeg"


def test_gif_first_frame_is_stored_as_png():
    red = Image.new("RGB", (24, 16), (255, 0, 0))
    blue = Image.new("RGB", (24, 16), (0, 0, 255))
    data = encode(red, "GIF", save_all=True, append_images=[blue], duration=100, loop=0)
    assert image_mime_type(data) == "image/gif"
    stored = read_upload(data)
    assert (stored.mime_type, stored.extension) == ("image/png", "png")
    result = opened(stored.data)
    assert result.size == (24, 16)
    assert result.convert("RGB").getpixel((3, 3)) == (255, 0, 0)


def test_webp_lossy_and_with_alpha():
    data = encode(gradient(64, 40), "WEBP", quality=85)
    stored = read_upload(data)
    assert (stored.mime_type, stored.extension, stored.width) == ("image/webp", "webp", 64)
    assert prepare_for_model(data).mime_type == "image/jpeg"

    rgba = gradient(64, 40, "RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((64, 40)))
    data = encode(rgba, "WEBP", lossless=True)
    stored, model = prepare_upload(data)
    assert stored.mime_type == "image/webp"
    assert opened(stored.data).mode == "RGBA"
    assert model.mime_type == "image/png"
    assert opened(model.data).mode == "RGBA"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_large_image_is_downscaled_for_the_model(fmt):
    data = encode(gradient(4000, 3000), fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    model = prepare_for_model(data)
    assert isinstance(model, InputImage)
    assert (model.width, model.height) == (2048, 1536)
    assert opened(model.data).size == (2048, 1536)
    assert model.mime_type == "image/jpeg"

    stored, model2 = prepare_upload(data)
    assert (stored.width, stored.height) == (4000, 3000)  # the stored copy keeps its size
    assert (model2.width, model2.height) == (2048, 1536)


def test_max_side_and_portrait():
    data = encode(gradient(300, 900), "PNG")
    model = prepare_for_model(data, max_side=100)
    assert (model.width, model.height) == (33, 100)


def test_small_image_keeps_its_size():
    data = encode(gradient(640, 480), "JPEG")
    model = prepare_for_model(data)
    assert (model.width, model.height) == (640, 480)
    stored, model2 = prepare_upload(data)
    assert (stored.width, stored.height, model2.width, model2.height) == (640, 480, 640, 480)


def test_draft_decode_matches_full_decode_closely():
    data = encode(gradient(1200, 900), "JPEG", quality=95)
    drafted = opened(prepare_for_model(data, max_side=400).data)  # decoded at 1/2 scale
    reference = opened(data).resize(drafted.size, Image.Resampling.LANCZOS)
    diff = [abs(a - b) for a, b in zip(drafted.tobytes(), reference.tobytes(), strict=True)]
    assert sum(diff) / len(diff) < 2.0


def test_model_image_converted_to_srgb_from_wide_gamut_profile():
    # Mid-grey (128) in linear light is much lighter once converted to sRGB.
    icc = _linear_rgb_profile()
    assert icc is not None
    data = encode(Image.new("RGB", (16, 16), (128, 128, 128)), "PNG", icc_profile=icc)
    stored = read_upload(data)
    assert opened(stored.data).info.get("icc_profile") == icc  # stored copy keeps it
    model_pixel = opened(prepare_for_model(data).data).getpixel((8, 8))
    assert model_pixel[0] > 160, model_pixel


def _linear_rgb_profile() -> bytes | None:
    """An ICC profile of sRGB primaries with gamma 1.0, made by editing sRGB's tone curves."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = bytearray(srgb)
    (count,) = struct.unpack(">I", data[128:132])
    replaced = False
    for i in range(count):
        sig, offset, size = struct.unpack(">4sII", data[132 + 12 * i : 144 + 12 * i])
        if sig in (b"rTRC", b"gTRC", b"bTRC") and size >= 12:
            # A 'curv' with one entry: gamma as u8Fixed8 (1.0 = 0x0100).
            curve = b"curv" + b"\x00" * 4 + struct.pack(">I", 1) + struct.pack(">H", 0x0100)
            data[offset : offset + len(curve)] = curve
            struct.pack_into(">I", data, 132 + 12 * i + 8, len(curve))
            replaced = True
        if sig == b"desc":
            data[offset : offset + size] = data[offset : offset + size].replace(b"sRGB", b"lRGB")
            data[offset : offset + size] = data[offset : offset + size].replace(
                "sRGB".encode("utf-16-be"), "lRGB".encode("utf-16-be")
            )
    return bytes(data) if replaced else None


def test_encode_image_is_metadata_free():
    image = gradient(20, 20)
    image.info["exif"] = exif_with(gps=True)
    image.info["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.info["comment"] = b"hello"
    for fmt in ("PNG", "JPEG", "WEBP"):
        data = encode_image(image, format=fmt)
        assert_no_metadata(data)
        assert "icc_profile" not in opened(data).info
    rgba = gradient(20, 20, "RGBA")
    assert opened(encode_image(rgba, format="JPEG")).mode == "RGB"
    assert opened(encode_image(Image.new("I;16", (4, 4), 300), format="PNG")).mode == "RGB"
    with pytest.raises(ValueError):
        encode_image(image, format="BMP")


def test_image_mime_type_sniffing():
    assert image_mime_type(encode(gradient(8, 8), "PNG")) == "image/png"
    assert image_mime_type(encode(gradient(8, 8), "JPEG")) == "image/jpeg"
    assert image_mime_type(encode(gradient(8, 8), "WEBP")) == "image/webp"
    assert image_mime_type(encode(gradient(8, 8), "GIF")) == "image/gif"
    assert image_mime_type(encode(gradient(8, 8), "BMP")) == "image/bmp"
    assert image_mime_type(encode(gradient(8, 8), "TIFF")) == "image/tiff"
    assert image_mime_type(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "image/heic"
    assert image_mime_type(b"hello world") == "application/octet-stream"
    assert image_mime_type(b"") == "application/octet-stream"


def test_concurrent_use_is_safe():
    sources = [encode(gradient(300 + i * 10, 200), "JPEG") for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda d: prepare_for_model(d, max_side=128), sources))
    assert [r.width for r in results] == [128] * 8
    assert [r.height for r in results] == [round(200 * 128 / (300 + i * 10)) for i in range(8)]
