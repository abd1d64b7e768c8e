"""From a request to the operations the offline editor runs, or a reason it cannot.

The rule for partial understanding: the editor does everything that was asked or nothing.
A ``generative`` clause always fails the request, and so does an ``unknown`` clause, because
the editor cannot tell whether it was essential and doing half of a paid edit silently is
worse than failing fast with a pointer to a provider that can do all of it. Exceptions:
``task_type=REMOVE_BACKGROUND`` (the task itself says what to do, so unknown words are
ignored), and an instruction in which nothing at all was understood (another language, say):
then the English ``prompt`` from stage 1 is parsed instead, ignoring its unknown clauses
(prompts are wordy) but still failing on generative ones.

Task types fill in what an empty or generic instruction leaves open (REMOVE_BACKGROUND removes
it, FILTER applies a vintage look, STYLE a painting style or the second image's style,
ADJUSTMENT an auto-enhance, FUSION puts the subject on the second image); an ``aspect_ratio``
adds a crop unless the instruction already crops or pads.
"""

from __future__ import annotations

from ..base import ImageRequest, ProviderError, TaskType
from .glossary import ORDER, TERMS
from .instructions import Clause, Operation, ParsedInstruction, parse
from .vocabulary import DEFAULT_STYLE

ALTERNATIVES = (
    "gemini (set GEMINI_API_KEY), openai (set OPENAI_API_KEY) or diffusers "
    "(install the [local] extra and set AICEPS_DIFFUSERS_MODEL)"
)
CAN_DO = (
    "It can remove or replace the background with a colour, a blur or a second image, apply "
    "filters (black and white, vintage, sketch, cartoon), painting styles, adjustments "
    "(brightness, contrast, colour), crop, rotate, upscale and erase masked objects."
)
BACKGROUND_OPS = ("remove_bg", "bg_color", "bg_blur", "bg_image")
ADDITIVE = ("brightness", "contrast", "saturation", "warmth")


def unsupported(clauses: list[Clause], *, code: str = "unsupported_instruction") -> ProviderError:
    first = clauses[0] if clauses else None
    what = f'{first.reason} ("{first.text.strip()}")' if first else "an empty instruction"
    return ProviderError(
        f"The offline editor cannot do this: {what}. {CAN_DO} "
        f"For this request use an AI image provider: {ALTERNATIVES}.",
        permanent=True,
        code=code,
        provider="offline",
    )


def _merge(ops: list[Operation]) -> list[Operation]:
    merged: dict[str, Operation] = {}
    for op in ops:
        old = merged.get(op.name)
        if old and op.name in ADDITIVE:
            op = Operation(op.name, {"amount": old.params["amount"] + op.params["amount"]})
        elif old and op.name in ("grain", "vignette"):
            op = max(old, op, key=lambda o: o.params.get("amount", 0))
        merged[op.name] = op
    return sorted(merged.values(), key=lambda o: ORDER.index(o.name))


def _defaults(task: TaskType, request: ImageRequest) -> list[Operation]:
    two = len(request.images) >= 2
    if task == TaskType.REMOVE_BACKGROUND:
        return [Operation("remove_bg")]
    if task == TaskType.FILTER:
        return [Operation(n, dict(p)) for n, p in next(t for t in TERMS if t.key == "vintage").ops]
    if task == TaskType.STYLE:
        if two:
            return [Operation("style", {"source": "image", "strength": 1.0})]
        return [Operation("style", {"index": DEFAULT_STYLE, "strength": 1.0})]
    if task == TaskType.ADJUSTMENT:
        return [Operation("enhance", {"amount": 1.0})]
    if task == TaskType.FUSION and two:
        return [Operation("bg_image")]
    return []


def plan_operations(request: ImageRequest) -> tuple[list[Operation], ParsedInstruction]:
    """The operations to run for a request, or a permanent ProviderError saying why not."""
    if request.task_type == TaskType.TEXT_TO_IMAGE:
        raise ProviderError(
            "The offline editor edits photos; it cannot create an image from text. "
            f"Use {ALTERNATIVES}.",
            permanent=True,
            code="unsupported_task",
            provider="offline",
        )
    task = request.task_type
    instruction, prompt = (request.instruction or "").strip(), (request.prompt or "").strip()
    parsed, lenient = parse(instruction), False
    if parsed.generative:
        raise unsupported(parsed.generative)
    # Nothing understood in the user's words (another language, or only generic words): the
    # stage-1 prompt says the same in English. Its unknown clauses are ignored, prompts are
    # wordy; its generative ones still fail. REMOVE_BACKGROUND needs no words at all.
    if not parsed.operations and prompt and task != TaskType.REMOVE_BACKGROUND:
        fallback = parse(prompt)
        if fallback.generative:
            raise unsupported(fallback.generative)
        if fallback.operations or not instruction:
            parsed, lenient = fallback, True
    if parsed.problems and not lenient and task != TaskType.REMOVE_BACKGROUND:
        raise unsupported(parsed.problems)
    ops = list(parsed.operations) or _defaults(task, request)
    if task == TaskType.REMOVE_BACKGROUND and not any(o.name in BACKGROUND_OPS for o in ops):
        ops.append(Operation("remove_bg"))
    ratio_ops = [o for o in ops if o.name in ("crop", "pad")]
    if any(o.name == "pad" for o in ratio_ops):
        ratio = next((o.params["ratio"] for o in ratio_ops if "ratio" in o.params), None)
        ops = [o for o in ops if o.name != "crop"]
        ops = [
            Operation("pad", {"ratio": ratio or request.aspect_ratio}) if o.name == "pad" else o
            for o in ops
        ]
    elif request.aspect_ratio and not ratio_ops:
        ops.append(Operation("crop", {"ratio": request.aspect_ratio}))
    for op in ops:
        if op.name in ("crop", "pad") and not op.params.get("ratio"):
            raise unsupported(
                [
                    Clause(
                        parsed.text,
                        0,
                        status="unknown",
                        reason="extending the picture needs a target aspect ratio and new content",
                    )
                ]
            )
    if not ops:
        raise unsupported(
            parsed.problems or [Clause(parsed.text, 0, reason="no edit was asked for")]
        )
    _check_inputs(ops, request)
    return _merge(ops), parsed


def _check_inputs(ops: list[Operation], request: ImageRequest) -> None:
    needs_second = [o for o in ops if o.name == "bg_image" or o.params.get("source") == "image"]
    if needs_second and len(request.images) < 2:
        raise ProviderError(
            "This edit uses a second image (as the new background or as the style), but only "
            "one image was provided. Upload the second image too.",
            permanent=True,
            code="missing_image",
            provider="offline",
        )
    if any(o.name == "remove_object" for o in ops) and not (request.mask or request.hotspot):
        raise ProviderError(
            "To remove an object offline, paint over it with the mask (white = remove) or "
            "click on it. To remove objects described only in words, use an AI image "
            f"provider: {ALTERNATIVES}.",
            permanent=True,
            code="mask_required",
            provider="offline",
        )
