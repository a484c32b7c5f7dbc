"""Footnotes of law-site exports: a marker in the text ("116.900 triệu đồng*[2]*.") and its
note at the end of the document ("[2] Không bao gồm 96.000 triệu đồng …"). A note belongs
where its marker stands: its amounts take the marker's section (so not the last heading's
project), and a note that opens with a breakdown word ("Bao gồm 12.600 triệu đồng …")
names a part of the amount just before its marker.
Vocabulary: rules/headings.yaml (`footnote_marker`, `footnote_note`) and the breakdown
markers of rules/money.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from .amounts import Amount
from .document import Block
from .rules import phrase_regex
from .sections import Section
from .textnorm import fold

if TYPE_CHECKING:
    from .rules import Rules


@dataclass
class _Marker:
    block: Block
    position: int  # where the marker starts in block.text


class FootnoteLinker:
    def __init__(self, rules: Rules):
        h = rules.section("headings")
        self.marker = regex.compile(h["footnote_marker"])
        self.note = regex.compile(h["footnote_note"])
        self.breakdown = phrase_regex(fold(w) for w in rules.section("money")["breakdown_markers"])

    def markers(self, blocks: list[Block]) -> dict[int, tuple[Block, _Marker]]:
        """Each note block with the marker it explains (the first marker of its number
        before it)."""
        seen: dict[str, _Marker] = {}
        out: dict[int, tuple[Block, _Marker]] = {}
        for b in blocks:
            note = self.note.match(b.text)
            if note is not None and note["n"] in seen:
                out[id(b)] = (b, seen[note["n"]])
                continue
            for m in self.marker.finditer(b.text):
                seen.setdefault(m["n"], _Marker(b, m.start()))
        return out

    def relocate(
        self, blocks: list[Block], block_section: dict[int, Section | None]
    ) -> dict[int, tuple[Block, _Marker]]:
        """Moves each note block to its marker's section; returns the notes found."""
        notes = self.markers(blocks)
        for note_id, (_, marker) in notes.items():
            block_section[note_id] = block_section[id(marker.block)]
        return notes

    def link_parts(self, notes: dict[int, tuple[Block, _Marker]], found: dict[int, list[Amount]]) -> None:
        """ "[3] Bao gồm 12.600 triệu đồng …": 12.600 is a part of the amount the marker
        follows. A note names some parts, never a complete breakdown: its parts are not summed."""
        for note_id, (note_block, marker) in notes.items():
            opening = self.note.match(note_block.text)
            if opening is None or not self.breakdown.match(fold(note_block.text[opening.end() :])):
                continue
            before = [a for a in found.get(id(marker.block), []) if a.end <= marker.position]
            if not before:
                continue
            owner = before[-1]
            for i, a in enumerate(found.get(note_id, [])):
                if a.parent is None and a is not owner:
                    a.parent, a.breakdown = owner, f"footnote {i}"
                    owner.children.append(a)
