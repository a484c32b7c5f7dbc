"""PDF with a text layer, page by page (pdfplumber). Pages without usable text are
reported (unreadable_page) for OCR to pick up."""
from __future__ import annotations

import io
import unicodedata

import regex

from .base import PageProblem, ReadError, SourceText

_LETTER = regex.compile(r"\p{L}")
MIN_LETTERS_PER_PAGE = 20


def _is_password_error(exc: BaseException) -> bool:
    # pdfplumber wraps pdfminer's PDFPasswordIncorrect in a PdfminerException
    seen: list[BaseException] = []
    stack = [exc]
    while stack:
        e = stack.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        if "Password" in type(e).__name__ or "encrypt" in str(e).lower():
            return True
        stack.extend([e.__cause__, e.__context__] + [a for a in e.args if isinstance(a, BaseException)])
    return False


def read_pdf(data: bytes) -> SourceText:
    try:
        import pdfplumber
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        if _is_password_error(exc):
            raise ReadError("the PDF is encrypted (password protected); it cannot be read") from exc
        raise ReadError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    pages: list[int | None] = []
    problems: list[PageProblem] = []
    with pdf:
        try:
            page_list = list(pdf.pages)
        except Exception as exc:
            raise ReadError(f"the PDF's page tree is broken ({type(exc).__name__}: {exc})") from exc
        for number, page in enumerate(page_list, start=1):
            try:
                text = _page_text(page)
            except Exception as exc:
                problems.append(PageProblem("unreadable_page", number, f"page {number}: text could not be extracted ({type(exc).__name__})"))
                text = ""
            text = unicodedata.normalize("NFC", text)
            if len(_LETTER.findall(text)) < MIN_LETTERS_PER_PAGE:
                problems.append(PageProblem("unreadable_page", number,
                                            f"page {number} has no usable text layer (scanned?); it needs OCR"))
            page_lines = text.split("\n") if text else []
            lines.extend(page_lines)
            pages.extend([number] * len(page_lines))
        count = len(page_list)
    return SourceText(lines=lines, pages=pages, format="pdf", method="pdf_text", page_count=count,
                      notes=[f"{count} pages"])


def _page_text(page) -> str:
    """The page's text; a ruled table becomes one line per row with its cells joined by
    tabs (as DOCX tables and converted text give them), in its place on the page."""
    tables = page.find_tables()
    if not tables:
        return page.extract_text() or ""
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    items = [(ln["top"], ln["text"]) for ln in page.filter(outside).extract_text_lines()]
    for table in tables:
        for i, row in enumerate(table.extract()):
            cells = [_join_wrapped(cell or "") for cell in row]
            items.append((table.bbox[1] + i * 1e-3, "\t".join(cells)))
    items.sort(key=lambda item: item[0])
    return "\n".join(text for _, text in items)


_NUMBER_WRAP = regex.compile(r"(?<=\d[.,]?)\s*\n\s*(?=[\d.,])")


def _join_wrapped(cell: str) -> str:
    """A cell's lines as one: a number a narrow column wrapped ("27.97" / "1") is joined
    back without a space, words with one."""
    return " ".join(_NUMBER_WRAP.sub("", cell).split())
