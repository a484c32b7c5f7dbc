"""Amounts placed by the project a sentence or a list item names right before them:
"- Dự án 5 (Phát triển giáo dục …): 12.480,50 triệu đồng", "phân bổ cho Dự án 2 là 22.800
triệu đồng", "Tiểu dự án 2 (Dự án 3): 35.600 triệu đồng", "trong đó Tiểu dự án 1 là 198.200
triệu đồng". Such a list item is no heading (sections.py), so the section tree cannot
place its amount; the words between the name and the amount must be only a link (":",
"là", "được phân bổ"), so a name earlier in the sentence never places a later amount.
Vocabulary: rules/headings.yaml (`project_mention`, `mention_link`)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from .amounts import Amount, Placement

if TYPE_CHECKING:
    from .rules import Rules


class MentionPlacer:
    def __init__(self, rules: Rules):
        h = rules.section("headings")
        self.mention = regex.compile(h["project_mention"])
        self.link = regex.compile(h["mention_link"])
        self.opening = regex.compile(h["mention_opening"])

    def place(self, amounts: list[Amount]) -> None:
        """Sets the placement of every text amount a project or sub-project name stands
        right before (table figures already have theirs)."""
        indexes: dict[int, _Mentions] = {}  # one pass over each paragraph, not one per amount
        for a in amounts:
            if a.placement is not None:
                continue
            text = a.block.text
            if id(a.block) not in indexes:
                indexes[id(a.block)] = _Mentions.index(list(self.mention.finditer(text)))
            found = indexes[id(a.block)]
            k = bisect_right(found.ends, a.start)  # the mentions that end before the amount
            if k == 0:
                continue
            m = found.matches[k - 1]
            if not self.link.match(text[m.end() : a.start]):
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


@dataclass
class _Mentions:
    """A paragraph's project and sub-project names, in order, with where each ends and
    the last project named up to each (a sub-project's project when it names none)."""

    matches: list[regex.Match]
    ends: list[int]
    last_project: list[str | None]

    @classmethod
    def index(cls, matches: list[regex.Match]) -> _Mentions:
        last: list[str | None] = []
        current = None
        for m in matches:
            if not m["subproject_word"]:
                current = m["num"]
            last.append(current)
        return cls(matches, [m.end() for m in matches], last)


def _section_project(a: Amount) -> str | None:
    """The project section the amount stands in."""
    project = a.section.nearest("project") if a.section is not None else None
    return project.number if project is not None else None
