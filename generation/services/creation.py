"""Creating a task: price it, charge it, store its inputs, queue it once committed."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services import credits_charge
from aiceps import metrics

from ..imaging import UploadedImage
from ..models import TaskHistory
from ..providers.base import ProviderError
from ..providers.registry import get_image_provider, resolve_name
from ..storage import delete_file
from ..storage_batch import store_many
from .lifecycle import IdempotencyConflictError, enqueue_task
from .pricing import task_price

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskInput:
    prompt: str
    task_type: str = TaskHistory.TaskType.EDIT
    images: tuple[UploadedImage, ...] = ()
    mask: UploadedImage | None = None
    aspect_ratio: str = ""
    parameters: dict = field(default_factory=dict)  # hotspot x/y, n, size, output format …
    prompt_writer: str | None = None  # overrides of the configured providers
    image_provider: str | None = None

    def fingerprint(self, *, prompt_writer: str, image_provider: str) -> str:
        """Identifies the same request: same images, words, providers and parameters."""
        material = {
            "images": [image.sha256 for image in self.images],
            "mask": self.mask.sha256 if self.mask else None,
            "prompt": self.prompt.strip(),
            "task_type": self.task_type,
            "aspect_ratio": self.aspect_ratio,
            "parameters": self.parameters,
            "prompt_writer": prompt_writer,
            "image_provider": image_provider,
        }
        encoded = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class TaskCreation:
    task: TaskHistory
    created: bool  # False when an Idempotency-Key returned an earlier task
    balance: int | None = None


def _task_key(task: TaskHistory, name: str) -> str:
    return f"task-history/{task.user_id}/{task.id}/{name}"


def task_create(
    *,
    user: User,
    data: TaskInput,
    idempotency_key: str | None = None,
    source: str = "api",
    charge: bool = True,
    enqueue: bool = True,
    trusted: bool = False,
) -> TaskCreation:
    """Price, charge and record a task, store its inputs, and queue it once committed.

    Raises ``InsufficientCreditsError`` (nothing stored, nothing charged),
    :class:`IdempotencyConflictError` when the key was used for a different request, and
    ``ProviderError`` for an unknown provider name. ``trusted`` callers (the operator's CLI)
    may name providers by dotted path; clients only by the registry's short names.
    """
    writer = resolve_name(data.prompt_writer, kind="prompt_writer", allow_dotted=trusted)
    provider = resolve_name(data.image_provider, kind="image_provider", allow_dotted=trusted)
    _check_capabilities(provider, data)
    fingerprint = data.fingerprint(prompt_writer=writer, image_provider=provider)
    if idempotency_key:
        earlier = _task_for_key(user, idempotency_key, fingerprint)
        if earlier is not None:
            return TaskCreation(earlier, created=False)

    count = int(data.parameters.get("n", 1) or 1)
    price = (
        task_price(task_type=data.task_type, image_provider=provider, count=count)
        if (charge)
        else 0
    )
    task = TaskHistory(
        id=uuid.uuid4(),
        user=user,
        task_type=data.task_type,
        source=source,
        prompt=data.prompt,
        aspect_ratio=data.aspect_ratio,
        parameters=data.parameters,
        prompt_writer=writer,
        image_provider=provider,
        input_sha256=data.images[0].sha256 if data.images else "",
        request_fingerprint=fingerprint,
        idempotency_key=idempotency_key or None,
        credits_deducted=price,
    )
    # Files first, outside the transaction: an S3 upload must not hold the database's write
    # lock. If the transaction then fails, the files are removed again.
    stored = _store_inputs(task, data)
    try:
        with transaction.atomic():
            task.save(force_insert=True)
            entry = credits_charge(user=user, amount=price, task=task, note="Image task")
            if enqueue:
                task_id = str(task.id)
                transaction.on_commit(lambda: enqueue_task(task_id))
    except IntegrityError:
        for name in stored:
            delete_file(name)
        earlier = _task_for_key(user, idempotency_key, fingerprint) if idempotency_key else None
        if earlier is None:
            raise
        return TaskCreation(earlier, created=False)
    except Exception:
        for name in stored:
            delete_file(name)
        raise
    logger.info(
        "task created",
        extra={
            "task_id": str(task.id),
            "user_id": user.pk,
            "task_type": task.task_type,
            "image_provider": provider,
            "credits": price,
        },
    )
    metrics.task_created(task)
    return TaskCreation(task, created=True, balance=entry.balance)


def _check_capabilities(provider_name: str, data: TaskInput) -> None:
    """Refuse, before charging, what the chosen provider can never do."""
    provider = get_image_provider(provider_name)
    caps = provider.capabilities
    if data.task_type == TaskHistory.TaskType.TEXT_TO_IMAGE and not caps.text_to_image:
        raise ProviderError(
            f"The {provider_name!r} image provider cannot create an image from text alone; "
            "gemini (GEMINI_API_KEY), openai (OPENAI_API_KEY) or diffusers "
            "(AICEPS_DIFFUSERS_MODEL) can.",
            permanent=True,
            code="unsupported_task",
        )
    if len(data.images) > caps.max_input_images:
        raise ProviderError(
            f"The {provider_name!r} image provider takes at most {caps.max_input_images} "
            f"image(s); {len(data.images)} were sent.",
            permanent=True,
            code="too_many_images",
        )
    if data.mask is not None and not caps.mask:
        raise ProviderError(
            f"The {provider_name!r} image provider does not take a mask.",
            permanent=True,
            code="mask_not_supported",
        )


def _task_for_key(user: User, key: str, fingerprint: str) -> TaskHistory | None:
    earlier = TaskHistory.objects.filter(user=user, idempotency_key=key).first()
    if earlier is not None and earlier.request_fingerprint != fingerprint:
        raise IdempotencyConflictError(
            "This Idempotency-Key was already used for a different request."
        )
    return earlier


def _store_inputs(task: TaskHistory, data: TaskInput) -> list[str]:
    files = [
        (
            _task_key(task, f"{'original' if n == 1 else f'source-{n}'}.{image.extension}"),
            image.data,
        )
        for n, image in enumerate(data.images, start=1)
    ]
    if data.mask is not None:
        files.append((_task_key(task, f"mask.{data.mask.extension}"), data.mask.data))
    saved = store_many(files)
    names = [file.name for file in saved]
    extra: dict = {}
    if data.images:
        task.original_image.name = names[0]
        extra["sources"] = names[1 : len(data.images)]
    if data.mask is not None:
        extra["mask"] = names[-1]
    task.extra_files = extra
    task.storage_fallback = any(file.fallback for file in saved)
    return names
