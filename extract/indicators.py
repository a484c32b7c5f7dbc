"""The official indicator a target measures (targets.indicator_code), from the vocabulary
in rules/indicators.yaml, so "tỷ lệ hộ nghèo giảm" compares across plans whatever the
wording. indicator_key stays the folded wording; indicator_code is the shared identity."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .rules import Rules, phrase_regex
from .textnorm import fold


@dataclass(frozen=True)
class Indicator:
    code: str
    vi: str
    en: str
    programs: frozenset[str]  # empty: any program
    required: tuple[regex.Pattern, ...]  # one pattern per group; each must match
    excluded: regex.Pattern


class IndicatorVocabulary:
    def __init__(self, rules: Rules):
        self.entries: list[Indicator] = []
        for e in rules.section("indicators")["indicators"]:
            self.entries.append(
                Indicator(
                    code=e["code"],
                    vi=e["vi"],
                    en=e["en"],
                    programs=frozenset(e.get("programs") or []),
                    required=tuple(phrase_regex([fold(p) for p in group]) for group in e["all"]),
                    excluded=phrase_regex([fold(p) for p in e.get("none") or []]),
                )
            )

    def code(self, indicator: str | None, program: str | None) -> str | None:
        """The code of the first entry the indicator phrase satisfies, else None."""
        if not indicator:
            return None
        folded = fold(indicator)
        for e in self.entries:
            if e.programs and program not in e.programs:
                continue
            if all(p.search(folded) for p in e.required) and not e.excluded.search(folded):
                return e.code
        return None
