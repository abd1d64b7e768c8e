"""How instructions are put together: clause separators, negation, "keep" wishes, filler
words, the cues that a clause asks for new content, and a small Chinese word gloss.
Shared by the instruction parser and the template prompt writer."""

from __future__ import annotations

# --- Clause structure ------------------------------------------------------------------------
CLAUSE_SEPARATORS = (
    r"[，。；;！!？?\n]|,|\.\s|\.$|、|然后|并且|同时|而且|另外|再把|以及|但是|但"
    r"|\b(?:and then|and also|and|then|but|also|plus|after that|while)\b"
)
NEGATION_RE = (
    r"(?:\bdon'?t\b|\bdo not\b|\bnever\b|\bno need to\b|\bavoid\b|不要|别|不用|无需|不必|勿)"
)
# Before a new-content cue in the same clause: "no added text", "without adding", "never add".
PROHIBITION_RE = NEGATION_RE[:-1] + r"|\bno\b|\bnot\b|\bwithout\b|\bnothing\b|\bnor\b)"
CONSTRAINT_RE = (
    r"\bkeep|\bpreserv|\bmaintain|\bretain|\bleave\b|\bunchanged|\bunaltered|\bintact|\bas is\b"
    r"|don'?t|do not|without changing|保持|保留|不变|不要|别动|别改|不改|原样|不动"
)
# Words that carry no request of their own (stripped before a clause counts as "not understood").
_EN_FILLER_WORDS = """
    a an the this that these those it its it's is are be been please pls kindly can could would
    you i me my we our us want wanna like love need make made making let turn get give
    just also too so very bit little more less some slightly quite really overall whole entire
    photo photos image images picture pictures pic pics shot look looks looking feel style styled
    apply use using with in on of to for by at from into onto up as and or then now edit
    effect effects filter filters adjust adjustment adjustments tweak do thanks thank version
    one nice nicely good better professional professionally natural naturally subject person
    people product object foreground main around edges soft softer subtle subtly strong
    stronger light lighter heavy heavier gentle slight dramatic beautiful fine big bigger small
    smaller dark darker deep bold classic cool warm realistic elegant stylish modern clean
    clear nice pretty lovely cute effect look touch hint bit across over underneath throughout
    realistic rich texture textures overlay"""
EN_FILLER = frozenset(_EN_FILLER_WORDS.split())
# fmt: off
ZH_FILLER = (
    "帮我", "帮忙", "麻烦", "请你", "请", "一下", "照片", "图片", "图像", "相片", "这张", "这个",
    "那个", "整体", "整个", "画面", "效果", "风格", "滤镜", "感觉", "看起来", "看上去", "样子",
    "一样", "一点", "一些", "稍微", "有点", "可以", "能不能", "能否", "谢谢", "处理", "调整",
    "编辑", "修改", "变得", "弄得", "调得", "弄成", "做成", "变成", "改成", "换成", "处理成",
    "我", "你", "把", "将", "给", "让", "使", "的", "了", "吧", "呢", "啊", "吗", "得", "地",
    "更", "再", "点", "些", "很", "成", "为", "做", "弄", "调", "变", "改", "用", "要", "想",
    "图", "张", "下", "一", "个", "加", "也", "都", "和", "与", "及", "并", "就", "好", "他",
    "她", "它", "们", "这", "那", "里", "中", "上", "所有", "全部", "部分", "区域", "轻微",
    "淡淡", "微微", "稍稍", "略微", "明显", "强烈", "柔和", "浓", "重", "轻", "强", "大", "小",
    "深", "浅", "经典", "漂亮", "自然", "一个", "一层", "一种", "一款", "层", "种", "款",
)
# fmt: on

# Cues that a clause asks for new content the offline editor cannot synthesise:
# (regex, what it asks for, needs_object). A cue that needs an object (a verb such as "add")
# only counts when a word that is neither filler nor part of a recognised operation follows it
# ("加上暗角" is an operation, "加上帽子" is not); for "background" the object may also come
# first ("a beach background"): needs_object "both". Cues are checked in every clause, also
# where an operation matched ("brighter and add a hat").
GENERATIVE_CUES: tuple[tuple[str, str, bool | str], ...] = (
    (
        r"衣服|外套|大褂|裙子|西装|帽子|眼镜|换装|\bclothes\b|\bclothing\b|\boutfits?\b"
        r"|\bshirts?\b|\bjackets?\b|\bcoats?\b|\bsuits?\b|\bhats?\b|\bglasses\b"
        r"|\buniforms?\b|\bcostumes?\b",
        "dressing a person or changing clothing",
        False,
    ),
    (
        r"穿上?|戴上?|\bwear(?:s|ing)?\b|\bdress(?:ed|ing)?\b",
        "dressing a person or changing clothing",
        True,
    ),
    (
        r"微笑|笑容|变老|年轻|发型|头发|发色|换脸|表情|化妆|瘦脸|大眼|身材|\bsmil(?:e|es|ing)\b"
        r"|\byounger\b|\bolder\b|\bhair\b|\bhairstyle\b|\bface ?swap\b|\bexpression\b"
        r"|\bmake-?up\b|\bslimmer\b|\bthinner\b",
        "changing a person's appearance",
        False,
    ),
    (
        r"添加|加入|插入|加上|放上|画上|[加添放画](?!强|深|亮|大|重|快|面|质|风)"
        r"|\badd(?:s|ed|ing)?\b|\binsert(?:s|ed|ing)?\b|\bput(?:s|ting)?\b|\bplac(?:e|es|ing)\b",
        "adding objects to the picture",
        True,
    ),
    (
        r"生成|创作|创建|\bgenerat(?:e|es|ing)\b|\bcreat(?:e|es|ing)\b|\bdraw(?:s|ing)?\b"
        r"|\bimagine\b",
        "generating new content",
        True,
    ),
    (
        r"背景(?:是|为|换成|改成|变成|替换成?|换为|改为)?|\bbackgrounds?\b|\bbackdrops?\b"
        r"|\bscenery\b|\bscene\b|\bsetting\b",
        "replacing the background with a new scene",
        "both",
    ),
    (
        r"替换成?|换成|变成|改成|\breplac(?:e|es|ing)\b|\bswap(?:s|ping)?\b|\binto\b"
        r"|\bchang(?:e|es|ing)\b",
        "turning something into something else",
        True,
    ),
)

# A small word gloss used when a Chinese clause is not understood, so an English-only image
# model still gets the gist alongside the original text.
# fmt: off
ZH_WORD_GLOSS: dict[str, str] = {
    "人": "person", "男人": "man", "女人": "woman", "孩子": "child", "小孩": "child", "狗": "dog",
    "猫": "cat", "医生": "doctor", "白大褂": "white lab coat", "衣服": "clothes", "穿上": "wear",
    "穿": "wear", "戴": "wear", "帽子": "hat", "眼镜": "glasses", "西装": "suit", "裙子": "dress",
    "背景": "background", "医院": "hospital", "海滩": "beach", "沙滩": "beach", "海边": "seaside",
    "城市": "city", "森林": "forest", "雪": "snow", "天空": "sky", "夕阳": "sunset",
    "办公室": "office", "花": "flowers", "添加": "add", "加": "add", "去掉": "remove",
    "换成": "change to", "变成": "turn into", "头发": "hair", "微笑": "smile", "笑": "smile",
    "年轻": "younger", "老": "older", "车": "car", "树": "tree", "山": "mountain", "水": "water",
    "房子": "house", "夜晚": "night", "白天": "daytime", "下雨": "rain", "月球": "moon",
    "保持": "keep", "不变": "unchanged", "人物": "person", "脸": "face",
    "五官": "facial features", "构图": "composition", "光线": "lighting", "颜色": "colour",
}
# fmt: on
