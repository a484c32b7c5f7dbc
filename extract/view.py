"""One document as people look at it (`kehoach show`, `kehoach review`): its rows and, when
the source can be read, its extracted text.

Two ways in. From a file: the file is read once and extracted in process. From an output
folder of `kehoach extract`: the rows come from OUT's tables, and the text (which OUT does
not store) is re-read from `documents.source_path` with the same reader, but only when the
file's sha256 still equals `documents.sha256`; otherwise the view says why it has no text
and the facts are shown without it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .document import Line, build_lines
from .pipeline import DocumentResult, Extractor
from .readers import ReadError, read_document
from .rules import Rules
from .vnnumbers import NUMBER_PATTERN

# The tables a view shows; facts are the rows with a place in the text.
VIEW_TABLES = ("sections", "amounts", "targets", "checks")
FACT_TABLES = ("amounts", "targets")
OCR_MODES = ("auto", "always", "never")

_FIGURE_CELL = regex.compile(rf"\s*[(]?{NUMBER_PATTERN}[)]?\s*%?\s*")
_ROW_LABEL_MAX = 90


@dataclass
class DocumentView:
    document: dict
    sections: list[dict] = field(default_factory=list)
    amounts: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    lines: list[Line] | None = None  # the extracted text, line by line; None: not available
    text_note: str | None = None  # why there is no text, in plain words
    source_path: Path | None = None  # the file the text was read from (for page images)
    source_bytes: bytes | None = field(default=None, repr=False)

    @property
    def doc_id(self) -> str:
        return self.document["doc_id"]

    @property
    def text(self) -> str | None:
        """The extracted text that the rows' char_start/char_end point into."""
        if self.lines is None:
            return None
        return "\n".join(ln.raw for ln in self.lines)

    @property
    def format(self) -> str | None:
        return self.document.get("format")


def view_from_file(extractor: Extractor, path: Path) -> DocumentView:
    """Extract PATH in process, keeping its text: the file is read once (OCR included)."""
    try:
        data = path.read_bytes()
    except OSError:
        return _view(extractor.process_path(path), None, f"cannot open {path}", None, None)
    try:
        source = read_document(path, data, extractor.rules, extractor.ocr)
    except Exception:  # noqa: BLE001 - the extractor turns the same failure into rows and a check
        return _view(
            extractor.process(path, data), None, "the file could not be read (see its checks)", path, data
        )
    try:
        # the same steps as Extractor.process, with the source we already read
        result = extractor._extract(path, data, source)  # noqa: SLF001
    except Exception:  # noqa: BLE001
        result = extractor.process(path, data)
    return _view(result, build_lines(source, extractor.cleaner), None, path, data)


def _view(
    result: DocumentResult, lines: list[Line] | None, note: str | None, path: Path | None, data: bytes | None
) -> DocumentView:
    t = result.tables
    return DocumentView(
        document=result.document,
        sections=list(t["sections"]),
        amounts=list(t["amounts"]),
        targets=list(t["targets"]),
        checks=list(t["checks"]),
        lines=lines,
        text_note=note,
        source_path=path,
        source_bytes=data,
    )


class OutputFolderError(Exception):
    """OUT is not an output folder of kehoach extract, or does not hold the document asked for."""


def views_from_out(out: Path, rules: Rules, doc_ids: list[str] | None = None) -> list[DocumentView]:
    """The documents of OUT (all, or those of DOC_IDS, in that order), rows from OUT's tables,
    text re-read from each source file when it is unchanged."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .store import read_table

    if not (out / "documents").is_dir():
        raise OutputFolderError(f"{out} holds no kehoach tables (run kehoach extract first)")
    documents = read_table(out, "documents")
    known = documents.column("doc_id").to_pylist()
    wanted = doc_ids if doc_ids else sorted(set(known))
    missing = [d for d in wanted if d not in known]
    if missing:
        raise OutputFolderError(f"{out} has no document {', '.join(missing)}")
    mask = pc.is_in(pc.field("doc_id"), value_set=pa.array(wanted))
    rows: dict[str, dict[str, list[dict]]] = {d: {name: [] for name in VIEW_TABLES} for d in wanted}
    for name in VIEW_TABLES:
        table = read_table(out, name)
        for row in table.filter(mask).to_pylist():
            rows[row["doc_id"]][name].append(row)
    doc_rows = {r["doc_id"]: r for r in documents.filter(mask).to_pylist()}
    extractors: dict[str, Extractor] = {}
    views = []
    for doc_id in wanted:
        doc = doc_rows[doc_id]
        tables = rows[doc_id]
        view = DocumentView(
            document=doc,
            sections=_by_order(tables["sections"], "section_id"),
            amounts=_by_order(tables["amounts"], "amount_id"),
            targets=_by_order(tables["targets"], "target_id"),
            checks=_by_order(tables["checks"], "check_id"),
        )
        ocr = _ocr_mode(doc.get("pipeline_version"))
        extractor = extractors.setdefault(ocr, Extractor(rules, ocr=ocr))
        _attach_source_text(view, extractor)
        views.append(view)
    return views


def _by_order(rows: list[dict], id_column: str) -> list[dict]:
    """Rows in the order the extractor made them (ids end in their index: a0, a1, … a10)."""

    def key(row: dict) -> tuple:
        tail = (row.get(id_column) or "").rsplit(":", 1)[-1]
        digits = tail.lstrip("abcdefghijklmnopqrstuvwxyz")
        return (int(digits) if digits.isdigit() else -1, row.get(id_column) or "")

    return sorted(rows, key=key)


def _ocr_mode(pipeline_version: str | None) -> str:
    """The OCR setting the rows were made with (the pipeline version ends in '+ocr.MODE')."""
    for part in (pipeline_version or "").split("+"):
        if part.startswith("ocr.") and part[4:] in OCR_MODES:
            return part[4:]
    return "auto"


def _attach_source_text(view: DocumentView, extractor: Extractor) -> None:
    doc = view.document
    path_text = doc.get("source_path")
    if not path_text:
        view.text_note = "the documents row has no source_path"
        return
    path = Path(path_text)
    try:
        data = path.read_bytes()
    except OSError:
        view.text_note = f"the source file {path} is missing, so its text cannot be shown"
        return
    if hashlib.sha256(data).hexdigest() != doc.get("sha256"):
        view.text_note = (
            f"the source file {path} has changed since it was extracted (its sha256 differs), "
            f"so its text cannot be shown"
        )
        return
    view.source_path, view.source_bytes = path, data
    if doc.get("status") == "failed":
        view.text_note = "the document could not be read when it was extracted"
        return
    try:
        source = read_document(path, data, extractor.rules, extractor.ocr)
    except ReadError as exc:
        view.text_note = f"the source file {path} cannot be read again: {exc}"
        return
    view.lines = build_lines(source, extractor.cleaner)


def header_fields(doc: dict) -> list[str]:
    """What identifies a document, as the terminal and the review page head it: number,
    issuer, province, district, issue date and plan year, those it has."""
    fields = [
        doc.get("doc_number"),
        doc.get("issuer"),
        doc.get("province"),
        doc.get("district"),
        str(doc["issue_date"]) if doc.get("issue_date") else None,
        f"year {doc['plan_year']}" if doc.get("plan_year") else None,
    ]
    return [f for f in fields if f]


def row_label(context: str | None) -> str | None:
    """The label of a funding-table row (its order and name cells) from the row's text:
    the cells up to its name, and any after it before the first figure. None when the
    context is not a table row."""
    if not context or "\t" not in context:
        return None
    label_cells: list[str] = []
    named = False  # order cells ("1", "1.1", "II") come before the name; figures after it
    for cell in context.split("\t"):
        if named and _FIGURE_CELL.fullmatch(cell):
            break
        if cell.strip():
            label_cells.append(" ".join(cell.split()))
            named = named or regex.search(r"\p{L}{2}", cell) is not None
    label = " ".join(label_cells)
    if not label:
        return None
    return label if len(label) <= _ROW_LABEL_MAX else label[: _ROW_LABEL_MAX - 1] + "…"
