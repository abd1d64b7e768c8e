"""Clauses the glossary could not settle, read by meaning (:mod:`.meaning`).

Called by :func:`.instructions.parse` after every clause is classified: a whole instruction
cut apart by its separators is read whole first (:func:`read_whole`), then each ``unknown``
clause, each clause the cues took for new content and each clause with only a generic verb
(:func:`read_by_meaning`), and last an unknown clause that only elaborates its neighbour
(:func:`absorb`).
"""

from __future__ import annotations

import re

from . import meaning
from .clauses import Clause, Match
from .glossary import TERMS
from .resolve import resolve

_BY_KEY = {term.key: term for term in TERMS}

# Glossary entries matched by generic words ("去掉", "remove"): a clause with only these is
# also read by meaning, and a strong reading wins ("把颜色都去掉" removes the colour).
WEAK_TERMS = ("remove_object",)

# A generic removal verb with nothing but a pointer to the marked thing ("remove this",
# "把这个去掉"): its object says nothing more, and the encoder (about 126 MB, loaded once per
# process) read each of the 4,180 phrasings this matches as a removal, so it is not loaded for
# them. Left out because the encoder reads them otherwise: "take out this one" and "把那删掉吧"
# (the background), "clean up" (noise), "retouch out" (skin), "去路人" (the background).
_BARE_REMOVAL = re.compile(
    r"(?:please |can you |could you )?(?:remove|erase|delete|get rid of|eliminate)"
    r"(?: (?:this|that|it|these|those|them|this thing|that thing|this one|that one"
    r"|this object|this part))?(?: please|[.!])?"
    r"|(?:请|帮我)?把?(?:这个|那个|它|这)?(?:去除|消除|去掉|删除|移除|擦除|擦掉|抹掉|删掉|抹去)"
    r"(?:这个|那个|它|吧|[。！])?"
)


def bare_removal(text: str) -> bool:
    """Whether a clause is only a generic removal verb and a pointer ("remove this")."""
    text = " ".join(text.split())
    return bool(_BARE_REMOVAL.fullmatch(text[:1].lower() + text[1:]))


def read_by_meaning(clause: Clause) -> None:
    """What a clause the glossary could not settle means, by its nearest phrasing.

    ``unknown``: the operation (or the refusal) its nearest phrasing stands for. A clause the
    cues took for new content, or one with only a generic verb, changes only on a reading of
    something the editor can do that is strong ("take away the background please") or far
    clearer than anything it cannot do ("give it a dreamy soft background": a soft backdrop,
    not a new scene)."""
    reading = meaning.read(clause.text)
    if reading is None:
        return
    overrides = (
        reading.can_do
        and reading.key not in WEAK_TERMS
        and (reading.score >= meaning.STRONG or reading.lead_over_cannot >= meaning.WIDE_LEAD)
    )
    if clause.status != "unknown" and not overrides:
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
    """Nothing understood: the separators may have cut one request apart ("rends la photo
    plus lumineuse" is cut at "plus", "make it bigger, like three times" leaves only "like
    three times" with a word of its own), so the whole text is read first. Clauses the
    reading covers become part of it; a "keep ..." wish stays one."""
    if any(c.status in ("ops", "generative") for c in clauses):
        return
    unknown = [c for c in clauses if c.status == "unknown"]
    filler = [c for c in clauses if c.status == "filler"]
    if not unknown and not filler:
        return
    if len(clauses) == 1 and unknown:
        return  # read on its own by read_by_meaning
    reading = meaning.read(" ".join(c.text.strip() for c in clauses))
    if reading is None:
        return
    first = (unknown or filler)[0]
    if reading.can_do:
        _assign(first, reading)
    else:
        first.status, first.reason = "generative", reading.key
    for clause in [*unknown, *filler]:
        if clause is not first:
            clause.status, clause.reason = "filler", f"part of '{first.text.strip()}'"


def absorb(clauses: list[Clause]) -> None:
    """An ``unknown`` clause that only elaborates its neighbour ("make the background soft |
    and out of focus", "背景模糊一些 | 突出人物", "it is too light | bring it down"): read
    together, they are nearest to what the neighbour already asks for, clearly, so it adds
    nothing to do and nothing to refuse. Two unknown neighbours that together mean one
    operation run it."""
    for i, clause in enumerate(clauses):
        if clause.status != "unknown":
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(clauses) or clauses[j].status not in ("ops", "unknown"):
                continue
            first, second = sorted((clause, clauses[j]), key=lambda c: c.start)
            joint = first.text.strip() + " " + second.text.strip()
            other = clauses[j]
            keys = {m.term.key for m in other.matches if not m.negated}
            if other.status == "ops":
                reading = meaning.nearest(joint)
                alone = meaning.nearest(clause.text)
                if (
                    reading is not None
                    and reading.key in keys
                    and reading.score >= meaning.LOOSE
                    and reading.lead >= meaning.MARGIN
                    and reading.lead_over_opposite >= meaning.MARGIN
                    and (alone is None or alone.can_do or alone.score < meaning.LOOSE)
                ):
                    clause.status, clause.reason = "filler", f"part of '{other.text.strip()}'"
                    break
                continue
            reading = meaning.read(joint)
            if reading is not None and reading.can_do and reading.score >= meaning.STRONG:
                _assign(first, reading)
                second.status, second.reason = "filler", f"part of '{first.text.strip()}'"
                break
