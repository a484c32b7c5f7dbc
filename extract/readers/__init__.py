"""Readers: a file's bytes -> SourceText (lines, with page numbers, and what was detected)."""

from __future__ import annotations

from pathlib import Path

from .base import ReadError, SourceText, UnsupportedFormat

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}


def detect_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and suffix in {".docx", ".docm"}:
        return "docx"
    if suffix in TEXT_SUFFIXES:
        return "md" if suffix in {".md", ".markdown"} else "txt"
    if suffix in {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}:
        return "image"
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    return suffix.lstrip(".") or "unknown"


def read_document(path: Path, data: bytes, rules, ocr: str = "auto") -> SourceText:
    """OCR: "auto" reads scanned pages and images, "always" OCRs every PDF page too,
    "never" leaves scans unread (an unreadable_page check each)."""
    fmt = detect_format(path, data[:8])
    if fmt in ("txt", "md"):
        from .text import read_text

        return read_text(data, fmt, rules)
    if fmt == "docx":
        from .docx import read_docx

        return read_docx(data, rules)
    if fmt == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, rules, ocr)
    if fmt == "image":
        if ocr == "never":
            raise UnsupportedFormat("image", "an image needs OCR, and OCR is off (--ocr never)")
        from .image import read_image

        return read_image(data, rules)
    raise UnsupportedFormat(
        fmt,
        f"no reader for '{path.suffix or 'files without a suffix'}' files "
        "(supported: .txt, .md, .docx, .pdf, and images: .png, .jpg, .tif)",
    )


__all__ = ["ReadError", "SourceText", "UnsupportedFormat", "read_document", "detect_format"]
