#!/usr/bin/env python3
"""cProfile of kehoach's paths on the benchmark's inputs: where the time goes.

    python benchmarks/profile_paths.py [--only startup,text,pdf] [--top 25] [--save DIR]

startup: importing the CLI and a worker's load (load_extractor) in a fresh process;
text: Extractor.process_path over plan-size documents (make_archive.py over the seeds),
after a warm-up; growth: one document of --factor copies of the largest seed (what
grows faster than the text); pdf: the same over two seeds rendered to 30+ page text PDFs.
Times are CPU seconds of this process (the machine may be shared), inflated by the
profiler's own cost on small functions. Prints, per path, the top functions by cumulative
time and by own time, each with its share of the profiled total. --save writes the .prof
files (snakeviz, pstats).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import speed  # noqa: E402


def report(stats: pstats.Stats, title: str, top: int, save: Path | None) -> None:
    total = stats.total_tt
    print(f"## {title}: {total:.2f} s profiled\n")
    rows = []
    for (file, line, fn), (_cc, nc, tt, ct, _) in stats.stats.items():
        where = _short(file, line, fn)
        rows.append((where, nc, tt, ct))
    for label, key in (("cumulative", 3), ("own time", 2)):
        print(f"### by {label}\n")
        print("| function | calls | own s | cumulative s | cumulative share |")
        print("| --- | --- | --- | --- | --- |")
        for where, nc, tt, ct in sorted(rows, key=lambda r: -r[key])[:top]:
            print(f"| `{where}` | {nc:,} | {tt:.2f} | {ct:.2f} | {100 * ct / total:.0f}% |")
        print()
    if save:
        save.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(save / f"{title.split()[0]}.prof")


def _short(file: str, line: int, fn: str) -> str:
    if file == "~":
        return fn
    p = Path(file)
    parts = p.parts
    for anchor in ("extract", "site-packages", "python3.11"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            rel = "/".join(parts[i + 1 :]) if anchor != "extract" else "/".join(parts[i:])
            return f"{rel}:{line} {fn}"
    return f"{p.name}:{line} {fn}"


def profile_startup(top: int, save: Path | None) -> None:
    code = (
        "import cProfile, pstats, sys\n"
        "import time; p = cProfile.Profile(time.process_time); p.enable()\n"
        "import extract.cli\n"
        "from extract.work import load_extractor\n"
        "load_extractor(None, 'auto')\n"
        "p.disable(); p.dump_stats(sys.argv[1])\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "startup.prof"
        subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, check=True)
        report(pstats.Stats(str(out)), "startup (import extract.cli + a worker's load_extractor)", top, save)


def profile_documents(
    files: list[Path], title: str, top: int, save: Path | None, warm: Path | None = None
) -> None:
    from extract.work import _extractor, load_extractor

    load_extractor(None, "auto")
    extractor = _extractor(None, "auto")
    extractor.process_path(warm or files[0])  # warm-up
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for f in files:
        extractor.process_path(f)
    prof.disable()
    report(pstats.Stats(prof), title, top, save)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="startup,text,pdf")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--count", type=int, default=20, help="text documents (default 20)")
    ap.add_argument(
        "--factor", type=int, default=32, help="growth: copies of the largest seed in one document"
    )
    ap.add_argument("--save", type=Path)
    args = ap.parse_args(argv)
    chosen = args.only.split(",")
    with tempfile.TemporaryDirectory(prefix="kehoach-profile-") as tmp:
        tmp = Path(tmp)
        src = speed.seed_sources(False)
        if "startup" in chosen:
            profile_startup(args.top, args.save)
        if "text" in chosen:
            files = speed.archive(src, tmp / "text", args.count)
            profile_documents(
                files,
                f"text ({len(files)} plan-size documents, {speed.megabytes(files):.2f} MB)",
                args.top,
                args.save,
            )
        if "growth" in chosen:
            base = max(sorted(src.glob("*.txt")), key=lambda p: p.stat().st_size)
            doc = speed.grown(base, args.factor, tmp)
            tiny = tmp / "tiny.txt"
            tiny.write_text(speed.TINY, encoding="utf-8")
            profile_documents(
                [doc],
                f"growth ({args.factor}× {base.name}, {doc.stat().st_size / 1e6:.2f} MB, one document)",
                args.top,
                args.save,
                warm=tiny,
            )
        if "pdf" in chosen:
            pdfs = speed.render_seed_pdfs(src, tmp / "pdfs", 2)
            pages = sum(speed._pages(p) for p in pdfs)
            profile_documents(pdfs, f"pdf ({len(pdfs)} seeds, {pages} pages)", args.top, args.save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
