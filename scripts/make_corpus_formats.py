#!/usr/bin/env python3
"""Generate DOCX and text-PDF versions of the sample plans in corpus/.

    python scripts/make_corpus_formats.py corpus corpus/generated

DOCX: roman ("I.") and arabic ("1.", "1.1.") headings become Word automatic numbering
(the label lives only in numbering.xml, as in real plans), lettered items and bullets stay
literal text, and tab-separated lines become Word tables. PDF: DejaVu Sans (all Vietnamese
glyphs), A4, lines wrapped as a word processor would. Output is deterministic.

Un-ruled renderings go to DST/unruled/ under the same names, for the readers of tables
without rulings: a text PDF whose tables have no lines (columns stand by position only,
figures right-aligned), a DOCX whose tables have no borders and whose header block is a
borderless two-column table (issuer and number | motto, place and date), and a text
export whose table columns are aligned with spaces (long names wrapped in their column).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LABEL = re.compile(r"^(?P<roman>[IVX]{1,5})\.\s+|^(?P<arabic>\d{1,2}(?:\.\d{1,2})*)\.\s+")
PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
MARKDOWN = re.compile(r"\*\*|(?<=\S)\*|(?<=^)\*(?=\S)|^#+\s*|\[bookmark:[^\]]*\]")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def plain_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if path.suffix == ".md":
        lines = [MARKDOWN.sub("", ln) for ln in lines]
    return lines


def _numbering_xml(num_id: int) -> tuple[str, str]:
    levels = [("upperRoman", "%1."), ("decimal", "%2."), ("decimal", "%2.%3.")]
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText '
        f'w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    abstract = f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{num_id}">{lvls}</w:abstractNum>'
    num = f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'
    return abstract, num


def write_docx(lines: list[str], out: Path, borderless: bool = False) -> None:
    import docx

    document = docx.Document()
    num_id = 90
    _add_numbering(document, num_id)
    table_rows: list[list[str]] = []

    def add_table(rows: list[list[str]]):
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                table.cell(r, c).text = cell
        if borderless:
            _no_borders(table)
        return table

    def flush_table():
        if not table_rows:
            return
        _merge_spanning_header(add_table(table_rows), table_rows)
        table_rows.clear()

    if borderless:
        header, lines = header_columns(lines)
        if header:
            add_table(header)
    for line in lines:
        if "\t" in line:
            table_rows.append(line.split("\t"))
            continue
        flush_table()
        _add_numbered_paragraph(document, line, num_id)
    flush_table()
    # python-docx stamps the current time into core properties: fix it for determinism
    document.core_properties.created = document.core_properties.modified = dt.datetime(2024, 1, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    _write_zip_without_times(buffer.getvalue(), out)


def _add_numbering(document: Any, num_id: int) -> None:
    """A numbering definition NUM_ID (I., 1., 1.1.) in the document's numbering part."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    numbering = document.part.numbering_part.element
    abstract, num = _numbering_xml(num_id)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(parse_xml(abstract))
    else:
        numbering.append(parse_xml(abstract))
    numbering.append(parse_xml(num))


def _add_numbered_paragraph(document: Any, line: str, num_id: int) -> None:
    """LINE as a paragraph; a label (I., 1., 1.1.) becomes Word's own list numbering."""
    from docx.oxml import parse_xml

    m = LABEL.match(line)
    paragraph = document.add_paragraph()
    if m:
        ilvl = 0 if m["roman"] else m["arabic"].count(".") + 1
        if ilvl <= 2:
            ppr = paragraph._p.get_or_add_pPr()
            ppr.append(
                parse_xml(
                    f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
                )
            )
            line = line[m.end() :]
    paragraph.add_run(line)


def _no_borders(table) -> None:
    """Every border of the table set to none (Word draws no lines at all)."""
    from docx.oxml import parse_xml

    sides = "".join(
        f'<w:{side} w:val="none" w:sz="0" w:space="0" w:color="auto"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(f"{{{W_NS}}}tblBorders"):
        tbl_pr.remove(old)
    tbl_pr.append(parse_xml(f'<w:tblBorders xmlns:w="{W_NS}">{sides}</w:tblBorders>'))


# The header block of an administrative document: issuer and number on the left, the
# national motto, place and date on the right.
MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
TITLE_LINE = re.compile(r"^\s*KẾ HOẠCH\s*$")
DATE_LINE = re.compile(r",\s*ngày\s")


def header_columns(lines: list[str]) -> tuple[list[list[str]], list[str]]:
    """The lines before the title as a two-column block (left: issuer and number; right:
    motto, place and date), and the lines after it. No title: no block."""
    end = next((i for i, ln in enumerate(lines[:15]) if TITLE_LINE.match(ln)), None)
    if end is None:
        return [], lines
    head = [ln.strip() for ln in lines[:end] if ln.strip()]
    right = MOTTO + [ln for ln in head if DATE_LINE.search(ln)]
    left = [ln for ln in head if not DATE_LINE.search(ln)]
    height = max(len(left), len(right))
    left = (
        left[:-1] + [""] * (height - len(left)) + left[-1:] if left else [""] * height
    )  # number beside the date
    right = right + [""] * (height - len(right))
    return [[a, b] for a, b in zip(left, right)], lines[end:]


def _write_zip_without_times(data: bytes, out: Path) -> None:
    """The same package with every member dated 2024-01-01: zip stamps the time of writing,
    and the same plan must give the same bytes (incremental runs key on them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


def _merge_spanning_header(table, rows: list[list[str]]) -> None:
    """A first-row header cell followed by empty cells over a second header row's cells
    spans them, as Word tables merge them (gridSpan)."""
    if len(rows) < 2:
        return
    top, below = rows[0], rows[1]
    c = 0
    while c < len(top):
        end = c
        while end + 1 < len(top) and not top[end + 1] and end + 1 < len(below) and below[end + 1]:
            end += 1
        if top[c] and end > c:
            table.cell(0, c).merge(table.cell(0, end))
            table.cell(0, c).text = top[c]
        c = end + 1


def write_pdf(lines: list[str], out: Path, ruled: bool = True) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    table_rows: list[list[str]] = []

    def flush_table():
        if table_rows:
            _pdf_table(pdf, table_rows, ruled)
            table_rows.clear()

    if not ruled:
        header, lines = header_columns(lines)
        if header:
            _pdf_header(pdf, header)

    for i, line in enumerate(lines):
        if "\t" in line:
            table_rows.append(line.split("\t"))
            continue
        if table_rows and PAGE_NUMBER.match(line) and _table_follows(lines, i):
            flush_table()  # the text file's page break inside a table: the table goes on overleaf
            pdf.add_page()
            continue
        if table_rows and not line.strip() and _table_follows(lines, i):
            continue
        flush_table()
        if not line.strip():
            pdf.ln(3)
            continue
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    flush_table()
    pdf.output(str(out))


def _table_follows(lines: list[str], i: int) -> bool:
    """True when the next non-blank line after I, a page number aside, is a table row."""
    for line in lines[i + 1 :]:
        if "\t" in line:
            return True
        if line.strip() and not PAGE_NUMBER.match(line):
            return False
    return False


def _pdf_header(pdf, rows: list[list[str]]) -> None:
    """The header block in two columns, no lines: each line of one column beside one of the other."""
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for left, right in rows:
        pdf.cell(half * 0.8, 6, left, align="C")
        pdf.cell(half * 1.2, 6, right, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _pdf_table(pdf, rows: list[list[str]], ruled: bool = True) -> None:
    """A ruled table, as word processors print them (pdfplumber finds it by its lines);
    un-ruled: no lines at all, columns apart by their padding, figures right-aligned and
    every cell's text at the top of its row."""
    if not ruled:
        return _pdf_unruled_table(pdf, rows)
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    longest = [max(len(r[c]) for r in rows) for c in range(width)]
    weights = [min(max(n, 9), 40) for n in longest]  # figures never wrap
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    col_widths = tuple(usable * w / sum(weights) for w in weights)
    pdf.set_font("DejaVu", size=8)
    with pdf.table(
        col_widths=col_widths, first_row_as_headings=False, line_height=4.5, text_align="LEFT"
    ) as table:
        for r in rows:
            row = table.row()
            for cell in r:
                row.cell(cell)
    pdf.set_font("DejaVu", size=11)
    pdf.ln(2)


def _pdf_unruled_table(pdf, rows: list[list[str]]) -> None:
    from fpdf.enums import TableBordersLayout

    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    longest = [max(len(r[c]) for r in rows) for c in range(width)]
    weights = [min(max(n, 9), 40) for n in longest]
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    col_widths = tuple(usable * w / sum(weights) for w in weights)
    pdf.set_font("DejaVu", size=8)
    with pdf.table(
        col_widths=col_widths,
        first_row_as_headings=False,
        line_height=4.5,
        text_align="LEFT",
        borders_layout=TableBordersLayout.NONE,
        v_align="TOP",
        padding=(0.5, 2),
    ) as table:
        for r in rows:
            row = table.row()
            for c, cell in enumerate(r):  # the order column centred, as plans print it
                row.cell(cell, align="CENTER" if c == 0 else "RIGHT" if FIGURE.match(cell) else "LEFT")
    pdf.set_font("DejaVu", size=11)
    pdf.ln(2)


FIGURE = re.compile(r"^\d[\d.,]*$")


def aligned_text(lines: list[str]) -> list[str]:
    """The plan as a text export with its tables' columns aligned by spaces: figures
    right-aligned, other cells left-aligned, names wrapped at NAME_WIDTH within their
    column, two spaces at least between columns."""
    out: list[str] = []
    table: list[list[str]] = []

    def flush():
        if not table:
            return
        width = max(len(r) for r in table)
        rows = [r + [""] * (width - len(r)) for r in table]
        wrapped = [[_wrap(cell, NAME_WIDTH) for cell in r] for r in rows]
        widths = [max(len(part) for r in wrapped for part in r[c]) for c in range(width)]
        for r in wrapped:
            for k in range(max(len(parts) for parts in r)):
                cells = [(parts[k] if k < len(parts) else "") for parts in r]
                out.append(
                    "  ".join(
                        cell.rjust(widths[c]) if FIGURE.match(cell) else cell.ljust(widths[c])
                        for c, cell in enumerate(cells)
                    ).rstrip()
                )
        table.clear()

    for line in lines:
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        flush()
        out.append(line)
    flush()
    return out


NAME_WIDTH = 44


def _wrap(cell: str, width: int) -> list[str]:
    parts: list[str] = [""]
    for word in cell.split():
        if parts[-1] and len(parts[-1]) + 1 + len(word) > width:
            parts.append(word)
        else:
            parts[-1] = f"{parts[-1]} {word}".strip()
    return parts


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else Path("corpus")
    dst = Path(argv[2]) if len(argv) > 2 else src / "generated"
    dst.mkdir(parents=True, exist_ok=True)
    made = 0
    for path in sorted(p for p in src.iterdir() if p.suffix in (".txt", ".md")):
        lines = plain_lines(path)
        write_docx(lines, dst / f"{path.stem}.docx")
        write_pdf(lines, dst / f"{path.stem}.pdf")
        unruled = dst / "unruled"
        unruled.mkdir(exist_ok=True)
        write_docx(lines, unruled / f"{path.stem}.docx", borderless=True)
        write_pdf(lines, unruled / f"{path.stem}.pdf", ruled=False)
        (unruled / f"{path.stem}.txt").write_text("\n".join(aligned_text(lines)) + "\n", encoding="utf-8")
        made += 5
    print(f"{made} files written to {dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
