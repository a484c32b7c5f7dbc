"""The worker pool's template (extract/workers.py): workers forked from one loaded process
keep every safety property of a worker of their own, and a new worker costs a fork, not a
load. The tasks and loaders below run in the template and its workers (they are imported
there by name), so this module imports nothing heavy."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from extract.workers import (
    MAX_FAILED_STARTS,
    Limits,
    WorkerFailure,
    WorkerPool,
    WorkerStartError,
    _resident_bytes,
)

# The CPU a slow load burns: far more than a new worker may cost.
LOAD_CPU_S = 1.0
NEW_WORKER_CPU_S = 0.3


def _slow_load(notes: str) -> None:
    """A load as slow as kehoach's (LOAD_CPU_S of CPU), noting the pid of each process that runs it."""
    end = time.process_time() + LOAD_CPU_S
    while time.process_time() < end:
        pass
    _note_load(notes)


def _note_load(notes: str) -> None:
    with open(notes, "a") as f:
        f.write(f"{os.getpid()}\n")


def _fail_to_load() -> None:
    raise RuntimeError("a broken installation")


def _job(what: str, notes: str = "") -> Any:
    """What a worker does for a test; NOTES: a file the worker notes its pid in first."""
    if notes:
        with open(notes, "a") as f:
            f.write(f"{os.getpid()}\n")
    if what == "whoami":  # its pid, its parent (the template), and the CPU it has used since its fork
        return os.getpid(), os.getppid(), time.process_time()
    if what == "die":
        os._exit(3)
    if what == "sleep":
        time.sleep(60)
        return "woke up"
    if what == "kill_template":  # once the other worker is busy (it noted its pid in NOTES)
        deadline = time.monotonic() + 30
        while len(Path(notes).read_text().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(60)
    if what == "zombie_siblings":
        return _zombie_siblings()
    if what == "template_threads":
        return len(os.listdir(f"/proc/{os.getppid()}/task"))
    raise ValueError(what)


def _zombie_siblings() -> list[int]:
    """The template's children left unreaped, after giving it a second to reap them."""
    deadline = time.monotonic() + 1.0
    while True:
        zombies = [p for p in _children(os.getppid()) if _state(p) == "Z"]
        if not zombies or time.monotonic() > deadline:
            return zombies
        time.sleep(0.02)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def _state(pid: int) -> str | None:
    """The process's state letter (Z: a zombie), None when it is gone (reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def _pids(notes: Path) -> list[int]:
    return [int(line) for line in notes.read_text().split()] if notes.exists() else []


def test_a_killed_worker_is_replaced_by_a_fork_without_loading_again(tmp_path):
    loads = tmp_path / "loads"
    pool: WorkerPool[str] = WorkerPool(
        1, _job, Limits(timeout_s=2), initializer=_slow_load, init_args=(str(loads),)
    )
    jobs = [("first", ("whoami",)), ("dies", ("die",)), ("stuck", ("sleep",)), ("after", ("whoami",))]
    results = dict(pool.run(iter(jobs)))
    assert isinstance(results["dies"], WorkerFailure) and results["dies"].kind == "worker_died"
    assert "exit code 3" in results["dies"].message
    assert isinstance(results["stuck"], WorkerFailure) and results["stuck"].kind == "time_limit"
    (first, template, first_cpu), (after, template_after, after_cpu) = results["first"], results["after"]
    assert _pids(loads) == [template]  # one load, in the template, for three workers
    assert template_after == template and after != first
    # a worker's CPU since its fork: the load is not paid again
    assert first_cpu < NEW_WORKER_CPU_S and after_cpu < NEW_WORKER_CPU_S


def test_the_pid_the_parent_polls_is_the_workers(tmp_path):
    pool: WorkerPool[int] = WorkerPool(2, _job, Limits(timeout_s=30))
    for _, (pid, template, _) in pool.run(iter([(i, ("whoami",)) for i in range(4)])):
        assert pool.template is not None and pool.template.process.pid == template
        assert pid in {w.pid for w in pool.workers} and pid != template
        assert _resident_bytes(pid) > 0


def test_the_template_reaps_its_workers_and_nothing_is_left_after_close(tmp_path):
    loads, workers = tmp_path / "loads", tmp_path / "workers"
    pool: WorkerPool[str] = WorkerPool(
        2, _job, Limits(timeout_s=2), initializer=_slow_load, init_args=(str(loads),)
    )
    jobs = [
        ("d1", ("die", str(workers))),
        ("d2", ("die", str(workers))),
        ("stuck", ("sleep", str(workers))),
        ("check", ("zombie_siblings", str(workers))),
        ("idle", ("whoami", str(workers))),
    ]
    results = dict(pool.run(iter(jobs)))
    assert results["check"] == []  # the dead and the killed were reaped while the pool ran
    assert len(_pids(workers)) == 5
    for pid in [*_pids(loads), *_pids(workers)]:
        assert _state(pid) is None, f"process {pid} left behind ({_state(pid)})"


def test_a_dead_template_fails_its_jobs_and_a_new_template_takes_over(tmp_path):
    loads = tmp_path / "loads"
    pool: WorkerPool[str] = WorkerPool(
        2, _job, Limits(timeout_s=600), initializer=_note_load, init_args=(str(loads),)
    )
    busy = str(tmp_path / "busy")
    jobs = [("killer", ("kill_template", busy)), ("bystander", ("sleep", busy))] + [
        (f"after{i}", ("whoami",)) for i in range(3)
    ]
    started = time.monotonic()
    results = dict(pool.run(iter(jobs)))
    assert time.monotonic() - started < 50  # the jobs of the dead template do not sleep on (60 s)
    for name in ("killer", "bystander"):  # both workers died with their template
        assert isinstance(results[name], WorkerFailure) and results[name].kind == "worker_died"
        assert "template" in results[name].message
    first, second = _pids(loads)
    assert {results[f"after{i}"][1] for i in range(3)} == {second}
    assert _state(first) is None


def test_workers_that_cannot_load_stop_the_run_instead_of_looping():
    pool: WorkerPool[str] = WorkerPool(2, _job, Limits(timeout_s=30), initializer=_fail_to_load)
    started = time.monotonic()
    with pytest.raises(WorkerStartError, match="die as they start"):
        list(pool.run(iter([("a", ("whoami",))])))
    assert time.monotonic() - started < 60
    assert pool.failed_starts == MAX_FAILED_STARTS + 1


def test_the_template_of_a_real_run_forks_with_one_thread_and_a_new_worker_is_cheap():
    from extract.work import load_extractor

    pool: WorkerPool[str] = WorkerPool(
        1, _job, Limits(timeout_s=60), initializer=load_extractor, init_args=(None, "auto")
    )
    jobs = [("threads", ("template_threads",)), ("dies", ("die",)), ("after", ("whoami",))]
    results = dict(pool.run(iter(jobs)))
    assert results["threads"] == 1  # fork copies only the forking thread: there must be no other
    assert results["after"][2] < NEW_WORKER_CPU_S  # spaCy and the rules are not loaded again
