"""Readers: a file's bytes -> SourceText (lines, with page numbers, and what was detected).

Every input format is one entry of FORMATS: its name (the `documents.format` value), the
suffixes it is known by, the bytes its files start with (magic, which win over the suffix),
and its reader, `module.function` in this package, imported only when a file of the format
is read. The reader is called with the file's bytes and the keywords it TAKES (`fmt`, the
format's name; `rules`; `ocr`: auto, always or never). A new format is a module here and
one entry below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import ReadError, SourceText, UnsupportedFormat


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]  # lower case, with the dot
    reader: str  # "module.function" in extract/readers/
    takes: tuple[str, ...] = ("rules",)  # the keywords the reader is called with: fmt, rules, ocr
    magic: tuple[bytes, ...] = ()  # a file starting with one of these is of this format
    magic_suffixes: tuple[str, ...] = ()  # ... only with one of these suffixes (a zip is not a DOCX)
    needs_ocr: str = ""  # what a file of it is ("an image") when it cannot be read with --ocr never
    shown: str = ""  # how the message for an unsupported file lists it

    def sniff(self, suffix: str, head: bytes) -> bool:
        return any(head.startswith(m) for m in self.magic) and (
            not self.magic_suffixes or suffix in self.magic_suffixes
        )

    def read_function(self) -> Callable[..., SourceText]:
        module, function = self.reader.rsplit(".", 1)
        return getattr(importlib.import_module(f".{module}", __package__), function)


FORMATS: tuple[Format, ...] = (
    Format("txt", (".txt", ".text"), "text.read_text", ("fmt", "rules"), shown=".txt"),
    Format("md", (".md", ".markdown"), "text.read_text", ("fmt", "rules"), shown=".md"),
    Format(
        "docx",
        (".docx",),
        "docx.read_docx",
        magic=(b"PK\x03\x04",),
        magic_suffixes=(".docx", ".docm"),
        shown=".docx",
    ),
    Format("pdf", (".pdf",), "pdf.read_pdf", ("rules", "ocr"), magic=(b"%PDF",), shown=".pdf"),
    Format(
        "image",
        (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"),
        "image.read_image",
        needs_ocr="an image",
        shown="images: .png, .jpg, .tif",
    ),
)
# how many bytes of a file detect_format needs
MAGIC_BYTES = max(len(m) for f in FORMATS for m in f.magic)


def format_of(path: Path, head: bytes, formats: tuple[Format, ...] = FORMATS) -> Format | None:
    """The format of a file: the one whose magic HEAD starts with, else the one its suffix
    names; None when none does."""
    suffix = path.suffix.lower()
    found = next((f for f in formats if f.sniff(suffix, head)), None)
    return found or next((f for f in formats if suffix in f.suffixes), None)


def detect_format(path: Path, head: bytes) -> str:
    """The format's name (an unknown format: the suffix without its dot, or "unknown")."""
    found = format_of(path, head)
    return found.name if found else (path.suffix.lower().lstrip(".") or "unknown")


def read_document(path: Path, data: bytes, rules: Any, ocr: str = "auto") -> SourceText:
    """OCR: "auto" reads scanned pages and images, "always" OCRs every PDF page too,
    "never" leaves scans unread (an unreadable_page check each)."""
    fmt = format_of(path, data[:MAGIC_BYTES])
    if fmt is None:
        shown = [f.shown for f in FORMATS if f.shown]
        raise UnsupportedFormat(
            detect_format(path, data[:MAGIC_BYTES]),
            f"no reader for '{path.suffix or 'files without a suffix'}' files "
            f"(supported: {', '.join(shown[:-1])}, and {shown[-1]})",
        )
    if fmt.needs_ocr and ocr == "never":
        raise UnsupportedFormat(fmt.name, f"{fmt.needs_ocr} needs OCR, and OCR is off (--ocr never)")
    given = {"fmt": fmt.name, "rules": rules, "ocr": ocr}
    return fmt.read_function()(data, **{k: given[k] for k in fmt.takes})


__all__ = [
    "FORMATS",
    "Format",
    "ReadError",
    "SourceText",
    "UnsupportedFormat",
    "read_document",
    "detect_format",
]
