"""Amounts placed by the project a sentence or a list item names right before them:
"- Dự án 5 (Phát triển giáo dục …): 12.480,50 triệu đồng", "phân bổ cho Dự án 2 là 22.800
triệu đồng", "Tiểu dự án 2 (Dự án 3): 35.600 triệu đồng", "trong đó Tiểu dự án 1 là 198.200
triệu đồng", and a name that opens its sentence after a money word ("Từ nguồn vốn Dự án 5,
tỉnh đã hỗ trợ … 40 đến 60 triệu đồng/căn", "Tổng kinh phí Dự án 5 đã giải ngân … 52 tỉ đồng").
A part of a placed amount is placed with it; "126.100 triệu đồng, phân bổ cho Dự án 2 là
22.800 triệu đồng, Dự án 4 là 62.300 triệu đồng" makes the named figures parts of the
one before them. Such a list item is no heading (sections.py), so the section tree cannot
place its amount; the words between the name and the amount must be only a link (":",
"là", "được phân bổ"), so a name earlier in the sentence never places a later amount.
Vocabulary: rules/headings.yaml (`project_mention`, `mention_link`), rules/money.yaml
(`mention_money_opening`)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from .amounts import Amount, Placement
from .nlp import sentence_break

_SENTENCE_START = regex.compile(r"[.!?]\s+(?=\p{Lu})")
_OPENING_MAX = 60  # characters from a sentence's start to a name that opens it

if TYPE_CHECKING:
    from .rules import Rules


class MentionPlacer:
    def __init__(self, rules: Rules):
        h = rules.section("headings")
        self.mention = regex.compile(h["project_mention"])
        self.link = regex.compile(h["mention_link"])
        self.opening = regex.compile(h["mention_opening"])
        money_opening = rules.section("money").get("mention_money_opening")
        self.money_opening = regex.compile(money_opening) if money_opening else None

    def place(self, amounts: list[Amount]) -> None:
        """Sets the placement of every text amount a project or sub-project name stands
        right before (table figures already have theirs)."""
        indexes: dict[int, _Mentions] = {}  # one pass over each paragraph, not one per amount
        by_mention: list[Amount] = []
        for a in amounts:
            if a.placement is not None:
                continue
            text = a.block.text
            if id(a.block) not in indexes:
                indexes[id(a.block)] = _Mentions.index(list(self.mention.finditer(text)), text)
            found = indexes[id(a.block)]
            k = bisect_right(found.ends, a.start)  # the mentions that end before the amount
            if k == 0:
                continue
            m = found.matches[k - 1]
            if self.link.match(text[m.end() : a.start]):
                by_mention.append(a)
            elif not self._opens_sentence(text, m, a, found.breaks):
                # an item opening with both levels ("- Tiểu dự án 2 (Dự án 3): …, 500 triệu đồng"):
                # the bracket says more than the section tree, which may hold no such project
                m = found.matches[0]
                if not (self.opening.match(text[: m.start()]) and (m["project"] or m["sub"])):
                    continue
            if m["subproject_word"]:
                project = (
                    m["project"] or (found.last_project[k - 2] if k >= 2 else None) or _section_project(a)
                )
                a.placement = Placement(None, project, m["num"])
            else:
                a.placement = Placement(None, m["num"], m["sub"])
        _parts_by_name(by_mention, amounts)
        for a in sorted(amounts, key=_depth):
            if a.placement is None and a.parent is not None and a.parent.placement is not None:
                a.placement = a.parent.placement  # "…, trong đó ngân sách trung ương gần 47 tỉ đồng"

    def _opens_sentence(self, text: str, m: regex.Match, a: Amount, breaks: list[tuple[int, int]]) -> bool:
        """The name opens the amount's sentence after a money word ("Từ nguồn vốn Dự án 5, …").
        BREAKS: where the paragraph's sentences end and the next ones start."""
        if self.money_opening is None:
            return False
        k = bisect_right(breaks, (m.end(), m.end()))
        if k < len(breaks) and breaks[k][0] < a.start:
            return False  # another sentence
        start = breaks[k - 1][1] if k > 0 else 0
        return m.start() - start <= _OPENING_MAX and bool(self.money_opening.match(text[start : m.start()]))


@dataclass
class _Mentions:
    """A paragraph's project and sub-project names, in order, with where each ends and
    the last project named up to each (a sub-project's project when it names none)."""

    matches: list[regex.Match]
    ends: list[int]
    last_project: list[str | None]
    breaks: list[tuple[int, int]]  # (end of a sentence, start of the next)

    @classmethod
    def index(cls, matches: list[regex.Match], text: str) -> _Mentions:
        last: list[str | None] = []
        current = None
        for m in matches:
            if not m["subproject_word"]:
                current = m["num"]
            last.append(current)
        breaks = [(b.start(), b.end()) for b in _SENTENCE_START.finditer(text)]
        return cls(matches, [m.end() for m in matches], last, breaks)


def _depth(a: Amount) -> int:
    n = 0
    while a.parent is not None and n < 50:
        a, n = a.parent, n + 1
    return n


def _parts_by_name(named: list[Amount], amounts: list[Amount]) -> None:
    """ "126.100 triệu đồng, phân bổ cho Dự án 2 là 22.800 triệu đồng, Dự án 4 là …": two or
    more figures placed by their names, in one sentence right after a figure no name
    places, are its parts."""
    runs: dict[int, list[Amount]] = {}
    for a in named:
        runs.setdefault(id(a.block), []).append(a)
    paragraph: dict[int, list[Amount]] = {}
    for a in amounts:
        if id(a.block) in runs:
            paragraph.setdefault(id(a.block), []).append(a)
    for key, run in runs.items():
        parts = [a for a in run if a.parent is None and a.depth == 0 and not a.children]
        if len(parts) < 2:
            continue
        text = parts[0].block.text
        others = sorted(paragraph[key], key=lambda a: a.start)
        i = next(k for k, a in enumerate(others) if a is parts[0])
        between = [a for a in others[i:] if a.start <= parts[-1].start and a.depth == 0]
        total = others[i - 1] if i > 0 else None
        if (
            total is None
            or len(between) != len(parts)
            or total.placement is not None
            or total.norm
            or sentence_break(text[total.end : parts[-1].start])
        ):
            continue
        for a in parts:
            a.parent, a.breakdown = total, "named"
            total.children.append(a)


def _section_project(a: Amount) -> str | None:
    """The project section the amount stands in."""
    project = a.section.nearest("project") if a.section is not None else None
    return project.number if project is not None else None
