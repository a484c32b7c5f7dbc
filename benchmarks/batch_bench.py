#!/usr/bin/env python3
"""Batch throughput: documents/s, MB/s of text and peak memory for --jobs 1 and --jobs 2,
against a floor measured in the same run (reading and NFC-normalising the same files).

    python benchmarks/batch_bench.py [--count 200] [--repeat 3] [--jobs 1 2]

Builds an archive of COUNT documents from corpus/ (make_archive.py), then runs
`kehoach extract ARCHIVE -o OUT -j N --force -q` REPEAT times per N in a fresh process
and reports the median. Peak RSS is the largest resident set of the run's processes
(the main process or any worker).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from make_archive import make_archive  # noqa: E402


def floor_seconds(files: list[Path]) -> float:
    started = time.perf_counter()
    for f in files:
        unicodedata.normalize("NFC", f.read_bytes().decode("utf-8"))
    return time.perf_counter() - started


def run_once(archive: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one extraction in a fresh process."""
    cmd = [
        sys.executable,
        "-m",
        "extract.cli",
        "extract",
        str(archive),
        "-o",
        str(out),
        "-j",
        str(jobs),
        "--force",
        "-q",
        "--no-progress",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"extraction failed: {cmd}")
    # the run's own peak, and the largest of the workers it reaped (RUSAGE_CHILDREN holds
    # the largest descendant reaped so far in this benchmark: the runs are alike)
    return seconds, max(usage.ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-") as tmp:
        archive = Path(tmp) / "archive"
        files = make_archive(ROOT / "corpus", archive, args.count)
        megabytes = sum(f.stat().st_size for f in files) / 1e6
        floor = statistics.median(floor_seconds(files) for _ in range(args.repeat))
        print(f"archive: {len(files)} documents, {megabytes:.2f} MB of text; cores: {os.cpu_count()}")
        print(
            f"floor (read + NFC, in process): {len(files) / floor:,.0f} documents/s, "
            f"{megabytes / floor:,.1f} MB/s"
        )
        print("| jobs | median s | documents/s | MB/s | peak RSS MB | × floor time |")
        print("| --- | --- | --- | --- | --- | --- |")
        for jobs in args.jobs:
            runs = [run_once(archive, Path(tmp) / f"out{jobs}", jobs) for _ in range(args.repeat)]
            seconds = statistics.median(s for s, _ in runs)
            peak = max(m for _, m in runs)
            print(
                f"| {jobs} | {seconds:.2f} | {len(files) / seconds:.1f} | {megabytes / seconds:.3f} | "
                f"{peak:.0f} | {seconds / floor:,.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
