"""Vietnamese text keys: NFC, folded tone-mark placement, case, diacritics.

Matching never happens on raw text: both the rules' phrases and the document are folded
the same way, so "hoà"/"hòa", "thuỷ"/"thủy" and "Khoẻ"/"khỏe" compare equal.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

TONE_MARKS = {
    "\u0300": "2",  # huyền
    "\u0301": "1",  # sắc
    "\u0309": "3",  # hỏi
    "\u0303": "4",  # ngã
    "\u0323": "5",  # nặng
}
_WORD = regex.compile(r"\w+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """One syllable: lower case, tone mark moved to the end as a digit (hòa, hoà -> hoa2)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in TONE_MARKS:
            tone = TONE_MARKS[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def fold(text: str) -> str:
    """Match key of a text: every word folded, everything else kept (spaces collapsed)."""
    text = nfc(text)
    out = _WORD.sub(lambda m: fold_word(m.group(0)), text)
    return " ".join(out.split())


def strip_diacritics(text: str) -> str:
    """ASCII-like key: all marks removed, đ -> d (for OCR-noise tolerant comparisons)."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))
