"""The parameters of a matched phrase: amounts, percentages, factors, ratios, colours, angles.

``resolve`` turns one glossary match (see :mod:`.instructions`) into the operations it stands
for, with parameters read from the match and its clause; None when the match does not hold
(an unknown colour, an impossible ratio, a rotation by 0 degrees).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .vocabulary import (
    AMOUNT_WORDS,
    FACTOR_RE,
    FACTOR_WORDS,
    PALETTE_RE,
    PERCENT_RE,
    RATIO_WORDS,
    ZH_NUMBERS,
    colour_rgb,
)

_AMOUNTS = [(re.compile(p, re.I), v) for p, v in AMOUNT_WORDS]


@dataclass(frozen=True)
class Operation:
    name: str
    params: dict = field(default_factory=dict)


def _amount(clause: str) -> tuple[float, float | None]:
    """(multiplier from amount words, explicit fraction from a percentage or None)."""
    pct = re.search(PERCENT_RE, clause, re.I)
    if pct:
        raw = pct.group(1) or pct.group(2)
        percent = int(raw) if raw.isdigit() else ZH_NUMBERS.get(raw, 10) * 10
        return 1.0, max(0.01, min(percent / 100, 1.0))
    for pattern, value in _AMOUNTS:
        if pattern.search(clause):
            return value, None
    return 1.0, None


def _factor(clause: str) -> float | None:
    m = re.search(FACTOR_RE, clause, re.I)
    if not m:
        return None
    digits = m.group(1) or m.group(2) or m.group(3)
    if digits:
        return float(digits)
    if m.group(4):  # "提高一倍" (up by one times) is twice the size
        return float(ZH_NUMBERS[m.group(4)]) if m.group(4) != "一" else 2.0
    words = m.group(5).lower().split()  # "quadruple", "four times", "by four"
    return float(FACTOR_WORDS.get(words[0]) or FACTOR_WORDS[words[-1]])


def _ratio(word: str) -> str | None:
    word = word.strip().lower()
    if word in RATIO_WORDS:
        return RATIO_WORDS[word]
    nums = re.findall(r"\d+", word)
    if len(nums) == 2 and all(0 < int(n) <= 100 for n in nums):
        w, h = int(nums[0]), int(nums[1])
        if 0.25 <= w / h <= 4:
            return f"{w}:{h}"
    return None


def resolve(match, clause: str) -> list[Operation] | None:
    """The operations one match stands for, parameters resolved; None if it does not hold."""
    term, g = match.term, match.groups
    ops = [Operation(name, dict(params)) for name, params in term.ops]
    first = ops[0].params
    if "colour" in g:
        resolved = colour_rgb(g["colour"])
        if not resolved:
            return None
        name, rgb = resolved
        first.update(colour=name, rgb=rgb, hex="#{:02x}{:02x}{:02x}".format(*rgb))
    if term.key in ("crop", "pad"):
        word = g.get("ratio")
        if word:
            ratio = _ratio(word)
            if not ratio:
                return None
            first["ratio"] = ratio
    if term.key == "rotate":
        deg = g.get("deg")
        direction = (g.get("dir") or "").lower()
        if deg:
            first["degrees"] = int(deg) % 360
            if re.search(r"向左|往左|逆时针|counter|anti|\bleft\b", clause, re.I):
                first["degrees"] = -int(deg) % 360  # "rotate it 90 degrees to the left"
        elif re.search(r"左|逆|counter|anti|left", direction + match.text):
            first["degrees"] = 270
        elif re.search(r"倒过来|颠倒|upside", match.text):
            first["degrees"] = 180
        if first["degrees"] % 360 == 0:
            return None
    if term.key == "flip" and re.search(r"上下|垂直|vertical|upside", match.text, re.I):
        first["axis"] = "vertical"
    if ops[0].name == "style" and re.search(PALETTE_RE, clause, re.I):
        first["palette"] = True
    if term.key == "pixelate" and re.search(r"脸|面部|face", clause, re.I):
        first["faces"] = True
    if term.key == "upscale":
        factor = _factor(clause)
        first["factor"] = max(1.25, min(factor, 4.0)) if factor else 2
        target = re.search(r"([248])\s*k\b|(1080)p", clause, re.I)
        if target:
            first["target"] = {"2": 2048, "4": 3840, "8": 7680}.get(target.group(1) or "", 1920)
    if term.scale:
        multiplier, explicit = _amount(clause)
        base = first[term.scale]
        if explicit is not None and term.scale == "amount" and term.kind == "adjustment":
            first[term.scale] = round(explicit if base >= 0 else -explicit, 3)
        else:
            first[term.scale] = round(base * multiplier, 3)
        if term.scale == "strength":
            first["strength"] = max(0.2, min(first["strength"], 1.0))
    return ops
