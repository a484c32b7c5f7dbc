"""Worker processes that each extract one document at a time, under a time and a memory limit.

Every document runs in a worker process (with `-j 1` too), so nothing a file does can take
the batch down: a worker that runs past the time limit, grows past the memory limit or dies
for any reason is killed and replaced, and its document becomes a `failed` row that says
which limit it hit. Workers die with the parent however it dies (PR_SET_PDEATHSIG, and a
check of the parent's pid in case the parent was gone before the signal was armed).

The memory limit is enforced twice: an address-space rlimit inside the worker (so a big
allocation fails there with MemoryError, which the worker reports) and the parent's poll
of the worker's resident memory and that of its children (Tesseract), which catches what
the rlimit cannot.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

GIB = 1024**3
# Defaults sized for a big real plan (a few hundred scanned pages) on a 2-core, 24 GiB
# machine running -j 2: two workers at their limit still leave half the memory free.
DEFAULT_DOC_TIMEOUT_S = 900.0
DEFAULT_DOC_MEMORY_BYTES = 6 * GIB
# How often the parent looks at its workers' resident memory.
POLL_INTERVAL_S = 0.25
# Address space is not resident memory: libraries and thread arenas reserve more than they
# use. The rlimit leaves this much room above the limit; the parent's poll of resident
# memory holds the limit itself.
ADDRESS_SPACE_ALLOWANCE_BYTES = 2 * GIB
_PR_SET_PDEATHSIG = 1
# Workers that die before they are ready point at a broken installation, not a document.
MAX_FAILED_STARTS = 4

Payload = TypeVar("Payload")


@dataclass(frozen=True)
class Limits:
    timeout_s: float = DEFAULT_DOC_TIMEOUT_S
    memory_bytes: int = DEFAULT_DOC_MEMORY_BYTES


@dataclass(frozen=True)
class WorkerFailure:
    """Why a document has no result: which limit it hit, or how its worker died."""

    kind: str  # time_limit, memory_limit, worker_died
    message: str


@dataclass
class _Worker(Generic[Payload]):
    process: subprocess.Popen
    conn: Connection
    ready: bool = False  # its libraries are loaded: a document's time counts from here
    job: Payload | None = None
    started: float = 0.0


class WorkerStartError(RuntimeError):
    """Workers cannot start at all."""


def describe_limit(kind: str, limits: Limits) -> str:
    if kind == "time_limit":
        return (
            f"stopped after the time limit of {limits.timeout_s:g} s for one document "
            f"(--doc-timeout to change it)"
        )
    return (
        f"stopped at the memory limit of {limits.memory_bytes / GIB:g} GiB for one document "
        f"(--doc-memory to change it)"
    )


class WorkerPool(Generic[Payload]):
    """SIZE worker processes running TASK(*args) for one job at a time.

    `run` takes (job, args) pairs and yields (job, result or WorkerFailure) as documents
    finish, in completion order. A failed worker is replaced before the next job. Each
    worker first runs INITIALIZER(*INIT_ARGS) (loading rules and libraries), so that a
    document's time limit counts the document alone."""

    def __init__(
        self,
        size: int,
        task: Callable[..., Any],
        limits: Limits,
        initializer: Callable[..., Any] | None = None,
        init_args: tuple = (),
    ):
        self.size = max(size, 1)
        self.task = task
        self.initializer = initializer
        self.init_args = init_args
        self.limits = limits
        self.workers: list[_Worker[Payload]] = []
        self.failed_starts = 0

    def _start(self) -> _Worker[Payload]:
        # A fresh interpreter that imports only kehoach (not the caller's __main__, as
        # multiprocessing's spawn would), talking over a socket pair: when it dies, for any
        # reason, its end closes and the parent's recv says so.
        ours, theirs = socket.socketpair()
        env = dict(os.environ, KEHOACH_WORKER_PATH=json.dumps(sys.path))
        process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_BOOT, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        conn = Connection(ours.detach())
        conn.send((os.getpid(), self.task, self.limits.memory_bytes, self.initializer, self.init_args))
        return _Worker(process, conn)

    def run(self, jobs: Iterator[tuple[Payload, tuple]]) -> Iterator[tuple[Payload, Any]]:
        self.workers = [self._start() for _ in range(self.size)]
        source = iter(jobs)
        exhausted = False
        try:
            while True:
                for i, w in enumerate(self.workers):
                    if not w.ready and w.process.poll() is not None:  # died while starting
                        self.failed_starts += 1
                        if self.failed_starts > MAX_FAILED_STARTS:
                            raise WorkerStartError(
                                f"worker processes die as they start (exit code "
                                f"{w.process.returncode}); is kehoach installed completely?"
                            )
                        self.workers[i] = w = self._replace(w)
                    if w.ready and w.job is None and not exhausted:
                        nxt = next(source, None)
                        if nxt is None:
                            exhausted = True
                            break
                        job, args = nxt
                        w.job, w.started = job, time.monotonic()
                        try:
                            w.conn.send(args)
                        except (BrokenPipeError, OSError):
                            pass  # the worker died: its end of the socket is closed, reported below
                busy = [w for w in self.workers if w.job is not None]
                if not busy and exhausted:
                    return
                starting = [w for w in self.workers if not w.ready]
                if busy:
                    yield from self._collect(busy, starting)
                else:
                    self._wait_ready(starting)
        finally:
            self.close()

    def _wait_ready(self, starting: list[_Worker[Payload]]) -> None:
        ready = wait([w.conn for w in starting], timeout=POLL_INTERVAL_S)
        self._mark_ready(starting, set(ready))

    def _mark_ready(self, starting: list[_Worker[Payload]], ready: set) -> None:
        for w in starting:
            if w.conn in ready:
                try:
                    w.conn.recv()  # ("ready", None)
                    w.ready = True
                    self.failed_starts = 0  # only deaths in a row at start-up point at the installation
                except (EOFError, OSError):
                    pass  # died while starting: replaced at the next dispatch

    def _collect(
        self, busy: list[_Worker[Payload]], starting: list[_Worker[Payload]]
    ) -> Iterator[tuple[Payload, Any]]:
        now = time.monotonic()
        nearest = min(w.started + self.limits.timeout_s for w in busy)
        watched = busy + starting
        ready = set(wait([w.conn for w in watched], timeout=max(0.0, min(POLL_INTERVAL_S, nearest - now))))
        self._mark_ready(starting, ready)
        for w in busy:
            outcome: Any = None
            if w.conn in ready:
                try:
                    status, value = w.conn.recv()
                    outcome = (
                        value
                        if status == "ok"
                        else WorkerFailure("memory_limit", describe_limit("memory_limit", self.limits))
                    )
                except (EOFError, OSError):  # died while sending
                    outcome = self._death(w)
            elif time.monotonic() - w.started > self.limits.timeout_s:
                outcome = WorkerFailure("time_limit", describe_limit("time_limit", self.limits))
            elif _resident_bytes(w.process.pid) > self.limits.memory_bytes:
                outcome = WorkerFailure("memory_limit", describe_limit("memory_limit", self.limits))
            if outcome is None:
                continue
            job, w.job = w.job, None
            assert job is not None  # W was busy
            if isinstance(outcome, WorkerFailure):  # killed, dead or out of memory: a new one
                self.workers[self.workers.index(w)] = self._replace(w)
            yield job, outcome

    def _death(self, w: _Worker[Payload]) -> WorkerFailure:
        try:
            code = w.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            hint = " (the system ran out of memory?)" if -code == signal.SIGKILL else ""
            return WorkerFailure("worker_died", f"the worker process was killed by {name}{hint}")
        return WorkerFailure("worker_died", f"the worker process ended with exit code {code}")

    def _replace(self, w: _Worker[Payload]) -> _Worker[Payload]:
        _kill(w)
        return self._start()

    def close(self) -> None:
        for w in self.workers:
            if w.job is None and w.process.poll() is None:
                try:
                    w.conn.send(None)  # finish cleanly
                except OSError:
                    pass
        deadline = time.monotonic() + 2
        for w in self.workers:
            try:
                w.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _kill(w)
        self.workers = []


def _kill(w: _Worker[Any]) -> None:
    if w.process.poll() is None:
        for child in _children(w.process.pid):
            _signal(child, signal.SIGKILL)
        w.process.kill()
        w.process.wait()
    w.conn.close()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _children(pid: int) -> list[int]:
    """Every descendant of PID (Linux /proc), for killing and for counting memory."""
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found.extend(kids)
            frontier.extend(kids)
    return found


def _resident_bytes(pid: int) -> int:
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for p in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def _die_with_parent(parent_pid: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the parent's pid is still checked below and between jobs
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def _limit_memory(limit_bytes: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as f:
            baseline = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        baseline = 0
    cap = baseline + limit_bytes + ADDRESS_SPACE_ALLOWANCE_BYTES
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ValueError, OSError):
        pass


_WORKER_BOOT = """
import json, os, sys
sys.path[:] = json.loads(os.environ.pop("KEHOACH_WORKER_PATH"))
from extract.workers import worker_main
worker_main(int(sys.argv[1]))
"""


def worker_main(fd: int) -> None:
    """A worker's life: take its settings, load, then one document at a time."""
    conn = Connection(fd)
    parent_pid, task, memory_bytes, initializer, init_args = conn.recv()
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if initializer is not None:
        initializer(*init_args)
    _limit_memory(memory_bytes)
    conn.send(("ready", None))
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        if args is None or os.getppid() != parent_pid:
            return
        try:
            result = task(*args)
        except MemoryError:
            conn.send(("memory", None))
            return  # a worker that ran out of memory is not trusted with another document
        conn.send(("ok", result))
