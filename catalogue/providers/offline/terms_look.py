"""Glossary entries: filters and painting styles."""

from __future__ import annotations

from .term import Term, term
from .vocabulary import DEFAULT_STYLE, GENERIC_STYLE_PATTERNS, STYLE_EXTRA_OPS, STYLES

FILTER_TERMS: tuple[Term, ...] = (
    # --- colour and tone filters --------------------------------------------------------
    term(
        "grayscale",
        "filter",
        (
            r"黑白|灰度|去色|单色|灰白",
            r"\bblack[- ]?(?:and|&|n)[- ]?white\b|\bb\s*&\s*w\b|\bgr[ae]y[- ]?scale\b"
            r"|\bmonochrome\b"
            r"|\bnoir\b|\bno colou?rs?\b|\bwithout (?:any )?colou?rs?\b|\bshades of gr[ae]y\b",
        ),
        [("grayscale", {})],
        "convert the photo to true black and white (neutral grayscale, no colour cast)",
    ),
    term(
        "sepia",
        "filter",
        (r"棕褐色?|褐色调|泛黄|\bsepia\b",),
        [("sepia", {"strength": 1.0})],
        "apply a warm sepia tone",
        scale="strength",
    ),
    term(
        "vintage",
        "filter",
        (
            r"复古|怀旧|老照片|年代感|胶片(?:感|风|质感|效果)?|做旧|港风|lomo",
            r"\bvintage\b|\bcross[- ]process(?:ing|ed)?\b|\blomo(?:graphy)?\b|\bretro\b"
            r"|\bold[- ](?:photo|film|school|fashioned)\b|\baged\b"
            r"|\bnostalgic\b"
            r"|\bfilm (?:look|style|effect|photo)\b|\banalog(?:ue)?\b|\b(?:19)?[4-8]0s\b",
        ),
        [("vintage", {"strength": 1.0}), ("grain", {"amount": 0.5}), ("vignette", {"amount": 0.6})],
        "give it a faded vintage film look with gentle grain and a soft vignette",
        scale="strength",
    ),
    term(
        "grain",
        "filter",
        (r"胶片颗粒|颗粒感?|噪点感?|\bfilm[- ]grain\b|\bgrain(?:y)?\b|\badd noise\b",),
        [("grain", {"amount": 1.0})],
        "add fine film grain",
        scale="amount",
    ),
    term(
        "vignette",
        "filter",
        (r"暗角|晕影|\bvignett(?:e|ing)\b",),
        [("vignette", {"amount": 1.0})],
        "add a soft dark vignette around the edges",
        scale="amount",
    ),
    term(
        "japanese_fresh",
        "filter",
        (
            r"日系|小?清新",
            r"\bjapanese (?:film|fresh|airy) (?:look|style)\b|\bairy\b|\bbright and airy\b",
        ),
        [
            ("brightness", {"amount": 0.18}),
            ("contrast", {"amount": -0.2}),
            ("saturation", {"amount": -0.2}),
            ("warmth", {"amount": -0.15}),
        ],
        "give it a bright, airy Japanese-style look: lifted exposure, soft contrast, "
        "light muted colours with a cool tint",
    ),
    term(
        "cyberpunk",
        "filter",
        (
            r"赛博朋克|霓虹|合成波|蒸汽波|\bcyberpunk\b|\bneon\b|\bsynthwave\b|\bvaporwave\b"
            r"|\b(?:magenta|cyan|pink|purple) (?:and (?:magenta|cyan|blue) )?glows?\b",
        ),
        [("cinematic", {"strength": 1.0, "palette": "cyberpunk"})],
        "apply a neon cyberpunk colour grade with magenta highlights and cyan shadows",
        scale="strength",
    ),
    term(
        "glitch",
        "filter",
        (
            r"故障风?|故障艺术|色差|扫描线|\bglitch(?:y|ed)?\b|\bchromatic aberration\b"
            r"|\brgb split\b|\bscan ?lines?\b"
            r"|\b(?:into )?(?:an? )?(?:futuristic )?holographic(?: projection)?\b",
        ),
        [("glitch", {"amount": 1.0})],
        "add a digital glitch effect with RGB channel split and scan lines",
        scale="amount",
    ),
    term(
        "cinematic",
        "filter",
        (
            r"电影感|电影色调|电影风格?|青橙色?调?|大片感?",
            r"\bcinematic\b|\bteal (?:and|&) orange\b|\bmovie (?:look|still|style)\b|\bfilmic\b",
        ),
        [("cinematic", {"strength": 1.0})],
        "apply a cinematic teal-and-orange colour grade",
        scale="strength",
    ),
    term(
        "invert",
        "filter",
        (r"反色|负片|底片效果|\binvert(?:ed)?(?: colou?rs?)?\b|\bnegative\b",),
        [("invert", {})],
        "invert the colours like a film negative",
    ),
    term(
        "sketch",
        "filter",
        (
            r"(?:铅笔)?素描|铅笔画|线稿|速写|炭笔画?",
            r"\bpencil (?:sketch|drawing)\b|\bsketch(?:ed|y)?\b|\bline (?:art|drawing)\b"
            r"|\bcharcoal\b"
            r"|\bpencil\b",
        ),
        [("sketch", {"color": False})],
        "turn the photo into a graphite pencil sketch",
    ),
    term(
        "color_sketch",
        "filter",
        (r"彩色素描|彩铅画?|\bcolou?r(?:ed)? pencils?(?: sketch| drawing)?\b",),
        [("sketch", {"color": True})],
        "turn the photo into a coloured-pencil drawing",
    ),
    term(
        "cartoon",
        "filter",
        (
            r"卡通|动漫|漫画|二次元|动画风?",
            r"\bcartoon(?:ish|ify|ize)?\b|\bbold (?:black )?outlines?\b|\banime\b"
            r"|\bcomic(?: book)?\b|\btoon\b|\bcel[- ]shad(?:ed"
            r"|ing)\b",
        ),
        [("cartoon", {})],
        "turn the photo into a clean cartoon illustration with bold outlines and flat colours",
    ),
    term(
        "painterly",
        "filter",
        (r"手绘|绘画感|油画感|艺术化|\bpainterly\b|\bstyli[sz]e\b|\bhand[- ]painted\b",),
        [("painterly", {})],
        "give the photo a soft hand-painted look",
    ),
    term(
        "pixelate",
        "retouch",
        (r"马赛克|打码|像素化|像素风|\bpixelat(?:e|ed|ion)\b|\bpixel art\b|\bcensor\b",),
        [("pixelate", {})],
        "pixelate it with a coarse mosaic",
    ),
)


def _texture(kind: str, patterns: tuple[str, ...], en: str) -> Term:
    return term(f"texture_{kind}", "filter", patterns, [("texture", {"kind": kind})], en)


TEXTURE_TERMS: tuple[Term, ...] = (
    _texture(
        "canvas",
        (
            r"画布纹理?|帆布|布纹|织物纹理|麻布|亚麻纹理",
            r"\bcanvas(?: weave)?(?: texture)?\b|\bburlap\b|\b(?:woven )?fabric(?: texture)?\b"
            r"|\blinen texture\b|\bweave texture\b",
        ),
        "overlay a fine woven canvas texture",
    ),
    _texture(
        "wood",
        (
            r"木纹|木头纹理|木质纹理|\bwood(?:en)?[- ]?grain(?: texture)?\b|\bwood texture\b"
            r"|\bfollowing the (?:contours|shapes) of the (?:subjects?|image|photo)\b",
        ),
        "overlay a rich wood grain texture",
    ),
    _texture(
        "metal",
        (
            r"拉丝金属|金属(?:质感|纹理|拉丝|光泽)",
            r"\bbrushed (?:metal|steel|aluminium|aluminum)(?: texture)?\b|\bmetal(?:lic)? texture\b"
            r"|\bmetallic sheen\b|\b(?:subtle )?horizontal streaks\b",
        ),
        "give it a brushed metal texture with a metallic sheen",
    ),
    _texture(
        "cracks",
        (
            r"裂纹|龟裂|开裂|剥落的?(?:油漆|漆面)|油漆剥落",
            r"\bcrack(?:ed|le|led|s)?(?: paint)?\b|\bpeeling(?: paint)?(?: texture)?\b"
            r"|\brevealing (?:a |the )?dark(?:er)? layer(?: underneath)?\b",
        ),
        "overlay cracked, peeling paint revealing a darker layer underneath",
    ),
    _texture(
        "paper",
        (
            r"纸张?纹理|旧纸|牛皮纸|宣纸纹理",
            r"\b(?:aged|old|vintage|parchment) paper(?: texture)?\b|\bpaper texture\b"
            r"|\bparchment\b",
        ),
        "overlay an aged paper texture with soft stains",
    ),
)

STYLE_TERMS: tuple[Term, ...] = (
    # --- neural styles ------------------------------------------------------------------
    term(
        "style_image",
        "style",
        (
            r"(?:参考图|参考图片|参考照片|第二张图?片?|第2张图?片?|另一张图?片?|这张图片?)的?(?:风格|画风|色调|艺术风格)"
            r"|(?:模仿|参考|按照|参照|仿照|借鉴)(?:第二张|第2张|另一张|参考)(?:图|图片|照片)?的?(?:风格|画风)?",
            r"\b(?:in|with|using|match(?:ing)?|copy(?:ing)?|apply(?:ing)?"
            r"|transfer(?:ring)?)\s+the\s+"
            r"(?:art\s+)?style\s+(?:of|from)\s+(?:this|the|that|my)\s+(?:second\s+|other\s+"
            r"|reference\s+"
            r"|attached\s+|provided\s+|uploaded\s+)?(?:image|photo|picture|painting|pic)\b",
            r"\b(?:second|other|reference|attached) (?:image|photo|picture)'?s? style\b",
            r"\b(?:in|with|into|using|to)\s+the\s+(?:art\s+|painting\s+|artistic\s+)?style\s+"
            r"(?:of|from)\s+the\s+(?:second|other|2nd|last|reference|attached)"
            r"(?:\s+(?:one|image|photo|picture|painting|pic))?\b",
            r"\b(?:use|using|take|taking) the (?:second|other|2nd) (?:one|image|photo|picture"
            r"|painting)(?:'s style)? (?:as|for) (?:the )?style\b",
            r"\b(?:like|as) the (?:second|other|2nd) (?:image|photo|picture|painting)\b",
            r"(?:用|按|照)第(?:二|2)张(?:图|图片|照片)?的?(?:风格|画风)",
            r"(?:把|将)?(?:图|图片|照片)(?:二|2)的?(?:风格|画风)(?:应用|迁移|用)(?:到|在|于)"
            r"(?:图|图片|照片)?(?:一|1)?上?",
            r"\b(?:use|take|copy|borrow|apply)\s+the\s+(?:art\s+|artistic\s+|painting\s+)?"
            r"style\s+(?:of|from)\s+(?:the\s+)?(?:(?:second|other|2nd)\s+(?:one|image|photo"
            r"|picture|painting|pic)|(?:image|photo|picture|pic)\s*(?:2|two))\b",
        ),
        [("style", {"source": "image", "strength": 1.0})],
        "restyle the first image in the artistic style of the second image",
        scale="strength",
    ),
    *(
        term(
            f"style_{index}",
            "style",
            patterns,
            [("style", {"index": index, "strength": 1.0}), *STYLE_EXTRA_OPS.get(index, ())],
            f"restyle the photo as a {name} painting",
            scale="strength",
        )
        for index, name, patterns in STYLES
    ),
    term(
        "style_generic",
        "style",
        GENERIC_STYLE_PATTERNS,
        [("style", {"index": DEFAULT_STYLE, "strength": 1.0})],
        "restyle the photo as a painting in the manner of a famous artist",
        scale="strength",
    ),
)
