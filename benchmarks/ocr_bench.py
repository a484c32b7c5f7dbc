#!/usr/bin/env python3
"""OCR quality and speed on scanned versions of our sample plans.

    python benchmarks/ocr_bench.py [--dpi 200 300]

For each DPI: renders the corpus plans to text PDFs (scripts/make_corpus_formats.py),
scans them with damage (scripts/make_scans.py), and extracts every scan (image-only PDF
and multi-page TIFF). Reports, against the rows extracted from the text versions:
amounts and targets F1 (values matched as multisets per document, pooled), OCR pages per
minute, and the pipeline's wall time beside the raw `tesseract` CLI on the same page
images (run with as many processes as the pipeline uses): the overhead ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from extract.pipeline import Extractor  # noqa: E402
from extract.rules import load_rules  # noqa: E402


def match(want: list, got: list) -> tuple[int, int, int]:
    tp = sum((Counter(want) & Counter(got)).values())
    return tp, len(got), len(want)


def f1(tp: int, predicted: int, expected: int) -> float:
    p, r = tp / max(predicted, 1), tp / max(expected, 1)
    return 2 * p * r / (p + r) if p + r else 0.0


def raw_tesseract_seconds(images: list[Path]) -> float:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(image: Path) -> None:
        subprocess.run(
            ["tesseract", str(image), "-", "-l", "vie", "--psm", "4"],
            capture_output=True,
            env=env,
            check=True,
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    ap.add_argument(
        "--rules", type=Path, help="another rules folder (to measure a setting of rules/ocr.yaml)"
    )
    args = ap.parse_args(argv)
    extractor = Extractor(load_rules(args.rules))
    texts = {
        p.stem: extractor.process_path(p)
        for p in sorted((ROOT / "corpus").iterdir())
        if p.suffix in (".txt", ".md")
    }
    print(
        "| dpi | input | amounts F1 | targets F1 | pages | pages/min | pipeline s | raw tesseract s | "
        "overhead |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="kehoach-ocr-") as tmp:
        formats = Path(tmp) / "formats"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "make_corpus_formats.py"),
                str(ROOT / "corpus"),
                str(formats),
            ],
            check=True,
            capture_output=True,
        )
        for dpi in args.dpi:
            scans = Path(tmp) / f"scans{dpi}"
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "make_scans.py"),
                    str(formats),
                    str(scans),
                    "--dpi",
                    str(dpi),
                ],
                check=True,
                capture_output=True,
            )
            for kind, suffix in (("PDF scan", ".scan.pdf"), ("TIFF", ".tif")):
                amounts, targets, pages, seconds = [0, 0, 0], [0, 0, 0], 0, 0.0
                images: list[Path] = []
                for stem, text in texts.items():
                    scan = scans / f"{stem}{suffix}"
                    started = time.perf_counter()
                    result = extractor.process_path(scan)
                    seconds += time.perf_counter() - started
                    pages += result.document["pages"] or 0
                    for acc, table, key in (
                        (amounts, "amounts", lambda r: r["value_million_vnd"]),
                        (targets, "targets", lambda r: (r["value"], r["unit"])),
                    ):
                        got = match(
                            [key(r) for r in text.tables[table]], [key(r) for r in result.tables[table]]
                        )
                        for i in range(3):
                            acc[i] += got[i]
                    images.extend(_page_images(scan, Path(tmp) / f"img{dpi}{suffix}", dpi))
                raw = raw_tesseract_seconds(images)
                print(
                    f"| {dpi} | {kind} | {f1(*amounts):.3f} | {f1(*targets):.3f} | {pages} | "
                    f"{60 * pages / seconds:.1f} | {seconds:.1f} | {raw:.1f} | {seconds / raw:.2f} |"
                )
    return 0


def _page_images(scan: Path, folder: Path, dpi: int) -> list[Path]:
    """The scan's pages as PNG files, as the raw CLI would be given them."""
    from PIL import Image, ImageSequence

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    if scan.suffix == ".pdf":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(scan.read_bytes())
        frames = [page.render(scale=dpi / 72).to_pil() for page in doc]
        doc.close()
    else:
        frames = [f.copy() for f in ImageSequence.Iterator(Image.open(scan))]
    for i, frame in enumerate(frames):
        target = folder / f"{scan.stem}-{i}.png"
        frame.save(target, dpi=(dpi, dpi))
        out.append(target)
    return out


if __name__ == "__main__":
    sys.exit(main())
