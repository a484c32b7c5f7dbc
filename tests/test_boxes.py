"""Where a fact stands on its page (extract/boxes.py): the bbox columns of amounts, targets
and sections, from a PDF's text layer and from Tesseract's words on a scan; null for
formats without pages."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from extract.boxes import BOX_COLUMNS, Glyph, LineBoxes, character_boxes, fact_box
from extract.document import Line
from tests.conftest import ROOT, run_text

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PLAN = [
    "KẾ HOẠCH",
    "Thực hiện Chương trình MTQG giảm nghèo bền vững năm 2024",
    "I. MỤC TIÊU",
    "Phấn đấu giảm tỷ lệ hộ nghèo xuống dưới 3,5% trong năm 2024.",
    "II. KINH PHÍ",
    "Tổng kinh phí thực hiện là 12.480,50 triệu đồng.",
]
FIGURE = "12.480,50"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _written_pdf(path, lines: list[str], size: float = 11) -> dict[str, tuple[float, float, float]]:
    """Each line written at a known place (points, origin top left): {text: (x, baseline, size)}."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.add_font("DejaVu", "", FONT)
    pdf.set_font("DejaVu", size=size)
    placed = {}
    y = 100.0
    for text in lines:
        pdf.text(72, y, text)
        placed[text] = (72.0, y, size)
        y += 2 * size
    pdf.output(str(path))
    return placed


def _box(row: dict) -> tuple[float, float, float, float]:
    return row["bbox_x0"], row["bbox_y0"], row["bbox_x1"], row["bbox_y1"]


# ---- pure functions ----------------------------------------------------------------------
def test_each_character_gets_its_share_of_its_word():
    glyphs = [Glyph("Tổng", 10, 5, 50, 15), Glyph("12.480,50", 60, 5, 150, 15, confidence=88.0)]
    boxes = character_boxes("Tổng 12.480,50", glyphs)
    assert boxes[4] is None  # the space
    assert (boxes[5].x0, boxes[5].x1) == (60, 70)  # nine characters over 90 points
    assert (boxes[13].x0, boxes[13].x1) == (140, 150) and boxes[13].confidence == 88.0


def test_a_decomposed_word_and_an_ocr_repair_keep_their_boxes():
    # the text layer wrote "hộ" as o + two combining marks; OCR read "1O" where "10" stands
    decomposed = "ho\u0323\u0302"
    boxes = character_boxes(
        "hộ 10 tỷ", [Glyph(decomposed, 0, 0, 20, 10), Glyph("1O", 30, 0, 50, 10), Glyph("tỷ", 60, 0, 80, 10)]
    )
    assert [b.x0 if b else None for b in boxes] == [0, 10, None, 30, 40, None, 60, 70]


def test_a_fact_over_two_lines_gets_the_union_of_its_lines_on_its_page():
    lines = [
        Line(0, "kinh phí 1.200", "", [], 1, 0),
        Line(1, "triệu đồng", "", [], 1, 15),
        Line(2, "tiếp", "", [], 2, 26),
    ]
    glyphs = {
        0: (Glyph("kinh", 0, 0, 20, 10), Glyph("phí", 25, 0, 40, 10), Glyph("1.200", 100, 0, 125, 10)),
        1: (Glyph("triệu", 5, 12, 30, 22), Glyph("đồng", 35, 12, 55, 22)),
        2: (Glyph("tiếp", 0, 0, 20, 10),),
    }
    row = {"line": 1, "char_start": 9, "char_end": 20, "raw_text": "1.200\ntriệu đồng"}
    box = fact_box(LineBoxes(lines, glyphs), row, lines)
    assert (box.page, box.x0, box.y0, box.x1, box.y1) == (1, 5, 0, 125, 22)
    one_line = fact_box(LineBoxes(lines, glyphs), dict(row, char_end=14, raw_text="1.200"), lines)
    assert (one_line.x0, one_line.x1, one_line.y1) == (100, 125, 10)


# ---- text-layer PDFs -----------------------------------------------------------------------
def test_a_pdf_figure_is_boxed_where_it_was_written(extractor, tmp_path):
    from fpdf import FPDF

    placed = _written_pdf(tmp_path / "plan.pdf", PLAN)
    result = extractor.process_path(tmp_path / "plan.pdf")
    (amount,) = result.tables["amounts"]
    line = PLAN[-1]
    x, baseline, size = placed[line]
    measure = FPDF(unit="pt")
    measure.add_font("DejaVu", "", FONT)
    measure.set_font("DejaVu", size=size)
    left = x + measure.get_string_width(line[: line.index(FIGURE)])
    right = x + measure.get_string_width(line[: line.index("triệu đồng") + len("triệu đồng")])
    x0, y0, x1, y1 = _box(amount)
    assert amount["bbox_page"] == 1
    assert x0 == pytest.approx(left, abs=1.5) and x1 == pytest.approx(right, abs=1.5)
    assert y0 < baseline < y1 and y1 - y0 == pytest.approx(size, abs=2)
    (target,) = result.tables["targets"]
    assert target["raw_text"] == "3,5%" and target["bbox_y1"] < y0  # the line above
    assert target["ocr_confidence"] is None
    headings = {s["title"]: s for s in result.tables["sections"]}
    assert headings["KINH PHÍ"]["bbox_x0"] == pytest.approx(72, abs=1)
    assert headings["MỤC TIÊU"]["bbox_y1"] < target["bbox_y0"]
    doc = result.tables["documents"][0]
    assert doc["page_widths"] == [pytest.approx(595.28, abs=0.01)]
    assert doc["page_heights"] == [pytest.approx(841.89, abs=0.01)]


def test_every_pdf_figure_box_holds_the_figure_pdfium_finds(extractor, tmp_path):
    """A corpus plan with a ruled table over a page break, written as the corpus's PDFs are:
    each amount's box holds the place where pdfium (not pdfplumber, which the reader uses)
    finds its text on that page."""
    import pypdfium2 as pdfium

    formats = _script("make_corpus_formats")
    source = ROOT / "corpus" / "kh_son_la_giam_ngheo_2024.txt"
    pdf_path = tmp_path / "plan.pdf"
    formats.write_pdf(formats.plain_lines(source), pdf_path)
    result = extractor.process_path(pdf_path)
    amounts = result.tables["amounts"]
    assert amounts and all(a["bbox_page"] == a["page"] for a in amounts)
    tabled = [a for a in amounts if a["from_table"]]
    assert tabled, "the plan's funding table"
    document = pdfium.PdfDocument(pdf_path)
    checked = 0
    for a in amounts:
        figure = a["raw_text"].split()[0]
        page = document[a["page"] - 1]
        height = page.get_height()
        text = page.get_textpage()
        found = []
        searcher = text.search(figure, match_case=True)
        while (hit := searcher.get_next()) is not None:
            left, bottom, right, top = text.get_charbox(hit[0])
            found.append((left, height - top, height - bottom))
        x0, y0, x1, y1 = _box(a)
        assert any(x0 - 1.5 <= fx <= x1 and y0 - 1.5 <= ft and fb <= y1 + 1.5 for fx, ft, fb in found), a
        checked += 1
    assert checked == len(amounts)


# ---- scans ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_a_scanned_figure_is_boxed_over_its_word(extractor, tmp_path):
    import pypdfium2 as pdfium

    placed = _written_pdf(tmp_path / "plan.pdf", PLAN, size=12)
    dpi = 200
    image = pdfium.PdfDocument(tmp_path / "plan.pdf")[0].render(scale=dpi / 72).to_pil().convert("L")
    image.save(tmp_path / "plan.png", dpi=(dpi, dpi))
    result = extractor.process_path(tmp_path / "plan.png")
    (amount,) = [a for a in result.tables["amounts"] if a["raw_text"].startswith(FIGURE)]
    x, baseline, size = placed[PLAN[-1]]
    x0, y0, x1, y1 = _box(amount)
    assert amount["bbox_page"] == 1 and amount["ocr_confidence"] is not None
    assert y0 < baseline < y1 and x0 > x + 100 and x1 - x0 > 60  # on the figure's line, right of "Tổng"
    # in points: the page's width at 200 dpi is the PDF's own
    doc = result.tables["documents"][0]
    assert doc["page_widths"][0] == pytest.approx(595.3, abs=0.5)
    targets = [t for t in result.tables["targets"] if t["raw_text"] == "3,5%"]
    assert targets and targets[0]["ocr_confidence"] is not None and targets[0]["bbox_y1"] < y0


# ---- no page image -------------------------------------------------------------------------
def test_text_and_docx_have_no_boxes(extractor, tmp_path):
    text = run_text(extractor, "\n".join(PLAN))
    formats = _script("make_corpus_formats")
    formats.write_docx(PLAN, tmp_path / "plan.docx")
    docx = extractor.process_path(tmp_path / "plan.docx")
    for result in (text, docx):
        rows = [r for t in ("amounts", "targets", "sections") for r in result.tables[t]]
        assert len(result.tables["amounts"]) == 1 and result.tables["sections"]
        assert all(r[c] is None for r in rows for c in BOX_COLUMNS)
        assert result.tables["documents"][0]["page_widths"] is None


def test_union_is_the_plain_union_of_its_boxes():
    """union (min and max over the glyphs' columns) against the box written out glyph by
    glyph: gaps (None), OCR confidences among None, ties, one glyph, none."""
    import random

    from extract.boxes import Box, union

    def plain(boxes: list[Glyph | None], page: int) -> Box | None:
        known = [b for b in boxes if b is not None]
        if not known:
            return None
        confidences = [b.confidence for b in known if b.confidence is not None]
        return Box(
            page,
            min(b.x0 for b in known),
            min(b.top for b in known),
            max(b.x1 for b in known),
            max(b.bottom for b in known),
            min(confidences) if confidences else None,
        )

    rng = random.Random(5)
    for _ in range(300):
        boxes: list[Glyph | None] = []
        for _ in range(rng.randint(0, 12)):
            if rng.random() < 0.2:
                boxes.append(None)
                continue
            x0, top = rng.choice([1.0, 2.5, rng.uniform(0, 500)]), rng.choice([3.0, rng.uniform(0, 800)])
            confidence = rng.choice([None, None, 12.0, 87.5, rng.uniform(0, 100)])
            boxes.append(Glyph("a", x0, top, x0 + rng.uniform(0, 9), top + rng.uniform(0, 12), confidence))
        assert union(boxes, 3) == plain(boxes, 3)


def test_a_line_box_is_the_union_of_its_inked_glyphs():
    """LineBoxes.line leaves out the glyphs whose text is whitespace (or empty), as the
    plain filter over the glyphs does."""
    import random

    from extract.boxes import union

    rng = random.Random(9)
    lines = [Line(k, "x", "", [], 1, 2 * k) for k in range(50)]
    glyphs = {
        k: [
            Glyph(rng.choice(["a", " ", "\u00a0", "", "ab", " b ", "\t"]), x, 1.0, x + 4.0, 11.0)
            for x in (rng.uniform(0, 400) for _ in range(rng.randint(0, 8)))
        ]
        for k in range(50)
    }
    boxes = LineBoxes(lines, glyphs)
    for k in range(50):
        assert boxes.line(k) == union([g for g in glyphs[k] if g.text.strip()], 1)
