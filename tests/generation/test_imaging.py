"""generation.imaging: decoding, validation and preparation of every image."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import ExifTags, Image, ImageCms

from generation import imaging
from generation.imaging import (
    ImageError,
    UploadedImage,
    decode_image,
    encode_image,
    image_mime_type,
    prepare_for_model,
    prepare_upload,
    read_upload,
)
from generation.providers.base import InputImage

# --- helpers ------------------------------------------------------------------------------


def gradient(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A cheap non-flat image: red across, green down, blue a radial gradient."""
    r = Image.linear_gradient("L").rotate(90).resize((width, height))
    g = Image.linear_gradient("L").resize((width, height))
    b = Image.radial_gradient("L").resize((width, height))
    image = Image.merge("RGB", (r, g, b))
    return image if mode == "RGB" else image.convert(mode)


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bilevel_png(width: int, height: int) -> bytes:
    """A complete, valid all-black 1-bit PNG of any size, built without holding its pixels:
    one compressed block of rows is repeated (each ends in a full flush)."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    rows_per_block = max(1, min(height, 4_000_000 // len(row)))
    block = row * rows_per_block
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    full, rest = divmod(height, rows_per_block)
    body = [segment] * full
    checksum = zlib.adler32(b"")
    for _ in range(full):
        checksum = zlib.adler32(block, checksum)
    if rest:
        tail = zlib.compressobj(9, zlib.DEFLATED, -15)
        body.append(tail.compress(row * rest) + tail.flush(zlib.Z_FULL_FLUSH))
        checksum = zlib.adler32(row * rest, checksum)
    body.append(b"\x01\x00\x00\xff\xff")  # final, empty stored block
    idat = b"\x78\xda" + b"".join(body) + struct.pack(">I", checksum)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def exif_with(orientation: int | None = None, gps: bool = False) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[ExifTags.GPS.GPSLatitudeRef] = "N"
        info[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
        info[ExifTags.GPS.GPSLongitudeRef] = "W"
        info[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return exif.tobytes()


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert not image.getexif(), "EXIF left in"
    assert "exif" not in image.info
    assert "xmp" not in image.info
    assert "comment" not in image.info
    assert b"Exif\x00\x00" not in data
    assert b"GPS" not in data


# --- happy paths --------------------------------------------------------------------------


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


# --- rejections ---------------------------------------------------------------------------


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
