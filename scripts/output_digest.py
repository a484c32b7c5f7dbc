#!/usr/bin/env python3
"""Same output? Every table's rows for the seeds, the corpus and its formats, saved once
and compared after a change (issue 16: optimisations must not change any table).

    python scripts/output_digest.py save  before.json.gz [--scans]
    python scripts/output_digest.py check before.json.gz [--scans]   # exit 1 on a difference

Inputs: the seed plans (../shared/seeds/*.txt), corpus/*.txt|md, the corpus's DOCX and
text PDFs (scripts/make_corpus_formats.py), the seeds rendered to 30-60 page PDFs
(benchmarks/speed.py), and with --scans the corpus's 300 dpi scans (scripts/make_scans.py;
slow: OCR). Each file goes through Extractor.process_path in this process; its rows are
kept in order as canonical JSON with the ids (`*_id` columns), `pipeline_version` and
`source_path` (a temporary folder for generated files) left out. `check` names every file
and table that differs and shows its first differing row; `--ignore TABLE.COLUMN` (or
`COLUMN` for every table, `bbox_*` for a prefix; repeatable) leaves columns out of the
comparison, e.g. columns added since the digest was saved:

    python scripts/output_digest.py check before.json.gz --ignore 'bbox_*' --ignore page_widths \
        --ignore page_heights --ignore targets.ocr_confidence
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

LEFT_OUT = {"pipeline_version", "source_path"}


def canonical(row: dict) -> str:
    kept = {k: v for k, v in row.items() if k not in LEFT_OUT and not k.endswith("_id")}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)


def ignoring(rows: list[str], table: str, ignore: list[str]) -> list[str]:
    """ROWS (canonical JSON) without the columns IGNORE names for TABLE."""

    def ignored(column: str) -> bool:
        for spec in ignore:
            where, _, name = spec.rpartition(".")
            if where and where != table:
                continue
            if name == column or name.endswith("*") and column.startswith(name[:-1]):
                return True
        return False

    if not ignore:
        return rows
    out = []
    for row in rows:
        kept = {k: v for k, v in json.loads(row).items() if not ignored(k)}
        out.append(json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str))
    return out


def inputs(tmp: Path, scans: bool) -> dict[str, Path]:
    import speed

    found: dict[str, Path] = {}
    seeds = speed.SEEDS
    for p in sorted(seeds.glob("*.txt")) if seeds.is_dir() else []:
        found[f"seeds/{p.name}"] = p
    for p in sorted((ROOT / "corpus").iterdir()):
        if p.suffix in (".txt", ".md"):
            found[f"corpus/{p.name}"] = p
    formats = tmp / "formats"
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
    for p in sorted(formats.iterdir()):
        found[f"formats/{p.name}"] = p
    if seeds.is_dir():
        for p in speed.render_seed_pdfs(seeds, tmp / "seed_pdfs"):
            found[f"seed_pdfs/{p.name}"] = p
    if scans:
        out = tmp / "scans"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_scans.py"), str(formats), str(out), "--dpi", "300"],
            check=True,
            capture_output=True,
        )
        for p in sorted(out.iterdir()):
            found[f"scans/{p.name}"] = p
    return found


def tables_of(files: dict[str, Path]) -> dict[str, dict[str, list[str]]]:
    from extract.pipeline import Extractor

    extractor = Extractor()
    out = {}
    for name, path in files.items():
        result = extractor.process_path(path)
        out[name] = {table: [canonical(r) for r in rows] for table, rows in result.tables.items()}
        print(
            f"  {name}: {result.status}, " + ", ".join(f"{len(v)} {t}" for t, v in result.tables.items()),
            file=sys.stderr,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["save", "check"])
    ap.add_argument("digest", type=Path)
    ap.add_argument("--scans", action="store_true", help="the 300 dpi scans too (OCR: slow)")
    ap.add_argument(
        "--ignore",
        "--ignore-column",
        dest="ignore",
        action="append",
        default=[],
        metavar="[TABLE.]COLUMN",
        help="leave a column out of the comparison (COLUMN* for a prefix; repeatable)",
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kehoach-digest-") as tmp:
        now = tables_of(inputs(Path(tmp), args.scans))
    if args.action == "save":
        with gzip.open(args.digest, "wt", encoding="utf-8") as f:
            json.dump(now, f, ensure_ascii=False)
        rows = sum(len(v) for t in now.values() for v in t.values())
        print(f"{len(now)} files, {rows} rows saved to {args.digest}")
        return 0
    with gzip.open(args.digest, "rt", encoding="utf-8") as f:
        before = json.load(f)
    if not args.scans:
        before = {k: v for k, v in before.items() if not k.startswith("scans/")}
    differences = 0
    for name in sorted(set(before) | set(now)):
        if name not in now or name not in before:
            print(f"{name}: only in {'the saved digest' if name in before else 'this run'}")
            differences += 1
            continue
        for table in sorted(set(before[name]) | set(now[name])):
            old = ignoring(before[name].get(table, []), table, args.ignore)
            new = ignoring(now[name].get(table, []), table, args.ignore)
            if old == new:
                continue
            differences += 1
            first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            print(f"{name} {table}: {len(old)} rows before, {len(new)} now; first difference at row {first}")
            print(f"  before: {old[first] if first < len(old) else '(none)'}")
            print(f"  now:    {new[first] if first < len(new) else '(none)'}")
    print(
        f"{len(now)} files compared: "
        + ("every table identical" if not differences else f"{differences} tables differ")
    )
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
