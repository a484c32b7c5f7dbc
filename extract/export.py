"""`kehoach export OUT --to csv|xlsx|dta|json`: OUT's tables for tools that do not read
Parquet. Lists are joined with ";", dates are dates, integers with gaps stay integers,
enum columns are labelled categories (Stata value labels, variable labels from the data
dictionary), CSV optionally with a UTF-8 BOM for Excel."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from .dictionary import dictionary
from .frames import read_frame
from .query import json_value
from .schema import TABLES

FORMATS = ("csv", "xlsx", "dta", "json")
LIST_SEPARATOR = ";"
STATA_LABEL_MAX = 80  # Stata's variable labels
STATA_STR_MAX = 2045  # longer text goes into strL columns


def export_tables(out: Path, fmt: str, dest: Path, tables: list[str], bom: bool = False) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    frames = {name: _flat(read_frame(out, name), name) for name in tables}
    written = []
    if fmt == "xlsx":
        path = dest / "kehoach.xlsx"
        tmp = path.with_name(f".{path.name}.tmp")
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name[:31], index=False)
            _dictionary_frame(tables).to_excel(writer, sheet_name="dictionary", index=False)
        os.replace(tmp, path)
        return [path]
    for name, frame in frames.items():
        path = dest / f"{name}.{fmt}"
        tmp = path.with_name(f".{path.name}.tmp")
        if fmt == "csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig" if bom else "utf-8", date_format="%Y-%m-%d")
        elif fmt == "json":
            records = [{k: _json_cell(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
            tmp.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        elif fmt == "dta":
            _write_stata(frame, name, tmp)
        os.replace(tmp, path)
        written.append(path)
    return written


def _flat(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Lists joined with ';' (every format here is flat)."""
    for f in TABLES[name]:
        if pa.types.is_list(f.type):
            frame[f.name] = frame[f.name].map(
                lambda v: None if v is None else LIST_SEPARATOR.join(str(x) for x in v)
            )
    return frame


def _json_cell(value: Any) -> Any:
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return json_value(value)


def _write_stata(frame: pd.DataFrame, name: str, path: Path) -> None:
    """Enum columns as integer codes with value labels "code: English label"; booleans as
    0/1; dates as Stata dates; variable labels from the dictionary."""
    columns = dictionary()[name].columns
    frame = frame.copy()
    value_labels = {}
    for col in frame.columns:
        series = frame[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            enum = columns[col].enum
            frame[col] = pd.array(
                [None if pd.isna(v) else list(enum).index(v) + 1 for v in series], dtype="Int32"
            )
            value_labels[col] = {
                i + 1: f"{code}: {en}"[: STATA_LABEL_MAX * 4]
                for i, (code, (_, en)) in enumerate(enum.items())
            }
        elif isinstance(series.dtype, pd.BooleanDtype):
            frame[col] = series.astype("Int8")
        elif series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            frame[col] = series.astype(object).where(series.notna(), "")
    dates = {c: "td" for c in frame.columns if str(frame[c].dtype).startswith("datetime64")}
    labels = {c: columns[c].en[:STATA_LABEL_MAX] for c in frame.columns}
    long_text = [
        c
        for c in frame.columns
        if frame[c].dtype == object
        and max((len(str(v).encode("utf-8")) for v in frame[c]), default=0) > STATA_STR_MAX
    ]
    frame.to_stata(
        path,
        write_index=False,
        version=118,
        convert_dates=dates,
        variable_labels=labels,
        value_labels=value_labels,
        convert_strl=long_text,
        data_label=f"kehoach {name}"[:80],
    )


def _dictionary_frame(tables: list[str]) -> pd.DataFrame:
    rows = []
    for name in tables:
        for f in TABLES[name]:
            c = dictionary()[name].columns[f.name]
            rows.append(
                {
                    "table": name,
                    "column": f.name,
                    "type": str(f.type),
                    "unit": c.unit,
                    "description_en": c.en,
                    "description_vi": c.vi,
                    "values": "; ".join(f"{k}: {en}" for k, (_, en) in c.enum.items()) or None,
                }
            )
    return pd.DataFrame(rows)
