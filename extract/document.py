"""The normalised text of one document: cleaned lines with a map back to the source,
and the logical paragraphs (blocks) that extractors read.

Cleaning removes converter artefacts (bookmarks, Markdown marks, LaTeX, footnote
markers, page-number lines, soft hyphens) line by line, so line numbers never shift and
every cleaned character knows the source column it came from.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, overload

import regex

from .nlp import ends_sentence
from .prefilter import key_form
from .readers.base import SourceText

if TYPE_CHECKING:
    from .rules import Rules


@dataclass
class Line:
    index: int  # 0-based; the contract's `line` is index + 1
    raw: str
    clean: str
    # for each clean character (and one past the end): its raw column; a range when the
    # cleaning removed nothing inside the line
    colmap: Sequence[int]
    page: int | None
    offset: int  # where the raw line starts in the extracted text ("\n".join of raw lines)
    footnote: bool = False

    @property
    def number(self) -> int:
        return self.index + 1


class LinePositions(Sequence[tuple[int, int]]):
    """(line index, raw column) of each character of a block, kept by line: each line's
    column map is shared, not copied into a tuple per character."""

    __slots__ = ("_starts", "_lines", "_maps", "_size")

    def __init__(self) -> None:
        self._starts: list[int] = []  # where each line's characters start in the block
        self._lines: list[int] = []
        self._maps: list[Sequence[int]] = []  # each line's column map (at least as long as its part)
        self._size = 0

    def add(self, line: int, colmap: Sequence[int], size: int) -> None:
        """SIZE characters of LINE, at the columns COLMAP[:SIZE]."""
        if size <= 0:
            return
        self._starts.append(self._size)
        self._lines.append(line)
        self._maps.append(colmap)
        self._size += size

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, i: int) -> tuple[int, int]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[int, int]]: ...

    def __getitem__(self, i: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if i.__class__ is int and 0 <= i < self._size:  # the usual case
            k = bisect_right(self._starts, i) - 1
            return self._lines[k], self._maps[k][i - self._starts[k]]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._size))]
        if i < 0:
            i += self._size
        if not 0 <= i < self._size:
            raise IndexError("block position out of range")
        k = bisect_right(self._starts, i) - 1
        return self._lines[k], self._maps[k][i - self._starts[k]]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass
class Block:
    """A logical paragraph: one or more lines joined where a sentence was broken."""

    text: str
    positions: Sequence[tuple[int, int]]  # for each character: (line index, raw column)
    line_indexes: list[int]
    section_id: str | None = None
    # (text, its key form) once asked for: the life of the memo is the block's
    _key_form: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def first_line(self) -> int:
        return self.line_indexes[0]

    def key_form(self) -> str:
        """prefilter.key_form(self.text), made once for every extractor's literal keys."""
        memo = self._key_form
        if memo is None or memo[0] is not self.text:
            memo = self._key_form = (self.text, key_form(self.text))
        return memo[1]

    def locate(self, start: int, end: int) -> tuple[int, int, int]:
        """(line index, raw column start, raw column end on that line) of text[start:end]."""
        start = min(max(start, 0), len(self.positions) - 1)
        end = min(max(end, start + 1), len(self.positions))
        line, col = self.positions[start]
        last_line, last_col = self.positions[end - 1]
        col_end = last_col + 1 if last_line == line else col + (end - start)
        return line, col, col_end


@dataclass(frozen=True)
class Cleaner:
    removals: tuple[regex.Pattern, ...]
    replacements: tuple[tuple[regex.Pattern, str], ...]
    blank_lines: tuple[regex.Pattern, ...]
    footnote_line: regex.Pattern

    @classmethod
    def from_rules(cls, rules: Rules) -> "Cleaner":
        a = rules.section("artefacts")
        return cls(
            removals=tuple(regex.compile(e["pattern"]) for e in a.get("remove", [])),
            replacements=tuple((regex.compile(e["pattern"]), e["replace"]) for e in a.get("replace", [])),
            blank_lines=tuple(regex.compile(e["pattern"]) for e in a.get("blank_lines", [])),
            footnote_line=regex.compile(a["footnote_line"]),
        )

    @cached_property
    def _steps(self) -> tuple[tuple[regex.Pattern, str], ...]:
        return (*self.replacements, *((p, "") for p in self.removals))

    def clean(self, raw: str) -> tuple[str, Sequence[int]]:
        for pattern in self.blank_lines:
            if pattern.match(raw):
                return "", [0]
        text = raw
        cols: list[int] | None = None  # None: every character still at its own column
        for pattern, repl in self._steps:
            # most lines hold no artefact: the column map is built at the first match
            if cols is None:
                if pattern.search(text) is None:
                    continue
                cols = list(range(len(text)))
            text, cols = _apply(pattern, text, cols, repl)
        # trailing/leading spaces are noise for matching; keep the map in step
        lead = len(text) - len(text.lstrip())
        text_stripped = text.strip()
        if cols is None:  # the columns from the first kept character to one past the last
            return text_stripped, range(lead, lead + len(text_stripped) + 1)
        kept = cols[lead : lead + len(text_stripped)]
        end_col = (kept[-1] + 1) if kept else (len(raw) if raw else 0)
        kept.append(end_col)
        return text_stripped, kept


def _apply(pattern: regex.Pattern, text: str, cols: list[int], repl: str) -> tuple[str, list[int]]:
    out_text: list[str] = []
    out_cols: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        out_text.append(text[pos : m.start()])
        out_cols.extend(cols[pos : m.start()])
        anchor = cols[m.start()] if m.start() < len(cols) else (cols[-1] + 1 if cols else 0)
        out_text.append(repl)
        out_cols.extend([anchor] * len(repl))
        pos = m.end()
    out_text.append(text[pos:])
    out_cols.extend(cols[pos:])
    return "".join(out_text), out_cols


def build_lines(source: SourceText, cleaner: Cleaner) -> list[Line]:
    lines = []
    offset = 0
    for i, (raw, page) in enumerate(zip(source.lines, source.pages)):
        clean, colmap = cleaner.clean(raw)
        lines.append(
            Line(i, raw, clean, colmap, page, offset, footnote=bool(cleaner.footnote_line.match(raw)))
        )
        offset += len(raw) + 1
    return lines


_CONTINUES = regex.compile(r"^(?:\p{Ll}|\d|[(,;%])")
# a line hard-wrapped mid-sentence: it ends with a comma after a figure's unit or a word
# that cannot end a sentence ("… 22.800 triệu đồng," / "Dự án 4 là …")
_MID_SENTENCE_END = regex.compile(r"(?:\d\s*(?:triệu|tỷ|tỉ)\s*đồng,|(?<!\w)(?:là|và|của|cho|với))$")


def build_blocks(
    lines: list[Line], heading_lines: set[int], *, skip: Set[int] = frozenset(), join_limit: int = 3
) -> list[Block]:
    """Group lines into blocks. A heading line always starts a block; a line continues the
    previous block when that block did not end its sentence and the line starts like a
    continuation (lower case, a digit, a bracket). Up to `join_limit` blank lines (page
    breaks of converted PDFs) may sit between the two parts. Lines in SKIP (tables read
    on their own) belong to no block and end the one before them."""
    blocks: list[Block] = []
    parts: list[list[str]] = []  # each block's text in pieces, joined once at the end
    positions: list[LinePositions] = []  # each block's positions, by line
    current: Block | None = None
    blanks = 0
    for line in lines:
        if line.index in skip:
            current, blanks = None, 0
            continue
        text = line.clean
        if not text:
            blanks += 1
            continue
        joins = (
            current is not None
            and line.index not in heading_lines
            and not line.footnote
            and blanks <= join_limit
            # a sentence's end lies in the last line or, when that is a closing bracket
            # or quote alone, in the line before it (lines are stripped, never blank)
            and not ends_sentence(" ".join(parts[-1][-3::2]))
            and (
                _CONTINUES.match(text) is not None
                or _closes_bracket(parts[-1][-1], text)
                or _MID_SENTENCE_END.search(parts[-1][-1]) is not None
            )
            and not lines[current.line_indexes[-1]].footnote
        )
        if joins and current is not None:
            parts[-1].append(" ")  # the joining space stands where the line before ends
            last_line, last_col = positions[-1][-1]
            positions[-1].add(last_line, [last_col], 1)
            _extend(current, parts[-1], positions[-1], line)
        else:
            positions.append(LinePositions())
            current = Block(text="", positions=positions[-1], line_indexes=[])
            parts.append([])
            _extend(current, parts[-1], positions[-1], line)
            blocks.append(current)
        blanks = 0
    for block, pieces in zip(blocks, parts):
        block.text = "".join(pieces)
    return blocks


def _closes_bracket(last: str, text: str) -> bool:
    """A bracket opened in LAST (the previous line) is closed in TEXT before anything else
    opens one: "… 324.500 triệu đồng *(chi tiết tại" / "Biểu số 02)*. Cụ thể:" is one
    paragraph, whatever letter the wrapped line starts with."""
    if last.count("(") <= last.count(")"):
        return False
    close = text.find(")")
    return close >= 0 and "(" not in text[:close]


def _extend(block: Block, pieces: list[str], positions: LinePositions, line: Line) -> None:
    pieces.append(line.clean)
    positions.add(line.index, line.colmap, len(line.clean))
    block.line_indexes.append(line.index)
