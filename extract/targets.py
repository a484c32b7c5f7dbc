"""Indicator figures: every percentage, and counts, areas, tonnages and money per head
stated as a target or a result, with comparator, range, direction, kind, indicator and
period. Vocabulary: rules/targets.yaml."""
from __future__ import annotations

from dataclasses import dataclass

import regex

from .document import Block
from .nlp import sentence_break
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
        self.kind_phrases = {k: regex.compile(r"(?<!\w)(?:" + "|".join(regex.escape(fold(p)) for p in v) + r")(?!\w)")
                             for k, v in t["kind"].items()}
        self.trailing = sorted((fold(x) for x in t.get("indicator_trailing", [])), key=len, reverse=True)
        self.leading = sorted((fold(x) for x in t.get("indicator_leading", [])), key=len, reverse=True)
        self.stopwords = {fold(x) for x in t.get("indicator_stopwords", [])}
        self.periods = [regex.compile(p) for p in t.get("period_patterns", [])]
        units = []
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
            out.append(self._build(block, section, m.start(), m.end(), value, None, unit, None, out))
        return out

    def _build(self, block, section, start, end, value, value_max, unit, comparator, earlier, decimals=0) -> Target:
        text = block.text
        clause_start = _last_cut(_CLAUSE_CUT, text, start)
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
        indicator = self._indicator(text, clause_start, start, end)
        return Target(block, start, end, value, value_max, unit, comparator, direction, kind, indicator,
                      self.indicator_key(indicator), self._year(_own_clause(text, end)) or self._year(sentence),
                      section=section, number_decimals=decimals)

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

    def _indicator(self, text: str, clause_start: int, start: int, end: int) -> str:
        before = self._strip_label(text[clause_start:start].strip(" :-+*•–"))
        # trim by words: folded words are longer than the written ones (tone digits)
        tokens = before.split()
        changed = True
        while changed and tokens:
            changed = False
            folded = [fold(t.strip(",:")) for t in tokens]
            for w in self.trailing:
                n = len(w.split())
                if folded[-n:] == w.split():
                    tokens = tokens[:-n]
                    changed = True
                    break
        folded = [fold(t.strip(",:")) for t in tokens]
        for w in self.leading:
            n = len(w.split())
            if folded[:n] == w.split() and len(tokens) > n:
                tokens = tokens[n:]
                break
        before = " ".join(tokens).strip(" ,:")
        after = text[end:]
        stop = self.after_stop.search(after)
        after = after[:stop.start()] if stop else after
        after = after.strip(" ,:")
        words_before = before.split()
        if len(words_before) >= 3:
            phrase = before
        else:
            phrase = (before + " " + after).strip()
        return " ".join(phrase.split()[:25])

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
_CLAUSE_CUT = regex.compile(r"[;:(]|[.!?]\s+|\s[-–]\s")
_SCOPE_CUT = regex.compile(r"[;(]|[.!?]\s+")


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
