"""The photo editor's twelve preset buttons (filter, adjustment and texture tabs, their prompts
as the editor sends them) and recolouring at a click, through the offline editor.

Before this work seven of the twelve were refused (all four textures, glitch art, synthwave and
studio lighting) and so was "change the shirt to red" at a click. Now all twelve run (studio
lighting relights what the matte finds: the subject lit from the upper left, the background
dimmed); a texture it cannot draw is still refused, saying what can be done.
"""

from __future__ import annotations

import numpy as np
import pytest

from catalogue.providers.base import ProviderError
from catalogue.providers.offline.refusals import CAN_DO

from .photos import pixels, portrait_image, request

PHOTO = portrait_image(256)
BEFORE = np.asarray(PHOTO).astype(np.float32)

# fmt: off
PRESETS = [
    ("filter", "Apply a vibrant 80s synthwave aesthetic with neon magenta and cyan glows, and subtle scan lines.", "cinematic"),  # noqa: E501
    ("filter", "Give the image a vibrant Japanese anime style, with bold outlines, cel-shading, and saturated colors.", "cartoon"),  # noqa: E501
    ("filter", "Apply a Lomography-style cross-processing film effect with high-contrast, oversaturated colors, and dark vignetting.", "vintage"),  # noqa: E501
    ("filter", "Transform the image into a futuristic holographic projection with digital glitch effects and chromatic aberration.", "glitch"),  # noqa: E501
    ("adjustment", "Apply a realistic depth-of-field effect, making the background blurry while keeping the main subject in sharp focus.", "bg-blur"),  # noqa: E501
    ("adjustment", "Slightly enhance the sharpness and details of the image without making it look unnatural.", "sharpness"),  # noqa: E501
    ("adjustment", "Adjust the color temperature to give the image warmer, golden-hour style lighting.", "warmth+"),  # noqa: E501
    ("adjustment", "Add dramatic, professional studio lighting to the main subject.", "studio-light"),  # noqa: E501
    ("texture", "Apply a cracked and peeling paint texture over the image, revealing a darker layer underneath.", "texture-cracks"),  # noqa: E501
    ("texture", "Overlay a realistic woven fabric texture, like canvas or burlap, across the entire image.", "texture-canvas"),  # noqa: E501
    ("texture", "Apply a rich, dark wood grain texture to the image, following the contours of the subjects.", "texture-wood"),  # noqa: E501
    ("texture", "Give the image a brushed metal texture, with subtle horizontal streaks and a metallic sheen.", "texture-metal"),  # noqa: E501
]
# fmt: on


@pytest.mark.parametrize(("kind", "prompt", "tag"), PRESETS, ids=[p[2] for p in PRESETS])
def test_each_preset_runs_offline(editor, kind, prompt, tag):
    result = editor.generate(request(prompt, PHOTO, task_type=kind))
    assert tag in result.model
    out = pixels(result.images[0].data)[..., :3].astype(np.float32)
    assert out.shape == BEFORE.shape
    assert np.abs(out - BEFORE).mean() > 1.0  # visibly changed (the editor refuses < 0.2)


def test_studio_light_lights_the_subject_and_dims_the_background(editor):
    prompt = "Add dramatic, professional studio lighting to the main subject."
    result = editor.generate(request(prompt, PHOTO, task_type="adjustment"))
    out = pixels(result.images[0].data)[..., :3].astype(np.float32)
    face, corner = (slice(100, 150), slice(100, 156)), (slice(0, 30), slice(0, 30))
    assert out[face].mean() > BEFORE[face].mean() - 2  # the subject keeps (or gains) its light
    assert out[corner].mean() < BEFORE[corner].mean() - 20  # the background falls away


def test_a_texture_it_cannot_draw_is_refused_saying_what_can_be_done(editor):
    with pytest.raises(ProviderError) as caught:
        editor.generate(request("overlay a snake skin texture", PHOTO, task_type="texture"))
    assert caught.value.code == "unsupported_instruction" and CAN_DO in caught.value.message


@pytest.mark.parametrize("words", ["change the shirt to red", "把衣服改成红色"])
def test_recolouring_at_a_click(editor, words):
    # the portrait's shirt is blue-grey; a click on it turns it red and leaves the face
    result = editor.generate(request(words, PHOTO, hotspot=(128, 215)))
    out = pixels(result.images[0].data)[..., :3].astype(np.float32)
    shirt, face = out[215, 128], out[125, 128]
    assert shirt[0] > shirt[2] + 30, shirt
    assert np.abs(face - BEFORE[125, 128]).max() < 8


def test_a_texture_is_laid_over_the_whole_photo_keeping_it_readable():
    from catalogue.providers.offline.textures import KINDS, texture

    photo = np.asarray(portrait_image(192))
    for kind in KINDS:
        out = texture(photo, kind).astype(np.float32)
        corr = np.corrcoef(out.mean(2).ravel(), photo.astype(np.float32).mean(2).ravel())[0, 1]
        assert corr > 0.5, (kind, corr)  # the photo shows through
        assert np.abs(out - photo).mean() > 3, kind  # and the texture is there
