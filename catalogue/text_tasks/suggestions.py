"""Four named prompt ideas for a photo (the editor's 获取灵感): the ``suggestions`` text task.

The ideas come from what is measured in the photo (exposure, contrast, colourfulness, warmth,
faces; ``catalogue.providers.offline.analysis``): each idea of the catalogue below says how
well it suits those measurements, and the four that suit best are offered, with a reason.
Then the configured prompt writer writes each one's prompt for this photo: a vision-language
model (Gemini, an OpenAI-compatible server) looks at the photo and writes a detailed English
prompt; the offline template writer keeps the idea's short instruction, which the offline
editor understands as it is. With the offline editor as the image provider, only ideas it can
carry out are offered.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.errors import ValidationError

from ..imaging import prepare_for_model
from ..providers.base import InputImage, PromptRequest, ProviderError, TaskType
from ..providers.registry import get_prompt_writer, resolve_name
from . import TextRequest

logger = logging.getLogger(__name__)
KINDS = ("filter", "adjustment", "texture")
COUNT = 4


@dataclass(frozen=True)
class Facts:
    brightness: float  # mean luma, 0..1
    contrast: float  # standard deviation of luma, 0..~0.5
    saturation: float  # mean HSV saturation, 0..1
    warmth: float  # (mean red - mean blue) / 255
    faces: int
    colours: tuple[str, ...]

    def describe(self) -> str:
        parts = [f"brightness {self.brightness:.0%}", f"contrast {self.contrast:.2f}"]
        parts.append(f"saturation {self.saturation:.0%}")
        if self.faces:
            parts.append(f"{self.faces} face{'s' if self.faces > 1 else ''}")
        if self.colours:
            parts.append("colours " + ", ".join(self.colours))
        return "; ".join(parts)


@dataclass(frozen=True)
class Idea:
    kind: str
    name_en: str
    name_zh: str
    instruction: str  # what the offline editor carries out as written
    fit: Callable[[Facts], float]
    offline: bool = True

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


def _dark(f: Facts) -> float:
    return max(0.0, 0.45 - f.brightness) * 2


def _flat(f: Facts) -> float:
    return max(0.0, 0.22 - f.contrast) * 4


CATALOGUE = (
    Idea("filter", "Vintage film", "复古胶片", "vintage film look", lambda f: 0.6 + f.warmth),
    Idea("filter", "Classic black and white", "经典黑白", "黑白", lambda f: 0.4 + f.contrast),
    Idea("filter", "Neon night", "霓虹夜色", "neon", lambda f: 0.3 + _dark(f)),
    Idea("filter", "Pencil sketch", "铅笔素描", "pencil sketch", lambda f: 0.3 + 0.2 * f.faces),
    Idea("filter", "Cartoon", "卡通插画", "cartoon", lambda f: 0.35 + 0.15 * f.faces),
    Idea("filter", "Sepia memories", "怀旧棕褐", "sepia", lambda f: 0.3 + max(0, f.warmth)),
    Idea("filter", "Teal and orange", "电影青橙", "teal and orange", lambda f: 0.3 + f.saturation),
    Idea("adjustment", "Lift the shadows", "提亮暗部", "brighter", lambda f: 0.2 + 2 * _dark(f)),
    Idea("adjustment", "More punch", "增强对比", "more contrast", lambda f: 0.2 + _flat(f)),
    Idea("adjustment", "Warmer light", "暖色调", "warmer", lambda f: 0.3 - f.warmth),
    Idea("adjustment", "Cooler light", "冷色调", "cooler", lambda f: 0.2 + f.warmth),
    Idea(
        "adjustment",
        "More vivid colour",
        "色彩更鲜艳",
        "more saturated",
        lambda f: 0.2 + max(0.0, 0.45 - f.saturation),
    ),
    Idea(
        "adjustment",
        "Blurred background",
        "背景虚化",
        "blur the background",
        lambda f: 0.25 + 0.3 * min(f.faces, 1),
    ),
    Idea("adjustment", "Crisper detail", "细节更清晰", "sharpen", lambda f: 0.25),
    Idea("texture", "Film grain", "胶片颗粒", "film grain", lambda f: 0.5 + _dark(f) / 2),
    Idea("texture", "Mosaic tiles", "马赛克", "mosaic", lambda f: 0.3 + f.saturation / 2),
    Idea("texture", "Pixel art", "像素风", "pixelate", lambda f: 0.3),
    Idea("texture", "Oil paint strokes", "油画笔触", "oil painting", lambda f: 0.35 + f.contrast),
    Idea(
        "texture",
        "Canvas weave",
        "画布纹理",
        "overlay a fine canvas weave texture",
        lambda f: 0.45,
        offline=False,
    ),
    Idea(
        "texture",
        "Old paper",
        "旧纸张",
        "overlay an aged paper texture with soft stains",
        lambda f: 0.4 + max(0, f.warmth),
        offline=False,
    ),
)


def measure(photo: InputImage) -> Facts:
    from ..providers.offline.analysis import detect_faces, dominant_colours

    with Image.open(io.BytesIO(photo.data)) as opened:
        rgb = np.asarray(opened.convert("RGB"))
    step = max(1, max(rgb.shape[:2]) // 512)
    small = np.ascontiguousarray(rgb[::step, ::step]).astype(np.float32)
    luma = small @ np.array([0.299, 0.587, 0.114], np.float32) / 255.0
    high, low = small.max(axis=2), small.min(axis=2)
    saturation = np.where(high > 0, (high - low) / np.maximum(high, 1), 0)
    return Facts(
        brightness=float(luma.mean()),
        contrast=float(luma.std()),
        saturation=float(saturation.mean()),
        warmth=float((small[..., 0].mean() - small[..., 2].mean()) / 255.0),
        faces=len(detect_faces(rgb)),
        colours=tuple(dominant_colours(small.astype(np.uint8))),
    )


def pick(kind: str, facts: Facts, *, offline_only: bool, count: int = COUNT) -> list[Idea]:
    ideas = [i for i in CATALOGUE if i.kind == kind and (i.offline or not offline_only)]
    ranked = sorted(enumerate(ideas), key=lambda item: (-item[1].fit(facts), item[0]))
    return [idea for _, idea in ranked[:count]]


def _write(writer, idea: Idea, photo: InputImage) -> str:
    try:
        return writer.write(
            PromptRequest(
                instruction=idea.instruction, task_type=TaskType(idea.kind), images=(photo,)
            )
        ).prompt
    except ProviderError as exc:  # one idea's prompt; the instruction still works
        logger.warning("suggestion prompt not written", extra={"code": exc.code})
        return idea.instruction


def suggest(request: TextRequest) -> dict:
    """The handler: ``{"suggestions": [{name, prompt, reason}], "facts": ...}``."""
    kind = request.parameters.get("type")
    if kind not in KINDS:
        raise ValidationError("type must be filter, adjustment or texture.", param="type")
    if request.photo is None:
        raise ValidationError("Send the photo to suggest ideas for.", code="missing_image")
    language = request.parameters.get("language") or "zh-hans"
    photo = prepare_for_model(request.photo, max_side=1024)
    facts = measure(photo)
    offline_only = resolve_name(None, kind="image_provider") == "offline"
    ideas = pick(kind, facts, offline_only=offline_only)
    writer_name = request.prompt_writer or resolve_name(None, kind="prompt_writer")
    if writer_name == "template":
        prompts = [idea.instruction for idea in ideas]
    else:
        writer = get_prompt_writer(writer_name)
        with ThreadPoolExecutor(max_workers=len(ideas)) as pool:
            prompts = list(pool.map(lambda idea: _write(writer, idea, photo), ideas))
    return {
        "suggestions": [
            {"name": idea.name(language), "prompt": prompt, "reason": facts.describe()}
            for idea, prompt in zip(ideas, prompts, strict=True)
        ],
        "facts": facts.describe(),
        "prompt_writer": writer_name,
    }
