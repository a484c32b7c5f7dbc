#!/usr/bin/env python3
"""Build an archive of N plan documents from our sample plans, with varied figures.

    python benchmarks/make_archive.py corpus /tmp/archive --count 1000 [--seed 7]

Each document is one of the corpus plans (text and Markdown) with the digits of its
figures redrawn: grouped or decimal numbers ("98.640", "84,5") and numbers before a unit
or "%". Same length, so the Vietnamese number format and the layout stay valid; headings,
dates and years are kept. Every file has its own bytes and its own amounts.
Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

FIGURE = re.compile(
    r"(?<![\d/])(?:\d{1,3}(?:[.,]\d+)+|\d+(?=\s*(?:%|triệu|tỷ|trđ|tr\.đ|ha\b|km\b)))(?![\d/])"
)


def vary(text: str, rng: random.Random) -> str:
    def redraw(m: re.Match) -> str:
        figure = m.group(0)
        out = [str(rng.randint(1, 9)) if figure[0] != "0" else "0"]
        out += [str(rng.randint(0, 9)) if ch.isdigit() else ch for ch in figure[1:]]
        return "".join(out)

    return FIGURE.sub(redraw, text)


def make_archive(src: Path, dst: Path, count: int, seed: int = 7) -> list[Path]:
    samples = sorted(p for p in src.iterdir() if p.suffix in (".txt", ".md"))
    if not samples:
        raise SystemExit(f"no .txt or .md plans in {src}")
    texts = [(p, p.read_text(encoding="utf-8")) for p in samples]
    rng = random.Random(seed)
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        sample, text = texts[i % len(texts)]
        target = dst / f"{i:05d}_{sample.stem}{sample.suffix}"
        target.write_text(vary(text, rng), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    files = make_archive(args.src, args.dst, args.count, args.seed)
    print(f"{len(files)} documents written to {args.dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
