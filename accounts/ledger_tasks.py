"""What a ledger row's task is, told by the layer that owns tasks.

The ledger names a task by its id only (``CreditTransaction.task_id``): ``accounts`` sits
below ``generation`` and never imports it. The credits page and the ledger's admin still show
which task a row was for, with a link to it; ``generation`` registers the function that
describes its tasks at start-up (:func:`register_task_describer`, ``GenerationConfig.ready``).
Without one, a row shows its task's id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class LedgerTask:
    label: str  # what the task was ("Edit")
    url: str | None = None  # its owner's page; None once the task is deleted
    admin_url: str | None = None  # its staff page


Describer = Callable[[list[UUID]], dict[UUID, LedgerTask]]
_describers: list[Describer] = []


def register_task_describer(describer: Describer) -> None:
    """``describer(ids)`` answers the tasks it knows of among ``ids`` (one query for all)."""
    if describer not in _describers:
        _describers.append(describer)


def ledger_tasks(task_ids: Iterable[UUID | None]) -> dict[UUID, LedgerTask]:
    """The tasks ``task_ids`` name, by id; an id nobody describes maps to its own text."""
    ids = sorted({task_id for task_id in task_ids if task_id is not None})
    found: dict[UUID, LedgerTask] = {}
    for describe in _describers:
        found |= describe([task_id for task_id in ids if task_id not in found])
    return {task_id: found.get(task_id) or LedgerTask(label=str(task_id)) for task_id in ids}
