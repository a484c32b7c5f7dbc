"""Sentence boundaries from spaCy: a blank Vietnamese pipeline (pyvi off, nothing is
downloaded) with a rule tokenizer that splits punctuation off words, plus the
sentencizer. Used for each fact's `context`."""
from __future__ import annotations

from functools import lru_cache

import regex


@lru_cache(maxsize=1)
def _pipeline():
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
        suffix_search=compile_suffix_regex(TOKENIZER_SUFFIXES).search,
        infix_finditer=compile_infix_regex(TOKENIZER_INFIXES).finditer,
    )
    # ";" joins the clauses of one Vietnamese sentence; it does not end it
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "…"]})
    return nlp


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of TEXT."""
    if not text.strip():
        return []
    doc = _pipeline()(text)
    return [(s.start_char, s.end_char) for s in doc.sents]


def sentence_at(spans: list[tuple[int, int]], text: str, start: int, end: int) -> str:
    """The sentence(s) covering text[start:end]."""
    first = next((s for s in spans if s[0] <= start < s[1]), (0, len(text)))
    last = next((s for s in spans if s[0] < end <= s[1]), first)
    return text[first[0]:max(first[1], last[1])].strip()


# Cheap sentence tests for extractors that only need to know whether a boundary lies in
# a span of text (no spaCy call): a full stop followed by a capital, or a line that ends
# its sentence.
_BREAK = regex.compile(r"[.!?]\s+(?=\p{Lu})")
_END = regex.compile(r"[.!?;…]\s*[)”\"']?\s*$")
_END_OR_COLON = regex.compile(r"[.!?;:…]\s*[)”\"']?\s*$")


def sentence_break(segment: str) -> bool:
    """True when a sentence ends somewhere inside SEGMENT."""
    return bool(_BREAK.search(segment))


def ends_sentence(text: str, *, colon: bool = False) -> bool:
    """True when TEXT ends its sentence (with colon=True, a lead-in colon counts too)."""
    return bool((_END_OR_COLON if colon else _END).search(text))
