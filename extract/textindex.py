"""Searches over one paragraph that many facts ask about, answered without rescanning it.

Extractors ask, for each fact, "where is the next clause end after this figure" or "where
did the last clause cut before it end". Answered by a search from the fact or over the
text before it, those questions cost the length of the paragraph each, so a paragraph of
n facts costs n times its length. These classes give the same answers as
`pattern.search(text, pos)` and `pattern.finditer(text[:pos])` from one scan of the
paragraph.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import regex


@dataclass
class MatchIndex:
    """`pattern.search(text, pos)` for any POS, in any order, from one scan: the match at
    every position where one starts (an overlapped scan), so a search is a look-up of the
    first such position at or after POS. For patterns whose attempt at one position costs
    little (possessive numbers, literal phrases)."""

    pattern: regex.Pattern
    text: str
    matches: list[regex.Match] = field(init=False)
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.matches = list(self.pattern.finditer(self.text, overlapped=True))
        self.starts = [m.start() for m in self.matches]

    def search(self, pos: int) -> regex.Match | None:
        i = bisect.bisect_left(self.starts, pos)
        return self.matches[i] if i < len(self.matches) else None


@dataclass
class PrefixMatches:
    """The matches of `pattern.finditer(text[:pos])` for any POS, from one scan of the
    whole text. The caller vouches for READ_AHEAD: an attempt that fails in the whole
    text, made READ_AHEAD or more characters before POS, fails in the prefix too, and a
    match reads at most one character past its end. Then every match of the whole text
    that starts by POS - READ_AHEAD and ends before POS is a match of the prefix, found
    after the same failed attempts; only the rest, from the last of them on, is scanned
    again with the prefix's end (`endpos`)."""

    pattern: regex.Pattern
    text: str
    read_ahead: int
    matches: list[regex.Match] = field(init=False)
    starts: list[int] = field(init=False)
    ends: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.matches = list(self.pattern.finditer(self.text))
        self.starts = [m.start() for m in self.matches]
        self.ends = [m.end() for m in self.matches]  # increasing, as the starts

    def before(self, pos: int) -> tuple[int, list[regex.Match]]:
        """(n, tail): the matches of text[:pos] are self.matches[:n] followed by TAIL."""
        n = min(
            bisect.bisect_right(self.starts, pos - self.read_ahead), bisect.bisect_right(self.ends, pos - 1)
        )
        resume = self.ends[n - 1] if n else 0
        next_start = self.starts[n] if n < len(self.starts) else len(self.text)
        scan_from = max(resume, min(next_start, pos - self.read_ahead))
        tail = list(self.pattern.finditer(self.text, scan_from, pos)) if scan_from < pos else []
        return n, tail

    def last_end(self, pos: int) -> int:
        """The end of the last match in text[:pos] (0 when none)."""
        n, tail = self.before(pos)
        if tail:
            return tail[-1].end()
        return self.ends[n - 1] if n else 0
