"""The prompt each text encoder of a local model reads, written for that encoder.

A CLIP encoder reads 77 tokens and nothing after them; the professional prompt often opens
with a description of the photo, so the user's edit could land past that window and the model
would edit from the description alone. Here every encoder (``Family.readers``) gets:

* the edit first: the user's own words when the encoder reads their language; otherwise
  (Chinese for CLIP or T5, whose vocabularies are English) the edit part of the English
  professional prompt, with the quoted Chinese taken out and its English key words kept
  (led by the glossary's English for the Chinese words where the prompt does not open
  with them);
* then as much of the professional prompt as still fits the encoder's budget, counted with
  the pipeline's own tokenizer (or, without one, a bound that never undercounts).

Only a single edit longer than the whole budget is cut, at its end. A language model (Qwen-
Image) reads everything, in any language, so it gets the user's words and then the prompt.
Pure Python: no torch here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .families import Family, TextReader

Counter = Callable[[str], int]

# CJK ideographs, CJK punctuation, full-width forms: what CLIP's and T5's vocabularies lack.
_CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+"
)
# The template writer's quote of Chinese it did not understand, and the words around it.
_QUOTED = re.compile(r',?\s*original instruction \(Chinese\):\s*"[^"]*"')
_KEY_WORDS = re.compile(r"\(key words: ([^)]*)\)")
_CHINESE_LEAD = re.compile(
    r"(?:also )?carry out (?:the rest of )?the request, given in Chinese"
    r"|the scene described in Chinese"
    r"|respect what the user asked to keep"
)
_EMPTY = re.compile(r'""|\(\s*\)|“\s*”')
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?])")
_REPEATED = re.compile(r"([,;:])(?:\s*[,;:])+")


@dataclass(frozen=True)
class ModelPrompt:
    """The text each encoder reads, by the pipeline keyword that carries it."""

    texts: Mapping[str, str]
    readers: tuple[TextReader, ...]

    def record(self) -> dict[str, str]:
        """For the task's record: ``{"prompt (CLIP, 77 tokens)": text, ...}``."""
        return {reader.description: self.texts[reader.keyword] for reader in self.readers}


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def _tidy(text: str) -> str:
    text = _EMPTY.sub(" ", text)
    text = _REPEATED.sub(r"\1", _SPACE_BEFORE.sub(r"\1", " ".join(text.split())))
    return text.strip(" ,;:").strip()


def readable_english(text: str) -> str:
    """``text`` without what an English-only encoder cannot read: the template writer's quoted
    Chinese goes (its English key words stay), and any other CJK text with it."""
    text = _QUOTED.sub("", text or "")
    text = _KEY_WORDS.sub(r"\1", text)
    text = _CHINESE_LEAD.sub(" ", text)
    return _tidy(_CJK.sub(" ", text))


def _body(prompt: str) -> str:
    """The professional prompt less the template writer's own sentences (opener, keep,
    quality): what is left came from the user's words. Other writers' prompts pass through."""
    from ..offline.template_writer import strip_boilerplate

    return strip_boilerplate(prompt)


def edit_part(prompt: str, instruction: str, reader: TextReader) -> str:
    """The edit, in words ``reader`` understands."""
    words = " ".join((instruction or "").split())
    if words and (reader.reads_chinese or not has_chinese(words)):
        return words
    english = readable_english(_body(prompt)) or readable_english(prompt)
    # The glossary's English for the Chinese words leads, unless the English already opens
    # with them: a prompt that describes the photo first would push the edit out of CLIP.
    keys = [word for word in _gloss(words) if word not in english[:120]]
    return _tidy(", ".join(keys) + (", " if keys and english else "") + english)


def _gloss(text: str) -> list[str]:
    from ..offline.template_writer import gloss

    return gloss(text)


def upper_bound(text: str) -> int:
    """Tokens ``text`` can take at most in any of these tokenizers (byte-level BPE: a token
    holds at least one byte; SentencePiece adds at most a word marker per word), specials
    included. Used only when the pipeline has no tokenizer to ask."""
    return len(text.encode("utf-8")) + len(text.split()) + 2


def _join(first: str, rest: list[str]) -> str:
    if not rest:
        return first
    if not first:
        return " ".join(rest)
    glue = " " if first.endswith((".", "!", "?", ";", ":", ",")) else ". "
    return first + glue + " ".join(rest)


def fit(first: str, rest: str, count: Counter, budget: int | None) -> str:
    """``first`` then as many words of ``rest`` as keep ``count`` within ``budget`` (special
    tokens included). ``first`` is cut (at its end) only when it alone is over budget."""
    rest_words = rest.split()
    if budget is None:
        return _join(first, rest_words)
    if count(first) > budget:
        words = first.split()
        lo, hi = 0, len(words)
        while lo < hi:  # the most leading words that fit
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if count(" ".join(words[:mid])) <= budget else (lo, mid - 1)
        return " ".join(words[:lo])
    lo, hi = 0, len(rest_words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if count(_join(first, rest_words[:mid])) <= budget else (lo, mid - 1)
    return _join(first, rest_words[:lo])


def _context(prompt: str, edit: str, reader: TextReader) -> str:
    context = " ".join((prompt or "").split())
    if not reader.reads_chinese:
        context = readable_english(context)
    return "" if context in ("", edit) else context


def model_prompt(
    *,
    prompt: str,
    instruction: str,
    family: Family,
    counters: Mapping[str, Counter | None] | None = None,
) -> ModelPrompt:
    """What each of ``family``'s encoders reads. ``counters``: by pipeline keyword, a function
    counting the tokens (specials included) of that encoder's tokenizer."""
    counters = counters or {}
    texts = {}
    for reader in family.readers:
        edit = edit_part(prompt, instruction, reader)
        count = counters.get(reader.keyword) or upper_bound
        texts[reader.keyword] = fit(edit, _context(prompt, edit, reader), count, reader.tokens)
    return ModelPrompt(texts=texts, readers=family.readers)


def tokenizer_counter(tokenizer) -> Counter | None:
    """Counts with a Hugging Face tokenizer (specials included), or None without one."""
    if tokenizer is None or not callable(tokenizer):
        return None

    def count(text: str) -> int:
        return len(tokenizer(text, truncation=False, verbose=False)["input_ids"])

    return count
