"""Inpaint, expand and upscale on local diffusers pipelines, run for real on tiny models.

The tiny pipelines (``tests/fakes/tiny_diffusers.py``) are saved to a directory and loaded from
there; which pipeline runs is picked from each folder's ``model_index.json``. Their pictures
are noise, so the tests check what must hold whatever the model draws: the pixels that must
not change, the sizes, the pipeline chosen, the refusals. Through the provider and through the
:class:`~generation.pipeline.Pipeline` with the template prompt writer.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from catalogue.providers.base import ImageRequest, InputImage, ProviderError, TaskType
from catalogue.providers.diffusers_local import DiffusersImageProvider
from catalogue.providers.diffusers_local.images import padded_canvas
from catalogue.providers.offline.template_writer import TemplatePromptWriter
from catalogue.task_types import provider_can
from generation.pipeline import Pipeline, PipelineInput

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.local_models, pytest.mark.slow]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    torch = pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from tests.fakes import tiny_diffusers as tiny

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny-primitives")
    tok = root / "_tokenizer"
    yield {
        "sd": tiny.save_tiny_sd(root / "tiny-sd", tok),
        "sd-inpainting": tiny.save_tiny_sd_inpainting(root / "tiny-sd-inpainting", tok),
        "pix2pix": tiny.save_tiny_instruct_pix2pix(root / "tiny-pix2pix", tok),
        "upscaler": tiny.save_tiny_upscaler(root / "tiny-upscaler", tok),
    }
    torch.set_num_threads(threads)


def provider(path: Path, **kwargs) -> DiffusersImageProvider:
    return DiffusersImageProvider(str(path), **{"device": "cpu", "steps": 3, "seed": 5, **kwargs})


def encode(im: Image.Image) -> InputImage:
    buffer = io.BytesIO()
    im.save(buffer, format="PNG")
    return InputImage(buffer.getvalue(), "image/png", im.width, im.height)


def photo(size=(80, 60)) -> Image.Image:
    """A gradient with some structure, so a reflected edge is not flat."""
    im = Image.new("RGB", size)
    px = im.load()
    for x in range(size[0]):
        for y in range(size[1]):
            px[x, y] = (x * 255 // size[0], y * 255 // size[1], (x * y) % 256)
    return im


def decode(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return im.convert("RGB")


def ring_mask(size) -> Image.Image:
    """White (may change) on a disc left of centre and a bar at the bottom."""
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    w, h = size
    draw.ellipse((w // 8, h // 8, w // 2, h // 2 + h // 8), fill=255)
    draw.rectangle((0, h - h // 6, w - 1, h - 1), fill=255)
    return mask


def assert_unchanged_outside(out: Image.Image, original: Image.Image, mask: Image.Image):
    """Every pixel where ``mask`` is black is the original's; the masked area changed."""
    assert out.size == original.size
    outside = Image.eval(mask, lambda v: 255 if v == 0 else 0)
    diff = ImageChops.difference(out, original).convert("L")
    assert ImageChops.multiply(diff, outside).getbbox() is None  # no difference outside
    inside = Image.eval(mask, lambda v: 255 if v == 255 else 0)
    assert ImageChops.multiply(diff, inside).getbbox() is not None


def inpaint(image: Image.Image, mask: Image.Image, prompt="a wooden bench") -> ImageRequest:
    return ImageRequest(
        prompt=prompt,
        instruction=prompt,
        task_type=TaskType.INPAINT,
        images=(encode(image),),
        mask=encode(mask),
    )


def expand_request(image: Image.Image, padding) -> ImageRequest:
    words = "Extend the scene naturally beyond its borders"
    return ImageRequest(
        prompt=words,
        instruction=words,
        task_type=TaskType.EXPAND,
        images=(encode(image),),
        padding=padding,
    )


def upscale_request(image: Image.Image, scale: int) -> ImageRequest:
    return ImageRequest(
        prompt="Upscale the photo",
        instruction="",
        task_type=TaskType.UPSCALE,
        images=(encode(image),),
        scale=scale,
    )


# -- inpaint ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "pipeline"),
    [
        ("sd", "StableDiffusionInpaintPipeline"),  # built from the SD weights (4 channels)
        ("sd-inpainting", "StableDiffusionInpaintPipeline"),  # an inpainting UNet (9 channels)
        ("pix2pix", "StableDiffusionInstructPix2PixPipeline"),  # edited, then composited
    ],
)
def test_inpaint_changes_only_what_the_mask_covers(models, key, pipeline):
    image, mask = photo((80, 60)), ring_mask((80, 60))  # larger than the model's 64 px
    result = provider(models[key]).generate(inpaint(image, mask))
    assert result.model == f"tiny-{key} ({pipeline})"
    assert_unchanged_outside(decode(result.images[0].data), image, mask)


def test_inpaint_without_a_mask_is_refused(models):
    request = ImageRequest(
        prompt="x", instruction="x", task_type=TaskType.INPAINT, images=(encode(photo()),)
    )
    with pytest.raises(ProviderError) as caught:
        provider(models["sd"]).generate(request)
    assert caught.value.code == "mask_required" and caught.value.status == 422


def test_an_inpainting_model_also_edits_without_a_mask(models):
    result = provider(models["sd-inpainting"], strength=0.8).generate(
        ImageRequest(prompt="snow", instruction="snow", images=(encode(photo((64, 48))),))
    )
    out = decode(result.images[0].data)
    assert out.size == (64, 48) and out.tobytes() != photo((64, 48)).tobytes()


# -- expand ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["sd", "sd-inpainting"])
@pytest.mark.parametrize(
    ("padding", "ratio"),
    [((8, 0, 8, 0), (16, 9)), ((0, 14, 0, 14), (3, 4)), ((20, 4, 0, 0), None)],
)
def test_expand_keeps_the_photo_in_place_at_the_asked_size(models, key, padding, ratio):
    image = photo((48, 36))
    result = provider(models[key]).generate(expand_request(image, padding))
    assert result.model.endswith("(StableDiffusionInpaintPipeline)")
    out = decode(result.images[0].data)
    left, top, right, bottom = padding
    assert out.size == (48 + left + right, 36 + top + bottom)
    if ratio:
        assert out.width * ratio[1] == out.height * ratio[0]
    box = (left, top, left + 48, top + 36)
    assert out.crop(box).tobytes() == image.tobytes()  # the photo, unchanged, in place
    reflected, new_area = padded_canvas(image, padding)
    # The new area was drawn by the model, not left as the reflected padding.
    diff = ImageChops.difference(out, reflected).convert("L")
    assert ImageChops.multiply(diff, new_area).getbbox() is not None


def test_expand_needs_an_inpainting_pipeline(models):
    with pytest.raises(ProviderError) as caught:
        provider(models["pix2pix"]).generate(expand_request(photo((48, 36)), (8, 0, 8, 0)))
    assert caught.value.code == "unsupported_task" and "inpainting" in caught.value.message


# -- upscale ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [2, 4])
def test_upscale_returns_the_asked_scale(models, scale):
    image = photo((24, 16))
    result = provider(models["upscaler"]).generate(upscale_request(image, scale))
    assert result.model == "tiny-upscaler (StableDiffusionUpscalePipeline)"
    out = decode(result.images[0].data)
    assert out.size == (24 * scale, 16 * scale)
    assert out.tobytes() != image.resize(out.size, Image.Resampling.LANCZOS).tobytes()


def test_upscale_without_an_upscaler_is_refused_clearly(models):
    with pytest.raises(ProviderError) as caught:
        provider(models["sd"]).generate(upscale_request(photo((24, 16)), 2))
    error = caught.value
    assert error.code == "unsupported_task" and error.permanent
    assert "StableDiffusionUpscalePipeline" in error.message


def test_an_upscaler_does_nothing_else(models):
    p = provider(models["upscaler"])
    with pytest.raises(ProviderError) as caught:
        p.generate(ImageRequest(prompt="snow", instruction="snow", images=(encode(photo()),)))
    assert caught.value.code == "unsupported_task" and "upscale" in caught.value.message


# -- what each folder offers -----------------------------------------------------------------


def test_capabilities_follow_the_model_folder(models, settings):
    expected = {
        "sd": ({"inpaint", "expand", "text_to_image", "edit"}, {"upscale"}),
        "sd-inpainting": ({"inpaint", "expand", "edit"}, {"upscale", "text_to_image"}),
        "pix2pix": ({"inpaint", "edit"}, {"expand", "upscale", "text_to_image"}),
        "upscaler": ({"upscale"}, {"edit", "inpaint", "expand", "text_to_image"}),
    }
    for key, (can, cannot) in expected.items():
        settings.AICEPS_DIFFUSERS_MODEL = str(models[key])
        capabilities = DiffusersImageProvider.configured_capabilities()
        assert all(provider_can(capabilities, task) for task in can), key
        assert not any(provider_can(capabilities, task) for task in cannot), key
    assert not provider_can(DiffusersImageProvider.capabilities, "upscale")


def test_capabilities_are_read_without_torch(models):
    code = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'aiceps.settings.test';"
        "django.setup(); from django.conf import settings;"
        f"settings.AICEPS_DIFFUSERS_MODEL = {str(models['upscaler'])!r};"
        "from catalogue.providers.diffusers_local import DiffusersImageProvider as P;"
        "c = P.configured_capabilities(); assert c.task_types == {'upscale'}, c;"
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


# -- through the pipeline --------------------------------------------------------------------


def run_pipeline(p: DiffusersImageProvider, **fields):
    pipeline = Pipeline(prompt_writer=TemplatePromptWriter(), image_provider=p)
    return pipeline.run(PipelineInput(**fields))


def test_the_pipeline_runs_each_primitive(models):
    image, mask = photo((64, 48)), ring_mask((64, 48))
    inpainted = run_pipeline(
        provider(models["sd-inpainting"]),
        instruction="",
        task_type=TaskType.INPAINT,
        images=(encode(image),),
        mask=encode(mask),
    )
    assert_unchanged_outside(decode(inpainted.image.images[0].data), image, mask)
    (read,) = inpainted.image.model_prompt.values()
    assert read and inpainted.image.model_prompt == {"prompt: CLIP (77 tokens)": read}

    expanded = run_pipeline(
        provider(models["sd"]),
        instruction="海边的沙滩",
        task_type=TaskType.EXPAND,
        images=(encode(image),),
        padding=(0, 0, 0, 16),
    )
    out = decode(expanded.image.images[0].data)
    assert out.size == (64, 64) and out.crop((0, 0, 64, 48)).tobytes() == image.tobytes()
    (read,) = expanded.image.model_prompt.values()
    assert "beach" in read and "海" not in read  # the glossary's English, not raw Chinese

    upscaled = run_pipeline(
        provider(models["upscaler"]),
        instruction="",
        task_type=TaskType.UPSCALE,
        images=(encode(photo((20, 12))),),
        scale=4,
    )
    assert decode(upscaled.image.images[0].data).size == (80, 48)
