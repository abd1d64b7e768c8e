"""The hub's one listening connection per process: Redis pub/sub or PostgreSQL LISTEN.

Each runs until cancelled, reconnecting with a growing pause when the server goes away. The
hub polls at its fast tick while its listener is not connected (``hub.listening`` is False):
with Redis away, waiters learn of changes from the database within
``AICEPS_NOTIFY_POLL_SECONDS``, as on SQLite.
"""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings
from django.db import connections

from .publish import PG_CHANNEL, redis_channel

logger = logging.getLogger(__name__)
MAX_PAUSE_SECONDS = 10.0


async def _reconnecting(name: str, session, hub) -> None:
    pause = 0.5
    while True:
        try:
            await session()  # returns only when the server ended the session
            hub.listening = False
            pause = 0.5
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            hub.listening = False
            logger.warning(
                "task listener lost its connection",
                extra={"listener": name, "error": type(exc).__name__, "retry_s": pause},
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE_SECONDS)


async def redis(hub) -> None:
    import redis.asyncio as aioredis

    async def session() -> None:
        client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(redis_channel())
                hub.listening = True
                hub.wake(list(hub.watches))  # a change may have passed while connecting
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        hub.on_message(message["data"])
        finally:
            await client.aclose()

    await _reconnecting("redis", session, hub)


def _conninfo() -> dict:
    db = connections["default"].settings_dict  # the test database's name under pytest
    options = db.get("OPTIONS") or {}
    info = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "connect_timeout": options.get("connect_timeout", 5),
    }
    return {key: value for key, value in info.items() if value is not None}


async def postgres(hub) -> None:
    import psycopg

    async def session() -> None:
        conn = await psycopg.AsyncConnection.connect(autocommit=True, **_conninfo())
        try:
            await conn.execute(f"LISTEN {PG_CHANNEL}")
            hub.listening = True
            hub.wake(list(hub.watches))  # a change may have passed while connecting
            async for notify in conn.notifies():
                hub.on_message(notify.payload)
        finally:
            await conn.close()

    await _reconnecting("postgres", session, hub)
