"""From a request to the operations the offline editor runs, or a reason it cannot.

The rule for partial understanding: the editor does everything that was asked or nothing.
A ``generative`` clause always fails the request, and so does an ``unknown`` clause, because
the editor cannot tell whether it was essential and doing half of a paid edit silently is
worse than failing fast with a pointer to a provider that can do all of it. Exceptions:
``task_type=REMOVE_BACKGROUND`` (the task itself says what to do, so unknown words are
ignored), and an instruction in which nothing at all was understood (another language, say):
then stage 1's English ``prompt`` is read instead, without the prompt writer's own sentences
(:func:`.template_writer.strip_boilerplate`), ignoring its unknown clauses (prompts are wordy)
but still failing on generative ones.

Every refusal is decided from the user's instruction and the request's structured fields, and
quotes only the user's words (:mod:`.refusals`).

Task types fill in what an empty or generic instruction leaves open (REMOVE_BACKGROUND removes
it, FILTER applies a vintage look, STYLE a painting style or the second image's style,
ADJUSTMENT an auto-enhance, FUSION puts the subject on the second image); an ``aspect_ratio``
adds a crop unless the instruction already crops or pads, and gives a bare "crop" its shape.
"""

from __future__ import annotations

import re

from .. import registry
from ..base import ImageRequest, ProviderError, TaskType
from . import refusals
from .glossary import ORDER, TERMS
from .instructions import Operation, ParsedInstruction, parse
from .template_writer import strip_boilerplate
from .term import EC, MOD, ZC
from .vocabulary import DEFAULT_STYLE


def alternatives(task_type: str) -> str:
    """The providers that can do what the offline editor cannot, as the user reads them
    ("Gemini, OpenAI or a local diffusers model"): from what the registry's classes
    declare, not from names written here. The operator's version (which settings enable
    them) is added to the error's detail by the editor."""
    return registry.alternatives(task_type, exclude=("offline",))[0] or "an AI image provider"


BACKGROUND_OPS = ("remove_bg", "bg_color", "bg_blur", "bg_image")  # studio_light keeps it
ADDITIVE = ("brightness", "contrast", "saturation", "warmth")


def _merge(ops: list[Operation]) -> list[Operation]:
    merged: dict[str, Operation] = {}
    for op in ops:
        old = merged.get(op.name)
        if old and op.name in ADDITIVE:
            op = Operation(op.name, {"amount": old.params["amount"] + op.params["amount"]})
        elif old and op.name in ("grain", "vignette"):
            op = max(old, op, key=lambda o: o.params.get("amount", 0))
        elif old and op.name == "crop":
            op = Operation("crop", {**old.params, **op.params})
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


def _clause_of(parsed: ParsedInstruction, name: str):
    """The clause of the user's words that asked for operation ``name``, if any."""
    return next(
        (c for c in parsed.clauses for m in c.matches if any(o.name == name for o in m.ops)),
        None,
    )


# "change the shirt to red", "把衣服改成蓝色" at a click: the thing clicked is recoloured.
_RECOLOUR_AT_POINT = re.compile(
    rf"\b(?:change|make|turn|paint|colou?r|recolou?r|dye|tint)\s+(?:the\s+|his\s+|her\s+|my\s+"
    rf"|their\s+|its\s+)?[a-z]+(?:\s+[a-z]+)?\s+(?:to\s+|into\s+|in\s+)?{MOD}{EC}\b"
    rf"|^(?:把|将)?[^，。,]{{1,8}}?(?:的颜色)?(?:变成|改成|换成|涂成|染成|变为|改为|换为)"
    + ZC.replace("?P<colour>", "?P<zh>")
    + "$",
    re.I,
)


def _recolour_at_point(user: ParsedInstruction, request: ImageRequest) -> None:
    """With a click or a mask, a clause that asks for a thing in a new colour (read as new
    clothing or "turning something into something else") recolours what was clicked."""
    if not (request.hotspot or request.mask):
        return
    for clause in user.generative:
        found = _RECOLOUR_AT_POINT.search(clause.text.strip())
        if not found:
            continue
        colour = found.group("colour")
        again = parse(f"make this {colour}" if colour else f"这里变成{found.group('zh')}")
        if again.operations and again.operations[0].name == "recolor":
            clause.status, clause.reason = "ops", "recolour what was clicked"
            clause.matches = again.clauses[0].matches
            user.operations.extend(o for o in again.operations if o not in user.operations)


def _read(request: ImageRequest) -> tuple[ParsedInstruction, ParsedInstruction, bool]:
    """(the user's instruction, what to act on, lenient), or raise on what can't be done."""
    task = request.task_type
    user = parse(request.instruction or "")
    _recolour_at_point(user, request)
    if user.generative:
        raise refusals.unsupported(user, user.problems, alternatives(request.task_type))
    parsed, lenient = user, False
    prompt = (request.prompt or "").strip()
    # Nothing understood in the user's words (another language, or only generic words): the
    # stage-1 prompt may say the same in English. REMOVE_BACKGROUND needs no words at all.
    if not user.operations and prompt and task != TaskType.REMOVE_BACKGROUND:
        fallback = parse(strip_boilerplate(prompt))
        if fallback.generative:
            raise refusals.unsupported_via_prompt(
                user, fallback.generative[0].reason, alternatives(request.task_type)
            )
        if fallback.operations or not user.text:
            parsed, lenient = fallback, True
    if parsed.problems and not lenient and task != TaskType.REMOVE_BACKGROUND:
        raise refusals.unsupported(user, user.problems, alternatives(request.task_type))
    return user, parsed, lenient


def words_refusal(*, task_type: str, instruction: str) -> str | None:
    """The refusal that ``instruction`` earns whatever the photo: only what needs new content
    (an unknown clause might still be rescued by stage 1's English prompt)."""
    if task_type == TaskType.TEXT_TO_IMAGE:
        return None  # the capabilities already say so
    parsed = parse(instruction or "")
    if not parsed.generative:
        return None
    return refusals.unsupported(parsed, parsed.generative, alternatives(task_type)).message


def plan_operations(request: ImageRequest) -> tuple[list[Operation], ParsedInstruction]:
    """The operations to run for a request, or a permanent ProviderError saying why not."""
    if request.task_type == TaskType.TEXT_TO_IMAGE:
        raise ProviderError(
            "The offline editor edits photos; it cannot create an image from text. "
            f"Use {alternatives(request.task_type)}.",
            permanent=True,
            code="unsupported_task",
            provider="offline",
        )
    task = request.task_type
    user, parsed, _ = _read(request)
    ops = list(parsed.operations) or _defaults(task, request)
    if task == TaskType.REMOVE_BACKGROUND and not any(o.name in BACKGROUND_OPS for o in ops):
        ops.append(Operation("remove_bg"))
    ops = _frame(ops, request, user)
    if not ops:
        if user.problems:
            raise refusals.unsupported(user, user.problems, alternatives(request.task_type))
        if user.source:
            raise refusals.not_understood(user, alternatives(request.task_type))
        raise refusals.empty(alternatives(request.task_type))
    _check_inputs(ops, request, user)
    return _merge(ops), parsed


def _frame(ops: list[Operation], request: ImageRequest, user) -> list[Operation]:
    """Give crops and pads their aspect ratio (from the words or the request)."""
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
    out = []
    for op in ops:
        if op.name in ("crop", "pad") and not op.params.get("ratio"):
            if request.aspect_ratio:
                op = Operation(op.name, {**op.params, "ratio": request.aspect_ratio})
            elif not op.params.get("centre"):
                raise refusals.needs_ratio(
                    user,
                    _clause_of(user, op.name),
                    op.name == "pad",
                    alternatives(request.task_type),
                )
        out.append(op)
    return out


def _check_inputs(ops: list[Operation], request: ImageRequest, user) -> None:
    needs_second = [o for o in ops if o.name == "bg_image" or o.params.get("source") == "image"]
    if needs_second and len(request.images) < 2:
        raise ProviderError(
            "This edit uses a second image (as the new background, the style, or to fuse "
            "with), but only one image was provided. Upload the second image too.",
            permanent=True,
            code="missing_image",
            provider="offline",
        )
    located = request.mask or request.hotspot
    if any(o.name == "remove_object" for o in ops) and not located:
        raise ProviderError(
            "To remove an object offline, paint over it with the mask (white = remove) or "
            "click on it. To remove objects described only in words, use an AI image "
            f"provider: {alternatives(request.task_type)}.",
            permanent=True,
            code="mask_required",
            provider="offline",
        )
    if any(o.name == "recolor" for o in ops) and not located:
        raise refusals.needs_region(
            user, _clause_of(user, "recolor"), alternatives(request.task_type)
        )
