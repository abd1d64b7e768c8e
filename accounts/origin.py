"""Whether a browser request comes from a page of AicePS's own origin.

A cookie is sent by the browser whoever made the page, so a call authenticated by the
session cookie alone must prove where it comes from, or a page on another site could spend
the user's credits. Browsers say it in two headers no page can forge: ``Origin`` (on every
cross-origin request and on same-origin ``POST``/``PUT``/``DELETE``) and ``Sec-Fetch-Site``
(Chromium, Firefox and Safari send it on every request).

* ``Origin`` present: it must be this server's own origin (scheme and host as this request
  arrived, ``SECURE_PROXY_SSL_HEADER`` respected) or one of ``DJANGO_CSRF_TRUSTED_ORIGINS``.
  ``Origin: null`` (sandboxed frames, privacy redirects) is never ours.
* no ``Origin``, ``Sec-Fetch-Site`` present: ``same-origin``, or ``none`` (the user typed the
  address) for reads.
* neither (an old browser, a script): reads only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def own_origin(request) -> str | None:
    try:
        return f"{request.scheme}://{request.get_host()}".lower()
    except DisallowedHost:
        return None


def origin_is_trusted(origin: str, request) -> bool:
    origin = origin.strip().lower().rstrip("/")
    if origin == "null" or not origin:
        return False
    trusted = {value.lower().rstrip("/") for value in settings.CSRF_TRUSTED_ORIGINS}
    return origin == own_origin(request) or origin in trusted


def is_same_origin(request) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin_is_trusted(origin, request)
    site = (request.headers.get("Sec-Fetch-Site") or "").lower()
    if site:
        return site == "same-origin" or (site == "none" and request.method in SAFE_METHODS)
    return request.method in SAFE_METHODS
