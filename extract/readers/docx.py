"""DOCX: paragraphs and tables in body order, with Word's automatic list numbering.

python-docx shows a paragraph's text but not the "1.", "1.1.", "a)" that Word draws
from numbering.xml; plans number their sections that way, so we render it ourselves.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

from .base import ReadError, SourceText

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
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
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


def _load_numbering(document) -> _Numbering:
    numbering = _Numbering()
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return numbering
    for abstract in root.iter(f"{W}abstractNum"):
        aid = abstract.get(f"{W}abstractNumId")
        levels = {}
        for lvl in abstract.iter(f"{W}lvl"):
            ilvl = int(lvl.get(f"{W}ilvl", "0"))
            level = _Level()
            for child in lvl:
                val = child.get(f"{W}val")
                if child.tag == f"{W}start" and val is not None:
                    level.start = int(val)
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
            ilvl = int(override.get(f"{W}ilvl", "0"))
            start = override.find(f"{W}startOverride")
            if start is not None:
                numbering.start_overrides[(nid, ilvl)] = int(start.get(f"{W}val"))
    return numbering


def _num_pr(paragraph_el, styles_by_id) -> tuple[str, int] | None:
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
            ilvl = int(lvl.get(f"{W}val")) if lvl is not None else None
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
            if ilvl is None and lvl is not None:
                ilvl = int(lvl.get(f"{W}val"))
        based = style.find(f"{W}basedOn")
        style_id = based.get(f"{W}val") if based is not None else None
    if num_id is None:
        return None
    return num_id, ilvl or 0


def _paragraph_text(p_el) -> str:
    parts = []
    for node in p_el.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append(" ")
    return "".join(parts)


def read_docx(data: bytes) -> SourceText:
    try:
        import docx  # python-docx
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise ReadError(f"not a readable DOCX file ({type(exc).__name__}: {exc})") from exc
    numbering = _load_numbering(document)
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
            pr = _num_pr(child, styles_by_id)
            if pr is not None:
                label = numbering.label(*pr)
                if label:
                    numbered += 1
                    text = f"{label} {text.lstrip()}"
            lines.append(text)
        elif child.tag == f"{W}tbl":
            tables += 1
            for row in child.iter(f"{W}tr"):
                cells = []
                for cell in row.iter(f"{W}tc"):
                    cell_text = " ".join(_paragraph_text(p) for p in cell.iter(f"{W}p")).strip()
                    cells.append(cell_text)
                    # a merged cell spanning N columns keeps the columns after it, empty (as
                    # converted text writes them), so figures stay under their headers
                    span = cell.find(f"{W}tcPr/{W}gridSpan")
                    if span is not None and str(span.get(f"{W}val", "1")).isdigit():
                        cells.extend([""] * (int(span.get(f"{W}val")) - 1))
                lines.append("\t".join(cells))
    lines = [unicodedata.normalize("NFC", line) for line in lines]
    notes = [f"{numbered} paragraphs with automatic numbering", f"{tables} tables"]
    return SourceText(lines=lines, pages=[None] * len(lines), format="docx", method="text", notes=notes)
