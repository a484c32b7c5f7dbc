"""Funding tables: our own appendices (corpus/) read from text, DOCX and PDF. Small
tables, one text each, are in tests/corpora/tables.yaml."""

import pytest

from tests.conftest import CORPUS

SON_LA = "kh_son_la_giam_ngheo_2024"
HA_GIANG = "kh_ha_giang_ba_chuong_trinh_2024"


def _table_rows(result):
    """Table figures with their parent's value, in a form that does not depend on line numbers."""
    rows = result.tables["amounts"]
    by_id = {r["amount_id"]: r for r in rows}
    return sorted(
        (
            r["value_million_vnd"],
            r["funding_source"] or "",
            r["capital_type"] or "",
            r["project"] or "",
            r["subproject"] or "",
            r["program"] or "",
            r["fiscal_year"] or 0,
            by_id[r["parent_amount_id"]]["value_million_vnd"] if r["parent_amount_id"] else 0.0,
        )
        for r in rows
        if r["unit_raw"] is None and r["unit_inferred"]
    )


@pytest.fixture(scope="module")
def son_la(extractor):
    return extractor.process_path(CORPUS / f"{SON_LA}.txt")


def _find(result, value, **attrs):
    hits = [
        r
        for r in result.tables["amounts"]
        if r["value_million_vnd"] == value
        and r["unit_raw"] is None
        and all(r[k] == v for k, v in attrs.items())
    ]
    assert len(hits) == 1, (value, attrs, hits)
    return hits[0]


def _value_of(result, amount_id):
    return next(r["value_million_vnd"] for r in result.tables["amounts"] if r["amount_id"] == amount_id)


def test_two_level_header_gives_source_and_capital_type(son_la):
    # "Ngân sách Trung ương" spans "Tổng số | Vốn ĐTPT | Vốn SN"
    investment = _find(son_la, 80120.0, subproject="1")
    assert (investment["funding_source"], investment["capital_type"], investment["project"]) == (
        "central",
        "investment",
        "1",
    )
    assert _value_of(son_la, investment["parent_amount_id"]) == 89673.0  # the row's NSTW total
    central = _find(son_la, 89673.0, subproject="1")
    assert (central["funding_source"], central["capital_type"]) == ("central", None)
    assert _value_of(son_la, central["parent_amount_id"]) == 98640.0  # the row's total
    local = _find(son_la, 8967.0)
    assert local["funding_source"] == "local" and _value_of(son_la, local["parent_amount_id"]) == 98640.0


def test_total_row_is_parent_of_the_rows_it_sums_across_a_page_break(son_la):
    grand = _find(son_la, 144200.0, funding_source=None)
    assert grand["parent_amount_id"] is None and grand["project"] is None
    # "Dự án 4" comes after the page break (and the repeated column-number row)
    project4 = _find(son_la, 20260.0)
    assert project4["project"] == "4" and project4["parent_amount_id"] == grand["amount_id"]
    sub3 = _find(son_la, 6050.0, subproject="3")
    assert _value_of(son_la, sub3["parent_amount_id"]) == 20260.0
    assert (sub3["measure"], sub3["fiscal_year"], sub3["program"]) == ("plan", 2024, "GNBV")


def test_table_unit_and_sums_are_checked(son_la):
    checks = son_la.tables["checks"]
    units = [c for c in checks if c["kind"] == "unit_missing"]
    assert len(units) == 1 and "Đơn vị tính: triệu đồng" in units[0]["message"]
    # the 6.050 row of the table does not add up (5.500 + 500), like the text above it
    table_line = next(
        r["line"]
        for r in son_la.tables["amounts"]
        if r["value_million_vnd"] == 6050.0 and r["unit_raw"] is None
    )
    mismatches = {(c["line"], c["expected"], c["actual"]) for c in checks if c["kind"] == "sum_mismatch"}
    assert (table_line, 6050.0, 6000.0) in mismatches
    assert len(mismatches) == 2  # the text's and the table's: every other row adds up


def test_document_total_reconciles_with_project_totals(son_la):
    rec = [c for c in son_la.tables["checks"] if c["kind"] == "total_reconciliation"]
    assert [(c["severity"], c["expected"], c["actual"]) for c in rec] == [("info", 144200.0, 144200.0)]


def test_ty_dong_table_with_program_rows(extractor):
    result = extractor.process_path(CORPUS / f"{HA_GIANG}.txt")
    ntm = _find(result, 592300.0)
    assert (ntm["program"], ntm["funding_source"]) == ("NTM", None)
    province = _find(result, 35642.0)
    assert (province["program"], province["funding_source"]) == ("GNBV", "province")
    grand = _find(result, 948720.0)
    assert grand["program"] is None and _value_of(result, ntm["parent_amount_id"]) == 948720.0


@pytest.mark.parametrize("stem", [SON_LA, HA_GIANG])
def test_pdf_and_docx_tables_read_like_the_text(extractor, generated, stem):
    """pdfplumber's ruled tables and Word tables (with a merged header cell) give the same
    figures, attributes and parents as the tab-separated text."""
    text = _table_rows(extractor.process_path(CORPUS / f"{stem}.txt"))
    assert len(text) >= 9
    assert _table_rows(extractor.process_path(generated / f"{stem}.docx")) == text
    assert _table_rows(extractor.process_path(generated / f"{stem}.pdf")) == text
