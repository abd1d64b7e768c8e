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
    INPAINT = "inpaint"  # an inpainting model (SD/SDXL inpainting, FLUX Fill): always a mask
    UPSCALE = "upscale"  # a diffusion upscaler (SD x4): the image is enlarged, nothing else


@dataclass(frozen=True)
class TextReader:
    """How one text encoder of a family reads the prompt given as ``keyword``.

    ``tokens``: what the encoder reads, special tokens included (CLIP 77, T5 512 in FLUX);
    None where the whole prompt is read (Qwen-Image's language model). ``reads_chinese``:
    CLIP's and T5's vocabularies are English, so Chinese reaches them as noise or unknown
    tokens; the prompt is then written from the English professional prompt. ``tokenizer``:
    the pipeline attribute that counts its tokens."""

    keyword: str
    kind: str  # "clip", "t5", "llm"
    tokens: int | None
    reads_chinese: bool = False
    tokenizer: str = "tokenizer"

    @property
    def description(self) -> str:
        budget = f"{self.tokens} tokens" if self.tokens else "the whole prompt"
        return f"{self.keyword}: {self.kind.upper()} ({budget})"


CLIP = TextReader("prompt", "clip", 77)
T5 = TextReader("prompt_2", "t5", 512, tokenizer="tokenizer_2")
LANGUAGE_MODEL = TextReader("prompt", "llm", None, reads_chinese=True)


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
    # How its text encoders read the prompt (SDXL's second CLIP gets ``prompt`` too).
    readers: tuple[TextReader, ...] = (CLIP,)
    upscale_factor: int = 0  # a diffusion upscaler's native factor (0: not an upscaler)

    @property
    def can_expand(self) -> bool:
        """Outpainting runs through an inpainting pipeline on the padded canvas."""
        return self.mode == Mode.INPAINT or self.inpaint is not None

    @property
    def description(self) -> str:
        return f"{self.key} ({self.mode.value})"

    def task_types(self) -> frozenset[str]:
        """The task types this family runs (``catalogue.task_types`` values)."""
        if self.mode == Mode.UPSCALE:
            return frozenset({"upscale"})
        every = {
            "edit", "hotspot", "filter", "adjustment", "style", "remove_background",
            "fusion", "texture", "decade", "inpaint", "expand", "text_to_image",
        }  # fmt: skip
        if not self.can_expand:
            every.discard("expand")
        if self.text_to_image is None:
            every.discard("text_to_image")
        return frozenset(every)


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
    readers=(CLIP, TextReader("prompt_3", "t5", 256, tokenizer="tokenizer_3")),
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
    readers=(CLIP, T5),
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
    readers=(CLIP, T5),
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
    readers=(LANGUAGE_MODEL,),
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
    readers=(LANGUAGE_MODEL,),
)
SD_INPAINTING = Family(
    key="stable-diffusion-inpainting",
    edit="StableDiffusionInpaintPipeline",
    mode=Mode.INPAINT,
    text_to_image=None,  # its UNet takes the mask and the masked image as extra channels
)
SDXL_INPAINTING = Family(
    key="stable-diffusion-xl-inpainting",
    edit="StableDiffusionXLInpaintPipeline",
    mode=Mode.INPAINT,
    text_to_image=None,
    guidance=8.0,
)
FLUX_FILL = Family(
    key="flux-fill",
    edit="FluxFillPipeline",
    mode=Mode.INPAINT,
    text_to_image=None,
    multiple=16,
    guidance=30.0,
    steps=50,
    cuda_dtype="bfloat16",
    readers=(CLIP, T5),
)
SD_UPSCALER = Family(
    key="stable-diffusion-x4-upscaler",
    edit="StableDiffusionUpscalePipeline",
    mode=Mode.UPSCALE,
    text_to_image=None,
    guidance=9.0,
    steps=75,
    upscale_factor=4,
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
    "StableDiffusionInpaintPipeline": SD_INPAINTING,
    "StableDiffusionXLInpaintPipeline": SDXL_INPAINTING,
    "FluxFillPipeline": FLUX_FILL,
    "StableDiffusionUpscalePipeline": SD_UPSCALER,
}


def family_for(class_name: str | None) -> Family | None:
    return FAMILIES.get(class_name or "")
