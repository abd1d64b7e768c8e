"""GoTrue's error answers: ``{"code": <status>, "error_code": "...", "msg": "..."}``.

``@supabase/auth-js`` reads ``error_code`` (an ``AuthApiError``'s ``code``) and ``msg``; the
older ``error``/``error_description`` pair is sent too, for older clients."""

from __future__ import annotations

from core.errors import DomainError


class GoTrueError(DomainError):
    def __init__(self, status: int, error_code: str, message: str, **extra) -> None:
        super().__init__(message, code=error_code, status=status, **extra)


def gotrue_body(status: int, code: str, message: str, extra: dict | None = None) -> dict:
    return {
        "code": status,
        "error_code": code,
        "msg": message,
        "message": message,
        "error": code,
        "error_description": message,
        **(extra or {}),
    }
