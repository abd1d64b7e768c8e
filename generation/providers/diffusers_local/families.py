"""Which diffusers pipelines the local provider runs, and how each family is driven.

A model is a diffusers pipeline directory (or a hub id already in the Hugging Face cache); the
``_class_name`` in its ``model_index.json`` picks a :class:`Family`. Pure Python: importing this
module imports neither torch nor diffusers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    """How a family edits an image."""

    STRENGTH = "strength"  # img2img: noise the image to ``strength``, denoise towards the prompt
    INSTRUCT = "instruct"  # InstructPix2Pix: the image conditions every step (image_guidance)
    REFERENCE = "reference"  # Kontext, Qwen-Image-Edit: instruction editors with a reference image


@dataclass(frozen=True)
class Family:
    key: str
    edit: str  # diffusers class loaded from disk and used for edits
    mode: Mode
    text_to_image: str | None  # class built from the same components; None: not possible
    inpaint: str | None = None  # class for masked edits; None: the edit is composited instead
    multiple: int = 8  # width and height are rounded down to a multiple of this
    guidance: float = 7.5  # default when none is configured
    steps: int = 20
    cuda_dtype: str = "float16"  # "auto" dtype on cuda (Flux and Qwen overflow in float16)
    max_input_images: int = 1
    text_to_image_same_class: bool = False  # the edit class also draws without an image

    @property
    def description(self) -> str:
        return f"{self.key} ({self.mode.value})"


SD = Family(
    key="stable-diffusion",
    edit="StableDiffusionImg2ImgPipeline",
    mode=Mode.STRENGTH,
    text_to_image="StableDiffusionPipeline",
    inpaint="StableDiffusionInpaintPipeline",
)
SDXL = Family(
    key="stable-diffusion-xl",
    edit="StableDiffusionXLImg2ImgPipeline",
    mode=Mode.STRENGTH,
    text_to_image="StableDiffusionXLPipeline",
    inpaint="StableDiffusionXLInpaintPipeline",
    guidance=5.0,
    cuda_dtype="float16",
)
SD3 = Family(
    key="stable-diffusion-3",
    edit="StableDiffusion3Img2ImgPipeline",
    mode=Mode.STRENGTH,
    text_to_image="StableDiffusion3Pipeline",
    inpaint="StableDiffusion3InpaintPipeline",
    multiple=16,
    guidance=7.0,
    steps=28,
)
FLUX = Family(
    key="flux",
    edit="FluxImg2ImgPipeline",
    mode=Mode.STRENGTH,
    text_to_image="FluxPipeline",
    inpaint="FluxInpaintPipeline",
    multiple=16,
    guidance=3.5,
    steps=28,
    cuda_dtype="bfloat16",
)
PIX2PIX = Family(
    key="instruct-pix2pix",
    edit="StableDiffusionInstructPix2PixPipeline",
    mode=Mode.INSTRUCT,
    text_to_image=None,  # its UNet takes the image latents as extra input channels
)
PIX2PIX_XL = Family(
    key="instruct-pix2pix-xl",
    edit="StableDiffusionXLInstructPix2PixPipeline",
    mode=Mode.INSTRUCT,
    text_to_image=None,
    guidance=5.0,
)
KONTEXT = Family(
    key="flux-kontext",
    edit="FluxKontextPipeline",
    mode=Mode.REFERENCE,
    text_to_image="FluxKontextPipeline",
    text_to_image_same_class=True,
    multiple=16,
    guidance=2.5,
    steps=28,
    cuda_dtype="bfloat16",
)
QWEN_EDIT = Family(
    key="qwen-image-edit",
    edit="QwenImageEditPipeline",
    mode=Mode.REFERENCE,
    text_to_image="QwenImagePipeline",
    multiple=16,
    guidance=4.0,  # true_cfg_scale
    steps=40,
    cuda_dtype="bfloat16",
)
QWEN_EDIT_PLUS = Family(
    key="qwen-image-edit-plus",
    edit="QwenImageEditPlusPipeline",
    mode=Mode.REFERENCE,
    text_to_image="QwenImagePipeline",
    multiple=16,
    guidance=4.0,
    steps=40,
    cuda_dtype="bfloat16",
    max_input_images=3,
)

# model_index.json ``_class_name`` -> family. Hub repos usually name the text-to-image class.
FAMILIES: dict[str, Family] = {
    "StableDiffusionPipeline": SD,
    "StableDiffusionImg2ImgPipeline": SD,
    "StableDiffusionXLPipeline": SDXL,
    "StableDiffusionXLImg2ImgPipeline": SDXL,
    "StableDiffusion3Pipeline": SD3,
    "StableDiffusion3Img2ImgPipeline": SD3,
    "FluxPipeline": FLUX,
    "FluxImg2ImgPipeline": FLUX,
    "StableDiffusionInstructPix2PixPipeline": PIX2PIX,
    "StableDiffusionXLInstructPix2PixPipeline": PIX2PIX_XL,
    "FluxKontextPipeline": KONTEXT,
    "QwenImageEditPipeline": QWEN_EDIT,
    "QwenImageEditPlusPipeline": QWEN_EDIT_PLUS,
}


def family_for(class_name: str | None) -> Family | None:
    return FAMILIES.get(class_name or "")
