"""Synchronous work (the ORM, storage) from the MCP server's event loop.

MCP sessions outlive the HTTP request that opened them, so their handlers cannot borrow a
request's thread-sensitive context: each piece of work runs on the loop's own thread pool and
closes the database connections it opened when it is done (a worker thread keeps none open).
"""

from __future__ import annotations

import functools

from asgiref.sync import sync_to_async
from django.db import connections


def run_sync(function):
    @functools.wraps(function)
    def closing(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    return sync_to_async(closing, thread_sensitive=False)
