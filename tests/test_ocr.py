"""Scanned plans: OCR with Tesseract's Vietnamese model, on scans we make of our own plans."""

import subprocess
import sys
from collections import Counter

import pytest

from extract.readers.ocr import OcrPage, OcrSettings, repair_confusions
from tests.conftest import CORPUS, ROOT, run_text

SON_LA = "kh_son_la_giam_ngheo_2024"  # three pages, a ruled funding table over a page break
DAKRONG = "kh_dakrong_dtts_2024"  # OCR-noisy headings, a malformed number


@pytest.fixture(scope="session")
def scans(generated, tmp_path_factory):
    out = tmp_path_factory.mktemp("scans")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_scans.py"),
            str(generated),
            str(out),
            "--only",
            SON_LA,
            DAKRONG,
        ],
        check=True,
        capture_output=True,
    )
    return out


def _f1(want, got):
    tp = sum((Counter(want) & Counter(got)).values())
    p, r = tp / max(len(got), 1), tp / max(len(want), 1)
    return 2 * p * r / (p + r) if p + r else 0.0


@pytest.mark.parametrize("stem,suffix", [(SON_LA, ".scan.pdf"), (DAKRONG, ".tif")])
def test_scans_give_the_facts_of_the_text(extractor, scans, stem, suffix):
    text = extractor.process_path(CORPUS / f"{stem}.txt")
    scan = extractor.process_path(scans / f"{stem}{suffix}")
    doc = scan.document
    assert (doc["method"], doc["format"]) == ("ocr", "pdf" if suffix.endswith(".pdf") else "image")
    # a sum that fails on a scan (both plans have one of their own) makes it partial
    sums = [c for c in scan.tables["checks"] if c["kind"] == "sum_mismatch"]
    assert doc["status"] == ("partial" if sums else "ok")
    assert doc["ocr_pages"] == list(range(1, doc["pages"] + 1)) and doc["ocr_confidence"] > 75
    amounts = _f1(
        [a["value_million_vnd"] for a in text.tables["amounts"]],
        [a["value_million_vnd"] for a in scan.tables["amounts"]],
    )
    targets = _f1(
        [(t["value"], t["unit"]) for t in text.tables["targets"]],
        [(t["value"], t["unit"]) for t in scan.tables["targets"]],
    )
    assert amounts >= 0.85 and targets >= 0.8, (amounts, targets)
    for field in ("doc_number", "issue_date", "issuer", "province", "programs", "plan_year"):
        assert doc[field] == text.document[field], field
    assert all(a["page"] in doc["ocr_pages"] for a in scan.tables["amounts"])  # facts keep their page
    assert all(0 <= a["ocr_confidence"] <= 100 for a in scan.tables["amounts"])
    assert all(a["ocr_confidence"] is None for a in text.tables["amounts"])


def test_scanned_table_is_read_as_a_table(extractor, scans):
    scan = extractor.process_path(scans / f"{SON_LA}.scan.pdf")
    table = [a for a in scan.tables["amounts"] if a["unit_raw"] is None]
    assert len(table) >= 25  # of 31 cells in the text version
    assert any(c["kind"] == "unit_missing" and "Đơn vị tính" in c["message"] for c in scan.tables["checks"])
    # the "Dự án 4" row, after the page break, still places its figures under project 4
    assert {a["project"] for a in table if a["value_million_vnd"] == 18418.0} == {"4"}


def test_ocr_never_leaves_scans_unread(scans, rules):
    from extract.pipeline import Extractor

    never = Extractor(rules, ocr="never")
    pdf = never.process_path(scans / f"{SON_LA}.scan.pdf")
    assert pdf.document["status"] == "partial" and pdf.document["method"] == "pdf_text"
    assert {c["kind"] for c in pdf.tables["checks"]} == {"unreadable_page"}
    tif = never.process_path(scans / f"{DAKRONG}.tif")
    assert tif.document["status"] == "failed" and "--ocr never" in tif.document["error"]


def test_a_pdf_with_text_and_scanned_pages_is_mixed(extractor, generated, scans, tmp_path):
    import pypdfium2 as pdfium

    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(generated / f"{DAKRONG}.pdf"), [0])
    mixed.import_pages(pdfium.PdfDocument(scans / f"{DAKRONG}.scan.pdf"), [1])
    target = tmp_path / "mixed.pdf"
    mixed.save(target)
    doc = extractor.process_path(target).document
    assert (doc["method"], doc["ocr_pages"]) == ("mixed", [2])


@pytest.mark.parametrize(
    "text,usable",
    [
        (
            "Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024",
            True,
        ),
        (
            "ĐIỀ U KHO ẢN THỰ C HIỆ N CHƯƠ NG TRÌ NH MỤ C TIÊ U QUỐ C GIA GIẢ M NGHÈ O BỀ N VỮ NG",
            False,
        ),  # split diacritics
        (
            "Uû ban nh©n d©n tØnh ban hµnh KÕ ho¹ch thùc hiÖn Ch−¬ng tr×nh môc tiªu quèc gia",
            False,
        ),  # TCVN3 font
        ("12 3 4", False),  # no text layer to speak of
    ],
)
def test_text_layer_is_used_only_when_it_reads_as_vietnamese(rules, text, usable):
    assert OcrSettings.from_rules(rules).text_layer_usable(text) is usable


@pytest.mark.parametrize(
    "read,meant",
    [
        ("NSĐP 25,6 trở)", "NSĐP 25,6 trđ)"),
        ("NSTW: 45,5trd;", "NSTW: 45,5trđ;"),
        ("vốn 12,0 tr đ (SN)", "vốn 12,0 trđ (SN)"),
        ("vốn 1.254,0tr₫", "vốn 1.254,0trđ"),
        ("NSĐP 25,6 trdủ)", "NSĐP 25,6 trđ)"),
        ("201.500 triệu động,", "201.500 triệu đồng,"),
        ("thu nhập 42 triêu đồng", "thu nhập 42 triệu đồng"),
        ("412,3 tỷ dồng", "412,3 tỷ đồng"),
        ("50 tý đồng", "50 tỷ đồng"),
        ("phát triển: 80. 120 triệu đồng", "phát triển: 80.120 triệu đồng"),
        ("Trồng rừng mới đạt 350 Ha; tỷ lệ", "Trồng rừng mới đạt 350 ha; tỷ lệ"),
        ("- +- Lũy kế 41/58 thôn", "- Lũy kế 41/58 thôn"),
        ("PHẦN I | | |", "PHẦN I"),
    ],
)
def test_every_scanned_form_of_the_units_is_repaired(rules, read, meant):
    lines, problems = repair_confusions(OcrPage([read], 90.0), 1, OcrSettings.from_rules(rules))
    assert lines == [meant] and [p.kind for p in problems] == ["ocr_repaired"]


@pytest.mark.parametrize(
    "text",
    [
        "từ năm 2025 trở đi",
        "đạt 55% trở lên",
        "1.254,0trđ.",
        "50 tỉ đồng",
        "năm 80. 120 người",
        "tỉnh Hà Giang",
        "- Hạ tầng",
        "NSTW | NSĐP",
    ],
)
def test_right_readings_are_left_alone(rules, text):
    assert repair_confusions(OcrPage([text], 90.0), 1, OcrSettings.from_rules(rules)) == ([text], [])


def test_a_unit_wrapped_onto_the_next_line_sees_its_figure(rules):
    page = OcrPage(["(trong đó NSTW 380,0 trđ; NSĐP 25,6", "trdủ) và", "trở lên"], 90.0)
    lines, problems = repair_confusions(page, 1, OcrSettings.from_rules(rules))
    assert lines == ["(trong đó NSTW 380,0 trđ; NSĐP 25,6", "trđ) và", "trở lên"] and len(problems) == 1


@pytest.mark.parametrize(
    "first,second,styles,unsure,taken",
    [
        ("5923", "592,3", {(False, True)}, False, True),  # a lost decimal comma, as the page writes them
        ("5923", "592,3", {(True, False)}, False, False),  # the page writes no decimal commas
        ("1o", "14.210", {(True, False)}, False, True),  # no number at first: any well-formed one
        ("160", "180", {(False, False)}, False, False),  # other digits: not taken from a look...
        ("160", "180", {(False, False)}, True, True),  # ...unless the first was a guess and the second sure
        ("12o‡g", "12.9.18", {(True, False)}, False, False),  # not a well-formed number
    ],
)
def test_a_second_look_is_taken_only_when_it_agrees(first, second, styles, unsure, taken):
    from extract.readers.ocr import _agrees

    assert _agrees(first, second, styles, unsure) is taken


def test_a_planted_tenfold_misreading_in_a_scanned_table_is_named(extractor, tmp_path):
    """A plan whose table prints 512,3 as "5123" (a lost comma), scanned: the sums of its
    row and its column fail, and their checks name that figure."""
    import importlib.util

    def script(name):
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    lines = [
        "ỦY BAN NHÂN DÂN",
        "TỈNH LAI CHÂU",
        "",
        "Số: 12/KH-UBND",
        "",
        "Lai Châu, ngày 3 tháng 4 năm 2025",
        "",
        "KẾ HOẠCH",
        "Phân bổ vốn các Chương trình mục tiêu quốc gia năm 2025",
        "",
        "Biểu số 01",
        "ĐVT: tỷ đồng",
        "STT\tChương trình\tTổng số\tNgân sách Trung ương\tNgân sách tỉnh",
        "\tTổng cộng\t864,5\t640,2\t224,3",
        "1\tChương trình mục tiêu quốc gia xây dựng nông thôn mới\t5123\t368,1\t144,2",
        "2\tChương trình mục tiêu quốc gia giảm nghèo bền vững\t352,2\t272,1\t80,1",
        "",
        "",
        "",
        "",
        "",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "",
        "",
        "Nguyễn Văn An",
    ]  # the stamp goes here
    script("make_corpus_formats").write_pdf(lines, tmp_path / "plan.pdf")
    scan, _ = script("make_scans").write_scans(tmp_path / "plan.pdf", tmp_path, 300)
    result = extractor.process_path(scan)
    assert result.document["status"] == "partial"
    sums = [c for c in result.tables["checks"] if c["kind"] == "sum_mismatch"]
    assert sums and all(
        "most likely misread is '5123'" in c["message"] and "512.3" in c["message"] for c in sums
    )
    planted = [a for a in result.tables["amounts"] if a["value_million_vnd"] == 5123000.0]
    assert len(planted) == 1 and planted[0]["ocr_confidence"] is not None


def test_ocr_confusions_in_units_are_repaired_and_reported(rules):
    page = OcrPage(
        ["Kinh phí 415,6 trđ (trong đó NSTW 380,0 trở; NSĐP 25,6 trđ)", "phấn đấu 3% trở lên"], 90.0
    )
    lines, problems = repair_confusions(page, 2, OcrSettings.from_rules(rules))
    assert lines == ["Kinh phí 415,6 trđ (trong đó NSTW 380,0 trđ; NSĐP 25,6 trđ)", "phấn đấu 3% trở lên"]
    assert [(p.kind, p.page, p.severity) for p in problems] == [("ocr_repaired", 2, "info")]


def test_ocr_noise_in_numbers_is_read_only_where_unambiguous(extractor):
    rows = run_text(extractor, "Kinh phí thực hiện là 1.O25 triệu đồng.\n").tables
    assert [a["value_million_vnd"] for a in rows["amounts"]] == [1025.0]
    assert [c["kind"] for c in rows["checks"]] == ["repaired_number"]
