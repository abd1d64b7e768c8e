"""Clauses the glossary could not settle, read by meaning (:mod:`.meaning`).

Called by :func:`.instructions.parse` after every clause is classified: a whole instruction
cut apart by its separators is read whole first (:func:`read_whole`), then each ``unknown``
clause, each clause the cues took for new content and each clause with only a generic verb
(:func:`read_by_meaning`), and last an unknown clause that only elaborates its neighbour
(:func:`absorb`).
"""

from __future__ import annotations

from . import meaning
from .clauses import Clause, Match
from .glossary import TERMS
from .resolve import resolve

_BY_KEY = {term.key: term for term in TERMS}

# Glossary entries matched by generic words ("去掉", "remove"): a clause with only these is
# also read by meaning, and a strong reading wins ("把颜色都去掉" removes the colour).
WEAK_TERMS = ("remove_object",)


def read_by_meaning(clause: Clause) -> None:
    """What a clause the glossary could not settle means, by its nearest phrasing.

    ``unknown``: the operation (or the refusal) its nearest phrasing stands for. A clause the
    cues took for new content, or one with only a generic verb, changes only on a strong
    reading of something the editor can do ("take away the background please")."""
    reading = meaning.read(clause.text)
    if reading is None:
        return
    # generative, or only a generic verb matched: only a strong reading of an edit counts
    strong = reading.can_do and reading.score >= meaning.STRONG and reading.key not in WEAK_TERMS
    if clause.status != "unknown" and not strong:
        return
    if not reading.can_do:
        clause.status, clause.reason = "generative", reading.key
        return
    _assign(clause, reading)


def _assign(clause: Clause, reading) -> None:
    text = clause.text.strip()
    start = clause.start + clause.text.index(text)
    match = Match(_BY_KEY[reading.key], start, start + len(text), text, {})
    ops = resolve(match, clause.text)
    if ops:
        match.ops = ops
        clause.matches = [match]
        clause.status, clause.reason = "ops", f"read as '{reading.example}'"


def read_whole(clauses: list[Clause]) -> None:
    """Nothing understood and several clauses: the separators may have cut one request apart
    ("rends la photo plus lumineuse" is cut at "plus"), so the whole text is read first."""
    unknown = [c for c in clauses if c.status == "unknown"]
    if len(unknown) < 2 or any(c.status not in ("unknown", "filler") for c in clauses):
        return
    reading = meaning.read(" ".join(c.text.strip() for c in clauses))
    if reading is None:
        return
    first = unknown[0]
    if reading.can_do:
        _assign(first, reading)
    else:
        first.status, first.reason = "generative", reading.key
    for clause in unknown[1:]:
        clause.status, clause.reason = "filler", f"part of '{first.text.strip()}'"


def absorb(clauses: list[Clause]) -> None:
    """An ``unknown`` clause that only elaborates its neighbour ("make the background soft |
    and out of focus", "背景模糊一些 | 突出人物"): read together, they mean what the
    neighbour already asks for, so it adds nothing to do and nothing to refuse. Two unknown
    neighbours that together mean one operation run it."""
    for i, clause in enumerate(clauses):
        if clause.status != "unknown":
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(clauses) or clauses[j].status not in ("ops", "unknown"):
                continue
            first, second = sorted((clause, clauses[j]), key=lambda c: c.start)
            reading = meaning.read(first.text.strip() + " " + second.text.strip())
            if reading is None or not reading.can_do:
                continue
            other = clauses[j]
            keys = {m.term.key for m in other.matches if not m.negated}
            if other.status == "ops" and reading.key in keys:
                clause.status, clause.reason = "filler", f"part of '{other.text.strip()}'"
                break
            if other.status == "unknown" and reading.score >= meaning.STRONG:
                _assign(first, reading)
                second.status, second.reason = "filler", f"part of '{first.text.strip()}'"
                break
