"""The content security policy of the pages (``AICEPS_CSP``), native in both WSGI and ASGI.

Pages are served from AicePS's own origin with their scripts and styles in files, so the
policy allows scripts only from it, forbids framing and plugins, and lists the storage's
origin for images. JSON answers, files that already set a policy, and responses marked
``csp_exempt`` (a front end built elsewhere, with its own sources: see editor.spa) are left as
they are.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings


class ContentSecurityPolicyMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self._async:
            return self.__acall__(request)
        return self._apply(self.get_response(request))

    async def __acall__(self, request):
        return self._apply(await self.get_response(request))

    @staticmethod
    def _apply(response):
        policy = settings.AICEPS_CSP
        content_type = response.get("Content-Type", "")
        if (
            policy
            and content_type.startswith("text/html")
            and "Content-Security-Policy" not in response
            and not getattr(response, "csp_exempt", False)
        ):
            response["Content-Security-Policy"] = policy
        return response
