"""Glossary entries: background, framing and retouching."""

from __future__ import annotations

from .term import BG, EC, IMG2, MOD, NP, ZC, Term, term

BACKGROUND_TERMS: tuple[Term, ...] = (
    # --- background ---------------------------------------------------------------------
    term(
        "bg_remove",
        "background",
        (
            r"抠图|抠出|抠像|免抠|透明背景|背景透明|透明底|背景(?:去掉|去除|删除|删掉|移除|扣掉|"
            r"不要|变透明|透明化|(?:换|改|设|变)成透明|设为透明)",
            r"(?:去掉|去除|删除|删掉|移除|扣掉|擦掉|不要|抠掉)(?:图片的|照片的|图的)?背景",
            r"\b(?:remove|removing|erase|delete|drop|strip|cut out|get rid of|lose|ditch)\s+"
            rf"(?:the\s+)?{BG}"
            r"(?:\s+completely)?",
            rf"\b{BG} remov(?:al|ed|er)\b|\bcut ?out\b|\btransparent(?: {BG}| png| cut-?out)?\b"
            rf"|\bno {BG}\b|\bwithout (?:a |the |any )?{BG}\b|\bisolate the (?:subject|person)\b"
            r"|\bsee-?through (?:background|backdrop|bg)\b"
            r"|\b(?:remove|erase|delete) everything (?:except|but|apart from|other than)\b",
            rf"\bmake (?:the )?{BG} transparent\b",
            r"\bcut (?:the |this |that )?(?:subject|person|people|object|product|cat|dog|him|her"
            r"|me|them|it) out\b",
        ),
        [("remove_bg", {})],
        "remove the background completely so only the main subject remains, on a fully "
        "transparent background with clean, precise edges (hair included)",
    ),
    term(
        "bg_image",
        "background",
        (
            rf"背景(?:换成|改成|替换成?|替换为|用|换为|设为|改为){IMG2}"
            rf"|(?:放到|放进|合成到|融合到|放在){IMG2}"
            rf"|{IMG2}(?:作为|当作?|当成|做|来做|用作|用来做)背景"
            r"|(?:换|替换|更换|换一?个|换一下)背景(?=\s*(?:吧|呢|啊)?\s*(?:$|[，。,.;；!！?？]))",
            rf"\b(?:second|other|2nd) (?:image|photo|picture|pic|one)\b{NP}{{0,25}}"
            rf"\b(?:{BG}|behind)\b",
            rf"\b{BG}\b{NP}{{0,25}}\b(?:(?:second|other|2nd|reference|attached|provided"
            r"|uploaded) (?:image|photo|picture|pic)|(?:image|photo|picture|pic)\s*(?:2|two))\b"
            r"|\b(?:change|replace|swap|switch)(?: the)? (?:background|backdrop|bg)"
            r"(?=\s*(?:please)?\s*(?:$|[,.;!?]))",
            r"\b(?:put|place|composite|paste|insert|move)\s+(?:\w+\s+){0,3}(?:in|into|onto|on)\s+"
            r"(?:the\s+)?(?:second|other|2nd|reference|attached) (?:image|photo|picture|pic)\b",
        ),
        [("bg_image", {})],
        "cut out the main subject of the first image and place it naturally on the second "
        "image as the new background, matching light and colour",
    ),
    term(
        "bg_blur",
        "background",
        (
            rf"背景{NP}{{0,6}}?(?:虚化|模糊|糊掉?)|(?:虚化|模糊|虚掉|虚一下)(?:一下)?背景|背景虚|人像模式|大光圈|浅景深",
            rf"\bblur(?:red|ry|s)?\s+(?:out\s+)?(?:the\s+)?{BG}\b|\b{BG}\s+blur(?:red|ry)?\b"
            rf"|\bbokeh\b|\bdepth[- ]of[- ]field\b|\bshallow depth of field\b|\bportrait mode\b"
            rf"|\bdefocus(?:ed)?\s+(?:the\s+)?{BG}"
            rf"|\bmak(?:e|ing) (?:the )?{BG} (?:blurry|blurred|soft|out of focus)\b"
            r"|\bblur (?:out )?(?:what'?s|what is|everything|all) behind\b",
            rf"背景{NP}{{0,4}}(?:看不清|不清楚)"
            r"|(?:虚化|模糊)(?:掉)?(?:后面|后边|身后)|(?:后面|后边|身后)的?(?:东西|景物|景)?(?:虚化|模糊)",
        ),
        [("bg_blur", {"radius": 1.0})],
        "blur the background with a soft, natural bokeh while keeping the subject sharp",
        scale="radius",
    ),
    term(
        "bg_color",
        "background",
        (
            rf"背景{NP}{{0,4}}?(?:换成|改成|变成|替换成?|替换为|换为|改为|设为|设置为|调成|弄成|是|为|用|换|改)?"
            rf"{NP}{{0,3}}?(?:纯|全)?{ZC}(?:的)?(?:背景)?",
            rf"{ZC}(?:的)?(?:背景|底色|底)(?!片)",
            rf"\b(?:change|make|turn|set|paint|replace|swap|fill|switch|put)\s+(?:it\s+on\s+)?"
            rf"(?:the\s+)?{BG}\s+(?:to|into|with|for|as|in)?\s*{MOD}{EC}\b",
            rf"\b{BG}\s*(?:colou?r)?\s*(?:to|into|with|=|:|as|in|should be|is)?\s*{MOD}{EC}\b",
            rf"\b(?:(?:put|place|set|show|shoot)\s+(?:\w+\s+){{0,3}}(?:on|onto|against|over"
            rf"|in front of)"
            rf"\s+{MOD})?{EC}\s+(?:solid\s+|plain\s+|studio\s+|colou?red\s+)?{BG}\b",
        ),
        [("bg_color", {})],
        "replace the background with a clean, solid {colour} ({hex}) backdrop, keeping "
        "natural, precise edges around the subject",
    ),
)

FRAME_TERMS: tuple[Term, ...] = (
    # --- geometry -----------------------------------------------------------------------
    term(
        "upscale",
        "geometry",
        (
            r"放大|超分|(?:变成|转成|到)?\s*(?:[248]k|1080p)(?:分辨率|画质)?|(?:提高|增加|提升)分辨率|高分辨率|分辨率(?:提高|翻倍|加倍"
            r"|x2|×2)|无损放大",
            r"\bupscal(?:e|ed|ing)\b|\bupsampl(?:e|ing)\b|\bsuper[- ]?resolution\b|\benlarge\b"
            r"|\b(?:increase|raise|boost) (?:the )?resolution\b|\bhigher resolution\b|\bhi-?res\b"
            r"|\bblow (?:it |this |the (?:image|photo|picture) )?up\b"
            r"|\b\d(?:\.\d+)?\s*[x×] (?:the )?(?:size|bigger|larger)\b"
            r"|\bscale (?:it |this |the (?:image|photo|picture) )?up\b"
            r"|\b(?:double|triple|quadruple)(?: the| its)? (?:size|resolution|dimensions)\b",
            # a bare scale factor, the notation of every upscaler, as a clause of its own:
            # "x4", "2x, black and white", "make it ×2 please"
            r"(?:^|(?<=[,，;；。!！]))\s*(?:make it |make this |go |upscale )?"
            r"(?:[x×]\s*[234]|[234]\s*[x×])\s*(?:please|bigger|larger|size)?\s*"
            r"(?=$|[,，;；。.!！]|\s+(?:and|then)\b|然后)",
            r"(?:扩大|加大|变大|增大)(?:到|为|成)?(?:原来的)?\s*(?:\d+|[一两二三四])\s*倍",
        ),
        [("upscale", {"factor": 2})],
        "upscale to {factor}x resolution with fine, natural detail",
    ),
    term(
        "crop",
        "geometry",
        (
            r"(?:裁剪|裁切|剪裁|裁)(?:成|为|到)?\s*(?P<ratio>\d+\s*[:：比x×/]\s*\d+)(?:的)?(?:比例|画幅|尺寸)?",
            r"(?P<ratio>\d+\s*[:：比]\s*\d+)(?:的)?(?:比例|画幅|尺寸|构图|大小)?",
            r"\b(?:crop|reframe|resize|format|make)(?: it| the (?:image|photo|picture))?(?: to"
            r"| into| as)?"
            r"(?: an?)?(?: aspect ratio(?: of)?)?\s*(?P<ratio>\d+\s*[:x/]\s*\d+)",
            r"(?P<ratio>\d+\s*:\s*\d+)(?: aspect| ratio| format| crop)*",
            r"(?P<ratio>正方形|方形|方图|竖屏|竖版|横屏|横版|宽屏)(?:比例|构图|画幅)?",
            r"\b(?P<ratio>square|widescreen|vertical|horizontal|portrait|landscape)"
            r" (?:crop|format|ratio|aspect|orientation|shape)\b"
            r"|\bmake (?:it|the (?:image|photo|picture)) (?:a )?(?P<ratio2>square|widescreen)\b",
            r"\b(?:crop|trim|cut)(?:ped)?(?: it| this| the (?:image|photo|picture))?"
            r"(?: (?:to|into|as|in))?(?: an?)? (?P<ratio3>square|widescreen|vertical|horizontal"
            r"|portrait|landscape)(?: (?:format|shape|ratio|aspect|crop|image|photo))?\b",
            r"(?:裁剪|裁切|剪裁|裁)(?:成|为|到)?(?P<ratio4>正方形|方形|方图|竖屏|竖版|横屏|横版|宽屏)",
        ),
        [("crop", {})],
        "reframe the photo to a {ratio} aspect ratio",
    ),
    term(
        "crop_centre",
        "geometry",
        (
            r"\bcrop(?:ped)?(?: it| this| the (?:image|photo|picture))?(?: (?:to|in on|on|around"
            r"|at|in to))? the (?:cent(?:er|re)|middle)\b"
            r"|\b(?:cent(?:er|re)|middle)[- ]?crop(?:ped)?\b"
            r"|\bcrop (?:it |this )?(?:in|tighter|closer)\b|\bzoom in\b"
            r"|(?:居中|中心|中间)裁剪|裁剪(?:出)?(?:中间|中心)(?:部分)?|裁掉(?:四周|边缘)|放大中间",
        ),
        [("crop", {"centre": True})],
        "crop in on the centre of the photo",
    ),
    term(
        "crop_plain",
        "geometry",
        (r"\bcrop(?:ped)?\b|\breframe\b|裁剪|裁切|剪裁",),
        [("crop", {})],
        "crop the photo",
    ),
    term(
        "pad",
        "geometry",
        (
            r"留白|补边|加边|扩图|扩展画布|\bpad(?:ding)?\b|\bletterbox(?:ed)?\b"
            r"|\bwithout cropping\b|\bdon'?t crop\b|\bextend the canvas\b",
        ),
        [("pad", {})],
        "extend the canvas to the requested aspect ratio without cropping",
        negatable=False,
    ),
    term(
        "rotate",
        "geometry",
        (
            r"旋转\s*(?P<deg>-?\d+)\s*度?|(?P<dir>向左|往左|逆时针|向右|往右|顺时针)(?:旋)?转(?:\s*(?P<deg2>\d+)\s*度)?"
            r"|(?:左|右)转|倒过来|上下颠倒|旋转",
            r"\brotat(?:e|ed)(?: it| the (?:image|photo|picture))?(?: by)?\s*(?P<deg3>-?\d+)\s*(?:°"
            r"|degrees?)?"
            r"|\b(?:rotate|turn)(?: it)? (?P<dir2>left|right|clockwise|counter-?clockwise"
            r"|anti-?clockwise)\b"
            r"|\bupside down\b|\brotate\b",
        ),
        [("rotate", {"degrees": 90})],
        "rotate the photo by {degrees} degrees",
        negatable=False,
    ),
    term(
        "flip",
        "geometry",
        (
            r"(?P<axis>上下|垂直)(?:翻转|镜像)|(?:左右|水平)?(?:翻转|镜像)",
            r"\bflip(?:ped)?(?: it)?(?: (?P<axis2>vertically|horizontally|upside down))?\b"
            r"|\bmirror(?:ed)?\b",
        ),
        [("flip", {"axis": "horizontal"})],
        "mirror the photo {axis}ly",
    ),
)

FUSION_TERMS: tuple[Term, ...] = (
    term(
        "fuse",
        "background",
        (
            r"\b(?:fuse|fusion of|blend|combine|merge|composite)"
            r"(?: (?:them|these|both|the (?:two|2) (?:images|photos|pictures)"
            r"|the (?:images|photos|pictures)|(?:it|this|the first(?: one| image| photo)?)"
            r" (?:with|into|and) the (?:second|other)(?: one| image| photo| picture)?))?"
            r"(?: together)?\b|\bfusion\b",
            r"融合|合成(?:在一起|一张)?|合并(?:两张|在一起)?|拼合",
        ),
        [("bg_image", {})],
        "place the main subject of the first image naturally into the second image",
    ),
)

RECOLOR_TERMS: tuple[Term, ...] = (
    term(
        "recolor",
        "adjustment",
        (
            rf"\b(?:make|turn|paint|colou?r|recolou?r|change|dye|tint)\s+(?:this|that|it|these|here"
            rf"|the (?:selected|marked|clicked|painted) (?:area|part|region|object|spot))"
            rf"(?: (?:to|into|in))?\s+{MOD}{EC}(?![- ]?(?:and|&|n)[- ]?white)\b",
            rf"\brecolou?r(?: (?:it|this))?(?: (?:to|in|into))?\s+{EC}\b",
            rf"(?:把)?(?:这里|这儿|这块|这个|这部分|它)(?:的颜色)?(?:变成|改成|换成|涂成|染成|变为|改为)"
            rf"{ZC}",
        ),
        [("recolor", {})],
        "recolour the marked area {colour} ({hex}), keeping its shading",
    ),
)

RETOUCH_TERMS: tuple[Term, ...] = (
    # --- retouching ---------------------------------------------------------------------
    term(
        "remove_object",
        "retouch",
        (
            r"去除|消除|去掉|删除|移除|擦除|擦掉|抹掉|删掉|抹去|[pP]掉|去水印|去痘|祛痘|去瑕疵|去斑|祛斑|去路人"
            r"|去污渍|修复划痕",
            r"\bremov(?:e|ing)\b|\berase\b|\bdelete\b|\bget rid of\b|\bclean up\b"
            r"|\binpaint(?:ing)?\b"
            r"|\btake out\b|\beliminate\b|\bretouch out\b|\bwatermark\b|\bblemish(?:es)?\b",
        ),
        [("remove_object", {})],
        "remove the marked object and fill the area seamlessly with matching surroundings",
    ),
)
