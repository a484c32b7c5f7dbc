"""Section tree: headings found by the grammar in rules/headings.yaml, nested by label
style and by meaning (a "Tiểu dự án" sits under its "Dự án", a "Nội dung" under the
nearest open project or sub-project), with roles and program attribution."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from .document import Line
from .rules import phrase_regex
from .textnorm import fold

if TYPE_CHECKING:
    from .rules import Rules, TypedHead


ITEM_TITLE_MAX = 80
# A typed head split by a hard wrap leaves at most this much of it on the first line ("Tiểu").
WRAPPED_HEAD_MAX = 16
# A heading names its program near its start ("Phân bổ vốn Chương trình …"), not at the end
# of a long clause.
PROGRAM_WORD_REACH = 30
ROLE_TITLE_PREFIX = 120


@dataclass
class Heading:
    line_index: int
    label: str  # as written: "IV.", "1.1.", "a)", "-", ""
    style: str  # style key: "roman", "arabic2", "letter", "bullet-", "typed:subproject"
    style_rank: int | None  # fixed hierarchy rank of the label style, if any
    kind: str  # part, chapter, section, program, project, subproject, content, activity, item
    number: str | None
    title: str
    typed_rank: int | None = None


@dataclass
class Section:
    section_id: str
    parent_id: str | None
    heading: Heading | None
    kind: str
    label: str
    number: str | None
    title: str
    level: int
    line_start: int  # 1-based
    line_end: int
    page_start: int | None
    program: str | None = None
    role: str | None = None
    canonical_code: str | None = None
    children: list["Section"] = field(default_factory=list, repr=False)
    parent: "Section | None" = field(default=None, repr=False)

    def ancestors(self) -> Iterator[Section]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def nearest(self, kind: str) -> "Section | None":
        if self.kind == kind:
            return self
        for node in self.ancestors():
            if node.kind == kind:
                return node
        return None


@dataclass(frozen=True)
class Label:
    """A list or heading label at the start of a line."""

    text: str  # as written, stripped: "1.1.", "a)", "-"
    style_name: str  # the rules' style: roman, arabic, letter, bullet, …
    style: str  # distinct per level: "arabic2", "bullet+"
    rank: int | None  # fixed place in the hierarchy (smaller = higher), if the style has one
    number: str | None
    end: int  # where the text after the label starts


def match_label(text: str, rules: Rules) -> Label | None:
    """The first label style of rules/headings.yaml that opens TEXT."""
    for ls in rules.label_styles:
        m = ls.pattern.match(text)
        if not m or (ls.needs_title and not rules.title_start.match(text[m.end() :].lstrip())):
            continue
        num = m.groupdict().get("num")
        dots = num.count(".") if ls.depth_from == "dots" else 0
        if ls.name == "bullet":
            style = "bullet" + (num or "-")
        elif ls.depth_from == "dots":
            style = f"{ls.name}{dots + 1}"
        else:
            style = ls.name
        rank = None if ls.rank is None else ls.rank * 10 + dots
        return Label(m.group(0).strip(), ls.name, style, rank, num, m.end())
    return None


def detect_headings(lines: list[Line], rules: Rules, skip: Set[int] = frozenset()) -> list[Heading]:
    """The headings of a document, lines in SKIP (tables one cell per line) left out. A
    typed head whose words a hard wrap split ("- Tiểu" / "dự án 1: …") is read on its
    first line, and its second line is no heading of its own."""
    out: list[Heading] = []
    consumed: set[int] = set()
    labels: dict[str, Label | None] = {}  # match_label of each text, asked up to thrice a line
    amount_title = rules.section("headings")["amount_title"]
    for line in lines:
        if line.index in skip or line.index in consumed:
            continue
        h = detect_heading(line, rules, labels=labels)
        nxt = lines[line.index + 1] if line.index + 1 < len(lines) else None
        if (
            (h is None or h.kind in ("item", "section"))
            and nxt is not None
            and nxt.index not in skip
            and nxt.clean
            and _label(nxt.clean, rules, labels) is None
        ):  # a new list item continues nothing
            wrapped = detect_heading(line, rules, continued=nxt.clean, labels=labels)
            if wrapped is not None and wrapped.kind != "item":
                h = wrapped
                consumed.add(nxt.index)
        if (
            h is not None
            and h.kind in ("project", "subproject", "content")
            and _ENDS_WITH_COLON.search(line.clean)
            and nxt is not None
            and regex.match(amount_title, nxt.clean)
        ):
            # "- Dự án 5 (its title):" or "- Dự án 7:" then "36.480,5 triệu đồng;": a list item
            # carrying an amount
            h = detect_heading(line, rules, typed=False, labels=labels)
        if h is not None:
            if nxt is not None and h.line_index == line.index and _opens_bold(line.raw) and "**" in nxt.raw:
                h.title = f"{h.title} {nxt.clean}".strip()  # "**4. Phân bổ vốn …" / "… miền núi**"
            out.append(h)
    return out


_ENDS_WITH_COLON = regex.compile(r"[)\d]\s*:$")


def _label(text: str, rules: Rules, labels: dict[str, Label | None] | None) -> Label | None:
    """match_label, remembered in LABELS (one document's)."""
    if labels is None:
        return match_label(text, rules)
    if text not in labels:
        labels[text] = match_label(text, rules)
    return labels[text]


def _opens_bold(raw: str) -> bool:
    """The line opens a Markdown bold span that it does not close (a heading wrapped)."""
    return raw.count("**") % 2 == 1


def detect_heading(
    line: Line,
    rules: Rules,
    continued: str | None = None,
    typed: bool = True,
    labels: dict[str, Label | None] | None = None,
) -> Heading | None:
    """The heading LINE opens, or None. CONTINUED: the next line's text, when only the two
    together make a typed head (its words split by a hard wrap). LABELS: the labels of
    texts already matched (see _label)."""
    # an amending resolution quotes the new text: "“Điều 9. Dự án 3: …", "“1. Tiểu dự án 1: …"
    text = line.clean.lstrip(rules.section("headings")["opening_quotes"]).lstrip()
    if not text or "\t" in text or line.footnote:
        return None  # table rows and footnotes are never headings
    label = _label(text, rules, labels)
    rest = text[label.end :].strip() if label else text
    if label is None and rest[:1].islower():
        return None  # a line a hard wrap continued ("dự án 1: …" after "Tiểu")
    if continued is not None:
        if len(rest) > WRAPPED_HEAD_MAX or typed_head(rest, rules) is not None:
            return None
        head = typed_head(f"{rest} {continued}", rules)
    else:
        head = typed_head(rest, rules) if typed else None
    if head is not None and regex.match(rules.section("headings")["amount_title"], head[2]):
        head = None  # "- Dự án 5: 64.830 triệu đồng;" is a list item carrying an amount
    if head is not None:
        th, number, title = head
        return Heading(
            line.index,
            label.text if label else "",
            label.style if label else f"typed:{th.kind}",
            label.rank if label else None,
            th.kind,
            number,
            title,
            typed_rank=th.rank,
        )
    if label is None or continued is not None:
        return None
    kind = rules.kind_of_style[label.style_name]
    return Heading(
        line.index,
        label.text,
        label.style,
        label.rank,
        kind,
        _norm_number(label.number, label.style_name, rules),
        rest,
    )


def typed_head(text: str, rules: Rules) -> tuple[TypedHead, str | None, str] | None:
    """(typed head rule, number, title) when TEXT (its list label removed) opens with a
    program, "Dự án N", "Tiểu dự án N", "Nội dung N"… head, else None."""
    for th in rules.typed_heads:
        if th.max_length and len(text) > th.max_length:
            continue
        m = th.pattern.match(text)
        if m:
            groups = m.groupdict()
            title = text if th.kind == "program" else text[m.end() :].strip()
            if groups.get("aside") and not title:
                title = groups["aside"].strip()
            if groups.get("sub"):  # "Dự án 10 (Tiểu dự án 3):" is that sub-project
                sub_rule = next(t for t in rules.typed_heads if t.kind == "subproject")
                return sub_rule, groups["sub"], title
            return th, groups.get("num"), title
    return None


_ROMAN = regex.compile(r"[IVXLC]+")


def _norm_number(number: str | None, style_name: str, rules: Rules) -> str | None:
    """ "IV" -> "4", "thứ hai" -> "2"; bullets have no number."""
    if number is None or style_name == "bullet":
        return None
    value = number.strip()
    if _ROMAN.fullmatch(value):
        return str(_roman(value))
    if style_name in ("part", "chapter"):
        ordinals = rules.section("headings").get("ordinal_words", {})
        return str(ordinals.get(value.split()[-1].lower(), value))
    return value


def _roman(value: str) -> int:
    romans = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for a, b in zip(value, value[1:] + " "):
        v = romans[a]
        total += -v if romans.get(b, 0) > v else v
    return total


def build_tree(
    doc_id: str, lines: list[Line], headings: list[Heading], rules: Rules, doc_programs: list[str]
) -> list[Section]:
    """Nest headings into sections. Returns sections in document order (root excluded)."""
    root = Section(
        section_id=f"{doc_id}:s0",
        parent_id=None,
        heading=None,
        kind="document",
        label="",
        number=None,
        title="",
        level=0,
        line_start=1,
        line_end=len(lines),
        page_start=None,
    )
    stack: list[Section] = [root]
    sections: list[Section] = []
    for i, h in enumerate(headings):
        _pop_for(stack, h)
        parent = stack[-1]
        line = lines[h.line_index]
        sec = Section(
            section_id=f"{doc_id}:s{i + 1}",
            parent_id=None if parent is root else parent.section_id,
            heading=h,
            kind=h.kind,
            label=h.label,
            number=h.number,
            title=h.title,
            level=len(stack),
            line_start=line.number,
            line_end=line.number,
            page_start=line.page,
        )
        sec.parent = parent
        parent.children.append(sec)
        stack.append(sec)
        sections.append(sec)
    _set_line_ends(sections, len(lines))
    _assign_programs_and_roles(root, rules, doc_programs)
    return sections


def _pop_for(stack: list[Section], h: Heading) -> None:
    # 1. a label style already open: the new heading is that section's sibling
    for idx in range(len(stack) - 1, 0, -1):
        opened = stack[idx].heading
        if opened is not None and opened.style == h.style:
            del stack[idx:]
            return
    # 2. a ranked style (PHẦN, I., 1., 1.1.) closes everything ranked at or below it;
    # 3. a typed head closes open typed heads of the same or a deeper rank
    for rank_of, rank in ((lambda x: x.style_rank, h.style_rank), (lambda x: x.typed_rank, h.typed_rank)):
        if rank is None:
            continue
        closes = next(
            (i for i in range(1, len(stack)) if (r := rank_of(stack[i].heading)) is not None and r >= rank),
            None,
        )
        if closes is not None:
            del stack[closes:]
            return


def _set_line_ends(sections: list[Section], n_lines: int) -> None:
    """A section runs until the next heading that is not inside it (document order)."""
    open_: list[Section] = []
    for sec in sections:
        while open_ and open_[-1].level >= sec.level:
            open_.pop().line_end = sec.line_start - 1
        open_.append(sec)
    for sec in open_:
        sec.line_end = n_lines
    for sec in sections:
        sec.line_end = max(sec.line_end, sec.line_start)


def _assign_programs_and_roles(root: Section, rules: Rules, doc_programs: list[str]) -> None:
    program_keys = {
        code: [fold(k) for k in spec.get("keywords", [])]
        for code, spec in rules.section("programs")["programs"].items()
    }
    single = doc_programs[0] if len(doc_programs) == 1 else None
    role_not = phrase_regex(fold(p) for p in rules.section("roles").get("role_not", []))
    heading_words = _program_heading_words(rules)

    def visit(sec: Section, program: str | None, role: str | None) -> None:
        for child in sec.children:
            p = program
            if child.kind == "program":
                folded = fold(child.title)
                p = next(
                    (code for code, keys in program_keys.items() if any(k in folded for k in keys)), program
                )
            elif child.kind in ("part", "chapter", "section") and len(child.title) < ROLE_TITLE_PREFIX:
                p = _named_program(child.title, rules, heading_words) or program
            child.program = p or single
            # a heading's role words stand near its start; a list item sets a role only
            # when it reads like a title, not like a paragraph
            own_role = (
                rules.roles.first(role_not.sub(" ", fold(child.title[:ROLE_TITLE_PREFIX])))
                if child.kind != "item" or len(child.title) < ITEM_TITLE_MAX
                else None
            )
            child.role = own_role or role or "other"
            visit(child, p, child.role)

    visit(root, None, None)


def _program_heading_words(rules: Rules) -> tuple[regex.Pattern, ...]:
    """Each of the words that open a program's heading, folded, as a whole word."""
    return tuple(
        regex.compile(rf"(?<!\w){regex.escape(fold(w))}(?!\w)")
        for w in rules.section("headings")["program_heading_words"]
    )


def _named_program(
    title: str, rules: Rules, heading_words: tuple[regex.Pattern, ...] | None = None
) -> str | None:
    """The one program a section heading names ("4. Phân bổ vốn Chương trình mục tiêu quốc
    gia giảm nghèo bền vững"): its subtree belongs to it. HEADING_WORDS: the rules'
    program_heading_words compiled (_program_heading_words), when the caller has them."""
    folded = fold(title)
    if folded.rstrip().endswith((".", ";")):
        return (
            None  # a numbered paragraph, not a heading ("2. Sở … báo cáo kết quả thực hiện Chương trình …")
        )
    words = heading_words if heading_words is not None else _program_heading_words(rules)
    starts = [m.start() for pattern in words if (m := pattern.search(folded))]
    if not starts or min(starts) > PROGRAM_WORD_REACH:
        return None
    named = {value for value, _, pattern in rules.programs_vocab.entries if pattern.search(folded)}
    return named.pop() if len(named) == 1 else None


def section_lookup(sections: list[Section]) -> Callable[[int], Section | None]:
    """A function from a line index to the innermost section holding that line: the last
    heading at or before it, or the nearest ancestor whose range still covers the line."""
    starts = [sec.line_start for sec in sections]

    def lookup(line_index: int) -> Section | None:
        number = line_index + 1
        idx = bisect.bisect_right(starts, number) - 1
        node = sections[idx] if idx >= 0 else None
        while node is not None and node.kind != "document" and not node.line_start <= number <= node.line_end:
            node = node.parent
        return node if node is not None and node.kind != "document" else None

    return lookup
