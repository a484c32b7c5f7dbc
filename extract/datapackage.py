"""OUT/datapackage.json: a Frictionless Data Package describing every table of OUT (files,
column types, descriptions in English and Vietnamese, units, enum values), so R, Python
and other tools pick up the meaning of the data with it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from . import __version__
from .dictionary import dictionary
from .schema import SCHEMA_VERSION, TABLES

# Partition columns live in the folder names (province=…/plan_year=…), not in the files.
PARTITION_COLUMNS = ("province", "plan_year")


def frictionless_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_list(t):
        return "array"
    return "string"


def table_schema(name: str) -> dict:
    entry = dictionary()[name]
    fields = []
    for f in TABLES[name]:
        c = entry.columns[f.name]
        spec = {"name": f.name, "type": frictionless_type(f.type), "title": c.vi, "description": c.en}
        if c.unit:
            spec["unit"] = c.unit
        if c.enum:
            values = list(c.enum)
            if pa.types.is_list(f.type):
                spec["enum_items"] = values  # array items: the constraint would apply to the whole list
            else:
                spec["constraints"] = {"enum": values}
            spec["enum_labels"] = {k: {"vi": v[0], "en": v[1]} for k, v in c.enum.items()}
        fields.append(spec)
    return {"fields": fields}


def datapackage(out: Path) -> dict:
    """The descriptor of OUT's tables as they are on disk now (paths relative to OUT)."""
    resources = []
    for name in TABLES:
        files = (
            sorted(p.relative_to(out).as_posix() for p in (out / name).rglob("*.parquet"))
            if (out / name).is_dir()
            else []
        )
        if not files:
            continue
        entry = dictionary()[name]
        resources.append(
            {
                "name": name,
                "path": files if len(files) > 1 else files[0],
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "encoding": "utf-8",
                "title": entry.vi,
                "description": entry.en
                + (
                    " Files are hive-partitioned: province and plan_year are in the folder names."
                    if any("province=" in f for f in files)
                    else ""
                ),
                "schema": table_schema(name),
            }
        )
    return {
        "profile": "data-package",
        "name": "kehoach-output",
        "title": "Kế hoạch MTQG: bảng dữ liệu",
        "description": "Tables extracted by kehoach from Vietnamese national-target-program plans "
        "(money in million VND). Sum money over allocations, never over amounts.",
        "version": f"{__version__}+schema.{SCHEMA_VERSION}",
        "resources": resources,
    }
