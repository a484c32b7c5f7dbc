"""The output tables: one place for every column and its type (../shared/contract/tables.md).

Rows are built as dicts by the extractors and checked against these schemas when written,
so a missing or misspelt column fails loudly in tests instead of silently in a notebook.

The columns are plain data (COLUMNS: names and type names), so that what needs only the
tables' names and columns (the pipeline and its worker processes) does not import pyarrow,
a third of a second and a thread of its own. TABLES, the pyarrow schemas with each column's
dictionary entry as metadata, is built on first use, where Arrow and Parquet files are
written or read.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    TABLES: dict[str, pa.Schema]

SCHEMA_VERSION = "4"  # 4: bbox columns, page sizes, targets.ocr_confidence; 3: plans, allocations, …

_PROVENANCE = [
    ("doc_id", "string"),
    ("section_id", "string"),
    ("line", "int32"),
    ("page", "int32"),
    ("char_start", "int64"),
    ("char_end", "int64"),
    ("raw_text", "string"),
]

# Where a fact stands on its page image (extract/boxes.py): page, and x0, y0, x1, y1 in PDF
# points from the page's top left; null for formats without pages (text, DOCX)
_BOX = [
    ("bbox_page", "int32"),
    ("bbox_x0", "float64"),
    ("bbox_y0", "float64"),
    ("bbox_x1", "float64"),
    ("bbox_y1", "float64"),
]

_DOCUMENT_COLUMNS = [
    ("doc_id", "string"),
    ("source_name", "string"),
    ("source_path", "string"),
    ("sha256", "string"),
    ("format", "string"),
    ("method", "string"),
    ("pages", "int32"),
    # OCR: the pages read by OCR and their mean word confidence (0-100)
    ("ocr_pages", "list<int32>"),
    ("ocr_confidence", "float64"),
    ("doc_number", "string"),
    ("doc_type", "string"),
    ("issuer", "string"),
    ("admin_level", "string"),
    ("province", "string"),
    ("district", "string"),
    ("issue_date", "date32"),
    ("plan_year", "int32"),
    ("programs", "list<string>"),
    ("title", "string"),
    ("signer", "string"),
    ("encoding", "string"),
    ("status", "string"),
    ("error", "string"),
    ("pipeline_version", "string"),
    ("plan_id", "string"),
    ("province_code", "string"),
    ("province_2025", "string"),
    ("province_2025_code", "string"),
    ("included_in_higher_level", "bool"),
    # each page's size in points (PDF: its own; image: pixels at its resolution)
    ("page_widths", "list<float64>"),
    ("page_heights", "list<float64>"),
]
# Columns a plan takes from its versions (plans.py: the preferred one first, gaps filled by
# the others), with the documents' types.
PLAN_FIELDS = (
    "doc_number",
    "doc_type",
    "issuer",
    "admin_level",
    "province",
    "district",
    "province_code",
    "province_2025",
    "province_2025_code",
    "issue_date",
    "plan_year",
    "title",
    "included_in_higher_level",
)
_DOCUMENT_TYPES = dict(_DOCUMENT_COLUMNS)

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "documents": _DOCUMENT_COLUMNS,
    "sections": [
        ("doc_id", "string"),
        ("section_id", "string"),
        ("parent_id", "string"),
        ("kind", "string"),
        ("label", "string"),
        ("number", "string"),
        ("title", "string"),
        ("program", "string"),
        ("role", "string"),
        ("level", "int32"),
        ("line_start", "int32"),
        ("line_end", "int32"),
        ("page_start", "int32"),
        ("canonical_code", "string"),
        ("repaired_from_line", "int32"),
        *_BOX,
    ],
    "amounts": [
        ("amount_id", "string"),
        *_PROVENANCE,
        ("value_million_vnd", "float64"),
        ("unit_raw", "string"),
        ("unit_inferred", "bool"),
        ("program", "string"),
        ("project", "string"),
        ("subproject", "string"),
        ("canonical_code", "string"),
        ("funding_source", "string"),
        ("capital_type", "string"),
        ("measure", "string"),
        ("fiscal_year", "int32"),
        ("parent_amount_id", "string"),
        ("context", "string"),
        ("from_table", "bool"),
        # OCR'd figures: the word confidence (0-100) it was read with; null for text
        ("ocr_confidence", "float64"),
        ("comparator", "string"),
        ("value_max", "float64"),
        # the rules that gave the value and the attributes (kehoach show --why)
        ("rules", "string"),
        *_BOX,
    ],
    "targets": [
        ("target_id", "string"),
        *_PROVENANCE,
        ("value", "float64"),
        ("value_max", "float64"),
        ("unit", "string"),
        ("comparator", "string"),
        ("direction", "string"),
        ("kind", "string"),
        ("indicator", "string"),
        ("indicator_key", "string"),
        ("indicator_code", "string"),
        ("program", "string"),
        ("year", "string"),
        ("numerator", "float64"),
        ("denominator", "float64"),
        ("context", "string"),
        ("rules", "string"),
        # OCR'd targets: the least word confidence (0-100) inside the box; null for text
        ("ocr_confidence", "float64"),
        *_BOX,
    ],
    "checks": [
        ("check_id", "string"),
        ("doc_id", "string"),
        ("kind", "string"),
        ("severity", "string"),
        ("line", "int32"),
        ("page", "int32"),
        ("amount_id", "string"),
        ("expected", "float64"),
        ("actual", "float64"),
        ("message", "string"),
    ],
    "references": [
        ("reference_id", "string"),
        *_PROVENANCE,
        ("ref_type", "string"),
        ("number", "string"),
        ("issue_date", "date32"),
        ("issuer", "string"),
    ],
    "assignments": [
        ("assignment_id", "string"),
        *_PROVENANCE,
        ("agency", "string"),
        ("role", "string"),
        ("task", "string"),
        ("product", "string"),
        ("deadline", "string"),
    ],
    # ---- built across documents (extract/derived.py) --------------------------------------
    "plans": [
        ("plan_id", "string"),
        ("preferred_doc_id", "string"),
        ("doc_ids", "list<string>"),
        ("formats", "list<string>"),
        ("versions", "int32"),
        ("aliases", "list<string>"),
        *[(name, _DOCUMENT_TYPES[name]) for name in PLAN_FIELDS],
        ("programs", "list<string>"),
    ],
    "allocations": [
        ("allocation_id", "string"),
        ("plan_id", "string"),
        ("doc_id", "string"),
        ("province", "string"),
        ("province_code", "string"),
        ("province_2025", "string"),
        ("admin_level", "string"),
        ("district", "string"),
        ("plan_year", "int32"),
        ("included_in_higher_level", "bool"),
        ("program", "string"),
        ("level", "string"),
        ("canonical_code", "string"),
        ("project", "string"),
        ("subproject", "string"),
        ("funding_source", "string"),
        ("capital_type", "string"),
        ("measure", "string"),
        ("fiscal_year", "int32"),
        ("value_million_vnd", "float64"),
        ("basis", "string"),
        ("status", "string"),
        ("note", "string"),
        ("amount_ids", "list<string>"),
    ],
}

# Tables built across documents from the others (extract/derived.py), not per document.
DERIVED_TABLES = ("plans", "allocations")
# Tables every document contributes rows to (the parts of a batch run).
TABLE_NAMES = tuple(name for name in COLUMNS if name not in DERIVED_TABLES)


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type of a type name of COLUMNS ("list<T>": a list of T)."""
    import pyarrow as pa

    if name.startswith("list<") and name.endswith(">"):
        return pa.list_(arrow_type(name[5:-1]))
    return {
        "string": pa.string(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "date32": pa.date32(),
    }[name]


def _arrow_schemas() -> dict[str, pa.Schema]:
    """Each table's schema, with each column's dictionary entry as field metadata (description
    in English and Vietnamese, unit, enum values), so every Parquet file carries its meaning."""
    import pyarrow as pa

    from .dictionary import field_metadata

    return {
        table: pa.schema(
            [
                pa.field(name, arrow_type(kind)).with_metadata(field_metadata(table, name))
                for name, kind in columns
            ]
        )
        for table, columns in COLUMNS.items()
    }


def _tables() -> dict[str, pa.Schema]:
    tables = globals().get("TABLES")
    if tables is None:
        tables = globals()["TABLES"] = _arrow_schemas()
    return tables


def __getattr__(name: str) -> Any:
    """TABLES, built the first time it is asked for (PEP 562), then a plain attribute."""
    if name == "TABLES":
        return _tables()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def definition() -> str:
    """The tables' columns and types as text, for the code's fingerprint (fingerprint.py)."""
    return "\n".join(f"{table}\0" + ",".join(f"{n}:{t}" for n, t in cols) for table, cols in COLUMNS.items())


def file_metadata(table: str) -> dict[bytes, bytes]:
    """Schema-level metadata of a table's files: the schema version, and pandas metadata so
    that pandas reads integers with gaps as nullable integers (Int32, never 2024.0)."""
    return dict(_file_metadata(table))


@lru_cache(maxsize=None)
def _file_metadata(table: str) -> dict[bytes, bytes]:
    """file_metadata, built once per table and process (an empty pandas frame each)."""
    import pandas as pd
    import pyarrow as pa

    schema = _tables()[table]
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
    return {name: None for name, _ in COLUMNS[table]}


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    import pyarrow as pa

    schema = _tables()[table]
    unknown = {k for r in rows for k in r} - set(schema.names)
    if unknown:
        raise KeyError(f"{table}: rows carry columns not in the schema: {sorted(unknown)}")
    columns = {name: [r.get(name) for r in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)
