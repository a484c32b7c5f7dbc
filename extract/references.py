"""Legal documents a plan cites: "Quyết định số 90/QĐ-TTg ngày 18/01/2022 của Thủ tướng
Chính phủ", "Nghị định số 27/2022/NĐ-CP", "Kế hoạch số 84-KH/TU"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from .rules import Rules


@dataclass(frozen=True)
class Reference:
    start: int
    end: int
    ref_type: str
    number: str
    issue_date: dt.date | None
    issuer: str | None


class ReferenceFinder:
    def __init__(self, rules: Rules):
        d = rules.section("documents")
        self.abbreviations = d["reference_abbreviations"]
        types = sorted(list(d["reference_types"]) + list(self.abbreviations), key=len, reverse=True)
        type_alt = "|".join(regex.escape(t) for t in types)
        self.pattern = regex.compile(
            rf"(?P<type>{type_alt})\s+(?:số\s*:?\s*)?{d['reference_number']}"
            rf"(?:\s*,?\s*{d['reference_date']})?"
            rf"(?:\s+{d['reference_issuer']})?",
            regex.IGNORECASE,
        )
        # every reference holds a number: a text where the number's pattern (alone, same
        # flags) matches nowhere holds none, and is not searched with the whole pattern
        self.number = regex.compile(d["reference_number"], regex.IGNORECASE)
        self.canonical = {t.lower(): t for t in d["reference_types"]}
        self.issuer_codes = d["issuer_codes"]

    def find(self, text: str) -> list[Reference]:
        out: list[Reference] = []
        if self.number.search(text) is None:
            return out
        for m in self.pattern.finditer(text):
            raw_type = m["type"]
            ref_type = self.abbreviations.get(
                raw_type.upper(), self.canonical.get(raw_type.lower(), raw_type)
            )
            date = None
            if m["d"]:
                try:
                    date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
                except ValueError:
                    date = None
            issuer = m["issuer"].strip() if m["issuer"] else self._issuer_from_number(m["number"])
            out.append(Reference(m.start(), m.end(), ref_type, m["number"], date, issuer))
        return out

    def _issuer_from_number(self, number: str) -> str | None:
        parts = regex.split(r"[/\-]", number)
        for code in sorted(self.issuer_codes, key=len, reverse=True):
            if code in parts or number.endswith(code):
                return self.issuer_codes[code]
        return None
