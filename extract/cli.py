"""Command line: `kehoach extract PATH... -o OUT`, `kehoach sql OUT QUERY`, `kehoach show FILE`,
`kehoach review FILE|OUT`, `kehoach describe [TABLE]`, `kehoach export OUT --to FORMAT`, `kehoach --version`.

Heavy libraries (pyarrow, spaCy, pdfplumber) are imported inside the commands so that
`kehoach --help` stays fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .workers import DEFAULT_DOC_MEMORY_BYTES, DEFAULT_DOC_TIMEOUT_S

if TYPE_CHECKING:
    from .batch import Job

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_OUTPUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _positive(unit: str, scale: float = 1.0) -> Callable[[str], float]:
    """An argparse type: a number of UNIT above 0, times SCALE."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of {unit}: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError("must be more than 0")
        return value * scale

    return parse


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kehoach", description="Vietnamese plan documents (Kế hoạch) into Parquet tables."
    )
    p.add_argument("--version", action="version", version=f"kehoach {__version__}")
    p.add_argument("--rules", type=Path, default=None, help="rules directory (default: the project's rules/)")
    sub = p.add_subparsers(dest="command")
    ex = sub.add_parser("extract", help="extract every table from files and folders (recursive)")
    ex.add_argument("paths", nargs="+", type=Path)
    ex.add_argument(
        "-o", "--out", type=Path, default=Path("outputs"), help="output directory (default: outputs/)"
    )
    ex.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    ex.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores, %(default)s here)",
    )
    ex.add_argument(
        "--force", action="store_true", help="redo every document, even those unchanged since the last run"
    )
    ex.add_argument(
        "--prune",
        action="store_true",
        help="remove from OUT the documents of files that are not among this run's inputs "
        "(by default OUT gathers the documents of every run made into it)",
    )
    ex.add_argument(
        "--doc-timeout",
        type=_positive("seconds"),
        default=None,
        metavar="SECONDS",
        help=f"time limit for one document (default {DEFAULT_DOC_TIMEOUT_S:g})",
    )
    ex.add_argument(
        "--doc-memory",
        type=_positive("GiB", 1024**3),
        default=None,
        metavar="GIB",
        help=f"memory limit for one document, in GiB (default {DEFAULT_DOC_MEMORY_BYTES / 1024**3:g})",
    )
    ex.add_argument(
        "--follow-links",
        action="store_true",
        help="follow symbolic links that lead out of the input folders (never loops)",
    )
    ex.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local worker processes, or a dask.distributed cluster",
    )
    ex.add_argument(
        "--scheduler",
        help="with --engine dask: the scheduler's address (tcp://host:8786); "
        "default: a local cluster of --jobs workers",
    )
    ex.add_argument(
        "--ocr",
        choices=("auto", "always", "never"),
        default="auto",
        help="auto: OCR scanned pages and images (default); always: every PDF page too; never",
    )
    ex.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar (default: when writing to a terminal)",
    )
    sq = sub.add_parser(
        "sql", help="run SQL (DuckDB) over an output directory; one view per table; read-only"
    )
    sq.add_argument("out", type=Path)
    sq.add_argument("query")
    sq.add_argument(
        "--format",
        choices=("table", "csv", "json", "md"),
        default="table",
        help="table (default), csv, json or md (Markdown)",
    )
    sq.add_argument("--csv", action="store_const", const="csv", dest="format", help="same as --format csv")
    sq.add_argument("--output", type=Path, help="write the result to FILE instead of printing it")
    sq.add_argument(
        "--unsafe",
        action="store_true",
        help="lift the read-only mode (files outside OUT, COPY, ATTACH, extensions)",
    )
    de = sub.add_parser("describe", help="the data dictionary: every table, or every column of TABLE")
    de.add_argument("table", nargs="?")
    xp = sub.add_parser("export", help="write OUT's tables as CSV, Excel, Stata or JSON")
    xp.add_argument("out", type=Path)
    xp.add_argument("--to", choices=("csv", "xlsx", "dta", "json"), required=True)
    xp.add_argument("--table", action="append", help="a table to export (repeat; default: all)")
    xp.add_argument(
        "-d",
        "--dest",
        type=Path,
        default=Path("kehoach-export"),
        help="folder to write into (default: kehoach-export/)",
    )
    xp.add_argument("--bom", action="store_true", help="CSV with a UTF-8 byte-order mark, for Excel")
    rp = sub.add_parser(
        "report", help="one self-contained HTML report comparing provinces (and --xlsx, a workbook)"
    )
    rp.add_argument("out", type=Path)
    rp.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="the HTML file (default: OUT/report.html, beside OUT/review/ of kehoach review)",
    )
    rp.add_argument(
        "--xlsx",
        type=Path,
        nargs="?",
        const=True,
        default=None,
        metavar="FILE",
        help="also write the views as a workbook (default FILE: the HTML file's name with .xlsx)",
    )
    rp.add_argument(
        "--group-by",
        choices=("province", "province_2025"),
        default="province",
        help="province as written (default) or the province from 1 July 2025",
    )
    sh = sub.add_parser(
        "show", help="print a document's section tree and the facts found, for a person to read"
    )
    sh.add_argument("file", type=Path)
    sh.add_argument("--facts-only", action="store_true", help="only the branches of the tree that hold facts")
    sh.add_argument(
        "--why", action="store_true", help="under each fact, the rules that gave its value and attributes"
    )
    sh.add_argument(
        "--json", action="store_true", help="the tree as JSON (sections nest, each with its facts)"
    )
    rv = sub.add_parser(
        "review", help="write a self-contained HTML page per document to check its facts against its text"
    )
    rv.add_argument("source", type=Path, help="a document file, or an output folder of kehoach extract")
    rv.add_argument(
        "--doc",
        action="append",
        dest="docs",
        metavar="DOC_ID",
        help="with an output folder: only this document (repeatable; default: all)",
    )
    rv.add_argument("--line", type=int, metavar="N", help="open the page at line N")
    rv.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="folder for the pages (default: OUT/review for an output folder, ./review for a file)",
    )
    rv.add_argument(
        "--open",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="open the page in a browser (default: when --line is given)",
    )
    return p


def _extract_usage_problem(args: argparse.Namespace, missing: list[str]) -> str | None:
    """What makes the command unusable, checked before any work (rule errors included)."""
    from .rules import RuleError, check_rules

    if missing:
        return f"no such file or folder: {', '.join(missing)}"
    if args.scheduler and args.engine != "dask":
        return "--scheduler needs --engine dask"
    try:
        check_rules(args.rules)
    except RuleError as exc:
        return f"rules: {exc}"
    return None


def cmd_extract(args: argparse.Namespace) -> int:
    from .batch import run
    from .inputs import collect
    from .store import OutputError, OutputRefused
    from .workers import Limits, WorkerStartError

    collected = collect(args.paths, follow_links=args.follow_links)
    problem = _extract_usage_problem(args, collected.missing)
    if problem:
        print(f"kehoach: {problem}", file=sys.stderr)
        return EXIT_USAGE
    for message in collected.skipped:
        print(f"skipped {message}", file=sys.stderr)
    progress = sys.stderr.isatty() and not args.quiet if args.progress is None else args.progress
    limits = Limits(
        timeout_s=args.doc_timeout or DEFAULT_DOC_TIMEOUT_S,
        memory_bytes=int(args.doc_memory or DEFAULT_DOC_MEMORY_BYTES),
    )

    def report(job: Job, doc: dict) -> None:
        if doc["status"] == "failed" or not (args.quiet or progress):
            extra = f" — {doc['error']}" if doc.get("error") else ""
            print(f"{doc['status']:<8}{job.source.display}{extra}", flush=True)

    try:
        summary = run(
            collected.files,
            args.out,
            jobs=max(args.jobs, 1),
            force=args.force,
            rules_dir=args.rules,
            engine=args.engine,
            scheduler=args.scheduler,
            ocr=args.ocr,
            on_document=report,
            progress=progress,
            prune=args.prune,
            limits=limits,
            inputs=args.paths,
        )
    except OutputRefused as exc:
        print(f"kehoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as exc:
        print(f"kehoach: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except WorkerStartError as exc:  # what was committed is kept; the next run resumes
        print(f"kehoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if summary.interrupted:
        done = sum(summary.statuses.values())
        print(
            f"interrupted: {done} of {summary.documents} documents are committed in {args.out}; "
            f"run the same command again to finish the rest",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(summary.line(args.out))
    if not args.quiet:
        print(summary.details())
    if summary.derive_error:
        print(
            f"kehoach: the contract tables are complete, but plans and allocations could not be rebuilt "
            f"({summary.derive_error}); they are those of the last run that built them",
            file=sys.stderr,
        )
    return EXIT_SOME_FAILED if summary.statuses["failed"] else EXIT_OK


def cmd_sql(args: argparse.Namespace) -> int:
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


def cmd_describe(args: argparse.Namespace) -> int:
    from .describe import describe
    from .schema import TABLES

    if args.table is not None and args.table not in TABLES:
        print(f"kehoach: no table {args.table!r}; tables: {', '.join(TABLES)}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(describe(args.table))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_tables
    from .query import present_tables

    present = present_tables(args.out)
    if not present:
        print(f"kehoach: {args.out} holds no kehoach tables (run kehoach extract first)", file=sys.stderr)
        return EXIT_USAGE
    unknown = [t for t in args.table or [] if t not in present]
    if unknown:
        print(
            f"kehoach: no table {', '.join(unknown)} in {args.out}; tables: {', '.join(present)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    for path in export_tables(args.out, args.to, args.dest, args.table or present, bom=args.bom):
        print(path)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
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


def cmd_show(args: argparse.Namespace) -> int:
    from .pipeline import Extractor
    from .rules import load_rules
    from .show import as_json, console_for, show
    from .view import view_from_file

    if not args.file.is_file():
        print(f"kehoach: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    view = view_from_file(Extractor(load_rules(args.rules)), args.file)
    if args.json:
        print(as_json(view, facts_only=args.facts_only))
    else:
        show(view, console_for(sys.stdout, sys.stdout.isatty()), facts_only=args.facts_only, why=args.why)
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from .pipeline import Extractor
    from .review import write_review
    from .rules import RuleError, load_rules
    from .view import OutputFolderError, view_from_file, views_from_out

    try:
        rules = load_rules(args.rules)
    except RuleError as exc:
        print(f"kehoach: rules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.source.is_dir():
        try:
            views = views_from_out(args.source, rules, args.docs)
        except OutputFolderError as exc:
            print(f"kehoach: {exc}", file=sys.stderr)
            return EXIT_USAGE
        out_dir = args.out or args.source / "review"
    elif args.source.is_file():
        if args.docs:
            print("kehoach: --doc needs an output folder, not a file", file=sys.stderr)
            return EXIT_USAGE
        views = [view_from_file(Extractor(rules), args.source)]
        out_dir = args.out or Path("review")
    else:
        print(f"kehoach: no such file or folder: {args.source}", file=sys.stderr)
        return EXIT_USAGE
    for view in views:
        if view.text_note:
            print(
                f"{view.doc_id}: {view.text_note}; the page shows the facts without the text", file=sys.stderr
            )
        page = write_review(view, out_dir)
        target = page.resolve().as_uri() + (f"#L{args.line}" if args.line else "")
        print(target if args.line else page)
        if (args.open if args.open is not None else args.line is not None) and len(views) == 1:
            import webbrowser

            webbrowser.open(target)
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
    if args.command == "review":
        return cmd_review(args)
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
