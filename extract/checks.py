"""Check rows: problems found in the source (sums that do not add up, malformed numbers,
inferred units, unreadable pages) or in the run."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Check:
    kind: str
    severity: str  # error, warning, info
    message: str
    line: int | None = None  # 1-based
    page: int | None = None
    amount_id: str | None = None
    expected: float | None = None
    actual: float | None = None
