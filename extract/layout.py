"""Tables without rulings: columns found from where the words stand, in stages as in
pdfplumber's table.py: words -> text lines -> phrases (words with no wide gap between
them) -> table regions (runs of lines of several phrases) -> column boundaries (the
x-extents of phrases clustered across rows: a column is where the rows put their words,
a boundary where almost none do) -> cells -> rows of tab-joined cells, as ruled tables,
DOCX tables and converted text give them to tables.py.

The same stages serve text-PDF pages (pdfplumber words, x in points), OCR'd pages
(Tesseract words, x in pixels) and space-aligned text exports (each character one unit
of x), and the two-column header block of administrative documents (issuer and number
on the left, motto, place and date on the right), whose columns are then read apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

import regex

if TYPE_CHECKING:
    from .rules import Rules

# A phrase that is a figure ("144.200", "27,971", "3=4+7" is not): data rows hold them.
_FIGURE = regex.compile(r"^[(]?\d[\d.,]*[)]?$")
_DIGITS_ONLY = regex.compile(r"^[\d.,]+$")


class Word(NamedTuple):
    """A word and its box (a tuple of plain values: a PDF page has thousands, and the
    garbage collector stops tracking such tuples at its first look, so they are never
    carried into its older generations)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float | None = None  # OCR word confidence (0-100); None for text layers


@dataclass(frozen=True)
class Phrase:
    """Words of one line with no wide gap between them: a cell's text, or part of one."""

    words: tuple[Word, ...]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def is_figure(self) -> bool:
        return bool(_FIGURE.match(self.text))


@dataclass(frozen=True)
class LayoutSettings:
    """Distances in the unit of the words' x (points, pixels or characters)."""

    min_gap: float  # a gap between words at least this wide separates phrases
    min_rows: int = 2  # lines of several phrases a table region needs
    min_columns: int = 2
    min_aligned_share: float = 0.8  # of the phrases that must fall inside one column
    need_figures: bool = False  # a region must hold figures (text exports: prose has double spaces)
    # a line outside any table whose phrases stand at least this far apart is read as
    # cells (a header block in two columns: "Số: 88/KH-UBND" far left of the date)
    wide_gap: float | None = None


@dataclass(frozen=True)
class Region:
    """A table region: lines first..last (inclusive) of the input, and its columns."""

    first: int
    last: int
    columns: tuple[tuple[float, float], ...]  # (x0, x1) of each column, left to right


def text_lines(words: list[Word], tolerance: float) -> list[list[Word]]:
    """Words grouped into lines by their top (as pdfplumber's extract_text clusters them),
    each line left to right, lines top to bottom."""
    lines: list[list[Word]] = []
    first_top = 0.0  # the top of the current line's first word
    for word in sorted(words, key=_TOP_X0):
        top = word.top
        if lines and abs(first_top - top) <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
            first_top = top
    return [sorted(line, key=_X0) for line in lines]


# Word's fields by index (a sort key in C): (top, x0) and x0.
_TOP_X0 = itemgetter(3, 1)
_X0 = itemgetter(1)


def phrases(line: list[Word], min_gap: float) -> list[Phrase]:
    """The line cut at gaps of MIN_GAP or more, and between two figures (a cell holds one
    figure: two side by side are two columns closer than the gap). Specks a scan reads
    as words (":", "'", an unsure "l") are left out."""
    out: list[list[Word]] = []
    last_x1, last_figure = 0.0, False  # of the last word kept
    for word in line:
        text, confidence = word.text, word.confidence
        kind = _text_kind(text)
        if kind & _SPECK or (
            confidence is not None
            and confidence < SPECK_CONFIDENCE
            and len(text) == 1
            and not kind & _INKLESS
        ):
            continue
        figure = bool(kind & _FIGURE_TEXT)
        if out and word.x0 - last_x1 < min_gap and not (figure and last_figure):
            out[-1].append(word)
        else:
            out.append([word])
        last_x1, last_figure = word.x1, figure
    return [Phrase(tuple(ws)) for ws in out]


# What a word's text alone says (_text_kind): no letter or digit; a speck whatever its
# confidence (no letter or digit, no order mark); a figure.
_INKLESS, _SPECK, _FIGURE_TEXT = 1, 2, 4


@lru_cache(maxsize=1 << 16)
def _text_kind(text: str) -> int:
    """_INKLESS, _SPECK and _FIGURE_TEXT of a word's text, as bits (a page repeats its
    words: each text is matched once)."""
    inkless = not _INK.search(text)
    return (
        (_INKLESS if inkless else 0)
        | (_SPECK if inkless and text not in ORDER_MARKS else 0)
        | (_FIGURE_TEXT if _FIGURE.match(text) else 0)
    )


# Marks that stand for an order cell ("-", "+") though they hold no letter or digit.
ORDER_MARKS = frozenset("-–+*•")
# A one-character OCR word read with less confidence than this is a speck.
SPECK_CONFIDENCE = 50


def table_regions(
    lines: list[list[Word]], settings: LayoutSettings, split: list[list[Phrase]] | None = None
) -> list[Region]:
    """Runs of consecutive lines of several phrases whose phrases line up in columns. Up
    to WRAPPED_LINES lines of one phrase (a name or a figure wrapped onto the next lines)
    stay in a run when a line of several phrases follows them, or, after its last row,
    when they stand in one of its columns but the first. SPLIT: the lines' phrases, when
    the caller has them."""
    if split is None:
        split = [phrases(line, settings.min_gap) for line in lines]
    regions: list[Region] = []
    i = 0
    while i < len(split):
        if len(split[i]) < 2:
            i += 1
            continue
        last, j = i, i + 1
        while j < len(split):
            if len(split[j]) >= 2:
                last, j = j, j + 1
                continue
            wrapped = 0
            while j + wrapped < len(split) and len(split[j + wrapped]) == 1 and wrapped < WRAPPED_LINES:
                wrapped += 1
            if j + wrapped < len(split) and len(split[j + wrapped]) >= 2 and wrapped:
                j += wrapped
                continue
            break
        region = _region(i, last, split[i : last + 1], settings)
        if region is not None:
            tail = last + 1
            while (
                tail < len(split)
                and tail - last <= WRAPPED_LINES
                and len(split[tail]) == 1
                and _column_of(split[tail][0].x0, split[tail][0].x1, region.columns) > 0
                and split[tail][0].x0 >= region.columns[1][0] - settings.min_gap / 2
            ):
                tail += 1
            region = Region(region.first, tail - 1, region.columns)
            regions.append(region)
        i = max(last, region.last if region else last) + 1
    return regions


# How many lines of one phrase a table row may wrap onto.
WRAPPED_LINES = 3


def _region(first: int, last: int, rows: list[list[Phrase]], settings: LayoutSettings) -> Region | None:
    wide = [r for r in rows if len(r) >= 2]
    if len(wide) < settings.min_rows:
        return None
    if settings.need_figures and sum(p.is_figure for r in rows for p in r) < 2:
        return None
    columns = column_boundaries(rows, settings)
    if len(columns) < settings.min_columns:
        return None
    placed = [p for r in wide for p in r]
    aligned = sum(1 for p in placed if len(_overlapped(p.x0, p.x1, columns)) == 1)
    if aligned < settings.min_aligned_share * len(placed):
        return None  # prose with wide gaps here and there, not columns
    return Region(first, last, tuple(columns))


def column_boundaries(rows: list[list[Phrase]], settings: LayoutSettings) -> list[tuple[float, float]]:
    """Columns as the x-intervals the body rows (from the first row holding a figure of
    three characters or more) cover with their phrases. A header phrase over several of
    them spans them. A header phrase over none stands beside its column's figures (a
    header written at the left of a column whose figures are right-aligned): it joins the
    neighbouring column that has no header of its own, else it is a column of its own
    (one the body leaves empty); a column number there ("2" centred under the names)
    joins a column of names to its left, else it too is a column of its own."""
    start = next(
        (k for k, row in enumerate(rows) if any(_FIGURE.match(p.text) and len(p.text) >= 3 for p in row)),
        None,
    )
    body, header = (rows[start:], rows[:start]) if start is not None else (rows, [])
    gap = settings.min_gap / 2
    columns = _covered([(p.x0, p.x1) for row in body for p in row if _INK.search(p.text)], gap)
    heads = [(p.x0, p.x1) for row in header for p in row if _INK.search(p.text)]
    lone = [h for h in heads if not _overlapped(*h, columns)]
    if not lone:
        return columns
    merged = _covered(columns + lone, gap)
    in_body = [bool(_overlapped(c0, c1, columns)) for c0, c1 in merged]
    # headers in words: a column number ("5", "3=4+7") over an empty column keeps it
    words = [(p.x0, p.x1) for row in header for p in row if _LETTER.search(p.text)]
    worded = [any(h0 < c1 and h1 > c0 for h0, h1 in words) for c0, c1 in merged]
    texts = [[p for row in body for p in row if p.x0 < c1 and p.x1 > c0] for c0, c1 in merged]
    wordy = [sum(bool(_LETTER.search(p.text)) for p in ps) > len(ps) / 2 for ps in texts]
    out: list[tuple[float, float]] = []
    k = 0
    while k < len(merged):
        c0, c1 = merged[k]
        if (
            not in_body[k]
            and worded[k]
            and k + 1 < len(merged)
            and in_body[k + 1]
            and not _headed_by_own(k + 1, merged, words)
        ):
            out.append((c0, merged[k + 1][1]))  # the header over the figures to its right
            k += 2
            continue
        if (
            not in_body[k]
            and out
            and in_body[k - 1]
            and (worded[k] and not _headed_by_own(k - 1, merged, words) or not worded[k] and wordy[k - 1])
        ):
            out[-1] = (
                out[-1][0],
                c1,
            )  # the header over the figures to its left, a number centred under names
        else:
            out.append((c0, c1))
        k += 1
    return out


def _headed_by_own(k: int, columns: list[tuple[float, float]], heads: list[tuple[float, float]]) -> bool:
    """Does a header phrase stand over column K (and no other)?"""
    c0, c1 = columns[k]
    return any(h0 < c1 and h1 > c0 and len(_overlapped(h0, h1, columns)) == 1 for h0, h1 in heads)


_INK = regex.compile(r"\w")
_LETTER = regex.compile(r"\p{L}")


def _covered(intervals: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """The union of intervals, with gaps narrower than MIN_GAP closed."""
    out: list[list[float]] = []
    for x0, x1 in sorted(intervals):
        if out and x0 - out[-1][1] < min_gap:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def _overlapped(x0: float, x1: float, columns: Sequence[tuple[float, float]]) -> list[int]:
    return [k for k, (c0, c1) in enumerate(columns) if x0 < c1 and x1 > c0]


def _column_of(x0: float, x1: float, columns: Sequence[tuple[float, float]]) -> int:
    """The leftmost column a span overlaps (a spanning header cell is written in the first
    column of its span); a span in a gap goes to the nearest column."""
    hit = _overlapped(x0, x1, columns)
    if hit:
        return hit[0]
    centre = (x0 + x1) / 2
    return min(
        range(len(columns)), key=lambda k: min(abs(centre - columns[k][0]), abs(centre - columns[k][1]))
    )


def cells(line: list[Word], region: Region, min_gap: float) -> list[list[Word]]:
    """The words of a line in the region's columns. A phrase crossing a boundary stays
    whole (a spanning header) unless it holds figures: those are split word by word
    (two columns closer than the phrase gap)."""
    out: list[list[Word]] = [[] for _ in region.columns]
    for phrase in phrases(line, min_gap):
        crossing = len(_overlapped(phrase.x0, phrase.x1, region.columns)) > 1
        if crossing and any(_FIGURE.match(w.text) for w in phrase.words):
            for w in phrase.words:
                out[_column_of(w.x0, w.x1, region.columns)].append(w)
        else:
            out[_column_of(phrase.x0, phrase.x1, region.columns)].extend(phrase.words)
    return out


def continues_figures(above: list[list[Word]], row: list[list[Word]]) -> bool:
    """A line holding the ends of figures a narrow column wrapped ("948,7" over "2"), and
    perhaps the rest of a wrapped name: no order cell, each of its figure cells a short
    run of digits under a figure of the line above, every other cell text that goes on
    in lower case."""
    if row[0] or not any(row):
        return False
    tails = 0
    for k, ws in enumerate(row):
        if not ws:
            continue
        text = " ".join(w.text for w in ws)
        if _DIGITS_ONLY.match(text):
            if not (
                above[k]
                and len(text) <= FIGURE_TAIL_MAX
                and _FIGURE.match(above[k][-1].text)
                and _FIGURE.match(above[k][-1].text + text)
            ):
                return False
            tails += 1
        elif not regex.match(r"\p{Ll}", text):
            return False
    return tails > 0


# The longest figure end a narrow column may wrap onto the next line.
FIGURE_TAIL_MAX = 3


def table_text(lines: list[list[Word]], settings: LayoutSettings) -> list[str]:
    """The text of each line: words joined by spaces, or, inside a table region, its
    cells joined by tabs. A line continuing the figures of the line above is joined to it
    (and dropped)."""
    return [text for text in table_text_lines(lines, settings) if text is not None]


def table_text_lines(lines: list[list[Word]], settings: LayoutSettings) -> list[str | None]:
    """As table_text, one entry per line: None for a line joined to the one above."""
    split = [phrases(line, settings.min_gap) for line in lines]
    out: list[str | None] = [
        _line_text(line, parts, settings) for line, parts in zip(lines, split, strict=True)
    ]
    for region in table_regions(lines, settings, split):
        previous: list[list[Word]] | None = None
        previous_index = 0
        for k in range(region.first, region.last + 1):
            row = cells(lines[k], region, settings.min_gap)
            if previous is not None and continues_figures(previous, row):
                for c, ws in enumerate(row):
                    if ws and _DIGITS_ONLY.match(ws[0].text):
                        previous[c] = previous[c][:-1] + [_joined(previous[c][-1], ws[0])]
                    else:
                        previous[c] = previous[c] + ws
                out[previous_index] = "\t".join(" ".join(w.text for w in ws) for ws in previous)
                out[k] = None
                continue
            out[k] = "\t".join(" ".join(w.text for w in ws) for ws in row)
            previous, previous_index = row, k
    return out


def _line_text(line: list[Word], parts: list[Phrase], settings: LayoutSettings) -> str:
    if (
        settings.wide_gap is not None
        and len(parts) >= 2
        and all(b.x0 - a.x1 >= settings.wide_gap for a, b in zip(parts, parts[1:]))
        and all(len(_INK.findall(p.text)) >= WIDE_PART_MIN for p in parts)
    ):
        return "\t".join(p.text for p in parts)
    return " ".join(w.text for w in line)


# A part of a line standing far from the rest is a column of its own only when it holds
# this many letters or digits (a speck a scan puts at the end of a line is not).
WIDE_PART_MIN = 3


def _joined(head: Word, tail: Word) -> Word:
    confidences = [c for c in (head.confidence, tail.confidence) if c is not None]
    return Word(
        head.text + tail.text,
        head.x0,
        max(head.x1, tail.x1),
        head.top,
        max(head.bottom, tail.bottom),
        min(confidences) if confidences else None,
    )


# ---- space-aligned text exports ----------------------------------------------------------
_TOKEN = regex.compile(r"\S+")


def aligned_text_lines(lines: list[str], settings: LayoutSettings) -> list[str]:
    """Space-aligned tables in plain text with their column gaps turned into tabs. Only
    spaces change (a gap of n spaces becomes its tabs and n minus that many spaces), so
    every line keeps its length and every character its column."""
    words = [
        [Word(m.group(), m.start(), m.end(), i, i + 1) for m in _TOKEN.finditer(line)]
        if "\t" not in line
        else []
        for i, line in enumerate(lines)
    ]
    out = list(lines)
    for region in table_regions(words, settings):
        rows = [cells(words[k], region, settings.min_gap) for k in range(region.first, region.last + 1)]
        tabbed = [_tabbed(lines[region.first + n], row) for n, row in enumerate(rows)]
        whole = [t for t in tabbed if t is not None]
        if len(whole) == len(tabbed):
            out[region.first : region.last + 1] = whole
    return out


def _tabbed(line: str, row: list[list[Word]]) -> str | None:
    """LINE with a tab before each column after the first, placed in the spaces before the
    column's first word (an empty column's tab shares the gap); None when a gap has too
    few spaces for its tabs."""
    chars = list(line)
    cursor = 0  # first position a tab may take
    pending = 0  # tabs waiting for the next gap
    for k, ws in enumerate(row):
        if k > 0:
            pending += 1
        if not ws:
            continue
        gap = range(cursor, int(ws[0].x0))
        if len(gap) < pending:
            return None
        for pos in list(gap)[:pending]:
            if chars[pos] != " ":
                return None
            chars[pos] = "\t"
        pending = 0
        cursor = int(ws[-1].x1)
    return "".join(chars)


def page_settings(rules: Rules, word_height: float) -> LayoutSettings:
    """Settings for a page whose words are WORD_HEIGHT high (points or pixels)."""
    u = rules.section("tables").get("unruled", {})
    return LayoutSettings(
        min_gap=float(u.get("min_gap_heights", 0.9)) * word_height,
        wide_gap=float(u.get("column_gap_heights", 4)) * word_height,
        min_aligned_share=float(u.get("min_aligned_share", 0.8)),
    )


def text_settings(rules: Rules) -> LayoutSettings:
    """Settings for space-aligned text exports: prose has double spaces too, so a table
    there must hold figures."""
    u = rules.section("tables").get("unruled", {})
    return LayoutSettings(
        min_gap=float(u.get("text_min_gap_chars", 2)),
        min_aligned_share=float(u.get("min_aligned_share", 0.8)),
        need_figures=True,
    )


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0
