"""DOCX: paragraphs and tables in body order, with Word's automatic list numbering.

python-docx shows a paragraph's text but not the "1.", "1.1.", "a)" that Word draws
from numbering.xml; plans number their sections that way, so we render it ourselves.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .base import PageProblem, ReadError, SourceText, plain_error
from .limits import DocxLimits, InputLimits

if TYPE_CHECKING:
    from docx.document import Document
    from lxml.etree import _Element  # lxml ships no type information: this is Any to mypy

    from ..rules import Rules

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class _Numbering:
    abstract_levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    num_to_abstract: dict[str, str] = field(default_factory=dict)
    start_overrides: dict[tuple[str, int], int] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    def label(self, num_id: str, ilvl: int) -> str:
        abstract = self.num_to_abstract.get(num_id)
        if abstract is None or num_id == "0":
            return ""
        levels = self.abstract_levels.get(abstract, {})
        counts = self.counters.setdefault(num_id, {})
        level = levels.get(ilvl, _Level())
        start = self.start_overrides.get((num_id, ilvl), level.start)
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return ""
        out = level.text
        for k in range(ilvl + 1):
            lv = levels.get(k, _Level())
            value = counts.get(k, self.start_overrides.get((num_id, k), lv.start))
            out = out.replace(f"%{k + 1}", _format(value, lv.fmt))
        return out


def _roman(n: int) -> str:
    vals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _letter(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _format(value: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return _roman(value)
    if fmt == "lowerRoman":
        return _roman(value).lower()
    if fmt == "lowerLetter":
        return _letter(value)
    if fmt == "upperLetter":
        return _letter(value).upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


class _Clamps:
    """Numbers read from the file, bounded: a value out of range is clamped (a value that
    is not a number gets the default) and noted once per distinct message."""

    def __init__(self, limits: DocxLimits):
        self.limits = limits
        self.notes: dict[str, None] = {}  # distinct messages, in order
        self.count = 0

    def number(self, value: str | None, default: int, low: int, high: int, what: str) -> int:
        if value is None:
            return default
        shown = value if len(value) <= 24 else value[:20] + "…"
        try:
            number = int(value)
        except ValueError:  # also a number of thousands of digits
            return self.note(default, f"{what} is '{shown}', not a number; {default} used")
        if low <= number <= high:
            return number
        return self.note(
            min(max(number, low), high),
            f"{what} is {shown}; {min(max(number, low), high)} used (limit {low}-{high})",
        )

    def note(self, value: int, message: str) -> int:
        self.count += 1
        self.notes.setdefault(message, None)
        return value

    def problems(self, shown: int) -> list[PageProblem]:
        messages = list(self.notes)
        out = [PageProblem("input_clamped", None, m) for m in messages[:shown]]
        if self.count > len(out):
            out.append(
                PageProblem(
                    "input_clamped",
                    None,
                    f"{self.count} values out of range in all, {self.count - len(out)} more than listed",
                )
            )
        return out


def _load_numbering(document: Document, clamps: _Clamps) -> _Numbering:
    numbering = _Numbering()
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return numbering
    top_level, top_number = clamps.limits.max_list_level, clamps.limits.max_list_number
    for abstract in root.iter(f"{W}abstractNum"):
        aid = abstract.get(f"{W}abstractNumId")
        levels: dict[int, _Level] = {}
        for lvl in abstract.iter(f"{W}lvl"):
            ilvl = clamps.number(lvl.get(f"{W}ilvl", "0"), 0, 0, top_level, f"numbering {aid}: a list level")
            level = _Level()
            for child in lvl:
                val = child.get(f"{W}val")
                if child.tag == f"{W}start" and val is not None:
                    level.start = clamps.number(
                        val, 1, 0, top_number, f"numbering {aid}: a list's first number"
                    )
                elif child.tag == f"{W}numFmt" and val is not None:
                    level.fmt = val
                elif child.tag == f"{W}lvlText" and val is not None:
                    level.text = val
            levels[ilvl] = level
        numbering.abstract_levels[aid] = levels
    for num in root.iter(f"{W}num"):
        nid = num.get(f"{W}numId")
        ref = num.find(f"{W}abstractNumId")
        if ref is not None:
            numbering.num_to_abstract[nid] = ref.get(f"{W}val")
        for override in num.iter(f"{W}lvlOverride"):
            ilvl = clamps.number(override.get(f"{W}ilvl", "0"), 0, 0, top_level, f"list {nid}: a list level")
            start = override.find(f"{W}startOverride")
            if start is not None:
                numbering.start_overrides[(nid, ilvl)] = clamps.number(
                    start.get(f"{W}val"), 1, 0, top_number, f"list {nid}: a list's first number"
                )
    return numbering


def _num_pr(
    paragraph_el: _Element, styles_by_id: dict[str | None, _Element], clamps: _Clamps
) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph, from its own properties or its style chain."""
    ppr = paragraph_el.find(f"{W}pPr")
    num_id = ilvl = None
    style_id = None
    if ppr is not None:
        numpr = ppr.find(f"{W}numPr")
        if numpr is not None:
            nid = numpr.find(f"{W}numId")
            lvl = numpr.find(f"{W}ilvl")
            num_id = nid.get(f"{W}val") if nid is not None else None
            ilvl = _list_level(lvl, clamps)
        pstyle = ppr.find(f"{W}pStyle")
        style_id = pstyle.get(f"{W}val") if pstyle is not None else None
    seen = set()
    while num_id is None and style_id and style_id not in seen:
        seen.add(style_id)
        style = styles_by_id.get(style_id)
        if style is None:
            break
        sppr = style.find(f"{W}pPr")
        if sppr is not None and sppr.find(f"{W}numPr") is not None:
            numpr = sppr.find(f"{W}numPr")
            nid = numpr.find(f"{W}numId")
            lvl = numpr.find(f"{W}ilvl")
            num_id = nid.get(f"{W}val") if nid is not None else None
            if ilvl is None:
                ilvl = _list_level(lvl, clamps)
        based = style.find(f"{W}basedOn")
        style_id = based.get(f"{W}val") if based is not None else None
    if num_id is None:
        return None
    return num_id, ilvl or 0


def _list_level(lvl_el: _Element | None, clamps: _Clamps) -> int | None:
    if lvl_el is None:
        return None
    return clamps.number(
        lvl_el.get(f"{W}val"), 0, 0, clamps.limits.max_list_level, "a paragraph's list level"
    )


def _paragraph_text(p_el: _Element) -> str:
    parts: list[str] = []
    for node in p_el.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append(" ")
    return "".join(parts)


def read_docx(data: bytes, rules: Rules) -> SourceText:
    limits = InputLimits.from_rules(rules)
    check_package(data, limits.docx)
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise ReadError(f"not a readable DOCX file ({plain_error(exc)})") from exc
    clamps = _Clamps(limits.docx)
    numbering = _load_numbering(document, clamps)
    try:
        styles_root = document.part.styles.element
        styles_by_id = {s.get(f"{W}styleId"): s for s in styles_root.iter(f"{W}style")}
    except Exception:
        styles_by_id = {}
    lines: list[str] = []
    numbered = 0
    tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            text = _paragraph_text(child)
            pr = _num_pr(child, styles_by_id, clamps)
            if pr is not None:
                label = numbering.label(*pr)
                if label:
                    numbered += 1
                    text = f"{label} {text.lstrip()}"
            lines.append(text)
        elif child.tag == f"{W}tbl":
            tables += 1
            header = _header_rows(child, clamps) if not any(line.strip() for line in lines) else None
            if header is not None:
                lines.extend(header)
                continue
            for row_number, row in enumerate(child.iter(f"{W}tr"), start=1):
                lines.append("\t".join(_row_cells(row, f"table {tables}, row {row_number}", clamps)))
    lines = [unicodedata.normalize("NFC", line) for line in lines]
    notes = [f"{numbered} paragraphs with automatic numbering", f"{tables} tables"]
    return SourceText(
        lines=lines,
        pages=[None] * len(lines),
        format="docx",
        method="text",
        notes=notes,
        problems=clamps.problems(limits.max_reported_positions),
    )


# A document's header block as a table (issuer and number | motto, place and date) has at
# most this many rows.
HEADER_TABLE_MAX_ROWS = 3


def _header_rows(table: _Element, clamps: _Clamps) -> list[str] | None:
    """The header block of an administrative document laid out as a borderless two-column
    table before any text, its cells holding several paragraphs each (Nghị định 30/2020's
    layout): one line per paragraph, the paragraphs of a row's cells side by side and
    tab-joined, so that each column reads on its own, line by line, as in a text. None for
    any other table (its cells' paragraphs join into one cell line)."""
    rows = list(table.iter(f"{W}tr"))
    if not rows or len(rows) > HEADER_TABLE_MAX_ROWS:
        return None
    grid: list[list[list[str]]] = []
    for row in rows:
        cells = [[_paragraph_text(p).strip() for p in cell.iter(f"{W}p")] for cell in row.iter(f"{W}tc")]
        if len(cells) != 2:
            return None
        grid.append([[p for p in cell if p] for cell in cells])
    if not any(len(cell) > 1 for row in grid for cell in row):
        return None
    out: list[str] = []
    for left, right in grid:
        for k in range(min(max(len(left), len(right)), clamps.limits.max_row_cells)):
            out.append(f"{left[k] if k < len(left) else ''}\t{right[k] if k < len(right) else ''}")
    return out


def _row_cells(row: _Element, where: str, clamps: _Clamps) -> list[str]:
    limits = clamps.limits
    cells: list[str] = []
    for cell in row.iter(f"{W}tc"):
        cells.append(" ".join(_paragraph_text(p) for p in cell.iter(f"{W}p")).strip())
        # a merged cell spanning N columns keeps the columns after it, empty (as
        # converted text writes them), so figures stay under their headers
        span = cell.find(f"{W}tcPr/{W}gridSpan")
        if span is not None:
            columns = clamps.number(
                span.get(f"{W}val"), 1, 1, limits.max_grid_span, f"{where}: a cell's column span"
            )
            cells.extend([""] * (columns - 1))
        if len(cells) > limits.max_row_cells:
            clamps.note(
                0, f"{where}: more than {limits.max_row_cells} cells; the first {limits.max_row_cells} kept"
            )
            return cells[: limits.max_row_cells]
    return cells


def check_package(data: bytes, limits: DocxLimits) -> None:
    """Refuse (ReadError) a zip package beyond the limits before python-docx inflates it:
    parts counted, their declared sizes checked against the zip directory, then every part
    inflated in bounded chunks (declared sizes can lie) and its checksum verified. A DOCX
    may only store or deflate its parts (ECMA-376 part 2); other methods (bzip2, LZMA)
    inflate in one gulp in Python's zipfile, and are refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
        raise ReadError(f"not a readable DOCX file (not a zip package: {plain_error(exc)})") from exc
    with archive:
        parts = archive.infolist()
        _check_directory(parts, limits)
        _check_inflated(archive, parts, limits)


def _check_directory(parts: list[zipfile.ZipInfo], limits: DocxLimits) -> None:
    """The checks the zip directory allows: the number of parts, their compression methods
    and their declared sizes."""
    if len(parts) > limits.max_parts:
        raise ReadError(f"the DOCX package has {len(parts)} parts, over the limit of {limits.max_parts}")
    declared = 0
    for part in parts:
        name = part.filename[:80]
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ReadError(
                f"part '{name}' of the DOCX is compressed with zip method {part.compress_type}; "
                f"a DOCX may only store or deflate its parts"
            )
        if part.file_size > limits.max_part_bytes:
            raise ReadError(
                f"part '{name}' of the DOCX would inflate to {part.file_size:,} bytes, over the limit "
                f"of {limits.max_part_bytes:,} a part"
            )
        declared += part.file_size
    if declared > limits.max_package_bytes:
        raise ReadError(
            f"the DOCX's parts would inflate to {declared:,} bytes in all, over the limit of "
            f"{limits.max_package_bytes:,}"
        )


def _check_inflated(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], limits: DocxLimits) -> None:
    """Every part inflated in bounded chunks, its size counted as it comes (a declared size
    can lie) and its checksum verified by zipfile at its end."""
    inflated = 0
    for part in parts:
        name, size = part.filename[:80], 0
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    inflated += len(chunk)
                    if size > limits.max_part_bytes or inflated > limits.max_package_bytes:
                        raise ReadError(
                            f"part '{name}' of the DOCX inflates beyond its limit "
                            f"({limits.max_part_bytes:,} bytes a part, "
                            f"{limits.max_package_bytes:,} in all)"
                        )
        except ReadError:
            raise
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise ReadError(f"part '{name}' of the DOCX is encrypted; it cannot be read") from exc
        except Exception as exc:  # a bad checksum, a broken deflate stream, a truncated file
            raise ReadError(f"part '{name}' of the DOCX is corrupt ({plain_error(exc)})") from exc
