#!/usr/bin/env python3
"""Issue 16's speed benchmark: every path of kehoach beside its floors, in one run.

    python benchmarks/speed.py [--only startup,text,batch,pdf,scan,growth,peers] [--repeat 5] [--quick]

Builds its inputs in a temporary folder:
  - a plan-size text archive (benchmarks/make_archive.py over the seed plans in
    ../shared/seeds, or corpus/ when they are absent: every file its own figures);
  - the seeds rendered to 30-60 page text PDFs (fpdf2, DejaVu Sans; a short seed is
    repeated, with redrawn figures, until it fills 30 pages);
  - DOCX and PDF versions of corpus/ (scripts/make_corpus_formats.py) and their scans
    at 300 dpi (scripts/make_scans.py).
Each path and each floor runs in a fresh process (in-process paths load first, warm up
on one document, then time REPEAT passes), so every figure has its own peak RSS. Times
are medians of REPEAT; CPU is user + system time of the measured process and of its
children (workers, Tesseract), from getrusage(RUSAGE_CHILDREN) around each run. The
machine may be shared: compare the ratios (path / floor in the same run), not the
absolute figures. Rates "per core" are per CPU second.

Ends with one Markdown row per goal of issue 16: goal, measured, floor, ratio, met.
--quick is a smoke run (few, small inputs, 1 repeat, no scans nor peers unless --only
names them; about 45 s of CPU) whose figures are not the goals' figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BENCHES = ("startup", "text", "batch", "pdf", "scan", "growth", "peers")
PY = sys.executable
BATCH_COUNT = 200  # --batch-count
QUICK_DEFAULT = ("startup", "text", "batch", "pdf", "growth")
TINY = (
    "KẾ HOẠCH\nThực hiện chương trình năm 2024\nI. MỤC TIÊU\n"
    "1. Hỗ trợ 120 hộ nghèo, kinh phí 1.250 triệu đồng.\n"
)


# ---------------------------------------------------------------------------------------
# measurement
@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float


@dataclass
class Figure:
    """Medians of REPEAT samples (peak RSS: the largest)."""

    name: str
    samples: list[Sample]
    extra: dict = field(default_factory=dict)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return max(s.rss_mb for s in self.samples)

    def line(self, work: str = "", rate: str = "") -> str:
        n = len(self.samples)
        spread = ""
        if n > 1:
            cpus = sorted(s.cpu for s in self.samples)
            spread = f" [{cpus[0]:.3f}-{cpus[-1]:.3f}]"
        return (
            f"  {self.name:<44} cpu {self.cpu:8.3f} s{spread}  wall {self.wall:8.3f} s  "
            f"peak RSS {self.rss:6.0f} MB  n={n}  {work} {rate}"
        ).rstrip()


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_process(cmd: list[str], env: dict | None = None, stdout=None) -> Sample:
    """One process (and its descendants): wall, CPU of the whole tree, its peak RSS (the
    largest of the tree's processes: wait4's rusage covers the descendants it reaped)."""
    before = _cpu_children()
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=stdout or subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):  # kehoach exits 1 when a document is partial or failed
            err.seek(0)
            raise SystemExit(
                f"failed ({proc.returncode}): {' '.join(cmd)}\n" + err.read().decode(errors="replace")[-2000:]
            )
    return Sample(wall, _cpu_children() - before, usage.ru_maxrss / 1024)


def repeat_process(name: str, cmd: list[str], repeat: int, env: dict | None = None) -> Figure:
    return Figure(name, [run_process(cmd, env) for _ in range(repeat)])


def in_child(name: str, kind: str, repeat: int, **args) -> Figure:
    """Run CHILD_TASKS[KIND] in a fresh process: it loads, warms up, then times REPEAT
    passes itself; its own CPU and that of its children (Tesseract) count."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as f:
        out = Path(f.name)
    try:
        cmd = [PY, str(Path(__file__).resolve()), "--child", kind, json.dumps(args), str(out), str(repeat)]
        run_process(cmd)
        got = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
    samples = [Sample(w, c, got["rss_mb"]) for w, c in got["samples"]]
    return Figure(name, samples, got.get("extra", {}))


# ---------------------------------------------------------------------------------------
# child tasks: each returns (load(args) -> state, one pass(state) -> extra)
def _child_main(kind: str, args: dict, out: Path, repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    setup, one_pass = CHILD_TASKS[kind]
    state = setup(**args)
    extra = one_pass(state)  # warm-up, untimed
    samples = []
    for _ in range(repeat):
        c0 = time.process_time() + _cpu_children()
        w0 = time.perf_counter()
        extra = one_pass(state)
        samples.append((time.perf_counter() - w0, time.process_time() + _cpu_children() - c0))
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    out.write_text(json.dumps({"samples": samples, "rss_mb": rss / 1024, "extra": extra}))


def _kehoach_setup(files: list[str], ocr: str = "auto") -> dict:
    from extract.work import _extractor, load_extractor

    load_extractor(None, ocr)
    return {"extractor": _extractor(None, ocr), "files": [Path(f) for f in files]}


def _kehoach_pass(state: dict) -> dict:
    pages, methods, rows = 0, {}, 0
    for f in state["files"]:
        result = state["extractor"].process_path(f)
        doc = result.document
        pages += doc["pages"] or 0
        methods[doc["method"]] = methods.get(doc["method"], 0) + 1
        rows += sum(len(v) for v in result.tables.values())
    return {"pages": pages, "methods": methods, "rows": rows}


def _files_setup(files: list[str]) -> dict:
    return {"files": [Path(f) for f in files]}


def _nfc_pass(state: dict) -> dict:
    for f in state["files"]:
        unicodedata.normalize("NFC", f.read_bytes().decode("utf-8"))
    return {}


def _rules_setup(files: list[str]) -> dict:
    from extract.pipeline import Extractor

    e = Extractor()
    holders = [
        e.rules,
        e.cleaner,
        e.gazetteer,
        e.amount_finder,
        e.target_finder,
        e.assignment_finder,
        e.reference_finder,
        e.table_reader,
        e.taxonomy,
    ]
    patterns = _patterns(holders)
    texts = [unicodedata.normalize("NFC", Path(f).read_text(encoding="utf-8")) for f in files]
    return {"patterns": patterns, "texts": texts}


def _patterns(roots: list) -> list:
    """Every compiled pattern reachable from ROOTS (rules and the finders built from them)."""
    import re

    import regex

    kinds = (re.Pattern, regex.Pattern)
    found, seen, stack = {}, set(), list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None), Path)):
            continue
        seen.add(id(obj))
        if isinstance(obj, kinds):
            found[id(obj)] = obj
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif hasattr(obj, "__dict__") or hasattr(obj, "__slots__"):
            stack.extend(getattr(obj, "__dict__", {}).values())
            for s in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, s):
                    stack.append(getattr(obj, s))
    return list(found.values())


def _rules_pass(state: dict) -> dict:
    hits = 0
    for text in state["texts"]:
        for p in state["patterns"]:
            for _ in p.finditer(text):
                hits += 1
    return {"patterns": len(state["patterns"]), "hits": hits}


def _pdfplumber_pass(state: dict) -> dict:
    import pdfplumber

    pages = 0
    for f in state["files"]:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return {"pages": pages}


def _pdfium_pass(state: dict) -> dict:
    import pypdfium2 as pdfium

    pages = 0
    for f in state["files"]:
        doc = pdfium.PdfDocument(f.read_bytes())
        for page in doc:
            page.get_textpage().get_text_range()
            pages += 1
        doc.close()
    return {"pages": pages}


def _pymupdf_pass(state: dict) -> dict:
    import pymupdf

    pages = 0
    for f in state["files"]:
        with pymupdf.open(f) as doc:
            for page in doc:
                page.get_text()
                pages += 1
    return {"pages": pages}


def _python_docx_pass(state: dict) -> dict:
    import docx

    n = 0
    for f in state["files"]:
        d = docx.Document(str(f))
        n += sum(len(p.text) for p in d.paragraphs)
        for t in d.tables:
            for row in t.rows:
                n += sum(len(c.text) for c in row.cells)
    return {"chars": n}


def _tesseract_pass(state: dict) -> dict:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    for image in state["files"]:
        subprocess.run(
            ["tesseract", str(image), "-", "-l", "vie", "--psm", "4"],
            capture_output=True,
            env=env,
            check=True,
        )
    return {"pages": len(state["files"])}


def _unstructured_setup(files: list[str], fn: str) -> dict:
    import unstructured.partition.auto  # noqa: F401

    return {"files": [Path(f) for f in files], "fn": fn}


def _unstructured_pass(state: dict) -> dict:
    import importlib

    module, name = state["fn"].rsplit(".", 1)
    partition = getattr(importlib.import_module(module), name)
    kw = {"strategy": "fast"} if name == "partition_pdf" else {}
    n = 0
    for f in state["files"]:
        n += len(partition(filename=str(f), **kw))
    return {"elements": n}


def _docling_setup(files: list[str]) -> dict:
    from docling.document_converter import DocumentConverter

    return {"files": [Path(f) for f in files], "converter": DocumentConverter()}


def _docling_pass(state: dict) -> dict:
    for f in state["files"]:
        state["converter"].convert(str(f)).document.export_to_markdown()
    return {}


CHILD_TASKS = {
    "kehoach": (_kehoach_setup, _kehoach_pass),
    "nfc": (_files_setup, _nfc_pass),
    "rules": (_rules_setup, _rules_pass),
    "pdfplumber": (_files_setup, _pdfplumber_pass),
    "pypdfium2": (_files_setup, _pdfium_pass),
    "pymupdf": (_files_setup, _pymupdf_pass),
    "python-docx": (_files_setup, _python_docx_pass),
    "tesseract": (_files_setup, _tesseract_pass),
    "unstructured": (_unstructured_setup, _unstructured_pass),
    "docling": (_docling_setup, _docling_pass),
}


# ---------------------------------------------------------------------------------------
# inputs
def seed_sources(quick: bool) -> Path:
    if SEEDS.is_dir() and any(SEEDS.glob("*.txt")):
        return SEEDS
    print(f"  (no seeds at {SEEDS}: plan-size documents come from corpus/)")
    return ROOT / "corpus"


def archive(src: Path, dst: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_archive import make_archive

    return make_archive(src, dst, count)


def megabytes(files: list[Path]) -> float:
    return sum(f.stat().st_size for f in files) / 1e6


def render_seed_pdfs(src: Path, dst: Path, limit: int | None = None) -> list[Path]:
    """Each seed as a 30-60 page text PDF: repeated (figures redrawn) until it fills 30."""
    sys.path.insert(0, str(ROOT / "scripts"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_archive import vary
    from make_corpus_formats import write_pdf

    dst.mkdir(parents=True, exist_ok=True)
    out = []
    for seed in sorted(src.glob("*.txt"))[:limit]:
        text = seed.read_text(encoding="utf-8")
        target = dst / f"{seed.stem}.pdf"
        write_pdf(text.split("\n"), target)
        pages = _pages(target)
        copies = max(1, math.ceil(30 / max(pages, 1)))
        if copies > 1:
            rng = random.Random(seed.stem)
            write_pdf("\n".join([text] + [vary(text, rng) for _ in range(copies - 1)]).split("\n"), target)
        out.append(target)
    return out


def _pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return len(doc)
    finally:
        doc.close()


def corpus_formats(tmp: Path) -> Path:
    formats = tmp / "formats"
    if not formats.exists():
        subprocess.run(
            [PY, str(ROOT / "scripts" / "make_corpus_formats.py"), str(ROOT / "corpus"), str(formats)],
            check=True,
            capture_output=True,
        )
    return formats


def page_images(scan: Path, folder: Path, dpi: int) -> list[Path]:
    import pypdfium2 as pdfium

    folder.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(scan.read_bytes())
    out = []
    for i, page in enumerate(doc):
        target = folder / f"{scan.stem}-{i}.png"
        page.render(scale=dpi / 72).to_pil().save(target, dpi=(dpi, dpi))
        out.append(target)
    doc.close()
    return out


def grown(base: Path, factor: int, dst: Path) -> Path:
    """FACTOR copies of the plan BASE in one file, figures redrawn in every copy."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_archive import vary

    text = base.read_text(encoding="utf-8")
    rng = random.Random(factor)
    target = dst / f"grown{factor:03d}{base.suffix}"
    target.write_text("\n".join([text] + [vary(text, rng) for _ in range(factor - 1)]), encoding="utf-8")
    return target


def cli(paths: list[Path], out: Path, jobs: int) -> list[str]:
    return [
        PY,
        "-m",
        "extract.cli",
        "extract",
        *map(str, paths),
        "-o",
        str(out),
        "-j",
        str(jobs),
        "--force",
        "-q",
        "--no-progress",
    ]


# ---------------------------------------------------------------------------------------
# goals
@dataclass
class Goal:
    goal: str
    measured: str
    floor: str
    ratio: str
    met: bool | None


GOALS: list[Goal] = []


def verdict(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "no")


def bench_startup(tmp: Path, repeat: int, quick: bool) -> None:
    print(
        "startup: one tiny file, a fresh `kehoach extract` (the parent, the workers' template "
        "and the workers forked from it)"
    )
    tiny = tmp / "tiny" / "tiny.txt"
    tiny.parent.mkdir(exist_ok=True)
    tiny.write_text(TINY, encoding="utf-8")
    floor = repeat_process("python -c pass", [PY, "-c", "pass"], repeat)
    imp = repeat_process(
        "python -c 'import extract.cli' (the parent)", [PY, "-c", "import extract.cli"], repeat
    )
    parent = repeat_process(
        "the parent's load (the store, the rules checked, the pipeline version)",
        [
            PY,
            "-c",
            "from extract.batch import run; from extract.work import pipeline_version; "
            "pipeline_version(None, 'auto')",
        ],
        repeat,
    )
    load = repeat_process(
        "the template's load, once a run (load_extractor)",
        [PY, "-c", "from extract.work import load_extractor; load_extractor(None, 'auto')"],
        repeat,
    )
    spacy = repeat_process(
        "spaCy's sentence pipeline alone (part of the load)",
        [PY, "-c", "from extract.nlp import sentence_spans; sentence_spans('Kế hoạch.')"],
        repeat,
    )
    runs = {jobs: _startup_run(tiny, tmp, jobs, repeat) for jobs in ((1,) if quick else (1, 2, 4))}
    for f in (floor, imp, parent, load, spacy, *runs.values()):
        print(f.line())
    j1 = runs[1]
    per_process = j1.cpu / _processes(1)
    forks = [_fork_cost() for _ in range(repeat)]
    extra = statistics.median(t + p for t, p in forks)
    print(
        f"  a new worker forked from the loaded template (median of {repeat} runs of "
        f"{FORKED_WORKERS} replacements): {extra * 1000:.1f} ms CPU (template and worker "
        f"{statistics.median(t for t, _ in forks) * 1000:.1f} ms, parent "
        f"{statistics.median(p for _, p in forks) * 1000:.1f} ms)"
    )
    extra_text = f"{extra * 1000:.1f} ms"
    if not quick:
        extra_text += (
            f" (whole runs: -j 2 - -j 1 {runs[2].cpu - j1.cpu:.3f} s, "
            f"-j 4 - -j 1 {runs[4].cpu - j1.cpu:.3f} s)"
        )
    per_run = "; ".join(f"-j {j}: {f.cpu / _processes(j):.2f} s ({_processes(j)})" for j, f in runs.items())
    print(
        f"  CPU per process (a run's CPU / its processes): {per_run}; each extra worker adds "
        f"{extra_text} CPU; the template's load {load.cpu:.2f} s (once a run); the parent's "
        f"import {imp.cpu:.2f} s, its load {parent.cpu:.2f} s; floor `python -c pass` {floor.cpu:.3f} s"
    )
    worst = max(per_process, extra)
    GOALS.append(
        Goal(
            "Start-up ≤ 0.3 s CPU per process",
            f"{per_process:.2f} s CPU per process (-j 1 on a tiny file: {j1.cpu:.2f} s for "
            f"{_processes(1)}); the template's load {load.cpu:.2f} s once a run; extra worker: {extra_text}",
            f"`python -c pass` {floor.cpu:.3f} s",
            f"{worst / floor.cpu:.0f}× floor",
            worst <= 0.3,
        )
    )


def _processes(jobs: int) -> int:
    """The processes of a run with JOBS workers: the parent, the template, the workers."""
    return jobs + 2


FORKED_WORKERS = 30
_FORK_COST = """
import json, os, time
from extract.work import load_extractor
from extract.workers import Limits, WorkerPool

def tree_cpu(pid):  # utime, stime, cutime, cstime: the template and the workers it reaped
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")

n = int(os.environ["FORKED_WORKERS"])
pool = WorkerPool(1, os._exit, Limits(timeout_s=60), initializer=load_extractor, init_args=(None, "auto"))
results = pool.run(iter([(i, (0,)) for i in range(n + 1)]))
next(results)  # the first worker has died: the template is loaded
template = pool.template.process.pid
t0, p0 = tree_cpu(template), time.process_time()
for _ in range(n):
    next(results)  # a worker died (its task is os._exit): the template forks the next
t1, p1 = tree_cpu(template), time.process_time()
results.close()
print(json.dumps([(t1 - t0) / n, (p1 - p0) / n]))
"""


def _fork_cost() -> tuple[float, float]:
    """CPU per new worker once the template is loaded: (the template's fork and the worker's
    life, the parent's part), over FORKED_WORKERS workers that each die at their first job."""
    env = dict(os.environ, FORKED_WORKERS=str(FORKED_WORKERS))
    out = subprocess.run(
        [PY, "-c", _FORK_COST], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    template, parent = json.loads(out.stdout)
    return template, parent


def _startup_run(tiny: Path, tmp: Path, jobs: int, repeat: int) -> Figure:
    name = f"kehoach extract tiny -j {jobs} ({_processes(jobs)} processes)"
    return repeat_process(name, cli([tiny], tmp / f"o-tiny{jobs}", jobs), repeat)


def bench_text(tmp: Path, repeat: int, quick: bool) -> None:
    src = seed_sources(quick)
    files = archive(src, tmp / "text", 5 if quick else 20)
    mb = megabytes(files)
    print(f"text, in process: {len(files)} plan-size documents from {src.name}/, {mb:.2f} MB")
    args = {"files": list(map(str, files))}
    k = in_child("kehoach Extractor.process_path", "kehoach", repeat, **args)
    nfc = in_child("floor: read + NFC", "nfc", repeat, **args)
    rules = in_child("floor: every rules pattern once over the text", "rules", repeat, **args)
    for f, extra in ((k, ""), (nfc, ""), (rules, f"({rules.extra.get('patterns')} patterns)")):
        print(f.line(f"{mb / f.cpu:9.2f} MB/s per core {extra}"))
    rate = mb / k.cpu
    GOALS.append(
        Goal(
            "Text in process ≥ 2 MB/s per core",
            f"{rate:.2f} MB/s per core ({len(files)} documents, {mb:.2f} MB)",
            f"read + NFC {mb / nfc.cpu:.0f} MB/s; every rules pattern once {mb / rules.cpu:.2f} MB/s",
            f"{k.cpu / nfc.cpu:,.0f}× read+NFC; {k.cpu / rules.cpu:.1f}× rules patterns",
            rate >= 2,
        )
    )


def bench_batch(tmp: Path, repeat: int, quick: bool) -> None:
    src = seed_sources(quick)
    small, big = (3, 6) if quick else (40, BATCH_COUNT)
    files = archive(src, tmp / f"batch{big}", big)
    mb40, mb200 = megabytes(files[:small]), megabytes(files)
    (tmp / f"batch{small}").mkdir(exist_ok=True)
    for f in files[:small]:
        shutil.copy(f, tmp / f"batch{small}" / f.name)
    print(
        f"batch: whole `kehoach extract` runs (workers included), {small} documents {mb40:.2f} MB; "
        f"{big} documents {mb200:.2f} MB"
    )
    nfc = in_child(f"floor: read + NFC, {big} documents", "nfc", repeat, files=list(map(str, files)))
    r40 = repeat_process(
        f"kehoach extract {small} docs -j 1", cli([tmp / f"batch{small}"], tmp / "o-b40", 1), repeat
    )
    r1 = repeat_process(
        f"kehoach extract {big} docs -j 1", cli([tmp / f"batch{big}"], tmp / "o-b1", 1), repeat
    )
    r2 = repeat_process(
        f"kehoach extract {big} docs -j 2", cli([tmp / f"batch{big}"], tmp / "o-b2", 2), repeat
    )
    print(nfc.line(f"{mb200 / nfc.cpu:9.1f} MB/s per core"))
    print(r40.line(f"{mb40 / r40.cpu:9.3f} MB/s per core"))
    for r in (r1, r2):
        print(r.line(f"{mb200 / r.cpu:9.3f} MB/s per core, {mb200 / r.wall:.3f} MB/s wall"))
    load = os.getloadavg()[0]
    speedup = r1.wall / r2.wall
    print(
        f"  -j 2 / -j 1: {speedup:.2f}× faster (wall), {r2.cpu / r1.cpu:.2f}× the CPU; "
        f"load average {load:.1f} on {os.cpu_count()} cores (a busy machine caps the wall-time speed-up)"
    )
    rate = mb40 / r40.cpu
    GOALS.append(
        Goal(
            f"Text whole run ({small} documents) ≥ 1.5 MB/s per core",
            f"{rate:.2f} MB/s per core",
            f"read + NFC {mb200 / nfc.cpu:.0f} MB/s",
            f"{r40.cpu / (nfc.cpu * mb40 / mb200):,.0f}× read+NFC",
            rate >= 1.5,
        )
    )
    GOALS.append(
        Goal(
            f"`-j 2` ≥ 1.8× `-j 1` ({big} documents)",
            f"{speedup:.2f}× (wall); -j 2 uses {100 * (r2.cpu / r1.cpu - 1):+.0f}% CPU",
            f"{min(2, os.cpu_count() or 1)}× (ideal; load average {load:.1f})",
            f"{speedup / 2:.2f} of ideal",
            speedup >= 1.8,
        )
    )


def bench_pdf(tmp: Path, repeat: int, quick: bool) -> None:
    src = seed_sources(quick)
    if not FONT.exists():
        print(f"pdf: skipped, no DejaVu font at {FONT}")
        return
    if quick:  # the corpus plans' PDFs (a few pages each), not 30-60 page seeds
        pdfs = sorted(corpus_formats(tmp).glob("*.pdf"))
    else:
        pdfs = render_seed_pdfs(src, tmp / "pdfs")
    pages = sum(_pages(p) for p in pdfs)
    print(
        f"text PDFs: {len(pdfs)} {'corpus plans' if quick else 'seeds'} rendered to {pages} pages "
        f"({', '.join(str(_pages(p)) for p in pdfs)})"
    )
    args = {"files": list(map(str, pdfs))}
    k = in_child("kehoach Extractor.process_path", "kehoach", repeat, **args)
    print(k.line(f"{pages / k.cpu:8.1f} pages/s per core  methods {k.extra.get('methods')}"))
    floors = {}
    for kind in ("pdfplumber", "pypdfium2", "pymupdf"):
        if importlib.util.find_spec(kind) is None:
            print(f"  {kind}: not installed (pip install -e '.[bench]')")
            continue
        f = in_child(f"floor: {kind} text of every page", kind, repeat, **args)
        floors[kind] = f
        print(f.line(f"{pages / f.cpu:8.1f} pages/s per core"))
    rate = pages / k.cpu
    best = floors.get("pypdfium2") or floors.get("pdfplumber")
    GOALS.append(
        Goal(
            "Text PDFs ≥ 60 pages/s per core",
            f"{rate:.1f} pages/s per core ({pages} pages)",
            "; ".join(f"{n} {pages / f.cpu:.0f}" for n, f in floors.items()),
            f"{k.cpu / best.cpu:.0f}× {best.name.split(':')[1].split()[0]}" if best else "—",
            rate >= 60,
        )
    )


def bench_scan(tmp: Path, repeat: int, quick: bool) -> None:
    if shutil.which("tesseract") is None:
        print("scan: skipped, no tesseract")
        return
    formats = corpus_formats(tmp)
    scans = tmp / "scans300"
    if not scans.exists():
        cmd = [PY, str(ROOT / "scripts" / "make_scans.py"), str(formats), str(scans), "--dpi", "300"]
        if quick:
            cmd += ["--only", "kh_dakrong_dtts_2024"]
        subprocess.run(cmd, check=True, capture_output=True)
    pdfs = sorted(scans.glob("*.scan.pdf"))
    images = [img for p in pdfs for img in page_images(p, tmp / "scanpng", 300)]
    print(f"scans, 300 dpi: {len(pdfs)} image-only PDFs, {len(images)} pages")
    print(
        "  both sides run Tesseract with OMP_THREAD_LIMIT=1 (one thread per process, no OpenMP "
        "spinning); the floor is given the pages as PNG files, kehoach renders them from the PDFs"
    )
    # the child inherits this: kehoach's Tesseract runs as the floor's does (its own
    # default too, unless the caller's environment says otherwise)
    before = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        k = in_child(
            "kehoach Extractor.process_path (scan PDFs)", "kehoach", repeat, files=list(map(str, pdfs))
        )
    finally:
        if before is None:
            del os.environ["OMP_THREAD_LIMIT"]
        else:
            os.environ["OMP_THREAD_LIMIT"] = before
    raw = in_child(
        "floor: raw `tesseract --psm 4` on the pages", "tesseract", repeat, files=list(map(str, images))
    )
    print(k.line(f"{len(images) / k.cpu * 60:6.1f} pages/min per core  methods {k.extra.get('methods')}"))
    print(raw.line(f"{len(images) / raw.cpu * 60:6.1f} pages/min per core"))
    ratio = k.cpu / raw.cpu
    GOALS.append(
        Goal(
            "Scans ≤ 1.15× raw Tesseract CPU",
            f"{k.cpu:.1f} s CPU for {len(images)} pages (wall {k.wall:.1f} s)",
            f"raw `tesseract --psm 4` {raw.cpu:.1f} s CPU",
            f"{ratio:.2f}×",
            ratio <= 1.15,
        )
    )


def bench_growth(tmp: Path, repeat: int, quick: bool) -> None:
    src = seed_sources(quick)
    base = (
        max(sorted(src.glob("*.txt")), key=lambda p: p.stat().st_size)
        if not quick
        else sorted(src.glob("*.txt"))[0]
    )
    factors = (1, 4) if quick else (1, 4, 16, 64)
    folder = tmp / "growth"
    folder.mkdir(exist_ok=True)
    print(
        f"growth: {base.name} ({base.stat().st_size / 1e3:.0f} kB) copied {factors}× into one document; "
        "memory: peak RSS above the same process's after its warm-up"
    )
    rows = []
    for factor in factors:
        doc = grown(base, factor, folder)
        # fewer repeats for the largest documents: their time is long and steady
        n = repeat if factor <= 16 else max(1, min(repeat, 3))
        f = in_child(f"kehoach {factor}× a plan", "grow", n, file=str(doc))
        size = doc.stat().st_size
        per_mb = f.cpu / (size / 1e6)
        grow_mb = f.extra["rss_growth_mb"]
        rows.append((factor, size, f, per_mb, grow_mb))
        print(
            f.line(
                f"{per_mb:7.2f} s CPU per MB; RSS +{grow_mb:.0f} MB = "
                f"{grow_mb / (size / 1e6):.0f} MB per input MB"
            )
        )
    (f1, _, _, t1, _), (fn, sn, _, tn, gn) = rows[0], rows[-1]
    lo = rows[-2]
    exponent = math.log(rows[-1][2].cpu / lo[2].cpu) / math.log(sn / lo[1])
    mem_ratio = (gn / sn) / (lo[4] / lo[1]) if lo[4] > 0 else float("nan")
    print(
        f"  time per byte {fn}× / {f1}×: {tn / t1:.2f}; exponent {lo[0]}×→{fn}×: {exponent:.2f}; "
        f"RSS growth per byte {fn}× / {lo[0]}×: {mem_ratio:.2f}"
    )
    GOALS.append(
        Goal(
            f"Linear: time per byte at {fn}× within 10% of 1×",
            f"{tn / t1:.2f}× the time per byte (exponent {exponent:.2f} from {lo[0]}× to {fn}×)",
            f"1× a plan: {t1:.2f} s CPU per MB",
            f"{tn / t1:.2f}",
            tn / t1 <= 1.10,
        )
    )
    GOALS.append(
        Goal(
            "Linear: memory per input byte flat",
            f"RSS growth {gn:.0f} MB for {sn / 1e6:.1f} MB ({gn / (sn / 1e6):.0f} MB per MB)",
            f"{lo[0]}×: {lo[4] / (lo[1] / 1e6):.0f} MB per MB",
            f"{mem_ratio:.2f}",
            mem_ratio <= 1.10 if not math.isnan(mem_ratio) else None,
        )
    )


def _grow_setup(file: str) -> dict:
    state = _kehoach_setup([])
    tiny = Path(tempfile.mkdtemp()) / "tiny.txt"
    tiny.write_text(TINY, encoding="utf-8")
    state["extractor"].process_path(tiny)
    state["baseline"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    state["file"] = Path(file)
    state["warm"] = False
    return state


def _grow_pass(state: dict) -> dict:
    if not state["warm"]:  # the warm-up pass: on the tiny file only (the growth is this document's)
        state["warm"] = True
        return {}
    state["extractor"].process_path(state["file"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rss_growth_mb": peak - state["baseline"]}


CHILD_TASKS["grow"] = (_grow_setup, _grow_pass)


def bench_peers(tmp: Path, repeat: int, quick: bool) -> None:
    formats = corpus_formats(tmp)
    docx = sorted(formats.glob("*.docx"))
    texts = sorted(p for p in (ROOT / "corpus").iterdir() if p.suffix in (".txt", ".md"))
    pdfs = sorted(formats.glob("*.pdf"))
    print(
        f"peers on the corpus and its formats: {len(docx)} DOCX, {len(texts)} text/Markdown, {len(pdfs)} PDF"
    )
    k_docx = in_child("kehoach on DOCX", "kehoach", repeat, files=list(map(str, docx)))
    pd = in_child("python-docx: paragraphs and cells", "python-docx", repeat, files=list(map(str, docx)))
    print(k_docx.line())
    print(pd.line())
    if quick:  # the peers' rows need the text and PDF figures
        GOALS.append(
            Goal(
                "Peers, DOCX",
                f"python-docx reading {pd.cpu / k_docx.cpu:.2f}× kehoach's DOCX extraction",
                f"kehoach DOCX {k_docx.cpu:.2f} s",
                "—",
                None,
            )
        )
        return
    k_text = in_child("kehoach on text/Markdown", "kehoach", repeat, files=list(map(str, texts)))
    k_pdf = in_child("kehoach on PDF", "kehoach", repeat, files=list(map(str, pdfs)))
    print(k_text.line())
    print(k_pdf.line())
    measured = [f"python-docx reading {pd.cpu / k_docx.cpu:.2f}× kehoach's DOCX extraction"]
    if importlib.util.find_spec("unstructured") is not None:
        for name, files, k in (
            ("partition_text", texts, k_text),
            ("partition_docx", docx, k_docx),
            ("partition_pdf", pdfs, k_pdf),
        ):
            module = {"partition_text": "text", "partition_docx": "docx", "partition_pdf": "pdf"}[name]
            try:
                f = in_child(
                    f"Unstructured {name}",
                    "unstructured",
                    repeat,
                    files=list(map(str, files)),
                    fn=f"unstructured.partition.{module}.{name}",
                )
            except SystemExit as exc:
                print(f"  Unstructured {name}: failed ({str(exc).splitlines()[0][:120]})")
                continue
            print(f.line())
            measured.append(f"Unstructured {name} {f.cpu / k.cpu:.2f}×")
    else:
        print(
            "  Unstructured: not installed; skipped "
            "(it pulls in torch and models that cannot be downloaded here)"
        )
    if importlib.util.find_spec("docling") is not None:
        for label, files, k in (
            ("DOCX", docx, k_docx),
            ("Markdown", [p for p in texts if p.suffix == ".md"], None),
        ):
            if not files:
                continue
            try:
                f = in_child(f"Docling on {label}", "docling", repeat, files=list(map(str, files)))
            except SystemExit as exc:
                print(f"  Docling on {label}: failed ({str(exc).splitlines()[0][:120]})")
                continue
            print(f.line())
            if k is not None:
                measured.append(f"Docling {f.cpu / k.cpu:.2f}× on DOCX")
    else:
        print(
            "  Docling: not installed; skipped "
            "(it pulls in torch and layout models that cannot be downloaded here)"
        )
    GOALS.append(
        Goal(
            "Peers, DOCX / text (CPU, × kehoach's whole extraction)",
            "; ".join(measured),
            f"kehoach DOCX {k_docx.cpu:.2f} s, text {k_text.cpu:.2f} s",
            "—",
            None,
        )
    )


RUNNERS = {
    "startup": bench_startup,
    "text": bench_text,
    "batch": bench_batch,
    "pdf": bench_pdf,
    "scan": bench_scan,
    "growth": bench_growth,
    "peers": bench_peers,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        _child_main(argv[1], json.loads(argv[2]), Path(argv[3]), int(argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--only",
        help=f"comma-separated: {','.join(BENCHES)} (default: all; with --quick: {','.join(QUICK_DEFAULT)})",
    )
    ap.add_argument(
        "--batch-count", type=int, default=200, help="documents of the -j 2 / -j 1 runs (default 200)"
    )
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure (medians); default 5")
    ap.add_argument("--quick", action="store_true", help="a smoke run: small inputs, 1 repeat (< 60 s)")
    ap.add_argument("--keep", type=Path, help="build the inputs in this folder and keep them")
    args = ap.parse_args(argv)
    global BATCH_COUNT
    BATCH_COUNT = args.batch_count
    only = args.only or ",".join(QUICK_DEFAULT if args.quick else BENCHES)
    chosen = [b.strip() for b in only.split(",") if b.strip()]
    unknown = set(chosen) - set(BENCHES)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    repeat = 1 if args.quick else args.repeat
    started = time.perf_counter()
    print(
        f"kehoach speed benchmark: {', '.join(chosen)}; repeat {repeat}{' (quick)' if args.quick else ''}; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}"
    )
    tmp_ctx = tempfile.TemporaryDirectory(prefix="kehoach-speed-") if args.keep is None else None
    tmp = Path(tmp_ctx.name) if tmp_ctx else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        for name in chosen:
            t0 = time.perf_counter()
            before = len(GOALS)
            RUNNERS[name](tmp, repeat, args.quick)
            for g in GOALS[before:]:
                print(
                    f"  goal: {g.goal}: {g.measured}; floor {g.floor}; ratio {g.ratio}; met {verdict(g.met)}"
                )
            print(f"  ({name}: {time.perf_counter() - t0:.0f} s)\n", flush=True)
    finally:
        if tmp_ctx:
            tmp_ctx.cleanup()
    GOALS.append(
        Goal(
            "Same output (ids and `pipeline_version` aside)",
            "not measured here: "
            "`scripts/output_digest.py save` before a change, `check` after (seeds, corpus, DOCX, PDFs; "
            "`--scans` for OCR)",
            "—",
            "—",
            None,
        )
    )
    print("| goal | measured (kehoach today) | floor in the same run | ratio | met |")
    print("| --- | --- | --- | --- | --- |")
    for g in GOALS:
        print(f"| {g.goal} | {g.measured} | {g.floor} | {g.ratio} | {verdict(g.met)} |")
    print(f"\n({time.perf_counter() - started:.0f} s; load average at the end {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
