"""Indicator figures: every percentage, and counts, areas, tonnages and money per head
stated as a target or a result, with comparator, range, direction, kind, indicator and
period. Vocabulary: rules/targets.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import regex

from .document import Block
from .nlp import sentence_break
from .rules import phrase_regex
from .sections import Section, match_label
from .textnorm import fold, strip_diacritics
from .vnnumbers import parse_vn_number

_NUM = r"\d+(?:[.,]\d+)*"
PERCENT = regex.compile(
    rf"(?:(?P<lo>{_NUM})\s*%?\s*(?:-|–|đến|tới)\s*)?(?P<num>{_NUM})\s*%"
)
RATIO = regex.compile(
    rf"(?<![\d/.,])(?P<a>{_NUM})\s*(?P<ua>km|ha)?\s*/\s*(?P<b>{_NUM})\s*(?P<ub>km|ha)?(?![\d/])"
)


class _Head(NamedTuple):
    text: str           # the measured thing the words before a figure name
    share: bool         # a share word ("tỷ lệ") or a figure of its own stood before it
    had_figure: bool    # the words held an amount or count ("45.389 triệu đồng, đạt 84,79%")
    wants_object: bool  # they end in a verb or preposition whose object follows the figure
    sub: bool           # they open with "trong đó", "riêng": a part of the figure before


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


class TargetFinder:
    def __init__(self, rules):
        t = rules.section("targets")
        self.rules = rules
        fillers = "|".join(regex.escape(fold(x)) for x in sorted(t.get("comparator_fillers", []), key=len, reverse=True))
        # a comparator counts only right before the number, with at most a filler between
        self.comparator_end = [
            (value, regex.compile(rf"(?<!\w)(?:{'|'.join(regex.escape(p) for p in phrases)})"
                                  rf"(?:\s+(?:{fillers}))?\s*$"))
            for value, phrases, _ in rules.comparators.entries]
        stops = "|".join(regex.escape(x) for x in t.get("indicator_after_stops", []))
        self.after_stop = regex.compile(r"[;.(]|\d+(?:[.,]\d+)?\s*%" + (rf"|,\s*(?:{stops})(?!\w)" if stops else ""))
        self.annual = regex.compile("|".join(regex.escape(fold(x)) for x in t.get("annual_phrases", [])) or r"(?!x)x")
        self.kind_phrases = {k: phrase_regex(fold(p) for p in v) for k, v in t["kind"].items()}
        self.trailing = [fold(x) for x in t.get("indicator_trailing", [])]
        self.leading = [fold(x) for x in t.get("indicator_leading", [])]
        self.share_words = {fold(x) for x in t.get("indicator_share_words", [])}
        self.object_words = {fold(x) for x in t.get("indicator_object_words", [])}
        self.tail_openers = [fold(x).split() for x in t.get("indicator_tail_openers", [])]
        self.head_cut = phrase_regex(t.get("indicator_head_cuts", []), regex.IGNORECASE)
        self.references = {fold(k): v for k, v in t.get("indicator_references", {}).items()}
        self.comparator_words = [p for _, phrases, _ in rules.comparators_after.entries for p in phrases]
        self.share_prefix = t.get("indicator_share_prefix", "tỷ lệ")
        bare = {fold(b) for b in rules.section("money").get("bare_units", [])}
        money_units = sorted((sp for u in rules.section("money")["units"] for sp in u["spellings"]
                              if fold(sp) not in bare), key=len, reverse=True)
        # a figure inside the words before a percentage: an amount ("45.389 triệu đồng, đạt
        # 84,79%") or a ratio ("1.187/1.187 đạt tỷ lệ 100%"); not "5 tuổi" or "năm 2023"
        self.figure = regex.compile(
            rf"{RATIO.pattern}|(?<![\w/]){_NUM}\s*(?:{'|'.join(regex.escape(u) for u in money_units)})(?!\w)"
            r"|(?<![\w/.,])\d{1,3}(?:\.\d{3})+(?![\w/.,])",
            regex.IGNORECASE)
        self.tail_droppers = {fold(x) for x in t.get("indicator_tail_droppers", [])}
        self.sub_cut = phrase_regex(t.get("indicator_sub_markers", []), regex.IGNORECASE)
        self.max_head_words = int(t.get("indicator_max_head_words", 15))
        self.max_words = int(t.get("indicator_max_words", 25))
        self.stopwords = {fold(x) for x in t.get("indicator_stopwords", [])}
        self.periods = [regex.compile(p) for p in t.get("period_patterns", [])]
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
            rf"(?<![\w.,/%-])(?P<num>\d+(?:[.,]\d+)*)\s*(?P<mult>{mult_alt})?\s+(?P<noun>{noun_alt})(?!\w)",
            regex.IGNORECASE)

    # ------------------------------------------------------------------------------------
    def find(self, block: Block, section: Section | None) -> list[Target]:
        text = block.text
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
            out.append(self._build(block, section, start, m.end(), value, value_max, "percent", comparator, out,
                                   decimals=num.decimals))
        role = section.role if section else None
        if role in ("objectives", "results") or self.kind_phrases["target"].search(fold(text)):
            out.extend(self._counts(block, section, out))
        return out

    def _counts(self, block: Block, section, percents: list[Target]) -> list[Target]:
        text = block.text
        out = []
        taken = [(t.start, t.end) for t in percents]
        for m in RATIO.finditer(text):
            a = parse_vn_number(m["a"], decimal_point_ok=False)
            b = parse_vn_number(m["b"], decimal_point_ok=False)
            if a.value is None or b.value is None or b.value == 0 or a.value > b.value * 1.5:
                continue
            if regex.match(r"\s*/\s*\d", text[m.end():m.end() + 3]) or _is_date_or_code(text, m.start()):
                continue
            unit = (m["ua"] or m["ub"] or "ratio").lower()
            t = self._build(block, section, m.start(), m.end(), a.value, None, unit, "eq", out)
            t.numerator, t.denominator = a.value, b.value
            out.append(t)
            taken.append((m.start(), m.end()))
        for m in self.count.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            num = parse_vn_number(m["num"])
            if num.value is None:
                continue
            value = num.value * self.multipliers.get(fold(m["mult"] or ""), 1)
            unit = self.count_units.get(fold(m["noun"]), "count")
            out.append(self._build(block, section, m.start(), m.end(), value, None, unit, None, out,
                                   noun=None if unit in self.measure_units else m["noun"]))
        return out

    def _build(self, block, section, start, end, value, value_max, unit, comparator, earlier, decimals=0,
               noun: str | None = None) -> Target:
        text = block.text
        clause_start = _clause_start(text, start)
        prev = earlier[-1] if earlier else None
        fb = fold(text[clause_start:start])
        if comparator is None:
            comparator = self._comparator(fb, fold(text[end:end + 20]))
        # the verb may stand before a colon ("Giảm tỷ lệ suy dinh dưỡng: 0,3% …") but not
        # before an earlier figure or a semicolon
        verb_start = max(_last_cut(_SCOPE_CUT, text, start), prev.end if prev and prev.end <= start else 0)
        direction_hit = self.rules.direction.last_hit(fold(text[verb_start:start]))
        direction = direction_hit[0] if direction_hit else None
        if prev is not None and direction is None and prev.unit == unit:
            between = text[prev.end:start]
            # "giảm 80% … và 85% …": several figures sharing one verb
            if ";" not in between and not sentence_break(between) and regex.search(r"(?<!\w)và(?!\w)|,", between):
                direction = prev.direction
                if comparator == "eq" and prev.comparator not in ("range", "eq"):
                    comparator = prev.comparator
        sentence = _sentence(text, start)
        kind = self._kind(fold(sentence), fb, section)
        same_clause = prev if prev is not None and clause_start <= prev.start and prev.end <= start else None
        indicator, head, tail_end = self._indicator(text, clause_start, start, end, same_clause, unit, noun)
        return Target(block, start, end, value, value_max, unit, comparator, direction, kind, indicator,
                      self.indicator_key(indicator), self._year(_own_clause(text, end)) or self._year(sentence),
                      section=section, number_decimals=decimals, head=head, tail_end=tail_end)

    def _comparator(self, folded_before: str, folded_after: str) -> str:
        for value, _, pattern in self.rules.comparators_after.entries:
            m = pattern.search(folded_after)
            if m and not folded_after[:m.start()].strip():
                return value
        for value, pattern in self.comparator_end:
            if pattern.search(folded_before):
                return value
        return "eq"

    def _kind(self, folded_sentence: str, folded_before: str, section: Section | None) -> str:
        # the nearest enclosing part that is about results or objectives decides
        role = None
        node = section
        while node is not None and role is None:
            if node.role in ("results", "objectives"):
                role = node.role
            node = node.parent
        if self.kind_phrases["norm"].search(folded_before):
            return "norm"
        if "other" in self.kind_phrases and self.kind_phrases["other"].search(folded_before[-40:]):
            return "other"
        if role == "results":
            return "result"
        if role == "objectives":
            return "target"
        if self.kind_phrases["norm"].search(folded_sentence):
            return "norm"
        if self.kind_phrases["result"].search(folded_sentence) and not self.kind_phrases["target"].search(folded_sentence):
            return "result"
        return "target"

    def _indicator(self, text: str, clause_start: int, start: int, end: int,
                   prev: Target | None, unit: str, noun: str | None) -> tuple[str, str, int]:
        """(indicator, its head, where its tail ends). The head is what the words before the
        figure say is measured; the tail, the words after it ("so với kế hoạch", "hộ nghèo A"
        after "giảm 80%"). PREV is an earlier figure of the same clause."""
        own_from = max(clause_start, min(prev.tail_end, start)) if prev else clause_start
        head = self._head(text[own_from:start])
        tail, tail_end = self._tail(text, end)
        tail_words = fold(tail).split()
        qualified = any(tail_words[:len(o)] == o for o in self.tail_openers)
        if prev is not None and prev.head and (not head.text or head.sub):
            # "giảm 0,3% đối với … và 0,1% đối với …" shares the head; "X đạt 84,5%, trong
            # đó Y đạt 51,33%" names a part of X
            head = head._replace(text=f"{prev.head}, {head.text}" if head.text else prev.head, share=False)
        elif prev is not None and not head.text and not tail:
            # "100% người … được hỗ trợ mua bảo hiểm y tế miễn phí 100%": the words between
            # the two figures name what the second measures
            head = self._head(text[prev.end:start])
        elif not head.text and clause_start > 0 and text[clause_start - 1] in ":(" and (qualified or not tail):
            # "Giải ngân vốn đầu tư: 45.389 triệu đồng, đạt 84,79% KH", "552 phòng kiên cố (81,5%)":
            # the percentage is the share of what the label before names
            label = self._head(text[_clause_start(text, clause_start - 1):clause_start - 1])
            head = label._replace(share=head.share or label.share or head.had_figure or label.had_figure)
        wants_tail = len(head.text.split()) < 3 or head.wants_object or qualified
        phrase = f"{head.text} {tail}" if wants_tail else head.text
        if noun:
            # a count names what it counts: "06 xã đạt chuẩn nông thôn mới" → "xã đạt chuẩn …"
            phrase = f"{noun} {tail}" if tail else f"{head.text} {noun}"
        if head.share and unit == "percent" and fold(phrase).split()[:2] != fold(self.share_prefix).split():
            phrase = f"{self.share_prefix} {phrase}"
        return " ".join(phrase.split()[:self.max_words]).strip(" ,:;"), head.text, tail_end

    def _head(self, raw: str) -> _Head:
        """What the words before a figure say is measured."""
        raw = raw[_last_cut(self.head_cut, raw, len(raw)):]  # after "để", "nhằm"
        sub_from = _last_cut(self.sub_cut, raw, len(raw))   # "677 phòng học, trong đó 552 phòng kiên cố"
        sub, raw = sub_from > 0, raw[sub_from:]
        raw = regex.sub(r"\([^()]*\)", " ", self._strip_label(raw.strip(" :-+*•–")))
        stripped = self.figure.sub(" ", raw)
        had_figure = stripped != raw
        # trim by words: folded words are longer than the written ones (tone digits)
        tokens = [t for t in stripped.split() if regex.search(r"\w", t)]
        if tokens and regex.fullmatch(_NUM, tokens[0]):
            tokens, had_figure = tokens[1:], True  # the count a share is of: "552 phòng kiên cố (81,5%)"
        share = wants_object = False
        while tokens and (hit := _phrase_at([fold(t.strip(",:")) for t in tokens], self.trailing, end=True)):
            share = share or hit in self.share_words
            wants_object = wants_object or hit in self.object_words
            tokens = tokens[:-len(hit.split())]
        if hit := _phrase_at([fold(t.strip(",:")) for t in tokens], self.leading):
            tokens = tokens[len(hit.split()):]
        tokens = tokens[-self.max_head_words:]
        if tokens and (fold(tokens[-1]) in self.object_words or self.rules.direction.last_hit(fold(tokens[-1]))):
            wants_object = True  # "giảm 80% hộ nghèo A": the figure's object follows it
        return _Head(" ".join(tokens).strip(" ,:;"), share, had_figure, wants_object, sub)

    def _tail(self, text: str, end: int) -> tuple[str, int]:
        """The words after a figure up to the next clause or figure; a short parenthetical
        aside ("(câu lạc bộ)") does not end it."""
        pos = end
        while True:
            stop = self.after_stop.search(text, pos)
            if stop is None:
                stop_at = len(text)
                break
            stop_at = stop.start()
            aside = _ASIDE.match(text, stop_at)
            if stop.group() != "(" or aside is None or not text[end:stop_at].strip(" ,:"):
                break
            pos = aside.end()
        words = text[end:stop_at].strip(" ,:").split()
        folded = [fold(regex.sub(r"[^\w/]", "", w)) for w in words]
        if hit := _phrase_at(folded, self.comparator_words):  # "từ 2% trở lên": not what is measured
            words, folded = words[len(hit.split()):], folded[len(hit.split()):]
        if hit := _phrase_at(folded, self.references):  # "đạt 49% KH" → "so với kế hoạch"
            words = self.references[hit].split() + words[len(hit.split()):]
        while words and fold(words[-1].strip(",")) in self.tail_droppers:
            words = words[:-1]
        return " ".join(words).strip(" ,:()"), stop_at

    def _strip_label(self, text: str) -> str:
        """Drop a list label ("a)", "1.", "-") that opens the clause."""
        label = match_label(text, self.rules)
        return text[label.end:] if label else text

    def indicator_key(self, indicator: str) -> str:
        words = regex.findall(r"\w+", fold(indicator))
        stop = self.stopwords
        joined = " " + " ".join(words) + " "
        for s in sorted(stop, key=len, reverse=True):
            if " " in s:
                joined = joined.replace(" " + s + " ", " ")
        kept = [w for w in joined.split() if w not in stop and not w.isdigit()]
        return strip_diacritics(" ".join(kept))

    def _year(self, sentence: str) -> str | None:
        for p in self.periods:
            m = p.search(sentence)
            if m:
                y1 = m.groupdict().get("y1")
                y2 = m.groupdict().get("y2")
                return f"{y1}-{y2}" if y2 else y1
        if self.annual.search(fold(sentence)):
            return "per_year"
        return None


# Where the clause of a figure starts (its indicator and comparator are in it), and the
# wider scope its verb may stand in: a colon ends a clause, not a verb's reach.
_CLAUSE_CUT = regex.compile(r"[;:(]|[.!?]\s+|(?<!\d)\s[-–]\s(?!\d)")  # not "2021 - 2025"
_SCOPE_CUT = regex.compile(r"[;(]|[.!?]\s+")
# a short bracketed aside without figures, which an indicator phrase runs through
_ASIDE = regex.compile(r"\([^()\d]{1,40}\)")


def _phrase_at(folded_words: list[str], phrases, end: bool = False) -> str | None:
    """The longest of PHRASES (folded) that the words open with (close with, when END)."""
    for phrase in sorted(phrases, key=len, reverse=True):
        n = len(phrase.split())
        if n <= len(folded_words) and (folded_words[-n:] if end else folded_words[:n]) == phrase.split():
            return phrase
    return None


def _clause_start(text: str, pos: int) -> int:
    """Where the clause of the figure at POS starts; an aside closed before POS
    ("đội văn nghệ (câu lạc bộ) … chiếm 38%") does not end it."""
    cut = 0
    for m in _CLAUSE_CUT.finditer(text[:pos]):
        if m.group() == "(" and ")" in text[m.end():pos]:
            continue
        cut = m.end()
    return cut


def _last_cut(pattern: regex.Pattern, text: str, pos: int) -> int:
    """The end of the last match of PATTERN before POS (0 when none)."""
    return max((m.end() for m in pattern.finditer(text[:pos])), default=0)


def _own_clause(text: str, end: int) -> str:
    """From a figure to the next figure or clause end: where its own period is written."""
    m = regex.search(r"[;.]\s|\d\s*%", text[end:])
    return text[end:end + m.start()] if m else text[end:]


def _sentence(text: str, pos: int) -> str:
    starts = [m.end() for m in regex.finditer(r"[.!?]\s+(?=\p{Lu})", text[:pos])]
    s = starts[-1] if starts else 0
    m = regex.search(r"[.!?](?:\s+\p{Lu}|\s*$)", text[pos:])
    e = pos + m.start() + 1 if m else len(text)
    return text[s:e]


def _is_date_or_code(text: str, start: int) -> bool:
    before = text[max(0, start - 3):start]
    return bool(regex.search(r"[/\-]\s*$", before)) and bool(regex.search(r"\d", before))
