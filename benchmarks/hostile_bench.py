#!/usr/bin/env python3
"""Peak memory and time of extracting each hostile file (tests/hostile_files.py) alone.

    python benchmarks/hostile_bench.py [--code DIR] [--limit-gb 3] [--timeout 300] [--only NAME...]

Each file is extracted in a fresh process (Extractor.process_path) under an address-space
limit (prlimit --as), so a reader that would eat the machine fails fast instead, and a
time limit (a reader that loops is stopped); `/usr/bin/time -v` gives the peak RSS.
--code DIR runs another checkout of the package (e.g. an older commit, to compare).
Prints a Markdown table: file, size on disk, status, peak RSS MB, seconds, and the error
or the check kinds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.hostile_files import write_hostile_files  # noqa: E402 (after the path above)

DRIVER = """
import json, sys
from collections import Counter
from pathlib import Path
from extract.pipeline import Extractor
result = Extractor().process_path(Path(sys.argv[1]))
doc = result.document
kinds = Counter(c["kind"] for c in result.tables["checks"])
print(json.dumps({"status": doc["status"], "error": doc["error"], "amounts": len(result.tables["amounts"]),
                  "checks": dict(sorted(kinds.items()))}))
"""


def measure(path: Path, code: Path, limit_bytes: int, timeout_s: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code))
    cmd = [
        "/usr/bin/time",
        "-v",
        "timeout",
        str(timeout_s),
        "prlimit",
        f"--as={limit_bytes}",
        sys.executable,
        "-c",
        DRIVER,
        str(path),
    ]
    started = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=code, check=False)
    seconds = time.perf_counter() - started
    if run.returncode == 124:
        return {
            "status": f"stopped after {timeout_s:g} s",
            "error": None,
            "amounts": None,
            "checks": {},
            "rss_mb": _peak_rss(run.stderr),
            "seconds": seconds,
        }
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("{")]
    outcome = (
        json.loads(lines[-1])
        if lines
        else {"status": f"crashed (exit {run.returncode})", "error": None, "amounts": None, "checks": {}}
    )
    outcome.update(rss_mb=_peak_rss(run.stderr), seconds=seconds)
    return outcome


def _peak_rss(time_report: str) -> float:
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_report)
    return int(rss.group(1)) / 1024 if rss else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose extract/ package is measured")
    parser.add_argument("--limit-gb", type=float, default=3.0, help="address-space limit per extraction")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per extraction")
    parser.add_argument("--only", nargs="*", help="file names to measure (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_hostile_files(Path(tmp))
        print("| file | bytes | status | amounts | peak RSS MB | s | error or checks |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for name, path in files.items():
            if args.only and name not in args.only:
                continue
            r = measure(path, args.code.resolve(), int(args.limit_gb * 2**30), args.timeout)
            said = (r["error"] or ", ".join(f"{k} {n}" for k, n in r["checks"].items())).replace("|", "/")
            amounts = "" if r["amounts"] is None else r["amounts"]
            print(
                f"| {name} | {path.stat().st_size:,} | {r['status']} | {amounts} | {r['rss_mb']:.0f} | "
                f"{r['seconds']:.1f} "
                f"| {said[:160]} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
