"""The local diffusers provider, run for real on tiny randomly initialised pipelines.

The pipelines (see ``tests/fakes/tiny_diffusers.py``) are built once per session in a temporary
directory and loaded from there like any local model. Their images are noise; the tests check
loading, the pipeline chosen, sizes, seeds, masks and errors. Tests that need torch and
diffusers skip when the ``[local]`` extra is not installed; the others always run.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from catalogue.providers.base import ImageRequest, InputImage, ProviderError, TaskType
from catalogue.providers.diffusers_local import DiffusersImageProvider, runtime

ROOT = Path(__file__).resolve().parents[3]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png(size=(96, 72), *, colour=None) -> InputImage:
    """A gradient (or flat colour) PNG of ``size``."""
    im = Image.new("RGB", size, colour or (0, 0, 0))
    if colour is None:
        px = im.load()
        for x in range(size[0]):
            for y in range(size[1]):
                px[x, y] = (x * 255 // size[0], y * 255 // size[1], 128)
    buffer = io.BytesIO()
    im.save(buffer, format="PNG")
    return InputImage(data=buffer.getvalue(), mime_type="image/png", width=size[0], height=size[1])


def decode(data: bytes) -> Image.Image:
    assert data.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return im.convert("RGB")


def edit(prompt="make it snowy", *, image=None, **kwargs) -> ImageRequest:
    return ImageRequest(prompt=prompt, instruction=prompt, images=(image or png(),), **kwargs)


def draw(prompt="a lighthouse at dusk", **kwargs) -> ImageRequest:
    return ImageRequest(
        prompt=prompt, instruction=prompt, task_type=TaskType.TEXT_TO_IMAGE, **kwargs
    )


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    pytest.importorskip("transformers")
    import torch

    from tests.fakes.tiny_diffusers import build_all, save_model_index_only

    # Tiny models gain nothing from threads, and on a busy machine they lose a lot.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny-diffusers")
    models = build_all(root)
    models["unsupported"] = save_model_index_only(root / "tiny-audio", "AudioLDM2Pipeline")
    yield models
    torch.set_num_threads(threads)


def provider(path: Path, **kwargs) -> DiffusersImageProvider:
    options = {"device": "cpu", "steps": 4, "strength": 0.75, "seed": 1234}
    return DiffusersImageProvider(str(path), **{**options, **kwargs})


# -- without torch -------------------------------------------------------------------------


def test_importing_the_provider_does_not_import_torch():
    code = (
        "import sys; import catalogue.providers.diffusers_local; "
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_missing_backend_is_a_clear_permanent_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # find_spec and import both fail
    with pytest.raises(ProviderError) as caught:
        DiffusersImageProvider("/models/anything")
    error = caught.value
    assert error.permanent and error.code == "provider_unavailable"
    assert "pip install 'aiceps[local]'" in error.message and "torch" in error.message


def test_missing_model_setting_and_bad_options(monkeypatch):
    monkeypatch.setattr(runtime, "missing_packages", lambda: [])
    with pytest.raises(ProviderError) as caught:
        DiffusersImageProvider("")
    assert caught.value.code == "invalid_configuration" and "AICEPS_DIFFUSERS_MODEL" in str(
        caught.value
    )
    for bad in ({"strength": 0.0}, {"device": "tpu"}, {"dtype": "int8"}, {"steps": 0}):
        with pytest.raises(ProviderError) as caught:
            DiffusersImageProvider("/models/x", **bad)
        assert caught.value.permanent and caught.value.code == "invalid_configuration"


@pytest.mark.parametrize(
    ("steps", "strength", "expected"),
    [(20, 0.6, 20), (2, 0.4, 3), (1, 0.3, 4), (4, 1.0, 4), (1, 0.05, 20)],
)
def test_img2img_always_runs_at_least_one_step(steps, strength, expected):
    assert DiffusersImageProvider.strength_steps(steps, strength) == expected
    assert int(expected * strength) >= 1


def test_local_paths_and_hub_ids_are_told_apart(tmp_path):
    assert runtime.is_local_path(str(tmp_path))
    assert runtime.is_local_path("./models/sd")
    assert runtime.is_local_path("tiny-sd")
    assert runtime.is_local_path("/does/not/exist")
    assert not runtime.is_local_path("stabilityai/sd-turbo")


def test_a_class_missing_from_the_installed_diffusers_is_explained():
    class OldDiffusers:
        __version__ = "0.30.0"

    with pytest.raises(ProviderError) as caught:
        runtime.pipeline_class(OldDiffusers, "QwenImageEditPlusPipeline")
    assert caught.value.code == "unsupported_model" and "upgrade" in caught.value.message


# -- with tiny models ------------------------------------------------------------------------


class TestTinyModels:
    pytestmark = [pytest.mark.local_models, pytest.mark.slow]

    def test_sd_edit_from_a_directory(self, tiny_models):
        p = provider(tiny_models["sd"])
        assert p.capabilities.text_to_image and p.capabilities.edit
        source = png((96, 72))
        result = p.generate(edit(image=source))
        assert result.model == "tiny-sd (StableDiffusionImg2ImgPipeline)"
        assert len(result.images) == 1
        image = result.images[0]
        assert image.mime_type == "image/png" and image.data != source.data
        out = decode(image.data)
        # Native side 64 (sample_size 32 x VAE factor 2), aspect kept, multiples of 8.
        assert out.size == (64, 48)
        assert out.tobytes() != decode(source.data).resize((64, 48)).tobytes()

    def test_instruct_pix2pix_is_chosen_by_model_index(self, tiny_models):
        p = provider(tiny_models["pix2pix"], max_side=48)
        assert not p.capabilities.text_to_image  # known from model_index before loading
        result = p.generate(edit(image=png((64, 96))))
        assert result.model == "tiny-pix2pix (StableDiffusionInstructPix2PixPipeline)"
        assert decode(result.images[0].data).size == (32, 48)
        with pytest.raises(ProviderError) as caught:
            p.generate(draw())
        assert caught.value.permanent and caught.value.code == "unsupported_task"

    def test_sdxl_edit_and_text_to_image(self, tiny_models):
        p = provider(tiny_models["sdxl"])
        result = p.generate(edit())
        assert result.model == "tiny-sdxl (StableDiffusionXLImg2ImgPipeline)"
        assert decode(result.images[0].data).size == (64, 48)
        drawn = p.generate(draw(aspect_ratio="1:1"))
        assert drawn.model == "tiny-sdxl (StableDiffusionXLPipeline)"
        assert decode(drawn.images[0].data).size == (64, 64)

    def test_loaded_once_and_shared_across_threads(self, tiny_models, monkeypatch):
        import diffusers

        cls = diffusers.StableDiffusionImg2ImgPipeline
        original = cls.from_pretrained
        loads = []

        def counting(klass, *args, **kwargs):
            loads.append(args[0])
            return original(*args, **kwargs)

        monkeypatch.setattr(cls, "from_pretrained", classmethod(counting))
        p = provider(tiny_models["sd"], steps=2, strength=0.5)
        assert not p.loaded
        results, errors = [], []

        def run():
            try:
                results.append(p.generate(edit()))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors and len(results) == 3
        p.generate(draw())  # text-to-image reuses the loaded weights
        assert loads == [str(tiny_models["sd"])]
        loaded = p._loaded
        assert loaded.derived["text_to_image"].unet is loaded.pipe.unet

    def test_text_to_image_sizes_and_count(self, tiny_models):
        p = provider(tiny_models["sd"], text_to_image_side=64)
        wide = p.generate(draw(aspect_ratio="16:9", count=2))
        assert wide.model == "tiny-sd (StableDiffusionPipeline)"
        assert [decode(i.data).size for i in wide.images] == [(64, 32), (64, 32)]
        assert wide.images[0].data != wide.images[1].data
        tall = p.generate(draw(aspect_ratio="3:4"))
        assert decode(tall.images[0].data).size == (48, 64)
        exact = p.generate(draw(size="40x56"))
        assert decode(exact.images[0].data).size == (40, 56)

    def test_a_fixed_seed_is_deterministic(self, tiny_models):
        request = edit()
        first = provider(tiny_models["sd"], seed=7).generate(request).images[0].data
        again = provider(tiny_models["sd"], seed=7).generate(request).images[0].data
        other = provider(tiny_models["sd"], seed=8).generate(request).images[0].data
        assert first == again
        assert first != other

    def test_mask_keeps_the_rest_of_the_image(self, tiny_models):
        source = png((64, 48))
        mask = Image.new("L", (64, 48), 0)
        ImageDraw.Draw(mask).rectangle((32, 0, 63, 47), fill=255)  # right half may change
        buffer = io.BytesIO()
        mask.save(buffer, format="PNG")
        request = edit(
            image=source,
            mask=InputImage(buffer.getvalue(), "image/png", 64, 48),
        )
        result = provider(tiny_models["sd"]).generate(request)
        assert result.model == "tiny-sd (StableDiffusionInpaintPipeline)"
        out, original = decode(result.images[0].data), decode(source.data)
        left = (0, 0, 28, 48)
        right = (36, 0, 64, 48)
        assert out.crop(left).tobytes() == original.crop(left).tobytes()
        assert out.crop(right).tobytes() != original.crop(right).tobytes()

    def test_hotspot_edit_stays_near_the_point(self, tiny_models):
        source = png((64, 64))
        request = edit(image=source, task_type=TaskType.HOTSPOT, hotspot=(10, 10))
        result = provider(tiny_models["pix2pix"], hotspot_radius=0.2).generate(request)
        out, original = decode(result.images[0].data), decode(source.data)
        far = (40, 40, 64, 64)
        assert out.crop(far).tobytes() == original.crop(far).tobytes()
        assert out.crop((4, 4, 16, 16)).tobytes() != original.crop((4, 4, 16, 16)).tobytes()

    def test_missing_directory_is_explained(self, tiny_models, tmp_path):
        missing = tmp_path / "no-such-model"
        p = provider(missing)
        with pytest.raises(ProviderError) as caught:
            p.generate(edit())
        error = caught.value
        assert error.permanent and error.code == "model_not_found"
        assert str(missing) in error.message and "model_index.json" in error.message

    def test_hub_id_not_in_the_cache_is_explained(self, tiny_models):
        p = provider("aiceps-tests/not-a-real-model")
        with pytest.raises(ProviderError) as caught:
            p.generate(edit())
        error = caught.value
        assert error.permanent and error.code == "model_not_found"
        assert "not found locally; download it first" in error.message
        assert "hf download aiceps-tests/not-a-real-model" in error.message

    def test_unsupported_pipeline_class_is_explained(self, tiny_models):
        with pytest.raises(ProviderError) as caught:
            provider(tiny_models["unsupported"]).generate(edit())
        error = caught.value
        assert error.permanent and error.code == "unsupported_model"
        assert "AudioLDM2Pipeline" in error.message
        assert "StableDiffusionInstructPix2PixPipeline" in error.message

    def test_out_of_memory_is_transient_and_other_failures_permanent(self, tiny_models):
        import torch

        p = provider(tiny_models["sd"])
        p.load()

        class Exploding:
            def __init__(self, exc):
                self.exc = exc

            def __call__(self, **kwargs):
                raise self.exc

        p._loaded.pipe = Exploding(torch.OutOfMemoryError("CUDA out of memory. Tried 2 GiB"))
        with pytest.raises(ProviderError) as caught:
            p.generate(edit())
        assert not caught.value.permanent and caught.value.code == "out_of_memory"
        p._loaded.pipe = Exploding(ValueError("bad shapes"))
        with pytest.raises(ProviderError) as caught:
            p.generate(edit())
        assert caught.value.permanent and caught.value.code == "local_model_error"
        assert "bad shapes" in caught.value.message

    def test_from_settings_and_the_registry(self, tiny_models, settings):
        from catalogue.providers import registry

        settings.AICEPS_DIFFUSERS_MODEL = str(tiny_models["sd"])
        settings.AICEPS_DIFFUSERS_DEVICE = "cpu"
        settings.AICEPS_DIFFUSERS_STEPS = 3
        settings.AICEPS_DIFFUSERS_GUIDANCE = 5.0
        settings.AICEPS_DIFFUSERS_STRENGTH = 0.5
        settings.AICEPS_DIFFUSERS_SEED = 42
        registry.reset()
        try:
            p = registry.get_image_provider("diffusers")
            assert isinstance(p, DiffusersImageProvider)
            assert registry.get_image_provider("diffusers") is p
            assert (p.steps, p.guidance, p.strength, p.seed) == (3, 5.0, 0.5, 42)
            assert p.device == "cpu" and p.dtype == "auto"
            assert p.generate(edit()).images
        finally:
            registry.reset()


def test_steps_are_reported_with_previews_spaced_for_the_partial_images(tiny_models):
    from catalogue.providers.diffusers_local.previews import preview_steps

    assert preview_steps(8, 2) == {3, 5} and preview_steps(12, 0) == {3, 6, 9}
    seen = []
    result = provider(tiny_models["sd"], steps=8).generate(
        draw(size="64x64", partial_images=2, report=seen.append)
    )
    steps = [(p.step, p.steps) for p in seen if p.phase == "denoising"]
    assert steps == [(n, 8) for n in range(1, 9)]
    previews = [p.preview for p in seen if p.preview]
    assert len(previews) == 2 and previews[0] != previews[1]
    assert all(decode(data).size == (64, 64) for data in previews)
    assert previews[-1] != result.images[0].data


def test_quality_sets_the_steps_and_high_fidelity_lowers_the_strength(tiny_models):
    local = provider(tiny_models["sd"], steps=4, strength=1.0)
    for quality, expected in (("low", 2), ("medium", 4), ("high", 8), ("auto", 4)):
        seen = []
        local.generate(draw(options={"quality": quality}, report=seen.append))
        assert seen[-1].steps == expected, quality
    seen = []
    local.generate(edit(options={"input_fidelity": "high"}, report=seen.append))
    assert seen[-1].steps == int(4 * 0.6)  # img2img runs strength x steps
    assert "input_fidelity" in local.capabilities.options
    assert local.capabilities.qualities == ("low", "medium", "high")
