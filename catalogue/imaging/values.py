"""The plain image value that crosses the catalogue: what ``catalogue.imaging`` prepares and
what every provider is handed. No imports: providers and imaging both build on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputImage:
    """An image already decoded, validated and prepared by ``catalogue.imaging``.

    ``data`` holds encoded bytes (PNG or JPEG) no larger than 2048 px on the long side.
    """

    data: bytes
    mime_type: str
    width: int
    height: int
