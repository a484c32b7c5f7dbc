"""What every reader returns."""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

_NUMBER_WRAP = regex.compile(r"(?<=\d[.,]?)\s*\n\s*(?=[\d.,])")


class ReadError(Exception):
    """The file could not be read (broken, encrypted, empty)."""


class UnsupportedFormat(ReadError):
    def __init__(self, fmt: str, message: str):
        super().__init__(message)
        self.format = fmt


@dataclass(frozen=True)
class PageProblem:
    kind: str  # e.g. unreadable_page
    page: int
    message: str
    severity: str = "warning"


@dataclass
class SourceText:
    """A document's extracted text, one entry per line, each with its page (or None)."""

    lines: list[str]
    pages: list[int | None]
    format: str
    method: str  # text, pdf_text, ocr, mixed
    page_count: int | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[PageProblem] = field(default_factory=list)
    ocr_confidence: float | None = None  # mean word confidence of the OCR'd pages (0-100)
    ocr_pages: list[int] = field(default_factory=list)
    # OCR'd lines: where their figures stand and the word confidence each was read with,
    # {line index: [(start, end, confidence)]}
    figure_confidence: dict[int, list[tuple[int, int, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.lines) != len(self.pages):
            raise ValueError("lines and pages differ in length")


def join_cell_lines(cell: str) -> str:
    """A table cell's lines as one: a figure a narrow column wrapped ("27.97" / "1") is
    joined back without a space, words with one."""
    return " ".join(_NUMBER_WRAP.sub("", cell).split())
