"""The output folder of batch runs: kehoach writes, replaces or removes only what it wrote.

    OUT/.kehoach-output.json   the marker: OUT is kehoach output; lists every file kehoach
                               wrote there (the manifest), so nothing else is ever touched
    OUT/.kehoach.lock          held by the run writing OUT (a second run is refused)
    OUT/_parts/<key>.part      one committed part per document (key: its path, its bytes'
                               sha256 and the pipeline version): a header line (the source,
                               when it was committed, where each table is) and one Arrow IPC
                               stream per table; parts of earlier versions, a folder
                               <key>/ of <table>.arrow files and meta.json, are read as well
    OUT/<table>/province=…/plan_year=…/part-0.parquet   the contract tables, hive style

Runs accumulate: the tables hold every document committed into OUT by any run, the newest
part of each source file winning; `prune` removes the documents whose files were not
among a run's inputs. A part is written into a temporary file and renamed into place, so
a run killed at any moment leaves whole parts or none; the next run skips what is
committed. The tables are rebuilt from the parts at the end of a run, table by table,
streaming (memory does not grow with the number of documents).

Before anything is written, `open_output` refuses (OutputRefused) an OUT that is an input
or lies inside one, an input inside OUT, and an OUT holding foreign files where kehoach
would write. An I/O failure while writing (disk full, read-only or vanished folder)
becomes an OutputError with a plain message; committed parts stay.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from .derived import DERIVED_OUTPUTS, VERSION_CHECKS, derived_counts, write_derived
from .inputs import OUTPUT_MARKER, display_path
from .partitions import PARTITION, partitioning
from .partitions import folder as partition_folder
from .schema import SCHEMA_VERSION, TABLE_NAMES, TABLES, empty_row, file_metadata, to_arrow

PARTS = "_parts"
LOCK = ".kehoach.lock"
PART_META = "meta.json"
_PART_NAME = re.compile(r"[0-9a-f]{24}")  # a part folder of an earlier version
PART_SUFFIX = ".part"
_PART_FILE = re.compile(r"[0-9a-f]{24}\.part")
_PART_MAGIC = b"kehoach-part 1\n"
# Names kehoach creates in OUT for a moment while it writes (its own run holds the lock).
_SCRATCH = re.compile(r"\.(tmp|compact|old|derived)-.*")
# A file kehoach writes under a temporary name before renaming it (derived.py).
_TEMPORARY_FILE = re.compile(r"\..*\.tmp")


class OutputRefused(Exception):
    """OUT cannot be used: the message says why and what to do (exit 2)."""


class OutputError(Exception):
    """Writing OUT failed (disk full, read-only, vanished): the message says so (exit 3)."""


def part_key(identity: str, sha256: str, version: str) -> str:
    return hashlib.sha256(f"{identity}\0{sha256}\0{version}".encode()).hexdigest()[:24]


def output_names() -> tuple[str, ...]:
    """The top-level names kehoach writes in OUT."""
    return (*TABLE_NAMES, *DERIVED_OUTPUTS, PARTS)


@contextmanager
def output_errors(out: Path) -> Iterator[None]:
    """OSError while writing OUT as an OutputError that says what happened in plain words."""
    try:
        yield
    except OutputRefused:
        raise
    except OSError as exc:
        why = {
            errno.ENOSPC: "the disk is full",
            errno.EDQUOT: "the disk quota is exceeded",
            errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied",
            errno.EPERM: "permission denied",
            errno.ENOENT: "the folder vanished while writing",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        raise OutputError(
            f"cannot write the output folder {display_path(out)}: {why}; what was committed "
            f"is kept, and running the same command again resumes"
        ) from None


@dataclass
class PartInfo:
    key: str
    identity: str  # the source file's absolute path
    committed_ns: int


class Store:
    def __init__(self, out: Path, rules_dir: str | None = None):
        self.out = out
        self.rules_dir = rules_dir  # the derived tables read the rules of the run
        self.derive_error: str | None = None  # why plans and allocations could not be rebuilt
        self.parts = out / PARTS
        self._lock: IO[bytes] | None = None

    # --- opening -------------------------------------------------------------------------
    def open(self, inputs: list[Path]) -> None:
        """Check OUT against INPUTS, take the lock, write the marker. Raises OutputRefused."""
        refuse_overlap(self.out, inputs)
        if self.out.exists() and not self.out.is_dir():
            raise OutputRefused(f"{display_path(self.out)} is a file, not a folder; choose another -o")
        ours, foreign = self.survey()
        if foreign:
            shown = ", ".join(display_path(f) for f in foreign[:3]) + (" …" if len(foreign) > 3 else "")
            raise OutputRefused(
                f"{display_path(self.out)} holds files kehoach did not write where it would write its "
                f"tables ({shown}); nothing was changed. Choose an empty or new folder with -o, or move them."
            )
        with output_errors(self.out):
            self.out.mkdir(parents=True, exist_ok=True)
            self._take_lock()
            self._write_marker(self.manifest() | ours)
            self.parts.mkdir(exist_ok=True)
            for leftover in self.parts.glob(".tmp-*"):  # a killed run's half-written part
                _remove(leftover)
            for leftover in self.out.iterdir():
                if _SCRATCH.fullmatch(leftover.name) and leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def _take_lock(self) -> None:
        handle = open(self.out / LOCK, "a+b")  # noqa: SIM115 - held for the whole run
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().decode(errors="replace").strip() or "another process"
            handle.close()
            raise OutputRefused(
                f"another kehoach run ({holder}) is writing {display_path(self.out)}; "
                f"wait for it to finish, or choose another -o"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}".encode())
        handle.flush()
        self._lock = handle

    # --- the marker and its manifest ---------------------------------------------------
    def manifest(self) -> set[str]:
        marker = self.out / OUTPUT_MARKER
        if not marker.is_file():
            return set()
        try:
            return set(json.loads(marker.read_text(encoding="utf-8")).get("files", []))
        except (ValueError, OSError):
            return set()

    def _write_marker(self, files: set[str]) -> None:
        body = {
            "kehoach_output": True,
            "schema_version": SCHEMA_VERSION,
            "note": "kehoach writes, replaces and removes only the files listed here and its _parts/",
            "files": sorted(files),
        }
        tmp = self.out / f".tmp-marker-{os.getpid()}"
        tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.out / OUTPUT_MARKER)

    def survey(self) -> tuple[set[str], list[Path]]:
        """(files of ours, foreign files) in the places kehoach writes. An OUT written by an
        earlier version, before the marker, is recognised by its parts and adopted."""
        if not self.out.is_dir():
            return set(), []
        listed = self.manifest()
        legacy = not (self.out / OUTPUT_MARKER).exists() and (self.parts / ".built").is_file()
        foreign: list[Path] = []
        ours: set[str] = set()
        for name in output_names():
            top = self.out / name
            if not (top.exists() or top.is_symlink()):
                continue
            if name == PARTS:
                foreign.extend(self._foreign_parts())
                continue
            files = (
                [top]
                if top.is_file() or top.is_symlink()
                else sorted(p for p in top.rglob("*") if not p.is_dir())
            )
            for f in files:
                rel = f.relative_to(self.out).as_posix()
                if (
                    rel in listed
                    or _TEMPORARY_FILE.fullmatch(f.name)
                    or (legacy and f.name == "part-0.parquet" and not f.is_symlink())
                ):
                    ours.add(rel)
                else:
                    foreign.append(f)
        return ours, foreign

    def _foreign_parts(self) -> list[Path]:
        if self.parts.is_symlink() or not self.parts.is_dir():
            return [self.parts]
        foreign = []
        for entry in sorted(self.parts.iterdir()):
            if entry.name in (".built", ".built.tmp") or _SCRATCH.fullmatch(entry.name):
                continue
            if _PART_FILE.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink():
                continue
            if not (_PART_NAME.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()):
                foreign.append(entry)
                continue
            foreign.extend(f for f in entry.iterdir() if not (f.suffix == ".arrow" or f.name == PART_META))
        return foreign

    # --- parts ---------------------------------------------------------------------------
    def _file(self, key: str) -> Path:
        return self.parts / f"{key}{PART_SUFFIX}"

    def has(self, key: str) -> bool:
        return self._file(key).is_file() or (self.parts / key).is_dir()

    def write_part(self, key: str, identity: str, tables: dict[str, list[dict]]) -> None:
        """One file: the header line, then each table as an Arrow IPC stream. Written under
        a temporary name and renamed into place (atomic: the part is whole or absent)."""
        streams: list[pa.Buffer] = []
        where: dict[str, list[int]] = {}
        offset = 0
        for name in TABLE_NAMES:
            table = to_arrow(name, tables.get(name, []))
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as w:
                w.write_table(table)
            buf = sink.getvalue()
            streams.append(buf)
            where[name] = [offset, buf.size, table.num_rows]
            offset += buf.size
        header = {"source": identity, "committed_ns": time.time_ns(), "tables": where}
        with output_errors(self.out):
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.parts)
            try:
                with open(fd, "wb") as f:
                    f.write(_PART_MAGIC + json.dumps(header, ensure_ascii=False).encode() + b"\n")
                    for buf in streams:
                        f.write(memoryview(buf))
                os.replace(tmp, self._file(key))
            finally:
                if os.path.lexists(tmp):
                    os.unlink(tmp)
            if (self.parts / key).is_dir():  # the same document committed by an earlier version
                shutil.rmtree(self.parts / key)

    def read_part(self, key: str, name: str) -> pa.Table:
        path = self._file(key)
        if not path.is_file():  # a part of an earlier version: a folder of Arrow files
            data = (self.parts / key / f"{name}.arrow").read_bytes()
            return pa.ipc.open_file(pa.BufferReader(data)).read_all()
        with open(path, "rb") as f:
            header, start = _part_header(f, path)
            offset, size, _ = header["tables"][name]
            f.seek(start + offset)
            data = f.read(size)
        return pa.ipc.open_stream(pa.BufferReader(data)).read_all()

    def part_rows(self, key: str) -> dict[str, int]:
        """Rows per table of a part (from its header, without reading the tables)."""
        path = self._file(key)
        if not path.is_file():
            return {name: self.read_part(key, name).num_rows for name in TABLE_NAMES}
        with open(path, "rb") as f:
            header, _ = _part_header(f, path)
        return {name: int(header["tables"][name][2]) for name in TABLE_NAMES}

    def part_document(self, key: str) -> dict:
        return self.read_part(key, "documents").to_pylist()[0]

    def part_infos(self) -> list[PartInfo]:
        infos = []
        files = {e.name[: -len(PART_SUFFIX)] for e in self.parts.iterdir() if _PART_FILE.fullmatch(e.name)}
        for entry in sorted(self.parts.iterdir()):
            if _PART_FILE.fullmatch(entry.name):
                with open(entry, "rb") as f:
                    header, _ = _part_header(f, entry)
                infos.append(
                    PartInfo(entry.name[: -len(PART_SUFFIX)], header["source"], int(header["committed_ns"]))
                )
                continue
            if not (_PART_NAME.fullmatch(entry.name) and entry.is_dir()) or entry.name in files:
                continue  # a folder beside the file of its key: left by a run killed while replacing it
            try:
                meta = json.loads((entry / PART_META).read_text(encoding="utf-8"))
                infos.append(PartInfo(entry.name, meta["source"], int(meta["committed_ns"])))
            except (OSError, ValueError, KeyError):  # a part of an earlier version: no meta
                doc = self.part_document(entry.name)
                infos.append(
                    PartInfo(
                        entry.name,
                        display_path(os.path.abspath(doc["source_path"])),
                        entry.stat().st_mtime_ns,
                    )
                )
        return infos

    def _remove_parts_except(self, wanted: Iterable[str]) -> None:
        """Superseded and pruned parts, and folders of an earlier version whose key has a file."""
        keep = set(wanted)
        for part in self.parts.iterdir():
            if _PART_FILE.fullmatch(part.name):
                if part.name[: -len(PART_SUFFIX)] not in keep:
                    part.unlink(missing_ok=True)
            elif _PART_NAME.fullmatch(part.name) and (
                part.name not in keep or self._file(part.name).is_file()
            ):
                shutil.rmtree(part, ignore_errors=True)

    # --- the tables ------------------------------------------------------------------------
    def compact(self, keep_only: set[str] | None = None) -> tuple[dict[str, int], int]:
        """Rebuild every contract table from the parts in OUT: the newest part of each source
        file (identity), rows ordered by identity, so the same parts give the same files.
        With KEEP_ONLY, parts of other identities are pruned. Returns (rows per table,
        documents pruned). When the tables were last built from exactly these parts, they
        are kept."""
        with output_errors(self.out):
            newest: dict[str, PartInfo] = {}
            for info in self.part_infos():
                if info.identity not in newest or info.committed_ns > newest[info.identity].committed_ns:
                    newest[info.identity] = info
            pruned = 0
            if keep_only is not None:
                pruned = sum(1 for identity in newest if identity not in keep_only)
                newest = {i: p for i, p in newest.items() if i in keep_only}
            keys = [newest[i].key for i in sorted(newest)]
            kept, copies = self._one_part_per_document(keys)
            counts = self._build(kept, copies)
            self._remove_parts_except(keys)  # a copy's part stays: its file is still an input
        return counts, pruned

    def _one_part_per_document(self, keys: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        """The same bytes at two paths are one document (one doc_id): the part of the first
        path (KEYS are in path order) goes into the tables, the others are its copies (the
        kept key -> the copies' paths), reported in `checks`, so no fact is counted twice."""
        kept: list[str] = []
        first: dict[str, str] = {}
        copies: dict[str, list[str]] = {}
        for k in keys:
            doc = self.part_document(k)
            if doc["doc_id"] in first:
                copies.setdefault(first[doc["doc_id"]], []).append(doc["source_path"])
            else:
                first[doc["doc_id"]] = k
                kept.append(k)
        return kept, copies

    def _copy_checks(self, key: str, paths: list[str]) -> pa.Table:
        doc = self.part_document(key)
        rows = []
        for i, path in enumerate(paths):
            row = empty_row("checks")
            row.update(
                check_id=f"{doc['doc_id']}:copy{i}",
                doc_id=doc["doc_id"],
                kind="duplicate_file",
                severity="info",
                message=f"{path} has the same bytes as {doc['source_path']}: one document, "
                f"its facts counted once (under {doc['source_path']})",
            )
            rows.append(row)
        return to_arrow("checks", rows)

    def _build(self, keys: list[str], copies: dict[str, list[str]]) -> dict[str, int]:
        built = self.parts / ".built"
        # the copies are part of what the tables were built from
        built_from = "\n".join(keys + [f"{k} {p}" for k in sorted(copies) for p in copies[k]])
        if (
            built.exists()
            and built.read_text() == built_from
            and all((self.out / n).is_dir() for n in TABLE_NAMES)
        ):
            rows = [self.part_rows(k) for k in keys]
            counts = {name: sum(r[name] for r in rows) for name in TABLE_NAMES}
            counts["checks"] += sum(len(p) for p in copies.values())
            if all((self.out / name).exists() for name in DERIVED_OUTPUTS):
                return counts | derived_counts(self.out)
            return counts | self._derive(
                {(d.get("province"), d.get("plan_year")): [] for d in (self.part_document(k) for k in keys)}
            )
        partitions: dict[tuple, list[str]] = {}
        for k in keys:
            doc = self.part_document(k)
            partitions.setdefault((doc.get("province"), doc.get("plan_year")), []).append(k)
        counts = {}
        written: set[str] = set()
        staging = Path(tempfile.mkdtemp(prefix=".compact-", dir=self.out))
        try:
            for name in TABLE_NAMES:
                schema = _file_schema(name)
                counts[name] = 0
                if not partitions:  # an empty table is still written, with its columns and types
                    (staging / name).mkdir()
                    pq.write_table(
                        TABLES[name].with_metadata(file_metadata(name)).empty_table(),
                        staging / name / "part-0.parquet",
                    )
                    written.add(f"{name}/part-0.parquet")
                for (province, year), part_keys in partitions.items():
                    rel = f"{name}/{partition_folder(province, year)}"
                    (staging / rel).mkdir(parents=True)
                    with pq.ParquetWriter(staging / rel / "part-0.parquet", schema) as writer:
                        for k in part_keys:
                            table = _conform(self.read_part(k, name), schema)
                            if name == "checks" and k in copies:
                                table = pa.concat_tables(
                                    [table, _conform(self._copy_checks(k, copies[k]), schema)]
                                )
                            writer.write_table(table)
                            counts[name] += table.num_rows
                    written.add(f"{rel}/part-0.parquet")
            # the new files are listed before the old ones go, so a crash in between leaves
            # nothing of ours unlisted
            self._write_marker(self.manifest() | written)
            for name in TABLE_NAMES:
                final = self.out / name
                old = self.out / f".old-{name}"
                shutil.rmtree(old, ignore_errors=True)
                if final.exists():
                    os.rename(final, old)
                os.rename(staging / name, final)
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self._write_marker(written | {f for f in self.manifest() if f.split("/")[0] not in TABLE_NAMES})
        tmp = self.parts / ".built.tmp"
        tmp.write_text(built_from)
        os.replace(tmp, built)
        return counts | self._derive(partitions)

    def _derive(self, partitions: dict[tuple, list[str]]) -> dict[str, int]:
        """Plans, allocations, version checks and datapackage.json (derived.py), their files
        listed in the manifest before they are written."""
        from .rules import check_rules

        paths = {f"{name}/part-0.parquet" for name in DERIVED_OUTPUTS if name != "datapackage.json"}
        paths |= {"datapackage.json"}
        paths |= {f"checks/{partition_folder(p, y)}/{VERSION_CHECKS}" for p, y in [*partitions, (None, None)]}
        self._write_marker(self.manifest() | paths)
        try:
            return write_derived(self.out, check_rules(self.rules_dir))
        except OSError:
            raise
        except Exception as exc:  # the contract tables are written: a failure here must not lose them
            from .readers.base import plain_error

            self.derive_error = plain_error(exc)
            return {}


def _part_header(f: IO[bytes], path: Path) -> tuple[dict, int]:
    """A part file's header and where its tables start."""
    magic = f.readline()
    line = f.readline()
    if magic != _PART_MAGIC or not line.endswith(b"\n"):
        raise ValueError(f"{path} is not a kehoach part")
    return json.loads(line), len(magic) + len(line)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def refuse_overlap(out: Path, inputs: list[Path]) -> None:
    """OUT must be neither an input nor inside one (kehoach would read its own output),
    and no input may lie where kehoach writes in OUT (it would write over it)."""
    real_out = Path(os.path.realpath(out))
    for p in inputs:
        real_in = Path(os.path.realpath(p))
        if real_out == real_in or real_in in real_out.parents:
            raise OutputRefused(
                f"the output folder {display_path(out)} lies inside the input {display_path(p)}: "
                f"kehoach would read its own output; choose an -o outside the inputs"
            )
        if real_out in real_in.parents and real_in.relative_to(real_out).parts[0] in output_names():
            raise OutputRefused(
                f"the input {display_path(p)} lies inside the output folder {display_path(out)}; "
                f"kehoach would write over it; choose another -o"
            )


def _file_schema(name: str) -> pa.Schema:
    """A table's columns as stored in its files: the partition columns live in the folder names."""
    schema = TABLES[name]
    for f in PARTITION:
        if f.name in schema.names:
            schema = schema.remove(schema.get_field_index(f.name))
    return schema.with_metadata(file_metadata(name))  # schema version, and pandas' integer types


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """TABLE in SCHEMA's columns and types. A part committed by another version of kehoach
    (kept in OUT from an earlier run) lacks new columns: they are null until it is redone."""
    names = set(table.column_names)
    columns = [
        _cast(table.column(f.name), f.type) if f.name in names else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _cast(column: pa.ChunkedArray, type_: pa.DataType) -> pa.ChunkedArray:
    """COLUMN as TYPE (a part's column already of that type, as every part of this version's, as is)."""
    return column if column.type == type_ else column.cast(type_)


def read_table(out: Path, name: str) -> pa.Table:
    """A contract table of OUT as one Arrow table (partition columns included)."""
    import pyarrow.dataset as ds  # 0.2 s to import: only where a table is read back

    return ds.dataset(out / name, format="parquet", partitioning=partitioning()).to_table()
