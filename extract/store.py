"""The output directory of a batch run.

    OUT/_parts/<key>/<table>.arrow     one committed part per document (key: its path, its
                                       bytes' sha256 and the pipeline version), Arrow IPC:
                                       read back without decoding when the tables are built
    OUT/<table>/province=…/plan_year=…/part-0.parquet   the contract tables, hive style

A part is written into a temporary folder and renamed into place, so a run killed at any
moment leaves whole parts or none; the next run skips what is committed. The final
tables are rebuilt from the parts of the current inputs at the end of a run, table by
table, streaming (memory does not grow with the number of documents).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .derived import derived_counts, write_derived
from .schema import SCHEMA_VERSION, TABLE_NAMES, TABLES, to_arrow

PARTS = "_parts"
PARTITION = pa.schema([("province", pa.string()), ("plan_year", pa.int32())])
METADATA = {b"kehoach.schema_version": SCHEMA_VERSION.encode()}
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def part_key(source_path: str, sha256: str, version: str) -> str:
    return hashlib.sha256(f"{source_path}\0{sha256}\0{version}".encode()).hexdigest()[:24]


class Store:
    def __init__(self, out: Path):
        self.out = out
        self.parts = out / PARTS

    def prepare(self) -> None:
        self.parts.mkdir(parents=True, exist_ok=True)
        for leftover in self.parts.glob(".tmp-*"):  # a run killed while writing a part
            shutil.rmtree(leftover, ignore_errors=True)

    def has(self, key: str) -> bool:
        return (self.parts / key).is_dir()

    def write_part(self, key: str, tables: dict[str, list[dict]]) -> None:
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.parts))
        try:
            for name in TABLE_NAMES:
                table = to_arrow(name, tables.get(name, []))
                with pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
                    w.write_table(table)
            target = self.parts / key
            if target.exists():  # the same document committed by an earlier, killed run
                shutil.rmtree(target)
            os.rename(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def read_part(self, key: str, name: str) -> pa.Table:
        data = (self.parts / key / f"{name}.arrow").read_bytes()
        return pa.ipc.open_file(pa.BufferReader(data)).read_all()

    def part_document(self, key: str) -> dict:
        return self.read_part(key, "documents").to_pylist()[0]

    def compact(self, keys: list[str]) -> dict[str, int]:
        """Rebuild every contract table from the parts of KEYS, hive partitioned by
        province and plan_year, rows in the order of KEYS (the same inputs give the same
        files); parts of other keys are removed. One part is in memory at a time.
        When the tables were last built from exactly these parts, they are kept."""
        built = self.parts / ".built"
        if built.exists() and built.read_text() == "\n".join(keys) and all((self.out / n).is_dir() for n in TABLE_NAMES):
            return {name: sum(self.read_part(k, name).num_rows for k in keys) for name in TABLE_NAMES} \
                | derived_counts(self.out)
        partitions: dict[tuple, list[str]] = {}
        for k in keys:
            doc = self.part_document(k)
            partitions.setdefault((doc.get("province"), doc.get("plan_year")), []).append(k)
        counts = {}
        staging = Path(tempfile.mkdtemp(prefix=".compact-", dir=self.out))
        try:
            for name in TABLE_NAMES:
                schema = _file_schema(name)
                counts[name] = 0
                if not partitions:  # an empty table is still written, with its columns and types
                    (staging / name).mkdir()
                    pq.write_table(TABLES[name].with_metadata(METADATA).empty_table(), staging / name / "part-0.parquet")
                for (province, year), part_keys in partitions.items():
                    folder = staging / name / f"province={_segment(province)}" / f"plan_year={_segment(year)}"
                    folder.mkdir(parents=True)
                    with pq.ParquetWriter(folder / "part-0.parquet", schema) as writer:
                        for k in part_keys:
                            table = self.read_part(k, name).select(schema.names)
                            writer.write_table(table.cast(schema))
                            counts[name] += table.num_rows
            for name in TABLE_NAMES:
                final = self.out / name
                old = self.out / f".old-{name}"
                shutil.rmtree(old, ignore_errors=True)
                if final.exists():
                    os.rename(final, old)
                os.rename(staging / name, final)
                shutil.rmtree(old, ignore_errors=True)
                single = self.out / f"{name}.parquet"  # the one-file layout of earlier versions
                if single.exists():
                    single.unlink()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        tmp = self.parts / ".built.tmp"
        tmp.write_text("\n".join(keys))
        os.replace(tmp, built)
        wanted = set(keys)
        for part in self.parts.iterdir():
            if part.is_dir() and part.name not in wanted and not part.name.startswith("."):
                shutil.rmtree(part, ignore_errors=True)
        return counts | write_derived(self.out)  # plans, allocations, version checks, datapackage.json


def _file_schema(name: str) -> pa.Schema:
    """A table's columns as stored in its files: the partition columns live in the folder names."""
    schema = TABLES[name]
    for f in PARTITION:
        if f.name in schema.names:
            schema = schema.remove(schema.get_field_index(f.name))
    return schema.with_metadata(METADATA)


def _segment(value) -> str:
    """A partition value as hive writes it: percent-encoded, null as the default partition."""
    return HIVE_NULL if value is None else quote(str(value), safe="")


def read_table(out: Path, name: str) -> pa.Table:
    """A contract table of OUT as one Arrow table (partition columns included)."""
    return ds.dataset(out / name, format="parquet", partitioning=_partitioning()).to_table()


def _partitioning() -> ds.Partitioning:
    # values are percent-encoded in the folder names ("province=%C4%90%E1%BB%93ng%20Nai");
    # pyarrow, pandas and DuckDB decode them
    return ds.HivePartitioning(PARTITION, null_fallback=HIVE_NULL)
