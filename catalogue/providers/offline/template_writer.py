"""The template prompt writer: offline stage 1.

It reads the instruction with the same glossary as the offline editor, so every phrase the
editor understands comes out as a precise English phrase. Text it does not understand is kept:
English as written, Chinese quoted as "original instruction (Chinese): ..." with an English
word gloss, so a capable image model downstream still gets the whole request. Simple facts
about the photo (size, orientation, exposure, dominant colours, faces) frame the prompt.
"""

from __future__ import annotations

import re

import numpy as np

from ..base import (
    ASPECT_RATIOS,
    InputImage,
    PromptPlan,
    PromptRequest,
    PromptResult,
    PromptWriter,
    ProviderError,
    TaskType,
)
from .analysis import detect_faces, dominant_colours, mean_brightness
from .decoding import decode
from .instructions import ParsedInstruction, parse
from .wording import ZH_WORD_GLOSS

_HAN = re.compile(r"[\u4e00-\u9fff]")
_GLOSS = re.compile("|".join(sorted(map(re.escape, ZH_WORD_GLOSS), key=len, reverse=True)))
KIND_TO_TASK = {
    "adjustment": TaskType.ADJUSTMENT,
    "filter": TaskType.FILTER,
    "style": TaskType.STYLE,
}
OPENERS = {
    TaskType.EDIT: "Edit the provided {photo}",
    TaskType.HOTSPOT: "Make a precise local edit to the provided {photo} at pixel {hotspot}",
    TaskType.FILTER: "Apply a photographic filter to the provided {photo}",
    TaskType.ADJUSTMENT: "Adjust the provided {photo}",
    TaskType.STYLE: "Restyle the provided {photo}",
    TaskType.REMOVE_BACKGROUND: "Cut out the main subject of the provided {photo}",
    TaskType.FUSION: "Combine the {count} provided images; the first, a {photo}, is the main one",
}
KEEP = {
    TaskType.STYLE: "Keep the composition and the subject recognisable.",
    TaskType.REMOVE_BACKGROUND: "Keep the subject itself exactly as it is.",
    TaskType.FUSION: "Keep the main subject's identity and details unchanged; match light, "
    "perspective and colour so the result looks like one photograph.",
    TaskType.HOTSPOT: "Change only the area around that point, blend it seamlessly and leave "
    "everything else unchanged.",
}
DEFAULTS = {
    TaskType.FILTER: "give it a tasteful vintage film look",
    TaskType.ADJUSTMENT: "enhance it with balanced exposure, natural colour and crisp detail",
    TaskType.STYLE: "restyle it as a painting in the manner of a famous artist",
    TaskType.REMOVE_BACKGROUND: "remove the background completely so only the main subject "
    "remains, on a fully transparent background with clean edges",
    TaskType.FUSION: "place the main subject of the first image naturally into the second",
}


FALLBACK_BODY = "improve it as the user asks"
QUALITY = (
    "High quality, no added text or watermarks.",
    "Photorealistic, high quality, no added text or watermarks.",
)
_PHOTO = r"(?:\d+x\d+ (?:square|landscape|portrait) )?photo(?: \([^)]*\))?"
_OPENER = re.compile(
    "^(?:"
    + "|".join(
        re.escape(o)
        .replace(re.escape("{photo}"), _PHOTO)
        .replace(re.escape("{hotspot}"), r"(?:\(\d+, \d+\)|None)")
        .replace(re.escape("{count}"), r"\d+")
        for o in OPENERS.values()
    )
    + "): "
)
_FIXED = re.compile(
    "|".join(
        [
            *(re.escape(t) for t in (*KEEP.values(), *QUALITY)),
            re.escape(FALLBACK_BODY) + r"\.",
            r"Keep (?:the person's face, identity, |the subject, )pose, composition and lighting "
            r"unchanged except where asked, and leave everything not mentioned untouched\.",
            r"Frame the result in a \S+ aspect ratio\.",
        ]
    )
)


def strip_boilerplate(prompt: str) -> str:
    """A prompt without the sentences this writer adds on its own (opener, keep, quality).

    What is left came from the user's words, so the editor can read it without acting on,
    or quoting, the writer's own phrasing. Prompts by other writers pass through unchanged
    except for those exact sentences."""
    return _FIXED.sub(" ", _OPENER.sub("", prompt.strip())).strip()


def gloss(text: str) -> list[str]:
    return list(dict.fromkeys(ZH_WORD_GLOSS[m] for m in _GLOSS.findall(text)))


def photo_facts(image: InputImage) -> tuple[str, int]:
    """("1024x768 landscape photo (...)", number of faces)."""
    w, h = image.width, image.height
    orientation = (
        "square" if abs(w - h) <= 0.05 * max(w, h) else ("landscape" if w > h else "portrait")
    )
    try:
        rgb, _ = decode(image)
        h, w = rgb.shape[:2]
        step = max(1, max(h, w) // 512)
        small = np.ascontiguousarray(rgb[::step, ::step])
        brightness = mean_brightness(small)
        colours = dominant_colours(small)
        faces = len(detect_faces(rgb))
    except (ProviderError, ValueError, OSError):
        return f"{w}x{h} {orientation} photo", 0
    exposure = (
        "dark, low-key"
        if brightness < 0.3
        else ("bright, high-key" if brightness > 0.68 else "balanced")
    )
    details = [
        f"{exposure} exposure, mean brightness {brightness:.0%}",
        "dominant colours: " + ", ".join(colours),
    ]
    if faces:
        details.append(f"{faces} face{'s' if faces > 1 else ''} visible")
    return f"{w}x{h} {orientation} photo ({'; '.join(details)})", faces


def _quoted(texts: list[str], lead: str) -> str:
    words = gloss("".join(texts))
    hint = f" (key words: {', '.join(words)})" if words else ""
    return f'{lead}, original instruction (Chinese): "{"，".join(texts)}"{hint}'


def english_parts(parsed: ParsedInstruction) -> tuple[list[str], list[str], list[str]]:
    """(English phrases for understood parts, the Chinese text not understood, constraints)."""
    phrases: list[str] = []
    chinese: list[str] = []
    constraints: list[str] = []
    chinese_constraints: list[str] = []
    for clause in parsed.clauses:
        for m in clause.matches:
            if m.negated:
                continue
            params = m.ops[0].params if m.ops else {}
            try:
                phrases.append(m.term.en.format(**params))
            except (KeyError, IndexError):
                phrases.append(m.term.en.split("{")[0].strip())
        text = clause.text.strip()
        is_chinese = bool(_HAN.search(text))
        if clause.status in ("generative", "unknown"):
            (chinese if is_chinese else phrases).append(text)
        elif clause.status == "constraint":
            (chinese_constraints if is_chinese else constraints).append(text)
    if chinese_constraints:
        constraints.append(_quoted(chinese_constraints, "respect what the user asked to keep"))
    return list(dict.fromkeys(phrases)), chinese, constraints


def plan_for(request: PromptRequest, parsed: ParsedInstruction) -> PromptPlan:
    task = None
    kinds = {m.term.kind for c in parsed.clauses for m in c.matches if not m.negated}
    names = {o.name for o in parsed.operations}
    if request.task_type == TaskType.EDIT and not parsed.problems and kinds:
        if kinds == {"background"} and names == {"remove_bg"}:
            task = TaskType.REMOVE_BACKGROUND
        elif "bg_image" in names and len(request.images) >= 2:
            task = TaskType.FUSION
        elif len(kinds) == 1 and next(iter(kinds)) in KIND_TO_TASK:
            task = KIND_TO_TASK[next(iter(kinds))]
    ratio = next(
        (
            o.params.get("ratio")
            for o in parsed.operations
            if o.name in ("crop", "pad") and o.params.get("ratio") in ASPECT_RATIOS
        ),
        None,
    )
    return PromptPlan(task_type=task, aspect_ratio=ratio or request.aspect_ratio)


class TemplatePromptWriter(PromptWriter):
    name = "template"
    summary = "a bilingual glossary and templates over facts about the photo"

    def write(self, request: PromptRequest) -> PromptResult:
        parsed = parse(request.instruction)
        plan = plan_for(request, parsed)
        task = plan.task_type or request.task_type
        phrases, chinese, constraints = english_parts(parsed)
        notes = []
        if chinese:
            lead = (
                "the scene described in Chinese"
                if task == TaskType.TEXT_TO_IMAGE
                else "also carry out the rest of the request, given in Chinese"
                if phrases
                else "carry out the request, given in Chinese"
            )
            notes.append(_quoted(chinese, lead))
        if not phrases and not notes and task in DEFAULTS:
            phrases = [DEFAULTS[task]]
        ratio = plan.aspect_ratio
        if task == TaskType.TEXT_TO_IMAGE:
            body = "; ".join(phrases + notes) or "an appealing, well-composed photograph"
            prompt = (
                f"Create a new high-quality, photorealistic image"
                f"{f' in {ratio} aspect ratio' if ratio else ''}: {body}. "
                "Natural lighting, sharp focus, coherent details."
            )
            return PromptResult(prompt=prompt, model="template-v1", tokens_used=0, plan=plan)
        faces = 0
        if request.images:
            photo, faces = photo_facts(request.images[0])
        else:
            photo = "photo"
        opener = OPENERS.get(task, OPENERS[TaskType.EDIT]).format(
            photo=photo, count=len(request.images), hotspot=request.hotspot
        )
        body = "; ".join(phrases + notes) or FALLBACK_BODY
        sentences = [f"{opener}: {body}."]
        if ratio and not any(o.name in ("crop", "pad") for o in parsed.operations):
            sentences.append(f"Frame the result in a {ratio} aspect ratio.")
        if constraints:
            sentences.append("Also " + "; ".join(constraints) + ".")
        keep = KEEP.get(task)
        if keep is None:
            who = "the person's face, identity, " if faces else "the subject, "
            keep = (
                f"Keep {who}pose, composition and lighting unchanged except where asked, "
                "and leave everything not mentioned untouched."
            )
        sentences.append(keep)
        artistic = {"style", "sketch", "cartoon", "painterly", "pixelate"}
        if task == TaskType.STYLE or artistic & {o.name for o in parsed.operations}:
            sentences.append(QUALITY[0])
        else:
            sentences.append(QUALITY[1])
        prompt = " ".join(sentences)
        return PromptResult(prompt=prompt, model="template-v1", tokens_used=0, plan=plan)
