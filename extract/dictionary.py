"""The data dictionary (extract/dictionary.yaml): every column of every table in
Vietnamese and English, with its unit and enum values. Types come from schema.TABLES."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DICTIONARY_FILE = Path(__file__).with_name("dictionary.yaml")


@dataclass(frozen=True)
class Column:
    name: str
    vi: str
    en: str
    unit: str | None = None
    enum: dict[str, tuple[str, str]] = field(default_factory=dict)  # value -> (vi, en)


@dataclass(frozen=True)
class TableEntry:
    name: str
    vi: str
    en: str
    columns: dict[str, Column]


@lru_cache(maxsize=1)
def dictionary() -> dict[str, TableEntry]:
    raw = yaml.load(
        DICTIONARY_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    out = {}
    for table, spec in raw["tables"].items():
        columns = {}
        for name, c in spec["columns"].items():
            enum = {str(k): (str(v[0]), str(v[1])) for k, v in (c.get("enum") or {}).items()}
            columns[name] = Column(name, str(c["vi"]), str(c["en"]), c.get("unit"), enum)
        out[table] = TableEntry(table, spec["vi"], spec["en"], columns)
    return out


def column(table: str, name: str) -> Column | None:
    entry = dictionary().get(table)
    return entry.columns.get(name) if entry else None


def field_metadata(table: str, name: str) -> dict[bytes, bytes]:
    """A column's dictionary entry as Parquet/Arrow field metadata (empty when the column is
    not described: tests/test_dictionary.py makes sure none is)."""
    c = column(table, name)
    if c is None:
        return {}
    meta = {b"description": c.en.encode(), b"description_vi": c.vi.encode()}
    if c.unit:
        meta[b"unit"] = c.unit.encode()
    if c.enum:
        meta[b"enum"] = json.dumps(
            {k: {"vi": v[0], "en": v[1]} for k, v in c.enum.items()}, ensure_ascii=False
        ).encode()
    return meta
