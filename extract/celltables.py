"""Tables exported one cell per line (law sites such as thuvienphapluat.vn): each row stands
between two lines holding only a separator ("|"), each cell on a line of its own, a blank
line an empty cell. They become rows of cells, each cell keeping its own line, which
tables.py reads like tab-separated rows (header, columns, row levels, amounts).

A run of rows is a table when its rows have the width of its first row (the header); a
row with fewer cells counts when it opens with an order cell, a total word or holds a
figure (a merged cell); a cell wrapped onto a second line (lower-case continuation) is
joined. Layout tables (the two-column header block, the signature block) and the text
between two tables never line up like that and stay text. A PDF rendering of such an export
has no blank lines (no empty cells, no blank line in the text between two tables): there,
text is told from a header by its wrapped lines and its unit line, a title above a header
by being narrower, and a total row's missing order cell by the other rows' order cells.
Vocabulary: rules/tables.yaml (`cell_per_line`, `row_levels`, `total_words`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from .document import Line
from .rules import phrase_regex
from .tables import Cell
from .textnorm import fold, nfc
from .vnnumbers import parse_vn_number

if TYPE_CHECKING:
    from .rules import Rules


_FIGURE = regex.compile(r"[-–]?\d[\d.,]*")
_CONTINUATION = regex.compile(r"^[\p{Ll}(,;]")
_LOWER_START = regex.compile(r"^\p{Ll}")
# At most this many more columns than header cells (cells spanning columns in the header).
MAX_SPANNED = 6
_MARKS = regex.compile(r"^[*_]+|[*_]+$")


@dataclass
class CellRow:
    line: Line  # where the row starts (its first line)
    cells: dict[int, Cell]  # column -> cell; each cell knows its line


@dataclass
class CellTable:
    rows: list[CellRow]
    lines: list[Line]  # every line of the table, separators included

    @property
    def line_indexes(self) -> set[int]:
        return {ln.index for ln in self.lines}


@dataclass
class _Segment:
    open_sep: int  # line index of the separator above
    close_sep: int  # line index of the separator below
    lines: list[Line]


class CellTableFinder:
    def __init__(self, rules: Rules):
        t = rules.section("tables")
        spec = t["cell_per_line"]
        self.separator = regex.compile(spec["row_separator"])
        self.max_cell_chars = int(spec["max_cell_chars"])
        self.min_width = int(spec["min_columns"])
        self.levels = [regex.compile(p) for p in t["row_levels"]]
        self.total_words = phrase_regex(fold(w) for w in t["total_words"])
        self.column_number = regex.compile(t["column_number_cell"])
        self.placeholders = frozenset(t["placeholder_cells"])
        self.unit_line = regex.compile(t["unit_line"])

    def find(self, lines: list[Line]) -> list[CellTable]:
        tables: list[CellTable] = []
        segments = self._segments(lines)
        i = 0
        while i < len(segments):
            table, used = self._table_from(segments, i, lines)
            if table is not None:
                tables.append(table)
                i += used
            else:
                i += 1
        return tables

    def _segments(self, lines: list[Line]) -> list[_Segment]:
        seps = [ln.index for ln in lines if self.separator.match(ln.raw)]
        return [_Segment(a, b, lines[a + 1 : b]) for a, b in zip(seps, seps[1:])]

    def _table_from(
        self, segments: list[_Segment], start: int, lines: list[Line]
    ) -> tuple[CellTable | None, int]:
        headers = self._header_rows(segments, start)
        if not headers:
            return None, 0
        k = start + len(headers)
        width = max(len(h) for h in headers)
        following = (
            segments[k].lines
            if k < len(segments) and segments[k].open_sep == segments[k - 1].close_sep
            else []
        )
        if (
            width < len(following) <= width + MAX_SPANNED
            and self._cell_like(following)
            and self._opens_row(self._exact(following) or {0: _cell(following[0])})
        ):
            width = len(following)  # a spanning header cell: the rows have more cells than the header
        if width < self.min_width:
            return None, 0
        rows = [CellRow(h[0], self._header_cells(h, i, width)) for i, h in enumerate(headers)]
        while k < len(segments) and segments[k].open_sep == segments[k - 1].close_sep:
            cells = self._fit(segments[k].lines, width)
            if cells is None or not (self._opens_row(cells) or self._numbers_columns(cells)):
                break  # text between two tables, a title: not a row
            first = next((ln for ln in segments[k].lines if _text(ln)), segments[k].lines[0])
            rows.append(CellRow(first, cells))
            k += 1
        if len(rows) <= len(headers) or not any(self._has_figure(r.cells) for r in rows[len(headers) :]):
            return None, 0
        self._place_total_rows(rows[len(headers) :], width)
        table_lines = lines[segments[start].open_sep : segments[k - 1].close_sep + 1]
        return CellTable(rows, table_lines), k - start

    def _header_rows(self, segments: list[_Segment], start: int) -> list[list[Line]]:
        """The header: the first segment and the segments after it that are full of words
        (no blank cell, no figure, no order cell): a header whose cells span columns comes
        in several rows ("Trong đó" over "NSTW", "NSĐP")."""
        out: list[list[Line]] = []
        k = start
        while k < len(segments) and (not out or segments[k].open_sep == segments[k - 1].close_sep):
            seg = segments[k].lines
            texts = [_text(ln) for ln in seg]
            if (len(seg) < 2 and not out) or not seg or not all(texts) or not self._cell_like(seg):
                break
            if any(_FIGURE.fullmatch(t) for t in texts) or (out and self._level(texts[0]) is not None):
                break
            if self._prose(texts):
                break
            if out and len(seg) > len(out[0]):
                return []  # a title above the header (narrower than it): the table starts later
            out.append(seg)
            k += 1
        return out

    def _header_cells(self, seg: list[Line], row: int, width: int) -> dict[int, Cell]:
        """A header row's cells in a table WIDTH wide: the first row from the left, a lower
        row with fewer cells under the spanning cells at the right."""
        offset = 0 if row == 0 or len(seg) >= width else width - len(seg)
        return {offset + c: _cell(ln) for c, ln in enumerate(seg)}

    def _prose(self, texts: list[str]) -> bool:
        """Text between two separators that is no header: a sentence wrapped onto a line
        that starts in lower case (a header cell stands on one line), or a table's caption
        with its unit line. A PDF rendering of a law-site export has no blank lines, so the
        text between the header block and the first table, or between two tables, has no
        empty cell to tell it from a header."""
        return any(_LOWER_START.match(t) for t in texts[1:]) or any(self.unit_line.search(t) for t in texts)

    def _place_total_rows(self, rows: list[CellRow], width: int) -> None:
        """A total row that lost its empty order cell (a PDF rendering drops blank lines)
        starts with its total word in column 0, while the other rows' column 0 holds their
        order cells: its cells move one column right when it has room."""
        ordered = [r for r in rows if 0 in r.cells and self._level(r.cells[0].text) is not None]
        if 2 * len(ordered) <= len(rows):
            return
        for r in rows:
            first = r.cells.get(0)
            if first is None or max(r.cells) + 1 >= width or self._level(first.text) is not None:
                continue
            if self.total_words.match(fold(first.text)):
                r.cells = {c + 1: cell for c, cell in r.cells.items()}

    # ---- one row -------------------------------------------------------------------------
    def _cell_like(self, seg: list[Line]) -> bool:
        return all(len(_text(ln)) <= self.max_cell_chars for ln in seg)

    @staticmethod
    def _exact(seg: list[Line]) -> dict[int, Cell]:
        """One cell per line, a blank line an empty cell."""
        return {c: _cell(ln) for c, ln in enumerate(seg) if _text(ln)}

    def _opens_row(self, cells: dict[int, Cell]) -> bool:
        """A data row: an order cell or a total word first, or a figure or a placeholder
        ("-") after its first cell."""
        first = cells[min(cells)].text
        return (
            self._level(first) is not None
            or self.total_words.match(fold(first)) is not None
            or any(
                c > min(cells) and (_FIGURE.fullmatch(x.text) or x.text in self.placeholders)
                for c, x in cells.items()
            )
        )

    def _numbers_columns(self, cells: dict[int, Cell]) -> bool:
        """The row numbering the columns under the header ("(1)", "(3)=(4)+(5)")."""
        return all(self.column_number.match(x.text) for x in cells.values())

    def _fit(self, seg: list[Line], width: int) -> dict[int, Cell] | None:
        """The cells of a row segment in a table WIDTH columns wide, or None when the
        segment is not a row of it."""
        if not seg or not self._cell_like(seg):
            return None
        if len(seg) == width:
            return self._exact(seg)
        filled = [ln for ln in seg if _text(ln)]
        if not filled:
            return None
        # a cell wrapped onto the next line: the continuation joins the cell above
        groups: list[list[Line]] = []
        for ln in filled:
            if (
                groups
                and len(filled) > width
                and _CONTINUATION.match(_text(ln))
                and not _FIGURE.fullmatch(_text(groups[-1][-1]))
            ):
                groups[-1].append(ln)
            else:
                groups.append([ln])
        if len(groups) > width:
            return None
        offset = 0
        if len(groups) < width and not _text(seg[0]) and self._level(_text(groups[0][0])) is None:
            offset = 1  # the empty order cell of a total or merged row
        return {offset + c: _cell(g[0], [_text(ln) for ln in g[1:]]) for c, g in enumerate(groups)}

    def _level(self, text: str) -> int | None:
        return next((i for i, p in enumerate(self.levels) if p.match(text.strip())), None)

    @staticmethod
    def _has_figure(cells: dict[int, Cell]) -> bool:
        return any(
            c > 0 and _FIGURE.fullmatch(cell.text) and parse_vn_number(cell.text).value is not None
            for c, cell in cells.items()
        )


def _text(line: Line) -> str:
    """A cell's text: the cleaned line, or the raw one when cleaning blanked it (a cell
    holding "1" or "40" looks like a page number to the cleaner)."""
    return line.clean or _MARKS.sub("", line.raw.strip())


def _cell(line: Line, continuation: Sequence[str] = ()) -> Cell:
    """A cell on its line: its text (bold marks gone) and where that text stands in the raw
    line."""
    if line.clean:
        text, start, end = line.clean, line.colmap[0], line.colmap[len(line.clean) - 1] + 1
    else:
        text = _text(line)
        start = line.raw.find(text)
        end = start + len(text)
    full = " ".join([text, *continuation])
    return Cell(" ".join(nfc(full).split()), start, end, line)
