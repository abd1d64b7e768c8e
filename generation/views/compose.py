"""The new-generation page: the form, its submission, and "run again"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import submission_throttled
from accounts.selectors import credits_balance
from accounts.throttling import RateLimiterUnavailable
from catalogue import task_types
from catalogue.imaging import ImageError, UploadedImage, inspect_upload
from catalogue.providers.base import Capabilities
from catalogue.providers.registry import (
    chain_capabilities,
    display_name,
    instruction_refusal,
    resolve_chain,
)
from core.errors import DomainError

from ..files import TaskFiles
from ..forms import ASPECT_RATIO_LABELS, SIDES, GenerationForm
from ..models import PromptTemplate, TaskHistory
from ..selectors import task_can_run_again, task_get
from ..services import TaskInput, chain_price, task_create, template_record_use
from ..services.workers import provider_served
from ..storage import read_bytes
from . import staging
from .messages import image_error_message, page_message

TaskType = TaskHistory.TaskType


@login_required
def new_generation(request):
    if request.method == "POST":
        return _submit(request)
    initial, kept = {}, []
    if source := request.GET.get("from"):
        task = task_get(user=request.user, task_id=source)
        if task is not None:
            initial = {
                "task_type": task.task_type,
                "prompt": task.prompt,
                "aspect_ratio": task.aspect_ratio or "1:1",
                "x": (task.parameters or {}).get("x"),
                "y": (task.parameters or {}).get("y"),
            }
            kept = staging.preview(request.user, task)
    elif slug := request.GET.get("template"):
        template = PromptTemplate.objects.filter(slug=slug, is_active=True).first()
        if template is not None:
            initial = {
                "task_type": template.task_type,
                "prompt": template.prompt,
                "aspect_ratio": template.aspect_ratio or "1:1",
                "template": slug,
            }
    return _render(request, GenerationForm(initial=initial), kept)


def _submit(request):
    user = request.user
    try:
        wait = submission_throttled(request)
    except RateLimiterUnavailable:  # the counters' cache is away: nothing passes uncounted
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        response["Cache-Control"] = "no-store"
        return response
    if wait is not None:
        response = _render(
            request,
            GenerationForm(request.POST),
            [],
            errors=[_("You are submitting too fast. Please wait a minute and try again.")],
            codes=["throttled"],
            status=429,
        )
        response["Retry-After"] = str(max(1, round(wait)))
        return response
    form = GenerationForm(request.POST)
    errors: list[str] = []
    codes: list[str] = []
    kept: list[staging.KeptImage] = []
    for ref in list(dict.fromkeys(request.POST.getlist("kept")))[: task_types.MAX_IMAGES]:
        try:
            kept.append(staging.resolve(user, ref))
        except staging.KeptImageError:
            errors.append(
                _("A photo you added earlier is no longer available. Please add it again.")
            )
            codes.append("kept_image_gone")
    new: list[UploadedImage] = []
    for upload in request.FILES.getlist("images"):
        try:
            if upload.size > settings.AICEPS_MAX_UPLOAD_BYTES:
                raise ImageError("file_too_large", "", status=413)
            new.append(inspect_upload(upload.read()))
        except ImageError as exc:
            errors.append(image_error_message(upload.name, exc))
            codes.append(exc.code)
    images = [item.image for item in kept] + new
    mask = None
    if upload := request.FILES.get("mask"):  # inpaint: white where the photo may change
        try:
            mask = inspect_upload(upload.read())
        except ImageError as exc:
            errors.append(image_error_message(upload.name, exc))
            codes.append(exc.code)
    status = 400
    if form.is_valid() and not errors:
        data = TaskInput(
            prompt=form.cleaned_data["prompt"],
            task_type=form.cleaned_data["task_type"],
            images=tuple(images),
            mask=mask,
            aspect_ratio=form.cleaned_data["aspect_ratio"],
            parameters=form.parameters(),
        )
        try:
            creation = task_create(user=user, data=data, source="web")
        except DomainError as exc:
            codes.append(exc.code)
            status = {"insufficient_credits": 402, "no_worker": 503}.get(exc.code, 400)
            message = page_message(exc)
            if exc.param in ("prompt", "x", "y", "scale", *SIDES):
                form.add_error(exc.param, message)
            else:
                errors.append(message)
        else:
            staging.discard(user, [item.ref for item in kept])
            if form.cleaned_data.get("template"):
                template_record_use(slug=form.cleaned_data["template"])
            messages.success(request, _("Your task was submitted."))
            return redirect("web:task", task_id=creation.task.pk)
    kept += [staging.stage(user, image) for image in new]
    return _render(request, form, kept, errors=errors, codes=codes, status=status)


class Offer:
    """What the configured image provider offers: prices and the task types it can do, read
    from its declared capabilities (the provider is never built here), and only while a live
    worker runs it: with none, nothing is offered and ``unserved`` names the providers."""

    def __init__(
        self,
        chain: tuple[str, ...],
        prices: dict[str, int],
        caps: Capabilities | None,
        unserved: tuple[str, ...] = (),
    ):
        self.chain, self.prices, self.caps = chain, prices, caps
        self.provider = chain[0] if chain else ""
        self.unserved = unserved  # the whole chain, when no live worker runs any of it

    @classmethod
    def current(cls) -> Offer:
        try:
            configured = resolve_chain(None, kind="image_provider")
            chain = tuple(name for name in configured if provider_served(name))
            caps = chain_capabilities(chain or configured)
        except DomainError:
            return cls((), {}, None)  # task_create will say what is wrong
        prices = {  # a chain is charged its dearest provider's price (and refunded after)
            value: chain_price(task_type=value, image_providers=chain or configured)
            for value, _label in task_types.choices()
        }
        return cls(chain or configured, prices, caps, () if chain else configured)

    def available(self, task_type: str) -> bool:
        if self.unserved:
            return False
        return self.caps is None or task_types.provider_can(self.caps, task_type)

    def images(self, task_type: str) -> tuple[int, int]:
        return task_types.image_range(task_type, self.caps)

    def refusal(self, task_type: str, instruction: str) -> str | None:
        """Why the providers would refuse these words (a preset's), or None when one of the
        chain may do them."""
        refusals = [
            instruction_refusal(name, task_type=task_type, instruction=instruction)
            for name in self.chain
        ]
        return refusals[0] if refusals and all(refusals) else None


def _render(request, form, kept, *, errors=(), codes=(), status: int = 200) -> HttpResponse:
    offer = Offer.current()
    prices = offer.prices
    templates = [
        {**item.localized(), "refusal": offer.refusal(item.task_type, item.prompt)}
        for item in PromptTemplate.objects.filter(is_active=True)
        if offer.available(item.task_type)
    ]
    types = [
        {
            "value": spec.value.value,
            "label": str(spec.label),
            "help": str(spec.help),
            "price": prices.get(spec.value.value),
            "needs": offer.images(spec.value),
            "available": offer.available(spec.value),
        }
        for spec in task_types.SPECS.values()
    ]
    most = max((item["needs"][1] for item in types if item["available"]), default=1)
    context = {
        "form": form,
        "kept": kept,
        "errors": errors,
        "error_codes": " ".join(codes),
        "templates": templates,
        "task_types": types,
        "prices": prices,
        "image_provider": offer.provider,
        "unserved": ", ".join(display_name(name) for name in offer.unserved),
        "balance": credits_balance(user=request.user),
        "max_images": most,
        "max_upload_mb": settings.AICEPS_MAX_UPLOAD_BYTES // (1024 * 1024),
        "aspect_ratio_labels": ASPECT_RATIO_LABELS,
        "selected_price": prices.get(form["task_type"].value() or TaskType.EDIT),
        "page_data": {
            "prices": prices,
            "maxImages": max(1, most),
            "needs": {item["value"]: item["needs"] for item in types},
            "strings": {
                "credit": _("%(count)d credit"),
                "credits": _("%(count)d credits"),
                "remove": _("Remove photo %(n)s"),
                "photo": _("Photo %(n)s"),
                "tooMany": _("Please use at most %(count)d photos.") % {"count": max(1, most)},
                "notImage": _("%(name)s is not a JPEG, PNG, WebP or GIF image."),
                "tooBig": _("%(name)s is larger than the %(limit)s MB limit."),
                "onlyFusion": _(
                    "This task takes one photo. Remove the extra photos, or choose Fusion."
                ),
            },
            "maxBytes": settings.AICEPS_MAX_UPLOAD_BYTES,
        },
    }
    return render(request, "generation/new.html", context, status=status)


@login_required
@require_POST
def task_rerun(request, task_id):
    """Submit the same inputs again as a new task."""
    task = task_get(user=request.user, task_id=task_id)
    if task is None:
        raise Http404
    if not task_can_run_again(task=task):
        messages.error(
            request,
            _("Run again would be refused the same way: change the instruction or the photos."),
        )
        return redirect("web:task", task_id=task.pk)
    try:
        images = tuple(staging.resolve(request.user, ref).image for ref in staging.task_refs(task))
        mask_name = TaskFiles(task).mask
        mask = inspect_upload(read_bytes(mask_name)) if mask_name else None
    except (staging.KeptImageError, ImageError, OSError):
        messages.error(request, _("The photos of this task are no longer available."))
        return redirect("web:task", task_id=task.pk)
    data = TaskInput(
        prompt=task.prompt,
        task_type=task.task_type,
        images=images,
        mask=mask,
        aspect_ratio=task.aspect_ratio,
        parameters=task.parameters or {},
    )
    try:
        creation = task_create(user=request.user, data=data, source="web")
    except DomainError as exc:
        messages.error(request, page_message(exc))
        return redirect("web:task", task_id=task.pk)
    messages.success(request, _("The task was submitted again."))
    return redirect("web:task", task_id=creation.task.pk)


@login_required
def staged_image(request, name: str):
    """A photo the user sent with a form that came back (only theirs: the key holds their id)."""
    if not staging.STAGED_NAME.match(name):
        raise Http404
    try:
        data = read_bytes(staging.staged_key(request.user, name))
    except Exception as exc:  # missing, on disk or S3
        raise Http404 from exc
    content_type = {
        "png": "image/png",
        "jpg": "image/jpeg",
        "webp": "image/webp",
        "gif": "image/gif",
    }
    response = HttpResponse(data, content_type=content_type[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
