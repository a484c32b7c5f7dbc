"""Amounts placed by the project a sentence or a list item names right before them:
"- Dự án 5 (Phát triển giáo dục …): 12.480,50 triệu đồng", "phân bổ cho Dự án 2 là 22.800
triệu đồng", "Tiểu dự án 2 (Dự án 3): 35.600 triệu đồng", "trong đó Tiểu dự án 1 là 198.200
triệu đồng". Such a list item is no heading (sections.py), so the section tree cannot
place its amount; the words between the name and the amount must be only a link (":",
"là", "được phân bổ"), so a name earlier in the sentence never places a later amount.
Vocabulary: rules/headings.yaml (`project_mention`, `mention_link`)."""
from __future__ import annotations

import regex

from .amounts import Amount, Placement


class MentionPlacer:
    def __init__(self, rules):
        h = rules.section("headings")
        self.mention = regex.compile(h["project_mention"])
        self.link = regex.compile(h["mention_link"])
        self.opening = regex.compile(h["mention_opening"])

    def place(self, amounts: list[Amount]) -> None:
        """Sets the placement of every text amount a project or sub-project name stands
        right before (table figures already have theirs)."""
        for a in amounts:
            if a.placement is not None:
                continue
            text = a.block.text
            mentions = [m for m in self.mention.finditer(text, 0, a.start) if m.end() <= a.start]
            if not mentions:
                continue
            m = mentions[-1]
            if not self.link.match(text[m.end():a.start]):
                # an item opening with both levels ("- Tiểu dự án 2 (Dự án 3): …, 500 triệu đồng"):
                # the bracket says more than the section tree, which may hold no such project
                m = mentions[0]
                if not (self.opening.match(text[:m.start()]) and (m["project"] or m["sub"])):
                    continue
            if m["subproject_word"]:
                project = m["project"] or self._enclosing_project(mentions[:-1], a)
                a.placement = Placement(None, project, m["num"])
            else:
                a.placement = Placement(None, m["num"], m["sub"])

    @staticmethod
    def _enclosing_project(earlier: list[regex.Match], a: Amount) -> str | None:
        """A sub-project's project: the last project named before it in the paragraph, else
        the project section the amount stands in."""
        named = [m["num"] for m in earlier if not m["subproject_word"]]
        if named:
            return named[-1]
        project = a.section.nearest("project") if a.section is not None else None
        return project.number if project is not None else None
