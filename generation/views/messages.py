"""Error messages of the web pages, in the user's language."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import InsufficientCreditsError
from catalogue.imaging import ImageError
from core.errors import DomainError
from core.localized import localized_message

IMAGE_ERRORS = {
    "empty_file": gettext_lazy("The file is empty. Please choose an image."),
    "not_an_image": gettext_lazy(
        "The file is not an image. Please upload a JPEG, PNG, WebP or GIF image."
    ),
    "unsupported_format": gettext_lazy(
        "This image format is not supported. Please upload a JPEG, PNG, WebP or GIF image."
    ),
    "truncated_image": gettext_lazy(
        "The image is incomplete or damaged. Please upload it again or export it anew."
    ),
    "image_too_large": gettext_lazy(
        "The image has too many pixels. Please resize it and try again."
    ),
    "decompression_bomb": gettext_lazy(
        "The image's dimensions are implausibly large for its file size, so it was not "
        "opened. Please upload a regular photo."
    ),
}


def image_error_message(filename: str, error: ImageError) -> str:
    if error.code == "file_too_large":
        limit = settings.AICEPS_MAX_UPLOAD_BYTES / (1024 * 1024)
        text = _(
            "The file is larger than the %(limit)s MB limit. Please upload a smaller image."
        ) % {"limit": f"{limit:g}"}
    else:
        text = str(IMAGE_ERRORS.get(error.code, error.message))
    return _("%(name)s: %(message)s") % {"name": filename, "message": text}


def insufficient_credits_message(error: InsufficientCreditsError) -> str:
    return _(
        "Not enough credits: this task costs %(required)d and you have %(available)d. "
        "Nothing was charged. Ask an administrator for more credits: they grant them in "
        "the admin (Users, action “Grant credits”) or with “./scripts/manage grant_credits "
        "USERNAME AMOUNT”."
    ) % {"required": error.required_credits, "available": error.available_credits}


def page_message(error: DomainError) -> str:
    """A refusal of ``task_create`` (or the ledger) as the pages say it, in the user's
    language; errors without a page wording keep their own message."""
    extra = error.extra
    if isinstance(error, InsufficientCreditsError):
        return insufficient_credits_message(error)
    if isinstance(error, ImageError):
        return str(IMAGE_ERRORS.get(error.code, error.message))
    if error.code == "missing_image":
        if error.message.startswith("Send an image"):
            return _("Please add a photo to edit.")
        return _("Fusion needs at least two photos: the main one and one to blend in.")
    if error.code == "too_many_images":
        most = extra.get("max_images", 1)
        if most == 1:
            return _("This task takes one photo. Remove the extra photos, or choose Fusion.")
        return _("Please use at most %(count)d photos.") % {"count": most}
    if error.code == "missing_prompt":
        return _("Please write an instruction, or pick a template.")
    if error.code == "missing_hotspot":
        return _("Click the photo to choose the point to edit.")
    if error.code == "hotspot_outside_image":
        return _(
            "The point is outside the photo (%(width)d×%(height)d pixels). "
            "Click the photo to choose it."
        ) % {"width": extra.get("width", 0), "height": extra.get("height", 0)}
    if error.code == "no_worker":
        return _(
            "No worker is running this server's image model now. Nothing was charged; "
            "please try again later."
        )
    if error.code == "unsupported_task":
        return _("This task is not available on this server: its image model cannot do it.")
    return localized_message(error.code, error.message, param=error.param, extra=error.extra)
