"""Which formats are accepted, how each is stored, and telling formats apart by magic bytes."""

from __future__ import annotations

ACCEPTED_MIME_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
ACCEPTED_NAMES = "JPEG, PNG, WebP or GIF"
# What a provider's result may be (``GeneratedImage.mime_type``), told by ``image_mime_type``.
RESULT_MIME_TYPES = ("image/png", "image/jpeg", "image/webp")
PIL_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}
STORED_FORMAT = {  # source mime -> (stored mime, extension)
    "image/jpeg": ("image/jpeg", "jpg"),
    "image/png": ("image/png", "png"),
    "image/webp": ("image/webp", "webp"),
    "image/gif": ("image/png", "png"),
}
FORMAT_NAMES = {
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
