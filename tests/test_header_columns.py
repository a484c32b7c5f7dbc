"""Issue 13, class 14: the header block of an administrative document in two columns (the
layout of Nghị định 30/2020/NĐ-CP: issuer and number on the left, motto, place and date on
the right) gives its number, date and issuer in every format: a text export whose columns
stand apart by spaces, a borderless DOCX table (one row whose cells hold a paragraph per
line, or a row per line), and a PDF whose columns stand side by side. Each document is
made here."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# (left column, right column, the fields they give)
UBND = (
    ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "-------", "Số: 215/KH-UBND"],
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "---------------",
     "Quảng Ngãi, ngày 12 tháng 3 năm 2025"],
    {"doc_number": "215/KH-UBND", "issue_date": dt.date(2025, 3, 12), "issuer": "UBND tỉnh Quảng Ngãi",
     "province": "Quảng Ngãi", "plan_year": 2025},
)  # fmt: skip
HDND = (
    ["HỘI ĐỒNG NHÂN DÂN", "TỈNH KON TUM", "-----------", "Số: 09/2025/NQ-HĐND"],
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "---------------",
     "Kon Tum, ngày 22 tháng 4 năm 2025"],
    {"doc_number": "09/2025/NQ-HĐND", "issue_date": dt.date(2025, 4, 22), "issuer": "HĐND tỉnh Kon Tum",
     "province": "Kon Tum", "doc_type": "NQ"},
)  # fmt: skip
DISTRICT = (
    ["ỦY BAN NHÂN DÂN", "HUYỆN SỐP CỘP", "Số: 19/KH-UBND"],
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
     "Sốp Cộp, ngày 26 tháng 02 năm 2024"],
    {"doc_number": "19/KH-UBND", "issue_date": dt.date(2024, 2, 26), "issuer": "UBND huyện Sốp Cộp",
     "province": "Sơn La", "district": "Sốp Cộp"},
)  # fmt: skip
HEADERS = {"ubnd": UBND, "hdnd": HDND, "district": DISTRICT}
TITLE = {
    "ubnd": ["KẾ HOẠCH", "Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2025"],
    "hdnd": ["NGHỊ QUYẾT", "Quy định nguyên tắc phân bổ vốn Chương trình 1719 giai đoạn 2021 - 2025"],
    "district": ["KẾ HOẠCH", "Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024"],
}
BODY = [
    "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;",
    "I. MỤC TIÊU",
    "- Giảm tỷ lệ hộ nghèo 2%.",
]


def _check(doc: dict, want: dict) -> None:
    assert doc["status"] == "ok"
    assert {k: doc[k] for k in want} == want


def _spaced(left: list[str], right: list[str], indent: int = 0, width: int = 44) -> list[str]:
    """The two columns as a text export lays them out: each left line padded to WIDTH."""
    height = max(len(left), len(right))
    left = left + [""] * (height - len(left))
    right = right + [""] * (height - len(right))
    return [
        (" " * indent + a).ljust(width) + b if b else " " * indent + a
        for a, b in zip(left, right, strict=True)
    ]


@pytest.mark.parametrize("name", sorted(HEADERS))
@pytest.mark.parametrize("indent", [0, 2])
def test_text_with_columns_apart_by_spaces(extractor, name, indent):
    left, right, want = HEADERS[name]
    text = "\n".join(_spaced(left, right, indent) + [""] + TITLE[name] + [""] + BODY)
    _check(extractor.process(Path("plan.txt"), text.encode()).document, want)


def test_text_with_unwrapped_paragraphs_after_the_header(extractor):
    """Body paragraphs left unwrapped (hundreds of characters a line) do not push the right
    column's threshold past the header's own width."""
    left, right, want = UBND
    long = "Căn cứ Nghị định số 27/2022/NĐ-CP ngày 19 tháng 4 năm 2022 của Chính phủ quy định " * 4
    text = "\n".join(_spaced(left, right) + [""] + TITLE["ubnd"] + ["", long.strip() + ";"] + BODY)
    _check(extractor.process(Path("plan.txt"), text.encode()).document, want)


def test_text_with_a_right_column_longer_than_the_left(extractor):
    """The date on a line of its own, indented to the right column."""
    left, right, want = UBND
    lines = _spaced(left[:3], right[:3]) + [" " * 44 + right[3], left[3]]
    text = "\n".join(lines + [""] + TITLE["ubnd"] + [""] + BODY)
    _check(extractor.process(Path("plan.txt"), text.encode()).document, want)


def test_a_blank_number_is_not_split_as_columns(extractor):
    """ "Số:     /KH-UBND" (number left blank before signing) beside the date: the gap inside
    the number is not the column gap."""
    lines = _spaced(
        ["ỦY BAN NHÂN DÂN", "TỈNH ĐẮK NÔNG", "Số:     /KH-UBND"],
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Đắk Nông, ngày    tháng 3 năm 2024",
        ],
        width=48,
    )
    text = "\n".join(lines + [""] + TITLE["ubnd"] + [""] + BODY)
    doc = extractor.process(Path("plan.txt"), text.encode()).document
    assert (doc["doc_number"], doc["issue_date"], doc["issuer"]) == ("/KH-UBND", None, "UBND tỉnh Đắk Nông")


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_columns_run_together_on_each_line(extractor, name):
    """A scan or PDF that puts each left line and its right neighbour on one line with no
    wide gap: the motto is no part of the issuer, the date after the number is read."""
    left, right, want = HEADERS[name]
    height = max(len(left), len(right))
    left, right = left + [""] * (height - len(left)), right + [""] * (height - len(right))
    lines = [f"{a} {b}".strip() for a, b in zip(left, right, strict=True)]
    text = "\n".join(lines + [""] + TITLE[name] + [""] + BODY)
    _check(extractor.process(Path("plan.txt"), text.encode()).document, want)


def test_prose_with_wide_gaps_is_not_a_header(extractor):
    """One line with a wide gap is no column block: the number stays on its own line."""
    text = "\n".join(
        ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Số: 215/KH-UBND", "Quảng Ngãi, ngày 12 tháng 3 năm 2025", ""]
        + TITLE["ubnd"]
        + ["", "Căn cứ Luật Ngân sách nhà nước;          Căn cứ Nghị định số 27/2022/NĐ-CP;"]
        + BODY
    )
    _check(extractor.process(Path("plan.txt"), text.encode()).document, UBND[2])


def _borderless(table) -> None:
    from docx.oxml import parse_xml

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    sides = "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table._tbl.tblPr.append(parse_xml(f'<w:tblBorders xmlns:w="{w}">{sides}</w:tblBorders>'))


def _docx(left: list[str], right: list[str], title: list[str], one_row: bool) -> bytes:
    import docx

    document = docx.Document()
    if one_row:
        # Word's usual layout: one row, each cell a paragraph per line
        table = document.add_table(rows=1, cols=2)
        for cell, paragraphs in zip(table.rows[0].cells, (left, right), strict=True):
            cell.text = paragraphs[0]
            for p in paragraphs[1:]:
                cell.add_paragraph(p)
    else:
        height = max(len(left), len(right))
        table = document.add_table(rows=height, cols=2)
        for r in range(height):
            table.cell(r, 0).text = left[r] if r < len(left) else ""
            table.cell(r, 1).text = right[r] if r < len(right) else ""
    _borderless(table)
    for line in title + BODY:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", sorted(HEADERS))
@pytest.mark.parametrize("one_row", [True, False], ids=["one_row", "row_per_line"])
def test_docx_with_a_borderless_two_column_header_table(extractor, name, one_row):
    left, right, want = HEADERS[name]
    data = _docx(left, right, TITLE[name], one_row)
    _check(extractor.process(Path("plan.docx"), data).document, want)


def test_a_body_table_keeps_its_cells_whole(extractor):
    """Only a table before any text is read as the header block: a two-column table later
    in the document keeps each cell's paragraphs in one cell."""
    import docx

    from extract.readers.docx import read_docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Dự án 1"
    table.cell(0, 1).text = "Hỗ trợ đất ở"
    table.cell(0, 1).add_paragraph("và nhà ở")
    buffer = io.BytesIO()
    document.save(buffer)
    lines = read_docx(buffer.getvalue(), extractor.rules).lines
    assert lines == ["KẾ HOẠCH", "Dự án 1\tHỗ trợ đất ở và nhà ở"]


def _pdf(left: list[str], right: list[str], title: list[str], right_longer: bool) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    # each column drawn on its own, centred in its half, so its lines need not pair up
    for column, x, lines in ((0, pdf.l_margin, left), (1, pdf.l_margin + half * 0.8, right)):
        pdf.set_xy(x, top + (3 if right_longer and column == 1 else 0))
        for line in lines:
            pdf.set_x(x)
            pdf.cell(half * (0.8 if column == 0 else 1.2), 6, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, top + 6 * (max(len(left), len(right)) + 2))
    for line in title + BODY:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
@pytest.mark.parametrize("name", sorted(HEADERS))
@pytest.mark.parametrize("shifted", [False, True], ids=["lines_paired", "right_column_shifted"])
def test_pdf_with_two_columns_side_by_side(extractor, name, shifted):
    left, right, want = HEADERS[name]
    data = _pdf(left, right, TITLE[name], shifted)
    _check(extractor.process(Path("plan.pdf"), data).document, want)
