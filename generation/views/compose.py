"""The new-generation page: the form, its submission, and "run again"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import credits_balance
from accounts.services import InsufficientCreditsError

from ..forms import (
    ASPECT_RATIO_LABELS,
    MAX_IMAGES,
    TASK_TYPE_HELP,
    GenerationForm,
    images_needed,
)
from ..imaging import ImageError, UploadedImage, read_upload
from ..models import PromptTemplate, TaskHistory
from ..providers.base import Capabilities, ProviderError
from ..providers.registry import get_image_provider, resolve_name
from ..selectors import task_get
from ..services import TaskError, TaskInput, task_create, task_price
from ..storage import read_bytes
from . import staging
from .messages import image_error_message, insufficient_credits_message

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
    form = GenerationForm(request.POST)
    errors: list[str] = []
    kept: list[staging.KeptImage] = []
    for ref in list(dict.fromkeys(request.POST.getlist("kept")))[:MAX_IMAGES]:
        try:
            kept.append(staging.resolve(user, ref))
        except staging.KeptImageError:
            errors.append(
                _("A photo you added earlier is no longer available. Please add it again.")
            )
    new: list[UploadedImage] = []
    for upload in request.FILES.getlist("images"):
        try:
            if upload.size > settings.AICEPS_MAX_UPLOAD_BYTES:
                raise ImageError("file_too_large", "", status=413)
            new.append(read_upload(upload.read()))
        except ImageError as exc:
            errors.append(image_error_message(upload.name, exc))
    images = [item.image for item in kept] + new
    status = 400
    if form.is_valid():
        task_type = form.cleaned_data["task_type"]
        offer = Offer.current()
        if not offer.available(task_type):
            errors.append(
                _("“%(type)s” is not available on this server: its image model cannot do it.")
                % {"type": TaskType(task_type).label}
            )
        errors += _image_count_errors(task_type, len(images), bool(errors), offer.max_inputs)
        if task_type == TaskType.TEXT_TO_IMAGE:
            images = []
        elif task_type == TaskType.HOTSPOT and images:
            errors += _hotspot_errors(form, images[0])
    if form.is_valid() and not errors:
        data = TaskInput(
            prompt=form.cleaned_data["prompt"],
            task_type=form.cleaned_data["task_type"],
            images=tuple(images),
            aspect_ratio=form.cleaned_data["aspect_ratio"],
            parameters=form.parameters(),
        )
        try:
            creation = task_create(user=user, data=data, source="web")
        except InsufficientCreditsError as exc:
            errors.append(insufficient_credits_message(exc))
            status = 402
        except (TaskError, ProviderError) as exc:
            errors.append(exc.message)
        else:
            staging.discard(user, [item.ref for item in kept])
            messages.success(request, _("Your task was submitted."))
            return redirect("web:task", task_id=creation.task.pk)
    kept += [staging.stage(user, image) for image in new]
    return _render(request, form, kept, errors=errors, status=status)


def _image_count_errors(task_type: str, count: int, had_errors: bool, max_inputs: int):
    fewest, most = images_needed(task_type, max_inputs)
    if task_type == TaskType.TEXT_TO_IMAGE:
        return []  # photos are not used (the page hides them)
    if count < fewest:
        if had_errors:
            return []  # the photo's own error says it all
        if fewest == 1:
            return [_("Please add a photo to edit.")]
        return [_("Fusion needs at least two photos: the main one and one to blend in.")]
    if count > most and task_type == TaskType.FUSION:
        return [_("Please use at most %(count)d photos.") % {"count": most}]
    if count > most:
        return [
            _("Only Fusion combines several photos. Remove the extra photos, or choose Fusion.")
        ]
    return []


def _hotspot_errors(form: GenerationForm, image: UploadedImage) -> list[str]:
    x, y = form.cleaned_data["x"], form.cleaned_data["y"]
    if x >= image.width or y >= image.height:
        return [
            _(
                "The point (%(x)d, %(y)d) is outside the photo (%(width)d×%(height)d pixels). "
                "Click the photo to choose it."
            )
            % {"x": x, "y": y, "width": image.width, "height": image.height}
        ]
    return []


class Offer:
    """What the configured image provider offers: prices and the task types it can do."""

    def __init__(self, provider: str, prices: dict[str, int], caps: Capabilities | None):
        self.provider, self.prices, self.caps = provider, prices, caps
        self.max_inputs = caps.max_input_images if caps else MAX_IMAGES

    @classmethod
    def current(cls) -> Offer:
        try:
            provider = resolve_name(None, kind="image_provider")
        except ProviderError:
            return cls("", {}, None)
        prices = {
            value: task_price(task_type=value, image_provider=provider) for value in TaskType.values
        }
        try:
            caps = get_image_provider(provider).capabilities
        except ProviderError:
            caps = None  # task_create will say what is wrong
        return cls(provider, prices, caps)

    def available(self, task_type: str) -> bool:
        if self.caps is None:
            return True
        if task_type == TaskType.TEXT_TO_IMAGE:
            return self.caps.text_to_image
        if task_type == TaskType.FUSION:
            return self.caps.edit and self.caps.max_input_images >= 2
        return self.caps.edit


def _render(request, form, kept, *, errors=(), status: int = 200) -> HttpResponse:
    offer = Offer.current()
    prices = offer.prices
    templates = [
        item.localized()
        for item in PromptTemplate.objects.filter(is_active=True)
        if offer.available(item.task_type)
    ]
    task_types = [
        {
            "value": value,
            "label": label,
            "help": TASK_TYPE_HELP.get(value, ""),
            "price": prices.get(value),
            "needs": images_needed(value, offer.max_inputs),
            "available": offer.available(value),
        }
        for value, label in TaskType.choices
    ]
    context = {
        "form": form,
        "kept": kept,
        "errors": errors,
        "templates": templates,
        "task_types": task_types,
        "prices": prices,
        "image_provider": offer.provider,
        "balance": credits_balance(user=request.user),
        "max_images": images_needed(TaskType.FUSION, offer.max_inputs)[1],
        "max_upload_mb": settings.AICEPS_MAX_UPLOAD_BYTES // (1024 * 1024),
        "aspect_ratio_labels": ASPECT_RATIO_LABELS,
        "selected_price": prices.get(form["task_type"].value() or TaskType.EDIT),
        "page_data": {
            "prices": prices,
            "maxImages": max(1, images_needed(TaskType.FUSION, offer.max_inputs)[1]),
            "needs": {item["value"]: item["needs"] for item in task_types},
            "strings": {
                "credit": _("%(count)d credit"),
                "credits": _("%(count)d credits"),
                "remove": _("Remove photo %(n)s"),
                "photo": _("Photo %(n)s"),
                "tooMany": _("Please use at most %(count)d photos.")
                % {"count": max(1, images_needed(TaskType.FUSION, offer.max_inputs)[1])},
                "notImage": _("%(name)s is not a JPEG, PNG, WebP or GIF image."),
                "tooBig": _("%(name)s is larger than the %(limit)s MB limit."),
                "onlyFusion": _(
                    "Only Fusion combines several photos. Remove the extra photos, or choose "
                    "Fusion."
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
    try:
        images = tuple(staging.resolve(request.user, ref).image for ref in staging.task_refs(task))
        mask_name = (task.extra_files or {}).get("mask")
        mask = read_upload(read_bytes(mask_name)) if mask_name else None
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
    except InsufficientCreditsError as exc:
        messages.error(request, insufficient_credits_message(exc))
        return redirect("web:task", task_id=task.pk)
    except (TaskError, ProviderError) as exc:
        messages.error(request, exc.message)
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
    content_type = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
    response = HttpResponse(data, content_type=content_type[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
