"""The bilingual glossary: phrases (Chinese and English regexes) and what they mean.

One table serves both offline stages. The editor turns each matched phrase into operations;
the template prompt writer turns the same match into an English phrase (``Term.en``). Named
groups in a pattern feed parameters: ``colour``, ``ratio``, ``deg``, ``dir``, ``axis``.
The entries live in ``terms_*.py`` by theme; this module puts them in matching order.

When two phrases overlap, the longer match wins ("背景模糊" beats "模糊", "去掉背景" beats "去掉");
between equally long ones, the earlier entry here wins.
"""

from __future__ import annotations

from .term import Term
from .terms_adjust import ADJUSTMENT_TERMS
from .terms_edit import BACKGROUND_TERMS, FRAME_TERMS, FUSION_TERMS, RECOLOR_TERMS, RETOUCH_TERMS
from .terms_look import FILTER_TERMS, STYLE_TERMS, TEXTURE_TERMS

__all__ = ["KIND_OF_OP", "ORDER", "TERMS", "Term"]

TERMS: tuple[Term, ...] = (
    *BACKGROUND_TERMS,
    *FUSION_TERMS,
    *FILTER_TERMS,
    *TEXTURE_TERMS,
    *ADJUSTMENT_TERMS,
    *FRAME_TERMS,
    *RETOUCH_TERMS,
    *RECOLOR_TERMS,
    *STYLE_TERMS,
)


# The canonical order the editor runs operations in: frame first, then retouching, looks,
# tone, the background (segmented before any colour change), texture, and upscaling last.
# fmt: off
ORDER = (
    "rotate", "flip", "crop", "pad", "remove_object", "pixelate", "smooth_skin", "denoise",
    "style", "sketch", "cartoon", "painterly", "enhance", "brightness", "contrast",
    "saturation", "warmth", "recolor", "sharpness", "blur", "cinematic", "sepia", "vintage",
    "grayscale", "invert", "remove_bg", "bg_color", "bg_blur", "bg_image", "studio_light",
    "texture", "grain", "vignette", "glitch", "upscale",
)
# fmt: on
KIND_OF_OP = {op: entry.kind for entry in TERMS for op, _ in entry.ops}
