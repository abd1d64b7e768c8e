"""File answers that stream on the event loop.

Under ASGI Django serves a ``FileResponse`` (a synchronous iterator) by reading the whole
file into memory in a thread first, then sending it: an export of several hundred MB would
sit in a web process's memory. :func:`file_response` keeps ``FileResponse``'s headers
(length, type, attachment name) and, under ASGI, reads the file in chunks off the event
loop as it is sent, so memory stays at one chunk per download.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse

CHUNK_BYTES = 256 * 1024


def file_response(request, handle, **kwargs) -> FileResponse:
    response = FileResponse(handle, **kwargs)  # closes ``handle`` when the answer is done
    if isinstance(getattr(request, "_request", request), ASGIRequest):
        response.streaming_content = _chunks(handle)
    return response


async def _chunks(handle):
    read = sync_to_async(handle.read, thread_sensitive=False)
    while chunk := await read(CHUNK_BYTES):
        yield chunk
