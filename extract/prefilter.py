"""Literal keys: which paragraphs an extractor needs to read at all.

An extractor whose every fact is a match of some literal phrase (an agency's name, a cited
document's type) finds nothing in a paragraph where none of those phrases stands. Its keys
are the phrases themselves, taken from the same rules its patterns are built from, so they
never drift apart; one Aho-Corasick pass over the paragraph's key form (case folded, white
space collapsed to one space, computed once per paragraph and shared by every extractor's
keys) tells whether any of them stands in it. The key form only widens what counts as a
hit: a phrase its pattern finds case-insensitively, with any white space between its words,
is in the key form whatever the case and the spacing (tests/test_prefilter.py checks that
every character the patterns' case-insensitive matching takes for a key's character has
the same key form, and runs every corpus and seed with and without the keys).

Measured on the benchmark's 1 MB of paragraphs (4,108 of them, 55 agency spellings): the
agencies' own pattern 0.19 s, the key form 0.02 s plus 0.006 s for the automaton, a `re`
alternation of the same keys 0.025 s, str.find over each 0.033 s.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


def key_form(text: str) -> str:
    """TEXT case folded, its runs of white space one space (a paragraph's is made once, by
    the block: document.Block.key_form, and shared by every extractor's keys).

    >>> key_form("Sở  Kế hoạch\\u00a0và ĐẦU TƯ")
    'sở kế hoạch và đầu tư'
    """
    # the regex module's IGNORECASE matches "İ" with "i", casefold() makes it "i" and a dot
    return " ".join(text.replace("İ", "i").casefold().split())


class LiteralKeys:
    """Phrases of which a paragraph must hold one for an extractor to find anything in it."""

    def __init__(self, phrases: Iterable[str]):
        keys = {key_form(p) for p in phrases}
        # a phrase that is all white space stands everywhere: such keys filter nothing
        self.everywhere = not keys or "" in keys
        self._automaton = ahocorasick.Automaton()
        for key in sorted(keys - {""}):
            self._automaton.add_word(key, key)
        if not self.everywhere:
            self._automaton.make_automaton()

    def any_in(self, text: str) -> bool:
        """Whether one of the phrases stands in TEXT (case and white space aside)."""
        if self.everywhere:
            return True
        return self.any_in_form(key_form(text))

    def any_in_form(self, form: str) -> bool:
        """any_in for a text whose key_form is FORM."""
        if self.everywhere:
            return True
        return any(True for _ in self._automaton.iter(form))
