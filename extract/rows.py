"""Rows: the facts of one document as the rows of its tables (schema.py). Every fact row
takes its place in the source (doc_id, section_id, line, page, char_start, char_end,
raw_text) from ONE helper, `Provenance`, so the columns of provenance are filled the same
way in every table; a new provenance column (a box on the page) is added there once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .amounts import Amount
from .assignments import Assignment
from .checks import Check
from .document import Block, Line
from .indicators import IndicatorVocabulary
from .metadata import Metadata
from .nlp import sentence_at, sentence_spans
from .readers.base import CONTENT_LOST, SourceText
from .references import Reference
from .schema import empty_row
from .sections import Section
from .targets import Target
from .taxonomy import Taxonomy


@dataclass(frozen=True)
class Provenance:
    """Where a fact stands in its document: the provenance columns every fact row shares."""

    doc_id: str
    lines: list[Line]

    def __call__(self, block: Block, start: int, end: int, section: Section | None) -> dict[str, Any]:
        """The provenance columns of block.text[start:end] under SECTION. A fact with no text
        of its own (START == END) stands at its first character, with an empty raw_text."""
        line_idx, c0, c1 = block.locate(start, max(end, start + 1))
        line = self.lines[line_idx]
        return {
            "doc_id": self.doc_id,
            "section_id": section.section_id if section else None,
            "line": line.number,
            "page": line.page,
            "char_start": line.offset + c0,
            "char_end": line.offset + c1,
            "raw_text": raw_span(block, start, end, self.lines) if end > start else "",
        }


def raw_span(block: Block, start: int, end: int, lines: list[Line]) -> str:
    """The exact source characters of block.text[start:end], across lines if need be."""
    l0, c0, _ = block.locate(start, start + 1)
    l1, _, c1 = block.locate(end - 1, end)
    if l0 == l1:
        return lines[l0].raw[c0:c1]
    parts = [lines[l0].raw[c0:]] + [lines[i].raw for i in range(l0 + 1, l1)] + [lines[l1].raw[:c1]]
    return "\n".join(parts)


# the order the rules of a fact are listed in; any other attribute after these, by name
_RULE_ORDER = ("unit", "funding_source", "capital_type", "measure", "program", "comparator", "direction")


def rules_text(rules: dict[str, str]) -> str | None:
    """A fact's rules as one string, "attribute: rule; …" (the `rules` column)."""
    order = sorted(rules, key=lambda k: (_RULE_ORDER.index(k) if k in _RULE_ORDER else len(_RULE_ORDER), k))
    return "; ".join(f"{k}: {rules[k]}" for k in order if rules[k]) or None


class Contexts:
    """The sentence around a fact (spaCy), computed once per paragraph."""

    def __init__(self) -> None:
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def __call__(self, block: Block, start: int, end: int) -> str:
        if id(block) not in self._spans:
            self._spans[id(block)] = sentence_spans(block.text)
        return sentence_at(self._spans[id(block)], block.text, start, end)


# ---- documents -----------------------------------------------------------------------------
def document_row(path: Path, sha256: str, fmt: str, version: str) -> dict:
    """A document's row before anything is read from it (what a failed document keeps)."""
    row = empty_row("documents")
    row.update(
        doc_id=sha256[:16],
        source_name=path.name,
        source_path=str(path),
        sha256=sha256,
        format=fmt,
        pipeline_version=version,
        programs=[],
    )
    return row


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def describe_document(doc: dict, source: SourceText, meta: Metadata) -> None:
    """What the reader and the metadata say about a document that was read."""
    doc.update(
        method=source.method,
        pages=source.page_count,
        ocr_pages=source.ocr_pages,
        ocr_confidence=source.ocr_confidence,
        doc_number=meta.doc_number,
        doc_type=meta.doc_type,
        issuer=meta.issuer,
        admin_level=meta.admin_level,
        province=meta.province,
        district=meta.district,
        issue_date=meta.issue_date,
        plan_year=meta.plan_year,
        programs=meta.programs,
        title=meta.title,
        signer=meta.signer,
        encoding=source.encoding,
        # a document that says too little to be matched with its other versions is a plan of its own
        plan_id=meta.plan_id or f"d{doc['doc_id']}",
        province_code=meta.province_code,
        province_2025=meta.province_2025,
        province_2025_code=meta.province_2025_code,
        included_in_higher_level=meta.included_in_higher_level,
        status="partial" if any(p.kind in CONTENT_LOST for p in source.problems) else "ok",
    )


# ---- sections ------------------------------------------------------------------------------
def section_row(doc_id: str, s: Section, repaired_from: int | None) -> dict:
    row = empty_row("sections")
    row.update(
        doc_id=doc_id,
        section_id=s.section_id,
        parent_id=s.parent_id,
        kind=s.kind,
        label=s.label,
        number=s.number,
        title=s.title[:500],
        program=s.program,
        role=s.role,
        level=s.level,
        line_start=s.line_start,
        line_end=s.line_end,
        page_start=s.page_start,
        canonical_code=s.canonical_code,
        repaired_from_line=repaired_from,
    )
    return row


# ---- amounts -------------------------------------------------------------------------------
def amount_ids(doc_id: str, amounts: list[Amount]) -> dict[int, str]:
    return {id(a): f"{doc_id}:a{i}" for i, a in enumerate(amounts)}


def amount_rows(
    where: Provenance,
    amounts: list[Amount],
    single: str | None,
    context: Contexts,
    sections: list[Section],
    taxonomy: Taxonomy,
) -> list[dict]:
    """SINGLE: the document's one program, for amounts no section or row places."""
    ids = amount_ids(where.doc_id, amounts)
    placed_code = PlacementCodes(sections, taxonomy)
    rows = []
    for a in amounts:
        sec = a.section
        project = sec.nearest("project") if sec else None
        sub = sec.nearest("subproject") if sec else None
        program = a.program or (None if a.all_programs else sec.program if sec and sec.program else single)
        project_no, sub_no = project.number if project else None, sub.number if sub else None
        code = canonical_code(sec)
        if a.placement is not None:  # a table row says where its figures belong
            program = a.placement.program or program
            if a.placement.project or a.placement.subproject:
                project_no, sub_no = a.placement.project, a.placement.subproject
            code = placed_code(program, project_no, sub_no, a.label.split(" | ")[0])
        row = empty_row("amounts")
        row.update(
            amount_id=ids[id(a)],
            **where(a.block, a.start, a.end, sec),
            value_million_vnd=a.value,
            unit_raw=a.unit_raw,
            unit_inferred=a.unit_inferred,
            program=program,
            project=project_no,
            subproject=sub_no,
            canonical_code=code,
            from_table=a.placement is not None,
            funding_source=a.funding_source,
            capital_type=a.capital_type,
            measure=a.measure,
            fiscal_year=a.fiscal_year,
            parent_amount_id=ids.get(id(a.parent)) if a.parent else None,
            context=context(a.block, a.start, a.end),
            comparator=a.comparator,
            value_max=a.value_max,
            rules=rules_text(a.rules),
        )
        rows.append(row)
    return rows


class PlacementCodes:
    """The canonical code of a table row's place (program, project and sub-project numbers):
    that of the document's own heading with those numbers when there is one (its title was
    matched), else the official item with those numbers and the row's name as title."""

    def __init__(self, sections: list[Section], taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.by_place: dict[tuple, str] = {}
        for s in sections:
            if s.canonical_code and s.kind in ("project", "subproject"):
                project = s.nearest("project")
                place = (
                    s.program,
                    project.number if project else None,
                    s.number if s.kind == "subproject" else None,
                )
                self.by_place.setdefault(place, s.canonical_code)

    def __call__(
        self, program: str | None, project: str | None, subproject: str | None, name: str
    ) -> str | None:
        if project is None:
            return None
        if (program, project, subproject) in self.by_place:
            return self.by_place[(program, project, subproject)]
        code, _ = self.taxonomy.resolve(program, "project", project, name if subproject is None else "", None)
        if code is None or subproject is None:
            return code
        sub_code, _ = self.taxonomy.resolve(program, "subproject", subproject, name, code.split(".TDA")[0])
        return sub_code or code


def canonical_code(sec: Section | None) -> str | None:
    """The code of the innermost enclosing section that has one."""
    node = sec
    while node is not None:
        if node.canonical_code:
            return node.canonical_code
        node = node.parent
    return None


# ---- targets, references, assignments, checks ----------------------------------------------
def target_row(
    where: Provenance,
    i: int,
    t: Target,
    single: str | None,
    context: Contexts,
    indicators: IndicatorVocabulary,
    row_program: str | None = None,
) -> dict:
    """ROW_PROGRAM: the program of the table row a percentage stands in (it beats the section's)."""
    sec = t.section
    program = (
        row_program
        or t.program
        or (sec.program if sec and sec.program else t.program_carried or single)
        or t.program_hint
    )
    row = empty_row("targets")
    row.update(
        target_id=f"{where.doc_id}:t{i}",
        **where(t.block, t.start, t.end, sec),
        value=t.value,
        value_max=t.value_max,
        unit=t.unit,
        comparator=t.comparator,
        direction=t.direction,
        kind=t.kind,
        indicator=t.indicator,
        indicator_key=t.indicator_key,
        indicator_code=indicators.code(t.indicator, program),
        program=program,
        year=t.year,
        numerator=t.numerator,
        denominator=t.denominator,
        context=context(t.block, t.start, t.end),
        rules=rules_text(t.rules),
    )
    return row


def reference_row(where: Provenance, i: int, b: Block, r: Reference, sec: Section | None) -> dict:
    row = empty_row("references")
    row.update(
        reference_id=f"{where.doc_id}:r{i}",
        **where(b, r.start, r.end, sec),
        ref_type=r.ref_type,
        number=r.number,
        issue_date=r.issue_date,
        issuer=r.issuer,
    )
    return row


def assignment_row(where: Provenance, i: int, a: Assignment, sec: Section | None) -> dict:
    row = empty_row("assignments")
    row.update(
        assignment_id=f"{where.doc_id}:g{i}",
        **where(a.block, a.start, a.end, sec),
        agency=a.agency,
        role=a.role,
        task=a.task[:500],
        product=a.product,
        deadline=a.deadline,
    )
    return row


def check_row(doc_id: str, i: int, c: Check) -> dict:
    row = empty_row("checks")
    row.update(
        check_id=f"{doc_id}:c{i}",
        doc_id=doc_id,
        kind=c.kind,
        severity=c.severity,
        line=c.line,
        page=c.page,
        amount_id=c.amount_id,
        expected=c.expected,
        actual=c.actual,
        message=c.message,
    )
    return row


def figure_confidence(
    amounts: list[Amount], places: dict[int, dict[str, Any]], lines: list[Line], source: SourceText
) -> dict[int, float | None]:
    """OCR'd figures: the word confidence of each amount (by id()), the least confident word
    of its figure; PLACES: each amount's provenance columns (by id())."""
    confidence: dict[int, float | None] = {}
    for a in amounts:
        place = places[id(a)]
        line = lines[place["line"] - 1]
        start, end = place["char_start"] - line.offset, place["char_end"] - line.offset
        seen = [c for s, e, c in source.figure_confidence.get(line.index, []) if s < end and e > start]
        confidence[id(a)] = min(seen) if seen else None
    return confidence
