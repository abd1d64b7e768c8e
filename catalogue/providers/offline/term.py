"""A glossary entry, and the regex pieces the entries share."""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import EN_COLOUR_RE, ZH_COLOUR_RE

ZC = rf"(?P<colour>(?:纯|浅|深|淡|亮)?(?:{ZH_COLOUR_RE}))色?"  # a Chinese colour word
EC = rf"(?P<colour>{EN_COLOUR_RE})"  # an English colour word or a hex code
BG = r"(?:background|backdrop|bg)"
NP = r"[^，。,.;；!！?？|]"  # any character inside one clause
# The second photo, as Chinese users name it: "第二张图", "另一张照片", "图2", "图二", "参考图".
IMG2 = (
    r"(?:(?:第二张|第2张|另一张|参考|这张|上传的)(?:图|图片|照片)?"
    r"|(?:图|图片|照片)\s*(?:2|二|②)(?![0-9]))"
)
MOD = r"(?:(?:a|an|the|solid|plain|pure|clean|flat|simple|uniform|seamless|studio|bright)\s+)*"


@dataclass(frozen=True)
class Term:
    key: str
    kind: str  # adjustment | filter | style | background | geometry | retouch
    patterns: tuple[str, ...]
    ops: tuple[tuple[str, dict], ...]
    en: str  # English phrase for prompts; may use {placeholders} from the first op's params
    scale: str | None = None  # parameter of the first op that amount words scale
    negatable: bool = True  # "don't ..." in front cancels it


def term(key, kind, patterns, ops, en, scale=None, negatable=True) -> Term:
    return Term(key, kind, tuple(patterns), tuple(ops), en, scale, negatable)
