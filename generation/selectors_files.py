"""Reads of stored files for the adapters (the photo editor's routes, the MCP server): a task's
file URLs, a stored file's bytes and download link, a template image's bytes, a template's
offline cover, a signed file link's bytes.

Where the files are and how their keys look stays here (:mod:`generation.files`,
:mod:`generation.storage`, :mod:`generation.template_renders`); an adapter asks by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from . import template_renders
from .files import TaskFiles
from .models_templates import TEMPLATE_IMAGE_PREFIX, PromptTemplate
from .storage import (
    file_url,
    is_served_locally,
    open_local,
    read_bytes,
    signature_is_valid,
    uses_remote_storage,
)

if TYPE_CHECKING:
    from .models import TaskHistory


def files_stored_remotely() -> bool:
    """True on S3: stored files have the storage's own URLs, not AicePS's local file view."""
    return uses_remote_storage()


# --- A task's files ---------------------------------------------------------------------


def task_file_urls(*, task: TaskHistory) -> dict[str, object]:
    """``original_image_url``, ``generated_image_url`` (the first output), and the lists
    ``generated_image_urls`` and ``source_image_urls``; relative for locally served files."""
    return TaskFiles(task).urls()


def task_generated_files(*, task: TaskHistory) -> list[str]:
    """The storage keys of the task's outputs, in order."""
    return TaskFiles(task).generated


def stored_file_bytes(*, name: str) -> bytes:
    """The bytes of the stored file ``name`` (a key from :func:`task_generated_files`): a
    local copy when there is one, else from the storage. A file that cannot be read raises."""
    return read_bytes(name)


def stored_file_url(*, name: str) -> str:
    """A URL that downloads the stored file ``name``: the storage's own on S3, else a signed
    link to the local file view (relative: the caller adds the host)."""
    return file_url(name)


def signed_file_bytes(*, name: str, expires: str | None, signature: str | None) -> bytes | None:
    """The bytes of a locally served file whose signed link (``expires``, ``signature``: from
    ``generation.storage.file_url``) is valid now; None when the link is not (or the file is
    on S3, where the link is never ours). A file that cannot be read raises."""
    if not (is_served_locally(name) and signature_is_valid(name, expires, signature)):
        return None
    with open_local(name) as handle:
        return handle.read()


# --- Template images --------------------------------------------------------------------


def _is_template_key(name: str) -> bool:
    parts = name.split("/")
    return (
        len(parts) == 3
        and parts[0] == TEMPLATE_IMAGE_PREFIX
        and all(part not in ("", ".", "..") for part in parts)
        and "\\" not in name
        and "\x00" not in name
    )


def template_image_bytes(*, name: str) -> bytes | None:
    """The bytes of an uploaded image (cover or example) of an active template, or None
    (for any other key too: only the library's images are public)."""
    if not _is_template_key(name):
        return None
    used = PromptTemplate.objects.filter(
        Q(cover_image=name) | Q(example_images__image=name), is_active=True
    ).exists()
    if not used:
        return None
    try:
        return read_bytes(name)
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class OfflineCover:
    data: bytes | None  # the photo, or the offline editor's result; None: it cannot do it
    provider_needed: bool = False  # no configured provider can do it either (data is None)


def template_offline_cover(*, slug: str, before: bool) -> OfflineCover | None:
    """For an active template ``slug`` without an uploaded cover (None for any other): its
    "before" photo (``before``), or its prompt run by the offline editor on that photo, made
    on first use and stored (:func:`generation.template_renders.stored_render`)."""
    template = PromptTemplate.objects.filter(slug=slug, is_active=True, cover_image="").first()
    if template is None:
        return None
    if before:
        scene = template_renders.scene_for(template.task_type)
        return OfflineCover(template_renders.photo_bytes(scene.photo) if scene else None)
    rendered = template_renders.stored_render(slug, template.task_type, template.prompt_en)
    if rendered is not None:
        return OfflineCover(rendered)
    needed = not template_renders.configured_can_do(template.task_type, template.prompt_en)
    return OfflineCover(None, provider_needed=needed)


def template_has_before_photo(*, template: PromptTemplate) -> bool:
    """Whether the template's offline cover is made from a photo (its "before"): it has no
    uploaded cover and is not text to image."""
    return not template.cover_image and template_renders.scene_for(template.task_type) is not None
