"""Money amounts: every "122.854 triệu đồng", its breakdown parent, and the attributes its
labels give it (funding source, capital type, measure, year). Vocabulary: rules/money.yaml.

Within a paragraph, an amount's parent is the amount whose parenthesis it sits in
("111.687 triệu đồng (vốn đầu tư phát triển: 99.654 triệu đồng, …)") or the amount a
breakdown marker follows ("… là 350.190 triệu đồng, trong đó: …"). A paragraph that ends
with such a marker ("…, trong đó:") owns the amounts of the list items after it;
`link_amounts` links those, given the section tree. A sentence opening with "Trong đó,"
goes on breaking down the total of the sentence before it; a bracketed figure after a
comparison ("so cùng kỳ (3.657 tỷ đồng)") and a rate ("40 triệu đồng/hộ") are never parts.

Across paragraphs (AmountFinder.link_paragraphs): a paragraph opening with "Trong đó," breaks down the
last total of the paragraph before, "Phân theo Chương trình: …" the total the list above
broke down; a lead-in without an amount ("Vốn sự nghiệp được phân bổ như sau:", "Một số dự
án …:") makes its list items parts of the amount it names (or of the total right before
it) and gives them the program it names. A figure written "37,450" whose parts add up to
37.450 had a thousands comma (comma_thousands, reported as a repaired number).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import regex

from .document import Block
from .nlp import sentence_break
from .rules import Hit, PhraseTable, Rules, comparator_end_patterns, phrase_regex
from .sections import Section
from .textnorm import FoldedText, fold
from .vnnumbers import NUMBER_PATTERN, VnNumber, comma_may_group_thousands, parse_vn_number

_YEAR = regex.compile(r"năm\s+((?:19|20)\d\d)(?!\s*[-–])")
_PAREN_NOTE = regex.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Placement:
    """Where a table row puts its figures in the program structure (its section may not)."""

    program: str | None = None
    project: str | None = None
    subproject: str | None = None


@dataclass
class Amount:
    block: Block
    start: int  # in block.text: the number
    end: int  # end of the unit (or of the number when the unit is inferred)
    number: VnNumber
    unit_raw: str | None
    factor: float | None
    unit_inferred: bool = False
    per_unit: bool = False  # "55 triệu đồng/người/năm"
    rate: bool = False  # "mỗi mô hình được hỗ trợ 200 triệu đồng": per unit, said before it
    depth: int = 0  # parenthesis depth
    parent: "Amount | None" = None
    children: list["Amount"] = field(default_factory=list)
    annotation: str = ""  # "(vốn sự nghiệp)" right after the amount
    label: str = ""  # the words just before the amount that say what it is
    section: Section | None = None
    funding_source: str | None = None
    capital_type: str | None = None
    measure: str | None = None
    fiscal_year: int | None = None
    placement: Placement | None = None  # set for table figures from their row
    breakdown: str = ""  # which breakdown of its parent it is part of (parts of one kind add up)
    program: str | None = None  # a program its own words name (else its total's)
    comparator: str = "eq"  # "tối đa 40 triệu đồng": le; a range: value is its lower bound
    value_max: float | None = None  # a range's upper bound, in triệu đồng
    pair_of: "Amount | None" = None  # "209.850/216.340 triệu đồng": the done figure the planned one follows
    rules: dict[str, str] = field(default_factory=dict)  # attribute -> the rule that gave it (show --why)
    all_programs: bool = False  # "… thực hiện ba chương trình": no single program
    context_program: str | None = None  # the program a list's lead-in names ("Với Chương trình …:")
    context_capital_type: str | None = None  # the capital type it names ("vốn sự nghiệp … cho ba dự án:")

    @property
    def norm(self) -> bool:
        """A rate ("40 triệu đồng/hộ", "mỗi mô hình … 200 triệu đồng") or a range: a rule's
        figure, never a part of a total nor a total of parts."""
        return self.per_unit or self.rate or self.comparator == "range"

    @property
    def value(self) -> float | None:
        if self.number.value is None or self.factor is None:
            return None
        return round(self.number.value * self.factor, 9)


@dataclass(frozen=True)
class _Parens:
    """Parenthesis structure of a text: depth at each position (an opening bracket counts
    as inside), the innermost opening bracket enclosing each position, and the pairs. Both
    change only at a bracket or a semicolon: they are kept as the state from each such mark
    on, and the state at each mark itself."""

    changes: list[int]  # positions (0, then one after each mark) from which `states` hold
    states: list[tuple[int, int | None]]  # (depth, innermost opening bracket)
    at_mark: dict[int, tuple[int, int | None]]  # the state at a bracket or semicolon itself
    pairs: list[tuple[int, int]]

    @classmethod
    def scan(cls, text: str) -> "_Parens":
        marks = [(m.start(), m.group()) for m in _BRACKET_OR_SEMICOLON.finditer(text)]
        # a bracket never closed ("… 478.100 triệu đồng (trong đó …; vốn sự nghiệp …") ends
        # at the first semicolon after it: what follows is a sibling, not a part
        stack: list[int] = []
        for i, ch in marks:
            if ch == "(":
                stack.append(i)
            elif ch == ")" and stack:
                stack.pop()
        unclosed = set(stack)
        changes: list[int] = [0]
        states: list[tuple[int, int | None]] = [(0, None)]
        at_mark: dict[int, tuple[int, int | None]] = {}
        pairs: list[tuple[int, int]] = []
        stack = []
        for i, ch in marks:
            if ch == "(":
                stack.append(i)
            at_mark[i] = (len(stack), stack[-1] if stack else None)
            if ch == ")" and stack:
                pairs.append((stack.pop(), i))
            elif ch == ";" and stack and stack[-1] in unclosed:
                pairs.append((stack.pop(), i))
            changes.append(i + 1)
            states.append((len(stack), stack[-1] if stack else None))
        pairs.extend((open_pos, len(text)) for open_pos in stack)  # unclosed at the end
        return cls(changes, states, at_mark, pairs)

    def _state(self, pos: int) -> tuple[int, int | None]:
        state = self.at_mark.get(pos)
        return state if state is not None else self.states[bisect.bisect_right(self.changes, pos) - 1]

    def depth(self, pos: int) -> int:
        return self._state(pos)[0]

    def opener(self, pos: int) -> int | None:
        return self._state(pos)[1]


_BRACKET_OR_SEMICOLON = regex.compile(r"[();]")


def program_pattern(money: dict) -> regex.Pattern:
    """A program named on folded text: one of money.yaml's program_words, at most ten words,
    one of its program_names; the named group that matched is the program's code."""
    words_alt = "|".join(
        regex.escape(fold(w)) for w in sorted(money.get("program_words", []), key=len, reverse=True)
    )
    name_alts = "|".join(
        f"(?P<{code}>" + "|".join(regex.escape(fold(n)) for n in sorted(ns, key=len, reverse=True)) + ")"
        for code, ns in money.get("program_names", {}).items()
        if ns
    )
    if not words_alt or not name_alts:
        return regex.compile(r"(?!x)x")
    return regex.compile(rf"(?<!\w)(?:{words_alt})(?:\s+[^\s,;:.()]+){{0,10}}?\s+(?:{name_alts})(?!\w)")


def program_of(m: regex.Match) -> str:
    return next(k for k, v in m.groupdict().items() if v is not None)


_SPACES = regex.compile(r"\s+")


def unit_key(spelling: str) -> str:
    return fold(_SPACES.sub("", spelling))


def unit_factors(rules: Rules) -> dict[str, float]:
    """Unit spelling (as unit_key) -> factor to triệu đồng."""
    return {unit_key(s): float(u["factor"]) for u in rules.section("money")["units"] for s in u["spellings"]}


class AmountFinder:
    def __init__(self, rules: Rules) -> None:
        m = rules.section("money")
        self.rules = rules
        self.factors = unit_factors(rules)
        spellings = [s for unit in m["units"] for s in unit["spellings"]]
        self.unit_spellings = {unit_key(s): s for s in reversed(spellings)}  # for the rule that fired
        bare = set(m.get("bare_units", []))
        compounds = "|".join(
            regex.escape(w) for w in sorted(set(m.get("dong_compounds", [])), key=len, reverse=True)
        )
        alts = []
        for s in sorted(spellings, key=len, reverse=True):
            esc = regex.escape(s).replace(r"\ ", r"\s*")
            if s in bare and fold(s) == fold("đồng") and compounds:
                # "4.500 đồng đến 6.000 đồng" is money, "100 đồng bào" is not
                alts.append(esc + rf"(?!\w)(?!\s*(?:{compounds})(?!\w))")
            else:
                alts.append(esc + (r"(?!\s*\p{L})(?!\w)" if s in bare else r"(?!\w)"))
        unit_alt = "|".join(alts)
        # every unit spelling starts with a letter, so the spaces before it are possessive
        self.money = regex.compile(
            rf"(?P<num>{NUMBER_PATTERN})(?P<tail>,\s\d(?=\s*+(?:{unit_alt})))?\s*+(?P<unit>{unit_alt})",
            regex.IGNORECASE,
        )
        self.number = regex.compile(NUMBER_PATTERN)
        # "209.850/216.340 triệu đồng", "3.918,450 tỷ đồng/3.615,200 tỷ đồng": two amounts (done
        # of planned), the second one's number standing right after a slash
        self.slash_pair = regex.compile(
            rf"(?P<a>{NUMBER_PATTERN})(?:\s*+(?P<ua>{unit_alt}))?\s*/\s*(?P<b>\d+(?:[.,]\d+)*)\s*+(?P<ub>{unit_alt})",
            regex.IGNORECASE,
        )
        # the lower figure of a range, written just before an amount's number: "từ 30 đến",
        # "1,5 - ", "6 triệu đồng đến ", "giữa 1.000 và "
        joiners = _alternation(m.get("range_joiners", []))
        openers = _alternation(m.get("range_openers", [])) or r"(?!x)x"
        self.range_low = (
            regex.compile(
                rf"(?:(?<!\w)(?:{openers})\s+)?(?P<lo>{NUMBER_PATTERN})(?:\s*+(?P<lounit>{unit_alt}))?\s*(?P<joiner>{joiners})\s*$",
                regex.IGNORECASE,
            )
            if joiners
            else None
        )
        self.item_joiner = regex.compile(
            rf"[,;]|(?<!\w)(?:{_alternation(m.get('item_joiners', [])) or '(?!x)x'})(?!\w)"
        )
        self.and_word = regex.compile(rf"(?<!\w)(?:{_alternation(m.get('and_words', [])) or '(?!x)x'})(?!\w)")
        # a comparator right before the number (a filler between at most): "tối đa 40 triệu đồng"
        self.comparator_end = comparator_end_patterns(rules)
        self.comparator_after = [
            (value, regex.compile(rf"^\s*(?:{'|'.join(regex.escape(p) for p in phrases)})(?!\w)"))
            for value, phrases, _ in rules.comparators_after.entries
        ]
        self.grouped = regex.compile(r"^(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+)$")
        self.unitless_label = regex.compile(m["unitless_label"], regex.IGNORECASE)
        self.unitless_follower = regex.compile(m["unitless_follower"], regex.IGNORECASE)
        self.per_unit = regex.compile(m["per_unit_suffix"], regex.IGNORECASE)
        markers = sorted(m["breakdown_markers"], key=len, reverse=True)
        marker_alt = "|".join(regex.escape(fold(x)) for x in markers)
        # matched on folded text: is there a marker, does the text end with one
        self.marker = regex.compile(rf"(?<!\w)(?:{marker_alt})(?!\w)")
        self.trailing_marker = regex.compile(rf"(?<!\w)(?:{marker_alt})\s*:?\s*$")
        self.marker_reach = max(len(fold(x)) for x in markers)
        self.program_named = program_pattern(m)
        openers = "|".join(
            regex.escape(fold(w)) for w in sorted(m.get("label_after_openers", []), key=len, reverse=True)
        )
        self.label_after = regex.compile(rf"^\s*(?:{openers})(?!\w)") if openers else None
        verbs = "|".join(
            regex.escape(fold(w)) for w in sorted(m.get("local_actor_verbs", []), key=len, reverse=True)
        )
        self.local_actor = (
            regex.compile(
                rf"(?<!{regex.escape(fold('ngân sách'))}\s)(?<!{regex.escape(fold('vốn'))}\s)(?<!ns\s)(?<!\w)"
                rf"{regex.escape(fold('địa phương'))}(?=\s+(?:{verbs})(?!\w))"
            )
            if verbs
            else None
        )
        partial = m.get("partial_breakdown_markers", [])
        self.partial_marker = phrase_regex(fold(x) for x in partial)
        self.partial_reach = max((len(fold(x)) for x in partial), default=0)
        # matched on written text, to cut a label after the last marker
        self.label_marker = regex.compile(
            r"(?<!\w)(?:" + "|".join(regex.escape(x) for x in markers) + r")(?!\w)\s*:?", regex.IGNORECASE
        )
        self.total_words = regex.compile("|".join(regex.escape(fold(w)) for w in m["total_words"]))
        self.rate_words = phrase_regex(fold(x) for x in m.get("rate_words", []))
        self.heading_money = phrase_regex(fold(x) for x in m.get("heading_money_words", []))
        self.all_programs = phrase_regex(fold(x) for x in m.get("all_programs", []))
        self.comparison = phrase_regex(fold(x) for x in m.get("comparison_words", []))
        self.comparison_reach = max((len(fold(x)) for x in m.get("comparison_words", [])), default=0)
        continuation_openers = [fold(x) for x in m.get("continuation_openers", [])]
        self.continuation = (
            regex.compile(r"^\W*(?:" + "|".join(regex.escape(x) for x in continuation_openers) + r")(?!\w)")
            if continuation_openers
            else None
        )
        self.list_intro = phrase_regex(fold(x) for x in m.get("list_intro_words", []))

    # ---- finding ---------------------------------------------------------------------
    def find(self, block: Block) -> list[Amount]:
        text = block.text
        found: list[Amount] = []
        for m in self.money.finditer(text):
            if _looks_like_reference(text, m.start("num")):
                continue
            number = parse_vn_number(m["num"] + (m["tail"] or ""))
            a = Amount(
                block,
                m.start("num"),
                m.end("unit"),
                number,
                m["unit"],
                self.factors.get(unit_key(m["unit"])),
                per_unit=bool(self.per_unit.match(text, m.end("unit"))),
                rate=self._rate_clause(text, m.start("num")),
            )
            found.append(a)
        if "/" in text:
            found = self._slash_pairs(block, found)
        if found:
            found = self._ranges(text, found)
            for a in found:
                if a.comparator == "eq":
                    a.comparator = self._comparator(text, a)
            found.extend(self._unitless(block, found))
            found.sort(key=lambda a: a.start)
            for a in found:
                a.rules["unit"] = _unit_rule(a, self.unit_spellings)
        return found

    def _rate_clause(self, text: str, start: int) -> bool:
        """The clause before the figure says it is per unit ("mỗi mô hình được hỗ trợ …")."""
        clause = text[max(0, start - _RATE_REACH) : start]
        clause = clause[_last_end(_CLAUSE_STOP, clause) :]
        return bool(self.rate_words.search(fold(clause)))

    def _slash_pairs(self, block: Block, found: list[Amount]) -> list[Amount]:
        """Both figures of "done/planned" pairs of money; a pair of bare small numbers
        ("05/06", "11/2025") is a date, never money."""
        text = block.text
        by_start = {a.start: a for a in found}
        starts = set(by_start)
        out = list(found)
        for m in self.slash_pair.finditer(text):
            if not (m["ua"] or self.grouped.match(m["a"])) or not self.grouped.match(m["b"]):
                continue
            factor = self.factors.get(unit_key(m["ub"]))
            if m.start("a") not in starts:
                by_start[m.start("a")] = Amount(
                    block,
                    m.start("a"),
                    m.end("ua") if m["ua"] else m.end("a"),
                    parse_vn_number(m["a"]),
                    m["ua"],
                    self.factors.get(unit_key(m["ua"])) if m["ua"] else factor,
                    unit_inferred=not m["ua"],
                )
                out.append(by_start[m.start("a")])
            first = by_start.get(m.start("a"))
            if m.start("b") not in starts:
                out.append(
                    Amount(
                        block,
                        m.start("b"),
                        m.end("ub"),
                        parse_vn_number(m["b"]),
                        m["ub"],
                        factor,
                        per_unit=bool(self.per_unit.match(text, m.end("ub"))),
                        pair_of=first,
                    )
                )
            elif first is not None and by_start[m.start("b")] is not first:
                by_start[m.start("b")].pair_of = first
        out.sort(key=lambda a: a.start)
        return out

    def _ranges(self, text: str, found: list[Amount]) -> list[Amount]:
        """Merge "từ 30 đến 50 triệu đồng", "1,5 - 2 tỷ đồng", "4.500 đồng đến 6.000 đồng"
        into one amount: value the lower bound, value_max the upper, comparator range."""
        if self.range_low is None:
            return found
        out: list[Amount] = []
        for a in found:
            window_start = max(0, a.start - _RANGE_REACH)
            m = self.range_low.search(text[window_start : a.start])
            hi = a.value
            if m is None or hi is None:
                out.append(a)
                continue
            lo_number = parse_vn_number(m["lo"])
            lo_factor = self.factors.get(unit_key(m["lounit"])) if m["lounit"] else a.factor
            lo = lo_number.value * lo_factor if lo_number.value is not None and lo_factor else None
            dash = m["joiner"] in ("-", "–")
            if (
                lo is None
                or lo >= hi
                or (dash and lo * 10 < hi)
                or (m["joiner"] == "và" and not m.group().startswith(("giữa", "Giữa")))
            ):
                out.append(a)
                continue
            lo_start = window_start + m.start("lo")
            if out and lo_start < out[-1].end:
                if not m["lounit"] or out[-1].start != lo_start:
                    out.append(a)  # the "lower figure" is part of another amount
                    continue
                out.pop()  # "6 triệu đồng đến 10 triệu đồng": the lower figure was found alone
            a.value_max = hi
            a.start, a.number, a.factor, a.comparator = lo_start, lo_number, lo_factor, "range"
            out.append(a)
        return out

    def _comparator(self, text: str, a: Amount) -> str:
        after = text[a.end : a.end + 20]
        for value, pattern in self.comparator_after:
            if pattern.search(fold(after)):
                return value
        before = fold(text[max(0, a.start - _COMPARATOR_REACH) : a.start])
        for value, pattern in self.comparator_end:
            if pattern.search(before):
                return value
        return "eq"

    def _unitless(self, block: Block, with_units: list[Amount]) -> list[Amount]:
        """Grouped numbers with no unit ("vốn kéo dài: 14.147 đạt 96%") whose label names
        money, beside amounts that have units: they take the nearest sibling's unit."""
        text = block.text
        out = []
        starts = [a.start for a in with_units]  # in text order, not overlapping
        for m in self.number.finditer(text):
            before = bisect.bisect_right(starts, m.start()) - 1  # the last amount starting at or before it
            if before >= 0 and m.start() < with_units[before].end:
                continue
            if not self.grouped.match(m.group(0)) or not self.unitless_follower.match(text, m.end()):
                continue
            if not self.unitless_label.search(text[max(0, m.start() - 80) : m.start()]):
                continue
            sibling = _nearest(with_units, before, m.start())
            out.append(
                Amount(
                    block,
                    m.start(),
                    m.end(),
                    parse_vn_number(m.group(0)),
                    None,
                    sibling.factor,
                    unit_inferred=True,
                )
            )
        return out

    # ---- structure within a block ------------------------------------------------------
    def link_block(self, amounts: list[Amount]) -> Amount | None:
        """Set parents and labels inside one block. Returns the amount that a trailing
        breakdown marker makes the owner of the following list items, if any."""
        if not amounts:
            return None
        text = amounts[0].block.text
        parens = _Parens.scan(text)
        for a in amounts:
            a.depth = parens.depth(a.start)
        at_depth = _ByDepth(amounts)
        self._link_parents(amounts, text, parens, at_depth)
        for a in amounts:
            if a.parent is not None:
                a.parent.children.append(a)
            a.label = self._label(a, at_depth, parens)
        _annotate(amounts, text, parens, at_depth)
        return self._marker_owner(amounts, text)

    def _link_parents(self, amounts: list[Amount], text: str, parens: _Parens, at_depth: "_ByDepth") -> None:
        """Each amount's parent: the amount whose bracket it sits in, or the one a breakdown
        marker follows, within its sentence (or carried over from the sentence before)."""
        folded = FoldedText(text)
        closes = sorted(close for _, close in parens.pairs)
        partial_owner: dict[int, bool] = {}  # whether an owner's marker may list only some parts
        last_at_depth = _Shallower()  # the last amount at each depth up to the current one
        pending = _Shallower()  # amounts a "trong đó" after them made owners
        pos = 0
        sentence: list[Amount] = []  # the amounts of the sentence so far
        for a in amounts:
            if a.norm:
                continue  # a rate ("40 triệu đồng/hộ") is never a part nor a total
            segment = text[pos : a.start]
            if sentence_break(segment):
                pending.drop_from(a.depth)
                last_at_depth.drop_from(a.depth)
                carried = self._carried_total(segment, a, sentence)
                if carried is not None:  # "… 37,450 triệu đồng. Trong đó, vốn đầu tư …"
                    last_at_depth.set(0, carried)
                sentence = []
            sentence.append(a)
            prev = last_at_depth.get(a.depth)
            # a marker inside a bracket closed before A breaks down what is in the bracket
            k = bisect.bisect_left(closes, a.start) - 1
            marker_from = (max(prev.end, closes[k] + 1) if k >= 0 else prev.end) if prev is not None else 0
            if prev is not None and folded.contains(self.marker, self.marker_reach, marker_from, a.start):
                pending.set(a.depth, prev)
                partial_owner[id(prev)] = folded.contains(
                    self.partial_marker, self.partial_reach, marker_from, a.start
                )
            a.parent = self._parent(a, at_depth, parens, pending, folded)
            if self._partial(a, pending, partial_owner, parens, folded):
                a.breakdown = "partial"
            last_at_depth.drop_from(a.depth)
            last_at_depth.set(a.depth, a)
            pos = a.end

    def _marker_owner(self, amounts: list[Amount], text: str) -> Amount | None:
        """The last top-level amount, when a breakdown marker closes the paragraph after it
        ("…, trong đó:"): the owner of the list items below."""
        tops = [a for a in amounts if a.depth == 0 and a.parent is None and not a.norm]
        if tops:
            tail = text[tops[-1].end :]
            folded_tail = fold(tail)
            if (
                tail.count("(") == tail.count(")")
                and self.marker.search(folded_tail)
                and (tail.rstrip().endswith(":") or self.trailing_marker.search(folded_tail))
            ):
                return tops[-1]
        return None

    def _partial(
        self,
        a: Amount,
        pending: "_Shallower",
        partial_owner: dict[int, bool],
        parens: _Parens,
        folded: FoldedText,
    ) -> bool:
        """Whether A is a part of a breakdown that may name only some parts: after a
        partial marker ("…, trong đó thu nội địa …"), or in "(trong đó …)"."""
        if a.parent is None:
            return False
        if a.parent is pending.get(a.depth):
            return bool(partial_owner.get(id(a.parent)))
        open_pos = parens.opener(a.start) if a.depth else None
        return open_pos is not None and folded.contains(
            self.partial_marker,
            self.partial_reach,
            open_pos,
            min(len(a.block.text), open_pos + self.partial_reach + 3),
        )

    def _carried_total(self, segment: str, a: Amount, sentence: list[Amount]) -> Amount | None:
        """The total of the sentence before that a sentence opening with "Trong đó," goes
        on breaking down (SEGMENT: the text from the last amount to A)."""
        if self.continuation is None or a.depth != 0:
            return None
        opening = segment[_last_end(_FULL_STOP, segment) :]
        if not self.continuation.match(fold(opening)):
            return None
        return total_of(sentence)

    def _parent(
        self, a: Amount, at_depth: "_ByDepth", parens: _Parens, pending: "_Shallower", folded: FoldedText
    ) -> Amount | None:
        marker_owner = pending.get(a.depth)
        if a.depth == 0:
            return marker_owner
        open_pos = parens.opener(a.start)
        if marker_owner is not None and open_pos is not None and marker_owner.start > open_pos:
            return marker_owner  # "(… 20.437 trđ, trong đó NSTW: …)" inside one parenthesis
        owner = at_depth.last_ending_by(open_pos, a.depth - 1) if open_pos is not None else None
        if owner is not None and owner.norm:
            return marker_owner
        if (
            owner is not None
            and open_pos is not None
            and not sentence_break(a.block.text[owner.end : open_pos])
        ):
            # "tăng 7,15% so cùng kỳ (3.657 tỷ đồng)": a figure to compare with, not a part
            if folded.contains(self.comparison, self.comparison_reach, owner.end, open_pos):
                return marker_owner
            return owner
        return marker_owner

    def _label(self, a: Amount, at_depth: "_ByDepth", parens: _Parens) -> str:
        text = a.block.text
        before = at_depth.last_ending_by(a.start, a.depth)
        start = before.end if before is not None else 0
        opener = parens.opener(a.start)
        if a.depth > 0 and opener is not None:
            start = max(start, opener + 1)
        label = _PAREN_NOTE.sub(" ", text[start : a.start])  # earlier parentheses are other facts' notes
        # what follows the last ";", the last full stop before a capital, the last marker
        label = label[label.rfind(";") + 1 :]
        label = label[_last_end(_FULL_STOP, label) :]
        label = label[_last_end(self.label_marker, label, overlapped=True) :]
        if before is not None and self.label_after is not None and self.label_after.match(fold(label)):
            # "86,5 tỷ đồng vốn đầu tư công từ ngân sách tỉnh và 12 tỷ đồng": the words after
            # the previous amount are its label, up to the word joining the next item
            label = label[_last_end(self.item_joiner, label) :]
        return label.strip()

    # ---- structure across paragraphs ------------------------------------------------------
    def link_paragraphs(self, paragraphs: list[tuple[Block, list[Amount]]]) -> None:
        """Breakdowns a paragraph continues from the one before it, in document order:
        "Trong đó, thu nội địa …" (parts of the last total of the paragraph before),
        "Phân theo Chương trình: …" (a second breakdown of the total the list above broke
        down), and a list under a lead-in without an amount ("Vốn sự nghiệp được phân bổ như
        sau:", "Một số dự án được giao vốn lớn:", "Với Chương trình MTQG giảm nghèo bền
        vững, tỉnh ưu tiên vốn cho hai dự án:"), whose items are parts of the amount the
        lead-in names (or of the last total before it) and take the program it names."""
        last: list[Amount] = []  # the amounts of the last paragraph that had any
        adjacent = False  # whether that paragraph is the one right before
        for i, (block, amounts) in enumerate(paragraphs):
            if amounts:
                opening = fold(block.text[:_OPENING_REACH])
                if adjacent and self.continuation is not None and self.continuation.match(opening):
                    self._continue(opening, last, amounts)
                last, adjacent = amounts, True
                continue
            if block.text.rstrip().endswith(":"):
                self._list_intro(fold(block.text), last if adjacent else [], last, paragraphs[i + 1 :])
            adjacent = False

    def _continue(self, folded: str, before: list[Amount], amounts: list[Amount]) -> None:
        text = amounts[0].block.text
        first_break = _FULL_STOP.search(text)
        end = first_break.start() if first_break else len(text)  # the opening sentence only
        parts = [a for a in amounts if a.depth == 0 and a.parent is None and not a.norm and a.start < end]
        total = total_of(before)
        if not parts:
            return
        if self.partial_marker.match(folded):  # "Trong đó, …": the last total's parts
            if total is None:
                return
            for a in parts:
                owner = total
                if a.pair_of is not None:
                    # the planned figure of a pair: part of the planned total the done one belongs to
                    owner = next(
                        (b for b in reversed(before[: before.index(total)]) if _covers(b, total)), total
                    )
                _adopt(owner, a, "partial")
        else:  # "Phân theo …": another breakdown of the total above
            tops = [a for a in before if a.depth == 0 and not a.norm]
            if not tops:
                return
            root = _root(tops[-1])
            for a in parts:
                _adopt(root, a, f"by{id(amounts[0])}")

    def _list_intro(
        self,
        folded: str,
        right_before: list[Amount],
        before: list[Amount],
        following: list[tuple[Block, list[Amount]]],
    ) -> None:
        items: list[Amount] = []
        for b, amounts in following[:_LIST_MAX]:
            if not _LIST_ITEM.match(b.text):
                break
            items.extend(a for a in amounts if a.depth == 0 and a.parent is None and not a.norm)
        if not items:
            return
        named = self.program_named.search(folded)
        cap = self._only_capital_type(folded)
        for a in items:
            a.context_program = program_of(named) if named else None
            a.context_capital_type = cap
        if not (self.marker.search(folded) or self.list_intro.search(folded)):
            return
        owner = self._referent(folded, before)
        partial = bool(self.partial_marker.search(folded))
        if owner is None and partial:  # "Một số dự án …:" right after the total
            owner = total_of(right_before)
        if owner is not None:
            for a in items:
                _adopt(owner, a, "partial" if partial else "list")

    def _referent(self, folded: str, before: list[Amount]) -> Amount | None:
        """The amount before a lead-in that the lead-in names by its capital type or source
        ("Vốn sự nghiệp được phân bổ như sau:" after "… vốn sự nghiệp 210.330 triệu đồng")."""
        cap = self._only_capital_type(folded)
        source = self.rules.funding_source.first(folded)
        if cap is None and source is None:
            return None
        for a in reversed(before):
            words = fold(a.label + " " + a.annotation)
            if (cap is None or self.rules.capital_type.first(words) == cap) and (
                source is None or self.rules.funding_source.first(words) == source
            ):
                return a
        return None

    def comma_thousands(self, amounts: list[Amount]) -> None:
        """ "37,450 triệu đồng" whose parts add up to 37.450: the comma was a thousands
        separator (news pages write both); the figure is read so, as a repaired number."""
        for a in amounts:
            if not a.children or a.number.value is None or not comma_may_group_thousands(a.number.raw):
                continue
            as_thousands = round(a.number.value * 1000, 6)
            for parts in summable_breakdowns(a):
                if a.factor is None:
                    continue
                total = sum(p.value or 0 for p in parts)
                if abs(total - as_thousands * a.factor) <= rounding_tolerance(parts):
                    a.number = VnNumber(
                        a.number.raw,
                        as_thousands,
                        0,
                        "repaired",
                        f"the comma read as a thousands separator: its {len(parts)} parts add up to "
                        f"{total:g} triệu đồng",
                    )
                    break

    # ---- attributes --------------------------------------------------------------------
    def attribute(self, amounts: list[Amount], context_titles: Callable[[Amount], Iterable[str]]) -> None:
        """Funding source, capital type, measure and year, parents before their parts (a
        part inherits what it does not state itself)."""
        before: dict[int, _MeasureBefore] = {}  # per paragraph, made when first needed
        following = _following(amounts)
        said: dict[int, _ProgramsSaid] = {}  # per paragraph, made when first needed
        for a in _parents_first(amounts):
            own = fold(a.label + " " + a.annotation)
            if self.local_actor is not None:
                own = self.local_actor.sub(lambda m: " " * len(m.group()), own)  # "địa phương sẽ phân bổ"
            after = self._label_after(a)
            parent = a.parent
            is_total = bool(self.total_words.search(fold(a.label)))
            source = self.rules.funding_source.first_hit(after) or self.rules.funding_source.first_hit(own)
            a.funding_source = (
                source.value if source else (None if is_total or parent is None else parent.funding_source)
            )
            capital = self.rules.capital_type.first_hit(after) or self.rules.capital_type.first_hit(own)
            a.capital_type = capital.value if capital else (parent.capital_type if parent else None)
            _fired(a, "funding_source", source, parent)
            _fired(a, "capital_type", capital, parent)
            if a.capital_type is None and a.context_capital_type is not None:
                a.capital_type = a.context_capital_type
                a.rules["capital_type"] = "money.yaml capital_type: named by the list's lead-in"
            if a.capital_type is None:
                a.capital_type = self._capital_type_above(a, context_titles)
                if a.capital_type is not None:
                    a.rules["capital_type"] = (
                        "money.yaml capital_type: the paragraph's lead or a heading above"
                    )
            a.measure = self._measure(a, context_titles, before, after)
            if a.pair_of is not None:
                # the planned figure of "done/planned": what the done one is, as planned money
                # (revenue collected of revenue planned stays revenue)
                taken = [k for k in ("funding_source", "capital_type") if getattr(a, k) is None]
                a.funding_source = a.funding_source or a.pair_of.funding_source
                a.capital_type = a.capital_type or a.pair_of.capital_type
                a.measure = a.pair_of.measure if a.pair_of.measure in _PAIRED_AS_IS else "plan"
                for attribute in taken:
                    _fired(a, attribute, None, a.pair_of)
                a.rules["measure"] = "the planned figure of a done/planned pair"
            year = _year_in(a.label)
            if year is None and parent is not None:
                year = parent.fiscal_year
            if year is None and parent is None:
                year = next((y for t in context_titles(a) if (y := _year_in(t)) is not None), None)
            a.fiscal_year = year
            a.all_programs = bool(
                self.all_programs.search(own) or self.all_programs.search(self._words_after(a))
            )
            named = self._program(a)
            a.program = (
                named
                or (parent.program if parent else None)
                or a.context_program
                or (None if a.all_programs else self._joined_program(a, following.get(id(a))))
                or (None if a.all_programs or parent is not None else self._sentence_program(a, said))
            )
            _fired(a, "program", Hit(named, f"money.yaml program_names[{named}]") if named else None, parent)
            if a.program is not None and "program" not in a.rules:
                a.rules["program"] = "money.yaml program_names: named by the list's lead-in or the sentence"

    def _joined_program(self, a: Amount, b: Amount | None) -> str | None:
        """ "86,5 tỷ đồng … từ ngân sách tỉnh và 12 tỷ đồng … cho Chương trình nông thôn mới":
        the program named after the second of two figures joined by "và" is the first's too."""
        if b is None or b.parent is not a.parent:
            return None
        between = a.block.text[a.end : b.start]
        if _CLAUSE_STOP.search(between) or not self.and_word.search(between):
            return None
        m = self.program_named.search(self._words_after(b))
        return program_of(m) if m else None

    def _capital_type_above(self, a: Amount, context_titles: Callable[[Amount], Iterable[str]]) -> str | None:
        """The capital type the lead of the amount's paragraph ("b) Vốn sự nghiệp: …") or the
        nearest heading naming one ("6. Kế hoạch đầu tư công nguồn NSNN …") gives, when it
        names one type only."""
        text = a.block.text
        colon = text.find(":", 0, _LEAD_MAX)
        lead = fold(text[:colon]) if 0 < colon < a.start else ""
        if lead and "," not in lead and not self.marker.search(lead):  # a label, not a clause
            found = self._only_capital_type(lead)
            if found is not None:
                return found
        for title in context_titles(a):
            folded = fold(title)
            named = [v for v, _, pattern in self.rules.capital_type.entries if pattern.search(folded)]
            if named:
                return named[0] if len(set(named)) == 1 and self.heading_money.search(folded) else None
        return None

    def _only_capital_type(self, folded: str) -> str | None:
        named = {v for v, _, pattern in self.rules.capital_type.entries if pattern.search(folded)}
        return named.pop() if len(named) == 1 else None

    def _words_after(self, a: Amount) -> str:
        after = a.block.text[a.end : a.end + _PROGRAM_AFTER_REACH]
        return fold(_AFTER_STOP.split(after, maxsplit=1)[0])

    def _sentence_program(self, a: Amount, said: dict[int, "_ProgramsSaid"]) -> str | None:
        """The program named last earlier in the amount's sentence ("Năm 2025, Chương trình
        1719 tập trung …; mỗi thôn … 1 - 1,5 tỷ đồng")."""
        if id(a.block) not in said:
            said[id(a.block)] = _ProgramsSaid(a.block.text, self.program_named)
        return said[id(a.block)].last_before(a.start)

    def _label_after(self, a: Amount) -> str:
        """The folded words written after the amount that say what it is ("vốn đầu tư công
        từ ngân sách tỉnh"), up to a stop or the next figure; empty when they do not open
        with a label word."""
        if self.label_after is None or a.per_unit:
            return ""
        chunk = _YEAR.sub(lambda m: " " * len(m.group()), a.block.text[a.end : a.end + _PROGRAM_AFTER_REACH])
        after = fold(_LABEL_AFTER_STOP.split(chunk, maxsplit=1)[0])
        return after if self.label_after.match(after) else ""

    def _program(self, a: Amount) -> str | None:
        """The program the amount's own words name: the last one before it in its label, else
        the first in the few words after it (up to a stop or the next figure)."""
        hits = list(self.program_named.finditer(fold(a.label)))
        if hits:
            return program_of(hits[-1])
        after = a.block.text[a.end : a.end + _PROGRAM_AFTER_REACH]
        after = _AFTER_STOP.split(after, maxsplit=1)[0]
        m = self.program_named.search(fold(after))
        return program_of(m) if m else None

    def _measure(
        self,
        a: Amount,
        context_titles: Callable[[Amount], Iterable[str]],
        before: dict[int, "_MeasureBefore"],
        after: str = "",
    ) -> str:
        hit = self.rules.measure.first_hit(fold(a.label)) or (
            self.rules.measure.first_hit(after) if after else None
        )
        measure = hit.value if hit else None
        rule = hit.rule if hit else None
        if a.per_unit:
            # a rate: income per head is an indicator, "05 triệu đồng/hộ" a norm
            measure = "indicator" if measure == "indicator" else "other"
            rule = rule if measure == "indicator" else "money.yaml per_unit_suffix"
        elif measure is None and a.comparator in _NORM_COMPARATORS:
            # "tối đa 3 tỷ đồng", "từ 20 tỷ đồng trở lên", "từ 1,5 đến 2 tỷ đồng": a rule's
            # bound, not money planned
            measure, rule = "other", f"a bound (comparator {a.comparator})"
        if a.parent is not None and (measure is None or a.parent.measure != "plan"):
            # "giải ngân …: 45.389 (…; vốn kéo dài: 14.147)": a part of a disbursement is
            # disbursed money, whatever year's funds it came from
            measure, rule = a.parent.measure, a.parent.rules.get("measure")
            rule = inherited_rule(rule) if rule else None
        if measure is None:  # an earlier word of the same paragraph ("Dự toán chi … giao là")
            if id(a.block) not in before:
                before[id(a.block)] = _MeasureBefore(a.block.text, self.rules.measure)
            measure = before[id(a.block)].value(a.start)
            if measure == "other":
                measure = None  # a norm ("bình quân mỗi xã …") describes its own figure only
            rule = f"{self.rules.measure.where}[{measure}] earlier in the paragraph" if measure else None
        if measure is None:  # the headings above ("- Kinh phí chuyển nguồn năm 2023:")
            hit = next((h for t in context_titles(a) if (h := self.rules.measure.first_hit(fold(t)))), None)
            measure, rule = (hit.value, f"{hit.rule} in a heading above") if hit else (None, None)
        if rule:
            a.rules["measure"] = rule
        return measure or "plan"


_NORM_COMPARATORS = ("le", "ge", "lt", "range")  # bounds that state a rule rather than planned money
_PAIRED_AS_IS = ("revenue", "expenditure", "indicator", "other")  # a pair's planned figure keeps these
_LIST_MAX = 60  # list items a lead-in reaches
_OPENING_REACH = 40  # characters of a paragraph's opening that may continue a breakdown
_RATE_REACH = 60  # characters before a figure where a rate word of its clause may stand
_CLAUSE_STOP = regex.compile(r"[,;:.()]")
_LEAD_MAX = 48  # a paragraph's lead ("b) Vốn sự nghiệp:") ends at a colon within this many characters
_RANGE_REACH = 40  # characters before an amount where the lower figure of its range may stand
_COMPARATOR_REACH = 30  # characters before an amount where its comparator stands
_PROGRAM_AFTER_REACH = 90  # characters after an amount where its program may be named
# the words after an amount end at a stop or the next figure ("1719" is a name, not a figure)
# a label after an amount ends at a stop, a figure, or a word joining the next item
_LABEL_AFTER_STOP = regex.compile(r"[,;:()]|\.(?!\d)|\d|(?<!\w)(?:và|cho|để)(?!\w)")
_AFTER_STOP = regex.compile(r"[,;:()]|\.(?!\d)|\d+[.,]\d|\d+\s*%")


def _annotate(amounts: list[Amount], text: str, parens: _Parens, at_depth: "_ByDepth") -> None:
    """ "(vốn sự nghiệp)" right after an amount, holding no amount, describes it."""
    starts = [a.start for a in amounts]
    filler_end: dict[int, int] = {}  # owner's end -> where its run of spaces and stops ends
    for open_pos, close_pos in parens.pairs:
        first_after = bisect.bisect_right(starts, open_pos)
        if first_after < len(starts) and starts[first_after] < close_pos:
            continue
        owner = at_depth.last_ending_by(open_pos, parens.depth(open_pos) - 1)
        if owner is None:
            continue
        if owner.end not in filler_end:
            other = _NOT_FILLER.search(text, owner.end)
            filler_end[owner.end] = other.start() if other else len(text)
        if filler_end[owner.end] >= open_pos:
            owner.annotation += " " + text[open_pos + 1 : close_pos]


def _alternation(words: Iterable[str]) -> str:
    """WORDS as a regex alternation on unfolded text, longest first (empty when none)."""
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def total_of(amounts: list[Amount]) -> Amount | None:
    """The total a following "Trong đó, …" breaks down: the last amount standing on its
    own (no bracket, no parent, no rate, not the planned figure of a "done/planned" pair)."""
    for a in reversed(amounts):
        if a.depth == 0 and a.parent is None and a.pair_of is None and not a.norm:
            return a
    return None


def _root(a: Amount) -> Amount:
    n = 0
    while a.parent is not None and n < 50:
        a, n = a.parent, n + 1
    return a


def _following(amounts: list[Amount]) -> dict[int, Amount]:
    """Each amount's next one in its paragraph (by id)."""
    by_block: dict[int, list[Amount]] = {}
    for a in amounts:
        by_block.setdefault(id(a.block), []).append(a)
    out: dict[int, Amount] = {}
    for group in by_block.values():
        group.sort(key=lambda a: a.start)
        for a, b in zip(group, group[1:]):
            out[id(a)] = b
    return out


def _covers(b: Amount, total: Amount) -> bool:
    """B, written before TOTAL, can be the planned total TOTAL was done of."""
    return (
        b.depth == 0
        and b.parent is None
        and b.value is not None
        and total.value is not None
        and b.value >= total.value
    )


def _adopt(owner: Amount, part: Amount, breakdown: str) -> None:
    part.parent, part.breakdown = owner, breakdown
    owner.children.append(part)


_LIST_ITEM = regex.compile(r"^\s*[-+•–*]\s")


def _year_in(text: str) -> int | None:
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


_NUMBER_SLASH = regex.compile(r"\d+\s*/")
_NUMBER_WORD = regex.compile(r"[\d.,]+\s*\p{L}")


def _looks_like_reference(text: str, start: int) -> bool:
    # "122/KH-UBND", "số 27/2022" are document numbers, never money
    return bool(_NUMBER_SLASH.match(text[start : start + 8])) and not _NUMBER_WORD.match(
        text[start : start + 12]
    )


def _nearest(amounts: list[Amount], before: int, pos: int) -> Amount:
    """The amount starting nearest POS (the earlier on a tie), given the index of the last
    one starting at or before it (-1 when none): only it and the next can be nearest."""
    candidates = [amounts[i] for i in (before, before + 1) if 0 <= i < len(amounts)]
    return min(candidates, key=lambda a: abs(a.start - pos))


class _MeasureBefore:
    """The measure phrase written last before a position of one paragraph, its
    parenthetical notes left out: `table.last_hit(fold(_PAREN_NOTE.sub(" ",
    text[:pos])))[0]`, for every POS from one fold of the paragraph.

    Without its notes the paragraph is REDUCED; the notes cut from text[:pos] are those of
    REDUCED before pos, unless pos stands inside one, which text[:pos] leaves open. Each
    phrase list's matches over the folded REDUCED are found once; a prefix's matches are
    the same up to a phrase's length before its end, so only that end is searched again."""

    def __init__(self, text: str, table: PhraseTable) -> None:
        self.text = text
        self.table = table
        notes = [m.span() for m in _PAREN_NOTE.finditer(text)]
        self.note_starts = [a for a, _ in notes]
        self.note_ends = [b for _, b in notes]
        self.removed_before = [0]  # characters the notes before the i-th one took out
        for a, b in notes:
            self.removed_before.append(self.removed_before[-1] + (b - a) - 1)
        self.reduced = _PAREN_NOTE.sub(" ", text)
        self.folded = FoldedText(self.reduced)
        self.reach = [max((len(p) for p in phrases), default=0) for _, phrases, _ in table.entries]
        self.text_folded = FoldedText(text)  # for the notes, read as written
        self._notes: dict[int, tuple[int, str]] = {}
        self._note_ends: dict[int, int] = {}
        self._note_chains: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.chains = []  # per entry: the (start, end) of its matches in order, as finditer gives them
        if self.folded.exact:
            for _, _, pattern in table.entries:
                self.chains.append([m.span() for m in pattern.finditer(self.folded.folded)])

    def value(self, pos: int) -> str | None:
        if not (self.folded.exact and self.text_folded.exact):
            hit = self.table.last_hit(fold(_PAREN_NOTE.sub(" ", self.text[:pos])))
            return hit[0] if hit else None
        i = bisect.bisect_right(self.note_starts, pos) - 1
        note = i if i >= 0 and self.note_starts[i] < pos < self.note_ends[i] else None
        if note is not None:
            # inside a note: the reduced text up to it, then the note as written so far
            head_end, opened = self._note(note)
            _, x, y, right = self.text_folded._split(self.note_starts[note], pos)
            cut = head_end + len(opened) - (self._note_ends[note] - y)
        else:
            done = bisect.bisect_right(self.note_ends, pos)
            _, _, cut, right = self.folded._split(0, pos - self.removed_before[done])
        best: tuple[str, int] | None = None
        for k, ((value, _, pattern), reach) in enumerate(zip(self.table.entries, self.reach)):
            end = self._last_end(k, pattern, reach, note, cut, right)
            if end is not None and (best is None or end > best[1]):
                best = (value, end)
        return best[0] if best else None

    def _note(self, i: int) -> tuple[int, str]:
        """(head_end, opened): inside note I, the folded prefix is folded[:head_end] (the
        reduced text before the note) followed by a prefix of OPENED (the space between,
        if any, and the whole note folded)."""
        if i not in self._notes:
            cut = self.note_starts[i] - self.removed_before[i]
            _, _, head_end, _ = self.folded._split(0, cut)
            _, x, y, _ = self.text_folded._split(self.note_starts[i], self.note_ends[i])
            space = " " if cut > 0 and self.reduced[cut - 1].isspace() and head_end > 0 else ""
            self._notes[i] = (head_end, space + self.text_folded.folded[x:y])
            self._note_ends[i] = y
        return self._notes[i]

    def _slice(self, note: int | None, a: int, b: int) -> str:
        """[a:b] of the folded text the prefixes are taken from: the reduced text's fold,
        or inside NOTE, the fold before it followed by the note's."""
        if note is None:
            return self.folded.folded[a:b]
        head_end, opened = self._note(note)
        head = self.folded.folded[a : min(b, head_end)] if a < head_end else ""
        return head + opened[max(a - head_end, 0) : max(b - head_end, 0)]

    def _chain_before(
        self, k: int, pattern: regex.Pattern, reach: int, note: int | None, limit: int
    ) -> tuple[int, int] | None:
        """The last match starting by LIMIT of finditer over the text _slice reads."""
        if note is not None:
            after = self._note_chain(k, pattern, reach, note)
            j = bisect.bisect_right(after, (limit, float("inf"))) - 1
            if j >= 0:
                return after[j]
            limit = min(limit, self._notes[note][0] - reach - 2)
        chain = self.chains[k]
        j = bisect.bisect_right(chain, (limit, float("inf"))) - 1
        return chain[j] if j >= 0 else None

    def _note_chain(self, k: int, pattern: regex.Pattern, reach: int, note: int) -> list[tuple[int, int]]:
        """The matches of finditer over the fold before NOTE and the whole note folded,
        from where they stop being those of the reduced text's fold."""
        key = (k, note)
        if key not in self._note_chains:
            head_end, opened = self._note(note)
            resume, context = self._resume(
                self._chain_before(k, pattern, reach, None, head_end - reach - 2), head_end - reach - 2
            )
            window = self._slice(note, resume - context, head_end + len(opened))
            base = resume - context
            self._note_chains[key] = [
                (base + m.start(), base + m.end()) for m in pattern.finditer(window, context)
            ]
        return self._note_chains[key]

    @staticmethod
    def _resume(last: tuple[int, int] | None, shared: int) -> tuple[int, int]:
        """Where finditer goes on past the matches both texts share, and whether one
        character before it is there as context."""
        resume = max(last[1] if last else 0, shared + 1, 0)
        return resume, 1 if resume > 0 else 0

    def _last_end(
        self, k: int, pattern: regex.Pattern, reach: int, note: int | None, cut: int, right: str
    ) -> int | None:
        """The end of the last match of finditer over _slice(note, 0, cut) + right."""
        # matches starting this far before the cut read nothing past it: shared
        shared = cut - reach - 2
        last_match = self._chain_before(k, pattern, reach, note, shared)
        last = last_match[1] if last_match else None
        resume, context = self._resume(last_match, shared)
        window = self._slice(note, resume - context, cut) + right
        for m in pattern.finditer(window, context):
            last = resume - context + m.end()
        return last


class _ProgramsSaid:
    """The programs a paragraph names (program_pattern, matched once on its fold) and where
    its sentences start, to find the program named last in a sentence before a position."""

    def __init__(self, text: str, pattern: regex.Pattern):
        self.sentence_starts = [m.end() for m in _FULL_STOP.finditer(text)]
        folded = FoldedText(text)
        self.hits: list[tuple[int, int, str]] | None = None  # (start, end, program) in TEXT
        self.text, self.pattern = text, pattern
        if folded.exact:
            self.hits = []
            for m in pattern.finditer(folded.folded):
                i = bisect.bisect_right(folded.g_starts, m.start()) - 1
                j = bisect.bisect_left(folded.g_ends, m.end())
                if 0 <= i and j < len(folded.ends):
                    self.hits.append((folded.starts[i], folded.ends[j], program_of(m)))
        self.ends = [end for _, end, _ in self.hits or []]

    def last_before(self, pos: int) -> str | None:
        k = bisect.bisect_right(self.sentence_starts, pos) - 1
        start = self.sentence_starts[k] if k >= 0 else 0
        if self.hits is None:  # a text whose fold changes its length: fold the sentence
            found = list(self.pattern.finditer(fold(self.text[start:pos])))
            return program_of(found[-1]) if found else None
        i = bisect.bisect_right(self.ends, pos) - 1
        if i >= 0 and self.hits[i][0] >= start:
            return self.hits[i][2]
        return None


class _Shallower:
    """Amounts by parenthesis depth, where going back to a depth forgets the deeper ones:
    dropping the depths from one on costs what it removes, not the number of depths."""

    def __init__(self) -> None:
        self.by_depth: dict[int, Amount] = {}
        self.depths: list[int] = []  # the keys, in order

    def get(self, depth: int) -> Amount | None:
        return self.by_depth.get(depth)

    def set(self, depth: int, amount: Amount) -> None:
        if depth not in self.by_depth:
            bisect.insort(self.depths, depth)
        self.by_depth[depth] = amount

    def drop_from(self, depth: int) -> None:
        """Forget the amounts at DEPTH and deeper."""
        cut = bisect.bisect_left(self.depths, depth)
        for d in self.depths[cut:]:
            del self.by_depth[d]
        del self.depths[cut:]


class _ByDepth:
    """A paragraph's amounts grouped by parenthesis depth, in text order (their ends
    increase with their starts: amounts do not overlap)."""

    def __init__(self, amounts: list[Amount]):
        self.amounts: dict[int, list[Amount]] = {}
        for a in amounts:
            self.amounts.setdefault(a.depth, []).append(a)
        self.ends = {d: [a.end for a in group] for d, group in self.amounts.items()}

    def last_ending_by(self, pos: int, depth: int) -> Amount | None:
        """The last amount at DEPTH that ends at or before POS."""
        ends = self.ends.get(depth)
        if not ends:
            return None
        i = bisect.bisect_right(ends, pos) - 1
        return self.amounts[depth][i] if i >= 0 else None


_NOT_FILLER = regex.compile(r"[^\s.,:]")
_FULL_STOP = regex.compile(r"\.\s+(?=\p{Lu})")


def _last_end(pattern: regex.Pattern, text: str, overlapped: bool = False) -> int:
    """The end of the match of PATTERN that starts last in TEXT (0 when none): what
    `.*PATTERN` (greedy, dot matching all) removes from the start of TEXT."""
    last = None
    for m in pattern.finditer(text, overlapped=overlapped):
        last = m
    return last.end() if last is not None else 0


def _parents_first(amounts: list[Amount]) -> list[Amount]:
    def depth(a: Amount) -> int:
        n = 0
        up: Amount | None = a.parent if a.parent is not None else a.pair_of
        while up is not None and n < 50:
            # the planned figure of a pair after the done one
            up, n = (up.parent if up.parent is not None else up.pair_of), n + 1
        return n

    return sorted(amounts, key=depth)


def summable_breakdowns(total: Amount) -> list[list[Amount]]:
    """The breakdowns of TOTAL (its parts grouped by kind, parts of one kind add up) that can
    be added up: two parts or more, every part's value known."""
    groups: dict[str, list[Amount]] = {}
    for part in total.children:
        groups.setdefault(part.breakdown, []).append(part)
    return [parts for parts in groups.values() if len(parts) >= 2 and all(p.value is not None for p in parts)]


def sum_problem(parent: Amount) -> tuple[float, float, int] | None:
    """(expected, actual, number of parts) when the written parts of one breakdown do not
    add up to the total beyond rounding."""
    if parent.value is None:
        return None
    for parts in summable_breakdowns(parent):
        actual = round(sum(p.value or 0 for p in parts), 9)
        tolerance = rounding_tolerance(parts)
        if parts[0].breakdown == "partial" and actual <= parent.value + tolerance and not _splits(parts):
            continue  # "…, trong đó thu nội địa …": some parts named, not all
        if abs(parent.value - actual) > tolerance:
            return parent.value, actual, len(parts)
    return None


def _splits(parts: list[Amount]) -> bool:
    """The parts split their total by one attribute: each its own funding source (NSTW,
    NSĐP) or capital type (ĐTPT, SN)."""
    for values in ([p.funding_source for p in parts], [p.capital_type for p in parts]):
        if None not in values and len(set(values)) == len(values):
            return True
    return False


def rounding_tolerance(parts: list[Amount]) -> float:
    """How far a sum of written parts may be from its total by rounding alone (the rule of
    ../shared/gold/README.md): each part off by half a unit of its last written digit."""
    k = max(p.number.decimals for p in parts)
    return len(parts) * 0.5 * 10 ** (-k) * max(p.factor or 1 for p in parts) + 1e-9


# ---- across paragraphs ----------------------------------------------------------------------
# A heading title longer than this is a paragraph with a label, not a heading to read.
HEADING_TITLE_MAX = 120


def link_amounts(
    finder: AmountFinder,
    blocks: list[Block],
    block_section: dict[int, Section | None],
    found: dict[int, list[Amount]],
    place: Callable[[list[Amount]], None],
) -> list[Amount]:
    """The amounts FOUND in each paragraph (by id() of its block), linked within their
    paragraph and across paragraphs, placed in their sections and the projects named
    beside them (PLACE), then given their attributes; all of them, in paragraph order."""
    heading_block = {b.first_line + 1: b for b in blocks}  # line -> the block it starts
    next_block = {id(b): nb for b, nb in zip(blocks, blocks[1:])}
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
    for b, owner in owners:
        _own_list_items(b, owner, block_section, heading_block, next_block, found)
    finder.link_paragraphs([(b, found[id(b)]) for b in blocks])
    place(everything)  # "- Dự án 5 (…): 12.480,50 triệu đồng"; a placement may make a parent
    finder.comma_thousands(everything)
    finder.attribute(everything, _context_titles)
    return everything


def amounts_program(single: str | None, title: str | None, amounts: list[Amount]) -> str | None:
    """The program of a document's amounts that name none: the document's one program, but
    for a page without a title (news) the programs its amounts name decide: one program
    named is the page's ("giải ngân vốn Chương trình 1719" … "vốn Chương trình 1719"),
    several ("Chương trình NTM 286,4 tỷ đồng, … GNBV 341,7 tỷ đồng") leave the others open."""
    if title:
        return single
    named = {a.program for a in amounts if a.program is not None}
    if len(named) > 1:
        return None
    return single or (named.pop() if named else None)


def _own_list_items(
    b: Block,
    owner: Amount,
    block_section: dict[int, Section | None],
    heading_block: dict[int, Block],
    next_block: dict[int, Block],
    found: dict[int, list[Amount]],
) -> None:
    """ "…, trong đó:" owns the amounts of the list items after it: the section's children
    when the paragraph is its heading, else the children that follow it."""
    sec = block_section[id(b)]
    if sec is None:
        return
    for child in sec.children:
        if not _heads(sec, b) and child.line_start <= b.line_indexes[-1] + 1:
            continue
        child_block = heading_block.get(child.line_start)
        if child_block is not None and not found.get(id(child_block)):
            # "- Tiểu dự án 1: title.\nPhân bổ 128.400 triệu đồng …": the paragraph right under it
            after = next_block.get(id(child_block))
            if after is not None and block_section[id(after)] is child:
                child_block = after
        for a in found.get(id(child_block), []) if child_block is not None else []:
            if a.parent is None and a.depth == 0 and a is not owner and not a.norm:
                # the list is a breakdown of its own, beside any in the owner's sentence; an
                # item's first figure is its total ("c) Vốn sự nghiệp: 126.100 triệu đồng,
                # phân bổ cho Dự án 2 là 22.800 …": the others are its own parts)
                a.parent, a.breakdown = owner, "list"
                owner.children.append(a)
                break


def _context_titles(a: Amount) -> Iterable[str]:
    """Titles of the headings above the amount (its own heading is its label)."""
    node = a.section
    if node is not None and _heads(node, a.block):
        node = node.parent
    while node is not None and node.kind != "document":
        if len(node.title) < HEADING_TITLE_MAX:
            yield node.title
        node = node.parent


def _heads(sec: Section, block: Block) -> bool:
    """True when the block is the section's own heading paragraph."""
    return sec.line_start == block.first_line + 1


def _fired(a: Amount, attribute: str, hit: Hit | None, source: Amount | None) -> None:
    """Record the rule that gave A's ATTRIBUTE: HIT's, else that of SOURCE (its total, or the
    done figure of a pair) when the value was taken from it."""
    if hit is not None:
        a.rules[attribute] = hit.rule
    elif source is not None and getattr(a, attribute) is not None and attribute in source.rules:
        a.rules[attribute] = inherited_rule(source.rules[attribute])


def inherited_rule(rule: str) -> str:
    """A rule that gave an attribute to the amount (or row) the fact takes it from."""
    return rule if rule.endswith(INHERITED) else rule + INHERITED


INHERITED = " (inherited)"


def _unit_rule(a: Amount, spellings: dict[str, str]) -> str:
    """The rule that gave an amount of running text its unit: the spelling of money.yaml's
    units it was written with, or the unit of the amount beside it."""
    if a.unit_raw is None:
        return "no unit written: the unit of the amount beside it"
    return f'money.yaml units "{spellings.get(unit_key(a.unit_raw), a.unit_raw)}"'
