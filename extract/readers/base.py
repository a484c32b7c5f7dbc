"""What every reader returns."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

import regex

from ..boxes import Glyph

_NUMBER_WRAP = regex.compile(r"(?<=\d[.,]?)\s*\n\s*(?=[\d.,])")
# What differs between two runs on the same bytes: object addresses in reprs
# ("<_io.BytesIO object at 0x7f3a…>"), bare addresses, and temporary files' names.
_OBJECT_ADDRESS = regex.compile(r" at 0x[0-9A-Fa-f]+")
_BARE_ADDRESS = regex.compile(r"\b0x[0-9A-Fa-f]{8,}\b")
# Problem kinds that mean some of the document's text was not read: status partial.
CONTENT_LOST = frozenset({"unreadable_page", "input_truncated"})


class ReadError(Exception):
    """The file could not be read (broken, encrypted, empty)."""


class UnsupportedFormat(ReadError):
    def __init__(self, fmt: str, message: str):
        super().__init__(message)
        self.format = fmt


@dataclass(frozen=True)
class PageProblem:
    """Something a reader met in the file (a page it could not read, a value it had to
    clamp, bytes it repaired); it becomes a check. PAGE is None when no page is concerned."""

    kind: str  # e.g. unreadable_page, page_downsampled, input_truncated, input_clamped, encoding_repaired
    page: int | None
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
    # readers with a page image: the glyphs each line was written from (boxes in points,
    # origin top left; extract/boxes.py), {line index: glyphs}, and each page's size in
    # points, {page: (width, height)}
    glyphs: dict[int, tuple[Glyph, ...]] = field(default_factory=dict)
    page_sizes: dict[int, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.lines) != len(self.pages):
            raise ValueError("lines and pages differ in length")


def join_cell_lines(cell: str) -> str:
    """A table cell's lines as one: a figure a narrow column wrapped ("27.97" / "1") is
    joined back without a space, words with one."""
    return " ".join(_NUMBER_WRAP.sub("", cell).split())


def plain_message(text: str, max_chars: int | None = None) -> str:
    """TEXT with what would differ between two runs on the same bytes taken out (object
    addresses, temporary file names), on one line, at most MAX_CHARS long if given."""
    text = _OBJECT_ADDRESS.sub("", text)
    text = _BARE_ADDRESS.sub("0x…", text)
    temp_dirs = sorted({tempfile.gettempdir(), "/tmp", "/var/tmp"}, key=len, reverse=True)
    # a temporary path ends before a space, a quote, or punctuation that closes the clause
    temp_dir = "|".join(regex.escape(d) for d in temp_dirs)
    text = regex.sub(rf"(?:{temp_dir})/[^\s'\"]*[^\s'\",.;:)\]]", "<temporary file>", text)
    text = " ".join(text.split())
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rstrip() + "…"


def plain_error(exc: BaseException, max_chars: int | None = None) -> str:
    """An exception as plain, deterministic words: its type and message (plain_message)."""
    try:
        said = str(exc)
    except Exception:  # a hostile object's __str__ may itself fail
        said = ""
    return plain_message(f"{type(exc).__name__}: {said}" if said.strip() else type(exc).__name__, max_chars)
