"""Funding tables: tab-separated rows (from PDF conversion, DOCX tables and pdfplumber
tables) and tables one cell per line (law-site exports, celltables.py) read as a grid. The
header says what each column holds (total, funding source, capital type, year), the order
cells (I, 1, 1.1, a) nest the rows, and the "Đơn vị tính" line gives the unit. Every figure
becomes an Amount with the attributes of its row and column: a row's total is the parent of
its parts, a total row ("Tổng cộng") the parent of the rows it sums. A table that a page
break interrupts is read as one.

Small stages, each a function of its input and the settings (TableSettings, compiled once
from the rules), as pdfplumber's table.py chains edges -> intersections -> cells -> tables:

    tab_runs (lines -> runs of tab-separated lines) -> split_header (header rows, data rows)
    -> table_columns (what each column holds) -> table_rows (order, level, nesting, placement)
    -> table_amounts (figures with their attributes, parents linked) / table_percentages

Vocabulary: rules/tables.yaml (and the money vocabulary of rules/money.yaml)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from .amounts import Amount, Placement, inherited_rule, unit_factors, unit_key
from .document import Block, Line
from .rules import Hit, Rules, phrase_regex
from .sections import typed_head
from .targets import Target
from .textnorm import fold, nfc
from .vnnumbers import NUMBER_PATTERN, parse_vn_number

if TYPE_CHECKING:
    from .celltables import CellTable

_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# "Tổng cộng", "Cộng các dự án": longer names that open with "Tổng" are rows of their own
# ("Tổng hợp nhu cầu vốn của các xã …")
TOTAL_ROW_NAME_MAX = 40
_FIGURE = regex.compile(rf"\s*(?P<num>{NUMBER_PATTERN})\s*")


@dataclass
class Column:
    index: int
    header: str
    kind: str = "money"  # label | money | total | other
    funding_source: str | None = None
    capital_type: str | None = None
    measure: str | None = None
    year: int | None = None
    group: int | None = None  # the column whose total this one is a part of
    factor: float | None = None  # a unit written in the header cell ("Kinh phí (triệu đồng)")
    rules: dict[str, str] = field(default_factory=dict)  # attribute -> the rule that gave it


@dataclass
class Cell:
    text: str
    start: int  # in its line (raw)
    end: int
    line: Line | None = None  # its own line when not the row's (a table one cell per line)


@dataclass
class TableRow:
    line: Line
    cells: dict[int, Cell]
    order: str = ""
    name: str = ""
    level: int = 100
    parent: "TableRow | None" = None
    placement: Placement = field(default_factory=Placement)
    funding_source: str | None = None
    capital_type: str | None = None
    measure: str | None = None
    block: Block | None = None
    rules: dict[str, str] = field(default_factory=dict)  # attribute -> the rule that gave it


@dataclass
class Table:
    lines: list[Line]  # every line of the table, header and repeated headers included
    columns: list[Column]
    rows: list[TableRow]
    caption: str  # the lines just above it (title, unit line)
    unit_raw: str | None
    factor: float | None
    unit_line: int | None  # the line index of "Đơn vị tính: …"
    is_money: bool
    percent: bool = False  # "Đơn vị tính: %": its figures are percentages
    unit_column: int | None = None  # a column giving each row its unit ("Triệu đồng", "%", "Tỷ đồng")
    program: str | None = None  # the one program its caption names, for rows that name none
    unit_rule: str | None = None  # the rule that gave the table its unit

    @property
    def first_line(self) -> int:
        return self.lines[0].index

    @property
    def line_indexes(self) -> list[int]:
        return [ln.index for ln in self.lines]


@dataclass(frozen=True)
class TableSettings:
    """What the table stages read from the rules (rules/tables.yaml and money.yaml),
    compiled once."""

    rules: Rules  # funding source, capital type, measure and program vocabularies; typed heads
    unit_line: regex.Pattern  # "Đơn vị tính: triệu đồng"
    unit_reach: int  # how many caption lines above a table may give its unit
    caption_reach: int
    gap: int  # blank lines a page break may leave inside a table
    abbreviations: tuple[tuple[regex.Pattern, str], ...]  # header abbreviations, longest first
    label_words: regex.Pattern
    other_words: regex.Pattern
    total_words: regex.Pattern
    money_words: regex.Pattern
    levels: tuple[regex.Pattern, ...]  # the order cells of each row level, outermost first
    order_confusions: dict[int, str]  # str.maketrans of a scan's confusions ("lI" for "II")
    column_number: regex.Pattern
    percent_unit: regex.Pattern
    percent_header: regex.Pattern
    other_unit: regex.Pattern
    placeholders: frozenset[str]  # "-": a figure cell left empty
    percent_kinds: tuple[tuple[str, regex.Pattern], ...]
    outside_total: regex.Pattern
    factors: dict[str, float]  # unit_key -> factor to triệu đồng
    unit_in_header: regex.Pattern

    @classmethod
    def from_rules(cls, rules: Rules) -> TableSettings:
        t = rules.section("tables")
        spellings = sorted(
            (s for u in rules.section("money")["units"] for s in u["spellings"]), key=len, reverse=True
        )
        return cls(
            rules=rules,
            unit_line=regex.compile(t["unit_line"]),
            unit_reach=int(t["unit_line_reach"]),
            caption_reach=int(t["caption_reach"]),
            gap=int(t["page_break_gap"]),
            abbreviations=tuple(
                (regex.compile(rf"(?<!\w){regex.escape(k)}(?!\w)"), v)
                for k, v in sorted(t["header_abbreviations"].items(), key=lambda kv: -len(kv[0]))
            ),
            label_words=phrase_regex(fold(w) for w in t["label_columns"]),
            other_words=phrase_regex(fold(w) for w in t["other_columns"]),
            total_words=phrase_regex(fold(w) for w in t["total_words"]),
            money_words=phrase_regex(fold(w) for w in t["money_header_words"]),
            levels=tuple(regex.compile(p) for p in t["row_levels"]),
            order_confusions=str.maketrans(t["order_confusions"]),
            column_number=regex.compile(t["column_number_cell"]),
            percent_unit=regex.compile(t["percent_unit"]),
            percent_header=regex.compile(t["percent_header"]),
            other_unit=regex.compile(t["other_unit_cell"]),
            placeholders=frozenset(t["placeholder_cells"]),
            percent_kinds=tuple(
                (e["value"], phrase_regex(fold(w) for w in e["phrases"])) for e in t["percent_kinds"]
            ),
            outside_total=phrase_regex(fold(w) for w in t["outside_total_words"]),
            factors=unit_factors(rules),
            unit_in_header=regex.compile(
                r"(?<!\w)(?P<unit>" + "|".join(regex.escape(s) for s in spellings) + r")(?!\w)",
                regex.IGNORECASE,
            ),
        )


class TableReader:
    """The table stages with their settings: find (runs -> header -> columns -> rows),
    then a table's amounts and percentages."""

    def __init__(self, rules: Rules):
        self.settings = TableSettings.from_rules(rules)

    def find(self, lines: list[Line], cell_tables: Iterable[CellTable] = ()) -> list[Table]:
        return find_tables(lines, cell_tables, self.settings)

    def amounts(self, table: Table) -> list[Amount]:
        return table_amounts(table, self.settings)

    def targets(self, table: Table, indicator_key: Callable[[str], str]) -> list[tuple[Target, Placement]]:
        return table_percentages(table, indicator_key, self.settings)


Grid = list[tuple[Line, dict[int, Cell]]]  # a table's lines, each with its cells by column


# ---- finding: runs -> header -> columns -> rows ------------------------------------------------
def find_tables(lines: list[Line], cell_tables: Iterable[CellTable], s: TableSettings) -> list[Table]:
    """Tab-separated tables, then CELL_TABLES (celltables.CellTable: rows of cells already
    split, one cell per line)."""
    cell_tables = list(cell_tables)
    elsewhere = {i for ct in cell_tables for i in ct.line_indexes}
    grids: list[tuple[list[Line], Grid]] = [
        (run, [(line, _cells(line)) for line in run]) for run in tab_runs(lines, s)
    ]
    grids += [(ct.lines, [(r.line, r.cells) for r in ct.rows]) for ct in cell_tables]
    tables = []
    for table_lines, grid in grids:
        table = read_table(table_lines, grid, lines, elsewhere, s)
        if table is not None:
            tables.append(table)
    return tables


def tab_runs(lines: list[Line], s: TableSettings) -> list[list[Line]]:
    """Consecutive tab-separated lines; two runs apart only by blank lines (a page break
    whose number line was removed) with as many columns are one table."""
    runs: list[list[Line]] = []
    current: list[Line] = []
    gap: list[Line] = []
    for line in lines:
        if "\t" in line.raw and len([c for c in line.raw.split("\t") if c.strip()]) >= 1:
            if (
                current
                and gap
                and not (
                    len(gap) <= s.gap
                    and all(not g.clean for g in gap)
                    and abs(_width(line) - _width(current[0])) <= 1
                )
            ):
                runs.append(current)
                current = []
            current.append(line)
            gap = []
        elif current:
            gap.append(line)
            if len(gap) > s.gap or line.clean:
                runs.append(current)
                current, gap = [], []
    if current:
        runs.append(current)
    return [r for r in runs if len(r) >= 2]


def read_table(
    run: list[Line], grid: Grid, lines: list[Line], elsewhere: set[int], s: TableSettings
) -> Table | None:
    """One grid through the stages: header, columns, caption and unit, rows."""
    split = split_header(grid, s)
    if split is None:
        return None
    header, data = split
    width = max(max(c, default=0) for c in [*(h.keys() for h in header), *(d.keys() for _, d in data)]) + 1
    columns = table_columns(header, width, s)
    orders = [cells[0].text for _, cells in data if 0 in cells]
    if columns and orders and all(_order(o, s) is not None for o in orders):
        columns[0].kind = "label"  # the order column, whatever its header ("ST T" wrapped)
    caption_lines = _caption_lines(run[0], lines, elsewhere, s)
    caption = " ".join(ln.clean for ln in caption_lines)
    unit_raw, unit_line = _unit(caption_lines, columns, s)
    factor = s.factors.get(unit_key(unit_raw)) if unit_raw else None
    percent = unit_raw is not None and s.percent_unit.fullmatch(unit_raw) is not None
    unit_column = _unit_column(data, columns, s)
    header_text = " ".join(c.header for c in columns)
    is_money = not percent and (
        factor is not None
        or any(c.factor for c in columns)
        or unit_column is not None
        or bool(s.money_words.search(fold(header_text + " " + caption)))
    )
    unit_rule = None
    if factor is not None:
        unit_rule = f'tables.yaml unit_line "{unit_raw}"' + (
            "" if unit_line is not None else " in the header"
        )
    near = fold(" ".join(ln.clean for ln in caption_lines[-s.unit_reach :]))  # the title, not prose above
    programs = {v for v, _, p in s.rules.programs_vocab.entries if p.search(near)}
    program = programs.pop() if len(programs) == 1 else None
    return Table(
        lines=run,
        columns=columns,
        rows=table_rows(data, columns, program, s),
        caption=caption,
        unit_raw=unit_raw,
        factor=factor,
        unit_line=unit_line,
        is_money=is_money,
        percent=percent,
        unit_column=unit_column,
        program=program,
        unit_rule=unit_rule,
    )


def split_header(grid: Grid, s: TableSettings) -> tuple[list[dict[int, Cell]], Grid] | None:
    """(the header rows, the data rows): the rows before the first with a figure (at most
    four); a row numbering the columns and the header printed again after a page break are
    left out. None when either is empty."""
    header: list[dict[int, Cell]] = []
    data: Grid = []
    for line, cells in grid:
        if _column_numbers(cells, s):
            continue
        if not data and not _has_figure(cells) and len(header) < 4:
            header.append(cells)
        elif data and header and _repeats_header(cells, header):
            continue  # the header printed again after a page break
        else:
            data.append((line, cells))
    return (header, data) if header and data else None


def _unit(
    caption_lines: list[Line], columns: list[Column], s: TableSettings
) -> tuple[str | None, int | None]:
    """(the unit as written, the index of the "Đơn vị tính" line giving it): the last such
    line just above the table, else one in its header."""
    unit_raw, unit_line = None, None
    for ln in caption_lines[-s.unit_reach :]:
        m = s.unit_line.search(ln.clean)
        if m:
            unit_raw, unit_line = m["unit"].strip(), ln.index
    if unit_raw is None:
        m = s.unit_line.search(" ".join(c.header for c in columns))
        unit_raw = m["unit"].strip() if m else None
    return unit_raw, unit_line


def _unit_column(data: Grid, columns: list[Column], s: TableSettings) -> int | None:
    """A column whose cells are units ("Triệu đồng", "Tỷ đồng", "%", "Triệu USD"): each
    row's figures are in its row's unit."""
    for col in columns[1:]:
        if col.kind not in ("other", "label"):
            continue
        texts = [cells[col.index].text for _, cells in data if col.index in cells]
        units = [t for t in texts if _unit_of(t, s) is not None]
        if units and len(units) >= 0.8 * len(texts) and any(s.factors.get(unit_key(u)) for u in units):
            col.kind = "unit"
            return col.index
    return None


def _unit_of(text: str, s: TableSettings) -> str | None:
    """ "money", "percent" or "other" (a currency or measure: "Triệu USD", "ha") when TEXT
    is a unit cell, else None."""
    if s.factors.get(unit_key(text)) is not None:
        return "money"
    if s.percent_unit.fullmatch(text.strip()):
        return "percent"
    return "other" if s.other_unit.fullmatch(text.strip()) else None


def _caption_lines(first: Line, lines: list[Line], elsewhere: set[int], s: TableSettings) -> list[Line]:
    out = []
    for ln in reversed(lines[max(0, first.index - s.caption_reach) : first.index]):
        if "\t" in ln.raw or ln.index in elsewhere:
            break
        out.append(ln)
    return list(reversed(out))


def _column_numbers(cells: dict[int, Cell], s: TableSettings) -> bool:
    """A row numbering the columns: "(1) (2) (3)…", "1 2 3=4+7 …"; OCR may garble a cell or
    two, so most cells numbering left to right is enough."""
    texts = [c.text for c in cells.values() if c.text]
    numbered = [int(m["n"]) for t in texts if (m := s.column_number.match(t))]
    wordless = not any(regex.search(r"\p{L}{2,}", t) for t in texts)
    return (
        wordless
        and len(numbered) >= 3
        and len(numbered) >= 0.6 * len(texts)
        and numbered == sorted(set(numbered))
        and numbered[0] == 1
    )


def _has_figure(cells: dict[int, Cell]) -> bool:
    return any(
        i > 0
        and _FIGURE.fullmatch(c.text)
        and parse_vn_number(c.text.strip()).value is not None
        and not _YEAR.fullmatch(c.text.strip())
        for i, c in cells.items()
    )


def _repeats_header(cells: dict[int, Cell], header: list[dict[int, Cell]]) -> bool:
    texts = {i: c.text for i, c in cells.items() if c.text}
    return any(texts == {i: c.text for i, c in h.items() if c.text} for h in header)


# ---- columns ---------------------------------------------------------------------------------
def table_columns(header: list[dict[int, Cell]], width: int, s: TableSettings) -> list[Column]:
    """The columns the header rows describe; an upper header cell spanning the columns
    under it ("Ngân sách Trung ương" over "Tổng số | ĐTPT | SN") stands in each of them."""
    grid = [[h[c].text if c in h else "" for c in range(width)] for h in header]
    spans: dict[int, int] = {}  # column -> the column its spanning upper header stands in
    for r, row in enumerate(grid[:-1]):
        below = grid[r + 1 :]
        for c in range(1, width):
            if row[c] or not any(b[c] for b in below):
                continue
            src = next((k for k in range(c - 1, -1, -1) if row[k]), None)
            src = spans.get(src, src) if src is not None else None  # the cell the span is written in
            if src is not None and any(b[src] for b in below):
                row[c] = row[src]
                spans[c] = src
    columns = [column(c, nfc(" ".join(" ".join(row[c] for row in grid).split())), s) for c in range(width)]
    for c, src in spans.items():
        lowest = next((row[src] for row in reversed(grid) if row[src]), "")
        if columns[src].kind != "other" and (s.total_words.search(fold(lowest)) or lowest == grid[0][src]):
            columns[c].group = src  # "Ngân sách Trung ương" over "Tổng số | ĐTPT | SN"
    return columns


def column(index: int, header: str, s: TableSettings) -> Column:
    """What a column's header says it holds."""
    spelled = header
    for pattern, meaning in s.abbreviations:
        spelled = pattern.sub(meaning, spelled)
    folded = fold(spelled)
    col = Column(index, header)
    hits = _hits(folded, s)
    col.funding_source, col.capital_type, col.measure = (h.value if h else None for h in hits.values())
    col.rules = {k: f"{h.rule} in the column header" for k, h in hits.items() if h}
    years = _YEAR.findall(header)
    col.year = int(years[-1]) if years else None
    unit = s.unit_in_header.search(header)
    col.factor = s.factors.get(unit_key(unit["unit"])) if unit else None
    if col.factor is not None and unit is not None:
        col.rules["unit"] = f'money.yaml units "{unit["unit"]}" in the column header'
    described = col.funding_source or col.capital_type or col.year or col.measure
    if s.percent_header.search(header):
        col.kind, col.factor = "other", None  # a percentage column is never money ("Tỷ lệ giải ngân (%)")
    elif s.other_words.search(folded) and not described:
        col.kind = "other"
    elif s.total_words.search(folded) and not (col.funding_source or col.capital_type):
        col.kind = "total"
    elif s.label_words.search(folded) and not described and not s.money_words.search(folded):
        col.kind = "label"
    return col


# ---- rows ------------------------------------------------------------------------------------
def table_rows(data: Grid, columns: list[Column], program: str | None, s: TableSettings) -> list[TableRow]:
    """The data rows with their order, name and level, nested (a total row over the rows
    it sums) and placed (PROGRAM: the table's, for rows that name none)."""
    label_cols = [c.index for c in columns if c.kind == "label"] or [0]
    rows: list[TableRow] = []
    for line, cells in data:
        texts = [(c, cells[c].text) for c in label_cols if c in cells and cells[c].text]
        written, order = next(((t, o) for c, t in texts if (o := _order(t, s)) is not None), ("", ""))
        name = " ".join(t for c, t in texts if t != written)
        figures = any(
            c not in label_cols and (_FIGURE.fullmatch(cell.text) or cell.text in s.placeholders)
            for c, cell in cells.items()
        )  # "-": a figure cell left empty, not a wrapped name
        if not figures and not order and rows:
            rows[-1].name = f"{rows[-1].name} {name}".strip()  # a name wrapped onto the next line
            continue
        row = TableRow(line, cells, order, nfc(name))
        if (
            s.total_words.match(fold(name))
            and len(name) <= TOTAL_ROW_NAME_MAX
            or s.total_words.match(fold(order))
        ):
            row.level = -1
        else:
            level = _level(order, s)
            row.level = level if level is not None else 100
        rows.append(row)
    _levels_of_unnumbered(rows, s)
    _nest(rows)
    _outside_totals(rows, s)
    placed: set[int] = set()

    def place(row: TableRow) -> None:  # a row's parent first: a total row may stand below its rows
        if id(row) in placed:
            return
        placed.add(id(row))
        if row.parent is not None:
            place(row.parent)
        _place(row, program, s)

    for row in rows:
        place(row)
    return rows


def _nest(rows: list[TableRow]) -> None:
    """Each row's parent: the last row above it at a lower level; the first total row is
    the parent of the rows above it that have none."""
    for k, row in enumerate(rows):
        row.parent = next((rows[j] for j in range(k - 1, -1, -1) if rows[j].level < row.level), None)
        if row.level == -1 and k and not any(rows[j].level == -1 for j in range(k)):
            for above in rows[:k]:  # a total row under the rows it sums
                if above.parent is None:
                    above.parent = row


def _outside_totals(rows: list[TableRow], s: TableSettings) -> None:
    """A total that names its parts ("Tổng (I+II)") does not sum the other rows, nor does a
    row that says so ("(không tính vào tổng)")."""
    for row in rows:
        total = row.parent
        if total is None or total.level != -1:
            continue
        named = _SUMMED.search(total.name)
        parts = {p.strip().rstrip(".") for p in named[1].split("+")} if named else None
        if parts and not all(_level(p, s) is not None for p in parts):
            parts = None
        if (parts is not None and row.order.strip().rstrip(".") not in parts) or s.outside_total.search(
            fold(row.name)
        ):
            row.parent = None


def _order(text: str, s: TableSettings) -> str | None:
    """The order a cell writes ("II", "1.2", "a"), read through the confusions of a scan
    ("lI" for "II"); None when it is no order."""
    if _level(text, s) is not None:
        return text
    read = text.translate(s.order_confusions)
    return read if read != text and _level(read, s) is not None else None


def _levels_of_unnumbered(rows: list[TableRow], s: TableSettings) -> None:
    """A row whose order cell is empty (lost on a scan) but whose name says it is a project
    or a sub-project ("Dự án 1: …") stands at the level the numbered rows of that kind have."""
    kinds = {id(r): typed[0].kind for r in rows if (typed := typed_head(r.name, s.rules))}
    numbered: dict[str, list[int]] = {}
    for r in rows:
        if r.order and id(r) in kinds:
            numbered.setdefault(kinds[id(r)], []).append(r.level)
    for r in rows:
        if r.level == 100 and not r.order and kinds.get(id(r)) in numbered:
            levels = numbered[kinds[id(r)]]
            r.level = max(set(levels), key=levels.count)


def _level(order: str, s: TableSettings) -> int | None:
    return next((i for i, p in enumerate(s.levels) if p.match(order.strip())), None)


def _place(row: TableRow, program: str | None, s: TableSettings) -> None:
    """Program, project and sub-project, funding source, capital type and measure the row's
    name gives, else those of the row it belongs to (else PROGRAM, the table's)."""
    parent = row.parent
    inherited = parent.placement if parent else Placement(program)
    folded = fold(row.name)
    named = s.rules.programs_vocab.first(folded)
    typed = typed_head(row.name, s.rules)
    kind, number = (typed[0].kind, typed[1]) if typed else (None, None)
    if kind == "project":
        row.placement = Placement(named or inherited.program, number, None)
    elif kind == "subproject":
        row.placement = Placement(named or inherited.program, inherited.project, number)
    else:
        row.placement = Placement(
            named or inherited.program,
            None if named else inherited.project,
            None if named else inherited.subproject,
        )
    # a funding row ("Vốn đối ứng ngân sách huyện") says what its figures are; a project
    # title ("Hỗ trợ đầu tư phát triển hạ tầng…") does not
    own = "" if kind or named else folded
    for attribute, hit in _hits(own, s).items():
        if hit is not None:
            setattr(row, attribute, hit.value)
            row.rules[attribute] = f"{hit.rule} in the row's name"
        elif parent is not None:
            setattr(row, attribute, getattr(parent, attribute))
            if attribute in parent.rules:
                row.rules[attribute] = inherited_rule(parent.rules[attribute])


_RULED = ("funding_source", "capital_type", "measure")  # the attributes a header or a row name gives


def _hits(folded: str, s: TableSettings) -> dict[str, Hit | None]:
    """The funding source, capital type and measure FOLDED names, with the rules that fired."""
    r = s.rules
    return {
        "funding_source": r.funding_source.first_hit(folded),
        "capital_type": r.capital_type.first_hit(folded),
        "measure": r.measure.first_hit(folded),
    }


def _row_unit(table: Table, row: TableRow, s: TableSettings) -> str | None:
    cell = row.cells.get(table.unit_column) if table.unit_column is not None else None
    return cell.text if cell is not None and _unit_of(cell.text, s) is not None else None


# ---- percentages -----------------------------------------------------------------------------
def table_percentages(
    table: Table, indicator_key: Callable[[str], str], s: TableSettings
) -> list[tuple[Target, Placement]]:
    """The percentages of a table: every figure of a percentage table ("Đơn vị tính: %"), of
    a percentage column ("Tỷ lệ (%)") or of a row whose unit is "%", with the placement of
    its row. A percentage column of a money table is not money."""
    caption = fold(table.caption)
    caption_years = _YEAR.findall(table.caption)
    out: list[tuple[Target, Placement]] = []
    for row in table.rows:
        row_unit = _row_unit(table, row, s)
        row_percent = row_unit is not None and _unit_of(row_unit, s) == "percent"
        for col in table.columns:
            cell = row.cells.get(col.index)
            if cell is None or col.kind in ("label", "unit"):
                continue
            figure_col = col.kind in ("money", "total")
            percent_col = s.percent_header.search(col.header) is not None
            if not ((table.percent and figure_col) or percent_col or (row_percent and figure_col)):
                continue
            block = _line_block(cell.line or row.line)
            m = _FIGURE.fullmatch(block.text[cell.start : cell.end])
            if m is None:
                continue
            number = parse_vn_number(m["num"], decimal_point_ok=True)
            if number.value is None:
                continue
            start = cell.start + m.start("num")
            header = fold(col.header)
            kind = next(
                (k for text in (header, caption) for k, words in s.percent_kinds if words.search(text)),
                "target",
            )
            indicator = " ".join(f"{col.header} {row.name}".split())
            year = col.year or (int(caption_years[0]) if caption_years else None)
            target = Target(
                block=block,
                start=start,
                end=start + len(m["num"]),
                value=number.value,
                value_max=None,
                unit="percent",
                comparator="eq",
                direction=None,
                kind=kind,
                indicator=indicator,
                indicator_key=indicator_key(indicator),
                year=str(year) if year else None,
                number_decimals=number.decimals,
            )
            out.append((target, row.placement))
    return out


# ---- amounts ---------------------------------------------------------------------------------
def table_amounts(table: Table, s: TableSettings) -> list[Amount]:
    """Every figure of a money table with a unit, with the attributes of its row and
    column, parents linked."""
    if not table.is_money:
        return []
    by_cell = _figures(table, s)
    _link_figures(table, by_cell)
    return list(by_cell.values())


def _figures(table: Table, s: TableSettings) -> dict[tuple[int, int], Amount]:
    """The amounts of the table's money and total cells, by (id() of the row, column), in
    row and column order."""
    caption_hit = s.rules.measure.first_hit(fold(table.caption))
    caption_measure = caption_hit.value if caption_hit else None
    if any(c.measure == caption_measure for c in table.columns):
        caption_measure = None  # the caption names what its columns hold ("Kế hoạch … Giải ngân …")
    caption_years = _YEAR.findall(table.caption)
    caption_year = int(caption_years[0]) if caption_years else None  # the title's, not the date's
    by_cell: dict[tuple[int, int], Amount] = {}
    for row in table.rows:
        row.block = _line_block(row.line)
        row_unit = _row_unit(table, row, s)  # a row in "Triệu USD" or "%" is not money
        for col in table.columns:
            cell = row.cells.get(col.index)
            block = row.block if cell is None or cell.line is None else _line_block(cell.line)
            m = _FIGURE.fullmatch(block.text[cell.start : cell.end]) if cell else None
            factor = s.factors.get(unit_key(row_unit)) if row_unit is not None else col.factor or table.factor
            if col.kind not in ("money", "total") or m is None or factor is None or cell is None:
                continue
            number = parse_vn_number(m["num"])
            start = cell.start + m.start("num")
            a = Amount(
                block,
                start,
                start + len(m["num"]),
                number,
                None,
                factor,
                unit_inferred=True,
                label=f"{row.name} | {col.header}".strip(" |"),
                placement=row.placement,
            )
            a.funding_source = col.funding_source or row.funding_source
            a.capital_type = col.capital_type or row.capital_type
            a.measure = col.measure or row.measure or caption_measure or "plan"
            a.fiscal_year = col.year or caption_year
            a.rules = {k: v for k in _RULED if (v := col.rules.get(k) or row.rules.get(k))}
            if a.measure == caption_measure and caption_hit is not None and "measure" not in a.rules:
                a.rules["measure"] = f"{caption_hit.rule} in the table's caption"
            unit_rule = f'tables.yaml unit column "{row_unit}"' if row_unit is not None else None
            if unit_rule or col.factor or table.unit_rule:
                a.rules["unit"] = unit_rule or col.rules.get("unit") or table.unit_rule or ""
            by_cell[(id(row), col.index)] = a
    return by_cell


def _link_figures(table: Table, by_cell: dict[tuple[int, int], Amount]) -> None:
    """A figure's parent: its row's total (of its column group, else the total column),
    else the figure of its column in the nearest row above it that has one."""
    total_col = next((c.index for c in table.columns if c.kind == "total"), None)
    for row in table.rows:
        for col in table.columns:
            a = by_cell.get((id(row), col.index))
            if a is None:
                continue
            within = col.group if col.group not in (None, col.index) else total_col
            owner = by_cell.get((id(row), within)) if within is not None and within != col.index else None
            if owner is not None:
                a.parent, a.breakdown = owner, _dimension(col)
            else:
                up = row.parent
                while up is not None and (id(up), col.index) not in by_cell:
                    up = up.parent
                if up is not None:
                    a.parent, a.breakdown = by_cell[(id(up), col.index)], "rows"
            if a.parent is not None:
                a.parent.children.append(a)
                # a part inherits what it does not state (a row total under a source row)
                for attribute in ("funding_source", "capital_type"):
                    if getattr(a, attribute) is None and attribute in a.parent.rules:
                        a.rules[attribute] = inherited_rule(a.parent.rules[attribute])
                a.funding_source = a.funding_source or a.parent.funding_source
                a.capital_type = a.capital_type or a.parent.capital_type


_SUMMED = regex.compile(r"\(\s*([^()+]+(?:\+[^()+]+)+)\)")


def _line_block(line: Line) -> Block:
    """A line as a block of its own (a table row, or a cell on its own line)."""
    return Block(line.raw, [(line.index, c) for c in range(len(line.raw))], [line.index])


def _dimension(col: Column) -> str:
    """Which breakdown of its row's total a column is part of: parts of one kind add up."""
    if col.funding_source:
        return "funding_source"
    if col.capital_type:
        return "capital_type"
    if col.year:
        return "year"
    return "other"


def _cells(line: Line) -> dict[int, Cell]:
    cells = {}
    pos = 0
    for i, text in enumerate(line.raw.split("\t")):
        stripped = " ".join(nfc(text).split())
        if stripped:
            cells[i] = Cell(stripped, pos, pos + len(text))
        pos += len(text) + 1
    return cells


def _width(line: Line) -> int:
    return line.raw.count("\t") + 1
