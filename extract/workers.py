"""Worker processes that each extract one document at a time, under a time and a memory limit.

Every document runs in a worker process (with `-j 1` too), so nothing a file does can take
the batch down: a worker that runs past the time limit, grows past the memory limit or dies
for any reason is killed and replaced, and its document becomes a `failed` row that says
which limit it hit.

Workers are forked from a template. Loading the extractor (rules, pipeline, spaCy) takes
over a second of CPU; paid once per worker, and again for each replacement of a killed
worker, it was most of a small run's cost. So one template process loads it once, then
forks each worker from itself when the parent asks: a worker is ready in milliseconds and
already loaded, so a document's time limit still counts the document alone.

    parent (WorkerPool) --control socket--> template --fork--> worker, worker, ...
         \\------------ one socket pair per worker: jobs and results ------------/

The parent makes each worker's socket pair and hands one end to the template (SCM_RIGHTS);
the forked worker talks to the parent over it, so documents never pass through the
template. The template reaps its workers and reports each one's exit status, and kills a
worker when the parent asks (it alone knows whether a pid is still its unreaped child, so a
kill never reaches a reused pid). A worker tells the parent its pid when it is ready, for
the parent's poll of its memory.

Processes die with the parent however it dies: the template with the parent, each worker
with the template (PR_SET_PDEATHSIG at each link, and a check of the parent's pid in case it
was gone before the signal was armed). If the template dies, its workers die with it: their
documents become worker_died failures and the pool starts a new template.

The memory limit is enforced twice: an address-space rlimit inside each worker (set after
the fork, so the template is not limited; a big allocation fails in the worker with
MemoryError, which the worker reports) and the parent's poll of the worker's resident memory
and that of its children (Tesseract), which catches what the rlimit cannot.

Forking is safe because the template is single-threaded when it forks: it runs nothing but
this module's loop, and numpy's OpenBLAS, the one library it loads that starts threads at
import, is held to the main thread (OPENBLAS_NUM_THREADS=1: the pipeline does no linear
algebra). tests/test_workers.py checks that the template of a real run has one thread.
"""

from __future__ import annotations

import array
import ctypes
import gc
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, NoReturn, TypeVar

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
# Templates or workers that die before they are ready point at a broken installation, not
# a document.
MAX_FAILED_STARTS = 4
# How long workers get to finish cleanly when the pool closes, before they are killed.
CLOSE_GRACE_S = 2.0
# The largest message on the control socket (the settings: functions travel by name).
_MAX_MESSAGE = 1 << 20

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


class WorkerStartError(RuntimeError):
    """Workers cannot start at all."""


@dataclass(frozen=True)
class _Settings:
    """What the template needs: whom to die with, the task, the workers' memory limit, and
    what to load before forking."""

    parent_pid: int
    task: Callable[..., Any]
    memory_bytes: int
    initializer: Callable[..., Any] | None
    init_args: tuple


@dataclass
class _Template:
    """The parent's handle on a template process and what it has reported."""

    process: subprocess.Popen
    sock: socket.socket
    ready: bool = False  # loaded: it forks workers from now on
    gone: bool = False  # its control socket closed: it died or ended
    exits: dict[int, int] = field(default_factory=dict)  # worker pid -> wait status

    def alive(self) -> bool:
        return not self.gone and self.process.poll() is None

    def request(self, message: tuple, fds: tuple[int, ...] = ()) -> None:
        if self.gone:
            return
        try:
            _send(self.sock, message, fds)
        except OSError:
            self.gone = True

    def drain(self) -> None:
        """Read what the template has said so far, without waiting."""
        while not self.gone:
            try:
                message, _ = _recv(self.sock, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError:
                message = None
            if message is None:
                self.gone = True
            elif message[0] == "ready":
                self.ready = True
            elif message[0] == "exit":
                self.exits[message[1]] = message[2]


@dataclass
class _Worker(Generic[Payload]):
    conn: Connection
    template: _Template  # the template it is forked from
    pid: int | None = None  # known once it is ready
    ready: bool = False  # forked and set up: a document's time counts from here
    dead: bool = False  # its connection closed before it was ready
    job: Payload | None = None
    started: float = 0.0


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
    finish, in completion order. A failed worker is replaced before the next job. A template
    process first runs INITIALIZER(*INIT_ARGS) (loading rules and libraries), then forks
    the workers, so that a document's time limit counts the document alone and a new
    worker costs a fork, not a load."""

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
        self.template: _Template | None = None
        self.failed_starts = 0

    # ---- processes ------------------------------------------------------------------------

    def _start_template(self) -> _Template:
        # A fresh interpreter that imports only kehoach (not the caller's __main__, as
        # multiprocessing's spawn would), on a socket that keeps messages apart and carries
        # file descriptors: when it dies, for any reason, its end closes and drain says so.
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ, KEHOACH_WORKER_PATH=json.dumps(sys.path), OPENBLAS_NUM_THREADS="1")
        process = subprocess.Popen(
            [sys.executable, "-c", _TEMPLATE_BOOT, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        template = _Template(process, ours)
        settings = _Settings(
            os.getpid(), self.task, self.limits.memory_bytes, self.initializer, self.init_args
        )
        template.request(("settings", settings))
        return template

    def _start(self) -> _Worker[Payload]:
        """A new worker: the template forks it when it is loaded (the request waits in its
        socket until then). If the template is gone, the worker's connection just closes."""
        assert self.template is not None
        ours, theirs = socket.socketpair()
        self.template.request(("fork",), (theirs.fileno(),))
        theirs.close()
        return _Worker(Connection(ours.detach()), self.template)

    def _kill(self, w: _Worker[Payload]) -> None:
        """Stop W: its template kills it (and its children) if it is running a job; a worker
        still starting or idle ends on its own when its connection closes."""
        if w.pid is not None:
            w.template.request(("kill", w.pid))
        w.conn.close()

    def _replace(self, w: _Worker[Payload]) -> _Worker[Payload]:
        self._kill(w)
        return self._start()

    def _end_template(self, template: _Template) -> None:
        """Close TEMPLATE: it lets its workers finish for CLOSE_GRACE_S, kills the rest and
        reaps them all before it exits; one still loading is killed (it has no workers)."""
        template.drain()
        if template.ready:
            template.request(("close", CLOSE_GRACE_S))
            try:
                template.process.wait(timeout=CLOSE_GRACE_S + 3)
            except subprocess.TimeoutExpired:
                pass
        if template.process.poll() is None:
            template.process.kill()
        template.process.wait()
        template.sock.close()
        template.gone = True

    # ---- the run --------------------------------------------------------------------------

    def run(self, jobs: Iterator[tuple[Payload, tuple]]) -> Iterator[tuple[Payload, Any]]:
        self.template = self._start_template()
        self.workers = [self._start() for _ in range(self.size)]
        source = iter(jobs)
        exhausted = False
        try:
            while True:
                self._keep_template()
                self._restart_dead()
                exhausted = exhausted or self._dispatch(source)
                busy = [w for w in self.workers if w.job is not None]
                if not busy and exhausted:
                    return
                starting = [w for w in self.workers if not w.ready and not w.dead]
                if busy:
                    yield from self._collect(busy, starting)
                else:
                    self._wait_ready(starting)
        finally:
            self.close()

    def _keep_template(self) -> None:
        """A template that died is replaced, and so is every worker of it not running a
        job (they died with it, or were never forked). Its workers' jobs fail as their
        connections close (_collect)."""
        template = self.template
        assert template is not None
        template.drain()
        if template.alive():
            return
        self._end_template(template)
        if not template.ready:
            self.failed_starts += 1
            self._check_failed_starts(f"a template process {_how_it_ended(template.process.returncode)}")
        self.template = self._start_template()
        for i, w in enumerate(self.workers):
            if w.job is None:
                self.workers[i] = self._replace(w)

    def _restart_dead(self) -> None:
        """Replace the workers that died before they were ready, while their template lives."""
        for i, w in enumerate(self.workers):
            if w.dead and w.template.ready:
                self.failed_starts += 1
                self._check_failed_starts("a worker ended before it was ready")
                self.workers[i] = self._replace(w)

    def _check_failed_starts(self, how: str) -> None:
        if self.failed_starts > MAX_FAILED_STARTS:
            raise WorkerStartError(
                f"worker processes die as they start ({how}); is kehoach installed completely?"
            )

    def _dispatch(self, source: Iterator[tuple[Payload, tuple]]) -> bool:
        """Give each idle worker its next job; True once the jobs have run out."""
        for w in self.workers:
            if w.ready and w.job is None:
                nxt = next(source, None)
                if nxt is None:
                    return True
                job, args = nxt
                w.job, w.started = job, time.monotonic()
                try:
                    w.conn.send(args)
                except (BrokenPipeError, OSError):
                    pass  # the worker died: its end of the socket is closed, reported by _collect
        return False

    def _watched(self, workers: list[_Worker[Payload]]) -> list[Any]:
        assert self.template is not None
        return [w.conn for w in workers] + ([] if self.template.gone else [self.template.sock])

    def _wait_ready(self, starting: list[_Worker[Payload]]) -> None:
        ready = wait(self._watched(starting), timeout=POLL_INTERVAL_S)
        self._mark_ready(starting, set(ready))

    def _mark_ready(self, starting: list[_Worker[Payload]], ready: set) -> None:
        for w in starting:
            if w.conn in ready:
                try:
                    _, w.pid = w.conn.recv()  # ("ready", its pid)
                    w.ready = True
                    self.failed_starts = 0  # only deaths in a row at start-up point at the installation
                except (EOFError, OSError):
                    w.dead = True  # replaced by _restart_dead, or with its template

    def _collect(
        self, busy: list[_Worker[Payload]], starting: list[_Worker[Payload]]
    ) -> Iterator[tuple[Payload, Any]]:
        now = time.monotonic()
        nearest = min(w.started + self.limits.timeout_s for w in busy)
        timeout = max(0.0, min(POLL_INTERVAL_S, nearest - now))
        ready = set(wait(self._watched(busy + starting), timeout=timeout))
        self._mark_ready(starting, ready)
        for w in busy:
            outcome = self._outcome(w, ready)
            if outcome is None:
                continue
            job, w.job = w.job, None
            assert job is not None  # W was busy
            if isinstance(outcome, WorkerFailure):  # killed, dead or out of memory: a new one
                self.workers[self.workers.index(w)] = self._replace(w)
            yield job, outcome

    def _outcome(self, w: _Worker[Payload], ready: set) -> Any:
        """W's result, the WorkerFailure that ends its job, or None while it works on."""
        if w.conn in ready:
            try:
                status, value = w.conn.recv()
            except (EOFError, OSError):  # died while working or sending
                return self._death(w)
            if status == "ok":
                return value
            return WorkerFailure("memory_limit", describe_limit("memory_limit", self.limits))
        if time.monotonic() - w.started > self.limits.timeout_s:
            return WorkerFailure("time_limit", describe_limit("time_limit", self.limits))
        if w.pid is not None and _resident_bytes(w.pid) > self.limits.memory_bytes:
            return WorkerFailure("memory_limit", describe_limit("memory_limit", self.limits))
        return None

    def _death(self, w: _Worker[Payload]) -> WorkerFailure:
        status = self._exit_status(w, timeout=5)
        if status is None and w.template.gone:
            return WorkerFailure("worker_died", "the worker process died with its template process")
        return WorkerFailure("worker_died", f"the worker process {_how_it_ended(status, worker=True)}")

    def _exit_status(self, w: _Worker[Payload], timeout: float) -> int | None:
        """W's exit status as its template reports it once it has reaped W (None if the
        template is gone or does not say within TIMEOUT seconds)."""
        template, deadline = w.template, time.monotonic() + timeout
        while w.pid not in template.exits:
            remaining = deadline - time.monotonic()
            if template.gone or remaining <= 0 or w.pid is None:
                return None
            wait([template.sock], timeout=remaining)
            template.drain()
        code = template.exits.pop(w.pid)
        return os.waitstatus_to_exitcode(code)

    def close(self) -> None:
        for w in self.workers:
            if w.ready and w.job is None:
                try:
                    w.conn.send(None)  # finish cleanly
                except OSError:
                    pass
            else:
                self._kill(w)  # running a job, or still starting
        if self.template is not None:
            self._end_template(self.template)
        for w in self.workers:
            w.conn.close()
        self.workers = []
        self.template = None


def _how_it_ended(code: int | None, worker: bool = False) -> str:
    """How a process ended, from its exit code (negative: the signal that killed it)."""
    if code is None:
        return "ended (exit status unknown)"
    if code < 0:
        name = signal.Signals(-code).name
        hint = " (the system ran out of memory?)" if worker and -code == signal.SIGKILL else ""
        return f"was killed by {name}{hint}"
    return f"ended with exit code {code}"


# ---- the control socket ---------------------------------------------------------------------


def _send(sock: socket.socket, message: tuple, fds: tuple[int, ...] = ()) -> None:
    """One message (and FDS) as one packet of the SOCK_SEQPACKET socket."""
    socket.send_fds(sock, [pickle.dumps(message)], list(fds))


def _recv(sock: socket.socket, flags: int = 0) -> tuple[tuple | None, list[int]]:
    """The next message and the file descriptors it carries; None when the peer is gone."""
    # socket.recv_fds, but with FLAGS (Python 3.11's recv_fds drops them)
    fds = array.array("i")
    data, ancillary, msg_flags, _ = sock.recvmsg(_MAX_MESSAGE, socket.CMSG_LEN(4 * fds.itemsize), flags)
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    if not data:
        return None, list(fds)
    if msg_flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        raise OSError("a control message was truncated")
    return pickle.loads(data), list(fds)


# ---- processes seen from /proc --------------------------------------------------------------


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


# ---- the template ---------------------------------------------------------------------------

_TEMPLATE_BOOT = """
import json, os, sys
sys.path[:] = json.loads(os.environ.pop("KEHOACH_WORKER_PATH"))
from extract.workers import template_main
template_main(int(sys.argv[1]))
"""


def template_main(fd: int) -> NoReturn:
    """A template's life: take its settings, load, say so, then fork workers on request."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=fd)
    message, _ = _recv(sock)
    if message is None:
        os._exit(1)
    settings: _Settings = message[1]
    _die_with_parent(settings.parent_pid)
    if settings.initializer is not None:
        settings.initializer(*settings.init_args)
    gc.freeze()  # what is loaded stays shared with the workers, untouched by their collections
    _send(sock, ("ready",))
    _Forker(sock, settings).serve()


class _Forker:
    """The template's loop: fork a worker for each socket end the parent sends, kill one
    when asked, reap each that ends and report its exit status. It starts no thread, so a
    fork copies a process whose only thread is the one forking."""

    def __init__(self, sock: socket.socket, settings: _Settings):
        self.sock = sock
        self.settings = settings
        self.children: dict[int, int | None] = {}  # pid -> its pidfd (None without pidfds)

    def serve(self) -> NoReturn:
        while True:
            pidfds = [fd for fd in self.children.values() if fd is not None]
            blind = len(pidfds) < len(self.children)  # no pidfd: poll for their ends
            ready = wait([self.sock, *pidfds], timeout=POLL_INTERVAL_S if blind else None)
            if self.sock in ready:
                try:
                    message, fds = _recv(self.sock)
                except OSError:
                    message, fds = None, []
                if message is None:  # the parent is gone
                    self.finish(0.0)
                if message[0] == "close":
                    self.finish(message[1])
                self.handle(message, fds)
            self.reap()

    def handle(self, message: tuple, fds: list[int]) -> None:
        if message[0] == "fork":
            for fd in fds:
                self.fork(fd)
        elif message[0] == "kill" and message[1] in self.children:  # not yet reaped: still ours
            _kill_tree(message[1])

    def fork(self, fd: int) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        template_pid = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no memory or process left: the parent sees the worker die as it starts
            os.close(fd)
            return
        if pid == 0:
            self.sock.close()  # the template's end is the template's alone: its EOF tells of its death
            for pidfd in self.children.values():
                if pidfd is not None:
                    os.close(pidfd)
            _worker_main(fd, template_pid, self.settings)
        os.close(fd)  # the worker's alone: the parent sees its end close when the worker dies
        self.children[pid] = _pidfd(pid)

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._forget(pid, status)

    def _forget(self, pid: int, status: int) -> None:
        pidfd = self.children.pop(pid, None)
        if pidfd is not None:
            os.close(pidfd)
        try:
            _send(self.sock, ("exit", pid, status))
        except OSError:
            pass  # the parent is gone

    def finish(self, grace: float) -> NoReturn:
        """Give the workers GRACE seconds to end, kill the rest, reap them all and exit:
        a template leaves no zombie behind."""
        deadline = time.monotonic() + grace
        while self.children and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.01)
        for pid in list(self.children):
            _kill_tree(pid)
        for pid in list(self.children):
            _, status = os.waitpid(pid, 0)
            self._forget(pid, status)
        os._exit(0)


def _pidfd(pid: int) -> int | None:
    """A file descriptor that becomes readable when PID ends (Linux 5.3+), else None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _kill_tree(pid: int) -> None:
    for child in _children(pid):
        _signal(child, signal.SIGKILL)
    _signal(pid, signal.SIGKILL)


# ---- a worker -------------------------------------------------------------------------------


def _worker_main(fd: int, template_pid: int, settings: _Settings) -> NoReturn:
    """A forked worker's life: die with the template, limit its memory, then one document
    at a time. It never returns into the template's loop."""
    code = 1
    try:
        _die_with_parent(template_pid)
        _limit_memory(settings.memory_bytes)
        _serve(Connection(fd), settings.task, template_pid)
        code = 0
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent closed our connection (it is gone, or did not want this worker)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve(conn: Connection, task: Callable[..., Any], parent_pid: int) -> None:
    conn.send(("ready", os.getpid()))
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
