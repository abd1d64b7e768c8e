"""The seed CLI: one image task run in this process, printed as the seed's JSON object.

Progress goes to stderr as it happens: each stage as it starts and, inside stage 2, what the
image provider reports (denoising step i of N, uploads, images received, previews).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from catalogue import task_types
from catalogue.imaging import inspect_upload
from catalogue.providers.base import Progress
from core.errors import DomainError
from generation.files import TaskFiles
from generation.models import TaskHistory
from generation.presenters import task_seed_payload
from generation.services import TaskInput, task_create, task_run
from generation.services.runner import RunObserver
from generation.storage import fallback_storage, is_served_locally, read_bytes, uses_remote_storage

CLI_USERNAME = "aiceps-cli"
PARAMETERS = ("x", "y", "scale", "left", "top", "right", "bottom")  # as task parameters


class Command(BaseCommand):
    help = "Edit a photo with an instruction (any language) and print the seed JSON result."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--image", default=None, help="Path of the photo to edit (none for text_to_image)."
        )
        parser.add_argument(
            "--prompt",
            default="",
            help="The instruction, in any language (task types with a default may omit it).",
        )
        parser.add_argument("--user-id", type=int, help="Charge this user's credits.")
        parser.add_argument("--output-dir", default=None, help="Where to write the result.")
        parser.add_argument("--prompt-writer", default=None, help="auto, gemini, openai, template")
        parser.add_argument(
            "--image-provider", default=None, help="auto, gemini, openai, diffusers, offline"
        )
        parser.add_argument(
            "--task-type", default="edit", choices=[value for value, _ in task_types.choices()]
        )
        parser.add_argument("--x", default=None, help="Hotspot x: pixels, or a fraction (0-1).")
        parser.add_argument("--y", default=None, help="Hotspot y: pixels, or a fraction (0-1).")
        parser.add_argument("--aspect-ratio", default="", help="1:1, 16:9, 9:16, 4:3 or 3:4")
        parser.add_argument("--mask", default=None, help="inpaint: white where it changes.")
        parser.add_argument("--scale", type=int, default=None, help="upscale: 2 or 4.")
        for side in ("left", "top", "right", "bottom"):
            parser.add_argument(
                f"--{side}", type=int, default=None, help=f"expand: pixels to add on the {side}."
            )
        parser.add_argument(
            "--image2",
            action="append",
            default=[],
            help="A further image (fusion, background or style source).",
        )

    def handle(self, *args, **options) -> None:
        output_dir = Path(options["output_dir"] or settings.AICEPS_OUTPUT_DIR).resolve()
        try:
            payload = self._generate(options, output_dir)
        except (DomainError, CommandError) as error:
            payload = {
                "success": False,
                "message": str(getattr(error, "message", error)),
                "error": str(getattr(error, "message", error)),
                "error_code": getattr(error, "code", "error"),
                "user_prompt": options["prompt"],
            }
        self.stdout.write(json.dumps(payload, ensure_ascii=False))
        if not payload["success"]:
            sys.exit(1)

    def _generate(self, options, output_dir: Path) -> dict:
        user, charge = self._user(options.get("user_id"))
        paths = [*([options["image"]] if options["image"] else []), *options["image2"]]
        images = []
        for path in paths:
            try:
                images.append(inspect_upload(Path(path).read_bytes()))
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        mask = None
        if options["mask"]:
            try:
                mask = inspect_upload(Path(options["mask"]).read_bytes())
            except OSError as exc:
                raise CommandError(f"Cannot read {options['mask']}: {exc.strerror}") from exc
        self._progress("stage 0/2: stored the input")
        creation = task_create(
            user=user,
            data=TaskInput(
                prompt=options["prompt"],
                task_type=options["task_type"],
                images=tuple(images),
                mask=mask,
                aspect_ratio=options["aspect_ratio"],
                parameters={key: options[key] for key in PARAMETERS if options[key] is not None},
                prompt_writer=options["prompt_writer"],
                image_provider=options["image_provider"],
            ),
            source="cli",
            charge=charge,
            enqueue=False,
            trusted=True,
        )
        task = creation.task
        self._progress(f"task {task.pk}: {task.prompt_writer} → {task.image_provider}")
        task = task_run(task_id=task.pk, observer=_Printer(self._progress))
        self._progress(
            f"stage 1/2 prompt: {task.prompt_writer} {task.prompt_time_ms or 0} ms"
            f"{' (cached)' if task.prompt_cached else ''}"
        )
        self._progress(
            f"stage 2/2 image: {task.image_provider} {task.image_time_ms or 0} ms → {task.status}"
        )
        payload = task_seed_payload(task)
        if task.status == TaskHistory.Status.COMPLETED:
            output_dir.mkdir(parents=True, exist_ok=True)
            written = []
            for name in TaskFiles(task).generated:
                target = output_dir / f"{task.pk}-{Path(name).name}"
                target.write_bytes(read_bytes(name))
                written.append(str(target))
            payload["output_path"] = written[0]
            payload["output_paths"] = written
            if not str(payload["generated_image_url"] or "").startswith("http"):
                payload["generated_image_url"] = Path(written[0]).as_uri()
        payload["original_image_url"] = (
            _local_uri(task.original_image.name) or payload["original_image_url"]
        )
        if charge:
            from accounts.selectors import credits_balance

            payload["credits_remaining"] = credits_balance(user=user)
        return payload

    def _user(self, user_id: int | None) -> tuple[User, bool]:
        if user_id is None:
            user, _ = User.objects.get_or_create(
                username=CLI_USERNAME, defaults={"is_active": False}
            )
            return user, False
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise CommandError(f"No user with id {user_id}.")
        return user, True

    def _progress(self, line: str) -> None:
        self.stderr.write(line)
        self.stderr.flush()  # as it happens, also when stderr is a pipe


class _Printer(RunObserver):
    STAGES = {
        TaskHistory.Stage.WRITING_PROMPT: "stage 1/2: writing the prompt",
        TaskHistory.Stage.GENERATING_IMAGE: "stage 2/2: generating the image",
        TaskHistory.Stage.STORING: "storing the result",
    }

    def __init__(self, write) -> None:
        self.write = write
        self.last = None

    def stage(self, task: TaskHistory, stage: str) -> None:
        if stage == self.last:
            return
        self.last = stage
        who = {
            TaskHistory.Stage.WRITING_PROMPT: task.prompt_writer,
            TaskHistory.Stage.GENERATING_IMAGE: task.image_provider,
        }.get(stage)
        self.write(self.STAGES.get(stage, str(stage)) + (f" ({who})" if who else ""))

    def progress(self, task: TaskHistory, progress: Progress) -> None:
        line = f"  {progress.phase}"
        if progress.step is not None and progress.steps:
            line += f" {progress.step}/{progress.steps}"
        if progress.preview:
            line += " (preview)"
        self.write(line)


def _local_uri(name: str) -> str | None:
    """A file:// URI for a file kept on this machine's disk: the CLI has no web server."""
    if not name or not is_served_locally(name):
        return None
    local = fallback_storage() if uses_remote_storage() else default_storage
    try:
        return Path(local.path(name)).as_uri()
    except NotImplementedError:
        return None
