#!/usr/bin/env python3
"""Compare two output folders of `kehoach extract` table by table, row by row.

    python scripts/compare_outputs.py OLD NEW [--ignore COLUMN ...]

Rows are ordered by the table's id column (ids derive from the file's bytes and the fact's
order, so equal extractions give equal ids); `pipeline_version` is ignored by default
(it carries the rules' fingerprint). Prints one line per table and, for a table that
differs, the first differing rows. Exit status 0 when every table is identical, 1 if not.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.schema import TABLE_NAMES
from extract.store import read_table

SHOWN_DIFFERENCES = 5


def _rows(out: Path, name: str, ignore: set[str]) -> list[dict]:
    table = read_table(out, name)
    rows = [{k: v for k, v in row.items() if k not in ignore} for row in table.to_pylist()]
    # every table has its own id column (documents: doc_id, sections: section_id, …)
    id_column = next((c for c in table.column_names if c.endswith("_id") and c != "doc_id"), "doc_id")
    return sorted(rows, key=lambda r: (str(r.get("doc_id")), str(r.get(id_column)), repr(sorted(r.items()))))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _short(value, limit: int = 400) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def compare(old: Path, new: Path, ignore: set[str]) -> bool:
    identical = True
    for name in TABLE_NAMES:
        a, b = _rows(old, name, ignore), _rows(new, name, ignore)
        diffs = []
        for i in range(max(len(a), len(b))):
            ra = a[i] if i < len(a) else None
            rb = b[i] if i < len(b) else None
            if ra is None or rb is None:
                diffs.append((i, ra, rb))
                continue
            cols = sorted(set(ra) | set(rb))
            changed = {c: (ra.get(c), rb.get(c)) for c in cols if not _same(ra.get(c), rb.get(c))}
            if changed:
                diffs.append((i, changed, None))
        status = "identical" if not diffs else f"{len(diffs)} rows differ"
        print(f"{name:12s} {len(a):6d} rows old, {len(b):6d} rows new: {status}")
        for i, x, y in diffs[:SHOWN_DIFFERENCES]:
            print(f"    row {i}: {_short(x)}" + (f" / {_short(y)}" if y is not None else ""))
        identical = identical and not diffs
    return identical


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--ignore", nargs="*", default=["pipeline_version"])
    args = ap.parse_args(argv)
    same = compare(args.old, args.new, set(args.ignore))
    print("all tables identical" if same else "tables differ")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
