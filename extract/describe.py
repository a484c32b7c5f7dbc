"""`kehoach describe [TABLE]`: the data dictionary for a person to read."""

from __future__ import annotations

import pyarrow as pa

from .dictionary import dictionary
from .schema import TABLES

HOW_TO_SUM = """\
How to sum money without double counting
  amounts holds every statement of every figure: a total sits beside its parts
  (parent_amount_id links a part to the total it breaks down), the prose repeats the
  appendix table, and each format of one plan (text, DOCX, PDF, scan) is a document of
  its own. Never sum amounts. Sum allocations instead:
  - one row per plan (plans: versions grouped, the preferred one read), program, level,
    item (canonical_code), funding_source, capital_type, measure and fiscal_year;
  - pick ONE level (program, project, subproject or content) and one value of each of
    funding_source and capital_type (NULL = all sources / all types), measure and
    fiscal_year: rows then never overlap;
  - leave out rows with included_in_higher_level (a district plan inside its province's);
  - status conflict: the statements disagree or the parts add up to another value (note).
  targets: year is the year or period a figure is for (text: '2024', '2021-2025');
  indicator_key is the wording folded (equal when two plans word it alike),
  indicator_code the official indicator (equal whatever the wording)."""


def type_name(t: pa.DataType) -> str:
    if pa.types.is_list(t):
        return f"list<{type_name(t.value_type)}>"
    return {
        "int32": "integer",
        "int64": "integer",
        "double": "float (triệu đồng where money)",
        "date32[day]": "date",
        "bool": "boolean",
    }.get(str(t), str(t))


def describe(table: str | None = None) -> str:
    d = dictionary()
    if table is None:
        lines = ["Tables (kehoach describe TABLE for the columns):", ""]
        for name, entry in d.items():
            lines.append(f"  {name:<12} {entry.en}")
            lines.append(f"  {'':<12} {entry.vi}")
        return "\n".join(lines + ["", HOW_TO_SUM]) + "\n"
    entry = d[table]
    lines = [f"{table}: {entry.en}", f"{' ' * len(table)}  {entry.vi}", ""]
    for f in TABLES[table]:
        c = entry.columns[f.name]
        unit = f" [{c.unit}]" if c.unit else ""
        lines.append(f"{f.name}  ({type_name(f.type)}){unit}")
        lines.append(f"    {c.en}")
        lines.append(f"    {c.vi}")
        for value, (vi, en) in c.enum.items():
            lines.append(f"      {value:<20} {en} | {vi}")
    if table in ("amounts", "allocations", "targets"):
        lines += ["", HOW_TO_SUM]
    return "\n".join(lines) + "\n"
