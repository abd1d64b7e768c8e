"""Glossary entries: adjustments of tone, colour and detail."""

from __future__ import annotations

from .term import Term, term

ADJUSTMENT_TERMS: tuple[Term, ...] = (
    # --- adjustments --------------------------------------------------------------------
    term(
        "brighter",
        "adjustment",
        (
            r"(?:调|变|提|更|再|增)亮|亮(?:一点|一些|些|点)|亮度(?:提高|增加|调高|加大|高一?点|\+)"
            r"|(?:提高|增加|调高|加大)(?:一点)?亮度|太暗|偏暗|曝光不足|(?:提高|增加)曝光|明亮"
            r"|曝光量?(?:太|过)(?:少|弱|低)",
            r"\bbright(?:en|er|ness up)\b|\bmore bright\b|\b(?:increase|raise"
            r"|boost) (?:the )?brightness\b"
            r"|\blighten\b|\btoo (?:dark|dim|dull|murky|gloomy)\b|\bmore light\b"
            r"|\b(?:turn|crank|bump|push) up the (?:brightness|exposure|light)\b"
            r"|\bturn the (?:brightness|exposure) up\b|\bunder-?(?:exposed|lit)\b|\b(?:increase"
            r"|raise) (?:the )?exposure\b|\b(?:less|not so|not as) (?:dark|dim|gloomy)\b"
            # a complaint about how it is now: "it looks gloomy", "the photo is dim"
            r"|\b(?:looks?|is|seems?|feels?|it's)\s+(?:(?:a bit|a little|rather|quite|so|very"
            r"|kind of|really|pretty)\s+)?(?:gloomy|murky|dim)\b|\b(?:poorly|badly) lit\b"
            r"|\b(?:make|get) (?:it|this|the (?:photo|image|picture)) "
            r"(?:a (?:bit|little) |slightly |much |a lot )?lighter\b",
            r"(?:别|不要|没)(?:那么|这么|太)暗|不那么暗",
        ),
        [("brightness", {"amount": 0.25})],
        "brighten the exposure",
        scale="amount",
        negatable=False,
    ),
    term(
        "darker",
        "adjustment",
        (
            r"调暗|变暗|压暗|暗(?:一点|一些|些|点)|亮度(?:降低|调低|减少|低一?点|-)|(?:降低|调低|减少)亮度"
            r"|太亮|过曝|曝光过度|(?:降低|减少)曝光|曝光量?(?:太|过)(?:多|强|高|大|头)",
            r"\bdark(?:en|er)\b|\bdim(?:mer)?\b|\b(?:reduce|lower|decrease) (?:the )?brightness\b"
            r"|\btoo bright\b|\bover-?exposed\b|\bblown[- ]out\b"
            r"|\b(?:reduce|lower) (?:the )?exposure\b"
            r"|\b(?:less|not so|not as|less and less) (?:bright|light)\b|\btoo light\b"
            r"|\b(?:turn|bring|dial|tone) (?:down|back) the (?:brightness|exposure|light)\b"
            r"|\b(?:turn|bring|dial) the (?:brightness|exposure) (?:down|back)\b"
            r"|\btone down the (?:brightness|light|exposure)\b",
            r"(?:别|不要|没)(?:那么|这么|太)亮|不那么亮|亮度?(?:低|少)(?:一点|一些|些|点)"
            r"|亮度(?:降|调|压|减)(?:下来|下去|低)",
        ),
        [("brightness", {"amount": -0.25})],
        "darken the exposure",
        scale="amount",
        negatable=False,
    ),
    term(
        "more_contrast",
        "adjustment",
        (
            r"(?:提高|增加|增强|加强|加大|调高)对比度?|对比度?(?:提高|增加|加强|调高|高一?点|大一?点|强一?点)"
            r"|高对比度?",
            r"\b(?:more|increase|increased|boost|higher|high|add|stronger"
            r"|raise)(?: the)?[- ]contrast\b"
            r"|\bcontrast(?:y| up)\b|\bpunch(?:y|ier)\b",
        ),
        [("contrast", {"amount": 0.3})],
        "increase the contrast",
        scale="amount",
    ),
    term(
        "less_contrast",
        "adjustment",
        (
            r"(?:降低|减少|减弱|调低)对比度?|对比度?(?:降低|减少|调低|低一?点|小一?点|弱一?点)|柔和|低对比",
            r"\b(?:less|reduce|lower|decrease|softer|low)(?: the)? contrast\b|\bflatter\b"
            r"|\bsoft(?:er)? look\b",
        ),
        [("contrast", {"amount": -0.3})],
        "lower the contrast for a softer look",
        scale="amount",
    ),
    term(
        "more_saturation",
        "adjustment",
        (
            r"(?:提高|增加|调高|增强|加强)饱和度?|饱和度(?:提高|增加|调高|高一?点|加强|\+)?|更?鲜艳"
            r"|色彩(?:更|再)?(?:鲜艳|浓郁|丰富)|颜色(?:更|再)?(?:鲜艳|浓)|高饱和",
            r"\bvivid\b|\bover-?saturat(?:e|ed|ion)\b|\bvibran(?:t|ce)\b|\bmore saturat(?:ed|ion)\b"
            r"|\bsaturat(?:e|ed)\b"
            r"|\b(?:increase|boost|raise) (?:the )?(?:saturation|colou?rs?)\b|\bmore colou?rful\b"
            r"|\bpop the colou?rs\b|\bricher colou?rs\b|\bsaturation\b",
        ),
        [("saturation", {"amount": 0.35})],
        "make the colours more vivid",
        scale="amount",
    ),
    term(
        "less_saturation",
        "adjustment",
        (
            r"(?:降低|减少|调低|减弱)饱和度?|饱和度(?:降低|减少|调低|低一?点|-)|低饱和|淡雅|素雅",
            r"\bdesaturat(?:e|ed)\b|\bless saturat(?:ed|ion)\b|\b(?:reduce|lower"
            r"|decrease) (?:the )?"
            r"saturation\b|\bmuted(?: colou?rs)?\b|\btone down (?:the )?colou?rs\b"
            r"|\bwashed[- ]out\b",
        ),
        [("saturation", {"amount": -0.35})],
        "mute the colours",
        scale="amount",
    ),
    term(
        "warmer",
        "adjustment",
        (
            r"暖色调?|暖调|暖(?:一点|一些|些|点)|偏暖|温暖|暖黄|金色调|黄昏色调",
            r"\bwarm(?:er|th)?(?: tones?| it up| up)?\b|\bgolden(?:[- ]hour| tones?)\b",
        ),
        [("warmth", {"amount": 0.35})],
        "warm up the colour temperature",
        scale="amount",
    ),
    term(
        "cooler",
        "adjustment",
        (
            r"冷色调?|冷调|冷(?:一点|一些|些|点)|偏冷|清冷|蓝调",
            r"\bcool(?:er)?(?: tones?| it down| down)?\b|\bcold(?:er)? tones?\b|\bbluish\b"
            r"|\bcooler\b",
        ),
        [("warmth", {"amount": -0.35})],
        "cool down the colour temperature",
        scale="amount",
    ),
    term(
        "sharpen",
        "adjustment",
        (
            r"锐化|更?清晰(?:一点|一些|些)?|变清晰|清楚(?:一点|一些|些)?|增强细节|细节"
            r"|(?:有点|太|比较|很|非常|好)模糊了?|模糊了|不清楚|不清晰|看不清",
            r"\bsharpen(?:ed)?\b|\bsharper\b|\bsharpness\b|\bcrisp(?:er)?\b|\bclearer\b"
            r"|\b(?:more |fine )?details?\b|\bdeblur\b|\bunblur\b"
            r"|\b(?:is|looks|too|a bit|bit|slightly) (?:blurry|blurred|soft|out of focus)\b",
        ),
        [("sharpness", {"amount": 0.8})],
        "sharpen fine detail",
        scale="amount",
        negatable=False,
    ),
    term(
        "blur",
        "adjustment",
        (r"模糊(?:一点|一些|些|化|处理)?|柔焦|\bblur(?:red|ry|rier)?\b|\bsoft focus\b",),
        [("blur", {"amount": 1.0})],
        "apply a soft blur",
        scale="amount",
    ),
    term(
        "denoise",
        "adjustment",
        (
            r"降噪|去噪点?|(?:减少|去除|消除|去掉)噪点|噪点(?:太多|去掉|去除)",
            r"\bdenois(?:e|ing)\b|\bnoise reduction\b|\b(?:reduce|remove"
            r"|clean up) (?:the )?(?:noise|grain)\b",
        ),
        [("denoise", {"amount": 1.0})],
        "reduce noise while keeping detail",
        scale="amount",
    ),
    term(
        "smooth_skin",
        "retouch",
        (
            r"磨皮|美颜|美白|皮肤(?:光滑|细腻)|\bsmooth(?:en)?(?: the)? skin\b|\bskin smoothing\b"
            r"|\bsoften(?: the)? skin\b|\bbeautify\b",
        ),
        [("smooth_skin", {"amount": 1.0})],
        "smooth the skin naturally, keeping texture",
        scale="amount",
    ),
    term(
        "studio_light",
        "adjustment",
        (
            r"影棚光|棚拍(?:光|灯光)|专业(?:布光|打光|灯光)|戏剧性?(?:的)?(?:光线|灯光|布光)|聚光灯|伦勃朗光",
            r"\b(?:add\s+)?(?:(?:dramatic|professional|soft|strong|moody),?\s+){0,3}studio[- ]?"
            r"(?:light(?:ing)?|lights)\b(?:\s+(?:to|on) the (?:main )?(?:subject|person|model"
            r"|product))?|\bdramatic lighting\b|\bspot ?light(?: on the subject)?\b",
        ),
        [("studio_light", {"amount": 1.0})],
        "light the subject like a studio set, with the background dimmed",
        scale="amount",
    ),
    term(
        "enhance",
        "adjustment",
        (
            r"自动增强|一键增强|增强|优化|美化|修图|调色|润色|更?好看|提升(?:画质|质感)|质感|高清|画质",
            r"\benhanc(?:e|ed|ement)\b|\bimprove\b|\bauto[- ]?(?:adjust|enhance|fix|correct|tone)\b"
            r"|\bbetter\b|\bnicer\b|\btouch[- ]?up\b|\bpolish\b|\bcolou?r[- ]correct(?:ion)?\b"
            r"|\bcolou?r[- ]grad(?:e|ing)\b|\bmake it pop\b|\bhdr\b",
        ),
        [("enhance", {"amount": 1.0})],
        "enhance the photo: balanced exposure, richer colour and crisp detail",
        scale="amount",
    ),
)
