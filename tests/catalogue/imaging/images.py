"""Images made in code for the imaging tests, and checks on encoded bytes."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image


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
