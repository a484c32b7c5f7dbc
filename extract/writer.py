"""Write the contract tables as Parquet, atomically: each file is written beside its
final name and renamed into place, so a crash never leaves a half-written table."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from .schema import SCHEMA_VERSION, TABLE_NAMES, to_arrow


def write_tables(out_dir: Path, tables: dict[str, list[dict]]) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLE_NAMES:
        table = to_arrow(name, tables.get(name, []))
        table = table.replace_schema_metadata({b"kehoach.schema_version": SCHEMA_VERSION.encode()})
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=out_dir)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, out_dir / f"{name}.parquet")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        counts[name] = table.num_rows
    return counts
