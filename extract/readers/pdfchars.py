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
graphics (ruling lines may make a table, which pdfplumber's find_tables reads, over
pdfminer's characters: readers/pdfgrid.py). Others return None, and the reader asks
pdfplumber. The per-character work is done on columns (numpy): pdfium is asked each
character's loose box from C, and only whitespace is asked whether it was generated.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
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
_LIGATURE_SET = frozenset(LIGATURES)


@dataclass
class Advances:
    """Advance widths seen in a document, per (character, font size): a character whose
    next one does not follow it directly (the last of a word) ends at its advance."""

    seen: dict[tuple[str, float], float] = field(default_factory=dict)


# A character is a Glyph (a named tuple: text, x0, top, x1, bottom, confidence), read by
# index here: a page has thousands.
_Char = Glyph
_new_tuple = tuple.__new__


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


@dataclass
class Chars:
    """A page's characters (page_chars) with their columns, which page_words would
    otherwise build again from them: the same values, as arrays."""

    glyphs: list[_Char]
    text: str  # their texts, one character each
    x0: Any
    top: Any
    x1: Any
    bottom: Any


def page_chars(page: pdfium.PdfPage, advances: Advances) -> list[_Char] | None:
    """The page's characters (pdfium's generated spaces and line ends left out) in
    content order; None when their text cannot be told apart (a character outside the
    Basic Multilingual Plane shifts pdfium's text indexes)."""
    chars = read_chars(page, advances)
    return None if chars is None else chars.glyphs


def read_chars(page: pdfium.PdfPage, advances: Advances) -> Chars | None:
    """page_chars' characters, with their columns (page_chars says which characters).

    One call into pdfium per character, made from C (map over the indexes, each box
    written into its place in one array): the loose box gives the left edge (the origin; a combining
    mark, drawn left of its origin, asks for the origin itself), the bottom and the
    right; the font size is asked only where the box's height changes (another font or
    size); whether a character was generated is asked only of whitespace (pdfium
    generates nothing else). The rest is done on the columns (numpy), per distinct
    (character, size) where it can be."""
    import numpy as np
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        n = pdfium_c.FPDFText_CountChars(raw)
        text = textpage.get_text_range(0, n) if n > 0 else ""
        if len(text) != n:
            return None
        generated = _bare("FPDFText_IsGenerated")
        blanks = [m.start() for m in _BLANK.finditer(text)]
        dropped = [i for i in blanks if generated(raw, i)]
        if dropped:
            mask = np.ones(n, dtype=bool)
            mask[dropped] = False
            keep = np.flatnonzero(mask)
        else:
            keep = np.arange(n)
        found = _found(raw, text, keep, page.get_height())
    finally:
        textpage.close()
    if found is None:
        return Chars([], "", *(np.zeros(0) for _ in range(4)))
    if dropped:
        gone = set(dropped)
        blanks = [i for i in blanks if i not in gone]
    found.blank[np.searchsorted(keep, blanks)] = True
    _learn(found, advances)
    seen = advances.seen
    learnt = [seen.get((chr(int(code)), size)) for code, size in zip(found.key_codes, found.key_sizes)]
    known = np.array([a is not None for a in learnt], dtype=bool)[found.key_of]
    advance = np.array([0.0 if a is None else a for a in learnt], dtype=np.float64)[found.key_of]
    x0, right = found.x0, found.right
    x1 = np.where(known, x0 + advance, np.where(right > x0, right, x0))  # max(x0, right)
    tops = found.bottom - found.size
    rows = zip(found.chars, x0.tolist(), tops.tolist(), x1.tolist(), found.bottom.tolist(), repeat(None))
    glyphs = list(map(_new_tuple, repeat(Glyph), rows))
    return Chars(glyphs, found.chars, x0, tops, x1, found.bottom)


_BLANK = re.compile(r"\s")  # str.isspace's characters


@dataclass
class _Found:
    """The characters pdfium kept, as columns, and their distinct (character, size)."""

    chars: str  # one character each
    codes: Any  # code points
    x0: Any
    right: Any  # the loose box's right
    bottom: Any  # from the page's top
    size: Any
    index: Any  # in pdfium's text
    blank: Any  # whitespace
    key_codes: list[int]  # the distinct (code point, size), in order of code point and size
    key_sizes: list[float]
    key_of: Any  # each character's among them
    key_first: Any  # the first character of each


def _found(raw: Any, text: str, keep: Any, height: float) -> _Found | None:
    """The columns of the characters at KEEP (indexes into pdfium's TEXT); None if none."""
    import numpy as np

    count = len(keep)
    if count == 0:
        return None
    boxes = (ctypes.c_float * (4 * count))()  # FS_RECTF: left, top, right, bottom
    places = map(ctypes.byref, repeat(boxes, count), range(0, 16 * count, 16))
    indexes = keep.tolist()
    done = list(map(_bare("FPDFText_GetLooseCharBox"), repeat(raw, count), indexes, places))
    values = np.frombuffer(memoryview(boxes), dtype=np.float32).reshape(count, 4).astype(np.float64)
    if not all(done):  # a box pdfium did not give: the one before it, as a reused rectangle kept
        for j in (j for j, ok in enumerate(done) if not ok):
            values[j] = values[j - 1] if j else 0.0
    lefts, tops, rights, bottoms = values.T
    box_heights = tops - bottoms
    changed = np.ones(count, dtype=bool)
    changed[1:] = box_heights[1:] != box_heights[:-1]
    size_of = _bare("FPDFText_GetFontSize", ctypes.c_double)
    at = [size_of(raw, indexes[j]) for j in np.flatnonzero(changed).tolist()]
    sizes = np.array(at, dtype=np.float64)[np.cumsum(changed) - 1]
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)[keep]
    chars = _kept_text(text, keep)
    x0 = lefts.copy()
    marks = np.searchsorted(keep, [m.start() for m in _marks().finditer(text)]).tolist()
    if marks:
        origin = _bare("FPDFText_GetCharOrigin")
        x, y = ctypes.c_double(), ctypes.c_double()
        x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
        for j in marks:
            origin(raw, indexes[j], x_ref, y_ref)
            x0[j] = x.value
    keys, first, key_of = np.unique(codes + 1j * sizes, return_index=True, return_inverse=True)
    return _Found(
        chars=chars,
        codes=codes,
        x0=x0,
        right=rights,
        bottom=height - bottoms,
        size=sizes,
        index=keep,
        blank=np.zeros(count, dtype=bool),
        key_codes=keys.real.astype(np.int64).tolist(),
        key_sizes=keys.imag.tolist(),
        key_of=key_of.reshape(-1),
        key_first=first,
    )


def _kept_text(text: str, keep: Any) -> str:
    """TEXT without the characters whose index is not in KEEP (sorted)."""
    if len(keep) == len(text):
        return text
    import numpy as np

    gaps = np.flatnonzero(np.diff(keep) != 1)  # a kept run ends at each
    starts = [int(keep[0])] + keep[gaps + 1].tolist()
    ends = keep[gaps].tolist() + [int(keep[-1])]
    return "".join([text[a : b + 1] for a, b in zip(starts, ends, strict=True)])


@lru_cache(maxsize=None)
def _marks() -> re.Pattern[str]:
    """The characters of the Basic Multilingual Plane with a combining class (drawn left
    of their origin)."""
    found = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and combining(chr(c)))
    return re.compile(f"[{re.escape(found)}]")


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


def _learn(found: _Found, advances: Advances) -> None:
    """Advances from neighbours in the content that follow each other directly: next in
    pdfium's text, on the same line at the same size, starting where the first one's box
    ends (a gap, justification or a generated space between them is no advance). The
    first such pair of each (character, size) gives it, unless the document gave it
    before."""
    import numpy as np

    i, x0, blank = found.index, found.x0, found.blank
    pairs = (
        (i[1:] == i[:-1] + 1)
        & (found.bottom[:-1] == found.bottom[1:])
        & (found.size[:-1] == found.size[1:])
        & (x0[:-1] < x0[1:])
        & (x0[1:] <= found.right[:-1] + ADVANCE_SLACK)
        & ~blank[:-1]
        & ~blank[1:]
    )
    at = np.flatnonzero(pairs)
    if len(at) == 0:
        return
    _, first = np.unique(found.key_of[at], return_index=True)  # each key's first pair
    seen = advances.seen
    for k in at[first].tolist():
        key = (found.chars[k], float(found.size[k]))
        if key not in seen:
            seen[key] = float(x0[k + 1] - x0[k])


# How far past a character's loose box the next one may start and still follow it directly.
ADVANCE_SLACK = 0.1


def page_words(chars: list[_Char]) -> tuple[list[Word], dict[int, tuple[Glyph, ...]]]:
    """pdfplumber's extract_words over CHARS, and each word's characters as glyphs keyed
    by the word's id: characters clustered into lines by top (distinct values chained
    within the tolerance), each line in content order then sorted by x0, cut at blanks
    and where a character does not follow the one before it (starts left of it, more
    than the tolerance past its end, or more than the tolerance above or below it).
    Done on columns (numpy); only the words are made one by one."""
    import numpy as np

    if not chars:
        return [], {}
    columns = list(zip(*chars, strict=True))
    texts: tuple[str, ...] = columns[0]
    x0, top, x1, bottom = (np.array(v, dtype=np.float64) for v in columns[1:5])
    text = "".join(texts)
    if len(text) == len(texts):  # one character each, as page_chars makes them
        blank = np.zeros(len(chars), dtype=bool)
        blank[[m.start() for m in _BLANK.finditer(text)]] = True
    else:
        blank = np.array([t.isspace() for t in texts], dtype=bool)
    return _words(chars, x0, top, x1, bottom, blank)


def char_words(chars: Chars) -> tuple[list[Word], dict[int, tuple[Glyph, ...]]]:
    """page_words(chars.glyphs), from the columns read_chars made."""
    import numpy as np

    if not chars.glyphs:
        return [], {}
    blank = np.zeros(len(chars.glyphs), dtype=bool)
    blank[[m.start() for m in _BLANK.finditer(chars.text)]] = True
    return _words(chars.glyphs, chars.x0, chars.top, chars.x1, chars.bottom, blank)


def _words(
    chars: list[_Char], x0: Any, top: Any, x1: Any, bottom: Any, blank: Any
) -> tuple[list[Word], dict[int, tuple[Glyph, ...]]]:
    """page_words over the characters and their columns (float64) and blanks (bool)."""
    import numpy as np

    distinct = np.unique(top)
    line_of = np.zeros(len(distinct), dtype=np.int64)
    line_of[1:] = np.cumsum(distinct[1:] > distinct[:-1] + Y_TOLERANCE)
    line = line_of[np.searchsorted(distinct, top)]
    order = np.lexsort((np.arange(len(chars)), x0, line))  # by line, then x0, then content
    x0, top, x1, bottom = (v[order] for v in (x0, top, x1, bottom))
    line, blank = line[order], blank[order]
    starts = np.ones(len(chars), dtype=bool)  # a word starts here (if not blank)
    starts[1:] = (
        (line[1:] != line[:-1])
        | blank[:-1]
        | (x0[1:] < x0[:-1])
        | (x0[1:] > x1[:-1] + X_TOLERANCE)
        | (np.abs(top[1:] - top[:-1]) > Y_TOLERANCE)
    )
    inked = np.logical_not(blank)
    kept = order[inked]
    firsts = np.flatnonzero(starts[inked])  # each word's first character among the kept
    if len(firsts) == 0:
        return [], {}
    word_x1 = np.maximum.reduceat(x1[inked], firsts).tolist()
    word_top = np.minimum.reduceat(top[inked], firsts).tolist()
    word_bottom = np.maximum.reduceat(bottom[inked], firsts).tolist()
    word_x0 = x0[inked][firsts].tolist()
    ordered = tuple(map(chars.__getitem__, kept.tolist()))  # slices of a tuple are tuples
    letters = list(map(_TEXT, ordered))
    bounds = firsts.tolist()
    spans = list(map(slice, bounds, bounds[1:] + [len(ordered)]))
    joined = "".join(letters)
    if len(joined) == len(letters):  # one character each: the words are slices of the line
        words_text = list(map(joined.__getitem__, spans))
    else:
        words_text = ["".join(letters[span]) for span in spans]
    if not _LIGATURE_SET.isdisjoint(letters):
        words_text = [_ligatures(t) for t in words_text]
    rows = zip(words_text, word_x0, word_x1, word_top, word_bottom, repeat(None))
    words = list(map(_new_tuple, repeat(Word), rows))  # Word's own __new__ is Python
    glyphs = dict(zip(map(id, words), map(ordered.__getitem__, spans), strict=True))
    return words, glyphs


_TEXT = itemgetter(0)  # a Glyph's text


def _ligatures(text: str) -> str:
    return "".join(LIGATURES.get(c, c) for c in text)
