"""Every task type, defined once: what it takes, what it costs, what it is called, and how a
request for it is checked.

Each entry point (the v1 API, the seed endpoint, ``/v1/images``, the photo editor's routes,
the pages, the CLI) builds a ``TaskInput`` and hands it to ``task_create``, which checks it
against these specs (``catalogue.task_rules.validate``) before anything is stored or
charged; forms, serializers, the compose page and the pipeline read the specs instead of
restating them. To add a task type: add a
member to :class:`TaskType` and a :class:`TaskTypeSpec` to ``SPECS`` (then, where a provider
needs to know it, teach that provider; see docs/changing.md).

Pure Python: no Django models, no providers imported, so every layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from core.errors import ValidationError

if TYPE_CHECKING:
    from .providers.base import Capabilities

ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")
MAX_IMAGES = 4  # the most photos any task takes: a main photo and up to three more
MAX_COUNT = 4  # images per task (``n``)
# Upscaling reads the photo at up to this long side (beyond the usual model input cap, so the
# user's resolution is kept) and makes results up to this long side.
UPSCALE_MAX_INPUT_SIDE = 4096
UPSCALE_MAX_RESULT_SIDE = 8192
EXPAND_MAX_SIDE_PIXELS = 2048  # the most pixels ``expand`` adds on one side


class TaskType(StrEnum):
    EDIT = "edit"
    HOTSPOT = "hotspot"
    FILTER = "filter"
    ADJUSTMENT = "adjustment"
    STYLE = "style"
    REMOVE_BACKGROUND = "remove_background"
    FUSION = "fusion"
    TEXT_TO_IMAGE = "text_to_image"
    TEXTURE = "texture"
    DECADE = "decade"
    INPAINT = "inpaint"
    EXPAND = "expand"
    UPSCALE = "upscale"


@dataclass(frozen=True)
class Label:
    """A text in both languages; ``str()`` gives the active language's."""

    en: str
    zh: str

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.zh if (get_language() or "en").lower().startswith("zh") else self.en

    def __json__(self) -> str:  # for callers that serialise labels
        return str(self)


@dataclass(frozen=True)
class TaskTypeSpec:
    """What one task type takes.

    ``min_images``/``max_images``: photos (the first is the main one). ``mask``: a mask may
    be sent. ``hotspot``: "none", "optional" or "required" (a point on the main photo).
    ``prompt_required``: an instruction must be written; otherwise ``default_prompt`` (if
    any) stands in for an empty one. ``needs``: what the image provider must be able to do,
    ``"edit"`` or ``"text_to_image"``. ``default_aspect_ratio``: used when none is sent.
    ``price_key``: the task type's key in ``AICEPS_TASK_COSTS``. ``mask_required``: a mask
    must be sent (inpainting). ``scales``: the ``scale`` values it takes (upscaling).
    ``padding``: it takes an expansion (an aspect ratio or pixels per side, outpainting)."""

    value: TaskType
    label: Label
    help: Label
    min_images: int = 1
    max_images: int = 1
    mask: bool = False
    hotspot: str = "none"
    prompt_required: bool = True
    default_prompt: str = ""
    needs: str = "edit"
    default_aspect_ratio: str = ""
    price_key: str = ""
    mask_required: bool = False
    scales: tuple[int, ...] = ()
    padding: bool = False

    @property
    def key(self) -> str:
        return self.price_key or self.value.value


SPECS: dict[TaskType, TaskTypeSpec] = {
    spec.value: spec
    for spec in (
        TaskTypeSpec(
            TaskType.EDIT,
            Label("Edit", "编辑"),
            Label(
                "Describe any change to the photo in your own words.",
                "用自己的话描述对照片的任何修改。",
            ),
            max_images=MAX_IMAGES,
            mask=True,
        ),
        TaskTypeSpec(
            TaskType.HOTSPOT,
            Label("Edit at a point", "定点编辑"),
            Label(
                "Click the photo where the change should happen, then describe it.",
                "点击照片上要修改的位置，然后描述修改。",
            ),
            mask=True,
            hotspot="required",
        ),
        TaskTypeSpec(
            TaskType.FILTER,
            Label("Filter", "滤镜"),
            Label(
                "A look for the whole photo: black and white, vintage, neon…",
                "整张照片的风格：黑白、复古、霓虹……",
            ),
            prompt_required=False,
        ),
        TaskTypeSpec(
            TaskType.ADJUSTMENT,
            Label("Adjustment", "调整"),
            Label(
                "Brightness, warmth, contrast, a blurred background…",
                "亮度、色温、对比度、背景虚化……",
            ),
            prompt_required=False,
        ),
        TaskTypeSpec(
            TaskType.STYLE,
            Label("Artistic style", "艺术风格"),
            Label(
                "Turn the photo into a painting, a sketch or another art style.",
                "把照片变成油画、素描或其他艺术风格。",
            ),
            max_images=2,
            prompt_required=False,
        ),
        TaskTypeSpec(
            TaskType.REMOVE_BACKGROUND,
            Label("Remove background", "去除背景"),
            Label(
                "Keep the subject and make the background transparent.",
                "保留主体，让背景透明。",
            ),
            max_images=2,
            prompt_required=False,
            default_prompt="Remove the background",
        ),
        TaskTypeSpec(
            TaskType.FUSION,
            Label("Fusion", "融合"),
            Label(
                "Combine several photos into one: the first is the main one.",
                "把几张照片合成一张：第一张是主图。",
            ),
            min_images=2,
            max_images=MAX_IMAGES,
        ),
        TaskTypeSpec(
            TaskType.TEXT_TO_IMAGE,
            Label("Text to image", "文字生成图片"),
            Label(
                "No photo needed: describe the picture you want.", "无需照片：描述你想要的画面。"
            ),
            min_images=0,
            max_images=0,
            needs="text_to_image",
            default_aspect_ratio="1:1",
        ),
        TaskTypeSpec(
            TaskType.TEXTURE,
            Label("Texture", "纹理"),
            Label(
                "Lay a texture over the whole photo: film grain, canvas, paper, metal…",
                "给整张照片叠加纹理：胶片颗粒、画布、纸张、金属……",
            ),
            prompt_required=False,
            default_prompt="Overlay a subtle film grain texture",
        ),
        TaskTypeSpec(
            TaskType.DECADE,
            Label("Decade", "年代风格"),
            Label(
                "Show the person as if photographed in another decade: the 1950s, the 1980s…",
                "把照片中的人物变成另一个年代的样子：五十年代、八十年代……",
            ),
        ),
        TaskTypeSpec(
            TaskType.INPAINT,
            Label("Inpaint", "局部重绘"),
            Label(
                "Paint a mask over part of the photo: only that part changes (empty: removed).",
                "在照片上涂出一块区域：只有这块会改变（不写描述则移除其中的内容）。",
            ),
            mask=True,
            mask_required=True,
            prompt_required=False,
            default_prompt="Remove what is under the mask and fill it to match its surroundings",
        ),
        TaskTypeSpec(
            TaskType.EXPAND,
            Label("Expand", "扩图"),
            Label(
                "Extend the photo beyond its borders, to an aspect ratio or by pixels per side.",
                "把照片向外扩展到指定比例，或每边扩展指定像素。",
            ),
            prompt_required=False,
            default_prompt="Extend the scene naturally beyond its borders",
            padding=True,
        ),
        TaskTypeSpec(
            TaskType.UPSCALE,
            Label("Upscale", "放大"),
            Label(
                "Make the photo 2 or 4 times larger, with detail.",
                "把照片放大 2 倍或 4 倍，并保留细节。",
            ),
            prompt_required=False,
            default_prompt="Upscale the photo",
            scales=(2, 4),
        ),
    )
}


def spec_for(task_type: str) -> TaskTypeSpec:
    """The spec of ``task_type``, or a ValidationError naming the known ones."""
    try:
        return SPECS[TaskType(task_type)]
    except ValueError:
        known = ", ".join(t.value for t in TaskType)
        raise ValidationError(
            f"Unknown task type {task_type!r}; choose one of: {known}.",
            code="unknown_task_type",
            param="task_type",
        ) from None


def choices() -> list[tuple[str, str]]:
    """(value, label) for model fields, forms and serializers: a callable, so adding a type
    needs no migration; the labels are lazy, in the language active when shown."""
    return [(spec.value.value, _lazy_text(spec.label)) for spec in SPECS.values()]


def _label_text(label: Label) -> str:
    return str(label)


def _lazy_text(label: Label):
    from django.utils.functional import lazy

    return lazy(_label_text, str)(label)


# Editing primitives a provider must name in ``Capabilities.task_types`` to be offered them:
# being able to "edit" says nothing about keeping the pixels outside a mask or painting past
# the borders, so a provider that lists no types (None) is not given these.
EXPLICIT_TYPES = frozenset({TaskType.INPAINT, TaskType.EXPAND, TaskType.UPSCALE})


def provider_can(capabilities: Capabilities, task_type: str) -> bool:
    spec = spec_for(task_type)
    if capabilities.task_types is None and spec.value in EXPLICIT_TYPES:
        return False
    if capabilities.task_types is not None and spec.value not in capabilities.task_types:
        return False
    if spec.needs == "text_to_image":
        return capabilities.text_to_image
    return capabilities.edit and capabilities.max_input_images >= max(spec.min_images, 1)


def image_range(task_type: str, capabilities: Capabilities | None = None) -> tuple[int, int]:
    """The fewest and most photos this task type takes with this provider."""
    spec = spec_for(task_type)
    most = spec.max_images
    if capabilities is not None:
        most = min(most, capabilities.max_input_images)
    return spec.min_images, most
