"""Who does what: agencies named in "Tổ chức thực hiện" / "Phân công" parts (or beside a
lead word anywhere), with their role, the task sentence, its product and deadline.
Vocabulary: rules/agencies.yaml."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import regex

from .document import Block
from .nlp import sentence_spans
from .prefilter import LiteralKeys
from .rules import phrase_regex
from .sections import Section, match_label
from .textnorm import FoldedText, fold

if TYPE_CHECKING:
    from .rules import Rules


@dataclass(frozen=True)
class Assignment:
    block: Block
    start: int  # the agency's name in block.text
    end: int
    agency: str
    role: str  # lead, coordinate, report_to
    task: str
    product: str | None
    deadline: str | None


class AssignmentFinder:
    def __init__(self, rules: Rules):
        spec = rules.section("agencies")
        self.rules = rules
        spellings = sorted(
            ((s, a["name"]) for a in spec["agencies"] for s in a["spellings"]),
            key=lambda x: len(x[0]),
            reverse=True,
        )
        self.names = {_key(s): name for s, name in spellings}
        names = "|".join(regex.escape(s).replace(r"\ ", r"\s+") for s, _ in spellings)
        self.agency = regex.compile(r"(?<!\w)(?:" + names + r")(?!\w)", regex.IGNORECASE)
        # a paragraph where no name stands (case and spacing aside) names no agency in any
        # sentence: the literal keys of the names (prefilter.py)
        self.agency_keys = LiteralKeys(s for s, _ in spellings)
        self.prefilter = True  # False: every paragraph read in full (tests compare the two)
        roles = spec["roles"]
        self.lead = phrase_regex(fold(p) for p in roles["lead"])
        # a coordinate or report word right before the agency's name
        self.coordinate = phrase_regex((fold(p) for p in roles["coordinate"]), at_end=True)
        self.report_to = phrase_regex((fold(p) for p in roles["report_to"]), at_end=True)
        self.before_reach = max(len(fold(p)) for p in roles["coordinate"] + roles["report_to"])
        self.window = int(spec.get("lead_after_window", 40))
        self.deadline = regex.compile(
            "|".join(f"(?:{p})" for p in spec["deadline_patterns"]), regex.IGNORECASE
        )
        self.product = regex.compile(
            r"(?<!\w)(?:" + "|".join(regex.escape(p) for p in spec["products"]) + r")(?!\w)[^;,.:()]{0,80}",
            regex.IGNORECASE,
        )

    def find(self, block: Block, section: Section | None) -> list[Assignment]:
        text = block.text
        in_organization = any(s.role == "organization" for s in _chain(section))
        may_name = not self.prefilter or self.agency_keys.any_in_form(block.key_form())
        if not in_organization and (not may_name or not self.lead.search(fold(text))):
            return []  # outside "Tổ chức thực hiện", a task names its agency and a lead word
        owner = _agency_heading(section, block, self) if in_organization else None
        out: list[Assignment] = []
        label = match_label(text, self.rules)
        body = label.end if label else 0  # "2. Sở Y tế" is not a sentence ending at "2."
        rest = text[body:]
        if self.exact_name(rest):
            return []  # "a) Sở Tài chính:" only names who the tasks below belong to
        if owner is None and not may_name:
            return []  # no agency, no task of an enclosing agency's: no sentence gives one
        for s_start, s_end in ((body + a, body + b) for a, b in sentence_spans(rest)):
            sentence = text[s_start:s_end]
            named = list(self.agency.finditer(sentence))
            if not named and owner is None:
                continue
            deadline = self.deadline.search(sentence)
            # a product is never part of an agency's name ("Sở Kế hoạch và Đầu tư")
            product = self.product.search(self.agency.sub(lambda m: " " * len(m.group(0)), sentence))
            found_any = False
            task = sentence.strip()
            clauses = _Clauses(sentence)
            for m in named:
                role = self._role(clauses, m.start(), m.end())
                if role is None:
                    continue
                found_any = True
                out.append(
                    Assignment(
                        block,
                        s_start + m.start(),
                        s_start + m.end(),
                        self.names[_key(m.group(0))],
                        role,
                        task,
                        product.group(0).strip() if product else None,
                        deadline.group(0) if deadline else None,
                    )
                )
            if owner is not None and not found_any:
                # a task listed under "b) Sở Kế hoạch và Đầu tư:" belongs to that agency
                out.append(
                    Assignment(
                        block,
                        s_start,
                        s_start,
                        owner,
                        "lead",
                        sentence.strip(),
                        product.group(0).strip() if product else None,
                        deadline.group(0) if deadline else None,
                    )
                )
        return out

    def _role(self, clauses: "_Clauses", start: int, end: int) -> str | None:
        sentence = clauses.sentence
        # the role words stand right before the name, at the end of the folded words of
        # its clause (their last characters, and one more as context)
        before, whole = clauses.folded.suffix(clauses.start_of(start), start, self.before_reach + 2)
        if self.coordinate.search(before, 0 if whole else 1):
            return "coordinate"
        if self.report_to.search(before, 0 if whole else 1):
            return "report_to"
        if self.lead.search(fold(sentence[end : end + self.window])) or start <= clauses.opening:
            return "lead"
        return None

    def exact_name(self, text: str) -> str | None:
        """The agency TEXT names, when it is nothing but an agency's name."""
        m = self.agency.fullmatch(text.strip(" -+*•–:"))
        return self.names[_key(m.group(0))] if m else None


class _Clauses:
    """One sentence as _role reads it for each agency named in it: where the clause of a
    position starts (after the last ";" or "," before it), its folded words, and how far
    list marks open it."""

    def __init__(self, sentence: str):
        self.sentence = sentence
        self.opening = len(sentence) - len(sentence.lstrip(OPENING_MARKS))

    @cached_property
    def cuts(self) -> list[int]:
        return [m.start() for m in _CUT.finditer(self.sentence)]

    @cached_property
    def folded(self) -> FoldedText:
        return FoldedText(self.sentence)

    def start_of(self, pos: int) -> int:
        i = bisect.bisect_left(self.cuts, pos) - 1
        return self.cuts[i] + 1 if i >= 0 else 0


OPENING_MARKS = " -+*•–:"  # what may stand before an agency that opens its sentence
_CUT = regex.compile("[;,]")  # where a clause ends


_SPACES = regex.compile(r"\s+")


def _key(spelling: str) -> str:
    return fold(_SPACES.sub(" ", spelling))


def _chain(section: Section | None) -> Iterator[Section]:
    while section is not None:
        yield section
        section = section.parent


def _agency_heading(section: Section | None, block: Block, finder: AssignmentFinder) -> str | None:
    """The agency an enclosing item is about ("b) Sở Xây dựng: …" or "2. Sở Y tế")."""
    for s in _chain(section):
        name = finder.exact_name(s.title.split(":")[0])
        if name:
            return name
    return None
