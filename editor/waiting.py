"""Waiting, for the editor's answers that wait: one task, several tasks, or a text task.

All of them wait on the event loop holding only the socket (``generation.api.waiting``),
woken by the tasks' notifications: :class:`WaitingForAll` waits for several tasks at once
(the BeatSync batch), :func:`wait_for_text` for a text task (creative suggestions, story
scenes), whose answer :func:`text_answer` gives once and then forgets.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from django.conf import settings
from rest_framework.response import Response

from accounts.selectors import credits_balance
from core.api.problems import Problem
from generation.api.serializers import absolute, absolute_for
from generation.api.waiting import Waiting, wait_for_task
from generation.services import text_task_collect

from .errors import editor_error
from .presenters import image_result

if TYPE_CHECKING:
    from generation.models import TaskHistory


def image_answer(request, task: TaskHistory | None) -> Response:
    """A task as the editor's image result, or the editor's error for it."""
    if task is None:
        return editor_error(Problem(404, "not_found", "The task no longer exists."))
    if task.status == task.Status.COMPLETED:
        return Response(image_result(task, absolute=absolute_for(request)))
    fields = {"task_id": str(task.pk), "status": task.status}
    if not task.is_final:
        return editor_error(
            Problem(
                504,
                "still_running",
                "The image is taking longer than usual; it will appear in your task history "
                "when it is done.",
            ),
            status_url=absolute(request, f"/api/v1/tasks/{task.pk}"),
            **fields,
        )
    if task.status == task.Status.CANCELLED:
        return editor_error(Problem(409, "cancelled", "The task was cancelled."), **fields)
    problem = Problem(
        task.error_status or 502,
        task.error_code or "generation_failed",
        task.error_message or "The image could not be made.",
    )
    return editor_error(problem, credits_remaining=credits_balance(user=task.user), **fields)


class WaitingForAll(Waiting):
    """Wait for every task in ``task_ids`` (each up to ``timeout``), then ``then(tasks)``."""

    def __init__(self, *, ticket, task_ids, timeout: float, then) -> None:
        super().__init__(ticket=ticket, task_id=None, timeout=timeout, then=then)
        self.task_ids = list(task_ids)

    async def resolve(self, view, request):
        try:
            tasks = await asyncio.gather(
                *(wait_for_task(task_id, timeout=self.timeout) for task_id in self.task_ids)
            )
        finally:
            self.ticket.release()
        return await sync_to_async(view.answer_after_wait)(request, list(tasks), self.then)


def wait_for_text(*, ticket, task) -> Waiting:
    """Wait for a text task (``generation.services.text_task_create``) like for any task,
    then answer with :func:`text_answer`. Its id is never shown, not even when the database
    is away (``names_tasks``): it is not listed anywhere."""
    waiting = Waiting(
        ticket=ticket, task_id=task.pk, timeout=settings.AICEPS_SYNC_WAIT_SECONDS, then=text_answer
    )
    waiting.names_tasks = False
    return waiting


def text_answer(task: TaskHistory | None) -> Response:
    """A finished text task's answer (the task is then forgotten), or its error."""
    if task is None:
        return editor_error(Problem(404, "not_found", "The request was lost; try again."))
    if not task.is_final:
        return editor_error(Problem(504, "still_running", "This is taking too long; try again."))
    text_task_collect(task=task)
    if task.status == task.Status.COMPLETED:
        return Response({"success": True, **task.result})
    problem = Problem(task.error_status or 500, task.error_code or "failed", task.error_message)
    return editor_error(problem)
