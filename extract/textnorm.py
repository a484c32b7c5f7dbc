"""Vietnamese text keys: NFC, folded tone-mark placement, case, diacritics.

Matching never happens on raw text: both the rules' phrases and the document are folded
the same way, so "hoà"/"hòa", "thuỷ"/"thủy" and "Khoẻ"/"khỏe" compare equal.
"""

from __future__ import annotations

import bisect
import unicodedata
from functools import cached_property, lru_cache
from itertools import accumulate

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
    """Composed Unicode: a vowel and its combining mark become one character.

    >>> nfc("hoa\u0300"), len(nfc("hoa\u0300"))
    ('hoà', 3)
    """
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """One syllable: lower case, tone mark moved to the end as a digit (hòa, hoà -> hoa2).

    >>> fold_word("Hoà"), fold_word("hòa"), fold_word("Quỹ"), fold_word("năm")
    ('hoa2', 'hoa2', 'quy4', 'năm')
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in TONE_MARKS:
            tone = TONE_MARKS[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


_WORDS_SPLIT = regex.compile(r"(\w+)")


def fold(text: str) -> str:
    """Match key of a text: every word folded, everything else kept (spaces collapsed).

    Folded chunk by chunk (the runs between white space: no word reaches across white
    space, and NFC composes nothing across it), each chunk's fold remembered for any text
    (fold_chunk); fold_plain is the definition, over the whole text at once.

    >>> fold("Ngân sách  Trung ương: 1.000 tỷ")
    'ngân sach1 trung ương: 1.000 ty3'
    >>> fold("Thủy lợi") == fold("THUỶ LỢI")  # old and new tone placement, any case
    True
    """
    return " ".join(filter(None, map(fold_chunk, unicodedata.normalize("NFC", text).split())))


@lru_cache(maxsize=65536)
def fold_chunk(chunk: str) -> str:
    """fold() of an NFC CHUNK without white space (remembered like fold_word: a chunk is a
    word with its punctuation, of which a language has a bounded number)."""
    return fold_plain(chunk)


def fold_plain(text: str) -> str:
    """fold() in one pass: the words of the NFC text folded, white space collapsed."""
    parts = _WORDS_SPLIT.split(unicodedata.normalize("NFC", text))  # other, word, other, …
    parts[1::2] = map(fold_word, parts[1::2])
    return " ".join("".join(parts).split())


def strip_diacritics(text: str) -> str:
    """ASCII-like key: all marks removed, đ -> d (for OCR-noise tolerant comparisons).

    >>> strip_diacritics("Đồng bào dân tộc")
    'dong bao dan toc'
    """
    decomposed = unicodedata.normalize("NFD", nfc(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of TEXT, punctuation left out.

    >>> words("Kế hoạch số 88/KH-UBND, năm 2024")
    ['kê1', 'hoach5', 'sô1', '88', 'kh', 'ubnd', 'năm', '2024']
    """
    return _WORD.findall(fold(text))


# The pieces fold() folds one by one: a word, or one character that is neither a word's
# nor white space as str.isspace has it (spelled out: the regex module's \s differs)
_STD_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


# FoldedText's pieces (whole words, single other characters) split apart: white space (maybe
# none) between two pieces, then a piece, and so on
_PIECES_SPLIT = regex.compile(rf"(\w+|[^\w{regex.escape(_STD_SPACES)}])")
_WORD_CHAR = regex.compile(r"\w")


@lru_cache(maxsize=65536)
def _fold_piece(piece: str) -> str:
    """A piece's fold: a word's fold_word, any other character itself."""
    return fold_word(piece) if _WORD_CHAR.match(piece) else piece


def _pieces(text: str) -> tuple[list[int], list[int], list[int], list[int], str]:
    """FoldedText's pieces of an NFC TEXT: their starts and ends in TEXT and in the fold,
    and the fold (the pieces' folds, one space where white space stood between two). Every
    list from one pass in C over the split text (tests/test_text_folding.py holds the
    piece-by-piece definition)."""
    parts = _PIECES_SPLIT.split(text)  # white space, piece, white space, …, piece, white space
    if len(parts) == 1:
        return [], [], [], [], ""
    bounds = list(accumulate(map(len, parts)))
    folded = parts[:-1]  # "", piece, gap, piece, …, gap, piece: the gaps become " " or ""
    folded[0] = ""
    folded[1::2] = map(_fold_piece, parts[1::2])
    folded[2::2] = [" " if gap else "" for gap in parts[2:-1:2]]
    g_bounds = list(accumulate(map(len, folded)))
    return bounds[0:-1:2], bounds[1::2], g_bounds[0::2], g_bounds[1::2], "".join(folded)


class FoldedText:
    """fold() of any slice of one text, from one pass over it.

    fold(text[a:b]) is the fold of the chunks between white space (NFC and the folding of
    words never reach across white space), joined by single spaces; inside a chunk, every
    word and every other character folds on its own. So the fold of the whole text, G,
    holds the fold of every slice except for the word cut at each end: a slice's fold is
    that cut word's fold, a span of G, and the other cut word's fold. Searching the slice
    for a phrase then needs only the two ends done afresh and the phrase's matches in G
    found once (`contains`). Texts that are not NFC fall back to folding each slice.
    """

    def __init__(self, text: str):
        self.text = text
        self.exact = unicodedata.is_normalized("NFC", text)
        self._hits: dict[regex.Pattern, list[int]] = {}

    # pieces: whole words and single other characters, in order (shared, never changed);
    # made when first asked for (a finder may hold a paragraph's FoldedText and not need it)
    @cached_property
    def _index(self) -> tuple[list[int], list[int], list[int], list[int], str]:
        return _pieces(self.text) if self.exact else ([], [], [], [], "")

    @property
    def starts(self) -> list[int]:
        return self._index[0]

    @property
    def ends(self) -> list[int]:
        return self._index[1]

    @property
    def g_starts(self) -> list[int]:
        return self._index[2]

    @property
    def g_ends(self) -> list[int]:
        return self._index[3]

    @property
    def folded(self) -> str:
        """fold(text) (for an NFC text; empty otherwise)."""
        return self._index[4]

    def _split(self, a: int, b: int) -> tuple[str, int, int, str]:
        """(left, x, y, right) with fold(text[a:b]) == left + folded[x:y] + right: LEFT and
        RIGHT are the folds of the words that A and B cut (empty when they cut none)."""
        starts, ends, g_starts, g_ends, _ = self._index
        first = bisect.bisect_right(ends, a)  # the first piece ending after a
        last = bisect.bisect_left(starts, b) - 1  # the last piece starting before b
        if first > last:
            return "", 0, 0, ""
        cut_left, cut_right = starts[first] < a, ends[last] > b
        if first == last and (cut_left or cut_right):  # one word, cut
            return (
                fold_word(self.text[a if cut_left else starts[first] : b if cut_right else ends[last]]),
                0,
                0,
                "",
            )
        left = fold_word(self.text[a : ends[first]]) if cut_left else ""
        right = fold_word(self.text[starts[last] : b]) if cut_right else ""
        x = g_ends[first] if cut_left else g_starts[first]
        y = g_starts[last] if cut_right else g_ends[last]
        return left, x, y, right

    def fold(self, a: int, b: int) -> str:
        """fold(text[a:b])."""
        if not self.exact:
            return fold(self.text[a:b])
        left, x, y, right = self._split(a, b)
        return left + self.folded[x:y] + right

    def suffix(self, a: int, b: int, size: int) -> tuple[str, bool]:
        """The last SIZE characters of fold(text[a:b]), and whether that is all of it."""
        if not self.exact:
            whole = fold(self.text[a:b])
            return whole[-size:], len(whole) <= size
        left, x, y, right = self._split(a, b)
        if len(left) + (y - x) + len(right) <= size:
            return left + self.folded[x:y] + right, True
        need = size - len(right)
        if need <= 0:
            return right[-size:], False
        if y - x >= need:
            return self.folded[y - need : y] + right, False
        return (left + self.folded[x:y])[-need:] + right, False

    def contains(self, pattern: regex.Pattern, reach: int, a: int, b: int) -> bool:
        """pattern.search(fold(text[a:b])) is not None, for a PATTERN whose matches are at
        most REACH characters long and that looks at most one character before and after
        them (a phrase list: rules.phrase_regex)."""
        if not self.exact:
            return pattern.search(fold(self.text[a:b])) is not None
        left, x, y, right = self._split(a, b)
        if y - x <= 2 * reach + 6:
            return pattern.search(left + self.folded[x:y] + right) is not None
        # a match starting in LEFT or at the first two characters of the span
        m = pattern.search(left + self.folded[x : x + reach + 3])
        if m is not None and m.start() <= len(left) + 1:
            return True
        # a match inside the span, its neighbours too: one of the whole text's matches
        hits = self._hits.get(pattern)
        if hits is None:
            hits = self._hits[pattern] = [m.start() for m in pattern.finditer(self.folded, overlapped=True)]
        last_inside = y - reach - 2
        k = bisect.bisect_left(hits, x + 2)
        if k < len(hits) and hits[k] <= last_inside:
            return True
        # a match starting after that, up to the end (the character before it as context)
        return pattern.search(self.folded[last_inside:y] + right, 1) is not None
