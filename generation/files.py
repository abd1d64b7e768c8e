"""A task's files: the one place that knows their storage keys, names and URLs.

Keys are ``task-history/{user id}/{task id}/{name}`` with names ``original.{ext}``,
``source-{n}.{ext}`` (further input photos, n from 2), ``mask.{ext}``, ``generated-{n}.{ext}``
(outputs, n from 1) and ``preview-{n}.{ext}`` (progress previews, n from 1). Everything that
stores, lists, serves or deletes a task's files goes through :class:`TaskFiles`, so the format
is written once.
"""

from __future__ import annotations

from .storage import file_url

PREFIX = "task-history"


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"


class TaskFiles:
    def __init__(self, task) -> None:
        self.task = task

    # --- keys --------------------------------------------------------------------------

    @property
    def folder(self) -> str:
        return f"{PREFIX}/{self.task.user_id}/{self.task.pk}"

    def key(self, name: str) -> str:
        return f"{self.folder}/{name}"

    def input_key(self, position: int, extension: str) -> str:
        """Key of input photo ``position`` (1 is the main photo)."""
        name = "original" if position == 1 else f"source-{position}"
        return self.key(f"{name}.{extension}")

    def mask_key(self, extension: str) -> str:
        return self.key(f"mask.{extension}")

    def output_key(self, position: int, extension: str) -> str:
        return self.key(f"generated-{position}.{extension}")

    def preview_key(self, extension: str) -> str:
        return self.key(f"preview.{extension}")

    def partial_key(self, position: int, extension: str) -> str:
        """Key of progress preview ``position`` (from 1): each kept, for partial images."""
        return self.key(f"preview-{position}.{extension}")

    # --- what the task holds -----------------------------------------------------------

    @property
    def extra(self) -> dict:
        return self.task.extra_files or {}

    @property
    def original(self) -> str:
        return self.task.original_image.name if self.task.original_image else ""

    @property
    def inputs(self) -> list[str]:
        """Every input photo, the main one first."""
        return [self.original, *self.extra.get("sources", [])] if self.original else []

    @property
    def sources(self) -> list[str]:
        return list(self.extra.get("sources", []))

    @property
    def mask(self) -> str:
        return self.extra.get("mask") or ""

    @property
    def generated(self) -> list[str]:
        names = self.extra.get("generated")
        if names:
            return list(names)
        return [self.task.generated_image.name] if self.task.generated_image else []

    @property
    def preview(self) -> str:
        return (self.task.progress or {}).get("preview") or ""

    @property
    def partials(self) -> list[str]:
        """Every progress preview, in order: while the task runs, and kept once it is done."""
        running = (self.task.progress or {}).get("partials")
        return list(running or self.extra.get("partials", []))

    def all(self) -> list[str]:
        names = [*self.inputs, *self.generated, self.mask, self.preview, *self.partials]
        return [name for name in dict.fromkeys(names) if name]

    # --- URLs --------------------------------------------------------------------------

    def urls(self) -> dict[str, object]:
        generated = self.generated
        return {
            "original_image_url": file_url(self.original),
            "generated_image_url": file_url(generated[0]) if generated else "",
            "generated_image_urls": [file_url(name) for name in generated],
            "source_image_urls": [file_url(name) for name in self.sources],
        }


def owner_of_key(key: str) -> str | None:
    """The owner's user id from a task file key; None for anything that is not one
    (``..``, ``.``, empty parts, absolute paths, backslashes, NUL bytes)."""
    if "\\" in key or "\x00" in key:
        return None
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[1].isdigit():
        return None
    if any(part in ("", ".", "..") for part in parts):
        return None
    return parts[1]


# FileField upload_to callables (migrations refer to these names).
def original_upload_to(task, filename: str) -> str:
    return TaskFiles(task).input_key(1, _extension(filename))


def generated_upload_to(task, filename: str) -> str:
    return TaskFiles(task).output_key(1, _extension(filename))
