"""Batch runs over whole archives: isolated, parallel, incremental, resumable, accumulating.

Each document is extracted in a worker process (workers.py: a time and a memory limit per
document; a worker that hits one or dies is replaced and its document becomes a `failed`
row), or on a Dask worker. Its rows come back to this process, which commits them as one
part (store.py) before anything else: a run killed at any point loses at most the
documents in flight, and the next run skips every committed part whose file is unchanged
(same path, same sha256, same pipeline version). The tables are rebuilt at the end from
every document committed into OUT, by this run or earlier ones. Only a bounded window of
documents is in flight, so memory does not grow with the size of the archive.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .inputs import InputFile, display_path
from .rules import check_rules
from .store import Store, output_errors, part_key
from .work import (
    MAX_INPUT_BYTES,
    _extractor,
    extract_document,
    extract_file,
    load_extractor,
    pipeline_version,
)
from .workers import Limits, WorkerFailure, WorkerPool

IN_FLIGHT_PER_WORKER = 2
_HASH_CHUNK = 1 << 20


@dataclass
class Job:
    source: InputFile
    sha256: str
    key: str
    error: str | None = None  # the file could not be read: the document fails without a worker

    @property
    def path(self) -> Path:
        return self.source.path


@dataclass
class Summary:
    documents: int = 0
    skipped: int = 0
    statuses: Counter = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    checks: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    interrupted: bool = False
    held: int = 0  # documents OUT holds after the run (this run's and earlier runs')
    pruned: int = 0
    derive_error: str | None = None  # plans and allocations could not be rebuilt

    def line(self, out: Path) -> str:
        s = self.statuses
        return (
            f"{self.documents} documents: {s['ok']} ok, {s['partial']} partial, {s['failed']} failed; "
            + ", ".join(f"{n} {name}" for name, n in self.rows.items())
            + f" -> {display_path(out)}"
        )

    def details(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.checks.items())) or "none"
        extracted = self.documents - self.skipped
        rate = (
            f"{extracted / self.seconds:.1f} documents/s extracted"
            if extracted and self.seconds
            else "nothing to extract"
        )
        earlier = self.held - self.documents
        held = f"; the tables hold {self.held} documents ({earlier} from earlier runs)" if earlier > 0 else ""
        pruned = f"; {self.pruned} documents of files not in this run pruned" if self.pruned else ""
        return (
            f"{self.skipped} unchanged and skipped; checks by kind: {kinds}; wall time {self.seconds:.1f} s "
            f"({rate}){held}{pruned}"
        )


def plan(files: list[InputFile], store: Store, version: str, force: bool) -> tuple[list[Job], list[Job]]:
    """(jobs to run, jobs already committed) for FILES. Each file is hashed as a stream;
    one that cannot be read, is not a regular file or is too large gets an error."""
    todo: list[Job] = []
    done: list[Job] = []
    for f in files:
        sha, error = _hash(f.path)
        job = Job(f, sha, part_key(f.identity, sha, version), error)
        (done if store.has(job.key) and not force else todo).append(job)
    return todo, done


def _hash(path: Path) -> tuple[str, str | None]:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return digest.hexdigest(), "not a regular file"
            if st.st_size > MAX_INPUT_BYTES:
                return digest.hexdigest(), (
                    f"the file is {st.st_size / 1024**2:,.0f} MiB, over the "
                    f"{MAX_INPUT_BYTES // 1024**2} MiB a document may have"
                )
            while chunk := f.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        return hashlib.sha256().hexdigest(), f"cannot read the file: {exc.strerror or type(exc).__name__}"
    return digest.hexdigest(), None


def as_inputs(files: list[Path] | list[InputFile]) -> list[InputFile]:
    return [
        f if isinstance(f, InputFile) else InputFile(f, display_path(f), display_path(os.path.abspath(f)))
        for f in files
    ]


def run(
    files: list[Path] | list[InputFile],
    out: Path,
    *,
    jobs: int,
    force: bool = False,
    rules_dir: Path | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    ocr: str = "auto",
    on_document: Callable[[Job, dict], None] | None = None,
    progress: bool = False,
    prune: bool = False,
    limits: Limits | None = None,
    inputs: list[Path] | None = None,
) -> Summary:
    """Extract FILES into OUT. INPUTS are the paths the files were collected from (OUT must
    not lie inside one); by default the files themselves. Raises store.OutputRefused before
    any work, store.OutputError when writing OUT fails."""
    started = time.perf_counter()
    sources = as_inputs(files)
    rules = str(rules_dir) if rules_dir else None
    store = Store(out, rules)
    store.open(inputs if inputs is not None else [f.path for f in sources])
    try:
        todo, done = plan(sources, store, pipeline_version(rules, ocr), force)
        summary = Summary(documents=len(sources), skipped=len(done))
        for job in done:
            _count(summary, store.part_document(job.key), store, job.key)
        bar = _Progress(len(sources), len(done)) if progress else None
        try:
            with output_errors(out):
                _commit_all(
                    store,
                    todo,
                    summary,
                    (rules, ocr),
                    jobs,
                    engine,
                    scheduler,
                    limits or Limits(),
                    on_document,
                    bar,
                )
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            if bar:
                bar.stop()
        if not summary.interrupted:
            keep = {f.identity for f in sources} if prune else None
            summary.rows, summary.pruned = store.compact(keep)
            summary.held = len(store.part_infos())
            summary.derive_error = store.derive_error
    finally:
        store.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _commit_all(
    store: Store,
    todo: list[Job],
    summary: Summary,
    settings: tuple[str | None, str],
    jobs: int,
    engine: str,
    scheduler: str | None,
    limits: Limits,
    on_document: Callable[[Job, dict], None] | None,
    bar: _Progress | None,
) -> None:
    """Run TODO and commit each document as it finishes."""
    for job, tables in _results(todo, settings, jobs, engine, scheduler, limits):
        store.write_part(job.key, job.source.identity, tables)
        doc = tables["documents"][0]
        _tally(summary, doc, [c["kind"] for c in tables.get("checks", [])])
        if on_document:
            on_document(job, doc)
        if bar:
            bar.advance(doc["status"] == "failed")


def _count(summary: Summary, doc: dict, store: Store, key: str) -> None:
    """Count a document committed by an earlier run (its checks read from its part)."""
    _tally(summary, doc, store.read_part(key, "checks").column("kind").to_pylist())


def _tally(summary: Summary, doc: dict, kinds: list[str]) -> None:
    summary.statuses[doc["status"]] += 1
    for kind in kinds:
        summary.checks[kind] += 1


def _results(
    todo: list[Job],
    settings: tuple[str | None, str],
    workers: int,
    engine: str,
    scheduler: str | None,
    limits: Limits,
) -> Iterator[tuple[Job, dict]]:
    """(job, tables) as documents finish; a job whose file could not be read, or whose
    worker hit a limit or died, gets the rows of a failed document."""
    rules, ocr = settings
    readable = [j for j in todo if j.error is None]
    for job in todo:
        if job.error is not None:
            yield job, _failed_tables(job, settings, job.error, "read_error")
    if not readable:  # nothing to extract: no worker is started
        return
    if engine == "dask":
        yield from _dask_results(readable, settings, workers, scheduler)
        return
    # the rules as this process checked them travel once, with the template's settings
    checked = check_rules(rules)
    pool: WorkerPool[Job] = WorkerPool(
        workers,
        partial(extract_file, checked, ocr),
        limits,
        initializer=load_extractor,
        init_args=(checked, ocr),
    )
    window = ((job, (os.fsencode(job.path), job.source.display)) for job in readable)
    for job, outcome in pool.run(window):
        if isinstance(outcome, WorkerFailure):
            yield job, _failed_tables(job, settings, outcome.message, outcome.kind)
        else:
            yield job, outcome


def _failed_tables(
    job: Job, settings: tuple[str | None, str], message: str, kind: str
) -> dict[str, list[Any]]:
    from .readers import detect_format

    path = Path(job.source.display)
    return _extractor(*settings).failed(path, job.sha256, detect_format(path, b""), message, kind).tables


def _read(jobs: list[Job]) -> Iterator[tuple[Job, bytes]]:
    for job in jobs:
        with open(job.path, "rb") as f:
            yield job, f.read(MAX_INPUT_BYTES)


def _dask_results(
    todo: list[Job], settings: tuple, workers: int, scheduler: str | None
) -> Iterator[tuple[Job, dict]]:
    """The same per-document work on a dask.distributed cluster: the scheduler at
    SCHEDULER, or a LocalCluster of WORKERS processes. File bytes travel to the workers
    and rows come back, so workers need no access to this machine's disks."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=max(workers, 1), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        source = _read(todo)
        jobs_of: dict[Any, Job] = {}
        completed = as_completed()

        def submit_next() -> None:
            nxt = next(source, None)
            if nxt is not None:
                job, data = nxt
                fut = client.submit(
                    extract_document,
                    job.source.display,
                    data,
                    *settings,
                    key=f"kehoach-{job.key}",
                    pure=False,
                )
                jobs_of[fut.key] = job
                completed.add(fut)

        for _ in range(max(workers, 1) * IN_FLIGHT_PER_WORKER):
            submit_next()
        for fut in completed:
            job, tables = jobs_of.pop(fut.key), fut.result()
            fut.release()
            submit_next()
            yield job, tables
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Progress:
    """A rich progress bar: documents done, documents/s, failures so far."""

    def __init__(self, total: int, already: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self.started = time.perf_counter()
        self.done = 0
        self.failed = 0
        self.task = self.progress.add_task("extract", total=total, completed=already, rate="-", failed=0)
        self.progress.start()

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, advance=1, rate=f"{rate:.1f}", failed=self.failed)

    def stop(self) -> None:
        self.progress.stop()
