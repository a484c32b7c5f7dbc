"""A PDF page's characters and words from pdfium (pypdfium2), ten times faster than
building pdfplumber's page objects, in pdfplumber's geometry: x0 at the character's
origin (or where its ink starts, a few hundredths of a point left of it for a "T"), x1 at
its advance (learnt from the characters that follow it; a word's last character whose
advance was never seen ends where its ink does), bottom at the font's descent under the baseline and top one
font size above it (pdfminer's boxes), top-left origin. Words as pdfplumber's
extract_words makes them (x_tolerance and y_tolerance 3: characters clustered into lines
by top, each line sorted by x0, cut at blanks and gaps), so the page reads the same
whichever library read it.

Only a plain page is read this way: unrotated, its boxes at the origin, and no vector
graphics (ruling lines may make a table, which pdfplumber's find_tables reads). Others
return None, and the reader asks pdfplumber.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from unicodedata import combining

from ..boxes import Glyph
from ..layout import Word

if TYPE_CHECKING:
    import pypdfium2 as pdfium

X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
# pdfplumber's extract_words writes ligatures out
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


@dataclass
class Advances:
    """Advance widths seen in a document, per (character, font size): a character whose
    next one does not follow it directly (the last of a word) ends at its advance."""

    seen: dict[tuple[str, float], float] = field(default_factory=dict)


# A character is a Glyph (a named tuple: text, x0, top, x1, bottom, confidence), read by
# index here: a page has thousands.
_Char = Glyph
_new_glyph = tuple.__new__


def plain_page(page: pdfium.PdfPage) -> bool:
    """Unrotated, media box at the origin and equal to the crop box, no path objects."""
    import pypdfium2.raw as pdfium_c

    if page.get_rotation() != 0:
        return False
    media = tuple(round(v, 3) for v in page.get_mediabox())
    if media[:2] != (0, 0) or media != tuple(round(v, 3) for v in page.get_cropbox()):
        return False
    raw = page.raw
    path = pdfium_c.FPDF_PAGEOBJ_PATH
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        if pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(raw, i)) == path:
            return False
    return True


def page_chars(page: pdfium.PdfPage, advances: Advances) -> list[_Char] | None:
    """The page's characters (pdfium's generated spaces and line ends left out) in
    content order; None when their text cannot be told apart (a character outside the
    Basic Multilingual Plane shifts pdfium's text indexes).

    One call into pdfium per character where possible (each costs a microsecond or
    two): the loose box gives the left edge (the origin; a combining mark, drawn left of
    its origin, asks for the origin itself), the bottom and the right; the font size is
    asked again only when the box's height changes (another font or size); whether a
    character was generated is asked only of whitespace (pdfium generates nothing else)."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        n = pdfium_c.FPDFText_CountChars(raw)
        text = textpage.get_text_range(0, n) if n > 0 else ""
        if len(text) != n:
            return None
        height = page.get_height()
        rect = pdfium_c.FS_RECTF()
        x, y = ctypes.c_double(), ctypes.c_double()
        rect_ref, x_ref, y_ref = ctypes.byref(rect), ctypes.byref(x), ctypes.byref(y)
        loose, origin = _bare("FPDFText_GetLooseCharBox"), _bare("FPDFText_GetCharOrigin")
        size_of, generated = _bare("FPDFText_GetFontSize", ctypes.c_double), _bare("FPDFText_IsGenerated")
        # text, x0, loose right, bottom (from the page's top), size, index in pdfium's text
        found: list[tuple[str, float, float, float, float, int]] = []
        box_height, size = None, 0.0
        for i, ch in enumerate(text):
            if ch.isspace() and generated(raw, i):
                continue
            loose(raw, i, rect_ref)
            left, top = rect.left, rect.top
            if combining(ch):
                origin(raw, i, x_ref, y_ref)
                left = x.value
            if top - rect.bottom != box_height:
                box_height, size = top - rect.bottom, size_of(raw, i)
            found.append((ch, left, rect.right, height - rect.bottom, size, i))
    finally:
        textpage.close()
    _learn(found, advances)
    seen = advances.seen
    out = []
    for ch, x0, right, bottom, size, _ in found:
        advance = seen.get((ch, size))
        x1 = x0 + advance if advance is not None else max(x0, right)
        out.append(_new_glyph(Glyph, (ch, x0, bottom - size, x1, bottom, None)))
    return out


@lru_cache(maxsize=None)
def _bare(name: str, restype: Any = ctypes.c_int) -> Any:
    """pdfium's function NAME without pypdfium2's argument types: ctypes then passes the
    pointers and ints as they are, three times faster than checking each (a page has
    thousands of calls). pypdfium2's own binding when its library cannot be reached."""
    import pypdfium2.raw as pdfium_c

    try:
        from pypdfium2_raw.bindings import _libs

        function = _libs["pdfium"][name]  # indexing makes a new pointer, argtypes unset
        function.restype = restype
        return function
    except Exception:  # another pypdfium2 layout: the checked binding works too
        return getattr(pdfium_c, name)


def _learn(found: list[tuple[str, float, float, float, float, int]], advances: Advances) -> None:
    """Advances from neighbours in the content that follow each other directly: next in
    pdfium's text, on the same line at the same size, starting where the first one's box
    ends (a gap, justification or a generated space between them is no advance)."""
    seen = advances.seen
    for a, b in zip(found, found[1:], strict=False):  # pairs of neighbours
        if (
            b[5] == a[5] + 1
            and a[3] == b[3]
            and a[4] == b[4]
            and a[1] < b[1] <= a[2] + ADVANCE_SLACK
            and not a[0].isspace()
            and not b[0].isspace()
            and (a[0], a[4]) not in seen
        ):
            seen[(a[0], a[4])] = b[1] - a[1]


# How far past a character's loose box the next one may start and still follow it directly.
ADVANCE_SLACK = 0.1


def page_words(chars: list[_Char]) -> tuple[list[Word], dict[int, tuple[Glyph, ...]]]:
    """pdfplumber's extract_words over CHARS, and each word's characters as glyphs keyed
    by the word's id."""
    words: list[Word] = []
    glyphs: dict[int, tuple[Glyph, ...]] = {}
    ligatures = any(c[0] in LIGATURES for c in chars)
    for line in _lines(chars):
        first, prev = -1, None  # the current word's first character, and its last
        for k, c in enumerate(line):
            if c[0].isspace():
                if first >= 0:
                    _word(line[first:k], words, glyphs, ligatures)
                first, prev = -1, None
                continue
            if prev is None:
                first = k
            elif c[1] < prev[1] or c[1] > prev[3] + X_TOLERANCE or abs(c[2] - prev[2]) > Y_TOLERANCE:
                _word(line[first:k], words, glyphs, ligatures)
                first = k
            prev = c
        if first >= 0:
            _word(line[first:], words, glyphs, ligatures)
    return words, glyphs


def _lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters clustered by top as pdfplumber does (distinct values chained within the
    tolerance), each cluster in content order, then sorted by x0."""
    cluster: dict[float, int] = {}
    k, last = -1, 0.0
    for top in sorted({c[2] for c in chars}):
        if k < 0 or top > last + Y_TOLERANCE:
            k += 1
        cluster[top] = k
        last = top
    grouped: list[list[_Char]] = [[] for _ in range(k + 1)]
    for c in chars:
        grouped[cluster[c[2]]].append(c)
    return [sorted(g, key=_x0) for g in grouped]


def _x0(c: _Char) -> float:
    return c[1]


def _word(
    chars: list[_Char], words: list[Word], glyphs: dict[int, tuple[Glyph, ...]], ligatures: bool
) -> None:
    text = "".join([c[0] for c in chars])
    if ligatures:
        text = "".join(LIGATURES.get(c, c) for c in text)
    if len(chars) == 1:
        c = chars[0]
        word = Word(text, c[1], c[3], c[2], c[4])
    else:
        word = Word(
            text,
            chars[0][1],
            max([c[3] for c in chars]),
            min([c[2] for c in chars]),
            max([c[4] for c in chars]),
        )
    words.append(word)
    glyphs[id(word)] = tuple(chars)
