"""The schema of every rules file: each key declared once, with its type and default.

A rules file is validated against its model when rules load (rules.py): an unknown or
misspelt key, a value of the wrong type, a pattern that does not compile or an enum value
the output contract does not know stops the run before any document, with the file, the
key and the problem named. Models forbid extra keys (spaCy's `schemas.py` does the same).
Defaults live here and nowhere else: the validated, defaulted mapping is what the code
reads.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

# The contract's enums (../shared/gold/README.md, ../shared/contract/tables.md) that rules
# files name as values. One list, checked wherever a rules file uses one.
FUNDING_SOURCES = (
    "central",
    "local",
    "province",
    "district",
    "district_commune",
    "commune",
    "credit",
    "enterprise",
    "community",
    "integrated",
    "mobilized",
    "other",
    "reserve",
)
CAPITAL_TYPES = ("investment", "recurrent")
MEASURES = ("plan", "carryover", "disbursed", "revenue", "expenditure", "indicator", "other")
COMPARATORS = ("eq", "gt", "ge", "lt", "le", "range", "approx")
DIRECTIONS = ("increase", "decrease")
TARGET_KINDS = ("target", "result", "norm", "other")
SECTION_KINDS = (
    "part",
    "chapter",
    "section",
    "program",
    "project",
    "subproject",
    "content",
    "activity",
    "item",
)
ROLES = (
    "purpose",
    "objectives",
    "scope",
    "tasks",
    "funding",
    "solutions",
    "organization",
    "reporting",
    "results",
    "appendix",
    "other",
)
PROGRAMS = ("NTM", "GNBV", "DTTS")
ADMIN_LEVELS = ("province", "district", "commune")


def _compiles(pattern: str) -> str:
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"the pattern does not compile: {exc}") from None
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _phrases(value_type: Any) -> type[Closed]:
    class PhraseEntry(Closed):
        value: value_type
        phrases: list[str]

    return PhraseEntry


FundingEntry = _phrases(Literal[FUNDING_SOURCES])
CapitalEntry = _phrases(Literal[CAPITAL_TYPES])
MeasureEntry = _phrases(Literal[MEASURES])
ComparatorEntry = _phrases(Literal[COMPARATORS])
DirectionEntry = _phrases(Literal[DIRECTIONS])
TargetKindEntry = _phrases(Literal[TARGET_KINDS])


# --- headings.yaml ---------------------------------------------------------------------------
class LabelStyleRule(Closed):
    name: str
    pattern: Pattern
    rank: int | None = None
    depth_from: Literal["dots"] | None = None
    needs_title: bool = False


class TypedHeadRule(Closed):
    kind: Literal[SECTION_KINDS]  # type: ignore[valid-type]
    rank: int
    pattern: Pattern
    ignore_case: bool = False
    max_length: int | None = None


class HeadingsFile(Closed):
    label_styles: list[LabelStyleRule]
    ordinal_words: dict[str, int]
    letter_order: list[str]
    typed_heads: list[TypedHeadRule]
    kind_of_style: dict[str, Literal[SECTION_KINDS]]  # type: ignore[valid-type]
    title_start: Pattern
    amount_title: Pattern
    project_mention: Pattern
    mention_link: Pattern
    mention_opening: Pattern
    program_heading_words: list[str]
    footnote_marker: Pattern
    footnote_note: Pattern
    opening_quotes: str


# --- roles.yaml --------------------------------------------------------------------------------
class RoleRule(Closed):
    role: Literal[ROLES]  # type: ignore[valid-type]
    phrases: list[str]


class RolesFile(Closed):
    roles: list[RoleRule]
    # phrases holding a role word that name something else ("chương trình mục tiêu quốc gia")
    role_not: list[str] = Field(default_factory=list)


# --- money.yaml --------------------------------------------------------------------------------
class MoneyUnit(Closed):
    spellings: list[str]
    factor: float


class MoneyFile(Closed):
    units: list[MoneyUnit]
    bare_units: list[str]
    per_unit_suffix: Pattern
    breakdown_markers: list[str]
    # markers whose list may name only some parts ("trong đó", "đã bao gồm"): a sum is
    # checked only when the parts split the total by source or capital type, or exceed it
    partial_breakdown_markers: list[str] = Field(default_factory=list)
    unitless_follower: Pattern
    unitless_label: Pattern
    # a program named in an amount's own words: one of program_words, then within a few
    # words one of its names ("vốn Chương trình MTQG giảm nghèo bền vững là …")
    program_words: list[str] = Field(default_factory=list)
    # words after a bare "đồng" that make a compound, not money
    dong_compounds: list[str] = Field(default_factory=list)
    # words opening a label written after the amount ("… tỷ đồng vốn đầu tư công")
    label_after_openers: list[str] = Field(default_factory=list)
    # verbs after "địa phương" that make it the actor, not the local budget
    local_actor_verbs: list[str] = Field(default_factory=list)
    # words joining the two figures of a money range, and words that may open one
    range_joiners: list[str] = Field(default_factory=list)
    range_openers: list[str] = Field(default_factory=list)
    # words joining the items of a list of figures (a label after a figure ends at the last)
    item_joiners: list[str] = Field(default_factory=list)
    # two figures joined by one of these share the program named after the second
    and_words: list[str] = Field(default_factory=list)
    program_names: dict[Literal[PROGRAMS], list[str]] = Field(default_factory=dict)  # type: ignore[valid-type]
    # words naming all the programs at once ("ba chương trình"): such an amount has no program
    all_programs: list[str] = Field(default_factory=list)
    # words between an amount and a bracket after it that make the bracket's figure a
    # comparison ("tăng 7,15% so cùng kỳ (3.657 tỷ đồng)"), never a part
    comparison_words: list[str] = Field(default_factory=list)
    # words opening a paragraph that continue the breakdown of the paragraph or list before
    # it ("Trong đó, …", "Phân theo Chương trình: …")
    continuation_openers: list[str] = Field(default_factory=list)
    # words that make a paragraph ending with ":" introduce the list under it ("như sau:")
    list_intro_words: list[str] = Field(default_factory=list)
    # money words before a project name that opens its sentence ("Từ nguồn vốn Dự án 5, …"):
    # the name places the sentence's amounts (listitems.py)
    mention_money_opening: Pattern | None = None
    # a heading naming one capital type gives it to the amounts under it only when it also
    # names money with one of these words ("Kế hoạch đầu tư công nguồn ngân sách …", not
    # the project title "Hỗ trợ đầu tư phát triển hạ tầng …")
    heading_money_words: list[str] = Field(default_factory=list)
    # words of the clause before a figure that make it a rate ("mỗi mô hình … 200 triệu đồng")
    rate_words: list[str] = Field(default_factory=list)
    funding_source: list[FundingEntry]  # type: ignore[valid-type]
    capital_type: list[CapitalEntry]  # type: ignore[valid-type]
    measure: list[MeasureEntry]  # type: ignore[valid-type]
    total_words: list[str]


# --- targets.yaml --------------------------------------------------------------------------------
class CountUnit(Closed):
    unit: str
    nouns: list[str]
    measure: bool = False


class TargetsFile(Closed):
    comparator_fillers: list[str]
    indicator_trailing: list[str]
    indicator_leading: list[str]
    indicator_after_stops: list[str]
    annual_phrases: list[str]
    comparators: list[ComparatorEntry]  # type: ignore[valid-type]
    comparators_after: list[ComparatorEntry] = Field(default_factory=list)  # type: ignore[valid-type]
    direction: list[DirectionEntry]  # type: ignore[valid-type]
    # words right before a figure that make it a change, not a bound ("vượt 8,4% so dự toán")
    comparator_changes: list[DirectionEntry] = Field(default_factory=list)  # type: ignore[valid-type]
    # phrases holding a direction word that are not a direction ("giảm nghèo bền vững")
    direction_not: list[str] = Field(default_factory=list)
    # words between two figures that stop the first one's verb and comparator from
    # carrying to the second ("giảm 5,2%, còn 18,6%")
    direction_carry_stops: list[str] = Field(default_factory=list)
    # words naming a new subject: a verb that followed its own subject does not carry past them
    direction_carry_subjects: list[str] = Field(default_factory=list)
    # words joining two figures that share one verb ("giảm 80% … và 85% …"), matched as
    # written (a comma joins them too)
    direction_carry_joiners: list[str] = Field(default_factory=list)
    kind: dict[Literal[TARGET_KINDS], list[str]]  # type: ignore[valid-type]
    # phrases of the figure's own clause that decide its kind before the section does
    kind_in_clause: dict[Literal[TARGET_KINDS], list[str]] = Field(default_factory=dict)  # type: ignore[valid-type]
    # phrases after the figure, up to its own clause end ("… 6,4% so cùng kỳ")
    kind_after_figure: dict[Literal[TARGET_KINDS], list[str]] = Field(default_factory=dict)  # type: ignore[valid-type]
    # weaker result words, before (in_clause) or after (after_figure) the figure, that
    # decide only outside an aims section
    kind_result_outside_aims: dict[Literal["in_clause", "after_figure"], list[str]] = Field(
        default_factory=dict
    )
    # phrases that make a paragraph worth searching for counts (besides the target kind's)
    count_context: list[str] = Field(default_factory=list)
    # words right before "a/b" that make it a date, not a ratio
    date_words: list[str] = Field(default_factory=list)
    # a year named in a sentence (group y): before the document's year, a result
    year_mention: Pattern | None = None
    # openers of a sentence that goes on with the one before ("Riêng", "Trong đó"): its year carries
    year_carry_openers: list[str] = Field(default_factory=list)
    # deadlines ("đến hết năm"): an aim, unless the year after them is before the document's
    deadline_phrases: list[str] = Field(default_factory=list)
    # "lần lượt": the k-th figure after it is the k-th program named in its sentence
    respectively_words: list[str] = Field(default_factory=list)
    # names that alone stand for a program ("nông thôn mới"): the last resort for a figure's program
    program_names_alone: dict[Literal[PROGRAMS], list[str]] = Field(default_factory=dict)  # type: ignore[valid-type]
    count_units: list[CountUnit]
    multipliers: dict[str, int]
    period_patterns: list[Pattern]
    indicator_stopwords: list[str]
    indicator_share_words: list[str]
    indicator_share_prefix: str
    indicator_object_words: list[str]
    indicator_tail_openers: list[str]
    indicator_head_cuts: list[str]
    indicator_references: dict[str, str]
    indicator_sub_markers: list[str]
    indicator_tail_droppers: list[str]
    indicator_max_head_words: int
    indicator_max_words: int


# --- artefacts.yaml --------------------------------------------------------------------------------
class ArtefactRule(Closed):
    name: str
    pattern: Pattern


class ArtefactReplaceRule(ArtefactRule):
    replace: str


class ArtefactsFile(Closed):
    remove: list[ArtefactRule] = Field(default_factory=list)
    replace: list[ArtefactReplaceRule] = Field(default_factory=list)
    blank_lines: list[ArtefactRule] = Field(default_factory=list)
    footnote_line: Pattern


# --- documents.yaml --------------------------------------------------------------------------------
class IssuerPattern(Closed):
    pattern: Pattern
    kind: Literal["header", "body"]
    body: str = "UBND"  # the body's short name in `issuer` ("HĐND tỉnh Kon Tum")


class DocumentsFile(Closed):
    doc_types: dict[str, str]
    # types of documents that report what was done (a figure no word marks as an aim is a result)
    report_types: list[str] = Field(default_factory=list)
    doc_type_titles: dict[str, list[str]]
    doc_number: Pattern
    preamble_openers: list[str]
    # a period in a title ("giai đoạn 2021 - 2025"): with no year of its own, no plan year
    title_period: Pattern | None = None
    signer_titles: list[str]
    issue_date: Pattern
    # the header block in two columns laid out with spaces: the least gap, where the right column starts
    header_column_gap: int = 0
    header_right_column: float = 0.3
    # the national motto (right column): left out of the issuer's name when the columns interleave
    header_motto: list[str] = Field(default_factory=list)
    issuer_patterns: list[IssuerPattern]
    admin_levels: dict[str, Literal[ADMIN_LEVELS]]  # type: ignore[valid-type]
    programs: dict[Literal[PROGRAMS], list[str]]  # type: ignore[valid-type]
    program_min_mentions: int
    # also covered: a program named at least this often and at least this share of the most named one
    program_min_mentions_shared: int | None = None
    program_min_share: float | None = None
    reference_types: list[str]
    reference_abbreviations: dict[str, str]
    reference_number: Pattern
    reference_date: Pattern
    reference_issuer: Pattern
    issuer_codes: dict[str, str]


# --- gazetteer.yaml --------------------------------------------------------------------------------
class GazetteerFile(Closed):
    provinces: dict[str, list[str]]
    district_words: list[str]
    province_words: list[str]
    province_aliases: dict[str, list[str]] = Field(default_factory=dict)


# --- agencies.yaml --------------------------------------------------------------------------------
class AgencyRule(Closed):
    name: str
    spellings: list[str]


class AgenciesFile(Closed):
    agencies: list[AgencyRule]
    roles: dict[Literal["lead", "coordinate", "report_to"], list[str]]
    lead_after_window: int
    deadline_patterns: list[Pattern]
    products: list[str]


# --- programs.yaml --------------------------------------------------------------------------------
class OfficialItem(Closed):
    number: int
    title: str
    confidence: Literal["confirmed", "approximate", "unconfirmed"] | None = None
    contents: list[OfficialItem] = Field(default_factory=list)
    subprojects: list[OfficialItem] = Field(default_factory=list)


class OfficialProgram(Closed):
    name: str
    decision: str
    keywords: list[str]
    projects: list[OfficialItem] = Field(default_factory=list)
    contents: list[OfficialItem] = Field(default_factory=list)


class ProgramsFile(Closed):
    programs: dict[Literal[PROGRAMS], OfficialProgram]  # type: ignore[valid-type]
    title_match_threshold: float = Field(ge=0, le=1)
    title_match_margin: float = Field(ge=0, le=1)


# --- legacy_encodings.yaml --------------------------------------------------------------------------------
class VniTable(Closed):
    standalone: dict[str, str]
    marks: dict[str, str]
    vowels: str


class LegacyEncodingsFile(Closed):
    tcvn3: dict[str, str]
    vni: VniTable
    mojibake_chars: str
    common_words: list[str]


# --- tables.yaml --------------------------------------------------------------------------------
class CellPerLine(Closed):
    row_separator: Pattern
    max_cell_chars: int = Field(gt=0)
    min_columns: int = Field(ge=2)


class TablesFile(Closed):
    unit_line: Pattern
    unit_line_reach: int
    caption_reach: int = Field(gt=0)
    header_abbreviations: dict[str, str]
    label_columns: list[str]
    other_columns: list[str]
    total_words: list[str]
    money_header_words: list[str]
    row_levels: list[Pattern]
    column_number_cell: Pattern
    page_break_gap: int
    cell_per_line: CellPerLine
    placeholder_cells: list[str]
    percent_unit: Pattern
    percent_header: Pattern
    other_unit_cell: Pattern
    percent_kinds: list[TargetKindEntry]  # type: ignore[valid-type]
    outside_total_words: list[str]
    order_confusions: dict[str, str] = Field(default_factory=dict)  # a scan's "lI" for "II"
    unruled: UnruledTables


class UnruledTables(Closed):
    """Tables without rulings, columns from where the words stand (layout.py)."""

    min_gap_heights: float = Field(gt=0)
    text_min_gap_chars: int = Field(gt=0)
    column_gap_heights: float = Field(gt=0)
    min_aligned_share: float = Field(gt=0, le=1)


# --- ocr.yaml --------------------------------------------------------------------------------
class TextLayerRule(Closed):
    min_letters: int
    min_common_share: float
    max_mojibake_share: float


class OcrRepair(Closed):
    name: str
    pattern: Pattern
    replace: str


class OcrReread(Closed):
    below_confidence: float = Field(ge=0, le=100)
    characters: str


class OcrFile(Closed):
    language: str
    dpi: int = Field(gt=0, le=1200)
    page_segmentation: int
    table_page_segmentation: int
    min_confidence: int = Field(ge=0, le=100)
    text_layer: TextLayerRule
    deskew: bool = True
    binarise: bool = False
    ruling_min_inches: float
    repairs: list[OcrRepair] = Field(default_factory=list)
    reread: OcrReread


# --- inputs.yaml --------------------------------------------------------------------------------
class PageBudget(Closed):
    max_pixels: int = Field(gt=0)
    max_side: int = Field(gt=0)
    min_dpi: float = Field(gt=0)
    max_decoded_pixels: int = Field(gt=0)


class DocxBounds(Closed):
    max_parts: int = Field(gt=0)
    max_part_bytes: int = Field(gt=0)
    max_package_bytes: int = Field(gt=0)
    max_grid_span: int = Field(gt=0)
    max_row_cells: int = Field(gt=0)
    max_list_level: int = Field(ge=0)
    max_list_number: int = Field(gt=0)


class InputBounds(Closed):
    pages: PageBudget
    max_pdf_pages: int = Field(gt=0)
    max_image_frames: int = Field(gt=0)
    docx: DocxBounds
    max_reported_positions: int = Field(ge=0)
    max_message_chars: int = Field(gt=0)


class DecodingRule(Closed):
    max_control_share: float = Field(ge=0, le=1)
    utf16_min_nul_share: float = Field(ge=0, le=1)
    utf16_min_nul_parity: float = Field(ge=0, le=1)


class InputsFile(Closed):
    limits: InputBounds
    decoding: DecodingRule


# --- places.yaml --------------------------------------------------------------------------------
class ProvincePlace(Closed):
    code: Annotated[str, Field(pattern=r"^\d{2}$")]
    province_2025: str


class PlacesFile(Closed):
    provinces: dict[str, ProvincePlace]
    provinces_2025: dict[str, Annotated[str, Field(pattern=r"^\d{2}$")]]
    included_in_higher_level: list[str]


# --- indicators.yaml --------------------------------------------------------------------------------
class OfficialIndicator(Closed):
    code: str
    vi: str
    en: str
    all: list[Annotated[list[str], Field(min_length=1)]] = Field(min_length=1)
    none: list[str] = Field(default_factory=list)
    programs: list[Literal[PROGRAMS]] = Field(default_factory=list)  # type: ignore[valid-type]


class IndicatorsFile(Closed):
    indicators: list[OfficialIndicator]


# --- allocations.yaml --------------------------------------------------------------------------------
class AllocationsFile(Closed):
    excluded_measures: list[Literal[MEASURES]]  # type: ignore[valid-type]
    state_budget_sources: list[Literal[FUNDING_SOURCES]]  # type: ignore[valid-type]
    mixed_measure: str
    mixed_measure_parts: list[Literal[MEASURES]]  # type: ignore[valid-type]


SCHEMAS: dict[str, type[Closed]] = {
    "headings": HeadingsFile,
    "roles": RolesFile,
    "money": MoneyFile,
    "targets": TargetsFile,
    "artefacts": ArtefactsFile,
    "documents": DocumentsFile,
    "gazetteer": GazetteerFile,
    "agencies": AgenciesFile,
    "programs": ProgramsFile,
    "legacy_encodings": LegacyEncodingsFile,
    "tables": TablesFile,
    "ocr": OcrFile,
    "inputs": InputsFile,
    "places": PlacesFile,
    "indicators": IndicatorsFile,
    "allocations": AllocationsFile,
}


def validate_rule_file(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """DATA checked against NAME's schema, defaults filled in. Raises ValueError whose
    message names the file, each key at fault (a path such as `funding_source[3].value`)
    and the problem."""
    try:
        model = SCHEMAS[name].model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:8]:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
            if err["type"] == "extra_forbidden":
                problems.append(f"{where}: unknown key (misspelt? see rules/README.md)")
            else:
                problems.append(f"{where or 'top level'}: {err['msg']}")
        more = f" (and {len(exc.errors()) - 8} more)" if len(exc.errors()) > 8 else ""
        raise ValueError(f"{name}.yaml: " + "; ".join(problems) + more) from None
    return model.model_dump(mode="python")
