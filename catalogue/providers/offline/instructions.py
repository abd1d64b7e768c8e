"""Turn an instruction (Chinese or English) into photo operations.

How an instruction is read:

1. Every glossary phrase is found in the whole text; overlapping matches keep the longest.
2. The text is split into clauses at punctuation and connectives ("，", "然后", "and", "but"),
   never inside a matched phrase ("black and white" stays whole).
3. Each clause is then one of:

   * ``ops``: at least one phrase matched (a "don't" in front cancels a phrase);
   * ``constraint``: "keep the face unchanged", "保持人物不变": nothing to do, the editor
     only changes what it is asked to;
   * ``filler``: politeness and generic words only ("please edit this photo");
   * ``generative``: asks for new content (clothes, added objects, a changed person, a new
     background scene). Cues are checked in every clause, so "亮一点，给他加上帽子" or
     "brighter and add a hat" are caught even though "brighter" is understood;
   * ``unknown``: anything else.

4. A clause left ``unknown`` is read by meaning (:mod:`.meaning`): the nearest of many example
   phrasings per operation, in both languages, decides when it is close and clear enough; it
   runs that glossary entry (``ops``) or, nearest to something the editor cannot do, becomes
   ``generative`` with that reason.

A cue that follows a prohibition in its clause ("no added text", "without adding anything",
"don't add a frame") is a wish about what not to do, not a request for new content.

The text is NFKC-normalised character by character, so every clause can be quoted back in the
user's own characters (:meth:`ParsedInstruction.original`). What is then done with the result
(the rule for partial understanding, task types and aspect ratios) is decided in
:mod:`.planning`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .by_meaning import WEAK_TERMS, absorb, bare_removal, read_by_meaning, read_whole
from .clauses import Clause, Match
from .glossary import TERMS
from .resolve import Operation, resolve
from .vocabulary import AMOUNT_WORDS
from .wording import (
    CLAUSE_SEPARATORS,
    CONSTRAINT_RE,
    EN_FILLER,
    GENERATIVE_CUES,
    NEGATION_RE,
    PROHIBITION_RE,
    ZH_FILLER,
)

_COMPILED = [(term, [re.compile(p, re.I) for p in term.patterns]) for term in TERMS]
_SEPARATORS = re.compile(CLAUSE_SEPARATORS, re.I)
_CUES = [(re.compile(p, re.I), kind, needs) for p, kind, needs in GENERATIVE_CUES]
_AMOUNTS = [(re.compile(p, re.I), v) for p, v in AMOUNT_WORDS]
_ZH_FILLER = re.compile("|".join(sorted(map(re.escape, ZH_FILLER), key=len, reverse=True)))
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PROHIBITION = re.compile(PROHIBITION_RE, re.I)


@dataclass
class ParsedInstruction:
    text: str  # normalised
    clauses: list[Clause]
    operations: list[Operation]
    source: str = ""  # the text as the user wrote it
    positions: list[int] = field(default_factory=list)  # normalised index -> source index

    def original(self, clause: Clause) -> str:
        """The clause as the user wrote it (a substring of ``source``), stripped."""
        text = clause.text.strip()
        if not self.positions or not text:
            return text
        start = clause.start + (len(clause.text) - len(clause.text.lstrip()))
        end = start + len(text) - 1
        return self.source[self.positions[start] : self.positions[end] + 1].strip()

    @property
    def problems(self) -> list[Clause]:
        return [c for c in self.clauses if c.status in ("generative", "unknown")]

    @property
    def generative(self) -> list[Clause]:
        return [c for c in self.clauses if c.status == "generative"]


def _substantive(text: str) -> bool:
    """Whether text has words beyond fillers: two Han characters or one non-filler word."""
    text = text.replace("|", " ")
    for pattern, _ in _AMOUNTS:
        text = pattern.sub(" ", text)
    text = _ZH_FILLER.sub(" ", text)
    if len(_HAN.findall(text)) >= 2:
        return True
    return any(w not in EN_FILLER for w in re.findall(r"[a-z]{3,}", text.lower()))


def _find_matches(text: str) -> list[Match]:
    found: list[Match] = []
    for term, patterns in _COMPILED:
        for pattern in patterns:
            for hit in pattern.finditer(text):
                if hit.end() > hit.start():
                    groups = {re.sub(r"\d+$", "", k): v for k, v in hit.groupdict().items() if v}
                    found.append(Match(term, hit.start(), hit.end(), hit.group(0), groups))
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    chosen: list[Match] = []
    for m in found:
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def _split(text: str, matches: list[Match]) -> list[Clause]:
    cuts = [
        s
        for s in _SEPARATORS.finditer(text)
        if all(s.end() <= m.start or s.start() >= m.end for m in matches)
    ]
    clauses, pos = [], 0
    for s in [*cuts, None]:
        end = s.start() if s else len(text)
        if text[pos:end].strip():
            clause = Clause(text[pos:end], pos)
            clause.matches = [m for m in matches if pos <= m.start and m.end <= end]
            clauses.append(clause)
        pos = s.end() if s else end
    return clauses


def _classify(clause: Clause) -> None:
    text, prev = clause.text, 0
    residual = text
    for m in clause.matches:
        a, b = m.start - clause.start, m.end - clause.start
        if m.term.negatable and re.search(NEGATION_RE, text[prev:a], re.I):
            m.negated = True
        residual = residual[:a] + "|" * (b - a) + residual[b:]
        prev = b
    active = [m for m in clause.matches if not m.negated]
    if not active and (re.search(CONSTRAINT_RE, text, re.I) or clause.matches):
        clause.status = "constraint"
        return
    prohibited = False
    for pattern, kind, needs_object in _CUES:
        for cue in pattern.finditer(residual):
            if _PROHIBITION.search(residual[: cue.start()]):
                prohibited = True  # "no added text", "without adding anything": a wish
                continue
            if needs_object:
                seg_start = residual.rfind("|", 0, cue.start()) + 1
                seg_end = residual.find("|", cue.end())
                seg_end = len(residual) if seg_end < 0 else seg_end
                rest = residual[cue.end() : seg_end]
                if needs_object == "both":
                    rest = residual[seg_start : cue.start()] + " " + rest
                if not _substantive(rest):
                    continue
            clause.status, clause.reason = "generative", kind
            return
    if active:
        clause.status = "ops"
    elif prohibited or re.search(CONSTRAINT_RE, text, re.I):
        clause.status = "constraint"
    elif _substantive(residual):
        clause.status, clause.reason = "unknown", "an instruction the editor does not understand"


def _normalise(source: str) -> tuple[str, list[int]]:
    """NFKC, one character at a time: (text, index in ``source`` of each character)."""
    parts, positions = [], []
    for index, char in enumerate(source):
        normal = unicodedata.normalize("NFKC", char)
        parts.append(normal)
        positions.extend([index] * len(normal))
    return "".join(parts), positions


def parse(text: str) -> ParsedInstruction:
    """Parse without judging: the clauses with their status, and the operations found."""
    source = (text or "").strip()
    text, positions = _normalise(source)
    matches = _find_matches(text)
    clauses = _split(text, matches)
    operations: list[Operation] = []
    seen: set[str] = set()  # a phrase said twice ("日系清新", "warmer, golden-hour") counts once
    for clause in clauses:
        _classify(clause)
    read_whole(clauses)
    for clause in clauses:
        active = [m.term.key for m in clause.matches if not m.negated]
        # a generic verb ("remove", "去掉") matched: its object may say more ("get rid of the
        # grain" is noise reduction, not an erased object plus added grain)
        weak = clause.status == "ops" and any(key in WEAK_TERMS for key in active)
        weak = weak and not bare_removal(clause.text)  # "remove this" says nothing more
        if clause.status in ("unknown", "generative") or weak:
            read_by_meaning(clause)
    absorb(clauses)
    for clause in clauses:
        for m in clause.matches:
            if m.negated:
                continue
            ops = m.ops or resolve(m, clause.text)
            if ops is None:
                m.negated = True
                continue
            m.ops = ops
            if m.term.key not in seen:
                seen.add(m.term.key)
                operations.extend(ops)
        if clause.status == "ops" and all(m.negated for m in clause.matches):
            clause.status = "unknown" if _substantive(clause.text) else "filler"
    return ParsedInstruction(text, clauses, operations, source, positions)
