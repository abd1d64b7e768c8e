"""File answers stream in chunks under ASGI (Django would read the whole file into memory
first), with FileResponse's headers; under WSGI they stay plain FileResponses."""

from __future__ import annotations

import asyncio
import os

from django.test import AsyncRequestFactory, RequestFactory

from core.http import CHUNK_BYTES, file_response


def test_under_asgi_a_file_streams_in_chunks_with_its_headers(tmp_path):
    data = os.urandom(3 * CHUNK_BYTES + 123)
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    handle = path.open("rb")
    response = file_response(
        AsyncRequestFactory().get("/"), handle, as_attachment=True, filename="export.zip"
    )
    assert response.is_async
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"] == 'attachment; filename="export.zip"'

    async def read_all() -> list[bytes]:
        return [chunk async for chunk in response]

    chunks = asyncio.run(read_all())
    response.close()
    assert b"".join(chunks) == data
    assert max(len(chunk) for chunk in chunks) == CHUNK_BYTES and len(chunks) == 4
    assert handle.closed


def test_under_wsgi_it_is_a_plain_file_response(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG" + b"x" * 10)
    response = file_response(RequestFactory().get("/"), path.open("rb"), content_type="image/png")
    assert not response.is_async
    assert b"".join(response.streaming_content) == path.read_bytes()
    response.close()
