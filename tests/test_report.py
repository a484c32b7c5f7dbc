"""kehoach report: the province comparison over an output folder (issue 15), without a browser."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest
from report_helpers import ROOT, make_corpus_out, make_generated

from extract.report import (
    SHARES,
    build_report,
    counts_in_sums,
    render_html,
    render_xlsx,
    review_href,
    split_by_source,
    vn_number,
    write_report,
)


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory) -> Path:
    return make_corpus_out(tmp_path_factory.mktemp("corpus") / "out")


@pytest.fixture(scope="module")
def generated_out(tmp_path_factory) -> Path:
    return make_generated(tmp_path_factory.mktemp("generated") / "out", plans=300)


def _allocation(**values) -> dict:
    row = {
        "plan_id": "p1",
        "province": "Hà Giang",
        "province_2025": "Tuyên Quang",
        "admin_level": "province",
        "plan_year": 2024,
        "included_in_higher_level": None,
        "program": "NTM",
        "level": "program",
        "canonical_code": None,
        "funding_source": None,
        "capital_type": None,
        "measure": "plan",
        "fiscal_year": 2024,
        "value_million_vnd": 0.0,
        "status": "consistent",
    }
    return row | values


def _split(report, year, province, program, code=None):
    found = [
        s
        for s in (report.project_splits if code else report.program_splits)
        if s.plan_year == year and s.province == province and s.program == program and s.code == code
    ]
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------------------ the corpus
def test_corpus_funds_are_the_readme_figures(corpus_out):
    report = build_report(corpus_out)
    son_la = _split(report, 2024, "Sơn La", "GNBV")
    assert (son_la.total, son_la.central, son_la.local, son_la.other, son_la.not_stated) == (
        144200,
        131091,
        13109,
        None,
        0,
    )
    assert round(son_la.share("central"), 3) == 0.909
    ha_giang_ntm = _split(report, 2024, "Hà Giang", "NTM")
    # credit 608.200 and community 50.000 are "other"; the state-budget subtotal 592.300 is no share
    assert (ha_giang_ntm.total, ha_giang_ntm.central, ha_giang_ntm.local, ha_giang_ntm.other) == (
        1250500,
        412300,
        180000,
        658200,
    )
    assert ha_giang_ntm.province_2025 == "Tuyên Quang"
    quang_tri = _split(report, 2025, "Quảng Trị", "DTTS")
    # the plan states no source for its 82.200: all of it is "not stated", nothing guessed
    assert (quang_tri.total, quang_tri.central, quang_tri.local, quang_tri.not_stated) == (
        82200,
        None,
        None,
        82200,
    )
    # district plans are not summed: Sốp Cộp's 25.300 is inside Sơn La's, Đakrông's is below province
    assert {(s.plan_year, s.province, s.program) for s in report.program_splits} == {
        (2024, "Hà Giang", "GNBV"),
        (2024, "Hà Giang", "NTM"),
        (2024, "Sơn La", "GNBV"),
        (2025, "Quảng Trị", "DTTS"),
    }
    counted = {p.district or p.province: p.counted for p in report.plans}
    assert counted == {
        "Hà Giang": True,
        "Sơn La": True,
        "Quảng Trị": True,
        "Sốp Cộp": False,
        "Đakrông": False,
    }


def test_corpus_sums_agree_with_the_readme_query(corpus_out):
    """The report's program totals equal README query 1 run by DuckDB over the same folder."""
    con = duckdb.connect()
    expected = {
        (r[0], r[1], r[2]): r[3]
        for r in con.execute(f"""
        SELECT province, program, plan_year, sum(value_million_vnd) FROM '{corpus_out}/allocations/**/*.parquet'
        WHERE admin_level = 'province' AND level = 'program' AND funding_source IS NULL
          AND capital_type IS NULL AND measure = 'plan' AND fiscal_year = plan_year
          AND NOT coalesce(included_in_higher_level, false)
        GROUP BY ALL""").fetchall()
    }
    report = build_report(corpus_out)
    got = {(s.province, s.program, s.plan_year): s.total for s in report.program_splits if s.total_stated}
    assert got == expected


def test_corpus_review_items_link_to_their_lines(corpus_out):
    report = build_report(corpus_out)
    mismatches = sorted((r.province, r.district, r.line) for r in report.review if r.kind == "sum_mismatch")
    assert mismatches == [("Quảng Trị", "Đakrông", 56), ("Sơn La", None, 55), ("Sơn La", None, 90)]
    page = render_html(report, "review")
    for r in report.review:
        assert f'href="review/{r.doc_id}.html#L{r.line}"' in page
    assert "kehoach review OUT --doc DOC_ID" in page


def test_corpus_indicators_across_provinces(corpus_out):
    report = build_report(corpus_out)
    poverty = [
        (i.province, i.district, i.comparator, i.value, i.value_max)
        for i in report.indicators
        if i.code == "POVERTY.HOUSEHOLD_RATE"
    ]
    assert sorted(poverty, key=str) == sorted(
        [
            ("Hà Giang", None, "range", 4.0, 5.0),
            ("Quảng Trị", "Đakrông", "range", 4.0, 5.0),
            ("Sơn La", None, "ge", 3.0, None),
            ("Sơn La", "Sốp Cộp", "ge", 5.0, None),
        ],
        key=str,
    )
    assert all(i.kind == "target" for i in report.indicators)
    page = render_html(report)
    assert (
        "Tỷ lệ hộ nghèo (chuẩn nghèo đa chiều)" in page
        and "Multidimensional poverty rate of households" in page
    )
    # province targets in the table, district ones listed under their province
    section = page[page.index('id="indicators"') : page.index('id="review"')]
    poverty = section[section.index("<code>POVERTY.HOUSEHOLD_RATE</code>") :]
    poverty = poverty.split("<h4>")[0]  # up to the next indicator, if any
    assert "<td>Sơn La</td><td><a" in poverty and ">≥ 3 %</a>" in poverty
    assert "<li><b>Sơn La</b>: <a" in poverty and ">Sốp Cộp 2024: ≥ 5 %</a>" in poverty
    assert "<li><b>Quảng Trị</b>: <a" in poverty and ">Đakrông 2024: 4–5 %</a>" in poverty


# ------------------------------------------------------------------------------ sums and shares
def test_split_not_stated_is_the_total_beyond_the_named_sources():
    rows = [
        _allocation(value_million_vnd=1000.0),
        _allocation(funding_source="central", value_million_vnd=600.0),
        _allocation(funding_source="province", value_million_vnd=100.0),
        _allocation(funding_source="state_budget", value_million_vnd=700.0),
    ]
    (split,) = split_by_source(rows, "province", {})
    assert (split.total, split.central, split.local, split.other, split.not_stated) == (
        1000,
        600,
        100,
        None,
        300,
    )
    assert split.share("not_stated") == pytest.approx(0.3)


def test_split_local_total_is_not_added_to_its_parts():
    rows = [
        _allocation(value_million_vnd=1000.0),
        _allocation(funding_source="central", value_million_vnd=800.0),
        _allocation(funding_source="local", value_million_vnd=200.0),
        _allocation(funding_source="province", value_million_vnd=150.0),
        _allocation(funding_source="district", value_million_vnd=50.0),
    ]
    (split,) = split_by_source(rows, "province", {})
    assert (split.local, split.not_stated, split.sources_exceed_total) == (200, 0, False)


def test_split_without_a_total_sums_the_sources_and_says_so():
    rows = [
        _allocation(funding_source="central", value_million_vnd=90.0),
        _allocation(funding_source="credit", value_million_vnd=10.0),
    ]
    (split,) = split_by_source(rows, "province", {})
    assert (split.total, split.total_stated, split.other, split.not_stated) == (100, False, 10, 0)
    assert "Σ 100" in render_html(_report_of([split]))


def test_split_sources_beyond_the_total_are_flagged_not_hidden():
    rows = [
        _allocation(value_million_vnd=100.0),
        _allocation(funding_source="central", value_million_vnd=120.0),
    ]
    (split,) = split_by_source(rows, "province", {})
    assert split.sources_exceed_total and split.not_stated == 0


def test_plans_of_one_province_add_and_merged_provinces_group():
    rows = [
        _allocation(plan_id="a", value_million_vnd=100.0),
        _allocation(plan_id="b", province="Tuyên Quang", value_million_vnd=50.0),
    ]
    assert [(s.province, s.total) for s in split_by_source(rows, "province", {})] == [
        ("Hà Giang", 100),
        ("Tuyên Quang", 50),
    ]
    (merged,) = split_by_source(rows, "province_2025", {})
    assert (merged.province, merged.total, merged.plans, merged.provinces_written) == (
        "Tuyên Quang",
        150,
        2,
        {"Hà Giang", "Tuyên Quang"},
    )


@pytest.mark.parametrize(
    "change, counted",
    [
        ({}, True),
        ({"admin_level": "district"}, False),
        ({"included_in_higher_level": True}, False),
        ({"capital_type": "investment"}, False),
        ({"measure": "carryover"}, False),
        ({"measure": "plan_with_carryover"}, False),
        ({"fiscal_year": 2023}, False),
    ],
)
def test_only_a_province_plans_own_planned_funds_count(change, counted):
    assert counts_in_sums(_allocation(**change)) is counted


# ------------------------------------------------------------------------------ generated plans
def test_generated_report_sums_match_duckdb(generated_out):
    report = build_report(generated_out)
    con = duckdb.connect()
    for source, share in (("IS NULL", "total"), ("= 'central'", "central")):
        expected = {
            (r[0], r[1], r[2]): r[3]
            for r in con.execute(f"""
            SELECT plan_year, province, program, round(sum(value_million_vnd), 3)
            FROM '{generated_out}/allocations/*.parquet'
            WHERE admin_level = 'province' AND level = 'program' AND funding_source {source}
              AND capital_type IS NULL AND measure = 'plan' AND fiscal_year = plan_year
              AND NOT coalesce(included_in_higher_level, false)
            GROUP BY ALL""").fetchall()
        }
        got = {
            (s.plan_year, s.province, s.program): getattr(s, share)
            for s in report.program_splits
            if getattr(s, share) is not None and (share != "total" or s.total_stated)
        }
        assert got == expected
    assert len(report.plans) == 300
    # every OCR-uncertain page's figures are listed, each at its own line
    ocr = [r for r in report.review if r.kind == "ocr_low_confidence"]
    assert ocr and all(r.line in (30, 31) and r.page == 3 and not r.preferred for r in ocr)
    # the generator's version checks are on the scans, its sum checks on the preferred text
    assert {(r.kind, r.preferred) for r in report.review} == {
        ("ocr_low_confidence", False),
        ("version_mismatch", False),
        ("sum_mismatch", True),
    }


def test_group_by_merged_province_shows_both_names(generated_out):
    report = build_report(generated_out, grouping="province_2025")
    written = {s.province for s in build_report(generated_out).program_splits}
    merged = {s.province for s in report.program_splits}
    assert merged < written | merged and len(merged) <= 34
    page = render_html(report)
    assert "province_2025" in page and re.search(r"Tuyên Quang \((Hà Giang|Hà Giang, Tuyên Quang)\)", page)


def test_same_out_gives_the_same_bytes(generated_out, tmp_path):
    first = write_report(generated_out, tmp_path / "a" / "report.html", tmp_path / "a" / "report.xlsx")
    second = write_report(generated_out, tmp_path / "b" / "report.html", tmp_path / "b" / "report.xlsx")
    assert first.html.read_bytes() == second.html.read_bytes()
    assert first.xlsx.read_bytes() == second.xlsx.read_bytes()


def test_page_requests_nothing(generated_out):
    page = render_html(build_report(generated_out))
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", page)
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page


def test_xlsx_one_sheet_per_view_with_both_languages(generated_out):
    report = build_report(generated_out)
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    assert wb.sheetnames == [
        "Giới thiệu (About)",
        "Kế hoạch (Plans)",
        "Phân bổ (Funds)",
        "Dự án (Projects)",
        "Chỉ tiêu (Indicators)",
        "Cần xem (Review)",
    ]
    funds = wb["Phân bổ (Funds)"]
    assert [c.value for c in funds[1]][:5] == ["Năm", "Tỉnh", "Tỉnh 2025", "Chương trình", "Tổng"]
    assert [c.value for c in funds[2]][:5] == ["plan_year", "province", "province_2025", "program", "total"]
    assert funds.max_row - 2 == len(report.program_splits)
    assert sum(c.value for c in funds["E"][2:]) == pytest.approx(sum(s.total for s in report.program_splits))
    review = wb["Cần xem (Review)"]
    assert review.max_row - 2 == len(report.review)
    assert review.cell(3, 13).hyperlink.target == review_href(
        "review", report.review[0].doc_id, report.review[0].line
    )
    assert wb["Kế hoạch (Plans)"].max_row - 2 == 300


def test_review_links_are_relative_to_the_report(generated_out, tmp_path):
    written = write_report(generated_out, tmp_path / "elsewhere" / "r.html")
    page = written.html.read_text(encoding="utf-8")
    target = written.report.review[0]
    href = re.search(rf'href="([^"]*{target.doc_id}\.html#L{target.line})"', page).group(1)
    assert (written.html.parent / href.split("#")[0]).resolve() == (
        generated_out / "review" / f"{target.doc_id}.html"
    ).resolve()


def test_cli_report_writes_html_and_xlsx(corpus_out):
    result = subprocess.run(
        [sys.executable, "-m", "extract.cli", "report", str(corpus_out), "--xlsx"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(corpus_out / "report.html"), str(corpus_out / "report.xlsx")]
    assert "Sơn La" in (corpus_out / "report.html").read_text(encoding="utf-8")


def test_cli_report_on_a_folder_without_tables(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "extract.cli", "report", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "no plans table" in result.stderr


def test_vn_number():
    assert [vn_number(v) for v in (1250500, 12480.5, 0.25, None)] == ["1.250.500", "12.480,5", "0,25", ""]


def _report_of(splits):
    from extract.report import Report

    return Report("x", "province", [], splits, [], [], [])


def test_shares_are_named_in_both_languages():
    page = render_html(_report_of([]))
    for vi, en in (
        ("Trung ương", "central"),
        ("Địa phương", "local"),
        ("Nguồn khác", "other"),
        ("Không ghi nguồn", "not stated"),
    ):
        assert f'{vi} <span class="en">{en}</span>' in page
    assert len(SHARES) == 4


def test_corpus_projects_across_provinces(corpus_out):
    report = build_report(corpus_out)
    da1 = _split(report, 2024, "Sơn La", "GNBV", "GNBV.DA1")
    assert (da1.total, da1.central, da1.local) == (123940, 112673, 11267)
    assert da1.title.startswith("Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội các huyện nghèo")
    conflict = _split(report, 2024, "Sơn La", "GNBV", "GNBV.DA4.TDA3")  # 6.050 stated, parts 6.000
    assert conflict.conflict and conflict.not_stated == 50
    page = render_html(report)
    assert (
        'title="central 112.673 (90,9 %); local 11.267 (9,1 %); not stated 0 (0 %)">123.940 <small>90,9 %</small>'
        in page
    )
    assert "statements disagree" in page


@pytest.mark.parametrize("grouping", ["province", "province_2025"])
def test_xlsx_keeps_the_province_as_written_and_the_merged_one_apart(corpus_out, grouping):
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(build_report(corpus_out, grouping=grouping))))
    rows = {(r[0], r[1], r[2], r[3]) for r in wb["Phân bổ (Funds)"].iter_rows(min_row=3, values_only=True)}
    assert (2024, "Hà Giang", "Tuyên Quang", "NTM") in rows
