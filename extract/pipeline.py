"""One document in, its rows for every table out. Data flows one way, one stage after the
other (`Extractor._extract`):

    reader (readers/: the format registry)  -> normalised text (document.build_lines, metadata)
    -> section tree (headings, sections with canonical codes, tables, paragraphs)
    -> extractors (amounts with their cross-paragraph links, targets, references, assignments)
    -> checks (checks.py) -> rows (rows.py: one provenance helper for every fact row)

A document that cannot be read still gives a `documents` row (status failed) and checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import regex

from .amounts import Amount, AmountFinder, amounts_program, link_amounts
from .assignments import Assignment, AssignmentFinder
from .boxes import add_boxes
from .celltables import CellTableFinder
from .checks import (
    Check,
    amount_checks,
    explain_misreadings,
    ratio_checks,
    reconcile_totals,
    repair_checks,
    source_checks,
    table_unit_checks,
    taxonomy_checks,
)
from .document import Block, Cleaner, Line, build_blocks, build_lines
from .fingerprint import pipeline_version
from .footnotes import FootnoteLinker
from .indicators import IndicatorVocabulary
from .listitems import MentionPlacer
from .metadata import Gazetteer, Metadata, extract_metadata, reports_results
from .places import Places
from .prefilter import LiteralKeys
from .readers import ReadError, SourceText, detect_format, read_document
from .readers.base import plain_error, plain_message
from .readers.limits import InputLimits
from .references import Reference, ReferenceFinder
from .repair import Repair, repair_page_order
from .rows import (
    Contexts,
    Provenance,
    amount_ids,
    amount_rows,
    assignment_row,
    check_row,
    describe_document,
    document_row,
    figure_confidence,
    reference_row,
    section_row,
    sha256_of,
    target_row,
)
from .rules import Rules, load_rules
from .schema import TABLE_NAMES
from .sections import Heading, Section, build_tree, detect_headings, section_lookup
from .tables import Table, TableReader
from .targets import Target, TargetFinder
from .taxonomy import Taxonomy, TitleOverride, assign_codes


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
        self.prefilter = True  # False: every extractor reads every paragraph (tests compare the two)

    @property
    def version(self) -> str:
        """The code's version, the code's and the schema's fingerprint and the rules'
        fingerprint: same version, same output."""
        return pipeline_version(self.rules.fingerprint, self.ocr)

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
    def reference_keys(self) -> LiteralKeys:
        """A cited document opens with its type (references.py): a paragraph where no type
        stands cites none."""
        d = self.rules.section("documents")
        return LiteralKeys([*d["reference_types"], *d["reference_abbreviations"]])

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
        return document_row(path, sha256_of(data), fmt, self.version)

    def _failed(self, path: Path, data: bytes, message: str, fmt: str | None = None) -> DocumentResult:
        message = plain_message(message, self.limits.max_message_chars)
        return self.failed(path, sha256_of(data), fmt or detect_format(path, data[:8]), message, "read_error")

    def failed(self, path: Path, sha256: str, fmt: str, message: str, kind: str) -> DocumentResult:
        """The rows of a document that has no result of its own (a limit hit, a worker that
        died, a file that could not be read): its documents row and one check of KIND."""
        result = DocumentResult()
        row = document_row(path, sha256, fmt, self.version)
        row.update(status="failed", error=f"{path.name}: {message}")
        result.tables["documents"].append(row)
        result.tables["checks"].append(
            check_row(row["doc_id"], 0, Check(kind, "error", f"{path.name}: {message}"))
        )
        return result

    # ------------------------------------------------------------------------------------
    def _extract(self, path: Path, data: bytes, source: SourceText) -> DocumentResult:
        """The stages, in order: reader (done) -> normalised text -> section tree ->
        extractors -> checks -> rows."""
        doc = self._doc_row(path, data, source.format)
        lines = build_lines(source, self.cleaner)
        meta = extract_metadata(lines, self.rules, self.gazetteer, self.places)
        tree = self._section_tree(doc["doc_id"], lines, meta)
        facts = self._find_facts(tree, meta)
        where = Provenance(doc["doc_id"], lines)
        checks = self._checks(path, source, tree, facts, where)
        return self._rows(doc, source, meta, tree, facts, checks, where)

    def _section_tree(self, doc_id: str, lines: list[Line], meta: Metadata) -> _Tree:
        """Headings, the section tree with its canonical codes, the tables, and the
        paragraphs (blocks) outside them, each with its section."""
        cell_tables = self.cell_table_finder.find(lines)  # one cell per line: no line of them is a heading
        in_cells = {i for ct in cell_tables for i in ct.line_indexes}
        headings = _merge_part_titles(detect_headings(lines, self.rules, skip=in_cells), lines)
        sections = build_tree(doc_id, lines, headings, self.rules, meta.programs)
        overrides = assign_codes(sections, self.taxonomy)
        read_tables = [t for t in self.table_reader.find(lines, cell_tables) if t.is_money or t.percent]
        blocks = build_blocks(
            lines, {h.line_index for h in headings}, skip={i for t in read_tables for i in t.line_indexes}
        )
        section_at = section_lookup(sections)
        block_section = {id(b): section_at(b.first_line) for b in blocks}
        return _Tree(lines, sections, overrides, read_tables, blocks, block_section, section_at)

    def _find_facts(self, tree: _Tree, meta: Metadata) -> _Facts:
        """Every extractor over the paragraphs and the tables."""
        amounts, table_amounts, repairs = self._amounts(tree)
        targets, table_program = self._targets(tree, meta)
        blocks, block_section = tree.blocks, tree.block_section
        references = [
            (b, r)
            for b in blocks
            if not self.prefilter or self.reference_keys.any_in_form(b.key_form())
            for r in self.reference_finder.find(b.text)
        ]
        assignments = [a for b in blocks for a in self.assignment_finder.find(b, block_section[id(b)])]
        return _Facts(amounts, table_amounts, targets, table_program, references, assignments, repairs)

    def _amounts(self, tree: _Tree) -> tuple[list[Amount], list[tuple[Table, list[Amount]]], list[Repair]]:
        """The paragraphs' amounts, linked across paragraphs, then the tables'. The amounts
        of each paragraph are found first: they tell which paragraphs are out of page order
        (the repairs move them in the tree)."""
        blocks, block_section = tree.blocks, tree.block_section
        found = {id(b): self.amount_finder.find(b) for b in blocks}
        notes = self.footnote_linker.relocate(blocks, block_section)  # "[2] …" belongs where "*[2]*" stands
        repairs = repair_page_order(
            tree.sections, blocks, block_section, self.rules, lambda b: bool(found[id(b)])
        )
        amounts = link_amounts(self.amount_finder, blocks, block_section, found, self.mention_placer.place)
        self.footnote_linker.link_parts(notes, found)
        table_amounts = []
        for table in tree.read_tables:
            if table.is_money:
                in_table = self.table_reader.amounts(table)
                for a in in_table:
                    a.section = tree.section_at(a.block.first_line)
                table_amounts.append((table, in_table))
                amounts += in_table
        return amounts, table_amounts, repairs

    def _targets(self, tree: _Tree, meta: Metadata) -> tuple[list[Target], dict[int, str]]:
        """The paragraphs' targets, then the tables' percentages, with the program of the
        table row each percentage stands in (by id() of the target)."""
        # the year the document speaks from: its issue date's, its plan year, else the latest it names
        reference_year = (
            meta.issue_date.year if meta.issue_date else meta.plan_year or _latest_year(tree.lines)
        )
        reports = reports_results(meta, self.rules)
        targets = [
            t
            for b in tree.blocks
            for t in self.target_finder.find(b, tree.block_section[id(b)], reference_year, reports)
        ]
        table_targets = [
            tp
            for table in tree.read_tables
            for tp in self.table_reader.targets(table, self.target_finder.indicator_key)
        ]
        for target, _ in table_targets:
            target.section = tree.section_at(target.block.first_line)
        targets.extend(target for target, _ in table_targets)
        return targets, {id(t): p.program for t, p in table_targets if p.program}

    def _checks(
        self, path: Path, source: SourceText, tree: _Tree, facts: _Facts, where: Provenance
    ) -> list[Check]:
        """What the reader met, what the stages repaired or could not read, and the checks
        across the document (sums, totals, ratios); on a scan, the figure a failing sum
        most likely misread."""
        lines = tree.lines
        checks = taxonomy_checks(tree.overrides)
        checks += source_checks(path.name, source.problems)
        checks += repair_checks(facts.repairs)
        for table, in_table in facts.table_amounts:
            checks += table_unit_checks(table, in_table, lines)
        checks += reconcile_totals(tree.sections, facts.amounts, self.amount_finder.total_words, lines)
        checks += ratio_checks(facts.targets, lines)
        ids = amount_ids(where.doc_id, facts.amounts)
        places = {id(a): where(a.block, a.start, a.end, None) for a in facts.amounts}
        for a in facts.amounts:
            checks += amount_checks(a, ids[id(a)], places[id(a)]["line"], places[id(a)]["page"])
        if source.ocr_pages:
            facts.ocr_confidence = figure_confidence(facts.amounts, places, lines, source)
            explain_misreadings(
                checks,
                {ids[id(a)]: a for a in facts.amounts},
                facts.ocr_confidence,
                lambda a: (places[id(a)]["line"], places[id(a)]["page"]),
            )
        return checks

    def _rows(
        self,
        doc: dict,
        source: SourceText,
        meta: Metadata,
        tree: _Tree,
        facts: _Facts,
        checks: list[Check],
        where: Provenance,
    ) -> DocumentResult:
        result = DocumentResult()
        doc_id = doc["doc_id"]
        describe_document(doc, source, meta)
        if doc["status"] == "ok" and any(c.kind == "sum_mismatch" and c.ocr for c in checks):
            doc["status"] = "partial"  # a figure of a scan's failing sum may be misread
        result.tables["documents"].append(doc)
        single = meta.programs[0] if len(meta.programs) == 1 else None
        moved_from = {id(r.section): r.line for r in facts.repairs if r.section is not None}
        result.tables["sections"] = [section_row(doc_id, s, moved_from.get(id(s))) for s in tree.sections]
        context = Contexts()
        result.tables["amounts"] = amount_rows(
            where,
            facts.amounts,
            amounts_program(single, meta.title, facts.amounts),
            context,
            tree.sections,
            self.taxonomy,
        )
        if facts.ocr_confidence is not None:
            for row, a in zip(result.tables["amounts"], facts.amounts, strict=True):
                row["ocr_confidence"] = facts.ocr_confidence[id(a)]
        result.tables["targets"] = [
            target_row(where, i, t, single, context, self.indicators, facts.table_program.get(id(t)))
            for i, t in enumerate(facts.targets)
        ]
        add_boxes(result.tables, tree.lines, source)  # where each fact stands on its page image
        result.tables["references"] = [
            reference_row(where, i, b, r, tree.block_section[id(b)])
            for i, (b, r) in enumerate(facts.references)
        ]
        result.tables["assignments"] = [
            assignment_row(where, i, a, tree.block_section[id(a.block)])
            for i, a in enumerate(facts.assignments)
        ]
        result.tables["checks"] = [check_row(doc_id, i, c) for i, c in enumerate(checks)]
        return result


@dataclass
class _Tree:
    """A document's text and structure."""

    lines: list[Line]
    sections: list[Section]
    overrides: list[tuple[int, TitleOverride]]  # headings whose number and title disagree
    read_tables: list[Table]  # money and percentage tables
    blocks: list[Block]  # the paragraphs outside headings and tables
    block_section: dict[int, Section | None]  # by id() of a block
    section_at: Callable[[int], Section | None]  # a line index's section


@dataclass
class _Facts:
    """What the extractors found in a document."""

    amounts: list[Amount]  # the paragraphs', then the tables'
    table_amounts: list[tuple[Table, list[Amount]]]
    targets: list[Target]
    table_program: dict[int, str]  # a table percentage (by id()) -> its row's program
    references: list[tuple[Block, Reference]]
    assignments: list[Assignment]
    repairs: list[Repair]
    ocr_confidence: dict[int, float | None] | None = None  # OCR'd documents: by id() of an amount


def _merge_part_titles(headings: list[Heading], lines: list[Line]) -> list[Heading]:
    """ "PHẦN I" alone on its line takes the all-capitals line after it as its title."""
    for h in headings:
        if h.kind in ("part", "chapter") and not h.title:
            for ln in lines[h.line_index + 1 : h.line_index + 4]:
                if ln.clean:
                    if ln.clean.isupper():
                        h.title = ln.clean
                    break
    return headings


_YEAR = regex.compile(r"(?<!\d|\d[.,]|/)(?:19|20)\d\d(?!\d|[.,]\d)|(?<=\d/)(?:19|20)\d\d(?!\d)")


def _latest_year(lines: list[Line]) -> int | None:
    """A text without an issue date (news, portals) is as recent as the latest year it names."""
    years = [int(m.group()) for ln in lines for m in _YEAR.finditer(ln.clean)]
    return max(years) if years else None
