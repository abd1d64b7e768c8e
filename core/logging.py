"""Log lines with their context: task id, user, provider, duration, outcome.

``log_context(task_id=..., user_id=...)`` attaches fields to every line logged inside it (the
worker wraps each task in one), and ``extra=`` fields of a call are kept too. Lines are
``key=value`` text by default and one JSON object each when AICEPS_LOG_JSON is on. Callers
never pass secrets or image bytes; values are shortened so a stray blob can't flood a log.
"""

from __future__ import annotations

import contextlib
import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "context"}
_context: ContextVar[dict | None] = ContextVar("aiceps_log_context", default=None)
MAX_VALUE_CHARS = 300


@contextlib.contextmanager
def log_context(**fields):
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def _fields(record: logging.LogRecord) -> dict:
    fields = dict(_context.get() or {})
    for key, value in vars(record).items():
        if key not in _RESERVED and not key.startswith("_"):
            fields[key] = value
    return {key: _plain(value) for key, value in fields.items()}


def _plain(value):
    if isinstance(value, (int, float, bool, type(None))):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        return f"{line} {extras}" if extras else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)
