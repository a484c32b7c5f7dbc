#!/usr/bin/env python3
"""Score an output folder against the expected facts of our real-shape documents (issue 13).

    python scripts/score_corpus.py OUT [--gold tests/expected] [--json] [--show-misses] [--line-slack N]

Adapted from ../shared/eval/score.py (same matching: per document, equal value, line within
LINE_SLACK, greedy nearest line; attributes compared exactly, `skip` honoured), with:
- amounts also scored on `comparator` and `value_max` (money bounds and ranges; a gold row
  without these fields counts as eq / null);
- negatives.jsonl: things that must not be reported (a row of the named table on that line
  holding the same number; for `checks`, a sum_mismatch within 1 line);
- documents.jsonl: header fields (doc_number, doc_type, issuer, issue_date, province, plan_year);
- a per-class table: every expected row carries `classes` (the issue's classes 1-15); an
  item is correct when it is found and all its scored attributes are right (a negative when
  it is respected), and the class score is correct / items.
Documents without expected facts are not scored. Import `evaluate(out_dir, gold_dir)` to get
the report as a dict (tests/test_real_shapes.py does).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import pyarrow.dataset as ds

LINE_SLACK = 2
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT / "tests" / "expected"

AMOUNT_ATTRS = [
    "program",
    "project",
    "subproject",
    "funding_source",
    "capital_type",
    "measure",
    "parent",
    "comparator",
    "value_max",
]
TARGET_ATTRS = ["value_max", "comparator", "direction", "kind", "program"]
DOC_FIELDS = ["doc_number", "doc_type", "issuer", "issue_date", "province", "plan_year"]
CLASS_NAMES = {
    1: "law-site export (cell per line, wraps, footnotes)",
    2: "resolutions (Điều, quoted articles, % tables)",
    3: "target kind from tense and markers",
    4: "program named in the sentence",
    5: "breakdowns across sentences",
    6: "measure and its scope",
    7: "comparators and direction",
    8: "labels after the number, actors",
    9: "slash pairs, dates",
    10: "project in a list item",
    11: "partial lists, no false sum_mismatch",
    12: "news and portal clutter",
    13: "bounds and ranges on money",
    14: "two-column header block",
    15: "attributes from headings, norms, clauses",
}


def read_table(out_dir: Path, name: str):
    single = out_dir / f"{name}.parquet"
    folder = out_dir / name
    if single.exists():
        path = single
    elif folder.is_dir():
        path = folder
    else:
        return None
    return ds.dataset(str(path), format="parquet", partitioning="hive").to_table().to_pylist()


def read_gold(gold_dir: Path, name: str):
    path = gold_dir / f"{name}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def parse_vn_number(raw: str):
    m = re.search(r"\d[\d.,\s]*", raw)
    if not m:
        return None
    s = re.sub(r"\s+", "", m.group(0)).rstrip(".,")
    if "," in s:
        whole, _, frac = s.rpartition(",")
        s = f"{whole.replace('.', '')}.{frac}"
    else:
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def blank(v):
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""


def norm(v):
    if blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str):
        v = unicodedata.normalize("NFC", v).strip()
        if re.fullmatch(r"0*\d+", v):
            v = str(int(v))
    return str(v)


def same_value(a, b):
    if blank(a) or blank(b):
        return False
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


def stem(name: str) -> str:
    return Path(str(name)).name.rsplit(".", 1)[0]


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    if tp + fp + fn == 0:
        p = r = f = 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def match_rows(gold, pred, key_value, gold_value):
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if not same_value(gold_value(g), key_value(p)) or blank(p.get("line")):
                continue
            dist = abs(int(p["line"]) - int(g["line"]))
            if dist <= LINE_SLACK:
                candidates.append((dist, gi, pi))
    candidates.sort()
    pairs, gused, pused = [], set(), set()
    for _, gi, pi in candidates:
        if gi in gused or pi in pused:
            continue
        gused.add(gi)
        pused.add(pi)
        pairs.append((gold[gi], pred[pi]))
    return pairs


def doc_map(documents):
    return {d["doc_id"]: stem(d.get("source_name") or d.get("source_path") or "") for d in documents or []}


def by_doc(rows, ids):
    grouped = defaultdict(list)
    for r in rows or []:
        grouped[ids.get(r.get("doc_id"), r.get("doc_id"))].append(r)
    return grouped


def number_part(raw):
    m = re.search(r"\d[\d.,\s]*\d|\d", str(raw or ""))
    return re.sub(r"\s+", "", m.group(0)) if m else None


def gold_parent_value(g, doc_rows):
    if not g.get("parent_raw"):
        return None
    want = number_part(g["parent_raw"])
    best = None
    for r in doc_rows:
        if r is g or r.get("line", 0) > g["line"] or number_part(r.get("raw")) != want:
            continue
        if best is None or r["line"] >= best["line"]:
            best = r
    if best is not None and not blank(best.get("value_million_vnd")):
        return best["value_million_vnd"]
    return parse_vn_number(g["parent_raw"])


class Outcomes:
    """Per gold row: found and correct, for the per-class table."""

    def __init__(self):
        self.items = []  # (classes, kind, found, correct, label)

    def add(self, row, kind, found, correct, label):
        self.items.append((row.get("classes") or [], kind, found, correct, label))


def tally(kind, doc, g_rows, p_rows, pairs, misses, out: Outcomes, extra_note=lambda p: ""):
    """(tp, fp, fn) of one document's matched PAIRS, the misses and extras recorded. A
    predicted row not in P_ROWS (left out of scoring) is neither matched nor extra."""
    matched_p = {id(p) for _, p in pairs}
    matched_g = {id(g) for g, _ in pairs}
    extra = [p for p in p_rows if id(p) not in matched_p]
    missed = [g for g in g_rows if id(g) not in matched_g]
    for g in missed:
        misses.append(f"{kind} missed   {doc}:{g['line']} {g['raw']!r}")
        out.add(g, kind, False, False, f"{doc}:{g['line']} {g['raw']!r} missed")
    for p in extra:
        misses.append(f"{kind} extra    {doc}:{p.get('line')} {p.get('raw_text')!r}{extra_note(p)}")
    return len(pairs), len(extra), len(missed)


def score_amounts(gold, pred_rows, ids, misses, out: Outcomes):
    pred = by_doc(pred_rows, ids)
    by_id = {r.get("amount_id"): r for r in pred_rows or []}
    gdocs = by_doc([dict(g, doc_id=g["doc"]) for g in gold], {})
    tp = fp = fn = 0
    attr_ok, attr_n = defaultdict(int), defaultdict(int)
    for doc in sorted(gdocs):
        g_rows = [g for g in gdocs[doc] if not g.get("malformed")]
        malformed_lines = {g["line"] for g in gdocs[doc] if g.get("malformed")}
        p_rows = [p for p in pred.get(doc, []) if not blank(p.get("value_million_vnd"))]
        pairs = match_rows(
            g_rows, p_rows, lambda p: p.get("value_million_vnd"), lambda g: g.get("value_million_vnd")
        )
        found = tally(
            "amount",
            doc,
            g_rows,
            [p for p in p_rows if int(p.get("line") or -99) not in malformed_lines],
            pairs,
            misses,
            out,
            lambda p: f" = {p.get('value_million_vnd')}",
        )
        tp, fp, fn = tp + found[0], fp + found[1], fn + found[2]
        for g, p in pairs:
            skip = set(g.get("skip") or [])
            wrong = []
            for attr in AMOUNT_ATTRS:
                if attr in skip:
                    continue
                if attr == "parent":
                    gv = gold_parent_value(g, gdocs[doc])
                    parent = (
                        by_id.get(p.get("parent_amount_id")) if not blank(p.get("parent_amount_id")) else None
                    )
                    pv = parent.get("value_million_vnd") if parent else None
                    ok = (gv is None and parent is None) or (gv is not None and same_value(gv, pv))
                    want, got = g.get("parent_raw"), pv
                elif attr == "value_max":
                    want, got = g.get("value_max"), p.get("value_max")
                    ok = (blank(want) and blank(got)) or same_value(want, got)
                elif attr == "comparator":
                    want, got = g.get("comparator") or "eq", p.get("comparator", "eq") or "eq"
                    ok = want == got
                else:
                    want, got = g.get(attr), p.get(attr)
                    ok = norm(want) == norm(got)
                attr_n[attr] += 1
                attr_ok[attr] += ok
                if not ok:
                    wrong.append(attr)
                    misses.append(
                        f"amount {attr:<15} {doc}:{g['line']} {g['raw']!r}: want {want!r}, got {got!r}"
                    )
            out.add(
                g,
                "amount",
                True,
                not wrong,
                f"{doc}:{g['line']} {g['raw']!r}" + (f" wrong {', '.join(wrong)}" if wrong else ""),
            )
    attrs = {a: round(attr_ok[a] / attr_n[a], 4) if attr_n[a] else None for a in AMOUNT_ATTRS}
    return prf(tp, fp, fn), attrs


def syllables(text):
    return set(re.findall(r"\w+", unicodedata.normalize("NFC", str(text or "")).lower()))


def score_targets(gold, pred_rows, ids, misses, out: Outcomes):
    pred = by_doc(pred_rows, ids)
    gdocs = by_doc([dict(g, doc_id=g["doc"]) for g in gold], {})
    tp = fp = fn = 0
    attr_ok, attr_n = defaultdict(int), defaultdict(int)
    overlap = []
    for doc in sorted(gdocs):
        g_rows = gdocs[doc]
        p_rows = [p for p in pred.get(doc, []) if p.get("unit") in (None, "percent")]
        pairs = match_rows(g_rows, p_rows, lambda p: p.get("value"), lambda g: g.get("value"))
        found = tally("target", doc, g_rows, p_rows, pairs, misses, out)
        tp, fp, fn = tp + found[0], fp + found[1], fn + found[2]
        for g, p in pairs:
            skip = set(g.get("skip") or [])
            wrong = []
            for attr in TARGET_ATTRS:
                if attr in skip:
                    continue
                if attr == "value_max":
                    ok = (blank(g.get(attr)) and blank(p.get(attr))) or same_value(g.get(attr), p.get(attr))
                else:
                    ok = norm(g.get(attr)) == norm(p.get(attr))
                attr_n[attr] += 1
                attr_ok[attr] += ok
                if not ok:
                    wrong.append(attr)
                    misses.append(
                        f"target {attr:<15} {doc}:{g['line']} {g['raw']!r}: want {g.get(attr)!r}, got "
                        f"{p.get(attr)!r}"
                    )
            gs, ps = syllables(g.get("indicator")), syllables(p.get("indicator"))
            if gs:
                overlap.append(len(gs & ps) / len(gs))
            out.add(
                g,
                "target",
                True,
                not wrong,
                f"{doc}:{g['line']} {g['raw']!r}" + (f" wrong {', '.join(wrong)}" if wrong else ""),
            )
    attrs = {a: round(attr_ok[a] / attr_n[a], 4) if attr_n[a] else None for a in TARGET_ATTRS}
    attrs["indicator_overlap"] = round(sum(overlap) / len(overlap), 4) if overlap else None
    return prf(tp, fp, fn), attrs


def section_keys(rows):
    by_id = {r.get("section_id"): r for r in rows}

    def ancestor(r, kind):
        seen = set()
        cur = by_id.get(r.get("parent_id"))
        while cur is not None and cur.get("section_id") not in seen:
            seen.add(cur.get("section_id"))
            if cur.get("kind") == kind:
                return norm(cur.get("number"))
            cur = by_id.get(cur.get("parent_id"))
        return None

    out = []
    for r in rows:
        kind = r.get("kind")
        if kind not in ("project", "subproject", "content"):
            continue
        number = norm(r.get("number"))
        project = number if kind == "project" else ancestor(r, "project")
        sub = ancestor(r, "subproject") if kind == "content" else None
        out.append((kind, number, project, sub, r.get("line_start", r.get("line")), r.get("title")))
    return out


def score_sections(gold, pred_rows, ids, misses, out: Outcomes, docs_scored):
    pred = by_doc(pred_rows, ids)
    gdocs = by_doc([dict(g, doc_id=g["doc"]) for g in gold], {})
    tp = fp = fn = 0
    for doc in sorted(docs_scored):
        p_keys = section_keys(pred.get(doc, []))
        used = set()
        for g in gdocs.get(doc, []):
            gk = (g["kind"], norm(g["number"]), norm(g.get("project")), norm(g.get("subproject")), g["line"])
            hit = None
            for i, pk in enumerate(p_keys):
                if i in used or pk[:4] != gk[:4]:
                    continue
                if blank(pk[4]) or abs(int(pk[4]) - gk[4]) <= LINE_SLACK:
                    hit = i
                    break
            if hit is None:
                fn += 1
                misses.append(
                    f"section missed  {doc}:{gk[4]} {gk[0]} {gk[1]} (project {gk[2]}, subproject {gk[3]})"
                )
                out.add(g, "section", False, False, f"{doc}:{g['line']} {g['kind']} {g['number']} missed")
            else:
                used.add(hit)
                tp += 1
                out.add(g, "section", True, True, f"{doc}:{g['line']}")
        for i, pk in enumerate(p_keys):
            if i not in used:
                fp += 1
                misses.append(
                    f"section extra   {doc}:{pk[4]} {pk[0]} {pk[1]} (project {pk[2]}, subproject {pk[3]}) "
                    f"{str(pk[5])[:50]}"
                )
    return prf(tp, fp, fn)


def score_checks(gold, pred_rows, ids, misses, out: Outcomes, docs_scored):
    pred = by_doc(pred_rows, ids)
    gdocs = by_doc([dict(g, doc_id=g["doc"]) for g in gold], {})
    result = {}
    for kind in ("sum_mismatch", "malformed_number"):
        tp = fp = fn = 0
        for doc in sorted(docs_scored):
            g_rows = [g for g in gdocs.get(doc, []) if g["kind"] == kind]
            p_rows = [p for p in pred.get(doc, []) if p.get("kind") == kind]
            used = set()
            for g in g_rows:
                hit = next(
                    (
                        i
                        for i, p in enumerate(p_rows)
                        if i not in used and not blank(p.get("line")) and abs(int(p["line"]) - g["line"]) <= 3
                    ),
                    None,
                )
                if hit is None:
                    fn += 1
                    misses.append(f"check missed    {doc}:{g['line']} {kind} {g['raw']}")
                    out.add(g, "check", False, False, f"{doc}:{g['line']} {kind} {g['raw']} missed")
                else:
                    used.add(hit)
                    tp += 1
                    out.add(g, "check", True, True, f"{doc}:{g['line']}")
            for i, p in enumerate(p_rows):
                if i not in used:
                    fp += 1
                    misses.append(
                        f"check extra     {doc}:{p.get('line')} {kind} {p.get('message', '')}"[:200]
                    )
        result[kind] = prf(tp, fp, fn)
    return result


def _numbers(text):
    return set(re.findall(r"\d[\d.,]*\d|\d", str(text or "")))


def score_negatives(negatives, tables, ids, misses, out: Outcomes):
    amounts = by_doc(tables["amounts"], ids)
    targets = by_doc(tables["targets"], ids)
    checks = by_doc(tables["checks"], ids)
    violated = 0
    broken = {"checks": [], "facts": []}
    for n in negatives:
        doc, line = n["doc"], n["line"]
        hits = []
        if n["table"] == "checks":
            hits = [
                c
                for c in checks.get(doc, [])
                if c.get("kind") == "sum_mismatch"
                and not blank(c.get("line"))
                and abs(int(c["line"]) - line) <= 1
            ]
        else:
            pools = {"amounts": [amounts], "targets": [targets], "any": [amounts, targets]}[n["table"]]
            want = _numbers(n["raw"])
            for pool in pools:
                hits += [
                    r
                    for r in pool.get(doc, [])
                    if not blank(r.get("line"))
                    and int(r["line"]) == line
                    and want & _numbers(r.get("raw_text"))
                ]
        if hits:
            violated += 1
            broken["checks" if n["table"] == "checks" else "facts"].append(
                f"{doc}:{line} {n['raw']!r} ({n['why']})"
            )
            shown = hits[0].get("raw_text") or hits[0].get("message")
            misses.append(
                f"negative broken {doc}:{line} {n['raw']!r} ({n['why']}): reported as {shown!r}"[:220]
            )
        out.add(n, "negative", True, not hits, f"{doc}:{line} {n['raw']!r} ({n['why']})")
    return {"items": len(negatives), "violated": violated, "broken": broken}


def score_documents(gold_docs, documents, misses, out: Outcomes):
    by_stem = {stem(d.get("source_name") or d.get("source_path") or ""): d for d in documents or []}
    ok = n = 0
    for g in gold_docs:
        d = by_stem.get(g["doc"])
        for field in DOC_FIELDS:
            if field not in g:
                continue
            want = g[field]
            got = None if d is None else d.get(field)
            if field == "issue_date" and got is not None:
                got = str(got)[:10]

            def fold(v: object) -> str | None:
                return None if blank(v) else unicodedata.normalize("NFC", str(v)).casefold().strip()

            good = fold(want) == fold(got)
            n += 1
            ok += good
            if not good:
                misses.append(f"header {field:<15} {g['doc']}: want {want!r}, got {got!r}")
            out.add(
                g,
                "header",
                True,
                good,
                f"{g['doc']} {field}" + ("" if good else f" want {want!r} got {got!r}"),
            )
    return {"fields": n, "correct": ok, "accuracy": round(ok / n, 4) if n else None}


def per_class(out: Outcomes):
    table = {}
    for c in sorted(CLASS_NAMES):
        items = [i for i in out.items if c in i[0]]
        facts = [i for i in items if i[1] != "negative"]
        negs = [i for i in items if i[1] == "negative"]
        correct = sum(1 for i in items if i[3])
        table[c] = {
            "name": CLASS_NAMES[c],
            "items": len(items),
            "facts": len(facts),
            "found": sum(1 for i in facts if i[2]),
            "facts_correct": sum(1 for i in facts if i[3]),
            "negatives": len(negs),
            "negatives_kept": sum(1 for i in negs if i[3]),
            "score": round(correct / len(items), 4) if items else None,
            "failures": [i[4] for i in items if not i[3]],
        }
    return table


def evaluate(out_dir: Path, gold_dir: Path = DEFAULT_GOLD, misses: list | None = None) -> dict:
    misses = [] if misses is None else misses
    tables = {n: read_table(out_dir, n) for n in ("documents", "amounts", "targets", "sections", "checks")}
    if tables["documents"] is None:
        raise SystemExit(f"no documents table in {out_dir}")
    ids = doc_map(tables["documents"])
    present = set(ids.values())
    gold = {
        n: read_gold(gold_dir, n)
        for n in ("amounts", "targets", "sections", "checks", "negatives", "documents")
    }
    absent = sorted({g["doc"] for rows in gold.values() for g in rows} - present)
    gold = {n: [g for g in rows if g["doc"] in present] for n, rows in gold.items()}
    docs_scored = {g["doc"] for rows in gold.values() for g in rows}
    out = Outcomes()
    report = {
        "missing_tables": [n for n, t in tables.items() if t is None],
        "gold_documents_not_in_output": absent,
    }
    report["amounts"], report["amount_attributes"] = score_amounts(
        gold["amounts"], tables["amounts"], ids, misses, out
    )
    report["targets"], report["target_attributes"] = score_targets(
        gold["targets"], tables["targets"], ids, misses, out
    )
    report["sections"] = score_sections(
        gold["sections"], tables["sections"] or [], ids, misses, out, docs_scored
    )
    report["checks"] = score_checks(gold["checks"], tables["checks"] or [], ids, misses, out, docs_scored)
    report["negatives"] = score_negatives(gold["negatives"], tables, ids, misses, out)
    report["header"] = score_documents(gold["documents"], tables["documents"], misses, out)
    report["classes"] = per_class(out)
    return report


def print_report(report, show_failures=False):
    if report["missing_tables"]:
        print("missing tables:", ", ".join(report["missing_tables"]))
    if report["gold_documents_not_in_output"]:
        print("expected documents not in the output:", ", ".join(report["gold_documents_not_in_output"]))
    print(f"{'table':<24}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}")
    rows = [("amounts", report["amounts"]), ("targets", report["targets"]), ("sections", report["sections"])]
    rows += [(f"checks.{k}", v) for k, v in report["checks"].items()]
    for name, r in rows:
        print(
            f"{name:<24}{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}"
        )
    print("amount attributes (accuracy on matched rows):")
    for a, v in report["amount_attributes"].items():
        print(f"  {a:<18}{'-' if v is None else f'{v:.3f}'}")
    print("target attributes (accuracy on matched rows):")
    for a, v in report["target_attributes"].items():
        print(f"  {a:<18}{'-' if v is None else f'{v:.3f}'}")
    neg, head = report["negatives"], report["header"]
    print(f"negatives: {neg['violated']} of {neg['items']} reported though they must not be")
    print(f"header fields: {head['correct']} of {head['fields']} right")
    print()
    print(f"{'class':<52}{'items':>6}{'found':>7}{'right':>7}{'neg ok':>8}{'score':>7}")
    for c, r in report["classes"].items():
        score = "-" if r["score"] is None else f"{r['score']:.3f}"
        negs = f"{r['negatives_kept']}/{r['negatives']}" if r["negatives"] else "-"
        print(
            f"{str(c) + '. ' + r['name']:<52}{r['facts']:>6}{r['found']:>7}{r['facts_correct']:>7}"
            f"{negs:>8}{score:>7}"
        )
    if show_failures:
        for c, r in report["classes"].items():
            for f in r["failures"]:
                print(f"class {c:>2}: {f}")


def main(argv=None):
    global LINE_SLACK
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output_dir", type=Path)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    ap.add_argument(
        "--show-misses",
        action="store_true",
        help="list every miss, extra row, wrong attribute and broken negative, then the failures per class",
    )
    ap.add_argument("--line-slack", type=int, default=LINE_SLACK)
    args = ap.parse_args(argv)
    LINE_SLACK = args.line_slack
    misses: list[str] = []
    report = evaluate(args.output_dir, args.gold, misses)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report, show_failures=args.show_misses)
        if args.show_misses:
            print()
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
