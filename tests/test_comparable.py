"""Comparable figures: plans (versions grouped), allocations that never double count,
places across the 2025 merger, official indicators, the shipped data dictionary,
describe / datapackage / export / sql."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest

from extract.batch import run
from extract.cli import main
from extract.dictionary import dictionary
from extract.frames import read_arrow, read_frame
from extract.metadata import plan_id
from extract.places import Places, ProvincePlace
from extract.query import QueryRefused
from extract.query import run as sql
from extract.schema import TABLES
from tests.conftest import CORPUS, ROOT

# the corpus plans (kh_*: Kế hoạch) whose figures this file writes down; the real-shape
# documents (tvpl_, nq_, tin_, web_) have their own expected facts in tests/expected
TEXT_PLANS = sorted(p for p in CORPUS.glob("kh_*") if p.suffix in (".txt", ".md"))


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus_out")
    run(TEXT_PLANS, out, jobs=1)
    return out


def _allocations(out: Path) -> dict[str, set[tuple]]:
    """Per plan (by a file name of it): (program, level, item, fs, ct, measure, year, value, status)."""
    result = sql(
        out,
        """
        SELECT p.source_name, a.program, a.level, coalesce(a.canonical_code, ''), coalesce(a.funding_source, ''),
               coalesce(a.capital_type, ''), a.measure, a.fiscal_year, a.value_million_vnd, a.status
        FROM allocations a JOIN documents p ON p.doc_id = a.doc_id""",
    )
    out_rows: dict[str, set[tuple]] = {}
    for name, *row in result.rows:
        out_rows.setdefault(name, set()).add(tuple(row))
    return out_rows


# What a person reads from each plan of corpus/ (triệu đồng): every figure once, totals and
# parts at their own level, carry-overs and last year's results with their own year.
OK, CONFLICT = "consistent", "conflict"
EXPECTED = {
    "kh_dakrong_dtts_2024.txt": {
        ("DTTS", "program", "", "", "", "disbursed", 2023, 61250, OK),
        ("DTTS", "program", "", "", "", "plan", 2024, 3096, OK),
        ("DTTS", "project", "DTTS.DA1", "", "investment", "plan", 2024, 2150, OK),
        ("DTTS", "project", "DTTS.DA1", "central", "investment", "plan", 2024, 2047.6, OK),
        # "1.0,4trđ" is malformed: no local figure (a malformed_number check says so)
        ("DTTS", "project", "DTTS.DA1", "", "recurrent", "carryover", 2023, 322, OK),
        ("DTTS", "project", "DTTS.DA1", "central", "recurrent", "carryover", 2023, 310.5, OK),
        ("DTTS", "project", "DTTS.DA1", "local", "recurrent", "carryover", 2023, 11.5, OK),
        ("DTTS", "project", "DTTS.DA5", "", "recurrent", "plan", 2024, 624, OK),
        ("DTTS", "project", "DTTS.DA5", "central", "recurrent", "plan", 2024, 578, OK),
        ("DTTS", "project", "DTTS.DA5", "local", "recurrent", "plan", 2024, 36, OK),
        # 415,6 written, its parts 380,0 + 25,6 = 405,6
        ("DTTS", "subproject", "DTTS.DA5.TDA1", "", "recurrent", "plan", 2024, 415.6, CONFLICT),
        ("DTTS", "subproject", "DTTS.DA5.TDA1", "central", "recurrent", "plan", 2024, 380, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA1", "local", "recurrent", "plan", 2024, 25.6, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA3", "", "recurrent", "plan", 2024, 208.4, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA3", "central", "recurrent", "plan", 2024, 198, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA3", "local", "recurrent", "plan", 2024, 10.4, OK),
    },
    "kh_ha_giang_ba_chuong_trinh_2024.txt": {
        (None, "plan", "", "", "", "plan", 2024, 948720, OK),
        (None, "plan", "", "central", "", "plan", 2024, 733078, OK),
        (None, "plan", "", "province", "", "plan", 2024, 215642, OK),
        ("NTM", "program", "", "", "", "plan", 2024, 1250500, OK),
        # the appendix's 592,3 tỷ is the state budget only ("không gồm vốn tín dụng và vốn nhân dân")
        ("NTM", "program", "", "state_budget", "", "plan", 2024, 592300, OK),
        ("NTM", "program", "", "central", "", "plan", 2024, 412300, OK),
        ("NTM", "program", "", "central", "investment", "plan", 2024, 412300, OK),
        ("NTM", "program", "", "province", "", "plan", 2024, 180000, OK),
        ("NTM", "program", "", "province", "recurrent", "plan", 2024, 180000, OK),
        ("NTM", "program", "", "credit", "", "plan", 2024, 608200, OK),
        ("NTM", "program", "", "community", "", "plan", 2024, 50000, OK),
        ("GNBV", "program", "", "", "", "plan", 2024, 356420, OK),
        ("GNBV", "program", "", "central", "", "plan", 2024, 320778, OK),
        ("GNBV", "program", "", "central", "investment", "plan", 2024, 201500, OK),
        ("GNBV", "program", "", "central", "recurrent", "plan", 2024, 119278, OK),
        ("GNBV", "program", "", "province", "", "plan", 2024, 35642, OK),
    },
    "kh_quang_tri_dtts_2025.md": {
        # 86.300 includes 4.100 carried over: plan-year funds are 48.000 + 34.200
        ("DTTS", "program", "", "", "", "plan_with_carryover", 2025, 86300, OK),
        ("DTTS", "program", "", "", "investment", "plan_with_carryover", 2025, 52100, OK),
        ("DTTS", "program", "", "", "investment", "carryover", 2025, 4100, OK),
        ("DTTS", "program", "", "", "investment", "plan", 2025, 48000, OK),
        ("DTTS", "program", "", "", "recurrent", "plan", 2025, 34200, OK),
        ("DTTS", "program", "", "", "", "plan", 2025, 82200, OK),
        ("DTTS", "project", "DTTS.DA3", "", "", "plan", 2025, 12480.5, OK),
        ("DTTS", "project", "DTTS.DA3", "", "investment", "plan", 2025, 0, OK),
        ("DTTS", "project", "DTTS.DA3", "", "recurrent", "plan", 2025, 12480.5, OK),
        ("DTTS", "project", "DTTS.DA3", "central", "recurrent", "plan", 2025, 11886.2, OK),
        ("DTTS", "project", "DTTS.DA3", "local", "recurrent", "plan", 2025, 594.3, OK),
        ("DTTS", "project", "DTTS.DA5", "", "recurrent", "plan", 2025, 640.8, OK),
        ("DTTS", "project", "DTTS.DA5", "central", "recurrent", "plan", 2025, 610.3, OK),
        ("DTTS", "project", "DTTS.DA5", "local", "recurrent", "plan", 2025, 30.5, OK),
        ("DTTS", "project", "DTTS.DA5", "central", "recurrent", "carryover", 2024, 1120, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA4", "", "recurrent", "plan", 2025, 640.8, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA4", "central", "recurrent", "plan", 2025, 610.3, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA4", "local", "recurrent", "plan", 2025, 30.5, OK),
        ("DTTS", "subproject", "DTTS.DA5.TDA4", "central", "recurrent", "carryover", 2024, 1120, OK),
    },
    "kh_son_la_giam_ngheo_2024.txt": {
        ("GNBV", "program", "", "", "", "plan", 2024, 144200, OK),
        ("GNBV", "program", "", "central", "", "plan", 2024, 131091, OK),
        ("GNBV", "program", "", "central", "investment", "plan", 2024, 103120, OK),
        ("GNBV", "program", "", "central", "recurrent", "plan", 2024, 27971, OK),
        ("GNBV", "program", "", "local", "", "plan", 2024, 13109, OK),
        ("GNBV", "project", "GNBV.DA1", "", "", "plan", 2024, 123940, OK),
        ("GNBV", "project", "GNBV.DA1", "central", "", "plan", 2024, 112673, OK),
        ("GNBV", "project", "GNBV.DA1", "central", "investment", "plan", 2024, 103120, OK),
        ("GNBV", "project", "GNBV.DA1", "central", "recurrent", "plan", 2024, 9553, OK),
        ("GNBV", "project", "GNBV.DA1", "local", "", "plan", 2024, 11267, OK),
        ("GNBV", "project", "GNBV.DA4", "", "", "plan", 2024, 20260, OK),
        ("GNBV", "project", "GNBV.DA4", "central", "", "plan", 2024, 18418, OK),
        ("GNBV", "project", "GNBV.DA4", "central", "recurrent", "plan", 2024, 18418, OK),
        # 1.842 in the appendix, its sub-projects' 1.292 + 500 = 1.792
        ("GNBV", "project", "GNBV.DA4", "local", "", "plan", 2024, 1842, CONFLICT),
        ("GNBV", "subproject", "GNBV.DA1.TDA1", "", "", "plan", 2024, 98640, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA1", "central", "", "plan", 2024, 89673, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA1", "central", "investment", "plan", 2024, 80120, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA1", "central", "recurrent", "plan", 2024, 9553, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA1", "local", "", "plan", 2024, 8967, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA1", "local", "investment", "plan", 2024, 8967, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "", "", "plan", 2024, 25300, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "central", "", "plan", 2024, 23000, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "central", "investment", "plan", 2024, 23000, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "local", "", "plan", 2024, 2300, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "local", "investment", "plan", 2024, 2300, OK),
        ("GNBV", "subproject", "GNBV.DA4.TDA1", "", "", "plan", 2024, 14210, OK),
        ("GNBV", "subproject", "GNBV.DA4.TDA1", "central", "", "plan", 2024, 12918, OK),
        ("GNBV", "subproject", "GNBV.DA4.TDA1", "central", "recurrent", "plan", 2024, 12918, OK),
        ("GNBV", "subproject", "GNBV.DA4.TDA1", "local", "", "plan", 2024, 1292, OK),
        # 6.050 written (prose and appendix), its parts 5.500 + 500 = 6.000
        ("GNBV", "subproject", "GNBV.DA4.TDA3", "", "", "plan", 2024, 6050, CONFLICT),
        ("GNBV", "subproject", "GNBV.DA4.TDA3", "", "recurrent", "plan", 2024, 6050, CONFLICT),
        ("GNBV", "subproject", "GNBV.DA4.TDA3", "central", "", "plan", 2024, 5500, OK),
        ("GNBV", "subproject", "GNBV.DA4.TDA3", "central", "recurrent", "plan", 2024, 5500, OK),
        ("GNBV", "subproject", "GNBV.DA4.TDA3", "local", "", "plan", 2024, 500, OK),
        ("GNBV", "subproject", "GNBV.DA4.TDA3", "local", "recurrent", "plan", 2024, 500, OK),
    },
    "kh_sop_cop_giam_ngheo_2024.txt": {
        ("GNBV", "program", "", "", "", "plan", 2024, 25300, OK),
        ("GNBV", "project", "GNBV.DA1", "", "", "plan", 2024, 25300, OK),
        ("GNBV", "project", "GNBV.DA1", "central", "investment", "plan", 2024, 23000, OK),
        ("GNBV", "project", "GNBV.DA1", "province", "investment", "plan", 2024, 2300, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "", "", "plan", 2024, 25300, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "central", "investment", "plan", 2024, 23000, OK),
        ("GNBV", "subproject", "GNBV.DA1.TDA2", "province", "investment", "plan", 2024, 2300, OK),
    },
}


@pytest.mark.parametrize("plan", sorted(EXPECTED))
def test_allocations_are_the_figures_a_person_reads(corpus_out, plan):
    assert _allocations(corpus_out)[plan] == EXPECTED[plan]


def test_every_corpus_plan_is_one_plan_with_codes_and_the_2025_province(corpus_out):
    plans = sql(
        corpus_out,
        "SELECT doc_number, admin_level, province, district, province_code, province_2025, "
        "province_2025_code, included_in_higher_level FROM plans ORDER BY doc_number",
    ).rows
    assert plans == [
        ("19/KH-UBND", "district", "Sơn La", "Sốp Cộp", "14", "Sơn La", "14", True),
        ("215/KH-UBND", "province", "Hà Giang", None, "02", "Tuyên Quang", "08", None),
        ("31/KH-UBND", "district", "Quảng Trị", "Đakrông", "45", "Quảng Trị", "44", None),
        ("47/KH-UBND", "province", "Quảng Trị", None, "45", "Quảng Trị", "44", None),
        ("88/KH-UBND", "province", "Sơn La", None, "14", "Sơn La", "14", None),
    ]


def test_a_district_plan_and_its_province_compare_without_double_counting(corpus_out):
    # totals per province: province plans only, and never a figure the plan says is already in a higher one
    per_province = dict(
        sql(
            corpus_out,
            """
        SELECT province, sum(value_million_vnd) FROM allocations
        WHERE program = 'GNBV' AND level = 'program' AND funding_source IS NULL AND capital_type IS NULL
          AND measure = 'plan' AND fiscal_year = 2024 AND admin_level = 'province'
        GROUP BY province""",
        ).rows
    )
    assert per_province == {"Sơn La": 144200, "Hà Giang": 356420}
    flagged = sql(
        corpus_out,
        """SELECT DISTINCT province, district FROM allocations
                                 WHERE included_in_higher_level""",
    ).rows
    assert flagged == [("Sơn La", "Sốp Cộp")]
    # the district's sub-project is the province's, figure for figure
    same = sql(
        corpus_out,
        """
        SELECT d.value_million_vnd, p.value_million_vnd FROM allocations d JOIN allocations p
          ON d.canonical_code = p.canonical_code AND d.funding_source IS NOT DISTINCT FROM p.funding_source
         AND d.capital_type IS NOT DISTINCT FROM p.capital_type AND d.measure = p.measure
        WHERE d.admin_level = 'district' AND p.admin_level = 'province' AND d.canonical_code = 'GNBV.DA1.TDA2'
          AND d.funding_source IS NULL AND d.capital_type IS NULL""",
    ).rows
    assert same == [(25300, 25300)]


def test_the_same_indicator_across_provinces_has_one_code(corpus_out):
    rows = sql(
        corpus_out,
        """
        SELECT d.province, d.district, t.indicator FROM targets t JOIN documents d USING (doc_id)
        WHERE t.indicator_code = 'POVERTY.HOUSEHOLD_RATE' AND t.kind = 'target' ORDER BY 1, 2""",
    ).rows
    assert {(p, dist) for p, dist, _ in rows} == {
        ("Hà Giang", None),
        ("Quảng Trị", "Đakrông"),
        ("Sơn La", None),
        ("Sơn La", "Sốp Cộp"),
    }
    assert len({ind for *_, ind in rows}) >= 3  # worded differently, one code
    dtts = sql(
        corpus_out,
        "SELECT count(DISTINCT doc_id) FROM targets WHERE indicator_code = 'POVERTY.DTTS_HOUSEHOLD_RATE'",
    ).rows
    assert dtts == [(3,)]


# ---- versions -------------------------------------------------------------------------------
PLANTED_FROM, PLANTED_TO = "năm 2024 là 98.640 triệu đồng", "năm 2024 là 98.460 triệu đồng"


@pytest.fixture(scope="module")
def four_formats(generated, tmp_path_factory):
    """Sơn La's plan as text, DOCX, PDF and a scan (of a copy with one figure changed), and
    two other plans."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_scans import write_scans

    folder = tmp_path_factory.mktemp("four_formats")
    stem = "kh_son_la_giam_ngheo_2024"
    shutil.copy(CORPUS / f"{stem}.txt", folder)
    shutil.copy(generated / f"{stem}.docx", folder)
    shutil.copy(generated / f"{stem}.pdf", folder)
    planted = tmp_path_factory.mktemp("planted")
    text = (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")
    assert PLANTED_FROM in text
    (planted / f"{stem}.txt").write_text(text.replace(PLANTED_FROM, PLANTED_TO), encoding="utf-8")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_corpus_formats.py"), str(planted), str(planted)],
        check=True,
        capture_output=True,
    )
    scan_pdf, _ = write_scans(planted / f"{stem}.pdf", planted / "scans", dpi=300)
    shutil.copy(scan_pdf, folder)
    shutil.copy(CORPUS / "kh_ha_giang_ba_chuong_trinh_2024.txt", folder)
    shutil.copy(CORPUS / "kh_quang_tri_dtts_2025.md", folder)
    out = folder / "out"
    run(sorted(p for p in folder.iterdir() if p.is_file()), out, jobs=2)
    alone = folder / "alone"
    run([folder / f"{stem}.txt"], alone, jobs=1)
    return out, alone


def test_four_formats_of_one_plan_are_one_plan_with_the_text_versions_allocations(four_formats):
    out, alone = four_formats
    plans = sql(out, "SELECT doc_number, versions, formats FROM plans ORDER BY doc_number").rows
    assert [(n, v) for n, v, _ in plans] == [("215/KH-UBND", 1), ("47/KH-UBND", 1), ("88/KH-UBND", 4)]
    assert plans[2][2] == ["txt", "docx", "pdf", "pdf"]  # text first: the preferred version
    query = "SELECT * EXCLUDE (allocation_id) FROM allocations WHERE doc_number_filter ORDER BY ALL"
    son_la = sql(out, query.replace("doc_number_filter", "province = 'Sơn La'")).rows
    assert son_la == sql(alone, query.replace("doc_number_filter", "true")).rows
    ids = sql(out, "SELECT allocation_id FROM allocations WHERE province = 'Sơn La' ORDER BY 1").rows
    assert ids == sql(alone, "SELECT allocation_id FROM allocations ORDER BY 1").rows


def test_a_figure_changed_in_the_scan_is_a_version_mismatch(four_formats):
    out, _ = four_formats
    rows = sql(
        out,
        """
        SELECT d.method, c.severity, c.expected, c.actual FROM checks c JOIN documents d USING (doc_id)
        WHERE c.kind = 'version_mismatch' AND c.expected = 98640""",
    ).rows
    assert ("ocr", "warning", 98640, 98460) in rows


def test_plan_id_ignores_format_and_spacing_but_not_the_number():
    day = dt.date(2024, 2, 12)
    a = plan_id("UBND tỉnh Sơn La", "88/KH-UBND", "Thực hiện …", day)
    assert a == plan_id("UBND  tỉnh Sơn La", "88 /KH-UBND", "Another title", day)
    assert a != plan_id("UBND tỉnh Sơn La", "89/KH-UBND", "Thực hiện …", day)
    assert plan_id("UBND tỉnh Sơn La", "/KH-UBND", "Kế hoạch giảm nghèo", day) == plan_id(
        "UBND tỉnh Sơn La", None, "Kế hoạch  giảm nghèo", day
    )
    assert plan_id(None, None, None, day) is None


def test_places_crosswalk_covers_the_63_provinces_and_the_34(rules):
    places = Places(rules)
    assert len(places.old) == 63 and len(places.new) == 34
    assert {merged for _, merged in places.old.values()} == set(places.new)
    before, after = dt.date(2024, 3, 1), dt.date(2025, 9, 1)
    assert places.place("Hà Giang", before) == ProvincePlace("02", "Tuyên Quang", "08")
    assert places.place("Sóc Trăng", before).province_2025 == "Cần Thơ"
    assert places.place("Quảng Trị", before).province_code == "45"
    assert places.place("Quảng Trị", after).province_code == "44"  # the merged province's code
    assert places.place("Huế", after) == ProvincePlace("46", "Huế", "46")


# ---- dictionary, describe, datapackage ------------------------------------------------------
def test_every_column_of_every_table_is_described_with_its_enums(corpus_out, rules):
    d = dictionary()
    assert set(d) == set(TABLES)
    for name, schema in TABLES.items():
        assert set(d[name].columns) == set(schema.names), name
        for f in schema:
            assert f.metadata and f.metadata[b"description"], (name, f.name)
    enum = {name: {c: set(col.enum) for c, col in d[name].columns.items() if col.enum} for name in TABLES}
    money = rules.section("money")
    for attr in ("funding_source", "capital_type", "measure"):
        assert {e["value"] for e in money[attr]} <= enum["amounts"][attr]
    assert set(rules.section("documents")["doc_types"]) == enum["documents"]["doc_type"]
    # every value the corpus produces is listed
    for name, columns in enum.items():
        for column, values in columns.items():
            found = set()
            for v in read_arrow(corpus_out, name).column(column).to_pylist():
                found.update(v if isinstance(v, list) else [v])
            assert found - {None} <= values, (name, column, found - values)


def test_parquet_files_carry_the_descriptions(corpus_out):
    schema = ds.dataset(corpus_out / "allocations", format="parquet").schema
    assert b"null = all sources" in schema.field("funding_source").metadata[b"description"]
    assert b"state_budget" in schema.field("funding_source").metadata[b"enum"]


def test_describe_prints_types_units_and_enums(capsys):
    assert main(["describe", "allocations"]) == 0
    text = capsys.readouterr().out
    assert "value_million_vnd  (float" in text and "[million VND]" in text and "sum_of_parts" in text
    assert "How to sum money without double counting" in text
    assert main(["describe"]) == 0 and "allocations" in capsys.readouterr().out
    assert main(["describe", "nonsense"]) == 2


def test_datapackage_is_a_valid_frictionless_package(corpus_out):
    frictionless = pytest.importorskip("frictionless")
    descriptor = json.loads((corpus_out / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    assert names == list(TABLES)
    report = frictionless.Package.validate_descriptor(descriptor)
    assert report.valid, [e.message for e in report.errors]
    fields = {
        f["name"]: f
        for f in next(r for r in descriptor["resources"] if r["name"] == "allocations")["schema"]["fields"]
    }
    assert fields["fiscal_year"]["type"] == "integer"
    assert "conflict" in fields["status"]["constraints"]["enum"]
    for r in descriptor["resources"]:
        for path in [r["path"]] if isinstance(r["path"], str) else r["path"]:
            assert (corpus_out / path).is_file()


# ---- types, sql, export ---------------------------------------------------------------------
def test_years_and_pages_are_integers_and_dates_are_dates_in_every_reader(corpus_out):
    con = duckdb.connect()
    for name, column in (
        ("documents", "plan_year"),
        ("amounts", "page"),
        ("amounts", "fiscal_year"),
        ("allocations", "fiscal_year"),
        ("documents", "pages"),
    ):
        assert sql(corpus_out, f'SELECT typeof("{column}") FROM "{name}" LIMIT 1').rows == [("INTEGER",)]
        frame = read_frame(corpus_out, name)
        assert str(frame[column].dtype) == "Int32", (name, column)
        assert str(read_arrow(corpus_out, name).schema.field(column).type) == "int32"
    assert sql(corpus_out, "SELECT typeof(issue_date) FROM documents LIMIT 1").rows == [("DATE",)]
    # pandas alone reads the derived tables' integers as integers
    plain = pd.read_parquet(corpus_out / "allocations")
    assert str(plain["fiscal_year"].dtype) == "Int32"
    con.close()


def test_sql_is_read_only_unless_unsafe(corpus_out, capsys, tmp_path):
    target = corpus_out / "stolen.csv"
    for query in (
        "SELECT * FROM read_csv('/etc/passwd')",
        f"COPY (SELECT 1) TO '{target}'",
        f"ATTACH '{tmp_path / 'x.db'}'",
        "INSTALL httpfs",
        "SET enable_external_access = true",
    ):
        assert main(["sql", str(corpus_out), query]) == 2, query
        err = capsys.readouterr().err
        assert "read-only" in err and "Traceback" not in err
    assert not target.exists()
    with pytest.raises(QueryRefused):
        sql(corpus_out, "SELECT * FROM read_text('/etc/hostname')")
    copy_to = tmp_path / "copy.csv"
    assert main(["sql", str(corpus_out), f"COPY (SELECT 1 AS x) TO '{copy_to}'", "--unsafe"]) == 0
    assert copy_to.read_text().strip().splitlines() == ["x", "1"]


def test_sql_formats_and_money_without_float_artefacts(corpus_out, capsys, tmp_path):
    query = "SELECT 1471301.5000000002::DOUBLE AS v, DATE '2024-02-12' AS d, [1, 2] AS l"
    assert main(["sql", str(corpus_out), query, "--format", "csv"]) == 0
    assert capsys.readouterr().out == "v,d,l\n1471301.5,2024-02-12,1;2\n"
    assert main(["sql", str(corpus_out), query, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"v": 1471301.5, "d": "2024-02-12", "l": [1, 2]}]
    assert main(["sql", str(corpus_out), query, "--format", "md"]) == 0
    assert capsys.readouterr().out.splitlines()[2] == "| 1471301.5 | 2024-02-12 | 1;2 |"
    wide = "SELECT repeat('x', 300) AS long_text"
    assert main(["sql", str(corpus_out), wide]) == 0
    assert "x" * 300 in capsys.readouterr().out  # piped: full width
    result = tmp_path / "r.csv"
    assert main(["sql", str(corpus_out), query, "--format", "csv", "--output", str(result)]) == 0
    assert result.read_text(encoding="utf-8").startswith("v,d,l")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "dta", "json"])
def test_export_round_trips(corpus_out, tmp_path, fmt):
    dest = tmp_path / fmt
    assert (
        main(
            ["export", str(corpus_out), "--to", fmt, "--dest", str(dest)]
            + (["--bom"] if fmt == "csv" else [])
        )
        == 0
    )
    original = read_frame(corpus_out, "allocations")
    if fmt == "csv":
        raw = (dest / "allocations.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        back = pd.read_csv(dest / "allocations.csv", encoding="utf-8-sig", dtype_backend="numpy_nullable")
        docs = pd.read_csv(dest / "documents.csv", encoding="utf-8-sig", dtype_backend="numpy_nullable")
        assert "2024.0" not in raw.decode("utf-8-sig")
    elif fmt == "xlsx":
        back = pd.read_excel(dest / "kehoach.xlsx", sheet_name="allocations", dtype_backend="numpy_nullable")
        docs = pd.read_excel(dest / "kehoach.xlsx", sheet_name="documents", dtype_backend="numpy_nullable")
        assert pd.api.types.is_datetime64_any_dtype(docs["issue_date"])
        assert "dictionary" in pd.ExcelFile(dest / "kehoach.xlsx").sheet_names
    elif fmt == "json":
        back = pd.DataFrame(json.loads((dest / "allocations.json").read_text(encoding="utf-8")))
        docs = pd.DataFrame(json.loads((dest / "documents.json").read_text(encoding="utf-8")))
        assert set(docs["issue_date"]) >= {"2024-02-12"}
    else:
        back = pd.read_stata(dest / "allocations.dta")
        with pd.io.stata.StataReader(dest / "allocations.dta") as reader:
            labels = reader.variable_labels()
            value_labels = reader.value_labels()
        assert labels["value_million_vnd"].startswith("Value in million VND")
        assert any("central: central budget" in v.values() for v in value_labels.values())
        back["funding_source"] = (
            back["funding_source"]
            .astype(object)
            .map(lambda v: v.split(":")[0] if isinstance(v, str) and v else None)
        )
        docs = pd.read_stata(dest / "documents.dta")
        assert pd.api.types.is_datetime64_any_dtype(docs["issue_date"])
    assert len(back) == len(original)
    assert sorted(back["value_million_vnd"].astype(float)) == sorted(
        original["value_million_vnd"].astype(float)
    )
    years = sorted(int(y) for y in back["fiscal_year"].dropna())
    assert years == sorted(int(y) for y in original["fiscal_year"].dropna())
    assert sorted(str(v) for v in back["funding_source"].dropna() if v != "") == sorted(
        str(v) for v in original["funding_source"].dropna()
    )
    ids = back["amount_ids"].dropna().iloc[0]
    assert isinstance(ids, str) and (";" in ids or ":" in ids)


def test_versions_missing_a_number_or_a_date_join_the_plan_they_belong_to():
    from extract.plans import group_plans

    base = {
        "status": "ok",
        "issuer": "UBND tỉnh Sơn La",
        "title": "Thực hiện Chương trình giảm nghèo năm 2024",
    }
    day = dt.date(2024, 2, 12)
    docs = [
        dict(
            base,
            doc_id="a",
            plan_id="p1",
            method="text",
            format="txt",
            doc_number="88/KH-UBND",
            issue_date=day,
        ),
        dict(base, doc_id="b", plan_id="p2", method="ocr", format="pdf", doc_number=None, issue_date=day),
        dict(
            base,
            doc_id="c",
            plan_id="dc",
            method="ocr",
            format="image",
            doc_number="88/KH-UBND",
            issue_date=None,
        ),
        dict(
            base,
            doc_id="d",
            plan_id="p3",
            method="text",
            format="txt",
            doc_number="90/KH-UBND",
            issue_date=day,
            title="Kế hoạch khác hẳn",
        ),
        dict(
            base,
            doc_id="e",
            plan_id="p4",
            method="ocr",
            format="pdf",
            doc_number=None,
            issue_date=day,
            title="Một văn bản không liên quan",
        ),
    ]
    plans = {p.plan_id: [d["doc_id"] for d in p.documents] for p in group_plans(docs)}
    assert plans == {"p1": ["a", "b", "c"], "p3": ["d"], "p4": ["e"]}


@pytest.mark.parametrize(
    "wording, program, code",
    [
        ("Tỷ lệ hộ nghèo giảm", "DTTS", "POVERTY.HOUSEHOLD_RATE"),
        ("giảm tỷ lệ hộ nghèo đa chiều", "GNBV", "POVERTY.HOUSEHOLD_RATE"),
        (
            "hộ nghèo đồng bào dân tộc thiểu số giảm theo chuẩn nghèo đa chiều",
            "GNBV",
            "POVERTY.DTTS_HOUSEHOLD_RATE",
        ),
        ("hộ nghèo, hộ cận nghèo sử dụng nhà tiêu hợp vệ sinh", "GNBV", "GNBV.SANITARY_LATRINE"),
        ("Hỗ trợ nhà ở hộ nghèo, hộ cận nghèo trên địa bàn các huyện nghèo", "GNBV", "GNBV.HOUSING_SUPPORT"),
        ("xã đạt chuẩn nông thôn mới nâng cao", "NTM", "NTM.COMMUNES_ADVANCED"),
        ("xã đạt chuẩn nông thôn mới", "NTM", "NTM.COMMUNES_STANDARD"),
        ("Tỷ lệ dân số nông thôn tham gia bảo hiểm y tế", "NTM", "NTM.TC15_HEALTH_INSURANCE"),
        ("Lũy kế thôn có nhà văn hóa đạt chuẩn", "DTTS", "DTTS.COMMUNITY_HOUSE"),
        ("tỷ lệ Giải ngân vốn Chương trình", "DTTS", None),
    ],
)
def test_indicator_codes_whatever_the_wording(rules, wording, program, code):
    from extract.indicators import IndicatorVocabulary

    assert IndicatorVocabulary(rules).code(wording, program) == code


def test_versions_without_metadata_join_by_their_figures():
    """A news page as text, DOCX and PDF has no issuer, number nor date; its versions are one
    plan when they hold the same figures in the same order, never when they merely share a
    few. Its OCR version joins when it has most of them in order (a misread or a lost line)."""
    from extract.plans import MIN_SHARED_FIGURES, NEAR_MATCH, group_plans

    def doc(doc_id: str, fmt: str, method: str = "text") -> dict:
        return {"status": "ok", "doc_id": doc_id, "plan_id": f"d{doc_id}", "format": fmt, "method": method}

    story = ("28.640 tỷ đồng", "51,2 triệu đồng", "3.918,450 tỷ đồng", "3.657 tỷ đồng", "515,65 tỷ đồng")
    misread = story[:2] + ("3.918,45O tỷ đồng",) + story[3:]  # 4 of 5 in order
    dropped = story[:3]  # 3 of 5: a page lost
    assert 3 / 5 < NEAR_MATCH <= 4 / 5 and len(dropped) >= MIN_SHARED_FIGURES
    docs = [
        doc("t", "txt"),
        doc("w", "docx"),
        doc("p", "pdf", "pdf_text"),
        doc("o", "pdf", "ocr"),
        doc("q", "image", "ocr"),
        doc("x", "txt"),  # another story sharing two figures
        doc("y", "txt"),  # too few figures to tell
        doc("z", "txt"),
    ]
    figures = {
        "t": story,
        "w": story,
        "p": story,
        "o": misread,
        "q": dropped,
        "x": story[:2] + ("9.000 tỷ đồng",),
        "y": ("1 tỷ đồng",),
        "z": ("1 tỷ đồng",),
    }
    plans = {p.plan_id: [d["doc_id"] for d in p.documents] for p in group_plans(docs, figures)}
    # kept under the id of the best reading, the text
    assert plans == {"dt": ["t", "w", "p", "o"], "dq": ["q"], "dx": ["x"], "dy": ["y"], "dz": ["z"]}
    assert {p.plan_id: p.aliases for p in group_plans(docs, figures)}["dt"] == ["dp", "dw", "do"]


def test_a_version_without_metadata_joins_the_one_identified_plan_with_its_figures():
    from extract.plans import group_plans

    day = dt.date(2025, 3, 12)
    numbered = {
        "status": "ok",
        "issuer": "UBND tỉnh Lai Châu",
        "issue_date": day,
        "format": "txt",
        "method": "text",
    }
    scan = {"status": "ok", "format": "pdf", "method": "ocr"}
    docs = [
        dict(numbered, doc_id="a", plan_id="p1", doc_number="12/KH-UBND"),
        dict(scan, doc_id="b", plan_id="db"),
        dict(numbered, doc_id="c", plan_id="p2", doc_number="13/KH-UBND"),
        dict(numbered, doc_id="e", plan_id="p3", doc_number="14/KH-UBND"),
        dict(scan, doc_id="d", plan_id="dd"),
    ]
    shared = ("1.250 triệu đồng", "800 triệu đồng", "450 triệu đồng")
    twice = ("7 tỷ đồng", "3 tỷ đồng", "4 tỷ đồng")
    # b's figures are p1's alone; d's are in p2 and p3 both: which plan d is stays open
    figures = {"a": shared, "b": shared, "c": twice, "e": twice, "d": twice}
    plans = {p.plan_id: [d["doc_id"] for d in p.documents] for p in group_plans(docs, figures)}
    assert plans == {"p1": ["a", "b"], "p2": ["c"], "p3": ["e"], "dd": ["d"]}
