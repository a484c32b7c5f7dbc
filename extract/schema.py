"""The output tables: one place for every column and its type (../shared/contract/tables.md).

Rows are built as dicts by the extractors and checked against these schemas when written,
so a missing or misspelt column fails loudly in tests instead of silently in a notebook.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "4"  # 4: bbox columns, page sizes, targets.ocr_confidence; 3: plans, allocations, …

_PROVENANCE = [
    ("doc_id", pa.string()),
    ("section_id", pa.string()),
    ("line", pa.int32()),
    ("page", pa.int32()),
    ("char_start", pa.int64()),
    ("char_end", pa.int64()),
    ("raw_text", pa.string()),
]

# Where a fact stands on its page image (extract/boxes.py): page, and x0, y0, x1, y1 in PDF
# points from the page's top left; null for formats without pages (text, DOCX)
_BOX = [
    ("bbox_page", pa.int32()),
    ("bbox_x0", pa.float64()),
    ("bbox_y0", pa.float64()),
    ("bbox_x1", pa.float64()),
    ("bbox_y1", pa.float64()),
]

TABLES: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [
            ("doc_id", pa.string()),
            ("source_name", pa.string()),
            ("source_path", pa.string()),
            ("sha256", pa.string()),
            ("format", pa.string()),
            ("method", pa.string()),
            ("pages", pa.int32()),
            # OCR: the pages read by OCR and their mean word confidence (0-100)
            ("ocr_pages", pa.list_(pa.int32())),
            ("ocr_confidence", pa.float64()),
            ("doc_number", pa.string()),
            ("doc_type", pa.string()),
            ("issuer", pa.string()),
            ("admin_level", pa.string()),
            ("province", pa.string()),
            ("district", pa.string()),
            ("issue_date", pa.date32()),
            ("plan_year", pa.int32()),
            ("programs", pa.list_(pa.string())),
            ("title", pa.string()),
            ("signer", pa.string()),
            ("encoding", pa.string()),
            ("status", pa.string()),
            ("error", pa.string()),
            ("pipeline_version", pa.string()),
            ("plan_id", pa.string()),
            ("province_code", pa.string()),
            ("province_2025", pa.string()),
            ("province_2025_code", pa.string()),
            ("included_in_higher_level", pa.bool_()),
            # each page's size in points (PDF: its own; image: pixels at its resolution)
            ("page_widths", pa.list_(pa.float64())),
            ("page_heights", pa.list_(pa.float64())),
        ]
    ),
    "sections": pa.schema(
        [
            ("doc_id", pa.string()),
            ("section_id", pa.string()),
            ("parent_id", pa.string()),
            ("kind", pa.string()),
            ("label", pa.string()),
            ("number", pa.string()),
            ("title", pa.string()),
            ("program", pa.string()),
            ("role", pa.string()),
            ("level", pa.int32()),
            ("line_start", pa.int32()),
            ("line_end", pa.int32()),
            ("page_start", pa.int32()),
            ("canonical_code", pa.string()),
            ("repaired_from_line", pa.int32()),
            *_BOX,
        ]
    ),
    "amounts": pa.schema(
        [
            ("amount_id", pa.string()),
            *_PROVENANCE,
            ("value_million_vnd", pa.float64()),
            ("unit_raw", pa.string()),
            ("unit_inferred", pa.bool_()),
            ("program", pa.string()),
            ("project", pa.string()),
            ("subproject", pa.string()),
            ("canonical_code", pa.string()),
            ("funding_source", pa.string()),
            ("capital_type", pa.string()),
            ("measure", pa.string()),
            ("fiscal_year", pa.int32()),
            ("parent_amount_id", pa.string()),
            ("context", pa.string()),
            ("from_table", pa.bool_()),
            # OCR'd figures: the word confidence (0-100) it was read with; null for text
            ("ocr_confidence", pa.float64()),
            ("comparator", pa.string()),
            ("value_max", pa.float64()),
            # the rules that gave the value and the attributes (kehoach show --why)
            ("rules", pa.string()),
            *_BOX,
        ]
    ),
    "targets": pa.schema(
        [
            ("target_id", pa.string()),
            *_PROVENANCE,
            ("value", pa.float64()),
            ("value_max", pa.float64()),
            ("unit", pa.string()),
            ("comparator", pa.string()),
            ("direction", pa.string()),
            ("kind", pa.string()),
            ("indicator", pa.string()),
            ("indicator_key", pa.string()),
            ("indicator_code", pa.string()),
            ("program", pa.string()),
            ("year", pa.string()),
            ("numerator", pa.float64()),
            ("denominator", pa.float64()),
            ("context", pa.string()),
            ("rules", pa.string()),
            # OCR'd targets: the least word confidence (0-100) inside the box; null for text
            ("ocr_confidence", pa.float64()),
            *_BOX,
        ]
    ),
    "checks": pa.schema(
        [
            ("check_id", pa.string()),
            ("doc_id", pa.string()),
            ("kind", pa.string()),
            ("severity", pa.string()),
            ("line", pa.int32()),
            ("page", pa.int32()),
            ("amount_id", pa.string()),
            ("expected", pa.float64()),
            ("actual", pa.float64()),
            ("message", pa.string()),
        ]
    ),
    "references": pa.schema(
        [
            ("reference_id", pa.string()),
            *_PROVENANCE,
            ("ref_type", pa.string()),
            ("number", pa.string()),
            ("issue_date", pa.date32()),
            ("issuer", pa.string()),
        ]
    ),
    "assignments": pa.schema(
        [
            ("assignment_id", pa.string()),
            *_PROVENANCE,
            ("agency", pa.string()),
            ("role", pa.string()),
            ("task", pa.string()),
            ("product", pa.string()),
            ("deadline", pa.string()),
        ]
    ),
    # ---- built across documents (extract/derived.py) --------------------------------------
    "plans": pa.schema(
        [
            ("plan_id", pa.string()),
            ("preferred_doc_id", pa.string()),
            ("doc_ids", pa.list_(pa.string())),
            ("formats", pa.list_(pa.string())),
            ("versions", pa.int32()),
            ("aliases", pa.list_(pa.string())),
            ("doc_number", pa.string()),
            ("doc_type", pa.string()),
            ("issuer", pa.string()),
            ("admin_level", pa.string()),
            ("province", pa.string()),
            ("district", pa.string()),
            ("province_code", pa.string()),
            ("province_2025", pa.string()),
            ("province_2025_code", pa.string()),
            ("issue_date", pa.date32()),
            ("plan_year", pa.int32()),
            ("title", pa.string()),
            ("included_in_higher_level", pa.bool_()),
            ("programs", pa.list_(pa.string())),
        ]
    ),
    "allocations": pa.schema(
        [
            ("allocation_id", pa.string()),
            ("plan_id", pa.string()),
            ("doc_id", pa.string()),
            ("province", pa.string()),
            ("province_code", pa.string()),
            ("province_2025", pa.string()),
            ("admin_level", pa.string()),
            ("district", pa.string()),
            ("plan_year", pa.int32()),
            ("included_in_higher_level", pa.bool_()),
            ("program", pa.string()),
            ("level", pa.string()),
            ("canonical_code", pa.string()),
            ("project", pa.string()),
            ("subproject", pa.string()),
            ("funding_source", pa.string()),
            ("capital_type", pa.string()),
            ("measure", pa.string()),
            ("fiscal_year", pa.int32()),
            ("value_million_vnd", pa.float64()),
            ("basis", pa.string()),
            ("status", pa.string()),
            ("note", pa.string()),
            ("amount_ids", pa.list_(pa.string())),
        ]
    ),
}

# Tables built across documents from the others (extract/derived.py), not per document.
DERIVED_TABLES = ("plans", "allocations")
# Tables every document contributes rows to (the parts of a batch run).
TABLE_NAMES = tuple(name for name in TABLES if name not in DERIVED_TABLES)


def _described(name: str, schema: pa.Schema) -> pa.Schema:
    """The schema with each column's dictionary entry as field metadata (description in
    English and Vietnamese, unit, enum values), so every Parquet file carries its meaning."""
    from .dictionary import field_metadata

    return pa.schema([f.with_metadata(field_metadata(name, f.name)) for f in schema])


TABLES = {name: _described(name, schema) for name, schema in TABLES.items()}


def file_metadata(table: str) -> dict[bytes, bytes]:
    """Schema-level metadata of a table's files: the schema version, and pandas metadata so
    that pandas reads integers with gaps as nullable integers (Int32, never 2024.0)."""
    import pandas as pd

    schema = TABLES[table]
    empty = schema.empty_table().to_pandas(
        types_mapper={
            pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype(),
            pa.bool_(): pd.BooleanDtype(),
        }.get
    )
    pandas_meta = pa.Schema.from_pandas(empty, preserve_index=False).metadata[b"pandas"]
    return {b"kehoach.schema_version": SCHEMA_VERSION.encode(), b"pandas": pandas_meta}


def empty_row(table: str) -> dict:
    return {name: None for name in TABLES[table].names}


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    schema = TABLES[table]
    unknown = {k for r in rows for k in r} - set(schema.names)
    if unknown:
        raise KeyError(f"{table}: rows carry columns not in the schema: {sorted(unknown)}")
    columns = {name: [r.get(name) for r in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)
