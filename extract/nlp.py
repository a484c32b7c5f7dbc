"""Sentence boundaries from spaCy: a blank Vietnamese pipeline (pyvi off, nothing is
downloaded) with a rule tokenizer that splits punctuation off words, plus the
sentencizer. Used for each fact's `context`."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from spacy.language import Language

# spaCy's suffix patterns are all anchored at the end and, but for a run of dots, at most
# this long: a token is searched for its suffix in its last characters only.
SUFFIX_WINDOW = 64
# the longest paragraph sentences are looked for in (spaCy's own limit is 1,000,000)
MAX_PARAGRAPH_CHARS = 100_000_000


@lru_cache(maxsize=1)
def _pipeline() -> Language:
    import spacy
    from spacy.lang.punctuation import TOKENIZER_INFIXES, TOKENIZER_PREFIXES, TOKENIZER_SUFFIXES
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    # the whitespace-only Vietnamese tokenizer keeps "đồng." as one token, so the
    # sentencizer would never see the full stop
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        prefix_search=compile_prefix_regex(TOKENIZER_PREFIXES).search,
        suffix_search=_end_search(compile_suffix_regex(TOKENIZER_SUFFIXES), SUFFIX_WINDOW),
        infix_finditer=compile_infix_regex(TOKENIZER_INFIXES).finditer,
    )
    # ";" joins the clauses of one Vietnamese sentence; it does not end it
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "…"]})
    # spaCy refuses texts over a million characters for the memory its parser would take;
    # a tokenizer and a sentencizer take memory in proportion to the text, and a plan
    # converted without line breaks is one paragraph of its whole length
    nlp.max_length = MAX_PARAGRAPH_CHARS
    return nlp


def _end_search(pattern: re.Pattern[str], window: int) -> Callable[[str], re.Match[str] | None]:
    """pattern.search for a PATTERN whose alternatives all end at the end of the string and
    are at most WINDOW characters long, or repeat a character (a run of dots). spaCy
    strips a token's affixes one at a time, searching the rest of the token for its
    suffix each time: on a token of n brackets, n searches of n characters. Searching the
    last WINDOW characters finds the same match (the characters before stay visible to
    look-behinds) unless a match reaches the window's start, which may go on before it:
    then the whole token is searched."""

    def search(string: str) -> re.Match[str] | None:
        start = max(0, len(string) - window)
        m = pattern.search(string, start)
        if m is not None and m.start() == start and start > 0:
            return pattern.search(string)
        return m

    return search


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of TEXT (not remembered: a paragraph is split once
    for the context column and, rarely, once more by the assignments; spaCy's tokenizer
    keeps its own cache of the chunks it has seen)."""
    if not text.strip():
        return []
    return [(s.start_char, s.end_char) for s in _pipeline()(text).sents]


def sentence_at(spans: list[tuple[int, int]], text: str, start: int, end: int) -> str:
    """The sentence(s) covering text[start:end] (SPANS in order, not overlapping)."""
    first = _span_holding(spans, start, lambda s, p: s[0] <= p < s[1]) or (0, len(text))
    last = _span_holding(spans, end, lambda s, p: s[0] < p <= s[1]) or first
    return text[first[0] : max(first[1], last[1])].strip()


def _span_holding(
    spans: list[tuple[int, int]], pos: int, holds: Callable[[tuple[int, int], int], bool]
) -> tuple[int, int] | None:
    """The first span that HOLDS pos: one of the two that start just before or at it."""
    i = bisect.bisect_right(spans, (pos, float("inf")))
    return next((s for s in spans[max(0, i - 2) : i + 1] if holds(s, pos)), None)


# Cheap sentence tests for extractors that only need to know whether a boundary lies in
# a span of text (no spaCy call): a full stop followed by a capital, or a line that ends
# its sentence.
_BREAK = regex.compile(r"[.!?]\s+(?=\p{Lu})")


def sentence_break(segment: str) -> bool:
    """True when a sentence ends somewhere inside SEGMENT."""
    return bool(_BREAK.search(segment))


def ends_sentence(text: str, *, colon: bool = False) -> bool:
    """True when TEXT ends its sentence (with colon=True, a lead-in colon counts too):
    a stop, then at most a closing bracket or quote, spaces around it: the pattern
    [.!?;…] \\s* [)”"']? \\s* $, read from the end (a search for it would try every stop
    of the text, and a paragraph is asked once per line joined to it)."""
    stops = _STOPS_OR_COLON if colon else _STOPS
    i = _skip_spaces_back(text, len(text))
    if i and text[i - 1] in _CLOSERS:
        j = _skip_spaces_back(text, i - 1)
        if j and text[j - 1] in stops:
            return True
    return bool(i) and text[i - 1] in stops


_STOPS = ".!?;…"
_STOPS_OR_COLON = ".!?;:…"
_CLOSERS = ")”\"'"
_SPACE = regex.compile(r"\s")


def _skip_spaces_back(text: str, end: int) -> int:
    while end and _SPACE.match(text, end - 1):
        end -= 1
    return end
