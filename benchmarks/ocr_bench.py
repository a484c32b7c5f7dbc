#!/usr/bin/env python3
"""OCR quality and speed on scanned versions of our sample plans.

    python benchmarks/ocr_bench.py [--dpi 200 300]
    python benchmarks/ocr_bench.py --stages SCANS_FOLDER


For each DPI: renders the corpus plans to text PDFs (scripts/make_corpus_formats.py),
scans them with damage (scripts/make_scans.py), and extracts every scan (image-only PDF
and multi-page TIFF). Reports, against the rows extracted from the text versions:
amounts and targets F1 (values matched as multisets per document, pooled), OCR pages per
minute, and the pipeline's wall time beside the raw `tesseract` CLI on the same page
images (run with as many processes as the pipeline uses): the overhead ratio.

--stages: where the CPU of OCR goes, page after page, on the image-only PDFs of a folder
(e.g. the scans `benchmarks/speed.py --keep DIR` leaves in DIR/scans300): for each step of
readers/ocr.py, its calls, the CPU of this process (Python, numpy, Pillow) and that of the
Tesseract processes it started, both with OMP_THREAD_LIMIT=1.
"""

from __future__ import annotations

import argparse
import os
import resource
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
    ap.add_argument("--stages", type=Path, help="a folder of image-only PDFs: CPU per step of OCR")
    ap.add_argument(
        "--processes",
        action="store_true",
        help="with --stages: a `tesseract` process per reading instead of engines loaded in this process",
    )
    args = ap.parse_args(argv)
    if args.stages:
        return stages(args.stages, args.rules, args.processes)
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


# The steps of readers/ocr.py timed by --stages (module-level functions, called by name).
STAGES = (
    "_ocr_one",
    "_deskew",
    "_long_runs",
    "_widen",
    "_words",
    "_doubted_figures",
    "_take_second_looks",
    "tesseract_data",
    "_text_lines",
)
# The same for the methods of a Tesseract engine loaded in this process (its CPU is this
# process's: it shows as Python CPU).
ENGINE_STAGES = ("__init__", "read")


def _cpu() -> tuple[float, float]:
    """(this process's CPU, its finished children's CPU), in seconds."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def stages(folder: Path, rules_folder: Path | None, processes: bool = False) -> int:
    """OCR every page of the folder's image-only PDFs one after another (no threads, so
    each step's CPU is its own), and print each step's calls and CPU. Tesseract is one
    engine loaded in this process for all the pages, as ocr_pages loads one per thread
    (PROCESSES: a `tesseract` process per reading, as before)."""
    import pypdfium2 as pdfium

    from extract.readers import ocr

    os.environ["OMP_THREAD_LIMIT"] = "1"
    settings = ocr.OcrSettings.from_rules(load_rules(rules_folder))
    engine_steps = [f"_Engine.{name}" for name in ENGINE_STAGES]
    spent: dict[str, list[float]] = {name: [0.0, 0.0, 0] for name in ("rendering", *STAGES, *engine_steps)}

    def timed(name: str, function):
        def run(*args, **kwargs):
            python, tesseract = _cpu()
            try:
                return function(*args, **kwargs)
            finally:
                after = _cpu()
                spent[name][0] += after[0] - python
                spent[name][1] += after[1] - tesseract
                spent[name][2] += 1

        return run

    for name in STAGES:
        if hasattr(ocr, name):  # an older readers/ocr.py may lack some
            setattr(ocr, name, timed(name, getattr(ocr, name)))
    engine = getattr(ocr, "_Engine", None)
    for name in ENGINE_STAGES if engine is not None else ():
        setattr(engine, name, timed(f"_Engine.{name}", getattr(engine, name)))
    in_process = not processes and hasattr(ocr, "tesseract_reader")
    pages = 0
    for pdf in sorted(folder.glob("*.pdf")):
        document = pdfium.PdfDocument(pdf.read_bytes())
        for number in range(1, len(document) + 1):
            python, _ = _cpu()
            image = document[number - 1].render(scale=settings.dpi / 72).to_pil()
            image.info["dpi"] = (settings.dpi, settings.dpi)
            spent["rendering"][0] += _cpu()[0] - python
            spent["rendering"][2] += 1
            if in_process:
                with ocr.tesseract_reader(settings.language) as tesseract:
                    ocr._ocr_one(image, settings, tesseract)
            else:
                ocr._ocr_one(image, settings)
            pages += 1
        document.close()
    print(f"{pages} pages of {folder}, {settings.dpi} dpi, one after another")
    print(
        "(steps nest: _ocr_one holds the others; tesseract_data (a process) or _Engine.read (in this "
        "process) runs inside _words and _take_second_looks)"
    )
    print("| step | calls | Python CPU s | Tesseract CPU s |")
    print("| --- | --- | --- | --- |")
    for name, (python, tesseract, calls) in spent.items():
        if not calls:
            continue
        print(f"| {name} | {int(calls)} | {python:.2f} | {tesseract:.2f} |")
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
