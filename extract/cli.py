"""Command line: `kehoach extract PATH... -o OUT`, `kehoach sql OUT QUERY`, `kehoach show FILE`,
`kehoach describe [TABLE]`, `kehoach export OUT --to FORMAT`, `kehoach --version`.

Heavy libraries (pyarrow, spaCy, pdfplumber) are imported inside the commands so that
`kehoach --help` stays fast."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kehoach", description="Vietnamese plan documents (Kế hoạch) into Parquet tables.")
    p.add_argument("--version", action="version", version=f"kehoach {__version__}")
    p.add_argument("--rules", type=Path, default=None, help="rules directory (default: the project's rules/)")
    sub = p.add_subparsers(dest="command")
    ex = sub.add_parser("extract", help="extract every table from files and folders (recursive)")
    ex.add_argument("paths", nargs="+", type=Path)
    ex.add_argument("-o", "--out", type=Path, default=Path("outputs"), help="output directory (default: outputs/)")
    ex.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    ex.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes (default: all cores, %(default)s here)")
    ex.add_argument("--force", action="store_true", help="redo every document, even those unchanged since the last run")
    ex.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="local worker processes, or a dask.distributed cluster")
    ex.add_argument("--scheduler", help="with --engine dask: the scheduler's address (tcp://host:8786); "
                                        "default: a local cluster of --jobs workers")
    ex.add_argument("--ocr", choices=("auto", "always", "never"), default="auto",
                    help="auto: OCR scanned pages and images (default); always: every PDF page too; never")
    ex.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="a progress bar (default: when writing to a terminal)")
    sq = sub.add_parser("sql", help="run SQL (DuckDB) over an output directory; one view per table; read-only")
    sq.add_argument("out", type=Path)
    sq.add_argument("query")
    sq.add_argument("--format", choices=("table", "csv", "json", "md"), default="table",
                    help="table (default), csv, json or md (Markdown)")
    sq.add_argument("--csv", action="store_const", const="csv", dest="format", help="same as --format csv")
    sq.add_argument("--output", type=Path, help="write the result to FILE instead of printing it")
    sq.add_argument("--unsafe", action="store_true",
                    help="lift the read-only mode (files outside OUT, COPY, ATTACH, extensions)")
    de = sub.add_parser("describe", help="the data dictionary: every table, or every column of TABLE")
    de.add_argument("table", nargs="?")
    xp = sub.add_parser("export", help="write OUT's tables as CSV, Excel, Stata or JSON")
    xp.add_argument("out", type=Path)
    xp.add_argument("--to", choices=("csv", "xlsx", "dta", "json"), required=True)
    xp.add_argument("--table", action="append", help="a table to export (repeat; default: all)")
    xp.add_argument("-d", "--dest", type=Path, default=Path("kehoach-export"),
                    help="folder to write into (default: kehoach-export/)")
    xp.add_argument("--bom", action="store_true", help="CSV with a UTF-8 byte-order mark, for Excel")
    rp = sub.add_parser("report", help="one self-contained HTML report comparing provinces (and --xlsx, a workbook)")
    rp.add_argument("out", type=Path)
    rp.add_argument("-o", "--output", type=Path, default=None,
                    help="the HTML file (default: OUT/report.html, beside OUT/review/ of kehoach review)")
    rp.add_argument("--xlsx", type=Path, nargs="?", const=True, default=None, metavar="FILE",
                    help="also write the views as a workbook (default FILE: the HTML file's name with .xlsx)")
    rp.add_argument("--group-by", choices=("province", "province_2025"), default="province",
                    help="province as written (default) or the province from 1 July 2025")
    sh = sub.add_parser("show", help="print a document's section tree and the facts found, for a person to read")
    sh.add_argument("file", type=Path)
    return p


def collect_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    files, missing = [], []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")
                                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.is_file():
            files.append(p)
        else:
            missing.append(str(p))
    return files, missing


def cmd_extract(args) -> int:
    from .batch import run
    from .rules import RuleError, load_rules

    files, missing = collect_files(args.paths)
    if missing:
        print(f"kehoach: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if args.scheduler and args.engine != "dask":
        print("kehoach: --scheduler needs --engine dask", file=sys.stderr)
        return EXIT_USAGE
    try:
        load_rules(args.rules)  # rule errors are usage errors, reported before any work
    except RuleError as exc:
        print(f"kehoach: rules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    progress = sys.stderr.isatty() and not args.quiet if args.progress is None else args.progress

    def report(job, doc) -> None:
        if doc["status"] == "failed" or not (args.quiet or progress):
            extra = f" — {doc['error']}" if doc.get("error") else ""
            print(f"{doc['status']:<8}{job.path}{extra}", flush=True)

    summary = run(files, args.out, jobs=max(args.jobs, 1), force=args.force, rules_dir=args.rules,
                  engine=args.engine, scheduler=args.scheduler, ocr=args.ocr, on_document=report, progress=progress)
    if summary.interrupted:
        done = sum(summary.statuses.values())
        print(f"interrupted: {done} of {summary.documents} documents are committed in {args.out}; "
              f"run the same command again to finish the rest", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(summary.line(args.out))
    if not args.quiet:
        print(summary.details())
    return EXIT_SOME_FAILED if summary.statuses["failed"] else EXIT_OK


def cmd_sql(args) -> int:
    from .query import QueryRefused, present_tables, render, run

    if not present_tables(args.out):
        print(f"kehoach: {args.out} holds no kehoach tables (run kehoach extract first)", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = run(args.out, args.query, unsafe=args.unsafe)
    except QueryRefused as exc:
        print(f"kehoach: sql: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if result is None:
        return EXIT_OK
    if args.format == "table" and args.output is None and sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from .query import plain
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*(plain(v) for v in row))
        Console().print(table)
        return EXIT_OK
    text = render(result, args.format, full_width=True)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_describe(args) -> int:
    from .describe import describe
    from .schema import TABLES

    if args.table is not None and args.table not in TABLES:
        print(f"kehoach: no table {args.table!r}; tables: {', '.join(TABLES)}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(describe(args.table))
    return EXIT_OK


def cmd_export(args) -> int:
    from .export import export_tables
    from .query import present_tables

    present = present_tables(args.out)
    if not present:
        print(f"kehoach: {args.out} holds no kehoach tables (run kehoach extract first)", file=sys.stderr)
        return EXIT_USAGE
    unknown = [t for t in args.table or [] if t not in present]
    if unknown:
        print(f"kehoach: no table {', '.join(unknown)} in {args.out}; tables: {', '.join(present)}", file=sys.stderr)
        return EXIT_USAGE
    for path in export_tables(args.out, args.to, args.dest, args.table or present, bom=args.bom):
        print(path)
    return EXIT_OK


def cmd_report(args) -> int:
    from .query import present_tables
    from .report import write_report

    if "plans" not in present_tables(args.out):
        print(f"kehoach: {args.out} holds no plans table (run kehoach extract first)", file=sys.stderr)
        return EXIT_USAGE
    html_path = args.output or args.out / "report.html"
    xlsx_path = html_path.with_suffix(".xlsx") if args.xlsx is True else args.xlsx
    written = write_report(args.out, html_path, xlsx_path, grouping=args.group_by)
    print(written.html)
    if written.xlsx is not None:
        print(written.xlsx)
    return EXIT_OK


def cmd_show(args) -> int:
    from .pipeline import Extractor
    from .rules import load_rules

    if not args.file.is_file():
        print(f"kehoach: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    result = Extractor(load_rules(args.rules)).process_path(args.file)
    doc = result.document
    print(f"{doc['source_name']}  [{doc['status']}]  {doc.get('doc_number') or ''}  {doc.get('issuer') or ''}  "
          f"{doc.get('province') or ''} {doc.get('district') or ''}  {doc.get('issue_date') or ''}  "
          f"year {doc.get('plan_year')}  programs {', '.join(doc.get('programs') or [])}")
    if doc.get("error"):
        print(f"error: {doc['error']}")
    facts_by_section: dict[str | None, list[str]] = {}
    for a in result.tables["amounts"]:
        v = a["value_million_vnd"]
        facts_by_section.setdefault(a["section_id"], []).append(
            f"💰 L{a['line']} {a['raw_text']} = {v if v is not None else '?'} trđ  "
            f"[{a['funding_source'] or '-'} {a['capital_type'] or '-'} {a['measure']}]"
            + ("  ⊂ " + a["parent_amount_id"].split(":")[-1] if a["parent_amount_id"] else ""))
    for t in result.tables["targets"]:
        rng = f"–{t['value_max']:g}" if t["value_max"] is not None else ""
        facts_by_section.setdefault(t["section_id"], []).append(
            f"🎯 L{t['line']} {t['comparator']} {t['value']:g}{rng} {t['unit']} {t['direction'] or ''} "
            f"({t['kind']}) {t['indicator'][:70]}")
    for s in result.tables["sections"]:
        indent = "  " * (s["level"] - 1)
        code = f"  ⟨{s['canonical_code']}⟩" if s["canonical_code"] else ""
        print(f"{indent}{s['label'] or '·'} {s['kind']}: {s['title'][:80]}  [{s['role']}, {s['program'] or '-'}]{code}  L{s['line_start']}")
        for fact in facts_by_section.get(s["section_id"], []):
            print(f"{indent}    {fact}")
    for c in result.tables["checks"]:
        print(f"⚠ {c['severity']}: {c['kind']}: {c['message']}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    if args.command == "extract":
        return cmd_extract(args)
    if args.command == "show":
        return cmd_show(args)
    if args.command == "sql":
        return cmd_sql(args)
    if args.command == "describe":
        return cmd_describe(args)
    if args.command == "export":
        return cmd_export(args)
    if args.command == "report":
        return cmd_report(args)
    parser.print_help()
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
