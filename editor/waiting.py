"""Waiting, for the editor's answers that wait: one task, several tasks, or a short job.

All of them wait on the event loop holding only the socket (``generation.api.waiting``):
:class:`WaitingForAll` waits for several tasks at once (the BeatSync batch),
:class:`WaitingForJob` for an :class:`~editor.models.EditorJob` (woken by the same
notifications as tasks where there are any, and by a short poll otherwise).
"""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from rest_framework.response import Response

from accounts.selectors import credits_balance
from core.api.problems import Problem
from generation.api.serializers import absolute, absolute_for
from generation.api.waiting import Waiting
from generation.live.hub import get_hub
from generation.live.waiting import fresh_read, wait_for_task
from generation.models import TaskHistory

from .errors import editor_error
from .models import EditorJob
from .presenters import image_result

JOB_POLL_SECONDS = 0.5


def image_answer(request, task: TaskHistory | None) -> Response:
    """A task as the editor's image result, or the editor's error for it."""
    if task is None:
        return editor_error(Problem(404, "not_found", "The task no longer exists."))
    if task.status == TaskHistory.Status.COMPLETED:
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
    if task.status == TaskHistory.Status.CANCELLED:
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


def _load_job(job_id) -> EditorJob | None:
    return fresh_read(lambda: EditorJob.objects.filter(pk=job_id).first())


async def wait_for_job(job_id, *, timeout: float) -> EditorJob | None:
    deadline = time.monotonic() + timeout
    with get_hub().watch(job_id) as watch:
        while True:
            watch.event.clear()
            job = await sync_to_async(_load_job)(job_id)
            if job is None or job.is_final:
                return job
            left = deadline - time.monotonic()
            if left <= 0:
                return job
            await watch.changed(min(left, JOB_POLL_SECONDS))


class WaitingForJob(Waiting):
    names_tasks = False  # an editor job, not a task

    def __init__(self, *, ticket, job_id, timeout: float | None = None, then) -> None:
        timeout = settings.AICEPS_SYNC_WAIT_SECONDS if timeout is None else timeout
        super().__init__(ticket=ticket, task_id=job_id, timeout=timeout, then=then)

    async def resolve(self, view, request):
        try:
            job = await wait_for_job(self.task_id, timeout=self.timeout)
        finally:
            self.ticket.release()
        return await sync_to_async(view.answer_after_wait)(request, job, self.then)
