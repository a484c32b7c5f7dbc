"""The stages' seams: the rules a fact records (the `rules` column, `kehoach show --why`),
the reader registry, and the one provenance helper of every fact row."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.cli import main
from extract.document import Block, Line
from extract.pipeline import Extractor
from extract.readers import FORMATS, Format, ReadError, detect_format, format_of, read_document
from extract.rows import Provenance, rules_text
from extract.rules import load_rules
from tests.conftest import run_text

PLAN = "\n".join(
    [
        "ỦY BAN NHÂN DÂN TỈNH SƠN LA",
        "Số: 12/KH-UBND",
        "KẾ HOẠCH",
        "Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024",
        "I. MỤC TIÊU",
        "- Phấn đấu tỷ lệ hộ nghèo giảm từ 3% trở lên.",
        "- Hỗ trợ nhà ở cho khoảng 100% hộ nghèo.",
        "II. KINH PHÍ",
        "- Ngân sách Trung ương: 89.673 triệu đồng (vốn đầu tư phát triển: 80.120 triệu đồng; "
        "vốn sự nghiệp: 9.553 tr.đ).",
        "- Kinh phí giải ngân quỹ hỗ trợ đặc biệt của tỉnh là 1.250 triệu đồng.",
        "",
    ]
)

TABLE_PLAN = """KẾ HOẠCH
Phân bổ vốn năm 2025
Đơn vị tính: triệu đồng
STT\tNội dung\tTổng số\tNgân sách trung ương\tNgân sách tỉnh
1\tDự án 1\t1.500\t1.000\t500
2\tDự án 2\t800\t600\t200
"""


def _rules_of(rows: list[dict], raw: str) -> str:
    return next(r["rules"] for r in rows if r["raw_text"].replace("\n", " ") == raw)


def test_an_amount_names_the_rules_that_gave_its_unit_source_and_capital_type(extractor):
    amounts = run_text(extractor, PLAN).tables["amounts"]
    total = _rules_of(amounts, "89.673 triệu đồng")
    assert total == (
        'unit: money.yaml units "triệu đồng"; funding_source: money.yaml funding_source[central] '
        '"ngân sách trung ương"'
    )
    part = _rules_of(amounts, "9.553 tr.đ")
    assert 'unit: money.yaml units "tr.đ"' in part
    assert 'capital_type: money.yaml capital_type[recurrent] "vốn sự nghiệp"' in part
    # the part takes its source from its total: the same rule, said to be inherited
    assert 'funding_source: money.yaml funding_source[central] "ngân sách trung ương" (inherited)' in part
    measure = _rules_of(amounts, "1.250 triệu đồng")
    assert 'measure: money.yaml measure[disbursed] "giải ngân"' in measure


def test_a_rule_added_by_an_overlay_is_named_when_it_fires(tmp_path):
    (tmp_path / "money.yaml").write_text(
        "funding_source:\n  - {value: other, phrases: [quỹ hỗ trợ đặc biệt]}\n", encoding="utf-8"
    )
    amounts = run_text(Extractor(load_rules(tmp_path)), PLAN).tables["amounts"]
    row = next(r for r in amounts if r["raw_text"] == "1.250 triệu đồng")
    assert row["funding_source"] == "other"
    assert 'funding_source: money.yaml funding_source[other] "quỹ hỗ trợ đặc biệt"' in row["rules"]


def test_a_target_names_its_comparator_and_direction_rules(extractor):
    targets = run_text(extractor, PLAN).tables["targets"]
    three = next(t for t in targets if t["raw_text"] == "3%")
    assert three["rules"] == (
        'comparator: targets.yaml comparators_after[ge] "trở lên"; '
        'direction: targets.yaml direction[decrease] "giảm"'
    )
    about = next(t for t in targets if t["raw_text"] == "100%")
    assert about["comparator"] == "approx"
    assert about["rules"] == 'comparator: targets.yaml comparators[approx] "khoảng"'


def test_a_table_figure_names_its_unit_line_and_its_column_header(extractor):
    amounts = run_text(extractor, TABLE_PLAN).tables["amounts"]
    central = next(r for r in amounts if r["raw_text"] == "1.000")
    assert central["funding_source"] == "central"
    assert central["rules"] == (
        'unit: tables.yaml unit_line "triệu đồng"; funding_source: money.yaml '
        'funding_source[central] "ngân sách trung ương" in the column header'
    )
    total = next(r for r in amounts if r["raw_text"] == "1.500")
    assert total["rules"] == 'unit: tables.yaml unit_line "triệu đồng"'


def test_rules_text_lists_attributes_in_a_fixed_order_and_none_when_empty():
    assert rules_text({}) is None
    assert rules_text({"direction": "d", "zeta": "z", "unit": "u"}) == "unit: u; direction: d; zeta: z"


def test_show_why_prints_the_rules_under_each_fact(tmp_path, capsys):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    assert main(["show", str(plan), "--why"]) == 0
    out = capsys.readouterr().out
    assert '↳ funding_source: money.yaml funding_source[central] "ngân sách trung ương"' in out
    assert '↳ direction: targets.yaml direction[decrease] "giảm"' in out
    assert main(["show", str(plan)]) == 0
    assert "↳" not in capsys.readouterr().out


# ---- the reader registry --------------------------------------------------------------------
def test_every_registered_reader_resolves_to_a_function():
    for fmt in FORMATS:
        assert callable(fmt.read_function()), fmt.name
        assert set(fmt.takes) <= {"fmt", "rules", "ocr"}


def test_magic_wins_over_the_suffix_and_a_shared_magic_needs_its_suffix():
    assert detect_format(Path("scan.txt"), b"%PDF-1.7") == "pdf"
    assert detect_format(Path("plan.docm"), b"PK\x03\x04") == "docx"
    assert detect_format(Path("archive.zip"), b"PK\x03\x04") == "zip"
    assert detect_format(Path("ảnh.TIFF"), b"II*\x00") == "image"
    assert detect_format(Path("README"), b"") == "unknown"


def test_a_new_format_is_one_entry(rules):
    csv = Format("csv", (".csv",), "text.read_text", ("fmt", "rules"), shown=".csv")
    assert format_of(Path("bang.csv"), b"", FORMATS + (csv,)) is csv
    assert format_of(Path("bang.csv"), b"") is None
    with pytest.raises(ReadError, match=r"supported: \.txt, \.md, \.docx, \.pdf, and images"):
        read_document(Path("bang.csv"), b"a,b\n", rules)


def test_an_image_is_refused_when_ocr_is_off(rules):
    with pytest.raises(ReadError, match="an image needs OCR"):
        read_document(Path("trang.png"), b"\x89PNG\r\n", rules, ocr="never")


# ---- provenance -----------------------------------------------------------------------------
def test_provenance_gives_the_same_columns_for_any_fact_and_spans_lines():
    raw = ["Tổng kinh phí là 1.250", "triệu đồng."]
    lines = [
        Line(i, r, r, list(range(len(r) + 1)), None, sum(len(x) + 1 for x in raw[:i]))
        for i, r in enumerate(raw)
    ]
    text = raw[0] + " " + raw[1]
    cols = [(0, c) for c in range(len(raw[0]))] + [(0, len(raw[0]))] + [(1, c) for c in range(len(raw[1]))]
    block = Block(text, cols, [0, 1])
    where = Provenance("d1", lines)
    start = text.index("1.250")
    fact = where(block, start, text.index("đồng") + 4, None)
    assert fact == {
        "doc_id": "d1",
        "section_id": None,
        "line": 1,
        "page": None,
        "char_start": start,
        "char_end": start + len("1.250 triệu đồng"),  # a span across lines ends as long as it is
        "raw_text": "1.250\ntriệu đồng",
    }
    assert where(block, start, start, None)["raw_text"] == ""  # no text of its own
