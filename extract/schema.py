"""The output tables: one place for every column and its type (../shared/contract/tables.md).

Rows are built as dicts by the extractors and checked against these schemas when written,
so a missing or misspelt column fails loudly in tests instead of silently in a notebook.
"""
from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "2"

_PROVENANCE = [
    ("doc_id", pa.string()),
    ("section_id", pa.string()),
    ("line", pa.int32()),
    ("page", pa.int32()),
    ("char_start", pa.int64()),
    ("char_end", pa.int64()),
    ("raw_text", pa.string()),
]

TABLES: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", pa.string()), ("source_name", pa.string()), ("source_path", pa.string()),
        ("sha256", pa.string()), ("format", pa.string()), ("method", pa.string()), ("pages", pa.int32()),
        # OCR: the pages read by OCR and their mean word confidence (0-100)
        ("ocr_pages", pa.list_(pa.int32())), ("ocr_confidence", pa.float64()),
        ("doc_number", pa.string()), ("doc_type", pa.string()), ("issuer", pa.string()),
        ("admin_level", pa.string()), ("province", pa.string()), ("district", pa.string()),
        ("issue_date", pa.date32()), ("plan_year", pa.int32()), ("programs", pa.list_(pa.string())),
        ("title", pa.string()), ("signer", pa.string()), ("encoding", pa.string()), ("status", pa.string()),
        ("error", pa.string()), ("pipeline_version", pa.string()),
    ]),
    "sections": pa.schema([
        ("doc_id", pa.string()), ("section_id", pa.string()), ("parent_id", pa.string()), ("kind", pa.string()),
        ("label", pa.string()), ("number", pa.string()), ("title", pa.string()), ("program", pa.string()),
        ("role", pa.string()), ("level", pa.int32()), ("line_start", pa.int32()), ("line_end", pa.int32()),
        ("page_start", pa.int32()), ("canonical_code", pa.string()), ("repaired_from_line", pa.int32()),
    ]),
    "amounts": pa.schema([
        ("amount_id", pa.string()), *_PROVENANCE,
        ("value_million_vnd", pa.float64()), ("unit_raw", pa.string()), ("unit_inferred", pa.bool_()),
        ("program", pa.string()), ("project", pa.string()), ("subproject", pa.string()),
        ("canonical_code", pa.string()), ("funding_source", pa.string()), ("capital_type", pa.string()),
        ("measure", pa.string()), ("fiscal_year", pa.int32()), ("parent_amount_id", pa.string()),
        ("context", pa.string()),
        # OCR'd figures: the word confidence (0-100) it was read with; null for text
        ("ocr_confidence", pa.float64()),
    ]),
    "targets": pa.schema([
        ("target_id", pa.string()), *_PROVENANCE,
        ("value", pa.float64()), ("value_max", pa.float64()), ("unit", pa.string()), ("comparator", pa.string()),
        ("direction", pa.string()), ("kind", pa.string()), ("indicator", pa.string()), ("indicator_key", pa.string()),
        ("program", pa.string()), ("year", pa.string()), ("numerator", pa.float64()), ("denominator", pa.float64()),
        ("context", pa.string()),
    ]),
    "checks": pa.schema([
        ("check_id", pa.string()), ("doc_id", pa.string()), ("kind", pa.string()), ("severity", pa.string()),
        ("line", pa.int32()), ("page", pa.int32()), ("amount_id", pa.string()), ("expected", pa.float64()),
        ("actual", pa.float64()), ("message", pa.string()),
    ]),
    "references": pa.schema([
        ("reference_id", pa.string()), *_PROVENANCE,
        ("ref_type", pa.string()), ("number", pa.string()), ("issue_date", pa.date32()), ("issuer", pa.string()),
    ]),
    "assignments": pa.schema([
        ("assignment_id", pa.string()), *_PROVENANCE,
        ("agency", pa.string()), ("role", pa.string()), ("task", pa.string()), ("product", pa.string()),
        ("deadline", pa.string()),
    ]),
}

TABLE_NAMES = tuple(TABLES)


def empty_row(table: str) -> dict:
    return {name: None for name in TABLES[table].names}


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    schema = TABLES[table]
    unknown = {k for r in rows for k in r} - set(schema.names)
    if unknown:
        raise KeyError(f"{table}: rows carry columns not in the schema: {sorted(unknown)}")
    columns = {name: [r.get(name) for r in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)
