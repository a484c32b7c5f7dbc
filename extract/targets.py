"""Indicator figures: every percentage, and counts, areas, tonnages and money per head
stated as a target or a result, with comparator, range, direction, kind, indicator and
period. Vocabulary: rules/targets.yaml."""

from __future__ import annotations

import bisect
import re as _std_re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import regex

from .amounts import inherited_rule, program_of, program_pattern
from .document import Block
from .nlp import sentence_break
from .rules import Hit, comparator_end_patterns, ending_patterns, phrase_regex
from .sections import Section, match_label
from .textindex import MatchIndex, PrefixMatches
from .textnorm import FoldedText, fold, nfc, strip_diacritics
from .vnnumbers import parse_vn_number

if TYPE_CHECKING:
    from .rules import Rules

_NUM = r"\d+(?:[.,]\d+)*"
# The same number, possessive: for a number followed by anything but a digit or a
# separator and a digit, giving digits back can never let the rest match; it keeps the
# search linear on long digit runs.
_NUM_POSSESSIVE = r"\d++(?:[.,]\d++)*+"
# A percentage never starts right after a digit (or a digit and a separator): a match
# there implies one at the start of that number, which a left-to-right search meets first.
PERCENT = regex.compile(
    rf"(?<!\d|\d[.,])(?:(?P<lo>{_NUM_POSSESSIVE})\s*+%?+\s*+(?:-|–|đến|tới)\s*+)?(?P<num>{_NUM_POSSESSIVE})\s*+%"
)
# The denominator keeps its backtracking ("1/2,5/" reads 1/2): after it may come a digit.
RATIO = regex.compile(
    rf"(?<![\d/.,])(?P<a>{_NUM_POSSESSIVE})\s*+(?P<ua>km|ha)?+\s*+/\s*+(?P<b>{_NUM})\s*(?P<ub>km|ha)?(?![\d/])"
)
# the patterns of the figures' tests, compiled once
_SLASH_DIGIT = regex.compile(r"\s*/\s*\d")
_DAY = regex.compile(r"0\d")
_MONTH = regex.compile(r"[01]\d")
_DIGIT_SLASH_DIGIT = regex.compile(r"\d\s*/\s*\d")
_BRACKETED = regex.compile(r"\([^()]*\)")
_WORD_CHAR = regex.compile(r"\w")
_NUM_ALONE = regex.compile(_NUM)
_NOT_WORD_OR_SLASH = regex.compile(r"[^\w/]")
_WORDS = regex.compile(r"\w+")
_SLASH_OR_DASH_AT_END = regex.compile(r"[/\-]\s*$")
_DIGIT = regex.compile(r"\d")


class _Head(NamedTuple):
    text: str  # the measured thing the words before a figure name
    share: bool  # a share word ("tỷ lệ") or a figure of its own stood before it
    had_figure: bool  # the words held an amount or count ("45.389 triệu đồng, đạt 84,79%")
    wants_object: bool  # they end in a verb or preposition whose object follows the figure
    sub: bool  # they open with "trong đó", "riêng": a part of the figure before


@dataclass
class Target:
    block: Block
    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    comparator: str
    direction: str | None
    kind: str
    indicator: str
    indicator_key: str
    year: str | None
    numerator: float | None = None
    denominator: float | None = None
    section: Section | None = None
    number_decimals: int = 0
    # how the indicator was built, for the next figure of a list that shares it
    head: str = ""
    tail_end: int = 0
    program: str | None = None  # the program its words name (see _Scan.program_at), if any
    verb_last: bool = False  # its direction verb stands right before it, after its subject
    # the program the paragraph's sentences before named: after the section's
    program_carried: str | None = None
    # a program only its name stands for ("xã đạt chuẩn nông thôn mới"): the last resort,
    # after the section's and the document's
    program_hint: str | None = None
    rules: dict[str, str] = field(default_factory=dict)  # attribute -> the rule that gave it (show --why)


class TargetFinder:
    def __init__(self, rules: Rules) -> None:
        t = rules.section("targets")
        self.rules = rules
        # a comparator counts only right before the number, with at most a filler between
        self.comparator_end = comparator_end_patterns(rules)
        # how far back from the figure such a comparator can start in the folded words
        # before it (they are stripped and their spaces single)
        self.comparator_reach = (
            max((len(p) for _, phrases, _ in rules.comparators.entries for p in phrases), default=0)
            + 1
            + max((len(fold(x)) for x in t.get("comparator_fillers", [])), default=0)
        )
        stops = "|".join(regex.escape(x) for x in t.get("indicator_after_stops", []))
        stop_alternatives = r"[;.(]|{digit}\d++(?:[.,]\d++)?+\s*+%" + (
            rf"|,\s*+(?:{stops})(?!\w)" if stops else ""
        )
        self.after_stop = regex.compile(stop_alternatives.format(digit=""))
        # the same stops, but a percentage only from the start of its number: past the
        # first position, a search meets no other (see _Scan.next_stop)
        self.after_stop_from_number_start = regex.compile(stop_alternatives.format(digit=r"(?<!\d)"))
        self.annual = regex.compile(
            "|".join(regex.escape(fold(x)) for x in t.get("annual_phrases", [])) or r"(?!x)x"
        )
        self.kind_phrases = {k: phrase_regex(fold(p) for p in v) for k, v in t["kind"].items()}
        self.kind_reach = {k: max((len(fold(p)) for p in v), default=0) for k, v in t["kind"].items()}
        self.kind_in_clause = {
            k: (phrase_regex(fold(p) for p in v), max((len(fold(p)) for p in v), default=0))
            for k, v in t.get("kind_in_clause", {}).items()
        }
        self.kind_after_figure = {
            k: (phrase_regex(fold(p) for p in v), max((len(fold(p)) for p in v), default=0))
            for k, v in t.get("kind_after_figure", {}).items()
        }
        self.program_named = program_pattern(rules.section("money"))
        self.respectively = phrase_regex(fold(w) for w in t.get("respectively_words", []))
        self.program_alone = [
            (code, phrase_regex(fold(n) for n in names))
            for code, names in t.get("program_names_alone", {}).items()
        ]
        # a sentence opening with these goes on with the one before: its year carries
        self.year_carry = regex.compile(
            rf"(?:{_alternation(fold(w) for w in t.get('year_carry_openers', []))})(?!\w)"
        )
        # "đến hết năm 2024", "đến ngày 31/12/2024": a deadline, an aim unless its year is
        # before the document's
        deadlines = [fold(p) for p in t.get("deadline_phrases", [])]
        self.deadline = phrase_regex(deadlines)
        self.deadline_reach = max((len(p) for p in deadlines), default=0)
        spaced = (p.replace(" ", r"\s+") for p in _escaped(t.get("deadline_phrases", [])))
        self.deadline_year = regex.compile(
            rf"(?<!\w)(?:{'|'.join(spaced) or '(?!x)x'})\s+(?:\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*)?"
            r"(?P<y>(?:19|20)\d\d)(?!\d)",
            regex.IGNORECASE,
        )
        self.change_end = ending_patterns(
            rules,
            (
                (entry["value"], [fold(p) for p in entry["phrases"]])
                for entry in t.get("comparator_changes", [])
                if entry["phrases"]
            ),
        )
        self.direction_not = phrase_regex(fold(p) for p in t.get("direction_not", []))
        self.carry_stops = phrase_regex(fold(p) for p in t.get("direction_carry_stops", []))
        self.carry_subjects = phrase_regex(fold(p) for p in t.get("direction_carry_subjects", []))
        # a joining word as written, or a comma
        joiner = "|".join(
            rf"(?<!\w){regex.escape(nfc(w))}(?!\w)" for w in t.get("direction_carry_joiners", [])
        )
        self.carry_joiners = regex.compile(f"{joiner}|," if joiner else ",")
        # nothing between two figures but words and one joining word: "phân bổ 60% cho … và
        # 40% cho …" (the second share follows the first's rule)
        self.joined_only = regex.compile(rf"[^;.\d]*(?:{joiner or '(?!x)x'})[^;.\d]*")
        self.date_word_before = regex.compile(
            rf"(?<!\w)(?:{'|'.join(regex.escape(fold(w)) for w in t.get('date_words', [])) or '(?!x)x'})\s*$"
        )
        self.year_mention = regex.compile(t.get("year_mention", r"(?!x)x"))
        weak = t.get("kind_result_outside_aims", {})
        self.weak_result_in_clause = (
            phrase_regex(fold(p) for p in weak.get("in_clause", [])),
            max((len(fold(p)) for p in weak.get("in_clause", [])), default=0),
        )
        self.weak_result_after = (
            phrase_regex(fold(p) for p in weak.get("after_figure", [])),
            max((len(fold(p)) for p in weak.get("after_figure", [])), default=0),
        )
        self.count_context = phrase_regex(fold(p) for p in t.get("count_context", []))
        self.annual_reach = max((len(fold(x)) for x in t.get("annual_phrases", [])), default=0)
        self.trailing = [fold(x) for x in t.get("indicator_trailing", [])]
        self.leading = [fold(x) for x in t.get("indicator_leading", [])]
        self.share_words = {fold(x) for x in t.get("indicator_share_words", [])}
        self.object_words = {fold(x) for x in t.get("indicator_object_words", [])}
        self.object_words_reach = max((len(w.split()) for w in self.object_words), default=1)
        self.tail_openers = [fold(x).split() for x in t.get("indicator_tail_openers", [])]
        self.head_cut = phrase_regex(t.get("indicator_head_cuts", []), regex.IGNORECASE)
        self.references = {fold(k): v for k, v in t.get("indicator_references", {}).items()}
        self.comparator_words = [p for _, phrases, _ in rules.comparators_after.entries for p in phrases]
        self.share_prefix = t.get("indicator_share_prefix", "tỷ lệ")
        bare = {fold(b) for b in rules.section("money").get("bare_units", [])}
        money_units = sorted(
            (sp for u in rules.section("money")["units"] for sp in u["spellings"] if fold(sp) not in bare),
            key=len,
            reverse=True,
        )
        # a figure inside the words before a percentage: an amount ("45.389 triệu đồng, đạt
        # 84,79%") or a ratio ("1.187/1.187 đạt tỷ lệ 100%"); not "5 tuổi" or "năm 2023"
        units_alt = "|".join(map(regex.escape, money_units))
        self.figure = regex.compile(
            rf"{RATIO.pattern}|(?<![\w/]){_NUM_POSSESSIVE}\s*+(?:{units_alt})(?!\w)"
            r"|(?<![\w/.,])\d{1,3}(?:\.\d{3})+(?![\w/.,])",
            regex.IGNORECASE,
        )
        self.tail_droppers = {fold(x) for x in t.get("indicator_tail_droppers", [])}
        # an indicator keeps its first max_words words; the words after a figure lose at
        # most a comparator's words and gain at most a reference's at their start
        self.tail_phrase_words = max((len(p.split()) for p in self.comparator_words), default=0) + max(
            (len(k.split()) for k in self.references), default=0
        )
        self.tail_word_slack = (
            max((len(p.split()) for p in self.comparator_words), default=0)
            + max((len(k.split()) for k in self.references), default=0)
            + max((len(v.split()) for v in self.references.values()), default=0)
        )
        self.sub_cut = phrase_regex(t.get("indicator_sub_markers", []), regex.IGNORECASE)
        self.max_head_words = int(t.get("indicator_max_head_words", 15))
        self.max_words = int(t.get("indicator_max_words", 25))
        self.stopwords = {fold(x) for x in t.get("indicator_stopwords", [])}
        self.multiword_stopwords = [s for s in sorted(self.stopwords, key=len, reverse=True) if " " in s]
        # the phrase lists the indicator's words are tested against, longest first
        self.trailing_order = _longest_first(self.trailing)
        self.leading_order = _longest_first(self.leading)
        self.object_words_order = _longest_first(self.object_words)
        self.comparator_words_order = _longest_first(self.comparator_words)
        self.references_order = _longest_first(self.references)
        self.periods = [regex.compile(p) for p in t.get("period_patterns", [])]
        # a period pattern that looks around its match or anchors it reads differently in
        # a slice than in the whole paragraph; those are searched in the slice
        self.periods_context_free = [
            not regex.search(r"\(\?<?[=!]|\\[bBAZG]|[$^]", p.pattern) for p in self.periods
        ]
        units = []
        self.measure_units = {e["unit"] for e in t["count_units"] if e.get("measure")}
        for entry in t["count_units"]:
            for noun in entry["nouns"]:
                units.append((noun, entry["unit"]))
        units.sort(key=lambda u: len(u[0]), reverse=True)
        self.count_units = dict((fold(n), u) for n, u in units)
        mult = t.get("multipliers", {})
        self.multipliers = {fold(k): v for k, v in mult.items()}
        noun_alt = "|".join(regex.escape(n) for n, _ in units)
        mult_alt = "|".join(regex.escape(k) for k in mult)
        self.count = regex.compile(
            rf"(?<![\w.,/%-])(?P<num>{_NUM_POSSESSIVE})(?:\s*+(?P<mult>{mult_alt})\s++|\s++)(?P<noun>{noun_alt})(?!\w)",
            regex.IGNORECASE,
        )
        self.prefilter = True  # False: every paragraph read in full (tests compare the two)

    @property
    def figure_patterns(self) -> tuple[regex.Pattern, ...]:
        """The patterns a target of a paragraph is a match of: each opens its number with a
        digit, so a paragraph without one holds no target (tests/test_prefilter.py)."""
        return (PERCENT, RATIO, self.count)

    # ------------------------------------------------------------------------------------
    def find(
        self, block: Block, section: Section | None, reference_year: int | None = None, reports: bool = False
    ) -> list[Target]:
        """The figures of BLOCK. REFERENCE_YEAR is the document's own year (its issue date's,
        else the latest it names): a sentence about an earlier year reports results. REPORTS:
        the document reports (a news page, a report), so a figure no word marks as an aim or a
        rule is a result; in a plan it is an aim."""
        text = block.text
        if self.prefilter and _DIGIT.search(text) is None:
            return []  # every figure pattern needs a digit
        scan = _Scan(text, self, reference_year, reports)
        out: list[Target] = []
        for m in PERCENT.finditer(text):
            lo_raw, raw = m["lo"], m["num"]
            num = parse_vn_number(raw, decimal_point_ok=True)
            if num.value is None:
                continue
            value, value_max = num.value, None
            comparator = None
            if lo_raw:
                lo = parse_vn_number(lo_raw, decimal_point_ok=True)
                if lo.value is None or lo.value >= num.value:
                    # "2023-50%" or a list, not a range: read the second number alone
                    start = m.start("num")
                else:
                    value, value_max, comparator = lo.value, num.value, "range"
                    start = m.start("lo")
            else:
                start = m.start("num")
            if _is_date_or_code(text, start):
                continue
            out.append(
                self._build(
                    scan,
                    block,
                    section,
                    start,
                    m.end(),
                    value,
                    value_max,
                    "percent",
                    comparator,
                    out,
                    decimals=num.decimals,
                )
            )
        role = section.role if section else None
        # counts and ratios are looked for in an aim's words, a count's context or an aims or
        # results part; a paragraph where neither pattern matches holds none whatever its
        # words (it is not folded for them)
        if (RATIO.search(text) is not None or self.count.search(text) is not None) and (
            role in ("objectives", "results")
            or self.kind_phrases["target"].search(scan.folded_text)
            or self.count_context.search(scan.folded_text)
        ):
            out.extend(self._counts(scan, block, section, out))
        return out

    def _counts(
        self, scan: "_Scan", block: Block, section: Section | None, percents: list[Target]
    ) -> list[Target]:
        text = block.text
        out: list[Target] = []
        taken = [_Spans([(t.start, t.end) for t in percents])]
        ratios = []
        for m in RATIO.finditer(text):
            a = parse_vn_number(m["a"], decimal_point_ok=False)
            b = parse_vn_number(m["b"], decimal_point_ok=False)
            if a.value is None or b.value is None or b.value == 0 or a.value > b.value * 1.5:
                continue
            if _SLASH_DIGIT.match(text[m.end() : m.end() + 3]) or _is_date_or_code(text, m.start()):
                continue
            if self._is_date_pair(text, m, a.value, b.value):
                continue
            unit = (m["ua"] or m["ub"] or "ratio").lower()
            t = self._build(scan, block, section, m.start(), m.end(), a.value, None, unit, "eq", out)
            t.numerator, t.denominator = a.value, b.value
            out.append(t)
            ratios.append((m.start(), m.end()))
        taken.append(_Spans(ratios))
        for m in self.count.finditer(text):
            if any(spans.holds(m.start()) for spans in taken):
                continue
            num = parse_vn_number(m["num"])
            if num.value is None:
                continue
            value = num.value * self.multipliers.get(fold(m["mult"] or ""), 1)
            unit = self.count_units.get(fold(m["noun"]), "count")
            counted = f'targets.yaml count_units[{unit}] "{m["noun"]}"'
            out.append(
                self._build(
                    scan,
                    block,
                    section,
                    m.start(),
                    m.end(),
                    value,
                    None,
                    unit,
                    None,
                    out,
                    noun=None if unit in self.measure_units else m["noun"],
                )
            )
            out[-1].rules["unit"] = counted
        return out

    def _is_date_pair(self, text: str, m: regex.Match, a: float, b: float) -> bool:
        """ "tháng 01/2025", "ngày 05/06", "11/2025": a month or a day, not a ratio."""
        if self.date_word_before.search(fold(text[max(0, m.start() - 12) : m.start()])):
            return True
        if 1900 <= b <= 2100 and 1 <= a <= 12:
            return True
        return bool(_DAY.fullmatch(m["a"].strip()) and _MONTH.fullmatch(m["b"].strip()))

    def _build(
        self,
        scan: "_Scan",
        block: Block,
        section: Section | None,
        start: int,
        end: int,
        value: float,
        value_max: float | None,
        unit: str,
        comparator: str | None,
        earlier: list[Target],
        decimals: int = 0,
        noun: str | None = None,
    ) -> Target:
        text = block.text
        clause_start = scan.clause_start(start)
        prev = earlier[-1] if earlier else None
        # the folded words of the clause before the figure: only their end is read, and
        # whether a norm phrase is among them
        change = None
        rules: dict[str, str] = {}
        if comparator is None:
            said = self._comparator(scan, clause_start, start, fold(text[end : end + 20]))
            comparator = said.value
            if comparator in ("gt", "lt"):
                # "vượt 8,4% so dự toán", "cao hơn 3,7%": a change by that much, not a bound
                before, _ = scan.folded.suffix(clause_start, start, self.comparator_reach + 2)
                change = next((value for value, pattern in self.change_end if pattern.search(before)), None)
                if change is not None:
                    comparator = "eq"
                    said = Hit("eq", f"targets.yaml comparator_changes[{change}]")
            if said.rule:
                rules["comparator" if change is None else "direction"] = said.rule
        # the verb may stand before a colon ("Giảm tỷ lệ suy dinh dưỡng: 0,3% …") but not
        # before an earlier figure or a semicolon
        verb_start = max(scan.scope_cuts.last_end(start), prev.end if prev and prev.end <= start else 0)
        verb_words = self.direction_not.sub(
            lambda m: " " * len(m.group()), scan.folded.fold(verb_start, start)
        )
        direction_hit = self.rules.direction.last_hit(verb_words)
        direction = change or (direction_hit[0] if direction_hit else None)
        if direction_hit and not change:
            fired = self.rules.direction.last_rule(verb_words)
            if fired is not None:
                rules["direction"] = fired.rule
        # the verb stands right before the figure ("tỷ lệ hộ nghèo giảm khoảng 2%")
        verb_last = change is not None or (
            direction_hit is not None and len(verb_words[direction_hit[1] :].split()) <= VERB_LAST_WORDS
        )
        if (
            prev is not None
            and direction is None
            and prev.unit == unit
            and self._carries(prev, text[prev.end : start])
        ):
            direction, verb_last = prev.direction, prev.verb_last
            if "direction" in prev.rules:
                rules["direction"] = inherited_rule(prev.rules["direction"])
            if comparator == "eq" and prev.comparator not in ("range", "eq"):
                comparator = prev.comparator
                if "comparator" in prev.rules:
                    rules["comparator"] = inherited_rule(prev.rules["comparator"])
        sentence = scan.sentence(start)
        kind = self._kind(scan, sentence, clause_start, start, end, section)
        if (
            kind != "norm"
            and prev is not None
            and prev.kind == "norm"
            and sentence is scan.sentence(prev.start)
            and self.joined_only.fullmatch(text[prev.end : start])
        ):
            kind = "norm"
        same_clause = prev if prev is not None and clause_start <= prev.start and prev.end <= start else None
        indicator, head, tail_end = self._indicator(scan, clause_start, start, end, same_clause, unit, noun)
        own_clause_end = scan.own_clause_end(end)
        return Target(
            block,
            start,
            end,
            value,
            value_max,
            unit,
            comparator,
            direction,
            kind,
            indicator,
            self.indicator_key(indicator),
            self._year(scan, end, own_clause_end) or sentence.year,
            section=section,
            number_decimals=decimals,
            head=head,
            tail_end=tail_end,
            program=scan.program_at(start, prev.end if prev is not None and prev.end <= start else None),
            verb_last=verb_last,
            program_carried=sentence.carried,
            program_hint=sentence.hint,
            rules=rules,
        )

    def _carries(self, prev: Target, between: str) -> bool:
        """Does the figure before (PREV) lend its verb and comparator across BETWEEN? "giảm
        80% … và 85% …" share one verb; not when the second has its own ("giảm 5,2%, còn
        18,6%", "…, tỷ lệ giải ngân đạt 100%"), nor when a verb that followed its subject
        ("Tỷ lệ hộ nghèo giảm khoảng 2%") meets a new subject ("…, tỷ lệ hộ cận nghèo 5%")."""
        folded = fold(between)
        return (
            ";" not in between
            and not sentence_break(between)
            and self.carry_joiners.search(between) is not None
            and not _DIGIT_SLASH_DIGIT.search(between)
            and not self.carry_stops.search(folded)
            and not (prev.verb_last and self.carry_subjects.search(folded))
        )

    def _comparator(self, scan: "_Scan", clause_start: int, start: int, folded_after: str) -> Hit:
        """The comparator and the rule that gave it (none for "eq", the default)."""
        after = self.rules.comparators_after
        for i, (value, _, pattern) in enumerate(after.entries):
            m = pattern.search(folded_after)
            if m and not folded_after[: m.start()].strip():
                return Hit(value, after.rule(i, m.group()))
        # a comparator ends the folded words before the figure: their last characters
        # hold it, with one more as the context of its first
        before, whole = scan.folded.suffix(clause_start, start, self.comparator_reach + 2)
        table = self.rules.comparators
        for i, (value, pattern) in enumerate(self.comparator_end):
            m = pattern.search(before, 0 if whole else 1)
            if m:
                phrase = table.entries[i][2].search(m.group())
                return Hit(value, table.rule(i, phrase.group() if phrase else m.group()))
        return Hit("eq", "")

    def _in_clause(self, scan: "_Scan", kind: str, a: int, b: int) -> bool:
        entry = self.kind_in_clause.get(kind)
        return entry is not None and a < b and scan.folded.contains(entry[0], entry[1], a, b)

    def _after_figure(self, scan: "_Scan", kind: str, end: int) -> bool:
        entry = self.kind_after_figure.get(kind)
        if entry is None:
            return False
        b = scan.own_clause_end(end)
        return end < b and scan.folded.contains(entry[0], entry[1], end, b)

    def _kind(
        self,
        scan: "_Scan",
        sentence: "_Sentence",
        clause_start: int,
        start: int,
        end: int,
        section: Section | None,
    ) -> str:
        """The figure's kind: from its clause's own words first, then its section's role, its
        tense, its time, its sentence's words and the kind of document."""
        own = self._kind_of_clause(scan, clause_start, start, end)
        if own is not None:
            return own
        role = _aim_or_results_role(section)
        if role == "results":
            return "result"
        # tense: "đã giải ngân đạt 93,1%", "tăng 6,4% so cùng kỳ" (an aims section reports
        # its starting point this way too)
        if self._in_clause(scan, "result", clause_start, start) or self._after_figure(scan, "result", end):
            return "result"
        if role == "objectives":
            return "target"
        if self._reports_outside_aims(scan, clause_start, start, end):
            return "result"
        if sentence.has("norm"):
            return "norm"
        if sentence.has("result") and not sentence.has("target"):
            return "result"
        if scan.reports and not sentence.has("target"):
            return "result"  # a news report: what no word marks as an aim has been done
        return "target"

    def _kind_of_clause(self, scan: "_Scan", clause_start: int, start: int, end: int) -> str | None:
        """The kind the clause's own words decide whatever the section: a rule ("dự phòng",
        "ngân sách tỉnh hỗ trợ 70%", "… dưới 30% … sẽ bị điều chuyển"), a benefit rate, an
        aim ("phấn đấu …", "Mục tiêu: hỗ trợ …", a deadline ahead)."""
        if scan.folded.contains(self.kind_phrases["norm"], self.kind_reach["norm"], clause_start, start):
            return "norm"
        if "other" in self.kind_phrases and self.kind_phrases["other"].search(
            scan.folded.suffix(clause_start, start, 40)[0]
        ):
            return "other"
        scope_start = scan.scope_cuts.last_end(start)
        if self._in_clause(scan, "target", scope_start, start) or self._deadline_aim(
            scan, scope_start, clause_start, start
        ):
            return "target"
        if self._in_clause(scan, "norm", clause_start, start) or self._after_figure(scan, "norm", end):
            return "norm"
        return None

    def _reports_outside_aims(self, scan: "_Scan", clause_start: int, start: int, end: int) -> bool:
        """Weaker result words ("còn", "vượt", "so với năm …"), a sentence about a year before
        the document's ("Năm 2024, …" in a 2025 text; "Riêng …" after it) or a deadline
        before it ("tính đến ngày 31/12/2024")."""
        if start > clause_start and scan.folded.contains(*self.weak_result_in_clause, clause_start, start):
            return True
        after_end = scan.own_clause_end(end)
        if after_end > end and scan.folded.contains(*self.weak_result_after, end, after_end):
            return True
        if scan.reference_year is not None:
            year = scan.sentence_year(start)
            if year is not None and year < scan.reference_year:
                return True
        # "Tính đến ngày 31/12/2024, …" in a 2025 text: a deadline passed
        return scan.past_deadline(scan.scope_cuts.last_end(start), start)

    def _deadline_aim(self, scan: "_Scan", scope_start: int, clause_start: int, start: int) -> bool:
        """A deadline in the figure's scope ("đến hết năm 2025") that makes it an aim: not one
        whose year is before the document's, and not in a clause that reports ("lũy kế đến
        hết năm 2024 đã giải ngân …")."""
        return (
            scan.folded.contains(self.deadline, self.deadline_reach, scope_start, start)
            and not scan.past_deadline(scope_start, start)
            and not self._in_clause(scan, "result", clause_start, start)
        )

    def _indicator(
        self,
        scan: "_Scan",
        clause_start: int,
        start: int,
        end: int,
        prev: Target | None,
        unit: str,
        noun: str | None,
    ) -> tuple[str, str, int]:
        """(indicator, its head, where its tail ends). The head is what the words before the
        figure say is measured; the tail, the words after it ("so với kế hoạch", "hộ nghèo A"
        after "giảm 80%"). PREV is an earlier figure of the same clause."""
        text = scan.text
        own_from = max(clause_start, min(prev.tail_end, start)) if prev else clause_start
        head = self._head(text[own_from:start])
        tail, tail_end = self._tail(scan, end)
        tail_words = fold(tail).split()
        qualified = any(tail_words[: len(o)] == o for o in self.tail_openers)
        if prev is not None and prev.head and (not head.text or head.sub):
            # "giảm 0,3% đối với … và 0,1% đối với …" shares the head; "X đạt 84,5%, trong
            # đó Y đạt 51,33%" names a part of X
            head = head._replace(text=f"{prev.head}, {head.text}" if head.text else prev.head, share=False)
        elif prev is not None and not head.text and not tail:
            # "100% người … được hỗ trợ mua bảo hiểm y tế miễn phí 100%": the words between
            # the two figures name what the second measures
            head = self._head(text[prev.end : start])
        elif (
            not head.text and clause_start > 0 and text[clause_start - 1] in ":(" and (qualified or not tail)
        ):
            # "Giải ngân vốn đầu tư: 45.389 triệu đồng, đạt 84,79% KH", "552 phòng kiên cố (81,5%)":
            # the percentage is the share of what the label before names
            label = self._head(text[scan.clause_start(clause_start - 1) : clause_start - 1])
            head = label._replace(share=head.share or label.share or head.had_figure or label.had_figure)
        wants_tail = len(head.text.split()) < 3 or head.wants_object or qualified
        phrase = f"{head.text} {tail}" if wants_tail else head.text
        if noun:
            # a count names what it counts: "06 xã đạt chuẩn nông thôn mới" → "xã đạt chuẩn …"
            phrase = f"{noun} {tail}" if tail else f"{head.text} {noun}"
        if head.share and unit == "percent" and fold(phrase).split()[:2] != fold(self.share_prefix).split():
            phrase = f"{self.share_prefix} {phrase}"
        return " ".join(phrase.split()[: self.max_words]).strip(" ,:;"), head.text, tail_end

    def _head(self, raw: str) -> _Head:
        """What the words before a figure say is measured."""
        raw = raw[_last_cut(self.head_cut, raw, len(raw)) :]  # after "để", "nhằm"
        sub_from = _last_cut(self.sub_cut, raw, len(raw))  # "677 phòng học, trong đó 552 phòng kiên cố"
        sub, raw = sub_from > 0, raw[sub_from:]
        raw = _BRACKETED.sub(" ", self._strip_label(raw.strip(" :-+*•–")))
        stripped = self.figure.sub(" ", raw)
        had_figure = stripped != raw
        # trim by words: folded words are longer than the written ones (tone digits)
        tokens = [t for t in stripped.split() if _WORD_CHAR.search(t)]
        if tokens and _NUM_ALONE.fullmatch(tokens[0]):
            tokens, had_figure = tokens[1:], True  # the count a share is of: "552 phòng kiên cố (81,5%)"
        share = wants_object = False
        folded = [fold(t.strip(",:")) for t in tokens]  # once: the loop only shortens them
        kept = len(tokens)
        while kept and (hit := _phrase_ending(folded, kept, self.trailing_order)):
            share = share or hit in self.share_words
            wants_object = wants_object or hit in self.object_words
            kept -= len(hit.split())
        tokens = tokens[:kept]
        if hit := _phrase_at(folded[:kept], self.leading_order):
            tokens = tokens[len(hit.split()) :]
        tokens = tokens[-self.max_head_words :]
        last = [fold(t.strip(",:")) for t in tokens[-self.object_words_reach :]]
        if tokens and (
            _phrase_ending(last, len(last), self.object_words_order)
            or self.rules.direction.last_hit(last[-1])
        ):
            # "giảm 80% hộ nghèo A", "ngân sách tỉnh hỗ trợ 70% lãi suất vốn vay": the
            # figure's object follows it
            wants_object = True
        return _Head(" ".join(tokens).strip(" ,:;"), share, had_figure, wants_object, sub)

    def _tail(self, scan: "_Scan", end: int) -> tuple[str, int]:
        """The words after a figure up to the next clause or figure; a short parenthetical
        aside ("(câu lạc bộ)") does not end it. Only the words an indicator can keep are
        returned (its first max_words, after what a reference adds or a comparator takes)."""
        text = scan.text
        pos = end
        while True:
            stop = scan.next_stop(pos)
            if stop is None:
                stop_at = len(text)
                break
            stop_at = stop.start()
            aside = _ASIDE.match(text, stop_at)
            first, last = _strip_span(text, end, stop_at, " ,:")
            if stop.group() != "(" or aside is None or first >= last:
                break
            pos = aside.end()
        first, last = _strip_span(text, end, stop_at, " ,:", scan.stripped_ends)
        words, complete = _first_words(text, first, last, self.max_words + self.tail_word_slack)
        if not complete:
            # words ending the text that a tail drops ("và") reach back into the kept ones
            # only when every later word is one of them
            kept_until = scan.last_kept_word_end(last, self.tail_droppers)
            if kept_until <= words[-1][1]:
                words, complete = _first_words(text, first, kept_until, len(words))[0], True
        words_text = [text[a:b] for a, b in words]
        # the phrases below are looked for at the start only
        folded = [fold(_NOT_WORD_OR_SLASH.sub("", w)) for w in words_text[: self.tail_phrase_words]]
        if hit := _phrase_at(folded, self.comparator_words_order):  # "từ 2% trở lên": not what is measured
            words_text, folded = words_text[len(hit.split()) :], folded[len(hit.split()) :]
        if hit := _phrase_at(folded, self.references_order):  # "đạt 49% KH" → "so với kế hoạch"
            words_text = self.references[hit].split() + words_text[len(hit.split()) :]
        if complete:
            while words_text and fold(words_text[-1].strip(",")) in self.tail_droppers:
                words_text = words_text[:-1]
            return " ".join(words_text).strip(" ,:()"), stop_at
        return " ".join(words_text).lstrip(" ,:()"), stop_at

    def _strip_label(self, text: str) -> str:
        """Drop a list label ("a)", "1.", "-") that opens the clause."""
        label = match_label(text, self.rules)
        return text[label.end :] if label else text

    def indicator_key(self, indicator: str) -> str:
        words = _WORDS.findall(fold(indicator))
        stop = self.stopwords
        joined = " " + " ".join(words) + " "
        for s in self.multiword_stopwords:
            joined = joined.replace(" " + s + " ", " ")
        kept = [w for w in joined.split() if w not in stop and not w.isdigit()]
        return strip_diacritics(" ".join(kept))

    def _year(self, scan: "_Scan", a: int, b: int) -> str | None:
        """The period written in text[a:b]: a year, a range of years or per_year."""
        for i in range(len(self.periods)):
            m = scan.first_period(i, a, b)
            if m:
                y1 = m.groupdict().get("y1")
                y2 = m.groupdict().get("y2")
                return f"{y1}-{y2}" if y2 else y1
        if scan.folded.contains(self.annual, self.annual_reach, a, b):
            return "per_year"
        return None


# Where the clause of a figure starts (its indicator and comparator are in it), and the
# wider scope its verb may stand in: a colon ends a clause, not a verb's reach.
_CLAUSE_CUT = regex.compile(r"[;:(]|[.!?]\s+|(?<!\d)\s[-–]\s(?!\d)")  # not "2021 - 2025"
_SCOPE_CUT = regex.compile(r"[;(]|[.!?]\s+")
# a short bracketed aside without figures, which an indicator phrase runs through
_ASIDE = regex.compile(r"\([^()\d]{1,40}\)")


_Phrases = tuple[tuple[str, list[str]], ...]


def _longest_first(phrases: Iterable[str]) -> _Phrases:
    """PHRASES (folded), longest first, each with its words: the order the phrase tests
    below try them in, made once."""
    return tuple((phrase, phrase.split()) for phrase in sorted(phrases, key=len, reverse=True))


def _phrase_at(folded_words: list[str], phrases: _Phrases, end: bool = False) -> str | None:
    """The longest of PHRASES (folded) that the words open with (close with, when END)."""
    for phrase, words in phrases:
        n = len(words)
        if n <= len(folded_words) and (folded_words[-n:] if end else folded_words[:n]) == words:
            return phrase
    return None


def _phrase_ending(folded_words: list[str], kept: int, phrases: _Phrases) -> str | None:
    """_phrase_at(folded_words[:kept], phrases, end=True), without copying the words."""
    for phrase, words in phrases:
        if len(words) <= kept and folded_words[kept - len(words) : kept] == words:
            return phrase
    return None


def _last_cut(pattern: regex.Pattern, text: str, pos: int) -> int:
    """The end of the last match of PATTERN before POS (0 when none)."""
    return max((m.end() for m in pattern.finditer(text[:pos])), default=0)


def _strip_span(
    text: str, a: int, b: int, chars: str, known_ends: dict[int, int] | None = None
) -> tuple[int, int]:
    """(first, last) with text[first:last] == text[a:b].strip(CHARS). KNOWN_ENDS caches,
    per B, where the run of CHARS ending at B starts (figures sharing a stop share it)."""
    first = a
    while first < b and text[first] in chars:
        first += 1
    if known_ends is not None and b in known_ends:
        last = known_ends[b]
    else:
        last = b
        while last > 0 and text[last - 1] in chars:
            last -= 1
        if known_ends is not None:
            known_ends[b] = last
    return first, max(first, last)


_STRIPPED_FROM_TAIL = " ,:()"  # what an indicator's tail loses at its ends


def _first_words(text: str, a: int, b: int, limit: int) -> tuple[list[tuple[int, int]], bool]:
    """The spans of the words of text[a:b].split() (str.split's white space), up to LIMIT
    words that are more than brackets and punctuation and the one after; and whether that
    is all of them."""
    spans: list[tuple[int, int]] = []
    kept = 0
    for m in _STD_WORD.finditer(text, a, b):
        spans.append(m.span())
        if m.group().strip(_STRIPPED_FROM_TAIL):
            kept += 1
            if kept > limit:
                return spans, False
    return spans, True


_STD_WORD = _std_re.compile(r"\S+")  # str.split()'s words


@dataclass(frozen=True)
class _Spans:
    """Non-overlapping spans in text order: which of them holds a position."""

    spans: list[tuple[int, int]]

    def holds(self, pos: int) -> bool:
        i = bisect.bisect_right(self.spans, (pos, float("inf"))) - 1
        return i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]


@dataclass
class _Sentence:
    """A sentence of the paragraph (from a break to its end), folded once for all the
    figures in it: which kind phrases it holds, and its period."""

    flags: dict[str, bool]
    year: str | None
    start: int = 0
    named: frozenset[str] = frozenset()  # the programs the sentence names
    program: str | None = None  # the only one it names ("Đối với Chương trình 1719, …")
    carried: str | None = None  # naming none: the program of the paragraph's sentences before
    hint: str | None = None  # naming none: the one program whose name alone stands in it
    order: tuple[str, ...] = ()  # the programs it names, in the order named

    def has(self, kind: str) -> bool:
        return self.flags[kind]


# A direction verb at most this many words before its figure stands right before it.
VERB_LAST_WORDS = 2
# How far into a sentence "lần lượt" (respectively) pairs its figures with its programs.
RESPECTIVE_REACH = 600
_PERCENT_FOLDED = regex.compile(r"\d++(?:[.,]\d++)*+\s*+%")
# How many sentences back a year carries through openers like "Riêng", "Trong đó".
YEAR_CARRY_STEPS = 3
_SENTENCE_START = regex.compile(r"[.!?]\s+(?=\p{Lu})")
_SENTENCE_END = regex.compile(r"[.!?](?:\s+\p{Lu}|\s*$)")
_OWN_CLAUSE_END = regex.compile(r"[;.]\s|\d\s*%")


class _Scan:
    """One paragraph as the target finder reads it, each kind of search done once: the
    folded text, the clause and sentence boundaries, the stops after figures, the period
    phrases. The answers are those of searching the slices (see textindex, FoldedText)."""

    def __init__(
        self, text: str, finder: "TargetFinder", reference_year: int | None = None, reports: bool = False
    ):
        self.text = text
        self.finder = finder
        self.reference_year = reference_year
        self.reports = reports
        self.stripped_ends: dict[int, int] = {}
        self._sentences: dict[tuple[int, int], _Sentence] = {}
        self._kept_word_ends: dict[int, int] = {}

    # each index is made when first asked for: most paragraphs hold no figure at all
    @cached_property
    def folded(self) -> FoldedText:
        return FoldedText(self.text)

    @cached_property
    def folded_text(self) -> str:
        """fold(text), taken from the index when that is made already."""
        if "folded" in self.__dict__ and self.folded.exact:
            return self.folded.folded
        return fold(self.text)

    # a failed attempt of these reads at most 4 (clause) and 2 (scope, sentence) characters
    @cached_property
    def clause_cuts(self) -> PrefixMatches:
        return PrefixMatches(_CLAUSE_CUT, self.text, read_ahead=5)

    @cached_property
    def scope_cuts(self) -> PrefixMatches:
        return PrefixMatches(_SCOPE_CUT, self.text, read_ahead=3)

    @cached_property
    def sentence_starts(self) -> PrefixMatches:
        return PrefixMatches(_SENTENCE_START, self.text, read_ahead=3)

    @cached_property
    def sentence_ends(self) -> MatchIndex:
        return MatchIndex(_SENTENCE_END, self.text)

    @cached_property
    def own_clause_ends(self) -> MatchIndex:
        return MatchIndex(_OWN_CLAUSE_END, self.text)

    @cached_property
    def stops(self) -> MatchIndex:
        return MatchIndex(self.finder.after_stop_from_number_start, self.text)

    @cached_property
    def periods(self) -> list[MatchIndex | None]:
        return [
            MatchIndex(p, self.text) if free else None
            for p, free in zip(self.finder.periods, self.finder.periods_context_free, strict=True)
        ]

    @cached_property
    def closes(self) -> list[int]:
        return [i for i, ch in enumerate(self.text) if ch == ")"]

    @cached_property
    def _brackets(self) -> list[int]:
        return [k for k, m in enumerate(self.clause_cuts.matches) if m.group() == "("]

    @cached_property
    def _others(self) -> list[int]:
        return [k for k, m in enumerate(self.clause_cuts.matches) if m.group() != "("]

    def clause_start(self, pos: int) -> int:
        """Where the clause of the figure at POS starts: after the last clause cut before
        it, but not after an opening bracket closed before POS ("đội văn nghệ (câu lạc
        bộ) … chiếm 38%")."""
        n, tail = self.clause_cuts.before(pos)
        for m in reversed(tail):
            if not (m.group() == "(" and self._closed_before(m.end(), pos)):
                return m.end()
        # among the cuts before the tail: the last that is not a bracket, and the last
        # bracket if it is still open at POS (the next closing bracket comes later for a
        # later bracket, so if the last one is closed, all are)
        ends = self.clause_cuts.ends
        cut = 0
        i = bisect.bisect_left(self._others, n) - 1
        if i >= 0:
            cut = ends[self._others[i]]
        i = bisect.bisect_left(self._brackets, n) - 1
        if i >= 0 and not self._closed_before(ends[self._brackets[i]], pos):
            cut = max(cut, ends[self._brackets[i]])
        return cut

    def _closed_before(self, a: int, b: int) -> bool:
        """True when a ")" stands in text[a:b]."""
        i = bisect.bisect_left(self.closes, a)
        return i < len(self.closes) and self.closes[i] < b

    def _sentence_key(self, pos: int) -> tuple[int, int]:
        start = self.sentence_starts.last_end(pos)
        m = self.sentence_ends.search(pos)
        return start, m.start() + 1 if m else len(self.text)

    def _make_sentence(self, start: int, end: int) -> _Sentence:
        f = self.finder
        folded = self.folded.fold(start, end)
        flags = {k: p.search(folded) is not None for k, p in f.kind_phrases.items()}
        order = tuple(dict.fromkeys(program_of(m) for m in f.program_named.finditer(folded)))
        named = frozenset(order)
        alone = {code for code, pattern in f.program_alone if pattern.search(folded)} if not named else set()
        return _Sentence(
            flags,
            f._year(self, start, end),
            start,
            named,
            next(iter(named)) if len(named) == 1 else None,
            hint=alone.pop() if len(alone) == 1 else None,
            order=order,
        )

    def sentence(self, pos: int) -> _Sentence:
        """The sentence of POS. One that names no program goes on with the paragraph's: it
        carries the program of the last sentence before it that names one ("Năm 2025,
        Chương trình 1719 tập trung …. Tỷ lệ hộ nghèo … giảm trên 3,5%")."""
        key = self._sentence_key(pos)
        if key in self._sentences:
            return self._sentences[key]
        made: list[tuple[tuple[int, int], _Sentence]] = []  # from this sentence back
        carried = None
        while True:
            if key in self._sentences:
                known = self._sentences[key]
                carried = known.program if known.named else known.carried
                break
            sentence = self._make_sentence(*key)
            made.append((key, sentence))
            if sentence.named or key[0] == 0:
                break
            key = self._sentence_key(self.sentence_starts.last_end(key[0] - 1))
        for k, sentence in reversed(made):
            if sentence.named:
                carried = sentence.program
            else:
                sentence.carried = carried
            self._sentences[k] = sentence
        return made[0][1]

    def program_at(self, pos: int, prev_end: int | None) -> str | None:
        """The program the words of the figure at POS name: the one its sentence names; when
        that names several, the one named between the figure before it (PREV_END) or the
        sentence's start and it ("…, Chương trình 1719 đạt 80%" in a sentence giving each
        program its figure), none when that stretch names several too ("Chương trình nông
        thôn mới và Chương trình giảm nghèo bền vững giải ngân đạt 88,6%")."""
        sentence = self.sentence(pos)
        if len(sentence.named) <= 1:
            return sentence.program
        a = max(sentence.start, prev_end or 0)
        named = {program_of(m) for m in self.finder.program_named.finditer(self.folded.fold(a, pos))}
        if len(named) == 1:
            return named.pop()
        return self._respective(sentence, pos)

    def _respective(self, sentence: _Sentence, pos: int) -> str | None:
        """ "Chương trình nông thôn mới, Chương trình giảm nghèo bền vững và Chương trình 1719
        lần lượt đạt 90%, 85% và 80%": the k-th figure after "lần lượt" (respectively) is the
        k-th program's. Only in a short sentence (a long one is read no further)."""
        if pos - sentence.start > RESPECTIVE_REACH:
            return None
        before = self.folded.fold(sentence.start, pos)
        hits = list(self.finder.respectively.finditer(before))
        if not hits or self.finder.program_named.search(before, hits[-1].end()):
            return None
        k = len(_PERCENT_FOLDED.findall(before, hits[-1].end()))
        return sentence.order[k] if k < len(sentence.order) else None

    @cached_property
    def deadline_years(self) -> MatchIndex:
        return MatchIndex(self.finder.deadline_year, self.text)

    def past_deadline(self, a: int, b: int) -> bool:
        """A deadline in text[a:b] whose year is before the document's ("lũy kế đến hết năm
        2024" in a 2025 text): it reports, it does not aim."""
        if self.reference_year is None:
            return False
        m = self.deadline_years.search(a)
        while m is not None and m.start() < b:
            if int(m["y"]) < self.reference_year:
                return True
            m = self.deadline_years.search(m.start() + 1)
        return False

    @cached_property
    def year_mentions(self) -> MatchIndex:
        return MatchIndex(self.finder.year_mention, self.text)

    def sentence_year(self, pos: int) -> int | None:
        """The year named ("năm 2024") in the sentence of POS before it; in a sentence that
        goes on with the one before ("Riêng tại 4 huyện nghèo, …"), that one's."""
        start = self.sentence_starts.last_end(pos)
        m = self.year_mentions.search(start)
        if m is not None and m.end() <= pos:
            return int(m["y"])
        # a chain of such sentences is followed back a few steps at most
        for _ in range(YEAR_CARRY_STEPS):
            if start == 0 or not self.finder.year_carry.match(self.folded.fold(start, min(pos, start + 40))):
                return None
            pos, start = start, self.sentence_starts.last_end(start - 1)
            m = self.year_mentions.search(start)
            if m is not None and m.end() <= pos:
                return int(m["y"])
        return None

    def own_clause_end(self, end: int) -> int:
        """From a figure to the next figure or clause end: where its own period is written."""
        m = self.own_clause_ends.search(end)
        return m.start() if m else len(self.text)

    def next_stop(self, pos: int) -> regex.Match | None:
        """after_stop.search(text, pos). A percentage inside a run of digits matches from
        every digit of it or from none, so past POS only its first digit is tried."""
        here = self.finder.after_stop.match(self.text, pos)
        return here if here is not None else self.stops.search(pos)

    def first_period(self, i: int, a: int, b: int) -> regex.Match | None:
        """finder.periods[i].search(text[a:b]), as a match on the whole text."""
        pattern, index = self.finder.periods[i], self.periods[i]
        if index is None:
            return pattern.search(self.text[a:b])
        m = index.search(a)
        if m is None or m.start() >= b:
            return None
        if m.end() <= b:
            return m
        # the first match runs past B: a shorter one may end before it
        return pattern.search(self.text, m.start(), b)

    def last_kept_word_end(self, b: int, droppers: set[str]) -> int:
        """Where the last word of text[:b] that a tail does not drop ends (0 when none)."""
        if b not in self._kept_word_ends:
            text, pos = self.text, b
            while True:
                while pos > 0 and text[pos - 1].isspace():
                    pos -= 1
                word_end = pos
                while pos > 0 and not text[pos - 1].isspace():
                    pos -= 1
                if word_end == 0 or fold(text[pos:word_end].strip(",")) not in droppers:
                    self._kept_word_ends[b] = word_end
                    break
        return self._kept_word_ends[b]


def _aim_or_results_role(section: Section | None) -> str | None:
    """The role of the nearest enclosing part that is about results or objectives."""
    node = section
    while node is not None:
        if node.role in ("results", "objectives"):
            return node.role
        node = node.parent
    return None


def _escaped(phrases: Iterable[str]) -> list[str]:
    """The phrases as regex literals whose spaces stay plain spaces."""
    return [regex.escape(p).replace("\\ ", " ") for p in phrases]


def _alternation(phrases: Iterable[str]) -> str:
    """An alternation of the phrases as literals, longest first; one that never matches when
    there are none."""
    return "|".join(regex.escape(p) for p in sorted(set(phrases), key=len, reverse=True)) or r"(?!x)x"


def _is_date_or_code(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start]
    return bool(_SLASH_OR_DASH_AT_END.search(before)) and bool(_DIGIT.search(before))
