"""Creating a task: validate it, price it, charge it, store its inputs, queue it once committed.

Every entry point (API, seed endpoint, ``/v1/images``, the editor's routes, pages, CLI) calls
:func:`task_create`, which checks the request against its task type and the image provider
(``catalogue.task_rules.validate``) before anything is stored or charged.

With a chain of image providers (``AICEPS_IMAGE_PROVIDER=gemini,openai,offline``) the request
is accepted when one of them can do it; the task keeps, in order, those that can
(``provider_chain``), is queued for the first, and is charged the highest of their prices:
the runner refunds the difference when a cheaper one serves it."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import ApiKey, User
from accounts.services import credits_charge
from catalogue import task_rules
from catalogue.imaging import UploadedImage
from catalogue.primitive_rules import upload_padding
from catalogue.providers.base import ProviderError
from catalogue.providers.registry import (
    capabilities_of,
    input_refusal,
    instruction_refusal,
    provider_class,
    resolve_chain,
)
from core import metrics
from core.destinations import check_destination
from core.errors import ValidationError

from ..files import TaskFiles
from ..models import TaskHistory
from ..storage import delete_file
from ..storage_batch import store_many
from .lifecycle import IdempotencyConflictError
from .pricing import chain_price
from .queue import enqueue_task
from .workers import workers_check

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskInput:
    prompt: str
    task_type: str = TaskHistory.TaskType.EDIT
    images: tuple[UploadedImage, ...] = ()
    mask: UploadedImage | None = None
    aspect_ratio: str = ""
    # hotspot x/y (pixels or fractions; pixels once validated), n, size, output format …
    parameters: dict = field(default_factory=dict)
    prompt_writer: str | None = None  # overrides of the configured providers (or chains)
    image_provider: str | None = None
    webhook_url: str = ""  # where the task's events are POSTed (signed), besides endpoints
    webhook_progress: bool = False  # progress events too

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


def task_create(
    *,
    user: User,
    data: TaskInput,
    idempotency_key: str | None = None,
    source: str = "api",
    charge: bool = True,
    enqueue: bool = True,
    trusted: bool = False,
    api_key: ApiKey | None = None,
) -> TaskCreation:
    """Validate, price, charge and record a task, store its inputs, and queue it once committed.

    Raises ``core.errors.ValidationError`` for a request its task type or the image provider
    does not take (an unknown provider name too), ``InsufficientCreditsError`` (nothing
    stored, nothing charged) and :class:`IdempotencyConflictError` when the key was used for
    a different request. ``trusted`` callers (the operator's CLI) may name providers by
    dotted path; clients only by the registry's short names. ``api_key``: the key the
    request came with; the charge must fit its budget (``ApiKeyBudgetExceededError``, 402).
    """
    writers = resolve_chain(data.prompt_writer, kind="prompt_writer", allow_dotted=trusted)
    chain = resolve_chain(data.image_provider, kind="image_provider", allow_dotted=trusted)
    data, able = _validate_for_chain(data, chain)
    _refuse_what_no_provider_can_do(data, able)
    if enqueue:  # 503 no_worker, uncharged, when no live worker would take it
        able = workers_check(image_providers=able)
    provider = able[0]
    webhook = _checked_webhook(data.webhook_url)
    fingerprint = data.fingerprint(prompt_writer=",".join(writers), image_provider=",".join(able))
    if idempotency_key:
        earlier = _task_for_key(user, idempotency_key, fingerprint)
        if earlier is not None:
            return TaskCreation(earlier, created=False)

    count = int(data.parameters.get("n", 1) or 1)
    price = (
        chain_price(
            task_type=data.task_type,
            image_providers=able,
            count=count,
            size=data.parameters.get("size"),
            quality=data.parameters.get("quality"),
        )
        if charge
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
        prompt_writer=writers[0],
        image_provider=provider,
        provider_chain={"prompt_writer": list(writers), "image_provider": list(able)},
        input_sha256=data.images[0].sha256 if data.images else "",
        request_fingerprint=fingerprint,
        idempotency_key=idempotency_key or None,
        credits_deducted=price,
        api_key=api_key,
        webhook_url=webhook,
        webhook_progress=bool(webhook and data.webhook_progress),
    )
    # Files first, outside the transaction: an S3 upload must not hold the database's write
    # lock. If the transaction then fails, the files are removed again.
    stored = _store_inputs(task, data)
    try:
        with transaction.atomic():
            task.save(force_insert=True)
            entry = credits_charge(
                user=user, amount=price, task=task, note="Image task", api_key=api_key
            )
            if enqueue:
                enqueue_task(task)
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


def _validate_for_chain(data: TaskInput, chain: tuple[str, ...]) -> tuple[TaskInput, list[str]]:
    """The request checked against each provider of the chain: the checked request and the
    providers that can run it, in order; the first provider's refusal when none can.

    In a chain of several, a provider that is not set up here (no key) or does not honour
    an option the request sets (``quality``, ``moderation`` …) is left out."""
    if len(chain) == 1:
        name = chain[0]
        return task_rules.validate(data, capabilities=capabilities_of(name), provider=name), [name]
    checked, able, first_error = None, [], None
    for name in chain:
        try:
            cls = provider_class(name)
            if not cls.is_configured():
                raise ValidationError(
                    f"{cls.title or name} is not set up on this server.",
                    code="provider_not_configured",
                    param="image_provider",
                )
            capabilities = cls.configured_capabilities()
            result = task_rules.validate(data, capabilities=capabilities, provider=name)
            task_rules.check_options(result.parameters, capabilities)
        except (ValidationError, ProviderError) as error:
            first_error = first_error or error
            continue
        checked = checked or result
        able.append(name)
    if not able:
        raise first_error
    return checked, able


def _refuse_what_no_provider_can_do(data: TaskInput, able: list[str]) -> None:
    """Refused before any charge when every provider of the chain would refuse these words
    whatever the photo (the offline editor asked for new clothes, say): the same 422 the
    worker would answer, without a charge, a refund and a trip through the queue."""
    refusals = [
        instruction_refusal(name, task_type=data.task_type, instruction=data.prompt)
        for name in able
    ]
    if refusals and all(refusals):
        raise ProviderError(
            refusals[0], permanent=True, code="unsupported_instruction", provider=able[0]
        )
    padding = upload_padding(data)  # the photo itself: an expansion offline needs a plain border
    refusals = [
        input_refusal(name, task_type=data.task_type, image=data.images[0].data, padding=padding)
        for name in able
        if data.images
    ]
    if refusals and all(refusals):
        raise ProviderError(refusals[0], permanent=True, code="unsupported_task", provider=able[0])


def _checked_webhook(url: str) -> str:
    if not url:
        return ""
    return check_destination(
        url, allow_private=settings.AICEPS_WEBHOOK_ALLOW_PRIVATE, param="webhook"
    )


def _task_for_key(user: User, key: str, fingerprint: str) -> TaskHistory | None:
    earlier = TaskHistory.objects.filter(user=user, idempotency_key=key).first()
    if earlier is not None and earlier.request_fingerprint != fingerprint:
        raise IdempotencyConflictError(
            "This Idempotency-Key was already used for a different request."
        )
    return earlier


def _store_inputs(task: TaskHistory, data: TaskInput) -> list[str]:
    keys = TaskFiles(task)
    files = [
        (keys.input_key(n, image.extension), image.data)
        for n, image in enumerate(data.images, start=1)
    ]
    if data.mask is not None:
        files.append((keys.mask_key(data.mask.extension), data.mask.data))
    saved = store_many(files)
    names = [file.name for file in saved]
    extra: dict = {}
    if data.images:
        task.original_image.name = names[0]
        extra["sources"] = names[1 : len(data.images)]
    if data.mask is not None:
        extra["mask"] = names[-1]
    uploads = [*data.images, *([data.mask] if data.mask is not None else [])]
    uncleaned = [name for name, image in zip(names, uploads, strict=True) if image.needs_cleaning]
    if uncleaned:  # kept as they came; the worker stores their clean copies
        extra["uncleaned"] = uncleaned
    task.extra_files = extra
    task.storage_fallback = any(file.fallback for file in saved)
    return names
