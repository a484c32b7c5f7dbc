"""Print a corpus entry (tests/corpora/*.yaml) from what the pipeline finds today.

    python scripts/new_corpus_entry.py "Kinh phí thực hiện là 1.200 triệu đồng." --kind amounts
    python scripts/new_corpus_entry.py case.txt --kind headings --name du_an_ocr_noise

The argument is the text, or a file holding it. The entry has the attributes that matter
for that kind; check every value against the text before pasting it under `entries:`
(or, when the pipeline is wrong, write the right values and paste it under
`known_failures:` with a `reason:`). A text that gives nothing prints a `negative:` item.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.pipeline import Extractor  # noqa: E402

TABLE = {
    "amounts": "amounts",
    "tables": "amounts",
    "targets": "targets",
    "headings": "sections",
    "references": "references",
    "assignments": "assignments",
}
# attributes printed for each kind; those in OPTIONAL only when they are not null
ATTRIBUTES = {
    "amounts": [
        "raw_text",
        "value_million_vnd",
        "funding_source",
        "capital_type",
        "measure",
        "fiscal_year",
        "parent",
    ],
    "tables": [
        "raw_text",
        "value_million_vnd",
        "funding_source",
        "capital_type",
        "measure",
        "program",
        "project",
        "subproject",
        "parent",
    ],
    "targets": ["raw_text", "value", "value_max", "unit", "comparator", "direction", "kind", "year"],
    "headings": ["kind", "label", "number", "canonical_code", "parent"],
    "references": ["raw_text", "ref_type", "number", "issue_date", "issuer"],
    "assignments": ["raw_text", "agency", "role", "deadline", "product"],
}
OPTIONAL = {
    "unit_inferred",
    "numerator",
    "denominator",
    "fiscal_year",
    "program",
    "project",
    "subproject",
    "canonical_code",
    "value_max",
    "direction",
    "year",
    "deadline",
    "product",
    "issue_date",
    "issuer",
}
EXTRA = {"amounts": ["unit_inferred"], "targets": ["numerator", "denominator"]}
_NUMBER = re.compile(r"^[\d.,\s]*\d")


class _Flow(dict):
    pass


class _Block(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)
_Dumper.add_representer(_Block, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))


def _parent(kind: str, row: dict, by_id: dict[str, dict]):
    column = "parent_id" if kind == "headings" else "parent_amount_id"
    parent = by_id.get(row[column]) if row.get(column) else None
    if parent is None:
        return None
    if kind == "headings":
        return _Flow((k, parent[k]) for k in ("kind", "label", "number") if parent[k] is not None)
    m = _NUMBER.match(parent["raw_text"] or "")
    return m.group(0) if m else parent["raw_text"]


def fact(kind: str, row: dict, by_id: dict[str, dict]) -> dict:
    out = _Flow()
    for key in ATTRIBUTES[kind] + EXTRA.get(kind, []):
        value = _parent(kind, row, by_id) if key == "parent" else row[key]
        if value is None and key in OPTIONAL or value is False:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[key] = value
    return out


def entry(kind: str, text: str, name: str, extractor: Extractor | None = None) -> dict:
    extractor = extractor or Extractor()
    result = extractor.process(Path("entry.txt"), text.encode("utf-8"))
    table = TABLE[kind]
    rows = result.tables[table]
    id_col = {"amounts": "amount_id", "sections": "section_id"}.get(table)
    by_id = {r[id_col]: r for r in rows} if id_col else {}
    wording = _Block(text) if "\n" in text else text
    if not rows:
        out = {"negative": [{"text": wording, "why": "TODO: what it looks like and why it is not one"}]}
    else:
        facts = [fact(kind, r, by_id) for r in rows]
        out = {
            "name": name,
            **({"fact": facts[0]} if len(facts) == 1 else {"facts": facts}),
            "wordings": [wording],
        }
        checks = [
            _Flow((k, c[k]) for k in ("kind", "line") if c[k] is not None) for c in result.tables["checks"]
        ]
        if checks:
            out["checks"] = checks
        out = [out]
    return out


def dump(data) -> str:
    """YAML to paste: one fact per line, multi-line wordings as blocks."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("text", help="the text, or a file holding it")
    parser.add_argument("--kind", required=True, choices=sorted(TABLE))
    parser.add_argument("--name", default="new_entry", help="the entry's name (letters, digits, _)")
    args = parser.parse_args(argv)
    path = Path(args.text)
    try:
        is_file = path.is_file()
    except OSError:  # a long text is not a path
        is_file = False
    text = path.read_text(encoding="utf-8") if is_file else args.text
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).rstrip("\n")
    sys.stdout.write(dump(entry(args.kind, text, args.name)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
