"""`kehoach report OUT`: the province comparison report (issue 15), one self-contained HTML
page and the same views as an XLSX workbook.

Views: the plans in OUT; per plan year, the planned funds per province × program split into
central / local / other / not stated, as tables and as inline SVG charts; per project
(canonical code) across provinces; the official indicators' targets across provinces; the
figures to review (sum_mismatch, version_mismatch, figures on pages OCR was unsure of), each
linking to the `kehoach review` page of its document at its line.

Sums follow the README's rule against double counting: `allocations` (never `amounts`), one
level at a time, province plans only (a district or commune plan repeats money of its
province's, and one that says so is `included_in_higher_level`), all capital types
(`capital_type IS NULL`), measure `plan` for the plan's own year. `allocations` already reads
one preferred version per plan.

The page asks for nothing over the network (CSS inline, charts as SVG, no script) and is a
pure function of OUT and the options: the same OUT gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from .rules import Rules, load_rules
from .textnorm import fold, strip_diacritics

# Funding sources (allocations.funding_source) by share. "local" is the whole local budget
# when a plan does not say which level; the others are its parts. state_budget is a
# subtotal (central + local) a plan states beside its total, never a share of its own.
CENTRAL_SOURCES = ("central",)
LOCAL_TOTAL_SOURCE = "local"
SUBTOTAL_SOURCES = ("state_budget",)
SHARES = ("central", "local", "other", "not_stated")
SHARE_LABELS = {
    "central": ("Trung ương", "central"),
    "local": ("Địa phương", "local"),
    "other": ("Nguồn khác", "other"),
    "not_stated": ("Không ghi nguồn", "not stated"),
}
SHARE_COLOURS = {"central": "#2f6db5", "local": "#e0892b", "other": "#6aa84f", "not_stated": "#b7b7b7"}
PROGRAM_LABELS = {
    "NTM": ("Nông thôn mới", "new rural development"),
    "GNBV": ("Giảm nghèo bền vững", "sustainable poverty reduction"),
    "DTTS": ("Vùng đồng bào DTTS và miền núi", "ethnic-minority and mountainous areas"),
}
GROUPINGS = {
    "province": ("tỉnh như văn bản ghi", "the province as the plan writes it"),
    "province_2025": ("tỉnh sau sắp xếp 1/7/2025", "the province it belongs to from 1 July 2025"),
}
REVIEW_KINDS = ("sum_mismatch", "version_mismatch", "ocr_low_confidence")
LEVEL_LABELS = {"province": "tỉnh / province", "district": "huyện / district", "commune": "xã / commune"}
COMPARATOR_SIGNS = {"eq": "=", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "approx": "≈", "range": ""}
# Money is triệu đồng rounded at 3 decimals (the finest precision plans write: 0,001 tỷ).
MONEY_DIGITS = 3
# Chart geometry (px): one bar per row, labels left, the bar's total right.
CHART_WIDTH, CHART_LABEL, CHART_VALUE, CHART_ROW, CHART_TOP = 960, 320, 110, 20, 8
CHART_LABEL_CHARS = 46  # "Bà Rịa - Vũng Tàu → Thành phố Hồ Chí Minh" fits
# openpyxl stamps the workbook with today's date: fixed, so the same OUT gives the same bytes.
WORKBOOK_DATE = dt.datetime(2020, 1, 1)
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


# ------------------------------------------------------------------------------ records
@dataclass(frozen=True)
class PlanLine:
    """One plan as the report lists it."""

    plan_id: str
    province: str | None
    province_2025: str | None
    district: str | None
    admin_level: str | None
    plan_year: int | None
    doc_number: str | None
    issue_date: dt.date | None
    programs: tuple[str, ...]
    formats: tuple[str, ...]
    status: str | None  # of the preferred version (documents.status)
    warnings: int  # checks of severity warning or error over all versions
    infos: int
    counted: bool  # its money is in the province sums
    why_not_counted: str | None


@dataclass
class SourceSplit:
    """Planned funds of one group (plan year × province × program × item) by share of source.

    total is the plan's stated total over all sources, or the sum of the sources when no plan
    of the group states one (total_stated False); not_stated is what the stated total holds
    beyond the sources the plans name."""

    plan_year: int | None
    province: str | None
    province_2025: str | None
    program: str | None
    code: str | None  # canonical code of a project or sub-project; None for the program
    title: str | None
    total: float = 0.0
    total_stated: bool = True
    central: float | None = None
    local: float | None = None
    other: float | None = None
    not_stated: float | None = None
    sources_exceed_total: bool = False
    conflict: bool = False  # a plan's statements of a figure disagree (allocations.status conflict)
    plans: int = 0
    provinces_written: set[str] = field(default_factory=set)

    def share(self, name: str) -> float | None:
        value = getattr(self, name)
        return None if value is None or not self.total else value / self.total


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name_vi: str
    name_en: str
    province: str | None
    province_2025: str | None
    district: str | None
    admin_level: str | None
    plan_year: int | None
    kind: str | None
    comparator: str | None
    value: float | None
    value_max: float | None
    unit: str | None
    year: str | None
    indicator: str | None
    doc_id: str
    line: int | None


@dataclass(frozen=True)
class ReviewLine:
    """A figure or check to look at, with the line of its document."""

    kind: str
    severity: str | None
    province: str | None
    district: str | None
    plan_year: int | None
    doc_number: str | None
    source_name: str | None
    doc_id: str
    preferred: bool  # the version the allocations read (a check on another version is about that version)
    line: int | None
    page: int | None
    message: str


@dataclass
class Report:
    out_name: str
    grouping: str
    plans: list[PlanLine]
    program_splits: list[SourceSplit]
    project_splits: list[SourceSplit]
    indicators: list[IndicatorLine]
    review: list[ReviewLine]


# ------------------------------------------------------------------------------ building
def build_report(out: Path, grouping: str = "province", rules: Rules | None = None) -> Report:
    """The report's views from the tables of OUT."""
    from .store import read_table

    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}")
    rules = rules or load_rules()

    def rows(name: str, columns: list[str] | None = None) -> list[dict]:
        if not (out / name).is_dir():
            return []
        table = read_table(out, name)
        return (table.select(columns) if columns else table).to_pylist()

    plans = rows("plans")
    allocations = rows(
        "allocations",
        [
            "plan_id",
            "province",
            "province_2025",
            "admin_level",
            "plan_year",
            "included_in_higher_level",
            "program",
            "level",
            "canonical_code",
            "funding_source",
            "capital_type",
            "measure",
            "fiscal_year",
            "value_million_vnd",
            "status",
        ],
    )
    documents = {
        d["doc_id"]: d
        for d in rows(
            "documents",
            ["doc_id", "source_name", "status", "province", "district", "plan_year", "doc_number", "plan_id"],
        )
    }
    checks = rows("checks", ["doc_id", "kind", "severity", "line", "page", "message"])
    plan_lines = _plan_lines(plans, documents, checks)
    titles = item_titles(rules)
    counted = [a for a in allocations if counts_in_sums(a)]
    local_parts = local_part_sources(rules)
    program_splits = split_by_source(
        [a for a in counted if a["level"] == "program"], grouping, titles, local_parts
    )
    project_splits = split_by_source(
        [a for a in counted if a["level"] in ("project", "subproject", "content") and a["canonical_code"]],
        grouping,
        titles,
        local_parts,
    )
    indicators = _indicator_lines(out, plans, rules, read_table)
    review = _review_lines(out, plans, documents, checks, read_table)
    return Report(
        out.resolve().name, grouping, plan_lines, program_splits, project_splits, indicators, review
    )


def counts_in_sums(a: dict) -> bool:
    """The README's rule: a province plan's own planned funds for its year, all capital types
    (one value of funding_source is chosen later, per share)."""
    return (
        a["admin_level"] == "province"
        and not a["included_in_higher_level"]
        and a["capital_type"] is None
        and a["measure"] == "plan"
        and a["fiscal_year"] is not None
        and a["fiscal_year"] == a["plan_year"]
    )


def why_not_counted(plan: dict) -> str | None:
    """Why a plan's money is not in the province sums (None: it is)."""
    if plan.get("included_in_higher_level"):
        return "nằm trong kế hoạch cấp trên / part of a higher-level plan"
    if plan.get("admin_level") != "province":
        return "kế hoạch cấp dưới tỉnh / below province level"
    return None


def local_part_sources(rules: Rules) -> tuple[str, ...]:
    """The levels of the local budget (province, district, …): the state budget's sources in
    rules/allocations.yaml other than the central budget and the local budget as a whole."""
    return tuple(
        s
        for s in rules.section("allocations")["state_budget_sources"]
        if s not in (*CENTRAL_SOURCES, LOCAL_TOTAL_SOURCE)
    )


def split_by_source(
    allocations: list[dict],
    grouping: str,
    titles: dict[str, tuple[str, str]],
    local_parts: tuple[str, ...] | None = None,
) -> list[SourceSplit]:
    """Central / local / other / not stated per plan year × province (as grouped) × program
    × item, from allocation rows already chosen to count once. Each plan is split first (its
    stated total, its sources), then plans of the same group are added."""
    parts = local_parts if local_parts is not None else local_part_sources(load_rules())
    per_plan: dict[tuple, list[dict]] = defaultdict(list)
    for a in allocations:
        per_plan[(a["plan_id"], a["program"], a["level"], a["canonical_code"])].append(a)
    groups: dict[tuple, SourceSplit] = {}
    for (_, program, _, code), plan_rows in sorted(per_plan.items(), key=lambda kv: _sort_key(kv[0])):
        first = plan_rows[0]
        place = first[grouping]  # the province as written, or the merged province
        key = (first["plan_year"], place, program, code)
        split = groups.get(key)
        if split is None:
            split = groups[key] = SourceSplit(
                first["plan_year"],
                place,
                first["province_2025"],
                program,
                code,
                titles.get(code, (None, None))[0] if code else None,
            )
        _add_plan(split, plan_rows, parts)
        if first["province"]:
            split.provinces_written.add(first["province"])
    result = list(groups.values())
    for s in result:
        _round_split(s)
    return sorted(
        result, key=lambda s: (_none_last(s.plan_year), s.program or "", s.code or "", place_key(s.province))
    )


def _add_plan(split: SourceSplit, rows: list[dict], local_parts: tuple[str, ...]) -> None:
    by_source: dict[str | None, float] = defaultdict(float)
    split.conflict = split.conflict or any(r["status"] == "conflict" for r in rows)
    for r in rows:
        if r["value_million_vnd"] is not None:
            by_source[r["funding_source"]] += r["value_million_vnd"]
    central = (
        sum(by_source[s] for s in CENTRAL_SOURCES if s in by_source)
        if any(s in by_source for s in CENTRAL_SOURCES)
        else None
    )
    if LOCAL_TOTAL_SOURCE in by_source:  # the whole local budget; its parts would count it twice
        local = by_source[LOCAL_TOTAL_SOURCE]
    elif any(s in by_source for s in local_parts):
        local = sum(by_source[s] for s in local_parts if s in by_source)
    else:
        local = None
    named = {None, *CENTRAL_SOURCES, LOCAL_TOTAL_SOURCE, *local_parts, *SUBTOTAL_SOURCES}
    others = [v for s, v in by_source.items() if s not in named]
    other = sum(others) if others else None
    sources = sum(v for v in (central, local, other) if v is not None)
    if None in by_source:
        total = by_source[None]
        remainder = round(total - sources, MONEY_DIGITS)
        not_stated = max(remainder, 0.0)
        if remainder < 0:
            split.sources_exceed_total = True
    else:
        total, not_stated = sources, 0.0
        split.total_stated = False
    split.total += total
    split.plans += 1
    for name, value in (("central", central), ("local", local), ("other", other), ("not_stated", not_stated)):
        if value is not None:
            setattr(split, name, (getattr(split, name) or 0.0) + value)


def _round_split(s: SourceSplit) -> None:
    s.total = round(s.total, MONEY_DIGITS)
    for name in SHARES:
        value = getattr(s, name)
        if value is not None:
            setattr(s, name, round(value, MONEY_DIGITS))


def item_titles(rules: Rules) -> dict[str, tuple[str, str]]:
    """Canonical code -> (Vietnamese title, level) from rules/programs.yaml."""
    titles: dict[str, tuple[str, str]] = {}
    for program, spec in rules.section("programs")["programs"].items():
        for p in spec.get("projects", []):
            pc = f"{program}.DA{p['number']}"
            titles[pc] = (p["title"], "project")
            for s in p.get("subprojects", []):
                sc = f"{pc}.TDA{s['number']}"
                titles[sc] = (s["title"], "subproject")
                for c in s.get("contents", []):
                    titles[f"{sc}.ND{c['number']}"] = (c["title"], "content")
            for c in p.get("contents", []):
                titles[f"{pc}.ND{c['number']}"] = (c["title"], "content")
        for c in spec.get("contents", []):
            titles[f"{program}.ND{c['number']}"] = (c["title"], "content")
    return titles


def _plan_lines(plans: list[dict], documents: dict[str, dict], checks: list[dict]) -> list[PlanLine]:
    severities: dict[str, list[str]] = defaultdict(list)
    for c in checks:
        severities[c["doc_id"]].append(c["severity"])
    lines = []
    for p in plans:
        found = [s for d in p["doc_ids"] or [] for s in severities.get(d, [])]
        preferred = documents.get(p["preferred_doc_id"], {})
        reason = why_not_counted(p)
        lines.append(
            PlanLine(
                p["plan_id"],
                p["province"],
                p["province_2025"],
                p["district"],
                p["admin_level"],
                p["plan_year"],
                p["doc_number"],
                p["issue_date"],
                tuple(p["programs"] or ()),
                tuple(p["formats"] or ()),
                preferred.get("status"),
                sum(s in ("warning", "error") for s in found),
                sum(s == "info" for s in found),
                reason is None,
                reason,
            )
        )
    return sorted(
        lines,
        key=lambda p: (
            place_key(p.province),
            _none_last(p.plan_year),
            p.admin_level != "province",
            p.district or "",
            p.doc_number or "",
            p.plan_id,
        ),
    )


def _indicator_lines(
    out: Path, plans: list[dict], rules: Rules, read_table: Callable[[Path, str], pa.Table]
) -> list[IndicatorLine]:
    """Targets with an official indicator code, read from each plan's preferred version."""
    if not (out / "targets").is_dir():
        return []
    names = {e["code"]: (e["vi"], e["en"]) for e in rules.section("indicators")["indicators"]}
    preferred = {p["preferred_doc_id"]: p for p in plans}
    table = read_table(out, "targets").select(
        [
            "doc_id",
            "line",
            "value",
            "value_max",
            "unit",
            "comparator",
            "kind",
            "indicator",
            "indicator_code",
            "year",
        ]
    )
    lines = []
    for t in table.to_pylist():
        plan = preferred.get(t["doc_id"])
        if plan is None or not t["indicator_code"] or t["kind"] != "target":
            continue
        vi, en = names.get(t["indicator_code"], (t["indicator_code"], ""))
        lines.append(
            IndicatorLine(
                t["indicator_code"],
                vi,
                en,
                plan["province"],
                plan["province_2025"],
                plan["district"],
                plan["admin_level"],
                plan["plan_year"],
                t["kind"],
                t["comparator"],
                t["value"],
                t["value_max"],
                t["unit"],
                t["year"],
                t["indicator"],
                t["doc_id"],
                t["line"],
            )
        )
    return sorted(
        lines,
        key=lambda i: (
            i.code,
            _none_last(i.plan_year),
            place_key(i.province),
            i.admin_level != "province",
            i.district or "",
            i.doc_id,
            _none_last(i.line),
            i.value or 0,
        ),
    )


def _review_lines(
    out: Path,
    plans: list[dict],
    documents: dict[str, dict],
    checks: list[dict],
    read_table: Callable[[Path, str], pa.Table],
) -> list[ReviewLine]:
    """Every sum_mismatch and version_mismatch, and every figure on a page OCR was unsure of
    (the check is per page; its figures are what a person must compare with the scan)."""
    plan_of_doc = {d: p for p in plans for d in p["doc_ids"] or []}
    preferred = {p["preferred_doc_id"] for p in plans}
    low_pages = {(c["doc_id"], c["page"]) for c in checks if c["kind"] == "ocr_low_confidence"}
    figures: dict[tuple, list[dict]] = defaultdict(list)
    if low_pages and (out / "amounts").is_dir():
        amounts = read_table(out, "amounts").select(
            ["doc_id", "page", "line", "raw_text", "value_million_vnd"]
        )
        scanned = pa.array(sorted({d for d, _ in low_pages}), pa.string())
        amounts = amounts.filter(pc.is_in(amounts["doc_id"], value_set=scanned))
        for a in amounts.to_pylist():
            if (a["doc_id"], a["page"]) in low_pages:
                figures[(a["doc_id"], a["page"])].append(a)

    def line_for(c: dict, doc_id: str, line: int | None, page: int | None, message: str) -> ReviewLine:
        doc = documents.get(doc_id, {})
        plan = plan_of_doc.get(doc_id, {})
        return ReviewLine(
            c["kind"],
            c["severity"],
            plan.get("province") or doc.get("province"),
            plan.get("district") or doc.get("district"),
            plan.get("plan_year") or doc.get("plan_year"),
            plan.get("doc_number") or doc.get("doc_number"),
            doc.get("source_name"),
            doc_id,
            doc_id in preferred,
            line,
            page,
            message,
        )

    lines = []
    for c in checks:
        if c["kind"] not in REVIEW_KINDS:
            continue
        if c["kind"] == "ocr_low_confidence" and figures.get((c["doc_id"], c["page"])):
            for a in figures[(c["doc_id"], c["page"])]:
                lines.append(
                    line_for(
                        c,
                        c["doc_id"],
                        a["line"],
                        a["page"],
                        f"{a['raw_text']} = {vn_number(a['value_million_vnd'])} trđ on a page OCR "
                        f"was unsure of: {c['message']}",
                    )
                )
        else:
            lines.append(line_for(c, c["doc_id"], c["line"], c["page"], c["message"]))
    return sorted(
        lines,
        key=lambda r: (
            place_key(r.province),
            _none_last(r.plan_year),
            place_key(r.district),
            r.doc_number or "",
            REVIEW_KINDS.index(r.kind),
            not r.preferred,
            r.source_name or "",
            r.doc_id,
            _none_last(r.line),
            r.message,
        ),
    )


def place_key(name: str | None) -> tuple[str, str]:
    """Vietnamese alphabetical order (Đắk Lắk among the D's, not after Yên Bái)."""
    return (fold(strip_diacritics(name or "")), name or "")


def _none_last(value: Any) -> tuple:
    return (value is None, value if value is not None else 0)


def _sort_key(key: tuple) -> tuple:
    return tuple((v is None, "" if v is None else str(v)) for v in key)


# ------------------------------------------------------------------------------ formatting
def vn_number(value: float | None, digits: int = MONEY_DIGITS) -> str:
    """A number the Vietnamese way: '.' groups thousands, ',' marks decimals."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def vn_percent(share: float | None) -> str:
    return "" if share is None else f"{vn_number(share * 100, 1)} %"


def review_href(review_dir: str, doc_id: str, line: int | None) -> str:
    """The `kehoach review` page of a document at a line, relative to the report."""
    return f"{review_dir}/{quote(doc_id, safe='')}.html" + (f"#L{line}" if line else "")


def review_dir_for(out: Path, report_path: Path) -> str:
    """Where `kehoach review OUT` writes its pages (OUT/review), seen from the report's folder."""
    rel = os.path.relpath((out / "review").resolve(), report_path.resolve().parent)
    return Path(rel).as_posix()


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _target_text(i: IndicatorLine) -> str:
    if i.comparator == "range" and i.value_max is not None:
        text = f"{vn_number(i.value)}–{vn_number(i.value_max)}"
    else:
        text = f"{COMPARATOR_SIGNS.get(i.comparator or '', i.comparator or '')} {vn_number(i.value)}".strip()
    unit = {"percent": "%"}.get(i.unit or "", i.unit or "")
    return f"{text} {unit}".strip()


def _bi(vi: str, en: str) -> str:
    """A label in Vietnamese with its English beside it."""
    return f'{_esc(vi)} <span class="en">{_esc(en)}</span>'


def _opening(section_id: str, vi: str, en: str) -> str:
    return f'<section id="{section_id}"><h2>{_bi(vi, en)}</h2>'


def _para(vi: str, en: str) -> str:
    return f"<p>{_bi(vi, en)}</p>"


# ------------------------------------------------------------------------------ HTML
_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,"DejaVu Sans",sans-serif;color:#1d1d1d;background:#fafafa}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px}
h3{font-size:15px;margin:18px 0 6px}h4{font-size:14px;margin:12px 0 4px}
.en{color:#666;font-weight:normal;font-size:.92em}
nav{position:sticky;top:0;background:#f1f3f6;padding:6px 20px;border-bottom:1px solid #ddd;z-index:1}
nav a{margin-right:16px;color:#184f8f;text-decoration:none}
main{padding:0 20px 40px;max-width:1280px}
.note{background:#fff;border-left:3px solid #2f6db5;padding:6px 10px;margin:8px 0}
table{border-collapse:collapse;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #ddd;padding:3px 7px;vertical-align:top}
th{background:#f1f3f6;text-align:left;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.sub td{background:#f7f7f7;font-style:italic}
.warn{color:#a15c00}.muted{color:#888}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
section{content-visibility:auto;contain-intrinsic-size:auto 3000px;scroll-margin-top:40px}
svg.chart{display:block;background:#fff;border:1px solid #ddd;margin:4px 0 14px}
svg.chart text{font:12px system-ui,"DejaVu Sans",sans-serif;fill:#1d1d1d}
svg.chart text.v{fill:#555}
"""


def render_html(report: Report, review_dir: str = "review") -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # no request may leave the page: nothing but inline styles and images from data:
        (
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; img-src data:\">"
        ),
        f"<title>So sánh tỉnh / Province comparison — {_esc(report.out_name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header>",
        f"<h1>{_bi('So sánh các tỉnh', 'Province comparison')} — {_esc(report.out_name)}</h1>",
        (
            f"<div>{len(report.plans)} {_bi('kế hoạch', 'plans')}; "
            f"{sum(p.counted for p in report.plans)} "
            f"{_bi('được cộng vào tổng tỉnh', 'counted in the province sums')}; "
            f"{len(report.review)} {_bi('mục cần xem', 'items to review')}</div>"
        ),
        "</header>",
        (
            '<nav><a href="#summary">Tóm tắt <span class="en">Summary</span></a>'
            '<a href="#funds">Phân bổ vốn <span class="en">Funds</span></a>'
            '<a href="#projects">Dự án <span class="en">Projects</span></a>'
            '<a href="#indicators">Chỉ tiêu <span class="en">Indicators</span></a>'
            '<a href="#review">Cần xem <span class="en">To review</span></a>'
            '<a href="#plans">Kế hoạch <span class="en">Plans</span></a></nav>'
        ),
        "<main>",
        _method_note(report, review_dir),
        # the long lists come last: the first screen (summary and charts) paints without laying them out
        _summary_section(report),
        _funds_section(report),
        _projects_section(report),
        _indicators_section(report, review_dir),
        _review_section(report, review_dir),
        _plans_section(report),
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _method_note(report: Report, review_dir: str) -> str:
    vi, en = GROUPINGS[report.grouping]
    return (
        '<details class="note"><summary>'
        f'<b>Nhóm theo</b> <span class="en">Grouped by</span>: {_bi(vi, en)} '
        f"(<code>{_esc(report.grouping)}</code>); "
        "chỉ cộng kế hoạch cấp tỉnh. "
        '<span class="en">Only province plans are summed.</span> '
        'Đơn vị: triệu đồng. <span class="en">Money in million VND (triệu đồng).</span> '
        '<u>Cách đọc</u> <span class="en">How to read</span></summary>'
        '<p><b>Cách cộng</b> <span class="en">How the sums are made</span>: '
        "chỉ kế hoạch cấp tỉnh, không cộng kế hoạch đã nằm trong kế hoạch cấp trên, một phiên bản ưu tiên "
        "mỗi kế hoạch, vốn kế hoạch của năm kế hoạch, mọi loại vốn (bảng <code>allocations</code>). "
        '<span class="en">Province plans only (district and commune plans repeat their province\'s money), '
        "plans included in a higher-level plan left out, one preferred version per plan, the planned funds "
        "of the plan year, all capital types (table <code>allocations</code>, one level at a time)."
        "</span></p>"
        '<p><b>Tỉnh</b> <span class="en">Provinces</span>: mỗi dòng ghi tỉnh như văn bản ghi và, khi khác, '
        "tỉnh sau sắp xếp 1/7/2025 (Nghị quyết 202/2025/QH15), dạng “Hà Giang → Tuyên Quang”. "
        '<span class="en">Every row shows the province as written and, when it differs, the province it '
        "belongs to from 1 July 2025, as “Hà Giang → Tuyên Quang”; <code>kehoach report OUT --group-by "
        "province_2025</code> groups by the merged provinces (the provinces as written in brackets)."
        "</span></p>"
        '<p><b>Nguồn vốn</b> <span class="en">Sources</span>: Trung ương = NSTW; Địa phương = NSĐP, ngân '
        "sách tỉnh, huyện, xã; Nguồn khác = tín dụng, doanh nghiệp, nhân dân, lồng ghép, huy động, khác; "
        "<i>không ghi nguồn</i> = phần của tổng mà kế hoạch không ghi nguồn (không đoán). "
        '<span class="en">Central = central budget; local = local budget and its province, district and '
        "commune parts; other = credit, enterprises, communities, pooled, mobilised and other funds; "
        "<i>not stated</i> = the part of a stated total whose source the plan does not state (never "
        "guessed). A total marked Σ is the sum of the stated sources (the plan states no total).</span></p>"
        f'<p><b>Trang kiểm tra</b> <span class="en">Review pages</span>: các liên kết mở '
        f"<code>{_esc(review_dir)}/&lt;doc_id&gt;.html#L&lt;dòng&gt;</code>; tạo bằng "
        f"<code>kehoach review OUT</code> (mọi tài liệu) hoặc <code>kehoach review OUT --doc DOC_ID</code>. "
        f'<span class="en">Links open <code>{_esc(review_dir)}/&lt;doc_id&gt;.html#L&lt;line&gt;</code>; '
        "write those pages with <code>kehoach review OUT</code> (every document, into OUT/review/) or "
        "<code>kehoach review OUT --doc DOC_ID</code>.</span></p>"
        "</details>"
    )


def _table(head: list[tuple[str, str]], body: list[str], cls: str = "") -> str:
    cells = "".join(f"<th>{_bi(vi, en)}</th>" for vi, en in head)
    attr = f' class="{cls}"' if cls else ""
    # rows joined without white space: a newline between rows is a text node each
    return f"<table{attr}><thead><tr>{cells}</tr></thead><tbody>" + "".join(body) + "</tbody></table>"


def _where(province: str | None, province_2025: str | None) -> str:
    """The province as written, and the merged province beside it when they differ."""
    if province_2025 and province_2025 != province:
        return f"{province or '?'} → {province_2025}"
    return province or province_2025 or ""


def _summary_section(report: Report) -> str:
    """The plans per year at a glance; each plan is listed in the last section."""
    by_year: dict = defaultdict(list)
    for p in report.plans:
        by_year[p.plan_year].append(p)
    head = [
        ("Năm", "plan year"),
        ("Kế hoạch", "plans"),
        ("Cấp tỉnh", "province"),
        ("Được cộng", "counted"),
        ("Cấp huyện, xã", "district, commune"),
        ("Tỉnh", "provinces"),
        ("Có cảnh báo", "with warnings"),
    ]
    body = [
        f'<tr><td class="n">{_esc(year if year is not None else "?")}</td><td class="n">{len(ps)}</td>'
        f'<td class="n">{sum(p.admin_level == "province" for p in ps)}</td>'
        f'<td class="n">{sum(p.counted for p in ps)}</td>'
        f'<td class="n">{sum(p.admin_level in ("district", "commune") for p in ps)}</td>'
        f'<td class="n">{len({p.province for p in ps if p.province})}</td>'
        f'<td class="n">{sum(p.warnings > 0 for p in ps)}</td></tr>'
        for year, ps in sorted(by_year.items(), key=lambda kv: _none_last(kv[0]))
    ]
    return (
        f'<section id="summary"><h2>{_bi("Tóm tắt", "Summary")}</h2>'
        + _table(head, body)
        + f'<p><a href="#plans">{_bi("Danh sách kế hoạch", "List of plans")}</a></p></section>'
    )


def _plans_section(report: Report) -> str:
    head = [
        ("Tỉnh → tỉnh 2025", "province → from 2025"),
        ("Huyện", "district"),
        ("Cấp", "level"),
        ("Năm", "year"),
        ("Số hiệu", "number"),
        ("Ngày", "date"),
        ("Chương trình", "programs"),
        ("Phiên bản", "versions"),
        ("Trạng thái", "status"),
        ("Cảnh báo / thông tin", "warnings / infos"),
        ("Trong tổng tỉnh", "in province sums"),
    ]
    body = []
    for p in report.plans:
        body.append(
            f"<tr><td>{_esc(_where(p.province, p.province_2025))}</td><td>{_esc(p.district)}</td>"
            f"<td>{_esc(LEVEL_LABELS.get(p.admin_level or '', p.admin_level))}</td>"
            f'<td class="n">{_esc(p.plan_year)}</td>'
            f"<td>{_esc(p.doc_number)}</td><td>{_esc(p.issue_date)}</td>"
            f"<td>{_esc(', '.join(p.programs))}</td>"
            f"<td>{_esc(', '.join(p.formats))}</td><td>{_esc(p.status)}</td>"
            f'<td class="n{" warn" if p.warnings else ""}">{p.warnings} / {p.infos}</td>'
            f"<td>{'có / yes' if p.counted else _esc('không / no: ' + (p.why_not_counted or ''))}</td></tr>"
        )
    return f'<section id="plans"><h2>{_bi("Các kế hoạch", "Plans")}</h2>' + _table(head, body) + "</section>"


def split_note(s: SourceSplit) -> str:
    notes = []
    if s.conflict:
        notes.append("số liệu mâu thuẫn / statements disagree (allocations.status conflict)")
    if s.sources_exceed_total:
        notes.append("các nguồn vượt tổng / the sources exceed the total")
    return "; ".join(notes)


def _split_cells(s: SourceSplit) -> str:
    """Total, then each share's amount with its percentage of the total in one cell."""
    cells = [f'<td class="n">{"" if s.total_stated else "Σ "}{vn_number(s.total)}</td>']
    for name in SHARES:
        value = getattr(s, name)
        cells.append(
            f'<td class="n">{vn_number(value)}'
            + (f" <small>{vn_percent(s.share(name))}</small>" if value is not None and s.total else "")
            + "</td>"
        )
    return "".join(cells) + f'<td class="n">{s.plans}</td><td class="warn">{_esc(split_note(s))}</td>'


_SPLIT_HEAD = (
    [("Tổng", "total")] + [SHARE_LABELS[name] for name in SHARES] + [("Số KH", "plans"), ("Ghi chú", "note")]
)


def _funds_section(report: Report) -> str:
    out = [
        _opening("funds", "Phân bổ vốn theo tỉnh và chương trình", "Funds per province and program"),
        '<p class="legend">'
        + "".join(
            f'<span><i style="background:{SHARE_COLOURS[n]}"></i>{_bi(*SHARE_LABELS[n])}</span>'
            for n in SHARES
        )
        + "</p>",
    ]
    by_year: dict = defaultdict(list)
    for s in report.program_splits:
        by_year[s.plan_year].append(s)
    if not by_year:
        out.append(_para("Không có kế hoạch cấp tỉnh nào có số vốn.", "No province plan states funds."))
    for year in sorted(by_year, key=_none_last):
        splits = by_year[year]
        out.append(f"<h3>{_bi('Năm kế hoạch', 'Plan year')} {_esc(year if year is not None else '?')}</h3>")
        for program in sorted({s.program or "" for s in splits}):
            rows = sorted(
                (s for s in splits if (s.program or "") == program), key=lambda s: place_key(s.province)
            )
            vi, en = PROGRAM_LABELS.get(program, (program, program))
            out.append(f"<h4>{_esc(program)} — {_bi(vi, en)}, {_esc(year)}</h4>")
            out.append(bar_chart(rows, year, program, report.grouping))
        head = [("Tỉnh → tỉnh 2025", "province → from 2025"), ("Chương trình", "program")] + _SPLIT_HEAD
        body = [
            f"<tr><td>{_esc(_place_label(s, report.grouping))}</td>"
            f"<td>{_esc(s.program)}</td>{_split_cells(s)}</tr>"
            for s in sorted(splits, key=lambda s: (place_key(s.province), s.program or ""))
        ]
        out.append(_table(head, body, "funds"))
    out.append("</section>")
    return "\n".join(out)


def _place_label(s: SourceSplit, grouping: str) -> str:
    """The group's name with the other reading beside it: the merged province of a province as
    written, or the provinces as written that a merged province groups."""
    if grouping == "province_2025":
        written = sorted(s.provinces_written - {s.province_2025 or ""})
        return f"{s.province_2025 or '?'}" + (f" ({', '.join(written)})" if written else "")
    return _where(s.province, s.province_2025) or "?"


def bar_chart(splits: list[SourceSplit], year: int | None, program: str, grouping: str) -> str:
    """Horizontal bars, one per province, stacked by source share, as inline SVG."""
    caption = f"{program} {year if year is not None else '?'}"
    height = CHART_TOP * 2 + CHART_ROW * len(splits)
    span = CHART_WIDTH - CHART_LABEL - CHART_VALUE
    top = max((s.total for s in splits), default=0.0) or 1.0
    items = [
        (
            f'<svg class="chart" role="img" data-year="{_esc(year)}" data-program="{_esc(program)}" '
            f'width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{_esc(caption)}</title>'
        )
    ]
    for i, s in enumerate(splits):
        y = CHART_TOP + i * CHART_ROW
        label = _place_label(s, grouping)
        # one tooltip per bar with every share (a title per segment would double the page's nodes)
        tip = "; ".join(
            f"{SHARE_LABELS[n][0]} / {SHARE_LABELS[n][1]} {vn_number(getattr(s, n))} "
            f"({vn_percent(s.share(n))})"
            for n in SHARES
            if getattr(s, n)
        )
        items.append(
            f'<g class="bar" data-province="{_esc(label)}">'
            f"<title>{_esc(label)}: {_esc(vn_number(s.total))} trđ; {_esc(tip)}</title>"
            f'<text x="{CHART_LABEL - 6}" y="{y + 14}" text-anchor="end">'
            f"{_esc(_shorten(label, CHART_LABEL_CHARS))}</text>"
        )
        x = float(CHART_LABEL)
        for name in SHARES:
            value = getattr(s, name)
            if not value:
                continue
            width = span * value / top
            items.append(
                f'<rect class="seg {name}" x="{x:.1f}" y="{y + 3}" width="{max(width, 0.5):.1f}" '
                f'height="{CHART_ROW - 6}" fill="{SHARE_COLOURS[name]}"/>'
            )
            x += width
        items.append(f'<text class="v" x="{x + 5:.1f}" y="{y + 14}">{_esc(vn_number(s.total))}</text></g>')
    items.append("</svg>")
    return "".join(items)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _projects_section(report: Report) -> str:
    """One table per project or sub-project: a row per province, a column per plan year; each
    cell the total with the central share, the whole split on hover (and in the workbook)."""
    out = [
        _opening("projects", "Dự án, tiểu dự án giữa các tỉnh", "Projects and sub-projects across provinces"),
        _para(
            "Mỗi ô: tổng (tỷ lệ Trung ương); di chuột để xem đủ các nguồn.",
            "Each cell: the total (central share); hover for every source.",
        ),
    ]
    by_code: dict[str, list[SourceSplit]] = defaultdict(list)
    for s in report.project_splits:
        by_code[s.code or ""].append(s)
    if not by_code:
        out.append(_para("Không có số vốn theo dự án.", "No funds per project."))
    for code in sorted(by_code):
        splits = by_code[code]
        years = sorted({s.plan_year for s in splits}, key=_none_last)
        rows: dict[tuple, dict] = defaultdict(dict)
        for s in splits:
            rows[(place_key(s.province), _place_label(s, report.grouping))][s.plan_year] = s
        out.append(f"<h4><code>{_esc(code)}</code> {_esc(splits[0].title or '')}</h4>")
        head = [("Tỉnh → tỉnh 2025", "province → from 2025")] + [
            (str(y) if y is not None else "?", "plan year") for y in years
        ]
        body = [
            f"<tr><td>{_esc(label)}</td>" + "".join(_project_cell(cells.get(y)) for y in years) + "</tr>"
            for (_, label), cells in sorted(rows.items())
        ]
        out.append(_table(head, body, "projects"))
    out.append("</section>")
    return "\n".join(out)


def _project_cell(s: SourceSplit | None) -> str:
    if s is None:
        return "<td></td>"
    split = "; ".join(
        f"{SHARE_LABELS[n][1]} {vn_number(getattr(s, n))} ({vn_percent(s.share(n))})"
        for n in SHARES
        if getattr(s, n) is not None
    )
    note = split_note(s)
    title = f"{split}{'; ' + note if note else ''}"
    central = f" <small>{vn_percent(s.share('central'))}</small>" if s.central is not None and s.total else ""
    return (
        f'<td class="n{" warn" if note else ""}" title="{_esc(title)}">'
        f"{'Σ ' if not s.total_stated else ''}{vn_number(s.total)}{central}</td>"
    )


def _indicators_section(report: Report, review_dir: str) -> str:
    """One table per official indicator: a row per province, a column per plan year, each
    target linked to its line; the targets of district and commune plans listed under it per
    province (a row each would make the table mostly empty cells)."""
    out = [
        _opening("indicators", "Chỉ tiêu chính thức giữa các tỉnh", "Official indicators across provinces"),
        _para(
            "Mục tiêu theo năm kế hoạch; bấm để xem dòng trong văn bản.",
            "Targets per plan year; follow a target to its line in the document.",
        ),
    ]
    by_code: dict[str, list[IndicatorLine]] = defaultdict(list)
    for i in report.indicators:
        by_code[i.code].append(i)
    if not by_code:
        out.append(_para("Không có chỉ tiêu nào.", "No targets."))

    def link(i: IndicatorLine, prefix: str = "") -> str:
        period = f" ({i.year})" if i.year else ""
        # the wording as written is in the workbook and one click away; repeated here it weighed a third
        return (
            f'<a href="{_esc(review_href(review_dir, i.doc_id, i.line))}">'
            f"{_esc(prefix + _target_text(i) + period)}</a>"
        )

    for code in sorted(by_code):
        lines = by_code[code]
        province_lines = [i for i in lines if i.district is None]
        years = sorted({i.plan_year for i in province_lines}, key=_none_last)
        cells: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
        for i in province_lines:
            cells[(place_key(i.province), _where(i.province, i.province_2025))][i.plan_year].append(link(i))
        out.append(f"<h4><code>{_esc(code)}</code> {_bi(lines[0].name_vi, lines[0].name_en)}</h4>")
        if cells:
            head = [("Tỉnh → tỉnh 2025", "province → from 2025")] + [
                (str(y) if y is not None else "?", "plan year") for y in years
            ]
            out.append(
                _table(
                    head,
                    [
                        f"<tr><td>{_esc(label)}</td>"
                        + "".join(f"<td>{'; '.join(by_year.get(y, []))}</td>" for y in years)
                        + "</tr>"
                        for (_, label), by_year in sorted(cells.items())
                    ],
                )
            )
        below: dict[tuple, list[str]] = defaultdict(list)
        for i in sorted(lines, key=lambda i: (place_key(i.district), _none_last(i.plan_year))):
            if i.district is not None:
                below[(place_key(i.province), _where(i.province, i.province_2025))].append(
                    link(i, f"{i.district} {i.plan_year if i.plan_year is not None else '?'}: ")
                )
        if below:
            count = sum(len(v) for v in below.values())
            out.append(
                f"<details><summary>{_bi('Kế hoạch cấp huyện, xã', 'district and commune plans')} ({count})"
                "</summary><ul>"
                + "".join(
                    f"<li><b>{_esc(label)}</b>: {', '.join(links)}</li>"
                    for (_, label), links in sorted(below.items())
                )
                + "</ul></details>"
            )
    out.append("</section>")
    return "\n".join(out)


def _review_section(report: Report, review_dir: str) -> str:
    out = [
        _opening("review", "Cần xem lại", "To review"),
        _para(
            "Tổng không khớp các phần, số khác nhau giữa các phiên bản, số trên trang OCR không chắc.",
            "Totals that do not match their parts, figures that differ between versions, "
            "figures on pages OCR was unsure of.",
        ),
        # the links need the review pages: say here how to make them, not only in the folded note
        (
            f"<p>Liên kết mở <code>{_esc(review_dir)}/&lt;doc_id&gt;.html#L&lt;dòng&gt;</code>, tạo bằng "
            "<code>kehoach review OUT</code> (hoặc <code>--doc DOC_ID</code>). "
            f'<span class="en">Links open <code>{_esc(review_dir)}/&lt;doc_id&gt;.html#L&lt;line&gt;</code>; '
            "write those pages with <code>kehoach review OUT</code> (or <code>--doc DOC_ID</code> for one "
            "document).</span></p>"
        ),
    ]
    head = [
        ("Loại", "kind"),
        ("Mức", "severity"),
        ("Tỉnh", "province"),
        ("Huyện", "district"),
        ("Năm", "year"),
        ("Kế hoạch", "plan"),
        ("Tệp", "file"),
        ("Ưu tiên", "preferred"),
        ("Trang", "page"),
        ("Dòng", "line"),
        ("Nội dung", "message"),
    ]
    body = [
        f"<tr><td>{_esc(r.kind)}</td><td>{_esc(r.severity)}</td><td>{_esc(r.province)}</td>"
        f'<td>{_esc(r.district)}</td><td class="n">{_esc(r.plan_year)}</td><td>{_esc(r.doc_number)}</td>'
        f"<td>{_esc(r.source_name)}</td><td>{'✓' if r.preferred else ''}</td>"
        f'<td class="n">{_esc(r.page)}</td>'
        f'<td><a class="review" href="{_esc(review_href(review_dir, r.doc_id, r.line))}">'
        f"{_esc(r.line if r.line else 'xem / open')}</a></td><td>{_esc(r.message)}</td></tr>"
        for r in report.review
    ]
    out.append(_table(head, body, "review") if body else _para("Không có gì cần xem.", "Nothing to review."))
    out.append("</section>")
    return "\n".join(out)


# ------------------------------------------------------------------------------ XLSX
def render_xlsx(report: Report, review_dir: str = "review") -> bytes:
    """The same views as a workbook, one sheet per view, headers in Vietnamese and English
    (two rows), money as numbers, shares as percentages, review links as hyperlinks."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)

    def sheet(
        title: str,
        head: list[tuple[str, str]],
        rows: list[list],
        formats: dict[int, str] | None = None,
        link_column: int | None = None,
        hrefs: list[str | None] | None = None,
    ) -> None:
        ws = wb.create_sheet(title)
        ws.append([vi for vi, _ in head])
        ws.append([en for _, en in head])
        for cell in (*ws[1], *ws[2]):
            cell.font = bold
        ws.freeze_panes = "A3"
        for r, row in enumerate(rows, start=3):
            ws.append(row)
            for col, fmt in (formats or {}).items():
                ws.cell(r, col).number_format = fmt
            if link_column is not None and hrefs and hrefs[r - 3]:
                ws.cell(r, link_column).hyperlink = hrefs[r - 3]
        for i, (vi, en) in enumerate(head, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(
                40, max(10, len(vi) + 4, len(en) + 4)
            )

    sheet(
        "Giới thiệu (About)",
        [("Mục", "item"), ("Nội dung", "value")],
        [
            ["Thư mục / folder", report.out_name],
            ["Nhóm theo / grouped by", f"{report.grouping}: {' / '.join(GROUPINGS[report.grouping])}"],
            [
                "Cách cộng / sums",
                (
                    "allocations; admin_level = province; not included_in_higher_level; "
                    "capital_type IS NULL; measure = plan; fiscal_year = plan_year; one level at a time"
                ),
            ],
            [
                "Nguồn / sources",
                (
                    "central = central; local = local | province, district, district_commune, commune; "
                    "other = the rest but state_budget (a subtotal); not stated = total - named sources"
                ),
            ],
            [
                "Trang kiểm tra / review pages",
                f"{review_dir}/<doc_id>.html#L<line>: kehoach review OUT [--doc DOC_ID]",
            ],
            ["Đơn vị / unit", "triệu đồng (million VND)"],
        ],
    )
    sheet(
        "Kế hoạch (Plans)",
        [
            ("Tỉnh", "province"),
            ("Tỉnh 2025", "province_2025"),
            ("Huyện", "district"),
            ("Cấp", "admin_level"),
            ("Năm", "plan_year"),
            ("Số hiệu", "doc_number"),
            ("Ngày", "issue_date"),
            ("Chương trình", "programs"),
            ("Phiên bản", "formats"),
            ("Trạng thái", "status"),
            ("Cảnh báo", "warnings"),
            ("Thông tin", "infos"),
            ("Trong tổng tỉnh", "counted"),
            ("Lý do", "why not counted"),
            ("Mã kế hoạch", "plan_id"),
        ],
        [
            [
                p.province,
                p.province_2025,
                p.district,
                p.admin_level,
                p.plan_year,
                p.doc_number,
                p.issue_date,
                ", ".join(p.programs),
                ", ".join(p.formats),
                p.status,
                p.warnings,
                p.infos,
                p.counted,
                p.why_not_counted,
                p.plan_id,
            ]
            for p in report.plans
        ],
        {7: "yyyy-mm-dd"},
    )
    split_head = (
        [("Tổng", "total"), ("Tổng là tổng các nguồn", "total is the sum of sources")]
        + [
            x
            for name in SHARES
            for x in (
                SHARE_LABELS[name],
                ("tỷ lệ " + SHARE_LABELS[name][0].lower(), f"{SHARE_LABELS[name][1]} share"),
            )
        ]
        + [("Số KH", "plans"), ("Ghi chú", "note")]
    )

    def written(s: SourceSplit) -> str | None:
        """The province as written (grouped by the merged province: every one it groups)."""
        return (
            s.province
            if report.grouping == "province"
            else ", ".join(sorted(s.provinces_written, key=place_key))
        )

    def split_values(s: SourceSplit) -> list:
        values: list = [s.total, not s.total_stated]
        for name in SHARES:
            values += [getattr(s, name), s.share(name)]
        return values + [s.plans, split_note(s) or None]

    share_columns = [2 * k + 2 for k in range(len(SHARES))]  # after the total columns, every other one
    sheet(
        "Phân bổ (Funds)",
        [
            ("Năm", "plan_year"),
            ("Tỉnh", "province"),
            ("Tỉnh 2025", "province_2025"),
            ("Chương trình", "program"),
        ]
        + split_head,
        [
            [s.plan_year, written(s), s.province_2025, s.program, *split_values(s)]
            for s in report.program_splits
        ],
        {4 + 2 + c: "0.0%" for c in share_columns},
    )
    sheet(
        "Dự án (Projects)",
        [
            ("Mã", "canonical_code"),
            ("Tên", "title"),
            ("Năm", "plan_year"),
            ("Tỉnh", "province"),
            ("Tỉnh 2025", "province_2025"),
            ("Chương trình", "program"),
        ]
        + split_head,
        [
            [s.code, s.title, s.plan_year, written(s), s.province_2025, s.program, *split_values(s)]
            for s in sorted(
                report.project_splits,
                key=lambda s: (s.code or "", _none_last(s.plan_year), place_key(s.province)),
            )
        ],
        {6 + 2 + c: "0.0%" for c in share_columns},
    )
    sheet(
        "Chỉ tiêu (Indicators)",
        [
            ("Mã", "indicator_code"),
            ("Chỉ tiêu", "indicator (vi)"),
            ("Indicator", "indicator (en)"),
            ("Tỉnh", "province"),
            ("Tỉnh 2025", "province_2025"),
            ("Huyện", "district"),
            ("Năm KH", "plan_year"),
            ("So sánh", "comparator"),
            ("Giá trị", "value"),
            ("Đến", "value_max"),
            ("Đơn vị", "unit"),
            ("Năm / kỳ", "year"),
            ("Nguyên văn", "as written"),
            ("Dòng", "line"),
        ],
        [
            [
                i.code,
                i.name_vi,
                i.name_en,
                i.province,
                i.province_2025,
                i.district,
                i.plan_year,
                i.comparator,
                i.value,
                i.value_max,
                i.unit,
                i.year,
                i.indicator,
                i.line,
            ]
            for i in report.indicators
        ],
        link_column=14,
        hrefs=[review_href(review_dir, i.doc_id, i.line) for i in report.indicators],
    )
    sheet(
        "Cần xem (Review)",
        [
            ("Loại", "kind"),
            ("Mức", "severity"),
            ("Tỉnh", "province"),
            ("Huyện", "district"),
            ("Năm", "plan_year"),
            ("Kế hoạch", "doc_number"),
            ("Tệp", "source_name"),
            ("Mã tài liệu", "doc_id"),
            ("Phiên bản ưu tiên", "preferred version"),
            ("Trang", "page"),
            ("Dòng", "line"),
            ("Nội dung", "message"),
            ("Trang kiểm tra", "review page"),
        ],
        [
            [
                r.kind,
                r.severity,
                r.province,
                r.district,
                r.plan_year,
                r.doc_number,
                r.source_name,
                r.doc_id,
                r.preferred,
                r.page,
                r.line,
                r.message,
                review_href(review_dir, r.doc_id, r.line),
            ]
            for r in report.review
        ],
        link_column=13,
        hrefs=[review_href(review_dir, r.doc_id, r.line) for r in report.review],
    )
    wb.properties.created = wb.properties.modified = WORKBOOK_DATE
    wb.properties.creator = "kehoach"
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The workbook's zip with every member dated ZIP_DATE and the document properties'
    dates WORKBOOK_DATE (openpyxl stamps both with the time of saving)."""
    import re

    stamp = WORKBOOK_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    member,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, member)
    return target_buffer.getvalue()


# ------------------------------------------------------------------------------ writing
@dataclass(frozen=True)
class Written:
    html: Path
    xlsx: Path | None
    report: Report


def write_report(
    out: Path,
    html_path: Path | None = None,
    xlsx_path: Path | None = None,
    grouping: str = "province",
    rules: Rules | None = None,
) -> Written:
    """Write the HTML report (default OUT/report.html, so that links to OUT/review/ resolve)
    and, when asked, the workbook."""
    html_path = html_path or out / "report.html"
    report = build_report(out, grouping, rules)
    review_dir = review_dir_for(out, html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(html_path, render_html(report, review_dir).encode("utf-8"))
    if xlsx_path is not None:
        xlsx_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(xlsx_path, render_xlsx(report, review_dir_for(out, xlsx_path)))
    return Written(html_path, xlsx_path, report)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
