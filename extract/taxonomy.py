"""Canonical codes from rules/programs.yaml: PROGRAM.DA<n>[.TDA<n>[.ND<n>]].

A plan's project is matched to the official item by its number and by title similarity
(folded words); when the two disagree, the title wins and the caller reports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from .textnorm import words

if TYPE_CHECKING:
    from .rules import Rules
    from .sections import Section


@dataclass(frozen=True)
class TitleOverride:
    """The title named another official item than the number did; the title was trusted."""

    check_kind: str  # taxonomy_mismatch (number contradicts title) or taxonomy_flattened
    severity: str
    message: str


@dataclass(frozen=True)
class Item:
    code: str
    kind: str  # project, subproject, content
    number: int
    title_words: frozenset[str]


class Taxonomy:
    def __init__(self, rules: Rules):
        spec = rules.section("programs")
        self.threshold = float(spec.get("title_match_threshold", 0.6))
        # how much better a title must match another item than the numbered one
        self.margin = float(spec.get("title_match_margin", 0.25))
        self.items: dict[str, list[Item]] = {}
        for code, prog in spec["programs"].items():
            items: list[Item] = []
            for p in prog.get("projects", []):
                pc = f"{code}.DA{p['number']}"
                items.append(Item(pc, "project", int(p["number"]), frozenset(words(p["title"]))))
                for s in p.get("subprojects", []):
                    sc = f"{pc}.TDA{s['number']}"
                    items.append(Item(sc, "subproject", int(s["number"]), frozenset(words(s["title"]))))
                    for c in s.get("contents", []):
                        items.append(
                            Item(
                                f"{sc}.ND{c['number']}",
                                "content",
                                int(c["number"]),
                                frozenset(words(c["title"])),
                            )
                        )
                for c in p.get("contents", []):
                    items.append(
                        Item(
                            f"{pc}.ND{c['number']}", "content", int(c["number"]), frozenset(words(c["title"]))
                        )
                    )
            for c in prog.get("contents", []):
                items.append(
                    Item(f"{code}.ND{c['number']}", "content", int(c["number"]), frozenset(words(c["title"])))
                )
            self.items[code] = items

    def has_own_contents(self, program: str | None) -> bool:
        """The program lists contents of its own, outside any project (NTM's "Nội dung
        thành phần")."""
        return any(i.kind == "content" and i.code.count(".") == 1 for i in self.items.get(program or "", []))

    @staticmethod
    def similarity(item: Item, title_words: set[str]) -> float:
        if not item.title_words:
            return 0.0
        return len(item.title_words & title_words) / len(item.title_words)

    def resolve(
        self, program: str | None, kind: str, number: str | None, title: str, parent_code: str | None
    ) -> tuple[str | None, TitleOverride | None]:
        """(canonical code, what was overridden when number and title disagree)."""
        if program not in self.items or kind not in ("project", "subproject", "content"):
            return None, None
        title_words = set(words(title))
        scope = [
            i
            for i in self.items[program]
            if i.kind == kind and (parent_code is None or i.code.startswith(parent_code + "."))
        ]
        if kind == "subproject" and parent_code is None:
            return None, None
        try:
            n = int(number) if number is not None else None
        except ValueError:
            n = None
        by_number = next((i for i in scope if i.number == n), None)
        best = max(scope, key=lambda i: self.similarity(i, title_words), default=None)
        best_sim = self.similarity(best, title_words) if best else 0.0
        if by_number is not None:
            num_sim = self.similarity(by_number, title_words)
            if self._clearly_better(best, by_number, best_sim, num_sim):
                return best.code, TitleOverride(
                    "taxonomy_mismatch",
                    "warning",
                    f"'{kind} {number}' has the title of {best.code}; the title is trusted",
                )
            if kind == "project" and num_sim < self.threshold:
                # a plan that flattened the structure calls a sub-project a project
                # ("Dự án 9. Giảm thiểu tình trạng tảo hôn…" is DTTS.DA9.TDA2)
                inner = [i for i in self.items[program] if i.code.startswith(by_number.code + ".")]
                deeper = max(inner, key=lambda i: self.similarity(i, title_words), default=None)
                deeper_sim = self.similarity(deeper, title_words) if deeper else 0.0
                if self._clearly_better(deeper, by_number, deeper_sim, num_sim):
                    return deeper.code, TitleOverride(
                        "taxonomy_flattened",
                        "info",
                        f"'{kind} {number}' has the title of {deeper.code}, one of its parts; "
                        f"the plan flattened the structure and the title is trusted",
                    )
            return by_number.code, None
        if best is not None and best_sim >= self.threshold:
            return best.code, None
        return None, None

    def _clearly_better(
        self, candidate: Item | None, numbered: Item, cand_sim: float, num_sim: float
    ) -> TypeGuard[Item]:
        return (
            candidate is not None
            and candidate is not numbered
            and cand_sim >= self.threshold
            and cand_sim > num_sim + self.margin
        )


def assign_codes(sections: list[Section], taxonomy: Taxonomy) -> list[tuple[int, TitleOverride]]:
    """Set the canonical code of every project, sub-project and content section (parents
    before children); returns (heading line, what was overridden)
    where number and title disagree."""
    notes = []
    for s in sections:
        if s.kind not in ("project", "subproject", "content"):
            continue
        parent_code = None
        for anc in s.ancestors():
            if anc.canonical_code and anc.kind in ("project", "subproject"):
                parent_code = anc.canonical_code
                break
        if s.kind == "content" and parent_code is None:
            if not taxonomy.has_own_contents(s.program):
                continue
            parent_code = s.program  # a content directly under its program (NTM.ND5)
        code, note = taxonomy.resolve(s.program, s.kind, s.number, s.title, parent_code)
        if code is None and s.kind == "subproject" and parent_code:
            # a plan may call a project's content a "Tiểu dự án" (or the reverse)
            code, note = taxonomy.resolve(s.program, "content", s.number, s.title, parent_code)
        s.canonical_code = code
        if note:
            notes.append((s.line_start, note))
    return notes
