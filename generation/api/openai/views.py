"""OpenAI-compatible images API, so the official ``openai`` client, LiteLLM and the tools built
on them work unchanged.

``openai.OpenAI(base_url="http://HOST/v1", api_key=<AicePS token>).images.edit(...)`` runs a
task through the same services as every other endpoint (credits, history, queue) and answers
OpenAI's ``ImagesResponse`` (``revised_prompt`` carries the professional prompt), or with
``stream=True`` its server-sent events. Requests are read and checked in ``params`` before
anything is charged; the answer waits on the event loop (``WaitingApiView``), holding a
socket and no thread.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import (
    ApiViewMixin,
    SubmitRateThrottle,
    UserRateThrottle,
    acting_api_key,
    acting_user,
)
from core.api.problems import ApiError
from core.errors import ValidationError
from generation.live.slots import reserved
from generation.models import TaskHistory
from generation.services import task_create

from ..inputs import IDEMPOTENCY_PARAMETER, build_task_input, idempotency_key_of, webhook_of
from ..serializers import absolute_for
from ..waiting import Waiting, WaitingApiView, last_event_id
from .answers import failure, images_response, ledger_headers
from .documents import IMAGES_RESPONSES, request_schema
from .params import ImagesCall, read_call
from .streaming import image_stream


class JsonAnswers(DefaultContentNegotiation):
    """Parse by Content-Type as usual; answer JSON whatever ``Accept`` says (a streaming
    client sends ``text/event-stream``, and its errors are JSON too)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _ImagesApi(WaitingApiView):
    error_shape = "openai"
    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    content_negotiation_class = JsonAnswers
    task_type = TaskHistory.TaskType.EDIT
    event_prefix = "image_edit"

    def _run(self, request, call: ImagesCall, image_files, mask_file=None, inpaint=False):
        """``inpaint``: a mask came with the edit, which OpenAI's API reads as inpainting."""
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            webhook, progress = webhook_of(request)  # X-AicePS-Webhook: not an OpenAI field
            task_input = build_task_input(
                prompt=call.prompt,
                task_type=TaskHistory.TaskType.INPAINT if inpaint else self.task_type,
                image_files=image_files,
                mask_file=mask_file,
                aspect_ratio=call.aspect_ratio,
                # OpenAI's masks are transparent where the photo may change (ours: white or
                # opaque); the worker reads the mask so (it decodes pixels, this process not).
                parameters={**call.parameters(), **({"mask_alpha": "edit"} if inpaint else {})},
                image_provider=call.provider,
                webhook_url=webhook,
                webhook_progress=progress,
            )
            try:
                task = task_create(
                    user=user,
                    data=task_input,
                    idempotency_key=idempotency_key_of(request),
                    source="openai",
                    api_key=acting_api_key(request),
                ).task
            except ValidationError as error:
                if error.param == "task_type":  # what the model cannot do: OpenAI's "model"
                    error.param = "model"
                raise
            if call.stream:
                return image_stream(
                    call,
                    task.pk,
                    ticket=ticket,
                    prefix=self.event_prefix,
                    headers=ledger_headers(task),
                    seen=last_event_id(request),
                )
            return Waiting(
                ticket=ticket,
                task_id=task.pk,
                timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
                then=lambda final: self._answer(request, call, final),
            )

    def _answer(self, request, call: ImagesCall, task: TaskHistory | None) -> Response:
        if task is None or task.status != TaskHistory.Status.COMPLETED:
            response = self.handle_exception(failure(task))
            if task is not None and not task.is_final:
                response["x-should-retry"] = "false"  # still running and charged: no resubmit
            return response
        body = images_response(call, task, absolute_for(request))
        return Response(body, headers=ledger_headers(task))


class ImagesEditsApi(_ImagesApi):
    @extend_schema(
        summary="Edit images (OpenAI's images.edit)",
        request={"multipart/form-data": request_schema(edit=True)},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=IMAGES_RESPONSES,
    )
    def post(self, request):
        call = read_call(request.data, edit=True)
        files = request.FILES.getlist("image") + request.FILES.getlist("image[]")
        if not files:
            raise ApiError(
                "missing_image", "Send the image to edit in 'image' (or 'image[]').", param="image"
            )
        mask = request.FILES.get("mask")
        return self._run(request, call, files, mask, inpaint=mask is not None)


class ImagesGenerationsApi(_ImagesApi):
    task_type = TaskHistory.TaskType.TEXT_TO_IMAGE
    event_prefix = "image_generation"

    @extend_schema(
        summary="Create images from text (OpenAI's images.generate)",
        request={"application/json": request_schema(edit=False)},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=IMAGES_RESPONSES,
    )
    def post(self, request):
        return self._run(request, read_call(request.data, edit=False), [])


class UnknownRouteApi(ApiViewMixin, APIView):
    """Any other ``/v1/...`` path: OpenAI's 404 envelope instead of an HTML page."""

    error_shape = "openai"
    permission_classes = []
    schema = None  # not an endpoint

    def _missing(self, request, path: str = ""):
        raise ApiError("not_found", f"Invalid URL ({request.method} /v1/{path}).", 404)

    get = post = put = patch = delete = _missing
