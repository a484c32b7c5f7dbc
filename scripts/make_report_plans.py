"""An output folder of N generated plans, written directly as kehoach tables (documents,
plans, allocations, targets, checks, amounts), so that `kehoach report` can be measured on
1,000 plans without extracting 1,000 documents.

    python scripts/make_report_plans.py OUT [--plans 1000] [--seed 0]

The plans are shaped like the corpus's: one province plan per province and year (2022-2025)
covering one to three programs, the rest district plans (some included in their province's
plan); per program a total, central and local funds (sometimes credit and community funds,
sometimes no source at all), by capital type, with a carry-over; per project and
sub-project the same; official indicator targets; sum_mismatch, version_mismatch and
ocr_low_confidence checks with the figures of their pages. The same arguments give the same
tables."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.rules import load_rules  # noqa: E402 (after the path above)
from extract.schema import file_metadata, to_arrow  # noqa: E402

YEARS = (2022, 2023, 2024, 2025)
PROGRAMS = ("NTM", "GNBV", "DTTS")
PROJECTS = {
    "NTM": ("NTM.ND2", "NTM.ND3", "NTM.ND5"),
    "GNBV": ("GNBV.DA1", "GNBV.DA1.TDA1", "GNBV.DA3", "GNBV.DA4", "GNBV.DA4.TDA1"),
    "DTTS": ("DTTS.DA1", "DTTS.DA3", "DTTS.DA5", "DTTS.DA5.TDA4"),
}
INDICATORS = (
    "POVERTY.HOUSEHOLD_RATE",
    "POVERTY.DTTS_HOUSEHOLD_RATE",
    "GNBV.CLEAN_WATER",
    "GNBV.HOUSING_SUPPORT",
    "NTM.COMMUNES_STANDARD",
    "NTM.TC12_TRAINED_LABOUR",
    "DTTS.CHILD_STUNTING",
    "DTTS.FOREST_COVER",
    "DTTS.INCOME_PER_HEAD",
    "NTM.TC15_HEALTH_INSURANCE",
)
# As in the corpus: about four official targets per plan, a sum_mismatch in a third of them.
TARGETS_PER_PLAN = 4
SUM_MISMATCH_SHARE = 0.3


@dataclass(frozen=True)
class Place:
    province: str
    code: str
    province_2025: str
    province_2025_code: str


def places() -> list[Place]:
    spec = load_rules().section("places")
    new = {name: str(code) for name, code in spec["provinces_2025"].items()}
    return [
        Place(name, str(e["code"]), e["province_2025"], new[e["province_2025"]])
        for name, e in spec["provinces"].items()
    ]


def generate(out: Path, plans: int = 1000, seed: int = 0) -> dict[str, int]:
    """Write the tables of `plans` generated plans into OUT; returns the rows per table."""
    rng = random.Random(seed)
    provinces = places()
    tables: dict[str, list[dict]] = {
        name: [] for name in ("documents", "plans", "allocations", "targets", "checks", "amounts")
    }
    slots = [(p, y) for y in YEARS for p in provinces]  # one province plan per province and year
    for n in range(plans):
        if n < len(slots):
            place, year = slots[n]
            level, district = "province", None
            programs = sorted(rng.sample(PROGRAMS, rng.choice((1, 1, 2, 3))), key=PROGRAMS.index)
        else:
            place, year = rng.choice(provinces), rng.choice(YEARS)
            level, district = "district", f"Huyện {n:04d}"
            programs = [rng.choice(PROGRAMS)]
        _plan(tables, rng, n, place, year, level, district, programs)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        folder = out / name
        folder.mkdir(exist_ok=True)
        table = to_arrow(name, rows)
        pq.write_table(table.replace_schema_metadata(file_metadata(name)), folder / "part-0.parquet")
    return {name: len(rows) for name, rows in tables.items()}


def _plan(
    tables: dict[str, list[dict]],
    rng: random.Random,
    n: int,
    place: Place,
    year: int,
    level: str,
    district: str | None,
    programs: list[str],
) -> None:
    plan_id, doc_id, scan_id = f"p{n:05d}", f"d{n:05d}", f"d{n:05d}s"
    scanned = rng.random() < 0.15
    issuer = f"UBND {'tỉnh ' + place.province if level == 'province' else 'huyện ' + (district or '')}"
    number = f"{n + 1}/KH-UBND"
    date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(120))
    included = level == "district" and rng.random() < 0.5
    where = {
        "admin_level": level,
        "province": place.province,
        "district": district,
        "province_code": place.code,
        "province_2025": place.province_2025,
        "province_2025_code": place.province_2025_code,
        "plan_year": year,
        "included_in_higher_level": included or None,
    }
    versions = [(doc_id, "txt", "text")] + ([(scan_id, "pdf", "ocr")] if scanned else [])
    for vid, fmt, method in versions:
        tables["documents"].append(
            {
                "doc_id": vid,
                "source_name": f"kh_{n:05d}.{fmt}",
                "source_path": f"plans/kh_{n:05d}.{fmt}",
                "sha256": f"{n:064d}",
                "format": fmt,
                "method": method,
                "pages": 6,
                "doc_number": number,
                "doc_type": "KH",
                "issuer": issuer,
                "issue_date": date,
                "programs": programs,
                "title": f"Kế hoạch thực hiện các chương trình mục tiêu quốc gia năm {year}",
                "status": "ok",
                "plan_id": plan_id,
                "ocr_confidence": 71.5 if method == "ocr" else None,
                **where,
            }
        )
    tables["plans"].append(
        {
            "plan_id": plan_id,
            "preferred_doc_id": doc_id,
            "doc_ids": [v[0] for v in versions],
            "formats": [v[1] for v in versions],
            "versions": len(versions),
            "aliases": [],
            "doc_number": number,
            "doc_type": "KH",
            "issuer": issuer,
            "issue_date": date,
            "title": f"Kế hoạch thực hiện các chương trình mục tiêu quốc gia năm {year}",
            "programs": programs,
            **where,
        }
    )
    scale = 0.1 if level == "district" else 1.0
    line = 10
    for program in programs:
        items = [("program", None)] + [
            (("subproject" if ".TDA" in c else "project") if program != "NTM" else "content", c)
            for c in rng.sample(PROJECTS[program], rng.randint(2, len(PROJECTS[program])))
        ]
        for item_level, code in items:
            base = (rng.randint(20_000, 900_000) if code is None else rng.randint(1_000, 90_000)) * scale
            central = round(base * rng.uniform(0.6, 0.95))
            local = round(base - central)
            extra = (
                {"credit": round(base * rng.uniform(0.1, 0.5)), "community": round(base * 0.05)}
                if program == "NTM" and rng.random() < 0.5
                else {}
            )
            total = central + local + sum(extra.values())
            stated_sources = rng.random() > 0.1  # some plans state only a total
            rows = [(None, None, "plan", total)]
            if stated_sources:
                rows += [
                    ("central", None, "plan", central),
                    ("local" if rng.random() < 0.5 else "province", None, "plan", local),
                    ("central", "investment", "plan", round(central * 0.7)),
                    ("central", "recurrent", "plan", central - round(central * 0.7)),
                ]
                rows += [(source, None, "plan", value) for source, value in extra.items()]
            if code is None and rng.random() < 0.3:
                rows.append((None, None, "carryover", round(base * 0.05)))
            for source, capital, measure, value in rows:
                line += 1
                tables["allocations"].append(
                    {
                        "allocation_id": f"{plan_id}:a{line}",
                        "plan_id": plan_id,
                        "doc_id": doc_id,
                        **{
                            k: where[k]
                            for k in (
                                "province",
                                "province_code",
                                "province_2025",
                                "admin_level",
                                "district",
                                "plan_year",
                                "included_in_higher_level",
                            )
                        },
                        "program": program,
                        "level": item_level,
                        "canonical_code": code,
                        "funding_source": source,
                        "capital_type": capital,
                        "measure": measure,
                        "fiscal_year": year,
                        "value_million_vnd": float(value),
                        "basis": "stated",
                        "status": "consistent",
                        "amount_ids": [f"{doc_id}:m{line}"],
                    }
                )
    for k, code in enumerate(rng.sample(INDICATORS, TARGETS_PER_PLAN)):
        value = round(rng.uniform(1, 95), 1)
        tables["targets"].append(
            {
                "target_id": f"{doc_id}:t{k}",
                "doc_id": doc_id,
                "line": 5 + k,
                "value": value,
                "value_max": value + 1 if code.startswith("POVERTY") else None,
                "unit": "percent",
                "comparator": "range" if code.startswith("POVERTY") else "ge",
                "kind": "target",
                "indicator": f"chỉ tiêu {code.lower()}",
                "indicator_key": code.lower(),
                "indicator_code": code,
                "program": programs[0],
                "raw_text": f"{value}%",
            }
        )
    if rng.random() < SUM_MISMATCH_SHARE:
        tables["checks"].append(
            {
                "check_id": f"{doc_id}:c0",
                "doc_id": doc_id,
                "kind": "sum_mismatch",
                "severity": "warning",
                "line": 40,
                "expected": 6050.0,
                "actual": 6000.0,
                "message": "line 40: total 6.050 (6050 triệu đồng) but its parts add up to 6.000",
            }
        )
    if scanned:
        tables["checks"].append(
            {
                "check_id": f"{scan_id}:v0",
                "doc_id": scan_id,
                "kind": "version_mismatch",
                "severity": "warning",
                "line": 22,
                "page": 2,
                "expected": 144200.0,
                "actual": 134200.0,
                "message": f"plan {number}: kh_{n:05d}.pdf gives 134.200 where kh_{n:05d}.txt states 144.200",
            }
        )
        tables["checks"].append(
            {
                "check_id": f"{scan_id}:o3",
                "doc_id": scan_id,
                "kind": "ocr_low_confidence",
                "severity": "warning",
                "page": 3,
                "message": "page 3: OCR is unsure of this page (mean word confidence 58, below 65)",
            }
        )
        for k in range(2):
            tables["amounts"].append(
                {
                    "amount_id": f"{scan_id}:m{k}",
                    "doc_id": scan_id,
                    "line": 30 + k,
                    "page": 3,
                    "raw_text": f"{1_000 + k * 250}",
                    "value_million_vnd": float(1_000 + k * 250),
                }
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.plans, args.seed)
    print(", ".join(f"{n} {name}" for name, n in counts.items()), "->", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
