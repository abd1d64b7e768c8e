"""The editor's generation calls: ``edit-image``, ``generate-image``,
``generate-batch-images`` and ``creative-suggestions``.

Each becomes a ``TaskInput`` for ``task_create`` (which validates, prices and charges it),
under a waiting slot taken first, and the answer waits for the task on the event loop.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import get_language
from rest_framework import serializers
from rest_framework.response import Response

from core.errors import DomainError, ValidationError
from generation.api.access import SubmitRateThrottle, UserRateThrottle, acting_user
from generation.api.errors import Problem, problem_for
from generation.api.inputs import build_task_input, read_files
from generation.api.waiting import Waiting, WaitingApiView
from generation.live.slots import reserved
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, template_record_use

from ..access import EditorApiMixin
from ..errors import editor_body, editor_error
from ..kinds import parse_hotspot, task_type_for
from ..models import EditorJob
from ..services.jobs import job_collect, job_create
from ..suggestions import KINDS
from ..waiting import WaitingForAll, WaitingForJob, image_answer

TaskType = TaskHistory.TaskType


def wait_for(request, ticket, task) -> Waiting:
    return Waiting(
        ticket=ticket,
        task_id=task.pk,
        timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
        then=lambda final: image_answer(request, final),
    )


class EditImageApi(EditorApiMixin, WaitingApiView):
    """``POST /api/edit-image``: multipart ``image`` (``images`` for fusion, the main photo
    first), ``prompt``, ``type``, optional ``hotspot``."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]

    def post(self, request):
        hotspot = parse_hotspot(request.data.get("hotspot"))
        task_type = task_type_for(request.data.get("type", "edit"), hotspot=bool(hotspot))
        files = [*request.FILES.getlist("image"), *request.FILES.getlist("images")]
        prompt = str(request.data.get("prompt") or "")
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            data = build_task_input(
                prompt=prompt, task_type=task_type, image_files=files, parameters=hotspot
            )
            task = task_create(user=user, data=data, source="editor").task
            template_record_use(prompt=data.prompt)
            return wait_for(request, ticket, task)


class GenerateImageApi(EditorApiMixin, WaitingApiView):
    """``POST /api/generate-image``: JSON ``{prompt, aspectRatio}``."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]

    class InputSerializer(serializers.Serializer):
        prompt = serializers.CharField(max_length=4000)
        aspectRatio = serializers.CharField(required=False, allow_blank=True, max_length=8)

    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prompt = serializer.validated_data["prompt"]
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            data = build_task_input(
                prompt=prompt,
                task_type=TaskType.TEXT_TO_IMAGE,
                image_files=[],
                aspect_ratio=serializer.validated_data.get("aspectRatio") or "1:1",
            )
            task = task_create(user=user, data=data, source="editor").task
            template_record_use(prompt=data.prompt)
            return wait_for(request, ticket, task)


class BatchImagesApi(EditorApiMixin, WaitingApiView):
    """``POST /api/generate-batch-images``: multipart ``image`` and ``prompts`` (a JSON list);
    one style task per prompt, each answered ``done`` or ``error`` on its own (one that
    cannot be paid for is an error, the others still run)."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]

    def post(self, request):
        prompts = self.prompts(request.data.get("prompts"))
        task_type = task_type_for(request.data.get("type", "style"), hotspot=False)
        images = read_files(request.FILES.getlist("image")[:1], field="image")
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            entries: list[dict | TaskHistory] = []
            for prompt in prompts:
                data = TaskInput(prompt=prompt.strip(), task_type=task_type, images=images)
                try:
                    entries.append(task_create(user=user, data=data, source="editor").task)
                except DomainError as exc:
                    entries.append({"status": "error", **self.failure(exc)})
            created = [entry.pk for entry in entries if isinstance(entry, TaskHistory)]
            if not created:
                ticket.release()
                return Response(self.answer(request, entries, []))
            return WaitingForAll(
                ticket=ticket,
                task_ids=created,
                timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
                then=lambda tasks: Response(self.answer(request, entries, tasks)),
            )

    def prompts(self, raw) -> list[str]:
        try:
            prompts = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            prompts = None
        most = settings.AICEPS_EDITOR_MAX_BATCH
        if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
            raise ValidationError(
                "prompts must be a JSON list of strings.", code="invalid_prompts", param="prompts"
            )
        if not 1 <= len(prompts) <= most:
            raise ValidationError(
                f"Send from 1 to {most} prompts.", code="invalid_prompts", param="prompts"
            )
        return prompts

    def failure(self, exc: Exception) -> dict:
        problem = problem_for(exc)
        body = editor_body(problem) if problem else {"error": "failed", "code": "internal_error"}
        return {"error": body["error"], "code": body["code"]}

    def answer(self, request, entries, tasks) -> dict:
        final = {task.pk: task for task in tasks if task is not None}
        images = []
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                images.append({"index": index, **entry})
                continue
            task = final.get(entry.pk, entry)
            body = image_answer(request, task).data
            if task.status == TaskHistory.Status.COMPLETED:
                images.append(
                    {
                        "index": index,
                        "status": "done",
                        "url": body["imageUrl"],
                        "filename": body["filename"],
                        "task_id": str(task.pk),
                    }
                )
            else:
                images.append(
                    {
                        "index": index,
                        "status": "error",
                        "error": body["error"],
                        "code": body["code"],
                        "task_id": str(task.pk),
                    }
                )
        return {"success": True, "images": images}


class CreativeSuggestionsApi(EditorApiMixin, WaitingApiView):
    """``POST /api/creative-suggestions``: multipart ``image`` and ``type`` (``filter``,
    ``adjustment`` or ``texture``); four ``{name, prompt}``, made on a worker."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]

    def post(self, request):
        kind = str(request.data.get("type") or "")
        if kind not in KINDS:
            raise ValidationError(
                "type must be filter, adjustment or texture.", code="invalid_type", param="type"
            )
        images = read_files(request.FILES.getlist("image")[:1], field="image")
        if not images:
            raise ValidationError("Send the photo (field 'image').", code="missing_image")
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            job = job_create(
                user=user,
                kind=EditorJob.Kind.SUGGESTIONS,
                payload={"type": kind, "language": get_language() or "en"},
                image=images[0],
            )
            return WaitingForJob(ticket=ticket, job_id=job.pk, then=job_answer)


def job_answer(job: EditorJob | None) -> Response:
    """A finished job's result as the answer (the job is then forgotten), or its error."""
    if job is None:
        return editor_error(Problem(404, "not_found", "The request was lost; try again."))
    if not job.is_final:
        return editor_error(Problem(504, "still_running", "This is taking too long; try again."))
    job_collect(job=job)
    if job.status == EditorJob.Status.DONE:
        return Response({"success": True, **job.result})
    problem = Problem(job.error_status or 500, job.error_code or "failed", job.error_message)
    return editor_error(problem)
