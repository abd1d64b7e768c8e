"""Full-size (and tiny) diffusers pipelines with random weights, for ``bench/gpu_check.py``.

The full configurations are the published ones of each model, written here so nothing is
downloaded: SD 1.5 (and InstructPix2Pix, its UNet with 8 input channels), SD-Turbo (SD 2.1's
UNet and OpenCLIP ViT-H), SDXL base and inpainting (9 input channels), FLUX.1 Kontext and FLUX.1
Fill (the 12B transformer, T5-XXL, CLIP-L), Qwen-Image-Edit (the 20B transformer, Qwen2.5-VL 7B;
its VAE's latent mean and std are 0 and 1 here). Weights are random, so images are noise, but
the work per image (shapes, steps, attention lengths) is the real models'. ``tiny=True`` gives
the same pipelines with the shapes of diffusers' own pipeline tests, for the CPU.

Tokenizers: CLIP's real one (from open_clip_torch's vocabulary) when installed, else a
byte-level one; T5's vocabulary is not on this disk, so T5 gets a word-level tokenizer with the
same specials and length (FLUX pads T5 input to 512 tokens whatever it says); Qwen2's vocabulary
is not here either, so Qwen-Image-Edit's language model reads a byte-level tokenizer (no merges:
about four times the tokens of the real one for English, so its text encoding costs a little
more than the real model's) with Qwen's special tokens.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gpu_configs import (
    CLIP_L,
    FLUX,
    FLUX_VAE,
    OPENCLIP_BIGG,
    OPENCLIP_H,
    QWEN_IMAGE,
    QWEN_SPECIALS,
    QWEN_VAE,
    QWEN_VL_TEXT,
    QWEN_VL_VISION,
    SD_UNET,
    SD_VAE,
    SDXL_UNET,
    T5_XXL,
    TINY_CLIP,
    TINY_FLUX,
    TINY_FLUX_VAE,
    TINY_QWEN_IMAGE,
    TINY_QWEN_VAE,
    TINY_QWEN_VL_TEXT,
    TINY_QWEN_VL_VISION,
    TINY_SDXL_UNET,
    TINY_T5,
    TINY_UNET,
    TINY_VAE,
)

SKIPPED: dict[str, str] = {}  # families the check cannot build here, with the reason


@dataclass(frozen=True)
class Spec:
    key: str
    class_name: str  # the model_index _class_name the provider picks the family from
    task: str  # "edit", "inpaint" or "text_to_image"
    side: int
    tiny_side: int
    steps: int
    guidance: float
    float16: bool = True  # FLUX overflows in float16: bfloat16 only
    tiny_steps: int = 2


SPECS = (
    Spec("sd-1.5", "StableDiffusionImg2ImgPipeline", "edit", 512, 32, 20, 7.5),
    Spec("sd-turbo", "StableDiffusionImg2ImgPipeline", "edit", 512, 32, 2, 0.0),
    Spec("instruct-pix2pix", "StableDiffusionInstructPix2PixPipeline", "edit", 512, 32, 20, 7.5),
    Spec("sdxl", "StableDiffusionXLImg2ImgPipeline", "edit", 1024, 32, 20, 5.0),
    Spec("sdxl-inpainting", "StableDiffusionXLInpaintPipeline", "inpaint", 1024, 32, 20, 8.0),
    Spec("flux-kontext", "FluxKontextPipeline", "edit", 1024, 32, 8, 2.5, float16=False),
    Spec("flux-fill", "FluxFillPipeline", "inpaint", 1024, 32, 8, 30.0, float16=False),
    Spec("qwen-image-edit", "QwenImageEditPipeline", "edit", 1024, 32, 8, 4.0, float16=False),
)


def clip_tokenizer() -> Any:
    from tests.fakes.tiny_diffusers import (
        clip_vocabulary_file,
        write_real_clip_tokenizer,
        write_tokenizer_files,
    )

    folder = Path(tempfile.mkdtemp(prefix="gpu-check-clip-"))
    if clip_vocabulary_file() is not None:
        return write_real_clip_tokenizer(folder)
    return write_tokenizer_files(folder)


def t5_tokenizer() -> Any:
    """A word-level stand-in with T5's specials (pad 0, eos 1, unk 2) that pads to 512."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    words = ("a", "an", "the", "of", "to", "in", "on", "and", "with", "make", "turn", "into",
             "sky", "photo", "edit", "keep", "red")  # fmt: skip
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2, **{w: i + 3 for i, w in enumerate(words)}}
    model = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    model.pre_tokenizer = pre_tokenizers.Whitespace()
    model.post_processor = processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=model,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=512,
    )


def qwen_processor() -> tuple[Any, Any, dict[str, int]]:
    """A byte-level tokenizer with Qwen's special tokens, and the Qwen2-VL processor over it
    (built field by field: its constructor insists on a video processor, which needs
    torchvision, and images are all this pipeline sends)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2VLImageProcessor, Qwen2VLProcessor

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    model = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
    model.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    model.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=model, eos_token=QWEN_SPECIALS[0], pad_token=QWEN_SPECIALS[0]
    )
    tokenizer.add_special_tokens({"additional_special_tokens": list(QWEN_SPECIALS[1:])})
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in QWEN_SPECIALS}
    processor = Qwen2VLProcessor.__new__(Qwen2VLProcessor)
    processor.image_processor, processor.tokenizer = Qwen2VLImageProcessor(), tokenizer
    processor.video_processor = processor.chat_template = processor.audio_tokenizer = None
    processor.image_token, processor.video_token = "<|image_pad|>", "<|video_pad|>"
    processor.image_token_id, processor.video_token_id = ids["<|image_pad|>"], ids["<|video_pad|>"]
    return tokenizer, processor, ids


def _qwen(spec: Spec, tiny: bool, tokenizer, scheduler) -> Any:
    import diffusers
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    qwen_tokenizer, processor, ids = qwen_processor()
    end = ids["<|endoftext|>"]
    tiny_text = dict(vocab_size=len(qwen_tokenizer), bos_token_id=None, eos_token_id=end)
    text = dict(TINY_QWEN_VL_TEXT, **tiny_text) if tiny else QWEN_VL_TEXT
    config = Qwen2_5_VLConfig(
        text_config=text,
        vision_config=TINY_QWEN_VL_VISION if tiny else QWEN_VL_VISION,
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        vision_token_id=ids["<|vision_pad|>"],
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
    )
    vae = TINY_QWEN_VAE if tiny else QWEN_VAE
    z = vae["z_dim"]
    return diffusers.QwenImageEditPipeline(
        scheduler=scheduler,
        vae=diffusers.AutoencoderKLQwenImage(**vae, latents_mean=[0.0] * z, latents_std=[1.0] * z),
        text_encoder=Qwen2_5_VLForConditionalGeneration(config),
        tokenizer=qwen_tokenizer,
        processor=processor,
        transformer=diffusers.QwenImageTransformer2DModel(
            **(TINY_QWEN_IMAGE if tiny else QWEN_IMAGE)
        ),
    )


def _clip(torch_cls, tokenizer, config: dict) -> Any:
    from transformers import CLIPTextConfig

    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    return torch_cls(
        CLIPTextConfig(
            **config,
            vocab_size=len(tokenizer),
            max_position_embeddings=77,
            bos_token_id=tokenizer.convert_tokens_to_ids("<|startoftext|>"),
            eos_token_id=eos,
            pad_token_id=eos,
        )
    )


def _sd_like(spec: Spec, tiny: bool, tokenizer, scheduler) -> Any:
    import diffusers
    from transformers import CLIPTextModel

    turbo = spec.key == "sd-turbo"
    unet = dict(TINY_UNET, cross_attention_dim=32) if tiny else dict(SD_UNET)
    if not tiny:
        unet.update(
            dict(cross_attention_dim=1024, attention_head_dim=(5, 10, 20, 20))
            if turbo
            else dict(cross_attention_dim=768, attention_head_dim=8)
        )
        unet["use_linear_projection"] = turbo
    channels = 8 if spec.key == "instruct-pix2pix" else 4
    text = TINY_CLIP if tiny else OPENCLIP_H if turbo else CLIP_L
    cls = getattr(diffusers, spec.class_name)
    return cls(
        vae=diffusers.AutoencoderKL(**(TINY_VAE if tiny else SD_VAE)),
        text_encoder=_clip(CLIPTextModel, tokenizer, text),
        tokenizer=tokenizer,
        unet=diffusers.UNet2DConditionModel(in_channels=channels, out_channels=4, **unet),
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def _sdxl(spec: Spec, tiny: bool, tokenizer, scheduler) -> Any:
    import diffusers
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    channels = 9 if spec.task == "inpaint" else 4
    unet = TINY_SDXL_UNET if tiny else SDXL_UNET
    cls = getattr(diffusers, spec.class_name)
    return cls(
        vae=diffusers.AutoencoderKL(**(TINY_VAE if tiny else dict(SD_VAE, scaling_factor=0.13025))),
        text_encoder=_clip(CLIPTextModel, tokenizer, TINY_CLIP if tiny else CLIP_L),
        text_encoder_2=_clip(
            CLIPTextModelWithProjection, tokenizer, TINY_CLIP if tiny else OPENCLIP_BIGG
        ),
        tokenizer=tokenizer,
        tokenizer_2=tokenizer,
        unet=diffusers.UNet2DConditionModel(in_channels=channels, out_channels=4, **unet),
        scheduler=scheduler,
        add_watermarker=False,
        **({"requires_aesthetics_score": False} if spec.task == "inpaint" else {}),
    )


def _flux(spec: Spec, tiny: bool, tokenizer, scheduler) -> Any:
    import diffusers
    from transformers import CLIPTextModel, T5Config, T5EncoderModel

    transformer = dict(TINY_FLUX if tiny else FLUX)
    if spec.task == "inpaint":  # Fill: latents, masked-image latents and the packed mask
        transformer.update(in_channels=20 if tiny else 384, out_channels=8 if tiny else 64)
    cls = getattr(diffusers, spec.class_name)
    return cls(
        scheduler=scheduler,
        vae=diffusers.AutoencoderKL(**(TINY_FLUX_VAE if tiny else FLUX_VAE)),
        text_encoder=_clip(CLIPTextModel, tokenizer, TINY_CLIP if tiny else CLIP_L),
        tokenizer=tokenizer,
        text_encoder_2=T5EncoderModel(T5Config(**(TINY_T5 if tiny else T5_XXL))),
        tokenizer_2=t5_tokenizer(),
        transformer=diffusers.FluxTransformer2DModel(**transformer),
    )


def _scheduler(spec: Spec) -> Any:
    """The family's published scheduler (built on the CPU: schedulers keep CPU tensors)."""
    import diffusers

    if spec.key.startswith("qwen"):
        return diffusers.FlowMatchEulerDiscreteScheduler(
            base_image_seq_len=256,
            base_shift=0.5,
            max_image_seq_len=8192,
            max_shift=0.9,
            shift=1.0,
            shift_terminal=0.02,
            time_shift_type="exponential",
            use_dynamic_shifting=True,
        )
    if "flux" in spec.key:
        return diffusers.FlowMatchEulerDiscreteScheduler(
            base_image_seq_len=256,
            base_shift=0.5,
            max_image_seq_len=4096,
            max_shift=1.15,
            shift=3.0,
            use_dynamic_shifting=True,
        )
    betas = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
    if spec.key == "sd-turbo":
        return diffusers.EulerDiscreteScheduler(
            **betas, timestep_spacing="trailing", steps_offset=1
        )
    if spec.key == "instruct-pix2pix":
        return diffusers.EulerAncestralDiscreteScheduler(**betas)
    if spec.key.startswith("sdxl"):
        return diffusers.EulerDiscreteScheduler(**betas, steps_offset=1)
    return diffusers.DDIMScheduler(
        **betas, clip_sample=False, set_alpha_to_one=False, steps_offset=1
    )


def build(spec: Spec, *, tiny: bool, dtype, device: str) -> Any:
    """The pipeline of ``spec`` with random weights, created in ``dtype`` on ``device``
    (directly: a 12B transformer never exists in float32 on the CPU)."""
    import torch

    torch.manual_seed(0)
    tokenizer, scheduler = clip_tokenizer(), _scheduler(spec)
    makers = {"sdxl": _sdxl, "flux": _flux, "qwen": _qwen}
    maker = next((m for prefix, m in makers.items() if spec.key.startswith(prefix)), _sd_like)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            pipe = maker(spec, tiny, tokenizer, scheduler)
    finally:
        torch.set_default_dtype(previous)
    pipe.set_progress_bar_config(disable=True)
    return pipe
