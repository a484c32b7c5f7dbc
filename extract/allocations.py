"""Allocations: the analysis-ready view of a plan's money, one row per plan × program ×
level × item × funding source × capital type × measure × fiscal year, built from the
amounts of the plan's preferred version. Every statement of one figure (the prose and
the appendix table, a total and its repetition) is one row; within one level and one
choice of (funding_source, capital_type, measure, fiscal_year) the rows never overlap, so
a sum over them is right. funding_source or capital_type null means "all sources" or
"all types". Figures a plan does not state for an item but states for all its parts are
summed (basis sum_of_parts); statements that disagree are kept as one row with status
conflict and a note. Rules: rules/allocations.yaml."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import regex

from .plans import Plan

if TYPE_CHECKING:
    from .rules import CheckedRules, Rules

LEVELS = ("plan", "program", "project", "subproject", "content")
_CODE_LEVEL = {"DA": "project", "TDA": "subproject", "ND": "content"}
_NUMBER = regex.compile(r"(\d[\d.\s]*)(?:,\s*(\d+))?")


@dataclass(frozen=True, eq=False)
class Item:
    """A place in the program structure: the official code when known, else the plan's
    own project and sub-project numbers. Items are equal when their keys are (the numbers
    as written do not matter once the code is known)."""

    program: str | None
    level: str
    canonical_code: str | None = None
    project: str | None = None
    subproject: str | None = None

    @property
    def key(self) -> tuple:
        if self.canonical_code:
            return (self.program, self.level, self.canonical_code)
        return (self.program, self.level, None, self.project, self.subproject)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def parent(self) -> "Item | None":
        if self.level in ("plan", "program"):
            return None
        if self.canonical_code:
            code = self.canonical_code.rsplit(".", 1)[0]
            if "." not in code:
                return Item(self.program, "program")
            last = code.rsplit(".", 1)[1]
            return Item(self.program, _code_level(last), code)
        if self.level == "subproject" and self.project:
            return Item(self.program, "project", None, self.project)
        return Item(self.program, "program")


_CAPITALS = regex.compile(r"[A-Z]+")
_NOT_DIGIT = regex.compile(r"\D")


def _code_level(part: str) -> str:
    return _CODE_LEVEL[_CAPITALS.match(part).group(0)]


@dataclass
class Statement:
    """One amount as the allocations read it (effective attributes)."""

    amount_id: str
    value: float
    step: float  # the written precision in triệu đồng (1,5 tỷ: 100)
    item: Item
    funding_source: str | None
    capital_type: str | None
    measure: str | None
    fiscal_year: int | None
    from_table: bool
    line: int | None
    page: int | None
    order: tuple
    children: list["Statement"] = field(default_factory=list)
    # parts whose attributes are all the total's own (they differ in something the
    # attributes do not record, "vốn năm 2023" beside "vốn kéo dài"): left out
    hidden_parts: list["Statement"] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.item.key, self.funding_source, self.capital_type, self.measure, self.fiscal_year)


@dataclass
class Allocation:
    item: Item
    funding_source: str | None
    capital_type: str | None
    measure: str | None
    fiscal_year: int | None
    value: float
    step: float
    basis: str  # stated, table, sum_of_parts
    status: str = "consistent"
    notes: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    amount_ids: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.item.key, self.funding_source, self.capital_type, self.measure, self.fiscal_year)

    @property
    def stated(self) -> bool:
        return self.basis != "sum_of_parts"


@dataclass(frozen=True)
class AllocationRules:
    excluded_measures: frozenset[str]
    state_budget_sources: frozenset[str]
    mixed_measure: str
    mixed_measure_parts: frozenset[str]

    @classmethod
    def from_rules(cls, rules: Rules | CheckedRules) -> "AllocationRules":
        a = rules.section("allocations")
        return cls(
            frozenset(a["excluded_measures"]),
            frozenset(a["state_budget_sources"]),
            a["mixed_measure"],
            frozenset(a["mixed_measure_parts"]),
        )


# ---- statements ----------------------------------------------------------------------------
def written_step(raw_text: str | None, value: float) -> float:
    """The precision the figure was written with, in triệu đồng: half of it is the
    rounding a reader allows (../shared/gold/README.md)."""
    m = _NUMBER.search(raw_text or "")
    if not m:
        return 1.0
    whole = _NOT_DIGIT.sub("", m.group(1))
    decimals = m.group(2) or ""
    number = float(f"{whole or 0}.{decimals or 0}")
    factor = value / number if number else 1.0
    return factor * 10 ** -len(decimals)


def item_of(amount: dict) -> Item:
    code, program = amount.get("canonical_code"), amount.get("program")
    if code:
        return Item(
            program or code.split(".")[0],
            _code_level(code.rsplit(".", 1)[1]),
            code,
            amount.get("project"),
            amount.get("subproject"),
        )
    if amount.get("subproject") and amount.get("project"):
        return Item(program, "subproject", None, amount["project"], amount["subproject"])
    if amount.get("project"):
        return Item(program, "project", None, amount["project"])
    return Item(program, "program" if program else "plan")


def statements_of(amounts: list[dict], plan_year: int | None, rules: AllocationRules) -> list[Statement]:
    """The amounts of one document that are funds, with effective attributes: a total whose
    parts name other sources than its own is a total over sources; a total with carried-over
    parts is plan_with_carryover."""
    kept = [
        a
        for a in amounts
        if a.get("value_million_vnd") is not None and a.get("measure") not in rules.excluded_measures
    ]
    by_id: dict[str, Statement] = {}
    for a in kept:
        by_id[a["amount_id"]] = Statement(
            amount_id=a["amount_id"],
            value=float(a["value_million_vnd"]),
            step=written_step(a.get("raw_text"), float(a["value_million_vnd"])),
            item=item_of(a),
            funding_source=a.get("funding_source"),
            capital_type=a.get("capital_type"),
            measure=a.get("measure"),
            fiscal_year=a.get("fiscal_year") if a.get("fiscal_year") is not None else plan_year,
            from_table=bool(a.get("from_table")),
            line=a.get("line"),
            page=a.get("page"),
            order=(a.get("line") or 0, a.get("char_start") or 0, a["amount_id"]),
        )
    for a in kept:
        parent = by_id.get(a.get("parent_amount_id") or "")
        if parent is not None:
            parent.children.append(by_id[a["amount_id"]])
    with_part_measure = _with_part_measure(list(by_id.values()), rules.mixed_measure_parts)
    for s in by_id.values():
        own = s.funding_source
        sources = {c.funding_source for c in s.children}
        if own is not None and own in sources and sources - {own, None}:
            # "Vốn sự nghiệp NSTW: 322 (trong đó NSTW: 310,5; NSĐP: 11,5)": the total's
            # source is one of its parts', so the total is over sources
            s.funding_source = None
        if s.measure not in rules.mixed_measure_parts and id(s) in with_part_measure:
            s.measure = rules.mixed_measure
    hidden: set[str] = set()
    for s in sorted(by_id.values(), key=lambda s: s.order):
        if s.amount_id in hidden:
            continue
        for c in s.children:
            if c.key == s.key:
                s.hidden_parts.append(c)
                hidden.update(_subtree_ids(c))
    return sorted((s for s in by_id.values() if s.amount_id not in hidden), key=lambda s: s.order)


def _subtree(s: Statement) -> list[Statement]:
    """S and its parts at every depth, parents before their parts (iterative: a breakdown
    can nest thousands deep in a hostile document)."""
    found, stack, seen = [], [s], set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        found.append(x)
        stack.extend(reversed(x.children))
    return found


def _subtree_ids(s: Statement) -> list[str]:
    return [x.amount_id for x in _subtree(s)]


def _with_part_measure(statements: list[Statement], measures: frozenset[str]) -> set[int]:
    """The ids of the statements with a part, at any depth, of one of MEASURES: computed
    once, parts before their totals, so a deep breakdown costs its size, not its square."""
    children = {id(c) for s in statements for c in s.children}
    order: list[Statement] = []
    for root in statements:
        if id(root) not in children:
            order.extend(_subtree(root))
    flagged: set[int] = set()
    for x in reversed(order):
        if any(c.measure in measures or id(c) in flagged for c in x.children):
            flagged.add(id(x))
    return flagged


# ---- one plan ------------------------------------------------------------------------------
def stated_allocations(
    statements: list[Statement], problems: dict[str, str], rules: AllocationRules
) -> dict[tuple, Allocation]:
    """Statements of the same figure merged; disagreeing ones make a conflict."""
    groups = _group(statements)
    for key, sts in groups.items():
        if key[1] is None and not _agree(sts):
            for s in sts:  # a total over the state budget's sources beside a total over all sources
                if (
                    s.children
                    and all(c.funding_source in rules.state_budget_sources for c in s.children)
                    and abs(sum(c.value for c in s.children) - s.value) <= _sum_tolerance(s.children)
                ):
                    s.funding_source = "state_budget"
            if all(s.funding_source == "state_budget" for s in sts):
                for s in sts:
                    s.funding_source = None
    out: dict[tuple, Allocation] = {}
    for key, sts in _group(statements).items():
        first = sts[0]
        alloc = Allocation(
            first.item,
            first.funding_source,
            first.capital_type,
            first.measure,
            first.fiscal_year,
            first.value,
            min(s.step for s in sts),
            "stated" if any(not s.from_table for s in sts) else "table",
            statements=sts,
            amount_ids=[s.amount_id for s in sts],
        )
        if not _agree(sts):
            alloc.status = "conflict"
            alloc.notes.append(
                "statements differ: "
                + ", ".join(
                    f"{fmt_money(s.value)} ({'table, ' if s.from_table else ''}line {s.line})" for s in sts
                )
                + f"; the first, {fmt_money(first.value)}, is kept"
            )
        for s in sts:
            if s.amount_id in problems:
                alloc.status = "conflict"
                alloc.notes.append(problems[s.amount_id])
            if s.hidden_parts:
                alloc.notes.append(
                    "parts left out, their attributes being the total's own: "
                    + ", ".join(f"{fmt_money(c.value)} (line {c.line})" for c in s.hidden_parts)
                )
        out[key] = alloc
    return out


def roll_up(rows: dict[tuple, Allocation]) -> dict[tuple, Allocation]:
    """Adds the figures a plan states for every part of an item but not for the item
    (structure: content → sub-project → project → program; capital types: investment +
    recurrent), and marks a stated figure whose stated parts add up to another value.
    Only complete breakdowns count: every part the plan names under the item must state
    the figure, else the sum would be a share of the item passed off as the whole; and an
    item the plan states figures for (in that measure and year) is not completed from its
    parts, since the plan may detail only some of them."""
    rows = dict(rows)
    stated_items = {(a.item, a.measure, a.fiscal_year) for a in rows.values()}
    for level in LEVELS[:0:-1]:  # content, subproject, project, program
        if level != "content":
            named_parts: dict[Item, set[Item]] = defaultdict(set)
            parts: dict[tuple, list[Allocation]] = defaultdict(list)
            for a in rows.values():
                parent = a.item.parent()
                if parent is not None and parent.level == level:
                    named_parts[parent].add(a.item)
                    parts[(parent, a.funding_source, a.capital_type, a.measure, a.fiscal_year)].append(a)
            for (parent, fs, ct, measure, year), children in sorted(
                parts.items(), key=lambda kv: _sort_key(kv[0])
            ):
                complete = {c.item for c in children} == named_parts[parent]
                key = (parent.key, fs, ct, measure, year)
                if complete and (key in rows or (parent, measure, year) not in stated_items):
                    _add_or_compare(
                        rows,
                        Allocation(parent, fs, ct, measure, year, 0.0, 0.0, "sum_of_parts"),
                        children,
                        f"its parts at the {children[0].item.level} level",
                    )
        types: dict[tuple, dict[str, Allocation]] = defaultdict(dict)
        for a in rows.values():
            if a.item.level == level and a.capital_type is not None:
                types[(a.item, a.funding_source, a.measure, a.fiscal_year)][a.capital_type] = a
        for (item, fs, measure, year), by_type in sorted(types.items(), key=lambda kv: _sort_key(kv[0])):
            if {"investment", "recurrent"} <= set(by_type):
                _add_or_compare(
                    rows,
                    Allocation(item, fs, None, measure, year, 0.0, 0.0, "sum_of_parts"),
                    [by_type["investment"], by_type["recurrent"]],
                    "its investment and recurrent parts",
                )
    return rows


def _add_or_compare(
    rows: dict[tuple, Allocation], total: Allocation, parts: list[Allocation], what: str
) -> None:
    value = sum(p.value for p in parts)
    step = min(p.step for p in parts)
    existing = rows.get(total.key)
    if existing is None:
        total.value, total.step = round_at(value, step), step
        total.amount_ids = sorted({i for p in parts for i in p.amount_ids})
        total.notes.append(f"{what}: " + " + ".join(fmt_money(p.value) for p in parts))
        rows[total.key] = total
    elif (
        existing.stated
        and all(p.stated for p in parts)
        and abs(existing.value - value) > len(parts) * 0.5 * max(p.step for p in parts)
    ):
        existing.status = "conflict"
        existing.notes.append(f"{what} add up to {fmt_money(round_at(value, step))}")


def plan_allocations(
    plan: Plan, amounts_by_doc: dict[str, list[dict]], problems: dict[str, str], rules: AllocationRules
) -> list[dict]:
    doc = plan.preferred
    statements = statements_of(amounts_by_doc.get(doc["doc_id"], []), doc.get("plan_year"), rules)
    rows = roll_up(stated_allocations(statements, problems, rules))
    plan_row = plan.row()
    out = []
    for a in sorted(rows.values(), key=lambda a: _sort_key(a.key)):
        key_text = repr(a.key).encode()
        out.append(
            {
                "allocation_id": f"{plan.plan_id}:{hashlib.sha256(key_text).hexdigest()[:12]}",
                "plan_id": plan.plan_id,
                "doc_id": doc["doc_id"],
                "province": plan_row["province"],
                "province_code": plan_row["province_code"],
                "province_2025": plan_row["province_2025"],
                "admin_level": plan_row["admin_level"],
                "district": plan_row["district"],
                "plan_year": plan_row["plan_year"],
                "included_in_higher_level": plan_row["included_in_higher_level"],
                "program": a.item.program,
                "level": a.item.level,
                "canonical_code": a.item.canonical_code,
                "project": a.item.project,
                "subproject": a.item.subproject,
                "funding_source": a.funding_source,
                "capital_type": a.capital_type,
                "measure": a.measure,
                "fiscal_year": a.fiscal_year,
                "value_million_vnd": round_at(a.value, a.step),
                "basis": a.basis,
                "status": a.status,
                "note": "; ".join(a.notes) or None,
                "amount_ids": a.amount_ids,
            }
        )
    return out


# ---- versions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class VersionDifference:
    doc_id: str  # the other version
    amount_id: str | None
    line: int | None
    page: int | None
    expected: float | None  # the preferred version's figure
    actual: float | None
    what: str


def compare_versions(
    plan: Plan, amounts_by_doc: dict[str, list[dict]], rules: AllocationRules
) -> list[VersionDifference]:
    """Figures that differ between the preferred version of a plan and each other version
    (the statements merged per key, as in the allocations): how an OCR misreading is caught."""
    preferred = plan.preferred
    year = preferred.get("plan_year")
    base = stated_allocations(
        statements_of(amounts_by_doc.get(preferred["doc_id"], []), year, rules), {}, rules
    )
    out = []
    for doc in plan.documents[1:]:
        other = stated_allocations(
            statements_of(amounts_by_doc.get(doc["doc_id"], []), year, rules), {}, rules
        )
        for key in sorted(set(base) | set(other), key=_sort_key):
            b, o = base.get(key), other.get(key)
            if b is not None and o is not None and abs(b.value - o.value) <= 0.5 * max(b.step, o.step):
                continue
            # a figure read in both versions but placed differently (a table column's
            # attributes lost by OCR) is not a different figure
            if (o is None and b is not None and _states(other, b)) or (
                b is None and o is not None and _states(base, o)
            ):
                continue
            first = o.statements[0] if o is not None else None
            out.append(
                VersionDifference(
                    doc["doc_id"],
                    first.amount_id if first else None,
                    first.line if first else None,
                    first.page if first else None,
                    b.value if b else None,
                    o.value if o else None,
                    describe_key(key),
                )
            )
    return out


def describe_key(key: tuple) -> str:
    item, fs, ct, measure, year = key
    where = (
        item[2]
        or " ".join(
            str(p)
            for p in (
                item[0],
                f"project {item[3]}" if item[3] else None,
                f"subproject {item[4]}" if item[4] else None,
            )
            if p
        )
        or "the plan"
    )
    return f"{where} ({item[1]}), {fs or 'all sources'}, {ct or 'all types'}, {measure}, {year}"


# ---- helpers -------------------------------------------------------------------------------
def _states(rows: dict[tuple, Allocation], figure: Allocation) -> bool:
    return any(abs(r.value - figure.value) <= 0.5 * max(r.step, figure.step) for r in rows.values())


def _group(statements: list[Statement]) -> dict[tuple, list[Statement]]:
    groups: dict[tuple, list[Statement]] = {}
    for s in statements:
        groups.setdefault(s.key, []).append(s)
    return groups


def _agree(sts: list[Statement]) -> bool:
    first = sts[0]
    return all(abs(s.value - first.value) <= 0.5 * max(s.step, first.step) for s in sts)


def _sum_tolerance(parts: list[Statement]) -> float:
    return len(parts) * 0.5 * max(p.step for p in parts)


def round_at(value: float, step: float) -> float:
    """A figure rounded at the precision written (no float artefacts such as 1471301.5000000002)."""
    decimals = max(0, min(9, math.ceil(-math.log10(step)))) if step > 0 else 6
    return round(value, decimals) + 0.0


def fmt_money(value: float) -> str:
    """Vietnamese style: '.' groups thousands, ',' marks decimals (1.471.301,5)."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    return whole.replace(",", ".") + ("," + frac if frac else "")


def _sort_key(value: Any) -> tuple:
    """A total order over keys that mix None, text, numbers and items."""
    if isinstance(value, Item):
        value = value.key
    if isinstance(value, tuple):
        return tuple(_sort_key(v) for v in value)
    if value is None:
        return (0, "")
    if value in LEVELS:
        return (1, str(LEVELS.index(value)))
    return (2, f"{value:>12}" if isinstance(value, int) else str(value))
