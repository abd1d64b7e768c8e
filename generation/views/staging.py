"""Photos a user already sent with a form that came back (an error, too few credits).

A file input cannot be refilled by the server, so valid photos of a failed submission are
stored under ``web-staging/<user id>/`` and the form lists them as *kept* photos, each a
checkbox whose value is a reference:

* ``s:<32 hex>.<ext>``: a staged photo of this user;
* ``t:<task uuid>:<n>``: the n-th input photo of one of the user's tasks ("run again").

References are always resolved against the signed-in user, so nobody can use another
user's photos by guessing a reference.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from catalogue.imaging import UploadedImage, inspect_upload

from ..files import TaskFiles
from ..models import TaskHistory
from ..selectors import task_get
from ..storage import delete_file, file_url, primary_storage, read_bytes, store_bytes

logger = logging.getLogger(__name__)
KEEP_FOR = timedelta(days=1)  # staged photos of abandoned forms are removed after this

STAGED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|gif)$")
TASK_REF = re.compile(r"^t:([0-9a-f-]{36}):([0-3])$")


@dataclass(frozen=True)
class KeptImage:
    ref: str
    url: str
    image: UploadedImage | None = None  # None for a preview that was not read back


class KeptImageError(Exception):
    pass


def staged_key(user, name: str) -> str:
    return f"web-staging/{user.pk}/{name}"


def stage(user, image: UploadedImage) -> KeptImage:
    _prune(user)
    name = f"{uuid.uuid4().hex}.{image.extension}"
    store_bytes(staged_key(user, name), image.data)
    return KeptImage(f"s:{name}", reverse("web:staged-image", args=[name]), image)


def task_input_names(task: TaskHistory) -> list[str]:
    return TaskFiles(task).inputs


def task_refs(task: TaskHistory) -> list[str]:
    return [f"t:{task.pk}:{index}" for index in range(len(task_input_names(task)))]


def preview(user, task: TaskHistory) -> list[KeptImage]:
    """The input photos of the user's ``task`` as kept photos, without reading them."""
    return [
        KeptImage(ref, file_url(name))
        for ref, name in zip(task_refs(task), task_input_names(task), strict=True)
    ]


def resolve(user, ref: str) -> KeptImage:
    """The kept photo ``ref`` names, read back and checked; raises :class:`KeptImageError`."""
    try:
        if ref.startswith("s:") and STAGED_NAME.match(ref[2:]):
            name = ref[2:]
            data = read_bytes(staged_key(user, name))
            url = reverse("web:staged-image", args=[name])
        elif match := TASK_REF.match(ref):
            task = task_get(user=user, task_id=match.group(1))
            names = task_input_names(task) if task else []
            index = int(match.group(2))
            if index >= len(names):
                raise KeptImageError(ref)
            data = read_bytes(names[index])
            url = file_url(names[index])
        else:
            raise KeptImageError(ref)
        return KeptImage(ref, url, inspect_upload(data))
    except KeptImageError:
        raise
    except Exception as exc:  # a missing or unreadable file (disk or S3), a damaged image
        raise KeptImageError(ref) from exc


def discard(user, refs: list[str]) -> None:
    """Delete staged photos once a task holds its own copies (task photos stay)."""
    for ref in refs:
        if ref.startswith("s:") and STAGED_NAME.match(ref[2:]):
            delete_file(staged_key(user, ref[2:]))


def _prune(user) -> None:
    """Best effort: delete this user's staged photos older than :data:`KEEP_FOR`."""
    storage = primary_storage()
    folder = staged_key(user, "")
    try:
        _, names = storage.listdir(folder)
        cutoff = timezone.now() - KEEP_FOR
        for name in names:
            if STAGED_NAME.match(name) and storage.get_modified_time(folder + name) < cutoff:
                storage.delete(folder + name)
    except FileNotFoundError:
        pass  # nothing staged yet
    except Exception:  # a listing that fails must not fail the form
        logger.warning("could not prune staged photos", extra={"user_id": user.pk})
