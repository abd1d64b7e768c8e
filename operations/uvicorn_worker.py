"""The gunicorn worker class of production: uvicorn, configured for AicePS."""

from __future__ import annotations

import os

from uvicorn_worker import UvicornWorker


class AicepsUvicornWorker(UvicornWorker):
    """uvicorn with its fast parser and loop (uvloop, httptools), a connection cap
    (``AICEPS_WEB_CONNECTIONS``, 503 beyond), and ``X-Forwarded-*`` trusted only from nginx
    on the same host (``AICEPS_FORWARDED_ALLOW_IPS``)."""

    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "loop": "auto",
        "http": "auto",
        "lifespan": "on",
        "limit_concurrency": int(os.environ.get("AICEPS_WEB_CONNECTIONS", 5000)),
        "proxy_headers": True,
        "forwarded_allow_ips": os.environ.get("AICEPS_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "timeout_keep_alive": 5,
    }
