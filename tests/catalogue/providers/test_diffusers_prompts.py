"""What reaches a local model's text encoders, measured with CLIP's real tokenizer.

The tokenizer is OpenAI CLIP's own (49,408 tokens with its BPE merges), written from the
vocabulary file open_clip_torch ships in its wheel (``tests/fakes/tiny_diffusers.py``); the
tests skip without it. For every family and each of its encoders, English and Chinese
instructions behind a professional prompt of 200 CLIP tokens: the tokens the encoder reads
(CLIP: the first 77, as diffusers truncates) contain the instruction. T5 (FLUX's second
encoder) has no vocabulary on this machine: its text is checked against a bound that never
undercounts. The tiny SD and SDXL pipelines are then run with the real tokenizer and their
text encoders' actual input ids inspected.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catalogue.providers.base import ImageRequest, InputImage, PromptRequest, TaskType
from catalogue.providers.diffusers_local import FAMILIES, DiffusersImageProvider
from catalogue.providers.diffusers_local.prompts import (
    has_chinese,
    model_prompt,
    readable_english,
    upper_bound,
)
from catalogue.providers.offline.template_writer import TemplatePromptWriter

ENGLISH = ["make the sky an orange sunset", "put a red hat on her"]
CHINESE = ["把天空变成橙色的晚霞", "给她戴上一顶红色的帽子"]
# The English a CLIP encoder must get for each Chinese instruction (the writer's key words).
CHINESE_GIST = {"把天空变成橙色的晚霞": "sky", "给她戴上一顶红色的帽子": "hat"}
DESCRIPTION = (
    "A wide 4000x3000 landscape photograph taken in late afternoon on a quiet harbour "
    "with wooden fishing boats, weathered ropes, stacked lobster traps, a stone pier, gulls "
    "circling over the water, distant hills covered in pine forest, soft diffuse light, "
    "muted blue and grey tones, light haze on the horizon, small ripples on the water, a "
    "red lighthouse at the end of the pier, a woman in a yellow raincoat walking a dog, "
    "fishermen unloading crates of fish, a rusty anchor leaning against a wall, nets drying "
    "in the wind, a small cafe with blue shutters, bicycles parked along the quay, puddles "
    "reflecting the clouds, a church tower behind the houses, children feeding the gulls, "
    "an old man mending a net on a bench, "
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    pytest.importorskip("transformers")
    from tests.fakes.tiny_diffusers import clip_vocabulary_file, write_real_clip_tokenizer

    if clip_vocabulary_file() is None:
        pytest.skip("open_clip_torch (CLIP's BPE vocabulary) is not installed")
    return write_real_clip_tokenizer(tmp_path_factory.mktemp("clip-tokenizer"))


def count_with(tokenizer):
    return lambda text: len(tokenizer(text, truncation=False, verbose=False)["input_ids"])


def read_by_clip(tokenizer, text: str) -> list[int]:
    """The ids a CLIP encoder gets in diffusers: padded and truncated to 77."""
    return tokenizer(text, max_length=77, truncation=True, padding="max_length")["input_ids"]


def contains(ids: list[int], part: list[int]) -> bool:
    return any(ids[i : i + len(part)] == part for i in range(len(ids) - len(part) + 1))


def photo() -> InputImage:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 72), (90, 120, 160)).save(buffer, format="PNG")
    return InputImage(buffer.getvalue(), "image/png", 96, 72)


def long_prompt(instruction: str, tokenizer, style: str = "template") -> str:
    """The template writer's prompt for ``instruction`` with a photo description long enough
    that the whole prompt is 200 CLIP tokens or more, the instruction after it: inside the
    writer's photo facts (``template``), or before everything (``prefixed``, as a free-form
    writer might describe the photo first)."""
    prompt = TemplatePromptWriter().write(PromptRequest(instruction=instruction)).prompt
    facts = f"({DESCRIPTION.rstrip(', ')})"
    if style == "template":
        prompt = prompt.replace("provided photo", f"provided photo {facts}", 1)
    else:
        prompt = DESCRIPTION + prompt
    assert count_with(tokenizer)(prompt) >= 200
    return prompt


def unique_families():
    return list({family.key: family for family in FAMILIES.values()}.values())


def test_the_tokenizer_is_clips_own(clip):
    assert len(clip) == 49408
    assert clip("a photo of a cat")["input_ids"] == [49406, 320, 1125, 539, 320, 2368, 49407]
    # Chinese costs about three tokens a character (byte-level BPE on UTF-8).
    assert count_with(clip)(CHINESE[0]) - 2 >= 2 * len(CHINESE[0])


def test_without_care_the_instruction_is_cut_away(clip):
    """The problem measured: the writer's prompt as it is loses the instruction in CLIP."""
    for instruction in ENGLISH:
        prompt = long_prompt(instruction, clip, "template")
        edit = clip(instruction, add_special_tokens=False)["input_ids"]
        assert not contains(read_by_clip(clip, prompt), edit)


@pytest.mark.parametrize("family", unique_families(), ids=lambda f: f.key)
@pytest.mark.parametrize("instruction", ENGLISH + CHINESE)
@pytest.mark.parametrize("style", ["template", "prefixed"])
def test_every_encoder_reads_the_instruction(clip, family, instruction, style):
    prompt = long_prompt(instruction, clip, style)
    assert count_with(clip)(prompt) >= 200
    counters = {r.keyword: count_with(clip) for r in family.readers if r.kind == "clip"}
    read = model_prompt(prompt=prompt, instruction=instruction, family=family, counters=counters)
    assert set(read.texts) == {r.keyword for r in family.readers}
    for reader in family.readers:
        text = read.texts[reader.keyword]
        if reader.kind == "llm":  # reads everything, in any language: the user's own words
            assert text.startswith(instruction) and prompt.split()[-1] in text
            continue
        assert not has_chinese(text), text  # CLIP and T5 cannot read it
        if has_chinese(instruction):
            edit = readable_english(CHINESE_GIST[instruction])
            assert edit in text.split(".")[0]  # the edit opens the prompt
        else:
            edit = instruction
            assert text.startswith(instruction)
        if reader.kind == "clip":
            assert count_with(clip)(text) <= 77
            ids = read_by_clip(clip, text)
            assert contains(ids, clip(edit, add_special_tokens=False)["input_ids"])
            assert count_with(clip)(text) >= 60  # the rest of the budget is used, not wasted
        else:  # T5: no vocabulary here; a bound that never undercounts
            assert upper_bound(text) <= reader.tokens


def test_an_instruction_longer_than_clip_reads_keeps_its_start(clip):
    family = FAMILIES["StableDiffusionPipeline"]
    instruction = " ".join(["make the red boat on the left much brighter"] * 12)
    read = model_prompt(
        prompt=long_prompt("x", clip),
        instruction=instruction,
        family=family,
        counters={"prompt": count_with(clip)},
    )
    text = read.texts["prompt"]
    assert instruction.startswith(text) and 70 <= count_with(clip)(text) <= 77


def test_the_record_names_each_encoder(clip):
    read = model_prompt(
        prompt="Edit the provided photo: make it snowy.",
        instruction="把天空变成橙色的晚霞",
        family=FAMILIES["FluxKontextPipeline"],
    )
    record = read.record()
    assert list(record) == ["prompt: CLIP (77 tokens)", "prompt_2: T5 (512 tokens)"]
    qwen = model_prompt(
        prompt="Edit the provided photo.",
        instruction="把天空变成橙色的晚霞",
        family=FAMILIES["QwenImageEditPipeline"],
    )
    assert qwen.record() == {
        "prompt: LLM (the whole prompt)": "把天空变成橙色的晚霞. Edit the provided photo."
    }


# -- what the tiny pipelines' text encoders receive ---------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch = pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from tests.fakes.tiny_diffusers import save_tiny_sd, save_tiny_sdxl

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny-prompts")
    yield {
        "sd": save_tiny_sd(root / "tiny-sd", root / "_tok"),
        "sdxl": save_tiny_sdxl(root / "tiny-sdxl", root / "_tok"),
    }
    torch.set_num_threads(threads)


def with_real_tokenizer(path, clip) -> tuple[DiffusersImageProvider, list]:
    """The tiny model with CLIP's real tokenizer (embeddings resized to its vocabulary) and
    a record of the ids each of its text encoders is given."""
    p = DiffusersImageProvider(str(path), device="cpu", steps=2, strength=1.0, seed=3)
    p.load()
    pipe, seen = p._loaded.pipe, []
    for name in ("text_encoder", "text_encoder_2"):
        encoder = getattr(pipe, name, None)
        if encoder is None:
            continue
        encoder.resize_token_embeddings(len(clip))
        setattr(pipe, name.replace("text_encoder", "tokenizer"), clip)
        encoder.register_forward_pre_hook(
            lambda module, args, kwargs: seen.append(
                (kwargs.get("input_ids") if kwargs.get("input_ids") is not None else args[0])[
                    0
                ].tolist()
            ),
            with_kwargs=True,
        )
    return p, seen


@pytest.mark.local_models
@pytest.mark.slow
@pytest.mark.parametrize("key", ["sd", "sdxl"])
@pytest.mark.parametrize("instruction", [ENGLISH[0], CHINESE[0]])
def test_the_encoders_of_a_running_pipeline_get_the_instruction(tiny, clip, key, instruction):
    p, seen = with_real_tokenizer(tiny[key], clip)
    prompt = long_prompt(instruction, clip)
    request = ImageRequest(prompt=prompt, instruction=instruction, images=(photo(),))
    result = p.generate(request)
    edit = instruction if not has_chinese(instruction) else CHINESE_GIST[instruction]
    wanted = clip(edit, add_special_tokens=False)["input_ids"]
    encoders = 2 if key == "sdxl" else 1
    prompt_ids = seen[:encoders]  # the prompt first (then the negative prompt, for guidance)
    assert len(prompt_ids) == encoders and all(contains(ids, wanted) for ids in prompt_ids)
    chinese_bytes = set(clip(CHINESE[0], add_special_tokens=False)["input_ids"])
    if has_chinese(instruction):
        assert not chinese_bytes & set(prompt_ids[0])
    (recorded,) = result.model_prompt.values()
    assert recorded.startswith(edit if not has_chinese(instruction) else "") and edit in recorded
    assert read_by_clip(clip, recorded) == prompt_ids[0]


def test_text_to_image_prompt_is_the_scene_first(clip):
    family = FAMILIES["StableDiffusionXLPipeline"]
    prompt = (
        TemplatePromptWriter()
        .write(PromptRequest(instruction="a lighthouse at dusk", task_type=TaskType.TEXT_TO_IMAGE))
        .prompt
    )
    read = model_prompt(
        prompt=prompt,
        instruction="a lighthouse at dusk",
        family=family,
        counters={"prompt": count_with(clip)},
    )
    assert read.texts["prompt"].startswith("a lighthouse at dusk. Create a new")
