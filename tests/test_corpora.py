"""The extraction corpora (tests/corpora/*.yaml, format in tests/corpora/README.md).

One test per (entry, wording): the text goes through the pipeline and must give the
entry's facts (with the attributes the entry names, in any order), nothing else of that
table (unless the entry says `others: allowed`), the entry's checks when it lists them,
and, for every fact of every table, `raw_text == text[char_start:char_end]` on the
fact's own line.
Negatives must give no fact of the file's table; known failures run as strict xfail,
so a fix that makes one pass fails the run until its entry is moved to `entries`.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from extract.schema import TABLES
from tests.conftest import run_text

CORPORA = Path(__file__).resolve().parent / "corpora"
# file stem -> the output table its facts are rows of
FILES = {
    "amounts": "amounts",
    "targets": "targets",
    "headings": "sections",
    "tables": "amounts",
    "references": "references",
    "assignments": "assignments",
}
# the column that links a row to its parent row, for `parent:`
PARENT_COLUMN = {"amounts": "parent_amount_id", "sections": "parent_id"}
ID_COLUMN = {
    "amounts": "amount_id",
    "targets": "target_id",
    "sections": "section_id",
    "references": "reference_id",
    "assignments": "assignment_id",
    "checks": "check_id",
}
# tables whose rows point at characters of the text
SPAN_TABLES = tuple(name for name, schema in TABLES.items() if "char_start" in schema.names)

MIN_ENTRIES = 300
MIN_NEGATIVES = 60

FILE_KEYS = {"table", "description", "entries", "negative", "known_failures"}
ENTRY_KEYS = {"name", "fact", "facts", "wordings", "before", "others", "checks", "note"}
FAILURE_KEYS = ENTRY_KEYS | {"reason"}
NEGATIVE_KEYS = {"text", "why", "before", "absent", "checks"}
CHECK_KEYS = {"kind", "severity", "line", "expected", "actual"}


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Case:
    corpus: str  # file stem
    table: str
    group: str  # entries, negative, known_failures
    name: str
    index: int  # which wording
    text: str  # the whole document given to the pipeline
    facts: tuple[dict, ...] | None  # None: a negative (no row matching `absent`)
    absent: dict | None = None
    others: bool = False
    checks: tuple[dict, ...] | None = None
    reason: str | None = None

    @property
    def id(self) -> str:
        if self.group == "negative":
            return f"{self.corpus}:negative:{self.name}"
        tag = "xfail:" if self.group == "known_failures" else ""
        return f"{self.corpus}:{tag}{self.name}:{self.index + 1}"


# ---- loading and validation -----------------------------------------------------------
def fact_keys(table: str) -> set[str]:
    keys = {n for n in TABLES[table].names if n != "doc_id" and not n.endswith("_id")}
    return keys | ({"parent"} if table in PARENT_COLUMN else set())


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise CorpusError(f"{where}: {message}")


def _keys(obj, allowed: set[str], where: str) -> None:
    _require(isinstance(obj, dict), where, f"expected a mapping, got {type(obj).__name__}")
    unknown = set(obj) - allowed
    _require(not unknown, where, f"unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")


def _text(value, where: str) -> str:
    _require(isinstance(value, str) and value.strip() != "", where, "expected a non-empty string")
    _require(unicodedata.is_normalized("NFC", value), where, "text is not NFC")
    return value


def _document(before: str | None, wording: str) -> str:
    return wording if not before else before.rstrip("\n") + "\n" + wording


def _value_fits(value, typ: pa.DataType) -> bool:
    """A YAML value that can equal a column of type TYP ("number: 5" must be quoted)."""
    if value is None:
        return True
    if pa.types.is_string(typ):
        return isinstance(value, str)
    if pa.types.is_boolean(typ):
        return isinstance(value, bool)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if pa.types.is_date(typ):
        return isinstance(value, dt.date)
    return True


def _fact(fact, table: str, where: str) -> dict:
    _keys(fact, fact_keys(table), where)
    _require(bool(fact), where, "a fact names at least one attribute")
    schema = TABLES[table]
    for key, value in fact.items():
        if key != "parent":
            _require(
                _value_fits(value, schema.field(key).type),
                where,
                f"{key}: {value!r} cannot equal a {schema.field(key).type} column (quote it?)",
            )
    parent = fact.get("parent")
    if parent is not None:
        _require(isinstance(parent, (str, dict)), where, "parent is null, a raw number or a mapping")
        _require(isinstance(parent, dict) or table == "amounts", where, "a heading's parent is a mapping")
        if isinstance(parent, dict):
            _fact(parent, table, where + ".parent")
    return fact


def _checks(checks, where: str) -> tuple[dict, ...] | None:
    if checks is None:
        return None
    _require(isinstance(checks, list), where, "checks is a list")
    out = []
    for i, c in enumerate(checks):
        c = {"kind": c} if isinstance(c, str) else c
        _keys(c, CHECK_KEYS, f"{where}[{i}]")
        _require("kind" in c, f"{where}[{i}]", "a check names its kind")
        out.append(c)
    return tuple(out)


def _entry_cases(stem: str, table: str, group: str, entry, i: int, names: set[str]) -> list[Case]:
    where = f"{stem}.yaml {group}[{i}]"
    _keys(entry, FAILURE_KEYS if group == "known_failures" else ENTRY_KEYS, where)
    name = entry.get("name")
    _require(isinstance(name, str) and name.replace("_", "").isalnum(), where, "name: letters, digits and _")
    where = f"{stem}.yaml {group} {name}"
    _require(name not in names, where, "duplicate name")
    names.add(name)
    _require(("fact" in entry) != ("facts" in entry), where, "give exactly one of fact / facts")
    facts = [entry["fact"]] if "fact" in entry else entry["facts"]
    _require(isinstance(facts, list), where, "facts is a list")
    _require(
        bool(facts) or group == "known_failures",
        where,
        "an entry expects at least one fact (texts that give none go under negative)",
    )
    facts = tuple(_fact(f, table, f"{where} fact {j + 1}") for j, f in enumerate(facts))
    wordings = entry.get("wordings")
    _require(isinstance(wordings, list) and wordings, where, "wordings is a non-empty list")
    _require(len(set(wordings)) == len(wordings), where, "a wording is repeated")
    others = entry.get("others")
    _require(others in (None, "allowed"), where, "others: allowed (or leave it out)")
    before = entry.get("before")
    if before is not None:
        _text(before, where + " before")
    if group == "known_failures":
        _require(
            isinstance(entry.get("reason"), str) and entry["reason"].strip(),
            where,
            "a known failure says why it fails",
        )
    checks = _checks(entry.get("checks"), where + " checks")
    return [
        Case(
            stem,
            table,
            group,
            name,
            j,
            _document(before, _text(w, f"{where} wording {j + 1}")),
            facts,
            others=others == "allowed",
            checks=checks,
            reason=entry.get("reason"),
        )
        for j, w in enumerate(wordings)
    ]


def _negative_case(stem: str, table: str, item, i: int) -> Case:
    where = f"{stem}.yaml negative[{i}]"
    if isinstance(item, str):
        item = {"text": item}
    _keys(item, NEGATIVE_KEYS, where)
    before = item.get("before")
    if before is not None:
        _text(before, where + " before")
    absent = item.get("absent")
    if absent is not None:
        _keys(absent, fact_keys(table) - {"parent"}, where + " absent")
    return Case(
        stem,
        table,
        "negative",
        f"{i + 1}",
        i,
        _document(before, _text(item.get("text"), where + " text")),
        None,
        absent=absent,
        checks=_checks(item.get("checks"), where + " checks"),
    )


def load_corpus(stem: str) -> list[Case]:
    path = CORPORA / f"{stem}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _keys(data, FILE_KEYS, path.name)
    table = data.get("table")
    _require(table == FILES[stem], path.name, f"table: {FILES[stem]}")
    cases: list[Case] = []
    names: set[str] = set()
    for group in ("entries", "known_failures"):
        items = data.get(group) or []
        _require(isinstance(items, list), path.name, f"{group} is a list")
        for i, entry in enumerate(items):
            cases.extend(_entry_cases(stem, table, group, entry, i, names))
    negatives = data.get("negative") or []
    _require(isinstance(negatives, list), path.name, "negative is a list")
    texts = set()
    for i, item in enumerate(negatives):
        case = _negative_case(stem, table, item, i)
        _require(case.text not in texts, f"{path.name} negative[{i}]", "repeated text")
        texts.add(case.text)
        cases.append(case)
    return cases


def counts(cases: list[Case]) -> dict[str, int]:
    """Entries (positive, negative, known failure) and wordings of one corpus."""
    entries = {(c.group, c.name) for c in cases}
    return {
        "entries": len({e for e in entries if e[0] == "entries"}),
        "wordings": sum(c.group == "entries" for c in cases),
        "negatives": sum(c.group == "negative" for c in cases),
        "known_failures": len({e for e in entries if e[0] == "known_failures"}),
    }


ALL_CASES = [case for stem in FILES for case in load_corpus(stem)]


# ---- matching --------------------------------------------------------------------------
def same(got, want) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want or got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(want, dt.date) and isinstance(got, str):
        return got == want.isoformat()
    if isinstance(want, list) and isinstance(got, (list, tuple)):
        return len(want) == len(got) and all(same(g, w) for g, w in zip(got, want))
    return got == want


def _raw_number_is(raw: str | None, want: str) -> bool:
    """A parent given as its raw number: "122.854" names "122.854 triệu đồng" and "122.854"."""
    if raw is None or not raw.startswith(want):
        return False
    rest = raw[len(want) :]
    return rest == "" or not (rest[0].isdigit() or rest[0] in ".,")


def matches(row: dict, want: dict, table: str, by_id: dict[str, dict]) -> bool:
    for key, value in want.items():
        if key == "parent":
            parent = by_id.get(row[PARENT_COLUMN[table]]) if row[PARENT_COLUMN[table]] else None
            if value is None:
                if parent is not None:
                    return False
            elif parent is None:
                return False
            elif isinstance(value, str):
                if not _raw_number_is(parent.get("raw_text"), value):
                    return False
            elif not matches(parent, value, table, by_id):
                return False
        elif not same(row[key], value):
            return False
    return True


def _show(row: dict, keys) -> str:
    keys = [k for k in keys if k != "parent"] or ["raw_text"]
    return "{" + ", ".join(f"{k}: {row.get(k)!r}" for k in keys) + "}"


def _describe(rows: list[dict], facts, table: str, by_id) -> str:
    keys = list(dict.fromkeys(k for f in facts for k in f)) or [
        k
        for k in ("raw_text", "kind", "label", "number", "title", "value_million_vnd", "value", "agency")
        if k in TABLES[table].names
    ]
    lines = []
    for r in rows:
        parent_col = PARENT_COLUMN.get(table)
        parent = by_id.get(r[parent_col]) if parent_col and r[parent_col] else None
        tail = f" parent={_show(parent, keys)}" if parent is not None else ""
        lines.append("  " + _show(r, keys) + tail)
    return "\n".join(lines) or "  (none)"


def assert_facts(rows: list[dict], facts, table: str, others: bool) -> None:
    """Each expected fact matches its own row (in any order); without `others: allowed`
    there are no other rows."""
    by_id = {r[ID_COLUMN[table]]: r for r in rows}
    fits = [[i for i, r in enumerate(rows) if matches(r, fact, table, by_id)] for fact in facts]
    for n, (fact, fit) in enumerate(zip(facts, fits), 1):
        assert fit, f"fact {n} {fact} not found; {table} rows:\n{_describe(rows, facts, table, by_id)}"
    owner: dict[int, int] = {}  # row -> fact, a matching found by augmenting paths

    def place(f: int, seen: set[int]) -> bool:
        for i in fits[f]:
            if i not in seen:
                seen.add(i)
                if i not in owner or place(owner[i], seen):
                    owner[i] = f
                    return True
        return False

    for f in range(len(facts)):
        assert place(f, set()), (
            f"facts {list(facts)} cannot each have a row of their own; {table} rows:\n"
            f"{_describe(rows, facts, table, by_id)}"
        )
    if not others:
        extra = [r for i, r in enumerate(rows) if i not in owner]
        assert not extra, (
            f"{len(extra)} {table} row(s) beyond the expected facts:\n{_describe(extra, facts, table, by_id)}"
        )


def assert_checks(checks: list[dict], want) -> None:
    got = [{k: c[k] for k in ("kind", "severity", "line", "expected", "actual")} for c in checks]
    ok = len(got) == len(want) and all(all(same(g[k], v) for k, v in w.items()) for g, w in zip(got, want))
    assert ok, f"checks: expected {list(want)}, got {got}"


def assert_offsets(result, text: str) -> None:
    """Every fact of every table points at its own characters, on its own line."""
    for table in SPAN_TABLES:
        for row in result.tables[table]:
            span = text[row["char_start"] : row["char_end"]]
            assert span == row["raw_text"], (
                f"{table} {row['raw_text']!r}: text[{row['char_start']}:{row['char_end']}] is {span!r}"
            )
            assert row["line"] == text.count("\n", 0, row["char_start"]) + 1, (
                f"{table} {row['raw_text']!r}: line {row['line']} but char_start {row['char_start']} is on line "
                f"{text.count(chr(10), 0, row['char_start']) + 1}"
            )


def check_case(extractor, case: Case) -> None:
    result = run_text(extractor, case.text)
    assert result.status == "ok", result.document["error"]
    rows = result.tables[case.table]
    if case.facts is None:
        hits = [
            r
            for r in rows
            if case.absent is None
            or all(
                any(same(r[k], x) for x in (v if isinstance(v, list) else [v]))
                for k, v in case.absent.items()
            )
        ]
        assert not hits, (
            f"a negative gave {len(hits)} {case.table} row(s):\n"
            f"{_describe(hits, [], case.table, {r[ID_COLUMN[case.table]]: r for r in rows})}"
        )
    else:
        assert_facts(rows, case.facts, case.table, case.others)
    if case.checks is not None:
        assert_checks(result.tables["checks"], case.checks)
    assert_offsets(result, case.text)


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.reason)] if case.group == "known_failures" else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in ALL_CASES])
def test_corpus(extractor, case):
    check_case(extractor, case)


def test_corpora_are_big_enough():
    totals = {
        k: sum(counts([c for c in ALL_CASES if c.corpus == stem])[k] for stem in FILES)
        for k in ("entries", "negatives", "known_failures")
    }
    assert sum(totals.values()) >= MIN_ENTRIES and totals["negatives"] >= MIN_NEGATIVES, totals


def test_validation_rejects_unknown_keys(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.CORPORA", tmp_path)
    (tmp_path / "amounts.yaml").write_text(
        "table: amounts\nentries:\n- name: x\n  fact: {value_million_vnd: 1, colour: red}\n  wordings: ['1 triệu đồng']\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="colour"):
        load_corpus("amounts")
    (tmp_path / "amounts.yaml").write_text("table: amounts\nnegatives: ['x']\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="negatives"):
        load_corpus("amounts")
    (tmp_path / "amounts.yaml").write_text(
        "table: amounts\nentries:\n- name: x\n  fact: {project: 5}\n  wordings: ['1 triệu đồng']\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="quote it"):
        load_corpus("amounts")


@pytest.mark.parametrize(
    "kind,text",
    [
        (
            "amounts",
            "Tổng kinh phí 10.000 triệu đồng (ngân sách Trung ương 9.000 triệu đồng; ngân sách địa phương 1.000 triệu đồng).",
        ),
        (
            "tables",
            "Đơn vị tính: triệu đồng\nTT\tNội dung\tTổng số\tVốn ĐTPT\tVốn SN\n1\tDự án 4\t2.000\t1.200\t800",
        ),
        ("targets", "I. MỤC TIÊU\n- Tỷ lệ hộ nghèo giảm 1,5%/năm."),
        ("headings", "I. NHIỆM VỤ\n1. Dự án 2: Đa dạng hóa sinh kế"),
        ("references", "Căn cứ Nghị định số 27/2022/NĐ-CP ngày 19/4/2022 của Chính phủ."),
        ("assignments", "IV. TỔ CHỨC THỰC HIỆN\n- Sở Y tế chủ trì, phối hợp với Sở Tài chính."),
        ("amounts", "Đồng thời tổ chức kiểm tra."),
    ],
)
def test_new_entry_script_prints_an_entry_that_passes(extractor, tmp_path, monkeypatch, kind, text):
    """scripts/new_corpus_entry.py prints YAML that this runner loads and passes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "new_corpus_entry", CORPORA.parent.parent / "scripts" / "new_corpus_entry.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    entry = script.entry(kind, text, "printed", extractor)
    printed = script.dump(entry)
    body = printed if isinstance(entry, dict) else "entries:\n" + printed  # a negative prints its own key
    monkeypatch.setattr(f"{__name__}.CORPORA", tmp_path)
    (tmp_path / f"{kind}.yaml").write_text(f"table: {FILES[kind]}\n{body}", encoding="utf-8")
    cases = load_corpus(kind)
    assert [c.text for c in cases] == [text]
    check_case(extractor, cases[0])
