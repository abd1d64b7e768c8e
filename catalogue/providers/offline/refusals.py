"""The planner's refusals, worded from the user's own words.

A refusal quotes only what the user wrote (each clause as they typed it, see
:meth:`~.instructions.ParsedInstruction.original`), says why in the editor's words, and names
the providers that can do it (``alternatives``, passed in by :mod:`.planning`). Double quotes
are kept for the user's words; examples of what to say are in single quotes. Nothing from
stage 1's professional prompt is ever quoted: when only the prompt revealed what was asked,
the refusal quotes the instruction and reports what the prompt asked for in its own words.
"""

from __future__ import annotations

from ..base import ProviderError
from .instructions import Clause, ParsedInstruction

CAN_DO = (
    "It can remove or replace the background (a colour, a blur or a second image), apply "
    "filters (black and white, vintage, sketch, cartoon), painting styles (also the style of a "
    "second image), textures (grain, canvas, wood, brushed metal, cracked paint, paper), "
    "adjustments (brightness, contrast, colour, studio light), crop, rotate, upscale, and "
    "recolour or erase what you paint with the mask or click on."
)


def _quotes(parsed: ParsedInstruction, clauses: list[Clause]) -> list[str]:
    found = [parsed.original(c) for c in clauses]
    return list(dict.fromkeys(q for q in found if q))


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def unsupported(
    parsed: ParsedInstruction, clauses: list[Clause], alternatives: str
) -> ProviderError:
    """The editor cannot do these clauses (generative or not understood)."""
    generative = [c for c in clauses if c.status == "generative"]
    unknown = [c for c in clauses if c.status != "generative"]
    parts = []
    if generative:
        pairs = [f'"{parsed.original(c)}" ({c.reason})' for c in generative if parsed.original(c)]
        parts.append("cannot do " + _either(list(dict.fromkeys(pairs))))
    quoted = _quotes(parsed, unknown)
    if quoted:
        parts.append("did not understand " + _either([f'"{q}"' for q in quoted]))
    if not parts:
        return empty(alternatives)
    advice = (
        "For this request use an AI image provider"
        if generative
        else "Rephrase it as one of those edits (English or Chinese), or use an AI image provider"
    )
    return _error(f"The offline editor {', and '.join(parts)}. {CAN_DO} {advice}: {alternatives}.")


def unsupported_via_prompt(
    parsed: ParsedInstruction, reason: str, alternatives: str
) -> ProviderError:
    """Only the stage-1 prompt said what was asked, and it needs new content."""
    what = f'"{parsed.source}"' if parsed.source else "this request"
    return _error(
        f"The offline editor cannot do {what}: it asks for {reason}. {CAN_DO} "
        f"For this request use an AI image provider: {alternatives}."
    )


def not_understood(parsed: ParsedInstruction, alternatives: str) -> ProviderError:
    """Words were given, but none of them asks for anything the editor knows."""
    return _error(
        f'The offline editor did not understand "{parsed.source}". {CAN_DO} Rephrase it as '
        f"one of those edits (English or Chinese), or use an AI image provider: {alternatives}."
    )


def empty(alternatives: str) -> ProviderError:
    return _error(
        "The instruction is empty: say what to change (for example ‘black and white’, "
        f"‘remove the background’ or ‘crop to a square’). {CAN_DO} To create or add new "
        f"content, use an AI image provider: {alternatives}."
    )


def needs_ratio(
    parsed: ParsedInstruction, clause: Clause | None, pad: bool, alternatives: str
) -> ProviderError:
    said = parsed.original(clause) if clause else ""
    said = f' ("{said}")' if said else ""
    if pad:
        return _error(
            f"Extending the picture{said} needs a target aspect ratio: say for example "
            "‘pad to 9:16’, or send an aspect ratio with the request. To fill it with new "
            f"content instead, use an AI image provider: {alternatives}."
        )
    return _error(
        f"The offline editor cannot tell which shape to crop to{said}: say for example "
        "‘crop to a square’, ‘crop to 16:9’ or ‘crop the centre’, or send an aspect ratio. "
        f"To reframe from a description, use an AI image provider: {alternatives}."
    )


def needs_region(parsed: ParsedInstruction, clause: Clause | None, alternatives: str):
    said = parsed.original(clause) if clause else ""
    said = f' ("{said}")' if said else ""
    return ProviderError(
        f"To recolour part of the photo offline{said}, click on it or paint over it with the "
        "mask. To recolour things described only in words, use an AI image provider: "
        f"{alternatives}.",
        permanent=True,
        code="mask_required",
        provider="offline",
    )


def _error(message: str) -> ProviderError:
    return ProviderError(
        message, permanent=True, code="unsupported_instruction", provider="offline"
    )
