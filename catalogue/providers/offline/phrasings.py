"""Example phrasings of each operation, for reading a clause by meaning (:mod:`.meaning`).

Each key is a glossary entry (:mod:`.glossary`), so a clause understood by meaning runs exactly
what the entry's own phrases run, with the same parameters read from the clause (amount words,
"twice as big"). Only entries whose parameters need no word captured by a pattern (a colour,
a ratio) are here. ``CANNOT`` holds what the offline editor cannot do, worded the same way: a
clause nearest to one of those stays refused, so "make it snow" does not drift to "brighter".

The phrasings are written as users write them (short, in both languages, with and without
"please"); the paraphrase tests use other wordings, so they measure the reading, not recall.
"""

from __future__ import annotations

# fmt: off
EXAMPLES: dict[str, tuple[str, ...]] = {
    "grayscale": (
        "make it black and white", "black and white photo", "remove all the colour",
        "turn it into a grayscale picture", "monochrome please", "drain the colour out",
        "grey tones only",
        "变成黑白照片", "黑白的", "去掉所有颜色", "改成灰度图", "只留黑白灰", "不要彩色",
    ),
    "sepia": ("sepia tone", "brownish old tone", "棕褐色调", "泛黄的老照片色调"),
    "vintage": (
        "make it look old", "retro film look", "like a photo from the seventies",
        "复古一点", "像老照片一样", "怀旧的感觉", "年代感",
    ),
    "bg_remove": (
        "remove the background", "cut out the person", "make the background transparent",
        "keep only the subject", "I only want the person", "only keep the person, drop the rest",
        "isolate the subject from its surroundings",
        "get rid of everything behind her", "抠图", "把人抠出来", "去掉背景", "背景变透明",
        "只保留主体", "只要人物，别的都不要", "把背景删了", "扣掉背景只要人", "仅保留人物",
        "把人留下，别的去掉",
    ),
    "bg_image": (
        "use the second image as the background", "put me on the other photo",
        "replace the background with the second picture", "the second photo behind the subject",
        "swap the backdrop for image two", "combine the two pictures",
        "用第二张图做背景", "把第二张照片当背景", "背景换成另一张图", "把人放到第二张图里",
        "两张图合成", "拿图二当背景", "把我放进另一张照片",
    ),
    "bg_blur": (
        "blur the background", "make the background out of focus", "bokeh behind the subject",
        "soft background like a portrait lens", "shallow depth of field",
        "soften what is behind her", "blurry surroundings, sharp subject",
        "背景虚化", "把背景弄模糊", "背景糊一点", "人像模式", "大光圈效果", "突出主体虚化背景",
        "身后虚一点", "后面的景物模糊掉",
    ),
    "brighter": (
        "make it brighter", "brighten it up", "more light", "it's too dark", "lighten the photo",
        "increase the exposure", "brightness up", "less dark", "not so dark", "lift the shadows",
        "it's too dim to see", "underexposed", "the photo is murky and dark",
        "调亮一点", "太暗了", "提高亮度", "亮一些", "增加曝光", "提亮", "别那么暗", "不要这么暗",
        "黑乎乎的", "太黑看不清", "曝光不够",
    ),
    "darker": (
        "make it darker", "darken it", "less light", "it's too bright", "lower the exposure",
        "brightness down", "not so bright", "tone down the brightness", "dim it", "overexposed",
        "blown-out highlights", "too washed out and bright",
        "调暗一点", "太亮了", "降低亮度", "暗一些", "压暗", "减少曝光", "别那么亮", "不要这么亮",
        "过曝了", "白花花的太亮", "曝光过头了",
    ),
    "more_contrast": (
        "more contrast", "increase the contrast", "punchier", "stronger contrast",
        "对比度高一点", "加强对比", "反差大一点",
    ),
    "less_contrast": (
        "less contrast", "lower the contrast", "flatter look", "softer contrast",
        "降低对比度", "对比弱一点", "反差小一点",
    ),
    "more_saturation": (
        "more vivid colours", "make the colours pop", "more saturated", "richer colours",
        "颜色鲜艳一点", "饱和度高一点", "色彩浓一些", "颜色更艳",
    ),
    "less_saturation": (
        "less saturated", "mute the colours", "tone down the colours", "calmer colours",
        "降低饱和度", "颜色淡一点", "色彩不要那么艳", "低饱和",
    ),
    "warmer": (
        "warmer tones", "make it warmer", "golden hour light", "warm it up",
        "暖色调", "暖一点", "偏暖", "色调温暖一些",
    ),
    "cooler": (
        "cooler tones", "make it cooler", "colder colours", "bluish tint",
        "冷色调", "冷一点", "偏冷", "色调清冷一些",
    ),
    "sharpen": (
        "sharpen it", "make it sharper", "more detail", "crisper edges", "it's blurry",
        "锐化", "更清晰", "细节清楚一点", "有点糊", "看不清楚",
    ),
    "blur": ("blur the whole picture", "soft focus", "make it blurry", "整张模糊", "柔焦"),
    "denoise": (
        "remove the noise", "reduce grain", "clean up the noise", "denoise",
        "降噪", "去噪点", "噪点太多", "去掉颗粒",
    ),
    "smooth_skin": (
        "smooth the skin", "retouch the skin", "beautify the face", "soften skin",
        "磨皮", "美颜", "皮肤光滑一点", "美白",
    ),
    "studio_light": (
        "studio lighting on the subject", "dramatic light on the person", "spotlight the subject",
        "专业影棚灯光", "给人物打上影棚灯光", "聚光灯效果",
    ),
    "enhance": (
        "enhance the photo", "improve it", "make it look better", "auto fix", "touch it up",
        "一键增强", "优化一下", "美化", "让照片更好看", "修一下图", "提升画质",
    ),
    "upscale": (
        "upscale it", "make it bigger", "enlarge the image", "higher resolution",
        "make it twice as large", "increase the size",
        "放大", "放大两倍", "提高分辨率", "变大一点", "高清放大", "尺寸变大",
    ),
    "remove_object": (
        "remove this", "erase this object", "remove the person here", "get rid of that thing",
        "去掉这个", "删掉这个人", "把这个东西擦掉", "去掉水印", "移除这个",
    ),
    "crop_centre": (
        "crop the centre", "zoom in", "crop in tighter", "cut the edges off",
        "裁掉四周", "放大中间部分", "中间裁剪",
    ),
    "flip": ("flip it", "mirror image", "flip horizontally", "镜像", "左右翻转", "水平翻转"),
    "rotate": ("rotate it", "turn it sideways", "rotate 90 degrees", "旋转", "转一下方向"),
    "sketch": (
        "pencil sketch", "make it a drawing", "line drawing", "素描", "铅笔画", "线稿",
    ),
    "cartoon": (
        "cartoon style", "make it look like a cartoon", "comic book look", "anime style",
        "卡通风格", "动漫风", "漫画效果", "变成卡通",
    ),
    "style_14": ("watercolour painting", "like a watercolor", "水彩画", "水彩风格"),
    "style_25": ("oil painting", "like an oil painting", "油画", "油画风格"),
    "style_19": ("Van Gogh style", "like Starry Night", "梵高风格", "星空那种画风"),
    "style_2": ("Chinese ink painting", "ink wash", "水墨画", "国画风格"),
    "grain": ("add film grain", "grainy texture", "加颗粒", "胶片颗粒质感"),
    "vignette": ("add a vignette", "darken the corners", "暗角", "四周暗一点"),
    "cinematic": (
        "cinematic look", "movie colour grading", "film still look", "电影感", "电影色调",
    ),
    "pixelate": ("pixelate it", "pixel art", "mosaic the faces", "打马赛克", "像素风"),
    "texture_canvas": ("canvas texture", "woven fabric look", "布纹质感", "画布纹理"),
    "texture_wood": (
        "wood grain texture", "wood grain following the contours", "木纹效果", "木头纹理",
    ),
    "texture_metal": ("brushed metal look", "metallic texture", "金属拉丝质感", "金属质感"),
    "texture_cracks": ("cracked paint", "peeling paint texture", "裂纹效果", "油漆剥落"),
    "texture_paper": ("old paper texture", "aged paper look", "旧纸质感", "纸张纹理"),
    "glitch": (
        "digital glitch effect", "chromatic aberration", "holographic glitch look", "故障风",
        "故障艺术效果",
    ),
    "invert": ("invert the colours", "negative image", "反色", "负片效果"),
}

# What the offline editor cannot do, worded like the requests above. A clause whose nearest
# phrasing is one of these keeps being refused (with its reason).
CANNOT: dict[str, tuple[str, ...]] = {
    "adding objects to the picture": (
        "add a dog next to her", "put a hat on him", "add some flowers", "add text that says hi",
        "write some words on it", "在图上写字",
        "put a rainbow in the sky", "加一只猫", "画一个太阳", "在旁边加几朵花", "加上文字",
    ),
    "replacing the background with a new scene": (
        "put her on a beach", "change the background to a city at night",
        "make the background a forest", "move him to Paris", "背景换成海边", "换成森林背景",
        "把背景改成城市夜景", "放到雪山上",
    ),
    "changing a person's appearance": (
        "make her smile", "make him look younger", "change her hairstyle", "give him a beard",
        "make her thinner", "open his eyes", "让她笑", "变年轻", "换个发型", "瘦脸", "加胡子",
    ),
    "dressing a person or changing clothing": (
        "dress him in a suit", "change her dress to red silk", "give her a leather jacket",
        "换一件衣服", "穿上西装", "换成红色裙子",
    ),
    "changing the weather or the time of day": (
        "make it snow", "make it rain", "turn day into night", "add a sunset sky",
        "make it winter", "下雪", "变成夜晚", "下雨天", "天空变成晚霞", "变成冬天",
    ),
    "generating new content": (
        "draw a dragon", "create a new picture of a castle", "imagine a fantasy world",
        "画一条龙", "生成一张城堡图", "想象一个奇幻世界",
    ),
    "turning something into something else": (
        "turn the cat into a dog", "make the car a boat", "change the apple into an orange",
        "把猫变成狗", "把车变成船", "把苹果换成橘子",
    ),
}
# fmt: on
