"""Load and validate the rule files in rules/ (YAML). The code only applies them.

Rules are loaded once per process (cached by directory) and are immutable afterwards.
A malformed rule file stops the run at start-up with the file and entry named, never
half-way through a batch.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml

from .textnorm import fold

RULE_FILES = ("headings", "roles", "money", "targets", "artefacts", "documents",
              "gazetteer", "agencies", "programs", "legacy_encodings", "tables", "ocr", "places", "indicators", "allocations")


class RuleError(ValueError):
    """A rule file is missing, unreadable or malformed."""


def default_rules_dir() -> Path:
    env = os.environ.get("KEHOACH_RULES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True)
class PhraseTable:
    """Ordered (value, phrases) entries; the first entry with a phrase in the text wins."""

    entries: tuple[tuple[str, tuple[str, ...], regex.Pattern], ...]

    @classmethod
    def build(cls, items: list[dict], where: str, key: str = "phrases") -> "PhraseTable":
        entries = []
        for i, item in enumerate(items):
            if "value" not in item or key not in item:
                raise RuleError(f"{where}[{i}]: needs 'value' and '{key}'")
            phrases = tuple(fold(p) for p in item[key])
            entries.append((item["value"], phrases, phrase_regex(phrases)))
        return cls(tuple(entries))

    def first(self, folded_text: str) -> str | None:
        for value, _, pattern in self.entries:
            if pattern.search(folded_text):
                return value
        return None

    def last_hit(self, folded_text: str) -> tuple[str, int] | None:
        """The value whose phrase occurs last in the text, with its end position."""
        best = None
        for value, _, pattern in self.entries:
            for m in pattern.finditer(folded_text):
                if best is None or m.end() > best[1]:
                    best = (value, m.end())
        return best


def phrase_regex(phrases, flags: int = 0) -> regex.Pattern:
    """Whole-word alternation of phrases (folded, to match folded text), longest first;
    never matches when there are none."""
    alts = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(regex.escape(p) for p in alts) or r"(?!x)x"
    return regex.compile(rf"(?<![\w])(?:{body})(?![\w])", flags)


def _compile(pattern: str, where: str, flags: int = 0) -> regex.Pattern:
    try:
        return regex.compile(pattern, flags)
    except regex.error as exc:
        raise RuleError(f"{where}: bad pattern {pattern!r}: {exc}") from exc


@dataclass(frozen=True)
class LabelStyle:
    name: str
    pattern: regex.Pattern
    rank: int | None
    depth_from: str | None
    needs_title: bool


@dataclass(frozen=True)
class TypedHead:
    kind: str
    rank: int
    pattern: regex.Pattern
    max_length: int | None


@dataclass(frozen=True)
class Rules:
    directory: Path
    raw: dict[str, Any] = field(repr=False)
    label_styles: tuple[LabelStyle, ...]
    typed_heads: tuple[TypedHead, ...]
    letter_order: tuple[str, ...]
    kind_of_style: dict[str, str]
    title_start: regex.Pattern
    roles: PhraseTable
    funding_source: PhraseTable
    capital_type: PhraseTable
    measure: PhraseTable
    comparators: PhraseTable
    comparators_after: PhraseTable
    direction: PhraseTable
    programs_vocab: PhraseTable
    fingerprint: str = ""  # sha256 of the rule files: output depends on them as on the code

    def section(self, name: str) -> dict[str, Any]:
        return self.raw[name]


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise RuleError(f"rule file missing: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleError(f"{path}: expected a mapping at the top level")
    return data


def _require(data: dict, keys: list[str], where: str) -> None:
    missing = [k for k in keys if k not in data]
    if missing:
        raise RuleError(f"{where}: missing keys {', '.join(missing)}")


def _check_places(places: dict) -> None:
    _require(places, ["provinces", "provinces_2025", "included_in_higher_level"], "places.yaml")
    for name, entry in places["provinces"].items():
        _require(entry or {}, ["code", "province_2025"], f"places.yaml provinces.{name}")
        if entry["province_2025"] not in places["provinces_2025"]:
            raise RuleError(f"places.yaml provinces.{name}: province_2025 {entry['province_2025']!r} "
                            f"is not in provinces_2025")


def _check_indicators(indicators: dict) -> None:
    _require(indicators, ["indicators"], "indicators.yaml")
    seen = set()
    for i, entry in enumerate(indicators["indicators"]):
        _require(entry, ["code", "vi", "en", "all"], f"indicators.yaml indicators[{i}]")
        if entry["code"] in seen:
            raise RuleError(f"indicators.yaml: code {entry['code']} is listed twice")
        seen.add(entry["code"])
        if not all(isinstance(group, list) and group for group in entry["all"]):
            raise RuleError(f"indicators.yaml {entry['code']}: 'all' must be a list of non-empty phrase lists")


@lru_cache(maxsize=4)
def load_rules(directory: str | Path | None = None) -> Rules:
    base = Path(directory) if directory else default_rules_dir()
    raw = {name: _read_yaml(base / f"{name}.yaml") for name in RULE_FILES}
    digest = hashlib.sha256()
    for name in RULE_FILES:
        digest.update(name.encode() + b"\0" + (base / f"{name}.yaml").read_bytes())

    h = raw["headings"]
    _require(h, ["label_styles", "typed_heads", "letter_order", "kind_of_style", "title_start"], "headings.yaml")
    styles = []
    for i, s in enumerate(h["label_styles"]):
        _require(s, ["name", "pattern"], f"headings.yaml label_styles[{i}]")
        styles.append(LabelStyle(s["name"], _compile(s["pattern"], f"headings.yaml {s['name']}"),
                                 s.get("rank"), s.get("depth_from"), bool(s.get("needs_title"))))
    heads = []
    for i, t in enumerate(h["typed_heads"]):
        _require(t, ["kind", "rank", "pattern"], f"headings.yaml typed_heads[{i}]")
        flags = regex.IGNORECASE if t.get("ignore_case") else 0
        heads.append(TypedHead(t["kind"], int(t["rank"]), _compile(t["pattern"], f"headings.yaml {t['kind']}", flags),
                               t.get("max_length")))
    for style in styles:
        if style.name not in h["kind_of_style"]:
            raise RuleError(f"headings.yaml: kind_of_style has no entry for style {style.name!r}")

    roles = PhraseTable.build([{"value": r["role"], "phrases": r["phrases"]} for r in raw["roles"]["roles"]],
                              "roles.yaml roles")
    m = raw["money"]
    _require(m, ["units", "funding_source", "capital_type", "measure", "breakdown_markers"], "money.yaml")
    t = raw["targets"]
    _require(t, ["comparators", "direction", "kind", "count_units"], "targets.yaml")
    progs = raw["documents"]["programs"]
    programs_vocab = PhraseTable.build([{"value": k, "phrases": v} for k, v in progs.items()], "documents.yaml programs")
    _require(raw["ocr"], ["language", "dpi", "min_confidence"], "ocr.yaml")
    tb = raw["tables"]
    _require(tb, ["unit_line", "label_columns", "other_columns", "total_words", "row_levels", "column_number_cell"],
             "tables.yaml")
    for i, pattern in enumerate([tb["unit_line"], tb["column_number_cell"], *tb["row_levels"]]):
        _compile(pattern, f"tables.yaml pattern {i}")
    _check_places(raw["places"])
    _check_indicators(raw["indicators"])
    _require(raw["allocations"], ["excluded_measures", "state_budget_sources", "mixed_measure", "mixed_measure_parts"],
             "allocations.yaml")
    for group in ("remove", "replace", "blank_lines"):
        for e in raw["artefacts"].get(group, []):
            _compile(e["pattern"], f"artefacts.yaml {e.get('name')}")
    return Rules(
        directory=base,
        raw=raw,
        label_styles=tuple(styles),
        typed_heads=tuple(heads),
        letter_order=tuple(h["letter_order"]),
        kind_of_style=dict(h["kind_of_style"]),
        title_start=_compile(h["title_start"], "headings.yaml title_start"),
        roles=roles,
        funding_source=PhraseTable.build(m["funding_source"], "money.yaml funding_source"),
        capital_type=PhraseTable.build(m["capital_type"], "money.yaml capital_type"),
        measure=PhraseTable.build(m["measure"], "money.yaml measure"),
        comparators=PhraseTable.build(t["comparators"], "targets.yaml comparators"),
        comparators_after=PhraseTable.build(t.get("comparators_after", []), "targets.yaml comparators_after"),
        direction=PhraseTable.build(t["direction"], "targets.yaml direction"),
        programs_vocab=programs_vocab,
        fingerprint=digest.hexdigest(),
    )
