"""The one exception every refused image raises, and the refusals shared between steps."""

from __future__ import annotations

from core.errors import DomainError

from .formats import PIL_FORMATS


class ImageError(DomainError):
    """An image was refused. ``code`` is machine-readable, ``message`` is for the end user
    and ``status`` is the HTTP status the API should answer with (400 or 413)."""

    def __init__(self, code: str, message: str, *, status: int = 400, param: str = "image") -> None:
        super().__init__(message, code=code, status=status, param=param)

    def __repr__(self) -> str:
        return f"ImageError(code={self.code!r}, status={self.status}, message={self.message!r})"


def bomb_error(width: int | None = None, height: int | None = None) -> ImageError:
    size = f" ({width}×{height} pixels)" if width and height else ""
    return ImageError(
        "decompression_bomb",
        f"The image's dimensions{size} are implausibly large for its file size, so it was "
        "not opened. Please upload a regular photo.",
    )


def damaged_error(mime: str) -> ImageError:
    name = PIL_FORMATS.get(mime, "image")
    return ImageError(
        "truncated_image",
        f"The {name} file is incomplete or damaged and could not be read. "
        "Please upload it again or export it anew.",
    )
