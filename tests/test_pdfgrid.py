"""Pages with vector graphics read from pdfminer's layout without pdfplumber's page
objects (extract/readers/pdfgrid.py) give exactly what pdfplumber's page gives: the
same characters and edges (to the last bit), the same tables, words and lines, so the
reader's lines and glyph boxes are the same."""

from __future__ import annotations

import pdfplumber
import pypdfium2 as pdfium

from extract.readers.pdf import _page_lines
from extract.readers.pdfchars import plain_page
from extract.readers.pdfgrid import light_page

KEYS = ("text", "x0", "x1", "top", "bottom", "upright")
EDGE_KEYS = ("x0", "x1", "top", "bottom", "width", "height", "orientation")


def _graphic_pages(path) -> list[int]:
    document = pdfium.PdfDocument(path)
    return [n for n, page in enumerate(document) if not plain_page(page)]


def test_ruled_pages_read_as_pdfplumber_reads_them(generated, rules):
    checked = tables = 0
    for path in sorted(generated.glob("*.pdf")):
        numbers = _graphic_pages(path)
        if not numbers:
            continue
        with pdfplumber.open(path) as pdf:
            for n in numbers:
                page = pdf.pages[n]
                light = light_page(page)
                assert light is not None
                assert [tuple(c[k] for k in KEYS) for c in light.chars] == [
                    tuple(c[k] for k in KEYS) for c in page.chars
                ]
                assert [tuple(e[k] for k in EDGE_KEYS) for e in light.edges] == [
                    tuple(e[k] for k in EDGE_KEYS) for e in page.edges
                ]
                found = light.find_tables()
                assert [t.bbox for t in found] == [t.bbox for t in page.find_tables()]
                assert [t.extract() for t in found] == [t.extract() for t in page.find_tables()]
                assert _page_lines(light, rules) == _page_lines(page, rules)
                checked += 1
                tables += len(found)
    assert checked >= 3 and tables >= 3  # the corpus's PDFs print their tables ruled


def test_a_rule_under_a_heading_is_no_table(tmp_path, rules):
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=11)
    pdf.text(60, 80, "Kế hoạch thực hiện năm 2025")
    pdf.line(60, 90, 400, 90)
    pdf.text(60, 120, "Tổng kinh phí: 12.480,50 triệu đồng")
    pdf.output(str(tmp_path / "rule.pdf"))
    with pdfplumber.open(tmp_path / "rule.pdf") as document:
        page = document.pages[0]
        light = light_page(page)
        assert light is not None and len(light.edges) == 1
        assert light.find_tables() == []
        lines = _page_lines(light, rules)
        assert lines == _page_lines(page, rules)
        assert [text for text, _ in lines] == [
            "Kế hoạch thực hiện năm 2025",
            "Tổng kinh phí: 12.480,50 triệu đồng",
        ]


def test_turned_or_cropped_pages_are_left_to_pdfplumber(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=11)
    pdf.text(60, 80, "Tổng kinh phí")
    pdf.output(str(tmp_path / "page.pdf"))
    document = pdfium.PdfDocument(tmp_path / "page.pdf")
    document[0].set_rotation(90)
    document.save(tmp_path / "turned.pdf")
    with pdfplumber.open(tmp_path / "turned.pdf") as turned:
        assert light_page(turned.pages[0]) is None
    with pdfplumber.open(tmp_path / "page.pdf") as plain:
        assert light_page(plain.pages[0].crop((0, 0, 300, 300))) is None
