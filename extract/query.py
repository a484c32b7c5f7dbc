"""`kehoach sql`: DuckDB over an output folder, one view per table, read-only by default.

Read-only means: the only files a query can read are OUT's (allowed_directories, external
access off), the configuration is locked, extensions are neither installed nor loaded,
and only SELECT (and EXPLAIN) statements run, so COPY … TO, ATTACH, INSTALL and the like
are refused even inside OUT. `--unsafe` lifts all of it."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .schema import TABLES

if TYPE_CHECKING:
    import duckdb

READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN")
FORMATS = ("table", "csv", "json", "md")


class QueryRefused(Exception):
    """A statement the read-only mode does not run, or a query DuckDB rejects."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]


def present_tables(out: Path) -> list[str]:
    return [name for name in TABLES if (out / name).is_dir() and any((out / name).rglob("*.parquet"))]


def connect(out: Path, unsafe: bool = False) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect(config={"autoinstall_known_extensions": unsafe, "autoload_known_extensions": unsafe})
    for name in present_tables(out):
        folder = out / name
        pattern = str(folder / "**" / "*.parquet").replace("'", "''")
        partitioned = any(p.is_dir() and "=" in p.name for p in folder.iterdir())
        # partition values are typed like the columns they stand for (plan_year an integer)
        hive = (
            ", hive_partitioning = true, hive_types = {'province': VARCHAR, 'plan_year': INTEGER}"
            if partitioned
            else ", hive_partitioning = false"
        )
        con.execute(
            f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{pattern}', union_by_name = true{hive})"
        )
    if not unsafe:
        # after the views exist: they read OUT's files, which stay allowed
        allowed = str(out.resolve()).replace("'", "''") + "/"
        con.execute(f"SET allowed_directories = ['{allowed}']")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    return con


def run(out: Path, query: str, unsafe: bool = False) -> Result | None:
    import duckdb

    con = connect(out, unsafe)
    try:
        statements = con.extract_statements(query)
        if not unsafe:
            for st in statements:
                kind = st.type.name
                if kind not in READ_ONLY_STATEMENTS:
                    raise QueryRefused(
                        f"kehoach sql is read-only: {kind} statements are not run "
                        f"(only SELECT queries; --unsafe lifts this)"
                    )
        result = None
        for st in statements:
            result = con.execute(st)
        if result is None or result.description is None:
            return None
        return Result([d[0] for d in result.description], result.fetchall())
    except duckdb.PermissionException as exc:
        raise QueryRefused(
            f"kehoach sql is read-only: {str(exc).splitlines()[0]} (--unsafe lifts this)"
        ) from exc
    except duckdb.Error as exc:
        raise QueryRefused(str(exc).strip()) from exc
    finally:
        con.close()


# ---- output --------------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """A value as text: money without float artefacts (1471301.5, not 1471301.5000000002)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, (list, tuple)):
        return ";".join(plain(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def format_float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return str(value)
    text = repr(round(value, 9) + 0.0)
    if "e" in text:
        text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


def json_value(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9) + 0.0
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def render(result: Result, fmt: str, full_width: bool) -> str:
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([plain(v) for v in row] for row in result.rows)
        return buf.getvalue()
    if fmt == "json":
        return (
            json.dumps(
                [dict(zip(result.columns, (json_value(v) for v in row))) for row in result.rows],
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        )
    if fmt == "md":

        def cell(v: object) -> str:
            return plain(v).replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(result.columns) + " |", "|" + "---|" * len(result.columns)]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in result.rows]
        return "\n".join(lines) + "\n"
    from rich.console import Console
    from rich.table import Table

    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(*(plain(v) for v in row))
    buf = io.StringIO()
    # piped or written to a file: every column in full, never cut to a terminal's width
    Console(
        file=buf,
        width=None if not full_width else 100_000,
        no_color=full_width,
        force_terminal=not full_width,
    ).print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
