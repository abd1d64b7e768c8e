"""A blocking HTTP client for a few connections at a time, multipart bodies, and synthetic
photos. (Many connections at once: ``bench/aclient.py``.)"""

from __future__ import annotations

import http.client
import io
import json
import uuid


class Client:
    """One keep-alive connection to 127.0.0.1, authenticated with a user's token (and the
    metrics token for ``/metrics``)."""

    def __init__(self, port: int, token: str, *, metrics_token: str = "") -> None:
        self.port, self.token, self.metrics_token = port, token, metrics_token
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        token = self.metrics_token if path.startswith("/metrics") else self.token
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        try:
            self.http.request(method, path, body=body, headers=headers)
            response = self.http.getresponse()
        except (http.client.HTTPException, ConnectionError):
            self.http.close()  # the server closed a kept-alive connection: once more
            self.http.request(method, path, body=body, headers=headers)
            response = self.http.getresponse()
        return response.status, response.read()

    def request_json(self, method: str, path: str, body=None, headers=None):
        status, data = self.request(method, path, body, headers)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, {"raw": data[:200]}

    def submit(self, image: bytes, prompt: str) -> tuple[int, dict]:
        body, content_type = multipart({"prompt": prompt}, [("image", "photo.jpg", image)])
        headers = {"Content-Type": content_type}
        return self.request_json("POST", "/api/v1/tasks", body, headers)

    def close(self) -> None:
        self.http.close()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its Content-Type; ``files`` are (field, file name,
    bytes), the type guessed from the name."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode()
        + b"\r\n"
        for name, value in fields.items()
    ]
    for field, filename, data in files:
        kind = "image/png" if filename.endswith(".png") else "image/jpeg"
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def photo(width: int, height: int, *, quality: int = 90, noise: float = 0.0) -> bytes:
    """A synthetic JPEG (``noise`` adds grain, to make a file of a realistic size)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    y = np.linspace(0, 1, height)[:, None, None]
    x = np.linspace(0, 1, width)[None, :, None]
    base = np.concatenate([90 + 60 * y + 0 * x, 150 + 60 * y - 30 * x, 230 - 150 * y + 0 * x], 2)
    if noise:
        base = base + rng.normal(0, noise, base.shape)
    image = Image.fromarray(base.clip(0, 255).astype("uint8"), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def flat_png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A PNG of one colour: a few hundred KB that decode to ``width × height × 3`` bytes
    (the kind of file that would sink a web process that decoded uploads)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()
