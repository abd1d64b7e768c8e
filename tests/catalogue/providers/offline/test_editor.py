"""The offline editor on real pixels: photos made in code, results checked pixel by pixel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image, ImageDraw

from catalogue.providers import registry
from catalogue.providers.base import ProviderError, TaskType
from catalogue.providers.offline import models
from catalogue.providers.offline.editor import OfflineImageProvider

from .photos import as_input, pixels, request

CORNERS = [(8, 8), (8, -8), (-8, 8), (-8, -8)]


def run(editor, instruction, *images, **extra):
    result = editor.generate(request(instruction, *images, **extra))
    assert len(result.images) == 1 and result.images[0].mime_type == "image/png"
    assert result.images[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    return result, pixels(result.images[0].data)


def test_capabilities_and_registry():
    caps = OfflineImageProvider.capabilities
    assert (caps.edit, caps.text_to_image, caps.mask, caps.max_input_images) == (
        True,
        False,
        True,
        2,
    )
    assert isinstance(registry.get_image_provider("offline"), OfflineImageProvider)


def test_remove_background_makes_a_transparent_png(editor, portrait):
    result, out = run(editor, "抠图", portrait)
    assert out.shape == (512, 512, 4)
    for y, x in CORNERS:
        assert out[y, x, 3] < 10
    assert out[420, 256, 3] > 245  # the shirt
    assert out[250, 256, 3] > 245  # the face
    assert result.model == "offline-editor/u2netp+transparent"


def test_remove_background_task_needs_no_words(editor, portrait):
    _, out = run(editor, "", portrait, task_type=TaskType.REMOVE_BACKGROUND)
    assert out[8, 8, 3] < 10 and out[420, 256, 3] > 245


def test_white_background_keeps_the_subject(editor, portrait):
    result, out = run(editor, "把背景换成纯白色", portrait)
    original = np.asarray(portrait).astype(int)
    assert out.shape == (512, 512, 3)
    for y, x in [*CORNERS, (100, 60), (300, 470)]:
        assert out[y, x].min() >= 245, (y, x, out[y, x])
    for y, x in [(420, 256), (250, 256), (300, 256)]:
        assert np.abs(out[y, x].astype(int) - original[y, x]).max() <= 6
    assert result.model == "offline-editor/u2netp+bg-white"
    assert "white" in result.text


def test_background_from_the_second_image(editor, portrait, landscape):
    _, out = run(editor, "把我放到第二张图里", portrait, landscape)
    sky = np.asarray(landscape.resize((512, 384)))[10, 10]  # top-left after a cover crop
    assert np.abs(out[5, 5].astype(int) - sky.astype(int)).max() < 30
    assert np.abs(out[420, 256].astype(int) - np.asarray(portrait)[420, 256]).max() <= 6


def test_background_blur_keeps_the_subject_sharp(editor, portrait):
    _, out = run(editor, "blur the background", portrait)
    original = np.asarray(portrait).astype(np.float32)

    def detail(a):  # mean difference between neighbouring pixels in a background patch
        return np.abs(np.diff(a[20:120, 20:120].astype(np.float32), axis=1)).mean()

    assert detail(out) < detail(original) * 0.3
    assert np.abs(out[430, 256].astype(int) - original[430, 256]).max() <= 6


def test_black_and_white_is_exactly_neutral(editor, portrait):
    for text in ("黑白", "黑白复古", "black and white with a vignette"):
        _, out = run(editor, text, portrait)
        assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


def test_styles_change_the_picture_and_keep_its_size(editor, landscape):
    original = np.asarray(landscape).astype(np.float32)
    # watercolour keeps the photo's broad light now (it used to re-light everything as a pale
    # wash), so it moves the pixels less than Van Gogh does
    for text, tag, change in (("梵高风格", "style26-19", 20), ("watercolour", "watercolour", 10)):
        result, out = run(editor, text, landscape)
        assert out.shape == original.shape
        assert np.abs(out.astype(np.float32) - original).mean() > change
        assert result.model == f"offline-editor/{tag}"


def test_style_from_the_second_image(editor, portrait, landscape):
    result, out = run(editor, "in the style of the second image", landscape, portrait)
    assert out.shape == np.asarray(landscape).shape
    assert np.abs(out.astype(np.float32) - np.asarray(landscape)).mean() > 15
    assert result.model == "offline-editor/style-image"


@pytest.mark.parametrize(
    "text", ["素描", "卡通", "复古", "电影感", "sepia", "手绘", "故障风", "赛博朋克", "日系清新"]
)
def test_filters_change_the_picture(editor, landscape, text):
    _, out = run(editor, text, landscape)
    assert out.shape == np.asarray(landscape).shape
    assert np.abs(out.astype(np.float32) - np.asarray(landscape)).mean() > 4


def test_adjustments_move_the_right_way(editor, landscape):
    original = np.asarray(landscape).astype(np.float32)
    assert run(editor, "make it brighter", landscape)[1].mean() > original.mean() + 10
    assert run(editor, "调暗", landscape)[1].mean() < original.mean() - 10
    assert run(editor, "提高对比度", landscape)[1].std() > original.std()
    warm = run(editor, "暖色调", landscape)[1].astype(np.float32)
    assert (warm[..., 0] - warm[..., 2]).mean() > (original[..., 0] - original[..., 2]).mean()
    vivid = run(editor, "more saturated", landscape)[1].astype(np.float32)
    assert vivid.std(axis=2).mean() > original.std(axis=2).mean()
    corner = run(editor, "暗角", landscape)[1].astype(np.float32)
    assert corner[:20, :20].mean() < original[:20, :20].mean() - 10


def test_crop_and_aspect_ratio(editor, landscape):
    _, out = run(editor, "裁剪成16:9", landscape)
    assert out.shape[1] / out.shape[0] == pytest.approx(16 / 9, abs=0.01)
    _, out = run(editor, "黑白", landscape, aspect_ratio="1:1")
    assert out.shape[0] == out.shape[1] == 288


def test_upscale(editor, landscape):
    result, out = run(editor, "放大两倍", landscape)
    assert out.shape[:2] == (576, 768)
    assert "lanczos-x2" in result.model


def test_inpaint_changes_masked_pixels_only(editor):
    photo = Image.new("RGB", (256, 192), (110, 160, 90))
    gradient = np.asarray(photo).astype(np.float32) + np.linspace(0, 40, 256)[None, :, None]
    photo = Image.fromarray(gradient.clip(0, 255).astype(np.uint8))
    ImageDraw.Draw(photo).rectangle((100, 70, 140, 110), fill=(10, 10, 10))  # the "object"
    mask = Image.new("L", photo.size, 0)
    ImageDraw.Draw(mask).rectangle((96, 66, 144, 114), fill=255)
    result, out = run(editor, "remove the object", photo, mask=as_input(mask))
    original = np.asarray(photo).astype(int)
    inside = out[75:106, 105:136].astype(int)
    assert np.abs(inside - original[75:106, 105:136]).mean() > 50  # the black square is gone
    assert inside.mean() > 80
    outside = np.ones(original.shape[:2], bool)
    outside[56:125, 86:155] = False  # the mask grown by the editor's seam margin
    assert (out[outside] == original[outside]).all()
    assert "inpaint" in result.model


def test_hotspot_erases_a_spot_without_a_mask(editor):
    photo = Image.new("RGB", (200, 200), (200, 170, 150))
    ImageDraw.Draw(photo).ellipse((95, 95, 105, 105), fill=(90, 30, 30))  # a blemish
    _, out = run(editor, "去痘", photo, task_type=TaskType.HOTSPOT, hotspot=(100, 100))
    assert np.abs(out[100, 100].astype(int) - (200, 170, 150)).max() < 25
    assert (out[:40] == np.asarray(photo)[:40]).all()


def test_an_existing_cut_out_is_used_as_the_matte(editor):
    photo = Image.new("RGBA", (160, 120), (0, 0, 0, 0))
    ImageDraw.Draw(photo).ellipse((50, 20, 110, 100), fill=(30, 90, 200, 255))
    result, out = run(editor, "白色背景", photo)
    assert result.model == "offline-editor/alpha+bg-white"
    assert (out[5, 5] == 255).all() and np.abs(out[60, 80].astype(int) - (30, 90, 200)).max() < 3
    result, out = run(editor, "黑白", photo)
    assert out.shape == (120, 160, 4) and out[5, 5, 3] == 0 and out[60, 80, 3] == 255


def test_mask_limits_an_adjustment(editor, landscape):
    mask = Image.new("L", landscape.size, 0)
    ImageDraw.Draw(mask).rectangle((0, 0, landscape.width // 2, landscape.height), fill=255)
    _, out = run(editor, "黑白", landscape, mask=as_input(mask))
    left, right = out[:, : landscape.width // 2 - 10], out[:, landscape.width // 2 + 10 :]
    assert (left[..., 0] == left[..., 2]).all()
    assert (right == np.asarray(landscape)[:, landscape.width // 2 + 10 :]).all()


def test_unsupported_instruction_names_the_alternatives(editor, portrait):
    with pytest.raises(ProviderError) as info:
        editor.generate(request("让这个人穿上医生的白大褂，背景是医院", portrait))
    assert info.value.permanent and info.value.code == "unsupported_instruction"
    assert "Gemini, OpenAI or a local diffusers model" in info.value.message
    assert "GEMINI_API_KEY" in info.value.detail  # the settings are for the operator


def test_text_to_image_is_refused(editor):
    with pytest.raises(ProviderError) as info:
        editor.generate(request("a cat on the moon", task_type=TaskType.TEXT_TO_IMAGE))
    assert info.value.permanent and info.value.code == "unsupported_task"


def test_no_visible_change_is_an_error(editor):
    grey = Image.new("RGB", (64, 64), (128, 128, 128))
    with pytest.raises(ProviderError) as info:
        editor.generate(request("黑白", grey))
    assert info.value.permanent and info.value.code == "no_change"


def test_sessions_are_created_once_and_shared(editor, landscape):
    run(editor, "oil painting", landscape)
    first = models.session("multistyle26")
    seen = []
    threads = [
        threading.Thread(target=lambda: seen.append(models.session("multistyle26")))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s is first for s in seen)
    assert first.get_session_options().intra_op_num_threads == models.threads()
