"""The gunicorn worker class of production: uvicorn, configured for AicePS."""

from __future__ import annotations

import os

from uvicorn_worker import UvicornWorker


class AicepsUvicornWorker(UvicornWorker):
    """uvicorn with its fast parser and loop (uvloop, httptools) and a connection cap
    (``AICEPS_WEB_CONNECTIONS``, 503 beyond). uvicorn leaves ``X-Forwarded-*`` alone: the
    client's address is ``core.client_address``'s (``AICEPS_TRUSTED_PROXIES``), the scheme
    Django's ``SECURE_PROXY_SSL_HEADER`` (production settings), so one setting decides whom
    AicePS believes."""

    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "loop": "auto",
        "http": "auto",
        "lifespan": "on",
        "limit_concurrency": int(os.environ.get("AICEPS_WEB_CONNECTIONS", 5000)),
        "proxy_headers": False,
        "timeout_keep_alive": 5,
    }
