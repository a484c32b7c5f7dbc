"""Helpers for scripts/build_expected.py: locate each annotated fact in its document and
write the expected facts (gold format of ../shared/gold/README.md) as JSONL.

A fact is located by searching forward from the previous fact of the same table (facts are
listed in document order), optionally first for an anchor string `at`; the raw string must
occur as written (a raw may span a line break, written as "\\n"). The line is the 1-based
line where the raw starts. Nothing is typed by hand but the annotations themselves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def vn_number(raw: str) -> float:
    m = re.search(r"\d[\d.,]*", raw)
    s = m.group(0).rstrip(".,")
    if "," in s:
        whole, _, frac = s.rpartition(",")
        s = whole.replace(".", "") + "." + frac
    else:
        s = s.replace(".", "")
    return float(s)


def unit_factor(raw: str, unit: str | None) -> float:
    low = raw.lower().replace("\n", " ")
    if "nghìn tỷ" in low or "ngàn tỷ" in low:
        return 1e6
    if "tỷ" in low or "tỉ" in low:
        return 1e3
    if "triệu" in low or "trđ" in low:
        return 1.0
    if "đồng" in low:
        return 1e-6
    if unit is None:
        raise ValueError(f"no unit for {raw!r}")
    return {"triệu": 1.0, "tỷ": 1e3, "đồng": 1e-6}[unit]


def clean(v: float):
    v = round(v, 6)
    return int(v) if float(v).is_integer() else v


class Doc:
    def __init__(self, stem: str):
        self.stem = stem
        self.path = next(p for p in CORPUS.iterdir() if p.stem == stem and p.suffix in (".txt", ".md"))
        self.text = self.path.read_text(encoding="utf-8")
        self.lines = self.text.split("\n")
        self.cursor: dict[str, int] = {}
        self.rows: dict[str, list] = {
            k: [] for k in ("amounts", "targets", "sections", "checks", "negatives", "documents")
        }
        self.defaults: dict = {}
        self.unit: str | None = None

    # -- locating ---------------------------------------------------------------------
    def _line_of(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def locate(self, table: str, raw: str, at: str | None = None) -> tuple[int, int]:
        pos = self.cursor.get(table, 0)
        if at is not None:
            i = self.text.find(at, pos)
            if i < 0:
                raise AssertionError(
                    f"{self.stem}: anchor {at!r} not found after line {self._line_of(pos)} ({table})"
                )
            pos = i
        tail = r"(?![\d])(?![.,]\d)" if raw[-1].isdigit() else ""
        head = r"(?<![\d.,])" if raw[0].isdigit() else ""
        m = re.compile(head + re.escape(raw) + tail).search(self.text, pos)
        if m is None:
            raise AssertionError(f"{self.stem}: {raw!r} not found after line {self._line_of(pos)} ({table})")
        self.cursor[table] = m.start() + 1
        return self._line_of(m.start()), m.start()

    # -- facts ------------------------------------------------------------------------
    def set(self, **kw):
        """Defaults for the following amounts (prog, proj, sub, src, cap, meas, parent, cls, unit)."""
        if "unit" in kw:
            self.unit = kw.pop("unit")
        self.defaults.update(kw)

    def a(self, raw, value=None, at=None, unit=None, **kw):
        f = dict(
            prog=None,
            proj=None,
            sub=None,
            src=None,
            cap=None,
            meas="plan",
            parent=None,
            cmp="eq",
            vmax=None,
            cls=[],
            skip=None,
        )
        f.update({k: v for k, v in self.defaults.items()})
        f.update(kw)
        line, _ = self.locate("amounts", raw, at)
        if value is None:
            value = vn_number(raw) * unit_factor(raw, unit or self.unit)
        row = {
            "doc": self.stem,
            "line": line,
            "raw": raw,
            "value_million_vnd": clean(value),
            "malformed": False,
            "program": f["prog"],
            "project": f["proj"],
            "subproject": f["sub"],
            "funding_source": f["src"],
            "capital_type": f["cap"],
            "measure": f["meas"],
            "parent_raw": f["parent"],
            "comparator": f["cmp"],
            "value_max": None if f["vmax"] is None else clean(f["vmax"]),
            "classes": sorted(set(f["cls"])),
        }
        if f["skip"]:
            row["skip"] = list(f["skip"])
        self.rows["amounts"].append(row)
        return row

    def t(
        self,
        raw,
        kind,
        prog,
        indicator,
        cmp="eq",
        dir=None,
        vmax=None,
        cls=(),
        skip=None,
        at=None,
        value=None,
    ):
        line, _ = self.locate("targets", raw, at)
        row = {
            "doc": self.stem,
            "line": line,
            "raw": raw,
            "value": clean(value if value is not None else vn_number(raw)),
            "value_max": None if vmax is None else clean(vmax),
            "comparator": cmp,
            "direction": dir,
            "kind": kind,
            "program": prog,
            "indicator": indicator,
            "classes": sorted(set(cls)),
        }
        if skip:
            row["skip"] = list(skip)
        self.rows["targets"].append(row)

    def s(self, at, kind, number, project, sub, prog, title, cls=()):
        line, pos = self.locate("sections", at)
        raw = self.lines[line - 1].strip()
        self.rows["sections"].append(
            {
                "doc": self.stem,
                "line": line,
                "raw": raw,
                "kind": kind,
                "number": number,
                "project": project,
                "subproject": sub,
                "program": prog,
                "title": title,
                "classes": sorted(set(cls)),
            }
        )

    def c(self, raw, expected, actual, cls=(), at=None, kind="sum_mismatch"):
        line, _ = self.locate("checks", raw, at)
        self.rows["checks"].append(
            {
                "doc": self.stem,
                "line": line,
                "kind": kind,
                "raw": raw,
                "expected": expected,
                "actual": actual,
                "classes": sorted(set(cls)),
            }
        )

    def n(self, raw, table, cls, why, at=None):
        """Something that must NOT be reported: no row of TABLE on this line holding RAW's number
        (table 'checks': no sum_mismatch within 3 lines)."""
        line, _ = self.locate("negatives", raw, at)
        self.rows["negatives"].append(
            {
                "doc": self.stem,
                "line": line,
                "raw": raw,
                "table": table,
                "classes": sorted(set(cls)),
                "why": why,
            }
        )

    def meta(self, cls=(14,), **kw):
        self.rows["documents"].append({"doc": self.stem, **kw, "classes": sorted(set(cls))})


def write(docs: list[Doc], out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in ("amounts", "targets", "sections", "checks", "negatives", "documents"):
        rows = [r for d in docs for r in d.rows[table]]
        with (out / f"{table}.jsonl").open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        counts[table] = len(rows)
    return counts


MONEY = re.compile(r"(\d[\d.,]*)(\s|\n)*(nghìn tỷ|tỷ|tỉ|triệu|nghìn)?(\s|\n)*đồng(?!\s*bào)", re.I)
PERCENT = re.compile(r"\d[\d.,]*\s*%")


def coverage(doc: Doc) -> list[str]:
    """Lines where more money amounts or percentages are written with their unit than facts
    (or negatives) are annotated: a reminder to look, not a verdict (a range is one fact)."""
    from collections import Counter

    have = {t: Counter(r["line"] for r in doc.rows[t]) for t in ("amounts", "targets")}
    neg = Counter(r["line"] for r in doc.rows["negatives"])
    problems = []
    for rx, table in ((MONEY, "amounts"), (PERCENT, "targets")):
        seen = Counter(doc._line_of(m.start()) for m in rx.finditer(doc.text))
        for line, n in sorted(seen.items()):
            if have[table][line] + neg[line] < n:
                problems.append(
                    f"{doc.stem}:{line}: {n} {table} written, {have[table][line]} annotated: "
                    f"{doc.lines[line - 1][:90]!r}"
                )
    return problems
