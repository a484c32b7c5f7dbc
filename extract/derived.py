"""The cross-document outputs, rebuilt from the contract tables of OUT after every run:

    OUT/plans/part-0.parquet          one row per plan (its versions grouped)
    OUT/allocations/part-0.parquet    the money, one row per plan × item × key, never double counted
    OUT/checks/<partition>/version-checks.parquet   version_mismatch checks (figures that
                                      differ between versions of one plan)
    OUT/datapackage.json              Frictionless Data Package: every table, its columns,
                                      types, descriptions and enums

Pure functions of the contract tables (whatever documents OUT holds), written atomically
(temporary name, then rename)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from .allocations import AllocationRules, compare_versions, fmt_money, plan_allocations
from .partitions import folder as partition_folder
from .partitions import partitioning
from .plans import group_plans
from .rules import CheckedRules, Rules, check_rules
from .schema import DERIVED_TABLES, TABLES, file_metadata, to_arrow

VERSION_CHECKS = "version-checks.parquet"
# What the plans and allocations are built from (the rest of the contract tables is not read).
AMOUNT_COLUMNS = (
    "amount_id",
    "doc_id",
    "line",
    "page",
    "char_start",
    "raw_text",
    "value_million_vnd",
    "program",
    "project",
    "subproject",
    "canonical_code",
    "funding_source",
    "capital_type",
    "measure",
    "fiscal_year",
    "parent_amount_id",
    "from_table",
)
CHECK_COLUMNS = ("kind", "amount_id", "message")
# The names write_derived writes at the top of OUT (the checks it adds live inside OUT/checks,
# in files named VERSION_CHECKS).
DERIVED_OUTPUTS = ("plans", "allocations", "datapackage.json")


def write_derived(out: Path, rules: Rules | CheckedRules | None = None) -> dict[str, int]:
    """Build plans, allocations and the version checks from OUT's contract tables and write
    them with datapackage.json; returns the row count of each table written."""
    rules = rules or check_rules()
    documents = _rows(out, "documents")
    amounts = _rows(out, "amounts", AMOUNT_COLUMNS)
    checks = _rows(out, "checks", CHECK_COLUMNS)
    tables = build_derived(documents, amounts, checks, AllocationRules.from_rules(rules))
    for name in DERIVED_TABLES:
        _write_dataset(out, name, tables[name])
    _write_version_checks(out, documents, tables["version_checks"])
    from .datapackage import datapackage

    _write_text(out / "datapackage.json", json.dumps(datapackage(out), ensure_ascii=False, indent=2) + "\n")
    return {name: len(tables[name]) for name in (*DERIVED_TABLES, "version_checks")}


def derived_counts(out: Path) -> dict[str, int]:
    """The row counts of the derived outputs as written, building them when any is missing
    (the contract tables were kept from an earlier run, so these are still theirs)."""
    if not all((out / name).exists() for name in DERIVED_OUTPUTS):
        return write_derived(out)
    counts = {
        name: sum(pq.ParquetFile(f).metadata.num_rows for f in (out / name).glob("*.parquet"))
        for name in DERIVED_TABLES
    }
    counts["version_checks"] = sum(
        pq.ParquetFile(f).metadata.num_rows for f in (out / "checks").glob(f"*/*/{VERSION_CHECKS}")
    )
    return counts


def build_derived(
    documents: list[dict], amounts: list[dict], checks: list[dict], rules: AllocationRules
) -> dict[str, list[dict]]:
    amounts_by_doc: dict[str, list[dict]] = {}
    for a in amounts:
        amounts_by_doc.setdefault(a["doc_id"], []).append(a)
    figures = {
        # as written, but for line breaks and spaces, which differ between formats
        doc_id: tuple(
            " ".join(a["raw_text"].split())
            for a in sorted(rows, key=lambda a: (a["line"] or 0, a["char_start"] or 0))
        )
        for doc_id, rows in amounts_by_doc.items()
    }
    plans = group_plans(documents, figures)
    problems = {
        c["amount_id"]: c["message"] for c in checks if c.get("kind") == "sum_mismatch" and c.get("amount_id")
    }
    plan_rows, allocation_rows, version_checks = [], [], []
    for plan in plans:
        row = plan.row()
        plan_rows.append(row)
        allocation_rows.extend(plan_allocations(plan, amounts_by_doc, problems, rules))
        names = {d["doc_id"]: d["source_name"] for d in plan.documents}
        for i, diff in enumerate(compare_versions(plan, amounts_by_doc, rules)):
            if diff.expected is not None and diff.actual is not None:
                severity, said = (
                    "warning",
                    (
                        f"{fmt_money(diff.actual)} where {names[plan.preferred['doc_id']]} "
                        f"(the preferred version) states {fmt_money(diff.expected)}"
                    ),
                )
            elif diff.expected is not None:  # the version lacks the figure
                severity, said = (
                    "info",
                    (
                        f"no figure where {names[plan.preferred['doc_id']]} (the preferred "
                        f"version) states {fmt_money(diff.expected)}"
                    ),
                )
            elif diff.actual is not None:
                severity, said = (
                    "warning",
                    (
                        f"{fmt_money(diff.actual)}, which the preferred version "
                        f"{names[plan.preferred['doc_id']]} does not state"
                    ),
                )
            else:
                continue  # a difference names at least one figure
            version_checks.append(
                {
                    "check_id": f"{diff.doc_id}:v{i}",
                    "doc_id": diff.doc_id,
                    "kind": "version_mismatch",
                    "severity": severity,
                    "line": diff.line,
                    "page": diff.page,
                    "amount_id": diff.amount_id,
                    "expected": diff.expected,
                    "actual": diff.actual,
                    "message": f"plan {row['doc_number'] or plan.plan_id}: {names[diff.doc_id]} gives "
                    f"{said} for {diff.what}",
                }
            )
    return {"plans": plan_rows, "allocations": allocation_rows, "version_checks": version_checks}


def _rows(out: Path, name: str, columns: tuple[str, ...] | None = None) -> list[dict]:
    """A contract table's rows (only COLUMNS), whatever files OUT/NAME holds (hive partitions)."""
    if not (out / name).is_dir():
        return []
    files = [f for f in (out / name).rglob("*.parquet") if f.name != VERSION_CHECKS]
    if not files:
        return []
    import pyarrow.dataset as ds  # only where tables are read back: workers never import it

    dataset = ds.dataset(
        files, format="parquet", partitioning=partitioning(), partition_base_dir=str(out / name)
    )
    wanted = [c for c in (columns or TABLES[name].names) if c in dataset.schema.names]
    return dataset.to_table(columns=wanted).to_pylist()


def _write_dataset(out: Path, name: str, rows: list[dict]) -> None:
    """OUT/NAME/part-0.parquet, swapped in as a whole folder."""
    table = to_arrow(name, rows)
    staging = Path(tempfile.mkdtemp(prefix=f".derived-{name}-", dir=out))
    try:
        pq.write_table(table.replace_schema_metadata(file_metadata(name)), staging / "part-0.parquet")
        final, old = out / name, out / f".old-{name}"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            os.rename(final, old)
        os.rename(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_version_checks(out: Path, documents: list[dict], rows: list[dict]) -> None:
    """The version checks beside the document's own checks, in its partition folder."""
    checks_dir = out / "checks"
    for old in checks_dir.glob(f"*/*/{VERSION_CHECKS}"):
        old.unlink()
    where = {d["doc_id"]: (d.get("province"), d.get("plan_year")) for d in documents}
    by_partition: dict[tuple, list[dict]] = {}
    for r in rows:
        by_partition.setdefault(where.get(r["doc_id"], (None, None)), []).append(r)
    schema = TABLES["checks"].with_metadata(file_metadata("checks"))
    for (province, year), part in sorted(by_partition.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        folder = checks_dir / partition_folder(province, year)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{VERSION_CHECKS}.tmp"
        pq.write_table(to_arrow("checks", part).cast(schema), tmp)
        os.replace(tmp, folder / VERSION_CHECKS)


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


__all__ = ["DERIVED_OUTPUTS", "VERSION_CHECKS", "build_derived", "write_derived"]
