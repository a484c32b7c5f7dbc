"""Money amounts: every "122.854 triệu đồng", its breakdown parent, and the attributes its
labels give it (funding source, capital type, measure, year). Vocabulary: rules/money.yaml.

Within a paragraph, an amount's parent is the amount whose parenthesis it sits in
("111.687 triệu đồng (vốn đầu tư phát triển: 99.654 triệu đồng, …)") or the amount a
breakdown marker follows ("… là 350.190 triệu đồng, trong đó: …"). A paragraph that ends
with such a marker ("…, trong đó:") owns the amounts of the list items after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from .document import Block
from .sections import Section
from .textnorm import fold
from .vnnumbers import NUMBER_PATTERN, VnNumber, parse_vn_number


@dataclass
class Amount:
    block: Block
    start: int  # in block.text: the number
    end: int  # end of the unit (or of the number when the unit is inferred)
    num_end: int
    number: VnNumber
    unit_raw: str | None
    factor: float | None
    unit_inferred: bool = False
    depth: int = 0
    parent: "Amount | None" = None
    children: list["Amount"] = field(default_factory=list)
    annotation: str = ""  # "(vốn sự nghiệp)" right after the amount
    label: str = ""
    per_unit: bool = False
    section: Section | None = None
    funding_source: str | None = None
    capital_type: str | None = None
    measure: str | None = None
    fiscal_year: int | None = None
    is_total: bool = False

    @property
    def value(self) -> float | None:
        if self.number.value is None or self.factor is None:
            return None
        return round(self.number.value * self.factor, 9)


class AmountFinder:
    def __init__(self, rules):
        m = rules.section("money")
        self.factors: dict[str, float] = {}
        spellings = []
        for unit in m["units"]:
            for s in unit["spellings"]:
                self.factors[fold(s)] = float(unit["factor"])
                spellings.append(s)
        spellings.sort(key=len, reverse=True)
        # bare "triệu", "tỷ", "đồng" must not be followed by a word ("1,5 triệu người",
        # "100% đồng bào"); "triệu đồng" and friends are matched first (longest first)
        bare = {"triệu", "tỷ", "tỉ", "đồng", "tr."}
        alts = []
        for s in spellings:
            esc = regex.escape(s).replace(r"\ ", r"\s*")
            alts.append(esc + (r"(?!\s*\p{L})(?!\w)" if s in bare else r"(?!\w)"))
        unit_alt = "|".join(alts)
        self.money = regex.compile(
            rf"(?P<num>{NUMBER_PATTERN})(?P<tail>,\s\d(?=\s*(?:{unit_alt})))?\s*(?P<unit>{unit_alt})",
            regex.IGNORECASE,
        )
        self.number = regex.compile(NUMBER_PATTERN)
        self.grouped = regex.compile(r"^(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+)$")
        self.unitless_label = regex.compile(m["unitless_label"], regex.IGNORECASE)
        self.per_unit = regex.compile(m["per_unit_suffix"], regex.IGNORECASE)
        markers = sorted((fold(x) for x in m["breakdown_markers"]), key=len, reverse=True)
        self.marker = regex.compile(r"(?<!\w)(?:" + "|".join(regex.escape(x) for x in markers) + r")(?!\w)\s*:?",
                                    regex.IGNORECASE)
        self.total_words = regex.compile("|".join(regex.escape(fold(w)) for w in m["total_words"]))
        self.rules = rules

    # ---- finding ---------------------------------------------------------------------
    def find(self, block: Block) -> list[Amount]:
        text = block.text
        found: list[Amount] = []
        taken: list[tuple[int, int]] = []
        for m in self.money.finditer(text):
            raw_num = m["num"] + (m["tail"] or "")
            if _looks_like_reference(text, m.start("num")):
                continue
            number = parse_vn_number(raw_num)
            unit = m["unit"]
            factor = self.factors.get(fold(regex.sub(r"\s+", " ", unit)), self.factors.get(fold(unit)))
            if factor is None:
                factor = self.factors.get(fold(unit.replace(" ", "")))
            a = Amount(block, m.start("num"), m.end("unit"), m.start("num") + len(raw_num), number, unit, factor)
            a.per_unit = bool(self.per_unit.match(text[m.end("unit"):]))
            found.append(a)
            taken.append((m.start(), m.end()))
        if found:
            found.extend(self._unitless(block, taken, found))
            found.sort(key=lambda a: a.start)
        return found

    def _unitless(self, block: Block, taken, with_units: list[Amount]) -> list[Amount]:
        text = block.text
        out = []
        for m in self.number.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            raw = m.group(0)
            after = text[m.end():m.end() + 12]
            if not self.grouped.match(raw) or not regex.match(r"\s*(?:$|[(),;.:]|đạt\b)", after):
                continue
            before = text[max(0, m.start() - 80):m.start()]
            if not self.unitless_label.search(before):
                continue
            number = parse_vn_number(raw)
            if number.value is not None and 1900 <= number.value <= 2100 and "." not in raw and "," not in raw:
                continue
            sibling = min(with_units, key=lambda a: abs(a.start - m.start()))
            out.append(Amount(block, m.start(), m.end(), m.end(), number, None, sibling.factor, unit_inferred=True))
        return out

    # ---- structure within a block ------------------------------------------------------
    def link_block(self, amounts: list[Amount]) -> Amount | None:
        """Set parents inside one block. Returns the amount that a trailing marker makes the
        owner of the following list items, if any."""
        if not amounts:
            return None
        text = amounts[0].block.text
        depth_at = _paren_depths(text)
        opens = _paren_owners(text)
        for a in amounts:
            a.depth = depth_at[a.start]
        last_at_depth: dict[int, Amount] = {}
        marker_owner: dict[int, Amount] = {}
        pos = 0
        for a in amounts:
            segment = text[pos:a.start]
            # a sentence end closes pending "trong đó"
            if _sentence_break(segment):
                marker_owner = {d: o for d, o in marker_owner.items() if d < a.depth}
                last_at_depth = {d: o for d, o in last_at_depth.items() if d < a.depth}
            prev = last_at_depth.get(a.depth)
            if prev is not None and self.marker.search(fold(text[prev.end:a.start])):
                marker_owner[a.depth] = prev
            if a.depth > 0:
                open_pos = opens.get(a.start)
                owner = _last_before(amounts, open_pos, a.depth - 1) if open_pos is not None else None
                if owner is not None and not _sentence_break(text[owner.end:open_pos]):
                    a.parent = marker_owner.get(a.depth) if marker_owner.get(a.depth) and marker_owner[a.depth].start > open_pos else owner
                else:
                    a.parent = marker_owner.get(a.depth)
            else:
                a.parent = marker_owner.get(0)
            if a.parent is a:
                a.parent = None
            last_at_depth[a.depth] = a
            for d in [d for d in last_at_depth if d > a.depth]:
                del last_at_depth[d]
            pos = a.end
        for a in amounts:
            if a.parent:
                a.parent.children.append(a)
        # annotations: "(vốn sự nghiệp)" right after an amount, holding no amount
        for open_pos, close_pos in _paren_pairs(text):
            if any(open_pos < a.start < close_pos for a in amounts):
                continue
            owner = _last_before(amounts, open_pos, depth_at[open_pos] - 1)
            if owner is not None and regex.fullmatch(r"[\s.,:]*", text[owner.end:open_pos] or ""):
                owner.annotation += " " + text[open_pos + 1:close_pos]
        # a trailing "trong đó:" / "gồm:" / ":" after the last top-level amount
        tops = [a for a in amounts if a.depth == 0 and a.parent is None]
        last = tops[-1] if tops else None
        if last is not None:
            tail = text[last.end:]
            if _paren_closed_tail(tail) and (self.marker.search(fold(tail)) and tail.rstrip().endswith(":")
                                             or regex.search(r"(?:trong đó|gồm|bao gồm)\s*:?\s*$", fold(tail))):
                return last
        return None

    # ---- attributes --------------------------------------------------------------------
    def label_of(self, a: Amount, amounts: list[Amount]) -> str:
        text = a.block.text
        start = 0
        for b in amounts:
            if b is a:
                break
            if b.depth == a.depth and b.end <= a.start:
                start = max(start, b.end)
        if a.depth > 0:
            open_pos = max((i for i in range(a.start) if text[i] == "(" and _paren_depths(text)[i + 1] == a.depth), default=None)
            if open_pos is not None:
                start = max(start, open_pos + 1)
        label = text[start:a.start]
        label = regex.sub(r"\([^()]*\)", " ", label)  # earlier parentheses are other facts' notes
        for cut in (r".*[;]", r".*\.\s+(?=\p{Lu})", r".*(?:trong đó|bao gồm|gồm)\s*:?"):
            label = regex.sub(cut, "", label, flags=regex.IGNORECASE | regex.DOTALL)
        return label.strip()

    def attribute(self, amounts: list[Amount], section_chain_titles) -> None:
        for a in amounts:
            a.label = self.label_of(a, amounts)
        for a in _parents_first(amounts):
            own = fold(a.label + " " + a.annotation)
            a.is_total = bool(self.total_words.search(fold(a.label)))
            fs = self.rules.funding_source.first(own)
            a.funding_source = fs if fs else (None if a.is_total else (a.parent.funding_source if a.parent else None))
            ct = self.rules.capital_type.first(own)
            a.capital_type = ct or (a.parent.capital_type if a.parent else None)
            measure = "indicator" if a.per_unit else self.rules.measure.first(fold(a.label))
            if a.parent is not None and (measure is None or a.parent.measure not in (None, "plan")):
                # "giải ngân …: 45.389 (…; vốn kéo dài: 14.147)": a part of a disbursement is
                # disbursed money, whatever year's funds it came from
                measure = a.parent.measure
            if measure is None:
                prefix = fold(regex.sub(r"\([^()]*\)", " ", a.block.text[:a.start]))
                hit = self.rules.measure.last_hit(prefix)
                measure = hit[0] if hit else None
            if measure is None:
                for title in section_chain_titles(a):
                    measure = self.rules.measure.first(fold(title))
                    if measure:
                        break
            a.measure = measure or "plan"
            years = regex.findall(r"năm\s+((?:19|20)\d\d)(?!\s*[-–])", a.label)
            if years:
                a.fiscal_year = int(years[-1])
            elif a.parent is not None:
                a.fiscal_year = a.parent.fiscal_year
            else:
                for title in section_chain_titles(a):
                    ys = regex.findall(r"năm\s+((?:19|20)\d\d)(?!\s*[-–])", title)
                    if ys:
                        a.fiscal_year = int(ys[-1])
                        break


def _looks_like_reference(text: str, start: int) -> bool:
    # "122/KH-UBND", "số 27/2022" are document numbers, never money
    return bool(regex.match(r"\d+\s*/", text[start:start + 8])) and not regex.match(r"[\d.,]+\s*\p{L}", text[start:start + 12])


def _paren_depths(text: str) -> list[int]:
    depths = []
    d = 0
    for ch in text:
        if ch == "(":
            d += 1
            depths.append(d)
            continue
        depths.append(d)
        if ch == ")":
            d = max(0, d - 1)
    depths.append(d)
    return depths


def _paren_pairs(text: str) -> list[tuple[int, int]]:
    stack, pairs = [], []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            pairs.append((stack.pop(), i))
    for open_pos in stack:  # unclosed at the end of the paragraph
        pairs.append((open_pos, len(text)))
    return pairs


def _paren_owners(text: str) -> dict[int, int]:
    """For each position inside parentheses: where its innermost parenthesis opens."""
    out = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            stack.pop()
        elif stack:
            out[i] = stack[-1]
    return out


def _last_before(amounts: list[Amount], pos: int, depth: int) -> Amount | None:
    best = None
    for a in amounts:
        if a.end <= pos and a.depth == depth:
            best = a
    return best


def _sentence_break(segment: str) -> bool:
    return bool(regex.search(r"[.!?]\s+(?=\p{Lu})", segment))


def _paren_closed_tail(tail: str) -> bool:
    return tail.count("(") == tail.count(")")


def _parents_first(amounts: list[Amount]) -> list[Amount]:
    def depth(a: Amount) -> int:
        n = 0
        while a.parent is not None and n < 50:
            a, n = a.parent, n + 1
        return n
    return sorted(amounts, key=depth)


def sum_problem(parent: Amount) -> tuple[float, float] | None:
    """(expected, actual) when the written parts do not add up to the total beyond rounding."""
    parts = parent.children
    if len(parts) < 2 or parent.value is None or any(p.value is None for p in parts):
        return None
    k = max(p.number.decimals for p in parts)
    tolerance = len(parts) * 0.5 * 10 ** (-k) * max(p.factor or 1 for p in parts)
    actual = round(sum(p.value for p in parts), 9)
    if abs(parent.value - actual) > tolerance + 1e-9:
        return parent.value, actual
    return None
