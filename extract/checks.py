"""Check rows: problems found in the source (sums that do not add up, malformed numbers,
inferred units, unreadable pages) or in the run, and the checks that look across a whole
document (the plan's total against its projects', ratios against percentages)."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from .amounts import Amount, rounding_tolerance, sum_problem, summable_breakdowns
from .document import Line
from .readers.base import PageProblem
from .repair import Repair
from .sections import Section
from .tables import Table
from .targets import Target
from .taxonomy import TitleOverride
from .textnorm import fold
from .vnnumbers import comma_may_group_thousands, parse_vn_number


@dataclass
class Check:
    kind: str
    severity: str  # error, warning, info
    message: str
    line: int | None = None  # 1-based
    page: int | None = None
    amount_id: str | None = None
    expected: float | None = None
    actual: float | None = None
    ocr: bool = False  # it stands on figures read by OCR (a sum_mismatch may be a misreading)


# ---- checks across a whole document -------------------------------------------------------
# (sums of written parts are checked where they are found: amounts.sum_problem)

# How far after a ratio ("41/58") its stated percentage may stand ("…, đạt 70,7%").
RATIO_PERCENT_REACH = 40


def reconcile_totals(
    sections: list[Section], amounts: list[Amount], total_words: regex.Pattern, lines: list[Line]
) -> list[Check]:
    """The plan's grand total against the totals of its projects, where both are stated in
    the text: info when they agree, warning when they do not. TOTAL_WORDS (matched on
    folded labels) say which amount is the grand total."""
    out = []
    prose = [
        a
        for a in amounts
        if a.placement is None
        and a.parent is None
        and a.value is not None
        and a.measure in ("plan", "carryover")
        and not a.per_unit
    ]
    where = _ProseByPlace(prose, sections)
    for program in sorted({s.program for s in sections if s.kind == "project"}, key=str):
        projects = [
            s
            for s in sections
            if s.kind == "project"
            and s.program == program
            and not any(anc.kind == "project" for anc in s.ancestors())
        ]
        totals = [t for p in projects if (t := _stated_total(p, where)) is not None]
        grand = next(
            (
                a
                for a in prose
                if a.section is not None
                and a.section.nearest("project") is None
                and (a.section.program == program or program is None)
                and total_words.search(fold(a.label))
            ),
            None,
        )
        if grand is None or grand.value is None or len(totals) < 2 or len(totals) != len(projects):
            continue
        actual = round(sum(v for v, _ in totals), 9)
        line = lines[grand.block.locate(grand.start, grand.end)[0]]
        agree = abs(grand.value - actual) <= rounding_tolerance([a for _, a in totals])
        out.append(
            Check(
                "total_reconciliation",
                "info" if agree else "warning",
                f"line {line.number}: the plan's total {grand.number.raw} ({grand.value:g} triệu đồng) "
                + ("equals" if agree else "differs from")
                + f" the sum of its {len(totals)} projects' totals ({actual:g} triệu đồng)",
                line=line.number,
                page=line.page,
                expected=grand.value,
                actual=actual,
            )
        )
    return out


class _ProseByPlace:
    """Prose amounts by the project they stand in directly (not in a sub-project) and by
    sub-project, and each project's sub-projects: found once, not per project."""

    def __init__(self, prose: list[Amount], sections: list[Section]):
        self.own: dict[int, list[Amount]] = {}
        self.in_subproject: dict[int, list[Amount]] = {}
        for a in prose:
            if a.section is None:
                continue
            sub = a.section.nearest("subproject")
            if sub is None:
                self.own.setdefault(id(a.section.nearest("project")), []).append(a)
            else:
                self.in_subproject.setdefault(id(sub), []).append(a)
        self.subprojects: dict[int, list[Section]] = {}
        for s in sections:
            if s.kind == "subproject":
                self.subprojects.setdefault(id(s.nearest("project")), []).append(s)


def _stated_total(project: Section, where: _ProseByPlace) -> tuple[float, Amount] | None:
    """A project's total: its one top-level amount, or else the sum of its sub-projects'
    when each states exactly one. Several top-level amounts and no total: not stated."""

    def single(amounts: list[Amount]) -> Amount | None:
        return amounts[0] if len(amounts) == 1 else None

    own = where.own.get(id(project), [])
    if own:
        total = single(own)
        return (total.value, total) if total is not None and total.value is not None else None
    subs = where.subprojects.get(id(project), [])
    parts = [single(where.in_subproject.get(id(s), [])) for s in subs]
    values = [p.value for p in parts if p is not None and p.value is not None]
    if not subs or len(values) != len(parts) or parts[0] is None:
        return None
    return round(sum(values), 9), parts[0]


def ratio_checks(targets: list[Target], lines: list[Line]) -> list[Check]:
    """A ratio ("41/58") against the percentage stated right after it, beyond rounding."""
    out = []
    # each paragraph's percentages by start, with their place in TARGETS: the first of them
    # (in TARGETS' order) within reach after a ratio is its stated percentage
    percents: dict[int, tuple[list[int], list[int]]] = {}
    for i, u in enumerate(targets):
        if u.unit == "percent":
            percents.setdefault(id(u.block), ([], []))[1].append(i)
    for starts, order in percents.values():
        order.sort(key=lambda i: targets[i].start)
        starts.extend(targets[i].start for i in order)
    for t in targets:
        if t.numerator is None or not t.denominator:
            continue
        starts, order = percents.get(id(t.block), ([], []))
        lo = bisect.bisect_left(starts, t.end)
        hi = bisect.bisect_right(starts, t.end + RATIO_PERCENT_REACH)
        stated = targets[min(order[lo:hi])] if hi > lo else None
        if stated is None:
            continue
        ratio = 100 * t.numerator / t.denominator
        if abs(ratio - stated.value) > 0.5 * 10 ** (-stated.number_decimals) + 1e-9:
            line = lines[t.block.locate(t.start, t.end)[0]]
            out.append(
                Check(
                    "ratio_mismatch",
                    "warning",
                    f"line {line.number}: {t.numerator:g}/{t.denominator:g} is {ratio:.2f}%, "
                    f"but the text says {stated.value:g}%",
                    line=line.number,
                    page=line.page,
                    expected=stated.value,
                    actual=round(ratio, 4),
                )
            )
    return out


# ---- sums on OCR'd figures ------------------------------------------------------------------
# A sum that fails on a scan may be the scan's fault: a separator lost or moved ("592,3"
# read as 5923), or one digit misread. The check then names the figure whose correction
# restores the sum, the least confident reading first.


@dataclass(frozen=True)
class Misreading:
    amount: Amount
    corrected: float  # the figure as it would have to read (in its own unit) for the sum to hold
    how: str  # "a separator lost or moved", "one digit", "a digit lost", "a digit too many"
    confidence: float | None  # the OCR word confidence of the figure as read


def likely_misreading(total: Amount, confidence: Callable[[Amount], float | None]) -> Misreading | None:
    """Among the total and the parts of a breakdown of it that does not add up, the figure
    most likely misread: one whose value with a separator moved (times a power of ten) or
    one digit changed, lost or added restores the sum; of several, the least confident
    reading, then a separator before a digit. None when no single correction restores it."""
    written_total = total.value
    if written_total is None:
        return None
    found: list[tuple[tuple, Misreading]] = []
    for parts in summable_breakdowns(total):
        part_values = {id(p): p.value for p in parts if p.value is not None}
        tolerance = rounding_tolerance(parts)
        if abs(written_total - sum(part_values.values())) <= tolerance:
            continue
        for order, figure in enumerate([total, *parts]):
            for rank, (written, how) in enumerate(_corrections(figure)):
                value = round(written * (figure.factor or 1), 9)
                new_total = value if figure is total else written_total
                new_sum = sum(value if p is figure else part_values[id(p)] for p in parts)
                if abs(new_total - new_sum) <= tolerance:
                    seen = confidence(figure)
                    found.append(
                        (
                            (seen if seen is not None else 101.0, rank > 0, order),
                            Misreading(figure, written, how, seen),
                        )
                    )
                    break
    return min(found, key=lambda item: item[0])[1] if found else None


def _corrections(figure: Amount) -> list[tuple[float, str]]:
    """The figure's value read otherwise: separators lost or moved first, then each digit
    changed in turn, then a digit lost or one too many."""
    value = figure.number.value
    if value is None:
        return []
    out = [(round(value * 10.0**k, 9), "a separator lost or moved") for k in (-1, 1, -2, 2, -3, 3)]
    raw = figure.number.raw
    for i, ch in enumerate(raw):
        if not ch.isdigit():
            continue
        for digit in "0123456789":
            if digit == ch or (digit == "0" and i == 0):
                continue
            changed = parse_vn_number(raw[:i] + digit + raw[i + 1 :])
            if changed.value is not None:
                out.append((changed.value, "one digit"))
    for i in range(len(raw) + 1):
        for digit in "0123456789":
            longer = parse_vn_number(raw[:i] + digit + raw[i:])
            if longer.value is not None and not longer.raw.startswith("0"):
                out.append((longer.value, "a digit lost"))
        if i < len(raw) and raw[i].isdigit():
            shorter = parse_vn_number(raw[:i] + raw[i + 1 :])
            if shorter.value is not None and shorter.raw[:1] not in ("", "0", ".", ","):
                out.append((shorter.value, "a digit too many"))
    return out


# ---- checks on what the reader and the stages met -------------------------------------------
def source_checks(name: str, problems: list[PageProblem]) -> list[Check]:
    """What the reader met in file NAME (a page it could not read, bytes it repaired)."""
    return [Check(p.kind, p.severity, f"{name}: {p.message}", page=p.page) for p in problems]


def taxonomy_checks(overrides: list[tuple[int, TitleOverride]]) -> list[Check]:
    """Headings whose number and title name different official items (taxonomy.assign_codes)."""
    return [
        Check(note.check_kind, note.severity, f"line {line}: {note.message}", line=line)
        for line, note in overrides
    ]


def repair_checks(repairs: list[Repair]) -> list[Check]:
    return [
        Check(
            "page_order_repaired",
            "info",
            f"line {r.line}: '{r.what[:40]}' is out of page order; attached to "
            f"'{r.target.label} {r.target.title[:40]}'",
            line=r.line,
        )
        for r in repairs
    ]


def table_unit_checks(table: Table, amounts: list[Amount], lines: list[Line]) -> list[Check]:
    """A money table's unit: given once above it (info), or missing (warning: its figures
    were not read)."""
    first = lines[table.first_line].number
    page = lines[table.first_line].page
    if amounts and table.unit_line is not None:
        return [
            Check(
                "unit_missing",
                "info",
                f"table at line {first}: its {len(amounts)} figures have no unit of their own; "
                f"'{lines[table.unit_line].clean}' (line {table.unit_line + 1}) gives {table.unit_raw}",
                line=first,
                page=page,
            )
        ]
    if not amounts and table.factor is None:
        return [
            Check(
                "unit_missing",
                "warning",
                f"table at line {first}: a funding table with no unit (no 'Đơn vị tính' line "
                f"and none in its header); its figures were not read as amounts",
                line=first,
                page=page,
            )
        ]
    return []


def amount_checks(a: Amount, amount_id: str, line: int, page: int | None) -> list[Check]:
    """An amount's own problems: a malformed or repaired number, a unit taken from its
    siblings, parts that do not add up to it. LINE and PAGE: where it stands."""
    out = []
    where: dict[str, Any] = {"line": line, "page": page, "amount_id": amount_id}
    if a.number.status == "malformed":
        out.append(
            Check(
                "malformed_number",
                "error",
                f"line {line}: '{a.number.raw}' is not a valid Vietnamese number "
                f"({a.number.note}); value left empty",
                **where,
            )
        )
    elif a.number.status == "repaired":
        out.append(
            Check(
                "repaired_number",
                "warning",
                f"line {line}: '{a.number.raw}' read as {a.number.value} ({a.number.note})",
                **where,
            )
        )
    elif _comma_in_doubt(a):
        out.append(
            Check(
                "ambiguous_separator",
                "warning",
                f"line {line}: '{a.number.raw}' read as the decimal {a.number.value:g} (a comma "
                f"marks decimals); if its comma groups thousands, the English way, the figure "
                f"is {(a.number.value or 0) * 1000:g}, a thousand times more",
                **where,
            )
        )
    else:
        head = _space_grouped_head(a)
        if head:
            out.append(
                Check(
                    "ambiguous_separator",
                    "warning",
                    f"line {line}: '{a.number.raw}' read alone, after '{head} '; if the space "
                    f"groups thousands (as converted PDFs write them), the figure is "
                    f"{head}.{a.number.raw}, not {a.number.raw}",
                    **where,
                )
            )
    if a.unit_inferred and a.placement is None:  # a table's unit is reported once per table
        sibling = next(
            (b.unit_raw for b in (a.parent.children if a.parent else []) if b.unit_raw), "triệu đồng"
        )
        out.append(
            Check(
                "unit_missing",
                "info",
                f"line {line}: '{a.number.raw}' has no unit; '{sibling}' taken from the amounts beside it",
                **where,
            )
        )
    problem = sum_problem(a)
    if problem:
        expected, actual, n_parts = problem
        out.append(
            Check(
                "sum_mismatch",
                "warning",
                f"line {line}: total {a.number.raw} ({expected:g} triệu đồng) but its "
                f"{n_parts} parts add up to {actual:g}",
                **where,
                expected=expected,
                actual=actual,
            )
        )
    return out


def _comma_in_doubt(a: Amount) -> bool:
    """ "37,450 triệu đồng" is exact to the thousand đồng, which plans seldom write: it may
    be a thousands comma typed the English way. Not in doubt: "464,650 tỷ đồng" (exact to
    the million, a plan's usual precision) and a figure in a sum of written parts, where
    the sum speaks ("280,35 trđ, trong đó 267,0 trđ và 13,350 trđ" adds up; one that does
    not is a sum_mismatch, and a comma total read back from its parts is repaired)."""
    if not comma_may_group_thousands(a.number.raw) or a.factor is None or a.factor > 1:
        return False
    return not _in_a_written_sum(a)


_THREE_DIGITS = regex.compile(r"\d{3}")
_SPACED_HEAD = regex.compile(r"(?<![\d.,/])(\d{1,3})[ \u00a0]$")


def _space_grouped_head(a: Amount) -> str | None:
    """ "1 200 triệu đồng" is read as 200 (a figure stops at a space), but the space may group
    thousands: the one to three digits standing just before a three-digit figure, when the
    figure is in no sum of written parts (there the sum speaks)."""
    if a.placement is not None or not _THREE_DIGITS.fullmatch(a.number.raw):
        return None
    m = _SPACED_HEAD.search(a.block.text, max(0, a.start - 5), a.start)
    return None if m is None or _in_a_written_sum(a) else m.group(1)


def _in_a_written_sum(a: Amount) -> bool:
    """A is a total, or a part of its total, whose breakdown can be added up: the sum
    settles how its figures read."""
    return any(_in_a_sum(total, a) for total in [a] + ([a.parent] if a.parent else []))


def _in_a_sum(total: Amount, member: Amount) -> bool:
    """A breakdown of TOTAL that holds MEMBER (any, when MEMBER is TOTAL) can be added up:
    two parts or more, every value known."""
    return total.value is not None and any(
        member is total or any(p is member for p in parts) for parts in summable_breakdowns(total)
    )


def explain_misreadings(
    checks: list[Check],
    amounts: dict[str, Amount],
    confidence: dict[int, float | None],
    where: Callable[[Amount], tuple[int, int | None]],
) -> None:
    """On a scan, a failing sum with an OCR'd figure in it names the figure most likely
    misread. AMOUNTS by id; CONFIDENCE: the word confidence of each OCR'd figure (by id()
    of the amount); WHERE: an amount's line and page."""
    for check in checks:
        if check.kind != "sum_mismatch" or check.amount_id not in amounts:
            continue
        total = amounts[check.amount_id]
        figures = [total, *total.children]
        check.ocr = any(confidence.get(id(a)) is not None for a in figures)
        misread = likely_misreading(total, lambda a: confidence.get(id(a))) if check.ocr else None
        if misread is not None:
            line, page = where(misread.amount)
            said = f", confidence {misread.confidence:g}" if misread.confidence is not None else ""
            check.message += (
                f"; on this scan the figure most likely misread is '{misread.amount.number.raw}' "
                f"(line {line}, page {page}{said}): read as {misread.corrected:g} "
                f"({misread.how}), the sum holds"
            )
