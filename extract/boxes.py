"""Where a fact stands on its page: the box around the characters it was read from.

A reader that has a page image (PDF text layers, OCR'd PDF pages, scanned images) keeps,
for each line it writes, the glyphs the line was written from: pieces of text (a word of
Tesseract, a character or a word of a PDF's text layer) with their box in PDF points,
origin at the page's top left (pdfplumber's `x0, top, x1, bottom`; an image's pixels are
turned into points at its resolution, 72 points an inch; an OCR'd page's boxes are those of
the page as levelled before OCR, turned by at most 2°). Nothing is mapped while reading:
only the lines that hold a fact are aligned, when the rows are built (add_boxes).

The line's text and the glyphs' text are aligned character by character (difflib: equal
runs one to one, a replaced run proportionally, so OCR repairs and a figure a narrow
column wrapped keep their boxes); a glyph's box is shared out evenly among its
characters. A fact's box is the union of its characters' boxes; a fact running over
several lines gets the union over its lines on the page of its first line. A section's
box is its heading line's. Formats without a page image (text, DOCX) have none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import compress
from operator import itemgetter
from typing import NamedTuple, Protocol

BOX_COLUMNS = ("bbox_page", "bbox_x0", "bbox_y0", "bbox_x1", "bbox_y1")
BOXED_TABLES = ("amounts", "targets", "sections")
PRECISION = 2  # decimals of a point kept in the output


class Glyph(NamedTuple):
    """A piece of a line's text and its box on the page, in points from the top left (a
    tuple: a PDF page has thousands)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float | None = None  # OCR word confidence (0-100); None for text layers

    def scaled(self, factor: float) -> "Glyph":
        return Glyph(
            self.text,
            self.x0 * factor,
            self.top * factor,
            self.x1 * factor,
            self.bottom * factor,
            self.confidence,
        )


@dataclass(frozen=True)
class Box:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float | None = None  # the least word confidence inside (OCR), else None

    def row_values(self) -> dict[str, float | int]:
        return {
            "bbox_page": self.page,
            "bbox_x0": round(self.x0, PRECISION),
            "bbox_y0": round(self.y0, PRECISION),
            "bbox_x1": round(self.x1, PRECISION),
            "bbox_y1": round(self.y1, PRECISION),
        }


class SourceLine(Protocol):
    """What add_boxes needs of a line (document.Line has it)."""

    index: int
    raw: str
    page: int | None
    offset: int


class BoxedSource(Protocol):
    """What add_boxes needs of a reader's output (readers.base.SourceText has it)."""

    @property
    def glyphs(self) -> Mapping[int, Sequence[Glyph]]: ...
    @property
    def page_sizes(self) -> Mapping[int, tuple[float, float]]: ...
    @property
    def page_count(self) -> int | None: ...


def character_glyphs(glyphs: Sequence[Glyph]) -> list[Glyph]:
    """Each glyph cut into its characters (NFC, whitespace left out), its width shared out
    evenly among them."""
    out: list[Glyph] = []
    for g in glyphs:
        text = unicodedata.normalize("NFC", g.text)
        n = len(text)
        if n == 0:
            continue
        step = (g.x1 - g.x0) / n
        for k, ch in enumerate(text):
            if not ch.isspace():
                out.append(Glyph(ch, g.x0 + k * step, g.top, g.x0 + (k + 1) * step, g.bottom, g.confidence))
    return out


def character_boxes(text: str, glyphs: Sequence[Glyph]) -> list[Glyph | None]:
    """For each character of TEXT, the box of the glyph character it was written from
    (None: whitespace, or a character no glyph accounts for)."""
    chars = character_glyphs(glyphs)
    where = [k for k, ch in enumerate(text) if not ch.isspace()]
    out: list[Glyph | None] = [None] * len(text)
    if not where or not chars:
        return out
    left = "".join(text[k] for k in where)
    right = "".join(g.text for g in chars)
    if left == right:  # a text layer read as written: one to one
        for k, g in zip(where, chars, strict=True):
            out[k] = g
        return out
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for d in range(i2 - i1):
                out[where[i1 + d]] = chars[j1 + d]
        elif tag == "replace":  # OCR repairs, joined pieces: shared out proportionally
            for d in range(i2 - i1):
                out[where[i1 + d]] = chars[j1 + d * (j2 - j1) // (i2 - i1)]
    return out


def union(boxes: Sequence[Glyph | None], page: int) -> Box | None:
    known = [b for b in boxes if b is not None]
    if not known:
        return None
    _, x0s, tops, x1s, bottoms, given = zip(*known, strict=True)  # the glyphs' columns
    confidences = [c for c in given if c is not None]
    return Box(
        page,
        min(x0s),
        min(tops),
        max(x1s),
        max(bottoms),
        min(confidences) if confidences else None,
    )


_TEXT = itemgetter(0)  # a Glyph's text


class LineBoxes:
    """The character boxes of a document's lines, aligned once per line when first asked."""

    def __init__(self, lines: Sequence[SourceLine], glyphs: Mapping[int, Sequence[Glyph]]):
        self._lines = lines
        self._glyphs = glyphs
        self._done: dict[int, list[Glyph | None]] = {}

    def of(self, index: int) -> list[Glyph | None]:
        if index not in self._done:
            glyphs = self._glyphs.get(index, ())
            self._done[index] = character_boxes(self._lines[index].raw, glyphs) if glyphs else []
        return self._done[index]

    def span(self, index: int, start: int, end: int) -> Box | None:
        """The box of columns START..END of line INDEX (a fact running past the line's
        end goes on over the next lines, as far as it reaches, on the same page)."""
        page = self._lines[index].page if 0 <= index < len(self._lines) else None
        if page is None:
            return None
        boxes: list[Glyph | None] = []
        while index < len(self._lines) and self._lines[index].page == page:
            line = self._lines[index]
            boxes.extend(self.of(index)[max(start, 0) : end])
            end -= len(line.raw) + 1
            if end <= 0:
                break
            start, index = 0, index + 1
        return union(boxes, page)

    def line(self, index: int) -> Box | None:
        """The box of the whole line (its glyphs, whatever text they gave)."""
        page = self._lines[index].page if 0 <= index < len(self._lines) else None
        glyphs = self._glyphs.get(index, ())
        if page is None:
            return None
        return union(list(compress(glyphs, map(str.strip, map(_TEXT, glyphs)))), page)  # inked glyphs


def fact_box(boxes: LineBoxes, row: dict, lines: Sequence[SourceLine]) -> Box | None:
    """The box of a row of amounts or targets: its characters from char_start to
    char_end, over the lines its raw_text runs across."""
    if row.get("line") is None or row.get("char_start") is None or row.get("char_end") is None:
        return None
    index = row["line"] - 1
    if not 0 <= index < len(lines):
        return None
    offset = lines[index].offset
    start = row["char_start"] - offset
    raw = row.get("raw_text") or ""
    if "\n" in raw:  # the span's end is on a later line: the raw text says how far
        end = start + len(raw)
    else:
        end = row["char_end"] - offset
    return boxes.span(index, start, end)


def add_boxes(tables: dict[str, list[dict]], lines: Sequence[SourceLine], source: BoxedSource) -> None:
    """Fill the box columns of the rows of amounts, targets and sections (null where the
    source has no page image), the word confidence of OCR'd targets, and the documents
    row's page sizes."""
    for row in tables.get("documents", []):
        if source.page_sizes:
            count = source.page_count or max(source.page_sizes)
            sizes = [source.page_sizes.get(n) for n in range(1, count + 1)]
            row["page_widths"] = [round(s[0], PRECISION) if s else None for s in sizes]
            row["page_heights"] = [round(s[1], PRECISION) if s else None for s in sizes]
    if not source.glyphs:
        return
    boxes = LineBoxes(lines, source.glyphs)
    for table in ("amounts", "targets"):
        for row in tables.get(table, []):
            box = fact_box(boxes, row, lines)
            if box is None:
                continue
            row.update(box.row_values())
            if table == "targets":
                row["ocr_confidence"] = box.confidence
    for row in tables.get("sections", []):
        start = row.get("line_start")
        box = boxes.line(start - 1) if start else None
        if box is not None:
            row.update(box.row_values())
