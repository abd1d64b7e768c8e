"""The one base of every error AicePS raises on purpose.

A :class:`DomainError` carries what each answer needs, so an adapter (the seed JSON, the v1
API, the OpenAI envelope, the editor's JSON, a page) only translates it:

``code``
    short and machine-readable (``insufficient_credits``, ``too_many_images``).
``status``
    the HTTP status an API answers with.
``retryable``
    whether the same call may succeed later (a timeout) or never will (a bad request).
``message``
    a sentence for the end user: what went wrong and what to do. Never names settings,
    hosts or stack traces.
``detail``
    for the operator (the log and the admin): the setting to change, the upstream answer.
``param``
    the request field at fault, when one is.
``retry_after``
    seconds to wait before trying again, when known.
``extra``
    further fields an answer shows (``available_credits``, ``task_id``).

Subclasses set ``code``, ``status`` and ``retryable`` as class attributes; any of them may be
given per instance too.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    # Class defaults; an instance given others keeps its own.
    code: str = "error"
    status: int = 400
    retryable: bool = False
    default_message: ClassVar[str] = "The request could not be completed."

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        retryable: bool | None = None,
        detail: str = "",
        param: str | None = None,
        retry_after: float | None = None,
        **extra: Any,
    ) -> None:
        message = message or self.default_message
        super().__init__(message)
        self.message = message
        # Instance values shadow the class defaults only when given.
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if retryable is not None:
            self.retryable = retryable
        self.detail = detail
        self.param = param
        self.retry_after = retry_after
        self.extra = extra

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, {self.message!r})"


class ValidationError(DomainError):
    """A request that breaks a rule of its task type or endpoint; nothing was charged."""

    code = "invalid_request"
    status = 400


class NotFoundError(DomainError):
    code = "not_found"
    status = 404
    default_message = "Not found."


class ConflictError(DomainError):
    code = "conflict"
    status = 409


class LimitError(DomainError):
    """Too many requests, streams or waits at once: try again after ``retry_after``."""

    code = "too_many_requests"
    status = 429
    retryable = True


class UnavailableError(DomainError):
    """A dependency (database, broker, a provider's configuration) cannot serve now."""

    code = "service_unavailable"
    status = 503
    retryable = True
