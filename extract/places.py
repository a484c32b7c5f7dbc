"""Province codes and the 2025 reorganisation (rules/places.yaml): the official two-digit
code of the province a plan names, and the province it belongs to from 1 July 2025, so
plans from before and after the merger compare."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .rules import Rules, phrase_regex
from .textnorm import fold

# Nghị quyết 202/2025/QH15: the 34 provinces exist from this day.
REORGANISATION_DATE = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class ProvincePlace:
    province_code: str | None
    province_2025: str | None
    province_2025_code: str | None


class Places:
    def __init__(self, rules: Rules):
        spec = rules.section("places")
        self.old = {name: (str(e["code"]), e["province_2025"]) for name, e in spec["provinces"].items()}
        self.new = {name: str(code) for name, code in spec["provinces_2025"].items()}
        self.included_phrases = phrase_regex([fold(p) for p in spec["included_in_higher_level"]])

    def place(self, province: str | None, issue_date: dt.date | None) -> ProvincePlace:
        if province is None:
            return ProvincePlace(None, None, None)
        after = issue_date is not None and issue_date >= REORGANISATION_DATE
        if province in self.new and (after or province not in self.old):
            # a plan after the merger names a province of the new list
            return ProvincePlace(self.new[province], province, self.new[province])
        if province in self.old:
            code, merged = self.old[province]
            return ProvincePlace(code, merged, self.new[merged])
        return ProvincePlace(None, None, None)

    def says_included(self, folded_text: str) -> bool:
        """The plan says its funds are part of a higher level's plan."""
        return bool(self.included_phrases.search(folded_text))
