"""Static files through WhiteNoise, as middleware that is native in both WSGI and ASGI.

WhiteNoise's own middleware is sync-only. Under ASGI Django would then run everything after
it (every view, every wait) inside a thread that blocks until the response is ready, so a
client waiting 60 s for an image would hold a thread for 60 s. This one answers static files
itself and otherwise awaits the next handler on the event loop. In production nginx serves
``/static/`` (``ops/nginx/aiceps.conf``) and this is a fallback.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    sync_capable = True
    async_capable = True

    def __init__(self, get_response=None, **kwargs):
        super().__init__(get_response, **kwargs)
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def _static_file(self, request):
        if self.autorefresh:  # development: looks the file up on disk (finders) each time
            return self.find_file(request.path_info)
        return self.files.get(request.path_info)

    def __call__(self, request):
        if self._async:
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request):
        if not request.path_info.startswith(self.static_prefix):
            return await self.get_response(request)
        if self.autorefresh:  # a look on disk, in a thread
            static_file = await sync_to_async(self._static_file)(request)
        else:
            static_file = self._static_file(request)
        if static_file is None:
            return await self.get_response(request)
        return self.serve(static_file, request)
