#!/usr/bin/env python3
"""Time of the extraction against the length of the text (issue 11).

    python benchmarks/linear_bench.py paragraphs [--scales 1 8] [--timeout 120] [NAME ...]
    python benchmarks/linear_bench.py corpus [--copies 1 16 64] [--timeout 600]

`paragraphs`: each hostile paragraph of tests/adversarial_text.py inside a small plan, at
each scale; `corpus`: the plans of corpus/ concatenated N times into one document (the
text files only, in name order). Every case runs in a fresh process with a time limit
(wall clock), so a case that does not finish is reported as "> limit" instead of stopping
the run; a case is timed once the process has loaded the rules and warmed up on a small
plan. Times are CPU seconds of the extraction (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from extract.pipeline import Extractor
from tests.adversarial_text import ADVERSARIAL_PARAGRAPHS, plan_with
extractor = Extractor()
extractor.process(Path("warm.txt"), plan_with("vốn 1 triệu đồng, đạt 1%").encode())
kind, arg, scale = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "paragraph":
    text = plan_with(ADVERSARIAL_PARAGRAPHS[arg](scale))
else:
    plans = sorted(p for p in Path(arg).iterdir() if p.suffix in (".txt", ".md"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in plans * scale)
data = text.encode("utf-8")
t0, c0 = time.perf_counter(), time.process_time()
result = extractor.process(Path("bench.txt"), data)
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({{"seconds": cpu, "wall_seconds": elapsed, "bytes": len(data), "status": result.status,
                  "rows": {{k: len(v) for k, v in result.tables.items()}}}}))
"""


def run_case(kind: str, arg: str, scale: int, timeout: float) -> dict | None:
    code = _CHILD.format(root=str(ROOT))
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, kind, arg, str(scale)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise SystemExit(f"{kind} {arg} ×{scale} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["paragraphs", "corpus"])
    ap.add_argument("names", nargs="*", help="paragraph names (default: all)")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args(argv)
    if args.what == "paragraphs":
        sys.path.insert(0, str(ROOT))
        from tests.adversarial_text import ADVERSARIAL_PARAGRAPHS

        names = args.names or list(ADVERSARIAL_PARAGRAPHS)
        print("| paragraph | " + " | ".join(f"×{s} s" for s in args.scales) + " |")
        print("| --- |" + " --- |" * len(args.scales))
        for name in names:
            cells = []
            for scale in args.scales:
                r = run_case("paragraph", name, scale, args.timeout)
                cells.append(f"> {args.timeout:g}" if r is None else f"{r['seconds']:.3f}")
            print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    else:
        print("| copies | KB | s | µs per byte |")
        print("| --- | --- | --- | --- |")
        for copies in args.copies:
            r = run_case("corpus", args.corpus, copies, args.timeout)
            if r is None:
                print(f"| {copies} | | > {args.timeout:g} | |", flush=True)
            else:
                print(
                    f"| {copies} | {r['bytes'] / 1024:.0f} | {r['seconds']:.2f} | "
                    f"{r['seconds'] / r['bytes'] * 1e6:.2f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
