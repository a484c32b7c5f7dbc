"""PDF page-order damage: text converted from PDF can carry page fragments out of order.

Two signals, both within the children of one section (the sub-projects of a project):
1. a paragraph that starts in lower case after a finished sentence continues the sibling
   whose text stops mid-sentence: it and the rest of its section move there;
2. lettered items that restart out of order ("d)" again after "e)") are the tail of the
   sibling whose letters stop just before that letter: they move there, with the bullets
   before them that cannot belong to the money list they follow (they carry no amount).
Moved sections keep their text and line numbers; they get a new parent, and the sections
table records the line they were moved from."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .nlp import ends_sentence

if TYPE_CHECKING:
    from .document import Block
    from .rules import Rules
    from .sections import Section


@dataclass(frozen=True)
class Repair:
    line: int  # 1-based line where the moved text starts
    what: str  # its first words
    target: Section  # the section it now belongs to
    section: Section | None  # the moved section, or None for a paragraph without heading


def repair_page_order(
    sections: list[Section],
    blocks: list[Block],
    block_section: dict[int, Section | None],
    rules: Rules,
    carries_amount: Callable[[Block], bool],
) -> list[Repair]:
    """Reassign misplaced blocks (in block_section) and sections (in the tree).
    `carries_amount(block)` says whether a paragraph states a money amount."""
    moved: list[Repair] = []
    heading_lines = {s.line_start - 1 for s in sections}
    order = {letter: i for i, letter in enumerate(rules.letter_order)}
    parents = {id(s.parent): s.parent for s in sections if s.parent is not None}
    index = _BlockIndex(blocks, block_section)
    for parent in parents.values():
        typed = [c for c in parent.children if c.kind in ("project", "subproject", "content")]
        kinds = {c.kind for c in typed}
        if len(typed) < 2 or len(kinds) != 1:
            continue
        _move_lowercase_fragments(typed, index, heading_lines, moved)
        _move_restarted_letters(typed, index, order, carries_amount, moved)
    return sorted(moved, key=lambda r: r.line)


class _BlockIndex:
    """Which blocks each section holds, kept in step with block_section (which it
    updates): a section's blocks are found from its subtree's own lists, not by scanning
    every block of the document for every section."""

    def __init__(self, blocks: list[Block], block_section: dict[int, Section | None]) -> None:
        self.block_section = block_section
        self.order = {id(b): i for i, b in enumerate(blocks)}
        self.own: dict[int, list[Block]] = {}  # id(section) -> its blocks in document order
        for b in blocks:
            self.own.setdefault(id(block_section.get(id(b))), []).append(b)

    def blocks_in(self, sec: Section) -> list[Block]:
        """The blocks of SEC and the sections under it, in document order."""
        found = [b for s in _subtree(sec) for b in self.own.get(id(s), [])]
        return sorted(found, key=lambda b: self.order[id(b)])

    def section_of(self, block: Block) -> Section | None:
        return self.block_section.get(id(block))

    def assign(self, block: Block, sec: Section) -> None:
        old = self.own.get(id(self.block_section.get(id(block))))
        if old is not None:
            old.remove(block)
        self.block_section[id(block)] = sec
        new = self.own.setdefault(id(sec), [])
        keys = [self.order[id(b)] for b in new]
        new.insert(bisect.bisect_left(keys, self.order[id(block)]), block)


def _subtree(sec: Section) -> Iterator[Section]:
    yield sec
    for c in sec.children:
        yield from _subtree(c)


def _reparent(child: Section, new_parent: Section, moved: list[Repair]) -> None:
    old = child.parent
    if old is not None and child in old.children:
        old.children.remove(child)
    child.parent = new_parent
    child.parent_id = new_parent.section_id
    new_parent.children.append(child)
    delta = new_parent.level + 1 - child.level
    for s in _subtree(child):
        s.level += delta
    moved.append(Repair(child.line_start, f"{child.label} {child.title}", new_parent, child))


def _open_ended(sec: Section, index: _BlockIndex) -> bool:
    own = index.blocks_in(sec)
    return bool(own) and not ends_sentence(own[-1].text, colon=True)


def _move_lowercase_fragments(
    siblings: list[Section], index: _BlockIndex, heading_lines: set[int], moved: list[Repair]
) -> None:
    for sec in siblings:
        own = index.blocks_in(sec)
        for i, b in enumerate(own[1:], start=1):
            first = b.text[:1]
            if b.first_line in heading_lines or not (
                first.islower() and ends_sentence(own[i - 1].text, colon=True)
            ):
                continue
            target = next((s for s in siblings if s is not sec and _open_ended(s, index)), None)
            if target is None:
                break
            # the fragment: this block and every later section of `sec` at or after it
            start_line = b.first_line + 1
            index.assign(b, target)
            moved.append(Repair(start_line, b.text, target, None))
            for child in list(sec.children):
                if child.line_start > start_line:
                    _reparent(child, target, moved)
            for later in own[i + 1 :]:
                if index.section_of(later) is sec:
                    index.assign(later, target)
            break


def _letters(sec: Section, order: dict[str, int]) -> list[tuple[Section, int]]:
    """The lettered children of SEC, each with its letter's place in ORDER."""
    return [
        (c, order[c.heading.number])
        for c in sec.children
        if c.heading is not None and c.heading.style == "letter" and c.heading.number in order
    ]


def _move_restarted_letters(
    siblings: list[Section],
    index: _BlockIndex,
    order: dict[str, int],
    carries_amount: Callable[[Block], bool],
    moved: list[Repair],
) -> None:
    for sec in siblings:
        items = _letters(sec, order)
        restart = next(
            (j for j in range(1, len(items)) if items[j][1] <= items[j - 1][1]),
            None,
        )
        if restart is None:
            continue
        first_letter = items[restart][1]
        target = next(
            (
                s
                for s in siblings
                if s is not sec
                and (lets := _letters(s, order))
                and max(rank for _, rank in lets) == first_letter - 1
            ),
            None,
        )
        if target is None:
            continue
        # bullets that close the previous item but carry no amount belong to the fragment
        before = items[restart - 1][0]
        trailing: list[Section] = []
        for child in reversed(before.children):
            if any(carries_amount(b) for b in index.blocks_in(child)):
                break
            trailing.insert(0, child)
        for child in trailing + [c for c, _ in items[restart:]]:
            _reparent(child, target, moved)
