"""OUT's tables as pandas DataFrames with the right types: integers with gaps as nullable
integers (Int32, never 2024.0), dates as dates, booleans as nullable booleans, enum
columns as categoricals whose categories are the dictionary's values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from .dictionary import dictionary
from .schema import TABLES

_NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def read_arrow(out: Path, name: str) -> pa.Table:
    """A table of OUT as Arrow, columns in schema order and types (partition columns included)."""
    folder = out / name
    schema = TABLES[name]
    partitioned = any(p.is_dir() and "=" in p.name for p in folder.iterdir())
    if partitioned:
        from .store import read_table

        table = read_table(out, name)
    else:
        table = ds.dataset(folder, format="parquet").to_table()
    return table.select(schema.names).cast(schema)


def read_frame(out: Path, name: str, categories: bool = True) -> pd.DataFrame:
    return to_frame(read_arrow(out, name), name, categories)


def to_frame(table: pa.Table, name: str, categories: bool = True) -> pd.DataFrame:
    """The contract table NAME, given as Arrow, as a typed DataFrame."""
    frame = table.to_pandas(types_mapper=_NULLABLE.get, date_as_object=True)
    columns = dictionary()[name].columns
    for col in frame.columns:
        t = TABLES[name].field(col).type
        if pa.types.is_date(t):
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
        elif categories and columns[col].enum and pa.types.is_string(t):
            frame[col] = pd.Categorical(frame[col], categories=list(columns[col].enum))
    return frame
