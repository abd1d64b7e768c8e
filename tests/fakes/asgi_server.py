"""AicePS's real ASGI application served by uvicorn in a thread, for tests of what crosses
the wire (event streams, waiting answers, body limits, real clients such as the ``openai``
SDK or a browser).

``asgi_server`` (function scope, needs the transactional database: the server's threads
see only committed rows) yields an object with ``.url`` (``http://127.0.0.1:PORT``),
``.port`` and ``.threads()`` (this process's thread count, for the "a socket, never a
thread" checks). Tasks run inline in the test settings; set ``Conf.SYNC = False`` and start
a worker (``tests.fakes.worker``) to run them in a real queue.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AsgiServer:
    def __init__(self, **config) -> None:
        import uvicorn

        from operations.serving import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = uvicorn.Config(
            application(),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            **config,
        )
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self._serve, name="asgi-server", daemon=True)

    def _serve(self) -> None:
        asyncio.run(self.server.serve())

    def start(self) -> AsgiServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the ASGI test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        from core.threads import close_connections

        self.server.should_exit = True
        self.thread.join(timeout=10)
        close_connections()  # the test database can then be flushed and dropped

    @staticmethod
    def threads() -> int:
        return threading.active_count()


@pytest.fixture
def asgi_server(transactional_db, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    server = AsgiServer().start()
    try:
        yield server
    finally:
        server.stop()
