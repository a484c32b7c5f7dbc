"""One document in, its rows for every table out. Data flows one way:
reader -> cleaned lines -> headings and section tree -> blocks -> extractors -> checks -> rows.
A document that cannot be read still gives a `documents` row (status failed) and checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import regex

from . import PIPELINE_VERSION
from .amounts import Amount, AmountFinder, sum_problem
from .assignments import AssignmentFinder
from .boxes import add_boxes
from .celltables import CellTableFinder
from .checks import Check, likely_misreading, ratio_checks, reconcile_totals
from .document import Block, Cleaner, Line, build_blocks, build_lines
from .fingerprint import code_fingerprint
from .footnotes import FootnoteLinker
from .indicators import IndicatorVocabulary
from .listitems import MentionPlacer
from .metadata import Gazetteer, extract_metadata
from .nlp import sentence_at, sentence_spans
from .places import Places
from .readers import ReadError, detect_format, read_document
from .readers.base import CONTENT_LOST, plain_error, plain_message
from .readers.limits import InputLimits
from .references import ReferenceFinder
from .repair import repair_page_order
from .rules import Rules, load_rules
from .schema import TABLE_NAMES, empty_row
from .sections import Section, build_tree, detect_headings, section_lookup
from .tables import Table, TableReader
from .targets import TargetFinder
from .taxonomy import Taxonomy

# A heading title longer than this is a paragraph with a label, not a heading to read.
HEADING_TITLE_MAX = 120


@dataclass
class DocumentResult:
    tables: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in TABLE_NAMES})

    @property
    def document(self) -> dict:
        return self.tables["documents"][0]

    @property
    def status(self) -> str:
        return self.document["status"]


class Extractor:
    """Holds the compiled rules; `process` is a pure function of the file's bytes."""

    def __init__(self, rules: Rules | None = None, ocr: str = "auto"):
        self.rules = rules or load_rules()
        self.ocr = ocr  # auto, always, never (readers/ocr.py)

    @property
    def version(self) -> str:
        """The code's version, the code's and the schema's fingerprint and the rules'
        fingerprint: same version, same output."""
        return (
            f"{PIPELINE_VERSION}+code.{code_fingerprint()[:12]}+rules.{self.rules.fingerprint[:12]}"
            f"+ocr.{self.ocr}"
        )

    @cached_property
    def cleaner(self) -> Cleaner:
        return Cleaner.from_rules(self.rules)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer.from_rules(self.rules)

    @cached_property
    def places(self) -> Places:
        return Places(self.rules)

    @cached_property
    def indicators(self) -> IndicatorVocabulary:
        return IndicatorVocabulary(self.rules)

    @cached_property
    def amount_finder(self) -> AmountFinder:
        return AmountFinder(self.rules)

    @cached_property
    def target_finder(self) -> TargetFinder:
        return TargetFinder(self.rules)

    @cached_property
    def assignment_finder(self) -> AssignmentFinder:
        return AssignmentFinder(self.rules)

    @cached_property
    def reference_finder(self) -> ReferenceFinder:
        return ReferenceFinder(self.rules)

    @cached_property
    def table_reader(self) -> TableReader:
        return TableReader(self.rules)

    @cached_property
    def cell_table_finder(self) -> CellTableFinder:
        return CellTableFinder(self.rules)

    @cached_property
    def mention_placer(self) -> MentionPlacer:
        return MentionPlacer(self.rules)

    @cached_property
    def footnote_linker(self) -> FootnoteLinker:
        return FootnoteLinker(self.rules)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return Taxonomy(self.rules)

    # ------------------------------------------------------------------------------------
    def process_path(self, path: Path) -> DocumentResult:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return self._failed(path, b"", f"cannot open the file: {exc.strerror or exc}")
        return self.process(path, data)

    @cached_property
    def limits(self) -> InputLimits:
        return InputLimits.from_rules(self.rules)

    def process(self, path: Path, data: bytes) -> DocumentResult:
        """Never raises, whatever the bytes: a file that cannot be read is a failed row whose
        error (the same for the same bytes) says why."""
        try:
            source = read_document(path, data, self.rules, self.ocr)
        except ReadError as exc:
            return self._failed(path, data, str(exc))
        except MemoryError:
            raise  # the worker reports the memory limit and is replaced
        except Exception as exc:  # a hostile file must never stop the batch
            return self._failed(path, data, f"the reader failed: {plain_error(exc)}")
        try:
            return self._extract(path, data, source)
        except MemoryError:
            raise
        except Exception as exc:
            return self._failed(
                path, data, f"extraction failed after reading: {plain_error(exc)}", fmt=source.format
            )

    def _doc_row(self, path: Path, data: bytes, fmt: str) -> dict:
        sha = hashlib.sha256(data).hexdigest()
        row = empty_row("documents")
        row.update(
            doc_id=sha[:16],
            source_name=path.name,
            source_path=str(path),
            sha256=sha,
            format=fmt,
            pipeline_version=self.version,
            programs=[],
        )
        return row

    def _failed(self, path: Path, data: bytes, message: str, fmt: str | None = None) -> DocumentResult:
        result = DocumentResult()
        row = self._doc_row(path, data, fmt or detect_format(path, data[:8]))
        message = plain_message(message, self.limits.max_message_chars)
        row.update(status="failed", error=f"{path.name}: {message}")
        result.tables["documents"].append(row)
        result.tables["checks"].append(
            _check_row(row["doc_id"], 0, Check("read_error", "error", f"{path.name}: {message}"))
        )
        return result

    def failed(self, path: Path, sha256: str, fmt: str, message: str, kind: str) -> DocumentResult:
        """The rows of a document that has no result of its own (a limit hit, a worker that
        died, a file that could not be read): its documents row and one check of KIND."""
        result = DocumentResult()
        row = empty_row("documents")
        row.update(
            doc_id=sha256[:16],
            source_name=path.name,
            source_path=str(path),
            sha256=sha256,
            format=fmt,
            pipeline_version=self.version,
            programs=[],
            status="failed",
            error=f"{path.name}: {message}",
        )
        result.tables["documents"].append(row)
        result.tables["checks"].append(
            _check_row(row["doc_id"], 0, Check(kind, "error", f"{path.name}: {message}"))
        )
        return result

    # ------------------------------------------------------------------------------------
    def _extract(self, path: Path, data: bytes, source) -> DocumentResult:
        rules = self.rules
        result = DocumentResult()
        doc = self._doc_row(path, data, source.format)
        doc_id = doc["doc_id"]
        lines = build_lines(source, self.cleaner)
        meta = extract_metadata(lines, rules, self.gazetteer, self.places)
        cell_tables = self.cell_table_finder.find(lines)  # one cell per line: no line of them is a heading
        in_cells = {i for ct in cell_tables for i in ct.line_indexes}
        headings = detect_headings(lines, rules, skip=in_cells)
        headings = _merge_part_titles(headings, lines)
        sections = build_tree(doc_id, lines, headings, rules, meta.programs)
        checks: list[Check] = []
        self._canonical_codes(sections, checks)
        read_tables = [t for t in self.table_reader.find(lines, cell_tables) if t.is_money or t.percent]
        tables = [t for t in read_tables if t.is_money]
        blocks = build_blocks(
            lines, {h.line_index for h in headings}, skip={i for t in read_tables for i in t.line_indexes}
        )
        section_at = section_lookup(sections)
        block_section = {id(b): section_at(b.first_line) for b in blocks}
        found = {id(b): self.amount_finder.find(b) for b in blocks}
        notes = self.footnote_linker.relocate(blocks, block_section)  # "[2] …" belongs where "*[2]*" stands
        repairs = repair_page_order(sections, blocks, block_section, rules, lambda b: bool(found[id(b)]))
        for p in source.problems:
            checks.append(Check(p.kind, p.severity, f"{path.name}: {p.message}", page=p.page))
        for r in repairs:
            checks.append(
                Check(
                    "page_order_repaired",
                    "info",
                    f"line {r.line}: '{r.what[:40]}' is out of page order; attached to "
                    f"'{r.target.label} {r.target.title[:40]}'",
                    line=r.line,
                )
            )

        amounts = self._amounts(blocks, block_section, found)
        self.mention_placer.place(amounts)  # "- Dự án 5 (…): 12.480,50 triệu đồng"
        self.footnote_linker.link_parts(notes, found)
        amounts += self._table_amounts(tables, section_at, checks, lines)
        checks.extend(reconcile_totals(sections, amounts, self.amount_finder.total_words, lines))
        targets = []
        reference_year = meta.issue_date.year if meta.issue_date else _latest_year(lines)
        for b in blocks:
            targets.extend(self.target_finder.find(b, block_section[id(b)], reference_year))
        table_targets = [
            tp for t in read_tables for tp in self.table_reader.targets(t, self.target_finder.indicator_key)
        ]
        for t, _ in table_targets:
            t.section = section_at(t.block.first_line)
        targets.extend(t for t, _ in table_targets)
        table_program = {id(t): p.program for t, p in table_targets if p.program}
        checks.extend(ratio_checks(targets, lines))

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
            plan_id=meta.plan_id or f"d{doc_id}",
            province_code=meta.province_code,
            province_2025=meta.province_2025,
            province_2025_code=meta.province_2025_code,
            included_in_higher_level=meta.included_in_higher_level,
            status="partial" if any(p.kind in CONTENT_LOST for p in source.problems) else "ok",
        )
        result.tables["documents"].append(doc)
        single = meta.programs[0] if len(meta.programs) == 1 else None
        moved_from = {id(r.section): r.line for r in repairs if r.section is not None}
        result.tables["sections"] = [_section_row(doc_id, s, moved_from.get(id(s))) for s in sections]
        context = _Contexts()
        result.tables["amounts"] = self._amount_rows(
            doc_id, amounts, lines, single, checks, context, sections
        )
        if source.ocr_pages:
            _checked_against_ocr(result.tables["amounts"], amounts, checks, lines, source)
            if doc["status"] == "ok" and any(c.kind == "sum_mismatch" and c.ocr for c in checks):
                doc["status"] = "partial"  # a figure of a scan's failing sum may be misread
        result.tables["targets"] = [
            _target_row(doc_id, i, t, lines, single, context, self.indicators, table_program.get(id(t)))
            for i, t in enumerate(targets)
        ]
        add_boxes(result.tables, lines, source)  # where each fact stands on its page image
        refs = []
        for b in blocks:
            for r in self.reference_finder.find(b.text):
                refs.append((b, r))
        result.tables["references"] = [
            _reference_row(doc_id, i, b, r, lines, block_section[id(b)]) for i, (b, r) in enumerate(refs)
        ]
        assignments = [a for b in blocks for a in self.assignment_finder.find(b, block_section[id(b)])]
        result.tables["assignments"] = [
            _assignment_row(doc_id, i, a, lines, block_section[id(a.block)])
            for i, a in enumerate(assignments)
        ]
        result.tables["checks"] = [_check_row(doc_id, i, c) for i, c in enumerate(checks)]
        return result

    def _canonical_codes(self, sections: list[Section], checks: list[Check]) -> None:
        for s in sections:
            if s.kind not in ("project", "subproject", "content"):
                continue
            parent_code = None
            for anc in s.ancestors():
                if anc.canonical_code and anc.kind in ("project", "subproject"):
                    parent_code = anc.canonical_code
                    break
            if s.kind == "content" and parent_code is None:
                continue
            code, note = self.taxonomy.resolve(s.program, s.kind, s.number, s.title, parent_code)
            if code is None and s.kind == "subproject" and parent_code:
                # a plan may call a project's content a "Tiểu dự án" (or the reverse)
                code, note = self.taxonomy.resolve(s.program, "content", s.number, s.title, parent_code)
            s.canonical_code = code
            if note:
                checks.append(
                    Check(
                        note.check_kind,
                        note.severity,
                        f"line {s.line_start}: {note.message}",
                        line=s.line_start,
                    )
                )

    # ------------------------------------------------------------------------------------
    def _amounts(self, blocks: list[Block], block_section, found: dict[int, list[Amount]]) -> list[Amount]:
        finder = self.amount_finder
        heading_block = {b.first_line + 1: b for b in blocks}  # line -> the block it starts
        everything: list[Amount] = []
        owners: list[tuple[Block, Amount]] = []
        for b in blocks:
            amounts = found[id(b)]
            for a in amounts:
                a.section = block_section[id(b)]
            everything.extend(amounts)
            owner = finder.link_block(amounts)
            if owner is not None and block_section[id(b)] is not None:
                owners.append((b, owner))
        # "…, trong đó:" owns the amounts of the list items after it: the section's
        # children when the paragraph is its heading, else the children that follow it
        for b, owner in owners:
            sec = block_section[id(b)]
            for child in sec.children:
                if not _heads(sec, b) and child.line_start <= b.line_indexes[-1] + 1:
                    continue
                child_block = heading_block.get(child.line_start)
                for a in found.get(id(child_block), []) if child_block is not None else []:
                    if a.parent is None and a.depth == 0 and a is not owner:
                        # the list is a breakdown of its own, beside any in the owner's sentence
                        a.parent, a.breakdown = owner, "list"
                        owner.children.append(a)

        def context_titles(a: Amount):
            """Titles of the headings above the amount (its own heading is its label)."""
            node = a.section
            if node is not None and _heads(node, a.block):
                node = node.parent
            while node is not None and node.kind != "document":
                if len(node.title) < HEADING_TITLE_MAX:
                    yield node.title
                node = node.parent

        finder.attribute(everything, context_titles)
        return everything

    def _table_amounts(
        self, tables: list[Table], section_at, checks: list[Check], lines: list[Line]
    ) -> list[Amount]:
        out: list[Amount] = []
        for t in tables:
            first = lines[t.first_line].number
            amounts = self.table_reader.amounts(t)
            for a in amounts:
                a.section = section_at(a.block.first_line)
            out.extend(amounts)
            if amounts and t.unit_line is not None:
                checks.append(
                    Check(
                        "unit_missing",
                        "info",
                        f"table at line {first}: its {len(amounts)} figures have no unit of their own; "
                        f"'{lines[t.unit_line].clean}' (line {t.unit_line + 1}) gives {t.unit_raw}",
                        line=first,
                        page=lines[t.first_line].page,
                    )
                )
            elif not amounts and t.factor is None:
                checks.append(
                    Check(
                        "unit_missing",
                        "warning",
                        f"table at line {first}: a funding table with no unit (no 'Đơn vị tính' line "
                        f"and none in its header); its figures were not read as amounts",
                        line=first,
                        page=lines[t.first_line].page,
                    )
                )
        return out

    def _amount_rows(
        self,
        doc_id: str,
        amounts: list[Amount],
        lines: list[Line],
        single: str | None,
        checks: list[Check],
        context: "_Contexts",
        sections: list[Section],
    ) -> list[dict]:
        ids = {id(a): f"{doc_id}:a{i}" for i, a in enumerate(amounts)}
        placed_code = _PlacementCodes(sections, self.taxonomy)
        rows = []
        for a in amounts:
            line_idx, c0, c1 = a.block.locate(a.start, a.end)
            line = lines[line_idx]
            sec = a.section
            project = sec.nearest("project") if sec else None
            sub = sec.nearest("subproject") if sec else None
            program = a.program or (sec.program if sec and sec.program else single)
            project_no, sub_no = project.number if project else None, sub.number if sub else None
            code = _canonical_code(sec)
            if a.placement is not None:  # a table row says where its figures belong
                program = a.placement.program or program
                if a.placement.project or a.placement.subproject:
                    project_no, sub_no = a.placement.project, a.placement.subproject
                code = placed_code(program, project_no, sub_no, a.label.split(" | ")[0])
            row = empty_row("amounts")
            row.update(
                amount_id=ids[id(a)],
                doc_id=doc_id,
                section_id=sec.section_id if sec else None,
                line=line.number,
                page=line.page,
                char_start=line.offset + c0,
                char_end=line.offset + c1,
                raw_text=_raw_span(a.block, a.start, a.end, lines),
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
            )
            rows.append(row)
            if a.number.status == "malformed":
                checks.append(
                    Check(
                        "malformed_number",
                        "error",
                        f"line {line.number}: '{a.number.raw}' is not a valid Vietnamese number "
                        f"({a.number.note}); value left empty",
                        line=line.number,
                        page=line.page,
                        amount_id=ids[id(a)],
                    )
                )
            elif a.number.status == "repaired":
                checks.append(
                    Check(
                        "repaired_number",
                        "warning",
                        f"line {line.number}: '{a.number.raw}' read as {a.number.value} ({a.number.note})",
                        line=line.number,
                        page=line.page,
                        amount_id=ids[id(a)],
                    )
                )
            if a.unit_inferred and a.placement is None:  # a table's unit is reported once per table
                checks.append(
                    Check(
                        "unit_missing",
                        "info",
                        f"line {line.number}: '{a.number.raw}' has no unit; '{_sibling_unit(a)}' taken from the amounts beside it",
                        line=line.number,
                        page=line.page,
                        amount_id=ids[id(a)],
                    )
                )
            problem = sum_problem(a)
            if problem:
                expected, actual, n_parts = problem
                checks.append(
                    Check(
                        "sum_mismatch",
                        "warning",
                        f"line {line.number}: total {a.number.raw} ({expected:g} triệu đồng) but its "
                        f"{n_parts} parts add up to {actual:g}",
                        line=line.number,
                        page=line.page,
                        amount_id=ids[id(a)],
                        expected=expected,
                        actual=actual,
                    )
                )
        return rows


class _PlacementCodes:
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


class _Contexts:
    """The sentence around a fact (spaCy), computed once per paragraph."""

    def __init__(self):
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def __call__(self, block: Block, start: int, end: int) -> str:
        if id(block) not in self._spans:
            self._spans[id(block)] = sentence_spans(block.text)
        return sentence_at(self._spans[id(block)], block.text, start, end)


def _canonical_code(sec: Section | None) -> str | None:
    """The code of the innermost enclosing section that has one."""
    node = sec
    while node is not None:
        if node.canonical_code:
            return node.canonical_code
        node = node.parent
    return None


def _heads(sec: Section, block: Block) -> bool:
    """True when the block is the section's own heading paragraph."""
    return sec.line_start == block.first_line + 1


def _sibling_unit(a: Amount) -> str:
    return next((b.unit_raw for b in (a.parent.children if a.parent else []) if b.unit_raw), "triệu đồng")


def _merge_part_titles(headings, lines: list[Line]):
    """ "PHẦN I" alone on its line takes the all-capitals line after it as its title."""
    for h in headings:
        if h.kind in ("part", "chapter") and not h.title:
            for ln in lines[h.line_index + 1 : h.line_index + 4]:
                if ln.clean:
                    if ln.clean.isupper():
                        h.title = ln.clean
                    break
    return headings


def _raw_span(block: Block, start: int, end: int, lines: list[Line]) -> str:
    """The exact source characters of block.text[start:end], across lines if need be."""
    l0, c0, _ = block.locate(start, start + 1)
    l1, _, c1 = block.locate(end - 1, end)
    if l0 == l1:
        return lines[l0].raw[c0:c1]
    parts = [lines[l0].raw[c0:]] + [lines[i].raw for i in range(l0 + 1, l1)] + [lines[l1].raw[:c1]]
    return "\n".join(parts)


def _section_row(doc_id: str, s: Section, repaired_from: int | None) -> dict:
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


def _target_row(
    doc_id: str,
    i: int,
    t,
    lines: list[Line],
    single: str | None,
    context: "_Contexts",
    indicators: IndicatorVocabulary,
    row_program: str | None = None,
) -> dict:
    """ROW_PROGRAM: the program of the table row a percentage stands in (it beats the section's)."""
    line_idx, c0, c1 = t.block.locate(t.start, t.end)
    line = lines[line_idx]
    sec = t.section
    program = row_program or t.program or (sec.program if sec and sec.program else single)
    row = empty_row("targets")
    row.update(
        target_id=f"{doc_id}:t{i}",
        doc_id=doc_id,
        section_id=sec.section_id if sec else None,
        line=line.number,
        page=line.page,
        char_start=line.offset + c0,
        char_end=line.offset + c1,
        raw_text=_raw_span(t.block, t.start, t.end, lines),
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
    )
    return row


def _reference_row(doc_id: str, i: int, b: Block, r, lines: list[Line], sec: Section | None) -> dict:
    line_idx, c0, c1 = b.locate(r.start, r.end)
    line = lines[line_idx]
    row = empty_row("references")
    row.update(
        reference_id=f"{doc_id}:r{i}",
        doc_id=doc_id,
        section_id=sec.section_id if sec else None,
        line=line.number,
        page=line.page,
        char_start=line.offset + c0,
        char_end=line.offset + c1,
        raw_text=_raw_span(b, r.start, r.end, lines),
        ref_type=r.ref_type,
        number=r.number,
        issue_date=r.issue_date,
        issuer=r.issuer,
    )
    return row


def _assignment_row(doc_id: str, i: int, a, lines: list[Line], sec: Section | None) -> dict:
    line_idx, c0, c1 = a.block.locate(a.start, max(a.end, a.start + 1))
    line = lines[line_idx]
    row = empty_row("assignments")
    row.update(
        assignment_id=f"{doc_id}:g{i}",
        doc_id=doc_id,
        section_id=sec.section_id if sec else None,
        line=line.number,
        page=line.page,
        char_start=line.offset + c0,
        char_end=line.offset + c1,
        raw_text=_raw_span(a.block, a.start, a.end, lines) if a.end > a.start else "",
        agency=a.agency,
        role=a.role,
        task=a.task[:500],
        product=a.product,
        deadline=a.deadline,
    )
    return row


def _checked_against_ocr(
    rows: list[dict], amounts: list[Amount], checks: list[Check], lines: list[Line], source
) -> None:
    """OCR'd figures: each amount row gets its word confidence (the least confident word
    of its figure), and a failing sum with an OCR'd figure in it names the figure most
    likely misread."""
    by_id = {row["amount_id"]: (row, a) for row, a in zip(rows, amounts)}
    confidence: dict[int, float | None] = {}
    for row, a in zip(rows, amounts):
        line = lines[row["line"] - 1]
        start, end = row["char_start"] - line.offset, row["char_end"] - line.offset
        seen = [c for s, e, c in source.figure_confidence.get(line.index, []) if s < end and e > start]
        confidence[id(a)] = row["ocr_confidence"] = min(seen) if seen else None
    for check in checks:
        if check.kind != "sum_mismatch" or check.amount_id not in by_id:
            continue
        total = by_id[check.amount_id][1]
        figures = [total, *total.children]
        check.ocr = any(confidence.get(id(a)) is not None for a in figures)
        misread = likely_misreading(total, lambda a: confidence.get(id(a))) if check.ocr else None
        if misread is not None:
            row = next(r for r, a in by_id.values() if a is misread.amount)
            said = f", confidence {misread.confidence:g}" if misread.confidence is not None else ""
            check.message += (
                f"; on this scan the figure most likely misread is '{misread.amount.number.raw}' "
                f"(line {row['line']}, page {row['page']}{said}): read as {misread.corrected:g} "
                f"({misread.how}), the sum holds"
            )


def _check_row(doc_id: str, i: int, c: Check) -> dict:
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


_YEAR = regex.compile(r"(?<!\d|\d[.,]|/)(?:19|20)\d\d(?!\d|[.,]\d)|(?<=\d/)(?:19|20)\d\d(?!\d)")


def _latest_year(lines) -> int | None:
    """A text without an issue date (news, portals) is as recent as the latest year it names."""
    years = [int(m.group()) for ln in lines for m in _YEAR.finditer(ln.clean)]
    return max(years) if years else None
