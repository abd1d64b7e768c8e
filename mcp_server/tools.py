"""Calling a tool: check the arguments, apply the throttles, create and follow the task.

A task tool creates its task with ``task_create`` (validated by the task-type definitions,
priced and charged through the ledger, an API key's budget applied) under an idempotency key:
the agent's ``idempotency_key``, or one derived from the credential, the MCP session, the
request id and the arguments, so a client that sends the same request again is answered
with the same task and charged once. It then reports the task's progress as MCP progress
notifications and answers the result. When the client cancels the request, the task is
cancelled (and refunded) if it has not started; a task already running cannot be stopped and
is answered by ``get_task`` later.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
from django.conf import settings

from accounts.access import SubmitRateThrottle
from accounts.throttling import UserRateThrottle
from core.errors import DomainError, LimitError
from generation.api.waiting import Ticket, get_hub
from generation.selectors import task_current
from generation.services import TaskStateError, task_cancel, task_create

from . import catalogue
from .answers import error_answer, task_answer
from .inputs import check_arguments, task_input
from .principal import Principal, drf_request
from .progress import Reporter, close_sink, open_sink, step_of
from .reads import READS
from .sync import run_sync

if TYPE_CHECKING:
    from generation.models import TaskHistory

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Call:
    """One ``tools/call``: who, over which session and request, and how to report progress."""

    principal: Principal
    session: str  # the MCP session (HTTP) or the connection (stdio); "" when there is none
    request_id: str
    report: Callable[[float, float | None, str | None], Awaitable[None]]
    base_url: str = ""  # "https://host" over HTTP: links to the full-size files
    client_ip: str = ""

    def absolute(self):
        base = self.base_url or settings.AICEPS_PUBLIC_URL
        if not base:
            return None
        return lambda url: url if not url or "://" in url else f"{base.rstrip('/')}{url}"


def tool_table() -> dict[str, tuple[str, dict]]:
    """Every tool's (description, schema), generated now from the catalogue."""
    return {
        name: (description, schema)
        for name, description, schema in catalogue.task_tools() + catalogue.other_tools()
    }


def idempotency_key(call: Call, tool: str, arguments: dict) -> str | None:
    """The agent's key, or one derived from the request: the same request (same session,
    same JSON-RPC id, same arguments) sent again gets the same key. Without a session (the
    stateless 2026 protocol over HTTP) a request id says nothing: no key is derived."""
    explicit = (arguments.get("idempotency_key") or "").strip()
    if explicit:
        return explicit
    if not call.session:
        return None
    material = json.dumps(
        [call.principal.client_id, call.session, call.request_id, tool, arguments],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return "mcp-" + hashlib.sha256(material.encode()).hexdigest()


def _throttle(call: Call, *, submit: bool) -> None:
    request = drf_request(user=call.principal.user, client_ip=call.client_ip)
    for throttle in [UserRateThrottle(), *([SubmitRateThrottle()] if submit else [])]:
        if not throttle.allow_request(request, None):
            wait = throttle.wait() or 1.0
            raise LimitError(
                f"Too many requests; try again in {wait:.0f} s.",
                code="throttled",
                retry_after=wait,
            )


async def call_tool(call: Call, name: str, arguments: dict | None):
    arguments = dict(arguments or {})
    try:
        tools = await run_sync(tool_table)()
        if name not in tools:
            return error_answer("unknown_tool", f"No tool named {name!r}.", param="name")
        check_arguments(arguments, tools[name][1])
        is_task = name not in READS
        await run_sync(_throttle)(call, submit=is_task)
        if not is_task:
            return await run_sync(READS[name])(call.principal, arguments, absolute=call.absolute())
        return await _run_task_tool(call, name, arguments)
    except DomainError as error:
        extra = {k: v for k, v in error.extra.items() if isinstance(v, int | str | float)}
        if error.retry_after:
            extra["retry_after"] = error.retry_after
        return error_answer(error.code, error.message, param=error.param, **extra)


async def _run_task_tool(call: Call, name: str, arguments: dict):
    principal = call.principal
    key = idempotency_key(call, name, arguments)

    def create():
        data = task_input(name, arguments, user=principal.user)
        return task_create(
            user=principal.user,
            data=data,
            idempotency_key=key,
            source="mcp",
            api_key=principal.api_key,
        )

    ticket = Ticket(principal.user.pk)  # a waiter's slot, or 429 (LimitError)
    reporter = Reporter(call.report)
    sink, token = open_sink()
    creating = asyncio.ensure_future(run_sync(create)())
    close_sink(token)
    task: TaskHistory | None = None
    getting: asyncio.Future | None = None
    try:
        while not creating.done():  # an inline run reports its events while it is created
            getting = asyncio.ensure_future(sink.queue.get())
            done, _ = await asyncio.wait({creating, getting}, return_when=asyncio.FIRST_COMPLETED)
            if getting in done:
                await reporter(getting.result())
        await reporter.drain(sink)
        task = creating.result().task
        task = await _follow(task, reporter)
        return await run_sync(task_answer)(
            task, absolute=call.absolute(), api_key=principal.api_key
        )
    except anyio.get_cancelled_exc_class():
        with anyio.CancelScope(shield=True):
            if task is None:
                try:
                    task = (await creating).task
                except Exception:
                    task = None
            if task is not None:
                await run_sync(_cancel_quietly)(task)
        raise
    finally:
        if getting is not None:
            getting.cancel()
        ticket.release()


async def _follow(task: TaskHistory, reporter: Reporter) -> TaskHistory:
    """The task once final (or as it is after ``AICEPS_SYNC_WAIT_SECONDS``), reporting each
    change of stage and step as it is seen. Woken by the process's task notifications (its
    hub, from ``generation.api.waiting``), like the API's event streams; each read runs on
    :func:`run_sync`."""
    deadline = time.monotonic() + settings.AICEPS_SYNC_WAIT_SECONDS
    task_id, load = task.pk, run_sync(_reload)
    with get_hub().watch(task_id) as watch:
        while True:
            current = await watch.read(lambda: load(task_id))
            if current is None:
                return task
            task = current
            await reporter(step_of(task))
            left = deadline - time.monotonic()
            if task.is_final or left <= 0:
                return task
            await watch.changed(left)


def _reload(task_id) -> TaskHistory | None:
    return task_current(task_id=task_id)


def _cancel_quietly(task: TaskHistory) -> None:
    try:
        task_cancel(task=task)
        logger.info("mcp request cancelled: task cancelled", extra={"task_id": str(task.pk)})
    except TaskStateError:
        logger.info(
            "mcp request cancelled: the task had started and runs on",
            extra={"task_id": str(task.pk)},
        )
