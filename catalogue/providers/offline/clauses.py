"""A clause of an instruction and the glossary phrases found in it (see :mod:`.instructions`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .resolve import Operation
from .term import Term


@dataclass
class Match:
    term: Term
    start: int
    end: int
    text: str
    groups: dict
    negated: bool = False
    ops: list[Operation] = field(default_factory=list)  # resolved operations


@dataclass
class Clause:
    text: str
    start: int
    matches: list[Match] = field(default_factory=list)
    status: str = "filler"  # ops | constraint | filler | generative | unknown
    reason: str = ""
