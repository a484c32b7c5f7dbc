"""Batch runs over whole archives: parallel, incremental, resumable.

Each document is extracted on its own (a worker process, or a Dask worker) and its rows
come back to this process, which commits them as one part (store.py) before anything
else: a run killed at any point loses at most the documents in flight, and the next run
skips every committed part whose file is unchanged (same path, same sha256, same
pipeline version). The contract tables are rebuilt from the parts at the end.
Only a bounded window of documents is in flight, so memory does not grow with the
size of the archive.
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .store import Store, part_key

IN_FLIGHT_PER_WORKER = 2


@dataclass
class Job:
    path: Path
    sha256: str
    key: str


@dataclass
class Summary:
    documents: int = 0
    skipped: int = 0
    statuses: Counter = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    checks: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    interrupted: bool = False

    def line(self, out: Path) -> str:
        s = self.statuses
        return (f"{self.documents} documents: {s['ok']} ok, {s['partial']} partial, {s['failed']} failed; "
                + ", ".join(f"{n} {name}" for name, n in self.rows.items()) + f" -> {out}")

    def details(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.checks.items())) or "none"
        extracted = self.documents - self.skipped
        rate = f"{extracted / self.seconds:.1f} documents/s extracted" if extracted and self.seconds else "nothing to extract"
        return f"{self.skipped} unchanged and skipped; checks by kind: {kinds}; wall time {self.seconds:.1f} s ({rate})"


@lru_cache(maxsize=4)
def _extractor(rules_dir: str | None, ocr: str):
    """One Extractor per worker process and settings (the rules load once)."""
    from .pipeline import Extractor
    from .rules import load_rules
    return Extractor(load_rules(rules_dir), ocr)


def extract_document(path: str, data: bytes, rules_dir: str | None, ocr: str = "auto") -> dict[str, list[dict]]:
    """The rows of every table for one document (runs in a worker)."""
    return _extractor(rules_dir, ocr).process(Path(path), data).tables


def plan(files: list[Path], store: Store, version: str, force: bool) -> tuple[list[Job], list[Job]]:
    """(jobs to run, jobs already committed) for FILES."""
    todo, done = [], []
    for f in files:
        sha = hashlib.sha256(f.read_bytes()).hexdigest()
        job = Job(f, sha, part_key(str(f), sha, version))
        (done if store.has(job.key) and not force else todo).append(job)
    return todo, done


def run(files: list[Path], out: Path, *, jobs: int, force: bool = False, rules_dir: Path | None = None,
        engine: str = "local", scheduler: str | None = None, ocr: str = "auto",
        on_document: Callable[[Job, dict], None] | None = None,
        progress: bool = False) -> Summary:
    started = time.perf_counter()
    rules = str(rules_dir) if rules_dir else None
    store = Store(out)
    store.prepare()
    version = _extractor(rules, ocr).version
    todo, done = plan(files, store, version, force)
    summary = Summary(documents=len(files), skipped=len(done))
    for job in done:
        _count(summary, store.part_document(job.key), store, job.key)
    bar = _Progress(len(files), len(done)) if progress else None
    try:
        runner = _dask_results if engine == "dask" else _local_results
        for job, tables in runner(todo, (rules, ocr), jobs, scheduler):
            store.write_part(job.key, tables)
            _count(summary, tables["documents"][0], store, job.key)
            if on_document:
                on_document(job, tables["documents"][0])
            if bar:
                bar.advance(tables["documents"][0]["status"] == "failed")
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if bar:
            bar.stop()
    if not summary.interrupted:
        key_of = {j.path: j.key for j in todo + done}
        summary.rows = store.compact([key_of[f] for f in dict.fromkeys(files)])
    summary.seconds = time.perf_counter() - started
    return summary


def _count(summary: Summary, doc: dict, store: Store, key: str) -> None:
    summary.statuses[doc["status"]] += 1
    for kind in store.read_part(key, "checks").column("kind").to_pylist():
        summary.checks[kind] += 1


def _read(jobs: list[Job]) -> Iterator[tuple[Job, bytes]]:
    for job in jobs:
        yield job, job.path.read_bytes()


def _local_results(todo: list[Job], settings: tuple, workers: int, _scheduler) -> Iterator[tuple[Job, dict]]:
    if workers <= 1:
        for job, data in _read(todo):
            yield job, extract_document(str(job.path), data, *settings)
        return
    pending: dict[Future, Job] = {}
    source = _read(todo)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        try:
            while True:
                while len(pending) < workers * IN_FLIGHT_PER_WORKER:
                    nxt = next(source, None)
                    if nxt is None:
                        break
                    job, data = nxt
                    pending[pool.submit(extract_document, str(job.path), data, *settings)] = job
                if not pending:
                    return
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    yield pending.pop(fut), fut.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _dask_results(todo: list[Job], settings: tuple, workers: int, scheduler: str | None) -> Iterator[tuple[Job, dict]]:
    """The same per-document work on a dask.distributed cluster: the scheduler at
    SCHEDULER, or a LocalCluster of WORKERS processes. File bytes travel to the workers
    and rows come back, so workers need no access to this machine's disks."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        source = _read(todo)
        jobs_of: dict[str, Job] = {}
        completed = as_completed()

        def submit_next() -> None:
            nxt = next(source, None)
            if nxt is not None:
                job, data = nxt
                fut = client.submit(extract_document, str(job.path), data, *settings, key=f"kehoach-{job.key}",
                                    pure=False)
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

        self.progress = Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]} docs/s"), TextColumn("{task.fields[failed]} failed"),
                                 TimeElapsedColumn(), console=Console(stderr=True))
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
