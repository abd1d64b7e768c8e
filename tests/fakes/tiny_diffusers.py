"""Tiny, randomly initialised diffusers pipelines saved to disk, for the local provider's tests.

Nothing is downloaded: every component is built from a small config (the shapes follow the
``get_dummy_components`` of diffusers' own pipeline tests) and the CLIP tokenizer's files are
written here, with a byte-level vocabulary and no merges (``write_real_clip_tokenizer`` writes
CLIP's real one, from the vocabulary open_clip_torch ships, for the prompt tests). The
pipelines produce noise, quickly (a 64x64 image in a few steps takes about a second on a laptop
CPU), which is all the tests need: the provider's loading, pipeline choice, sizes, seeds and errors.

Import this module only after ``pytest.importorskip("torch")`` and ``("diffusers")``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from diffusers import (
    AutoencoderKL,
    DDIMScheduler,
    DDPMScheduler,
    EulerAncestralDiscreteScheduler,
    StableDiffusionInpaintPipeline,
    StableDiffusionInstructPix2PixPipeline,
    StableDiffusionPipeline,
    StableDiffusionUpscalePipeline,
    StableDiffusionXLPipeline,
    UNet2DConditionModel,
)
from transformers import (
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTextModelWithProjection,
    CLIPTokenizer,
)

# Native size of the tiny pipelines: UNet sample_size 32 x VAE scale factor 2 (two blocks).
NATIVE_SIDE = 64
BOS, EOS = "<|startoftext|>", "<|endoftext|>"


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table, as CLIP's tokenizer uses."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return dict(zip(printable, (chr(c) for c in chars), strict=True))


def write_tokenizer_files(directory: Path) -> CLIPTokenizer:
    """A byte-level CLIP tokenizer: 256 characters, each also with ``</w>``, and no merges.

    Loaded with ``from_pretrained``: in transformers 5, ``CLIPTokenizer(vocab_file=...,
    merges_file=...)`` silently builds a two-token vocabulary instead.
    """
    directory.mkdir(parents=True, exist_ok=True)
    chars = list(_bytes_to_unicode().values())
    tokens = chars + [c + "</w>" for c in chars] + [BOS, EOS]
    vocab = {token: i for i, token in enumerate(tokens)}
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    (directory / "merges.txt").write_text("#version: 0.2\n", "utf-8")
    return CLIPTokenizer.from_pretrained(str(directory), model_max_length=77)


def clip_vocabulary_file() -> Path | None:
    """CLIP's BPE vocabulary as open_clip_torch ships it in its wheel, found without
    importing open_clip (which needs torchvision and timm); None when it is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("open_clip")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "bpe_simple_vocab_16e6.txt.gz"
        if path.is_file():
            return path
    return None


def write_real_clip_tokenizer(directory: Path) -> CLIPTokenizer:
    """OpenAI CLIP's own tokenizer (49,408 tokens: the 256 byte characters, each with
    ``</w>``, 48,894 merges, the two specials), written as vocab.json + merges.txt from the
    BPE file open_clip_torch ships, built the way open_clip's ``SimpleTokenizer`` builds it.
    Raises FileNotFoundError without open_clip_torch (tests skip on it)."""
    import gzip

    source = clip_vocabulary_file()
    if source is None:
        raise FileNotFoundError("open_clip_torch is not installed: no CLIP vocabulary")
    with gzip.open(source, "rt", encoding="utf-8") as file:
        lines = file.read().split("\n")
    merges = lines[1 : 49152 - 256 - 2 + 1]
    chars = list(_bytes_to_unicode().values())
    tokens = chars + [c + "</w>" for c in chars] + ["".join(m.split()) for m in merges]
    tokens += [BOS, EOS]
    directory.mkdir(parents=True, exist_ok=True)
    vocab = {token: i for i, token in enumerate(tokens)}
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    (directory / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", "utf-8")
    return CLIPTokenizer.from_pretrained(str(directory), model_max_length=77)


def _text_encoder_config(tokenizer: CLIPTokenizer) -> CLIPTextConfig:
    return CLIPTextConfig(
        bos_token_id=tokenizer.convert_tokens_to_ids(BOS),
        eos_token_id=tokenizer.convert_tokens_to_ids(EOS),
        pad_token_id=tokenizer.convert_tokens_to_ids(EOS),
        hidden_size=32,
        intermediate_size=37,
        layer_norm_eps=1e-05,
        num_attention_heads=4,
        num_hidden_layers=5,
        vocab_size=len(tokenizer),
        max_position_embeddings=77,
        projection_dim=32,
    )


def _vae() -> AutoencoderKL:
    return AutoencoderKL(
        block_out_channels=(32, 64),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        sample_size=NATIVE_SIDE,
    )


def _sd_unet(in_channels: int) -> UNet2DConditionModel:
    return UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=NATIVE_SIDE // 2,
        in_channels=in_channels,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
    )


def _scheduler() -> DDIMScheduler:
    return DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )


def save_tiny_sd(directory: Path, tokenizer_dir: Path) -> Path:
    """A Stable Diffusion 1.x layout, saved as ``StableDiffusionPipeline`` like hub repos."""
    torch.manual_seed(0)
    tokenizer = write_tokenizer_files(tokenizer_dir)
    pipe = StableDiffusionPipeline(
        vae=_vae(),
        text_encoder=CLIPTextModel(_text_encoder_config(tokenizer)),
        tokenizer=tokenizer,
        unet=_sd_unet(4),
        scheduler=_scheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(str(directory))
    return directory


def save_tiny_instruct_pix2pix(directory: Path, tokenizer_dir: Path) -> Path:
    """InstructPix2Pix: the UNet takes 8 channels (noisy latents + image latents)."""
    torch.manual_seed(0)
    tokenizer = write_tokenizer_files(tokenizer_dir)
    pipe = StableDiffusionInstructPix2PixPipeline(
        vae=_vae(),
        text_encoder=CLIPTextModel(_text_encoder_config(tokenizer)),
        tokenizer=tokenizer,
        unet=_sd_unet(8),
        scheduler=EulerAncestralDiscreteScheduler(
            beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear"
        ),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(str(directory))
    return directory


def save_tiny_sdxl(directory: Path, tokenizer_dir: Path) -> Path:
    """SDXL (two text encoders, text_time conditioning), saved as ``StableDiffusionXLPipeline``."""
    torch.manual_seed(0)
    tokenizer = write_tokenizer_files(tokenizer_dir)
    config = _text_encoder_config(tokenizer)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=NATIVE_SIDE // 2,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=80,  # 6 * 8 + 32
        cross_attention_dim=64,  # 32 + 32
    )
    pipe = StableDiffusionXLPipeline(
        vae=_vae(),
        text_encoder=CLIPTextModel(config),
        text_encoder_2=CLIPTextModelWithProjection(config),
        tokenizer=tokenizer,
        tokenizer_2=tokenizer,
        unet=unet,
        scheduler=_scheduler(),
        force_zeros_for_empty_prompt=True,
        add_watermarker=False,
    )
    pipe.save_pretrained(str(directory))
    return directory


def save_tiny_sd_inpainting(directory: Path, tokenizer_dir: Path) -> Path:
    """An SD inpainting model: the UNet takes 9 channels (latents, mask, masked image)."""
    torch.manual_seed(0)
    tokenizer = write_tokenizer_files(tokenizer_dir)
    pipe = StableDiffusionInpaintPipeline(
        vae=_vae(),
        text_encoder=CLIPTextModel(_text_encoder_config(tokenizer)),
        tokenizer=tokenizer,
        unet=_sd_unet(9),
        scheduler=_scheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(str(directory))
    return directory


def save_tiny_upscaler(directory: Path, tokenizer_dir: Path) -> Path:
    """The SD x4 upscaler's layout (diffusers' own upscale test shapes): a 3-block VAE (4x),
    a UNet taking the noisy latents and the low-resolution image (7 channels)."""
    torch.manual_seed(0)
    tokenizer = write_tokenizer_files(tokenizer_dir)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 32, 64),
        layers_per_block=2,
        sample_size=32,
        in_channels=7,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=8,
        use_linear_projection=True,
        only_cross_attention=(True, True, False),
        num_class_embeds=100,
    )
    vae = AutoencoderKL(
        block_out_channels=[32, 32, 64],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * 3,
        up_block_types=["UpDecoderBlock2D"] * 3,
        latent_channels=4,
        scaling_factor=0.08333,
    )
    pipe = StableDiffusionUpscalePipeline(
        vae=vae,
        text_encoder=CLIPTextModel(_text_encoder_config(tokenizer)),
        tokenizer=tokenizer,
        unet=unet,
        low_res_scheduler=DDPMScheduler(),
        scheduler=DDIMScheduler(prediction_type="v_prediction"),
        safety_checker=None,
        feature_extractor=None,
        watermarker=None,
        max_noise_level=350,
    )
    pipe.save_pretrained(str(directory))
    return directory


def save_model_index_only(directory: Path, class_name: str) -> Path:
    """A directory whose model_index.json names ``class_name`` and holds nothing else."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model_index.json").write_text(
        json.dumps({"_class_name": class_name, "_diffusers_version": "0.42.0"}), "utf-8"
    )
    return directory


def build_all(root: Path) -> dict[str, Path]:
    """Save every tiny pipeline under ``root``; returns their directories by short name."""
    tokenizer_dir = root / "_tokenizer"
    return {
        "sd": save_tiny_sd(root / "tiny-sd", tokenizer_dir),
        "pix2pix": save_tiny_instruct_pix2pix(root / "tiny-pix2pix", tokenizer_dir),
        "sdxl": save_tiny_sdxl(root / "tiny-sdxl", tokenizer_dir),
        "sd-inpainting": save_tiny_sd_inpainting(root / "tiny-sd-inpainting", tokenizer_dir),
        "upscaler": save_tiny_upscaler(root / "tiny-upscaler", tokenizer_dir),
    }
