"""PDF, page by page: the text layer where it reads as Vietnamese (pdfium for plain
pages, readers/pdfchars.py; pdfplumber's tables, words and lines for pages with vector
graphics, which may hold ruled tables, over pdfminer's layout without pdfplumber's page
objects, readers/pdfgrid.py), OCR (readers/ocr.py) where it is missing or garbage, or everywhere with
--ocr always. A page that needs OCR but cannot have it is reported (unreadable_page)."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from typing import TYPE_CHECKING, Any

from ..boxes import Glyph
from ..layout import Word, median, page_settings, table_text_lines, text_lines
from .base import PageProblem, ReadError, SourceText, join_cell_lines, plain_error
from .limits import InputLimits
from .ocr import (
    INSTALL_HINT,
    OcrSettings,
    figure_spans,
    low_confidence,
    mean_confidence,
    ocr_available,
    ocr_pages,
    pdf_page_loader,
    repair_confusions,
)
from .pdfchars import Advances, char_words, plain_page, read_chars
from .pdfgrid import LightPage, light_page

if TYPE_CHECKING:
    import pdfplumber
    import pdfplumber.page
    import pypdfium2 as pdfium

    from ..rules import Rules


def _is_password_error(exc: BaseException) -> bool:
    # pdfplumber wraps pdfminer's PDFPasswordIncorrect in a PdfminerException
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        if "Password" in type(e).__name__ or "encrypt" in str(e).lower():
            return True
        stack.extend([e.__cause__, e.__context__] + [a for a in e.args if isinstance(a, BaseException)])
    return False


@contextmanager
def _closed_after(pdf: pdfplumber.PDF) -> Iterator[pdfplumber.PDF]:
    """Closes the PDF after use, quietly: closing walks the page tree again, which may be
    what was broken (the error that matters was raised already)."""
    try:
        yield pdf
    finally:
        try:
            pdf.close()
        except Exception:
            pass


def read_pdf(data: bytes, rules: Rules, ocr: str = "auto") -> SourceText:
    limits = InputLimits.from_rules(rules)
    try:
        import pdfplumber

        # pages past the bound are walked but never built (one more, to know there are more)
        pdf = pdfplumber.open(io.BytesIO(data), pages=list(range(1, limits.max_pdf_pages + 2)))
    except Exception as exc:
        if _is_password_error(exc):
            raise ReadError("the PDF is encrypted (password protected); it cannot be read") from exc
        raise ReadError(f"not a readable PDF ({plain_error(exc)})") from exc
    settings = OcrSettings.from_rules(rules)
    texts: list[str] = []
    problems: list[PageProblem] = []
    sizes: dict[int, tuple[float, float]] = {}  # page -> (width, height) in points
    page_glyphs: dict[int, list[tuple[Glyph, ...]]] = {}  # page -> its lines' glyphs
    fast = _FastPages.open(data)
    with _closed_after(pdf), fast:
        try:
            page_list = list(pdf.pages)
        except Exception as exc:
            raise ReadError(f"the PDF's page tree is broken ({plain_error(exc)})") from exc
        if len(page_list) > limits.max_pdf_pages:
            problems.append(
                PageProblem(
                    "input_truncated",
                    None,
                    f"the PDF has more than {limits.max_pdf_pages} pages; "
                    f"only the first {limits.max_pdf_pages} were read",
                )
            )
            page_list = page_list[: limits.max_pdf_pages]
        for number, page in enumerate(page_list, start=1):
            try:
                page_lines = fast.lines(number, rules) or _page_lines(light_page(page) or page, rules)
                sizes[number] = (float(page.width), float(page.height))
            except Exception as exc:
                problems.append(
                    PageProblem(
                        "unreadable_page",
                        number,
                        f"page {number}: text could not be extracted ({type(exc).__name__})",
                    )
                )
                page_lines = []
            finally:
                page.close()  # its parsed objects are not needed again: memory stays one page's
            texts.append(unicodedata.normalize("NFC", "\n".join(text for text, _ in page_lines)))
            page_glyphs[number] = [glyphs for _, glyphs in page_lines]
        count = len(page_list)
    # a page whose text layer is missing or garbage is OCR'd (all pages with --ocr always)
    unusable = [n for n, t in enumerate(texts, start=1) if not settings.text_layer_usable(t)]
    to_ocr = list(range(1, count + 1)) if ocr == "always" else unusable
    confidences: dict[int, float | None] = {}
    figures: dict[int, list[list[tuple[int, int, float]]]] = {}  # page -> its lines' figure spans
    if to_ocr and ocr != "never" and ocr_available(settings.language):
        try:
            with pdf_page_loader(data, settings.dpi, limits.pages) as load:
                results = ocr_pages(to_ocr, load, settings)
        except Exception as exc:  # pdfium cannot open what pdfplumber could: those pages stay unread
            why = plain_error(exc)
            problems.extend(
                PageProblem("unreadable_page", n, f"page {n} could not be rendered for OCR ({why})")
                for n in to_ocr
            )
            results = []
        for result in results:
            problems.extend(result.problems)
            if result.page is None:
                continue
            n, read = result.number, result.page
            read_lines, repairs = repair_confusions(read, n, settings)
            texts[n - 1] = "\n".join(read_lines)
            figures[n] = figure_spans(read_lines, read)
            page_glyphs[n] = list(read.glyphs)
            if read.size is not None:
                sizes[n] = read.size
            confidences[n] = read.confidence
            problems.extend(repairs + low_confidence(n, read.confidence, settings))
    else:
        why = "OCR is off (--ocr never)" if ocr == "never" else f"OCR is not installed ({INSTALL_HINT})"
        problems.extend(
            PageProblem("unreadable_page", n, f"page {n} has no usable text layer (a scan?) and {why}")
            for n in unusable
        )
    lines, pages, figure_confidence, glyphs = _joined_pages(texts, figures, page_glyphs)
    method = "pdf_text" if not confidences else "ocr" if len(confidences) == count else "mixed"
    notes = [f"{count} pages"] + ([f"{len(confidences)} pages OCR'd"] if confidences else [])
    return SourceText(
        lines=lines,
        pages=pages,
        format="pdf",
        method=method,
        page_count=count,
        notes=notes,
        problems=problems,
        ocr_confidence=mean_confidence(list(confidences.values())),
        ocr_pages=sorted(confidences),
        figure_confidence=figure_confidence,
        glyphs=glyphs,
        page_sizes=sizes,
    )


def _joined_pages(
    texts: list[str],
    figures: dict[int, list[list[tuple[int, int, float]]]],
    page_glyphs: dict[int, list[tuple[Glyph, ...]]],
) -> tuple[
    list[str], list[int | None], dict[int, list[tuple[int, int, float]]], dict[int, tuple[Glyph, ...]]
]:
    """The pages' texts as one list of lines, with each line's page, and the figures'
    confidences and the lines' glyphs keyed by line index."""
    lines: list[str] = []
    pages: list[int | None] = []
    figure_confidence: dict[int, list[tuple[int, int, float]]] = {}
    glyphs: dict[int, tuple[Glyph, ...]] = {}
    for number, text in enumerate(texts, start=1):
        page_lines = text.split("\n") if text else []
        figure_confidence.update(
            (len(lines) + k, spans) for k, spans in enumerate(figures.get(number, [])) if spans
        )
        of_lines = page_glyphs.get(number, [])
        if len(of_lines) == len(page_lines):
            glyphs.update((len(lines) + k, g) for k, g in enumerate(of_lines) if g)
        lines.extend(page_lines)
        pages.extend([number] * len(page_lines))
    return lines, pages, figure_confidence, glyphs


def _page_lines(page: pdfplumber.page.Page | LightPage, rules: Rules) -> list[tuple[str, tuple[Glyph, ...]]]:
    """The page's lines, each with the glyphs it was written from; a ruled table becomes
    one line per row with its cells joined by tabs (as DOCX tables and converted text
    give them), in its place on the page."""
    tables = page.find_tables()
    if not tables:
        return _unruled_page_lines(page, rules)
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    items = [
        (ln["top"], ln["text"], tuple(_char_glyph(c) for c in ln.get("chars", ())))
        for ln in page.filter(outside).extract_text_lines()
    ]
    words, chars = _words_and_chars(page)
    for table in tables:
        for i, (row, cell_boxes) in enumerate(
            zip(table.extract(), (r.cells for r in table.rows), strict=True)
        ):
            cells = [join_cell_lines(cell or "") for cell in row]
            glyphs = tuple(g for box in cell_boxes for g in _cell_glyphs(box, words, chars))
            items.append((table.bbox[1] + i * 1e-3, "\t".join(cells), glyphs))
    items.sort(key=lambda item: item[0])
    return [(text, glyphs) for _, text, glyphs in items]


def _char_glyph(char: dict) -> Glyph:
    return Glyph(char["text"], char["x0"], char["top"], char["x1"], char["bottom"])


def _words_and_chars(
    page: pdfplumber.page.Page | LightPage,
) -> tuple[list[Word], dict[int, tuple[Glyph, ...]]]:
    """The page's words (pdfplumber's extract_words) and each word's characters as
    glyphs, keyed by the word's id."""
    words, chars = [], {}
    for w in page.extract_words(return_chars=True):
        word = Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"])
        words.append(word)
        chars[id(word)] = tuple(_char_glyph(c) for c in w["chars"])
    return words, chars


def _cell_glyphs(
    box: tuple[float, float, float, float] | None, words: list[Word], chars: dict[int, tuple[Glyph, ...]]
) -> list[Glyph]:
    """The characters of the words whose centre lies in a table cell's box, in reading order."""
    if box is None:
        return []
    x0, top, x1, bottom = box
    inside = [w for w in words if x0 <= (w.x0 + w.x1) / 2 <= x1 and top <= (w.top + w.bottom) / 2 <= bottom]
    return [g for line in text_lines(inside, tolerance=3) for w in line for g in chars[id(w)]]


def _unruled_page_lines(
    page: pdfplumber.page.Page | LightPage, rules: Rules
) -> list[tuple[str, tuple[Glyph, ...]]]:
    """A page without ruled tables, line by line as pdfplumber's extract_text gives it,
    except that lines whose words stand in columns (a table without rulings, a header
    block in two columns) become rows of tab-joined cells (extract/layout.py)."""
    return _word_lines(*_words_and_chars(page), rules)


def _word_lines(
    words: list[Word], chars: dict[int, tuple[Glyph, ...]], rules: Rules
) -> list[tuple[str, tuple[Glyph, ...]]]:
    """Words as text lines (extract/layout.py), each with its words' characters as glyphs.
    A line holding the ends of figures wrapped from the line above is joined to it, with
    its glyphs."""
    lines = text_lines(words, tolerance=3)  # extract_text's default y tolerance
    height = median([w.bottom - w.top for w in words])
    out: list[tuple[str, tuple[Glyph, ...]]] = []
    of_word = chars.__getitem__
    for line, text in zip(lines, table_text_lines(lines, page_settings(rules, height)), strict=True):
        glyphs = tuple(chain.from_iterable(map(of_word, map(id, line))))
        if text is not None:
            out.append((text, glyphs))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + glyphs)
    return out


class _FastPages:
    """Plain pages (no vector graphics, so no ruled table; unrotated) read with pdfium
    (readers/pdfchars.py) in pdfplumber's geometry: the same lines, ten times faster.
    Any other page, or any page when pdfium cannot open the file, gives None."""

    def __init__(self, document: pdfium.PdfDocument) -> None:
        self._document = document
        self._advances = Advances()

    @classmethod
    def open(cls, data: bytes) -> "_FastPages":
        try:
            import pypdfium2 as pdfium

            return cls(pdfium.PdfDocument(data))
        except Exception:  # pdfplumber reads it, or says why it cannot
            return cls(None)

    def lines(self, number: int, rules: Rules) -> list[tuple[str, tuple[Glyph, ...]]] | None:
        if self._document is None or number > len(self._document):
            return None
        try:
            page = self._document[number - 1]
        except Exception:
            return None
        try:
            if not plain_page(page):
                return None
            chars = read_chars(page, self._advances)
            return None if chars is None else _word_lines(*char_words(chars), rules)
        except Exception:  # pdfplumber tries the page again, and reports it if it fails too
            return None
        finally:
            page.close()

    def __enter__(self) -> "_FastPages":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._document is not None:
            self._document.close()
