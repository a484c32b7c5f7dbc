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
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_scans.py"), str(generated), str(out),
                    "--only", SON_LA, DAKRONG], check=True, capture_output=True)
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
    assert (doc["status"], doc["method"], doc["format"]) == ("ok", "ocr", "pdf" if suffix.endswith(".pdf") else "image")
    assert doc["ocr_pages"] == list(range(1, doc["pages"] + 1)) and doc["ocr_confidence"] > 75
    amounts = _f1([a["value_million_vnd"] for a in text.tables["amounts"]],
                  [a["value_million_vnd"] for a in scan.tables["amounts"]])
    targets = _f1([(t["value"], t["unit"]) for t in text.tables["targets"]],
                  [(t["value"], t["unit"]) for t in scan.tables["targets"]])
    assert amounts >= 0.85 and targets >= 0.8, (amounts, targets)
    assert doc["doc_number"] == text.document["doc_number"]
    assert all(a["page"] in doc["ocr_pages"] for a in scan.tables["amounts"])  # facts keep their page


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


@pytest.mark.parametrize("text,usable", [
    ("Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024", True),
    ("ĐIỀ U KHO ẢN THỰ C HIỆ N CHƯƠ NG TRÌ NH MỤ C TIÊ U QUỐ C GIA GIẢ M NGHÈ O BỀ N VỮ NG", False),  # split diacritics
    ("Uû ban nh©n d©n tØnh ban hµnh KÕ ho¹ch thùc hiÖn Ch−¬ng tr×nh môc tiªu quèc gia", False),  # TCVN3 font
    ("12 3 4", False),  # no text layer to speak of
])
def test_text_layer_is_used_only_when_it_reads_as_vietnamese(rules, text, usable):
    assert OcrSettings.from_rules(rules).text_layer_usable(text) is usable


def test_ocr_confusions_in_units_are_repaired_and_reported(rules):
    page = OcrPage(["Kinh phí 415,6 trđ (trong đó NSTW 380,0 trở; NSĐP 25,6 trđ)", "phấn đấu 3% trở lên"], 90.0)
    lines, problems = repair_confusions(page, 2, OcrSettings.from_rules(rules))
    assert lines == ["Kinh phí 415,6 trđ (trong đó NSTW 380,0 trđ; NSĐP 25,6 trđ)", "phấn đấu 3% trở lên"]
    assert [(p.kind, p.page, p.severity) for p in problems] == [("ocr_repaired", 2, "info")]


def test_ocr_noise_in_numbers_is_read_only_where_unambiguous(extractor):
    rows = run_text(extractor, "Kinh phí thực hiện là 1.O25 triệu đồng.\n").tables
    assert [a["value_million_vnd"] for a in rows["amounts"]] == [1025.0]
    assert [c["kind"] for c in rows["checks"]] == ["repaired_number"]
