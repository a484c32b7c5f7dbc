"""Load and validate the rule files in rules/ (YAML). The code only applies them.

Rules are loaded once per process (cached by overlay directory) and are immutable
afterwards. Every file is validated against its schema (rules_schema.py: unknown keys,
wrong types, patterns that do not compile, enum values the contract does not know), so a
malformed rule file stops the run at start-up with the file and key named, never half-way
through a batch.

Overlays: `--rules DIR` (or KEHOACH_RULES) adds to or overrides the bundled rules file by
file and key by key (`merge_rules`), so a user adds one funding term without copying
twelve files.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import regex
import yaml

from .textnorm import fold

# libyaml's parser when PyYAML was built with it (the same documents, ten times faster than
# the pure-Python one; the constructor, and so every value, is the safe loader's either way)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RULE_FILES = (
    "headings",
    "roles",
    "money",
    "targets",
    "artefacts",
    "documents",
    "gazetteer",
    "agencies",
    "programs",
    "legacy_encodings",
    "tables",
    "ocr",
    "inputs",
    "places",
    "indicators",
    "allocations",
)


class RuleError(ValueError):
    """A rule file is missing, unreadable or malformed."""


def default_rules_dir() -> Path:
    """The bundled rules: rules/ of a checkout, or the copy inside an installed wheel."""
    package = Path(__file__).resolve().parent
    source_tree = package.parent / "rules"  # a checkout (or an editable install)
    return source_tree if (source_tree / "money.yaml").is_file() else package / "rules_data"  # a wheel


class Hit(NamedTuple):
    """A phrase table's entry that matched, and the rule that fired, as `kehoach show
    --why` prints it: the file and key, the entry's value, the phrase as the file writes it
    (`money.yaml funding_source[central] "nstw"`)."""

    value: str
    rule: str


@dataclass(frozen=True)
class PhraseTable:
    """Ordered (value, phrases) entries; the first entry with a phrase in the text wins."""

    entries: tuple[tuple[str, tuple[str, ...], regex.Pattern], ...]
    where: str = ""  # the file and key the entries come from ("money.yaml funding_source")
    written: tuple[dict[str, str], ...] = ()  # per entry: folded phrase -> as the file writes it

    @classmethod
    def build(cls, items: list[dict], where: str, key: str = "phrases") -> "PhraseTable":
        entries = []
        written = []
        for i, item in enumerate(items):
            if "value" not in item or key not in item:
                raise RuleError(f"{where}[{i}]: needs 'value' and '{key}'")
            phrases = tuple(fold(p) for p in item[key])
            entries.append((item["value"], phrases, phrase_regex(phrases)))
            written.append({fold(p): p for p in reversed(item[key])})
        return cls(tuple(entries), where, tuple(written))

    def first(self, folded_text: str) -> str | None:
        for value, _, pattern in self.entries:
            if pattern.search(folded_text):
                return value
        return None

    def first_hit(self, folded_text: str) -> Hit | None:
        """`first`, with the rule that fired."""
        for i, (value, _, pattern) in enumerate(self.entries):
            m = pattern.search(folded_text)
            if m:
                return Hit(value, self.rule(i, m.group()))
        return None

    def rule(self, i: int, folded_phrase: str) -> str:
        """How entry I's phrase FOLDED_PHRASE is named: file and key, value, phrase."""
        phrase = self.written[i].get(folded_phrase, folded_phrase) if i < len(self.written) else folded_phrase
        return f'{self.where}[{self.entries[i][0]}] "{phrase}"'

    def last_rule(self, folded_text: str) -> Hit | None:
        """`last_hit`, as the rule that fired."""
        best: tuple[int, int, str] | None = None
        for i, (_, _, pattern) in enumerate(self.entries):
            for m in pattern.finditer(folded_text):
                if best is None or m.end() > best[0]:
                    best = (m.end(), i, m.group())
        return Hit(self.entries[best[1]][0], self.rule(best[1], best[2])) if best else None

    def last_hit(self, folded_text: str) -> tuple[str, int] | None:
        """The value whose phrase occurs last in the text, with its end position."""
        best = None
        for value, _, pattern in self.entries:
            for m in pattern.finditer(folded_text):
                if best is None or m.end() > best[1]:
                    best = (value, m.end())
        return best


def ending_patterns(
    rules: Rules, valued_phrases: Iterable[tuple[str, Iterable[str]]]
) -> list[tuple[str, regex.Pattern]]:
    """Each value's folded phrases as a pattern ending the folded text before a figure,
    with at most one of targets.yaml's comparator_fillers between ("tối đa 40 triệu đồng",
    "tối thiểu là 80%")."""
    fillers = "|".join(
        regex.escape(fold(x))
        for x in sorted(rules.section("targets").get("comparator_fillers", []), key=len, reverse=True)
    )
    return [
        (
            value,
            regex.compile(
                rf"(?<!\w)(?:{'|'.join(regex.escape(p) for p in phrases)})(?:\s+(?:{fillers}))?\s*$"
            ),
        )
        for value, phrases in valued_phrases
    ]


def comparator_end_patterns(rules: Rules) -> list[tuple[str, regex.Pattern]]:
    """The comparators (targets.yaml) right before a figure; amounts and targets share them."""
    return ending_patterns(rules, ((value, phrases) for value, phrases, _ in rules.comparators.entries))


def phrase_regex(phrases: Iterable[str], flags: int = 0, *, at_end: bool = False) -> regex.Pattern:
    """Whole-word alternation of phrases (folded, to match folded text), longest first;
    never matches when there are none. AT_END: only a phrase ending the text (trailing
    spaces aside), as a role word right before a name.

    >>> phrase_regex(["chu tri", "chu"]).search("don vi chu tri: so tai chinh")[0]
    'chu tri'
    >>> phrase_regex(["phoi hop voi"], at_end=True).search("phoi hop voi cac so ") is None
    True
    """
    alts = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(regex.escape(p) for p in alts) or r"(?!x)x"
    return regex.compile(rf"(?<![\w])(?:{body})(?![\w])" + (r"\s*$" if at_end else ""), flags)


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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleError(f"{path}: expected a mapping at the top level")
    return data


# Entries of a list of mappings are the same entry in an overlay when they agree on the
# first of these keys they have (a funding source's value, a label style's name, …).
_IDENTITY_KEYS = ("value", "name", "role", "kind", "unit", "number")


def merge_rules(base: Any, overlay: Any) -> Any:
    """OVERLAY laid over BASE: mappings merge key by key; lists of mappings merge entry by
    entry (same identity: merged, new: added at the end); lists of plain values gain the
    overlay's new values; anything else is replaced. A top-level `replace: true` in an
    overlay file replaces the bundled file whole."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = merge_rules(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(overlay, list):
        if all(isinstance(e, dict) for e in base + overlay):
            merged_list = list(base)
            for entry in overlay:
                key = next((k for k in _IDENTITY_KEYS if k in entry), None)
                match = next((i for i, e in enumerate(merged_list) if key and e.get(key) == entry[key]), None)
                if match is None:
                    merged_list.append(entry)
                else:
                    merged_list[match] = merge_rules(merged_list[match], entry)
            return merged_list
        return list(base) + [v for v in overlay if v not in base]
    return overlay


def overlay_dir(directory: str | Path | None) -> Path | None:
    if directory:
        return Path(directory)
    env = os.environ.get("KEHOACH_RULES")
    return Path(env) if env else None


def read_rule_files(directory: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Every rules file, bundled with the overlay of DIRECTORY (or KEHOACH_RULES) laid over
    it, validated against its schema with defaults filled in."""
    from .rules_schema import validate_rule_file  # pydantic: only where rules are validated

    base = default_rules_dir()
    overlay = overlay_dir(directory)
    if overlay is not None:
        if not overlay.is_dir():
            raise RuleError(f"rules overlay {overlay}: no such folder")
        unknown = sorted(p.name for p in overlay.glob("*.yaml") if p.stem not in RULE_FILES)
        if unknown:
            raise RuleError(
                f"rules overlay {overlay}: unknown rules file {', '.join(unknown)} "
                f"(the files are {', '.join(f + '.yaml' for f in RULE_FILES)})"
            )
    raw = {}
    for name in RULE_FILES:
        data = _read_yaml(base / f"{name}.yaml")
        if overlay is not None and (overlay / f"{name}.yaml").is_file():
            extra = _read_yaml(overlay / f"{name}.yaml")
            data = (
                {k: v for k, v in extra.items() if k != "replace"}
                if extra.get("replace") is True
                else merge_rules(data, extra)
            )
        try:
            raw[name] = validate_rule_file(name, data)
        except ValueError as exc:
            where = (
                f" (with the overlay {overlay / (name + '.yaml')})"
                if overlay is not None and (overlay / f"{name}.yaml").is_file()
                else ""
            )
            raise RuleError(f"{exc}{where}") from None
    return raw


def _cross_check(raw: dict[str, dict[str, Any]]) -> None:
    """What one file's schema cannot see: references between entries."""
    places = raw["places"]
    for name, entry in places["provinces"].items():
        if entry["province_2025"] not in places["provinces_2025"]:
            raise RuleError(
                f"places.yaml: provinces.{name}.province_2025: {entry['province_2025']!r} "
                f"is not in provinces_2025"
            )
    codes = [e["code"] for e in raw["indicators"]["indicators"]]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise RuleError(f"indicators.yaml: indicators: code {', '.join(twice)} is listed twice")
    headings = raw["headings"]
    for style in headings["label_styles"]:
        if style["name"] not in headings["kind_of_style"]:
            raise RuleError(f"headings.yaml: kind_of_style has no entry for style {style['name']!r}")


@dataclass(frozen=True, eq=False)
class CheckedRules:
    """The rule files read, validated and cross-checked, as plain data, with their
    fingerprint: what a batch's parent needs (the pipeline version, the allocations
    section of the derived tables) without compiling the rules for extraction. Compared
    and hashed by identity (a cache key of the process that holds them)."""

    directory: Path
    raw: dict[str, Any] = field(repr=False)
    fingerprint: str  # sha256 of the rules as read: output depends on them as on the code

    def section(self, name: str) -> dict[str, Any]:
        return self.raw[name]


@lru_cache(maxsize=4)
def check_rules(directory: str | Path | None = None) -> CheckedRules:
    """The rules of DIRECTORY (see read_rule_files), checked: a malformed file raises
    RuleError naming the file and key."""
    raw = read_rule_files(directory)
    _cross_check(raw)
    digest = hashlib.sha256()
    for name in RULE_FILES:  # the rules as read (bundled and overlay), not their files' bytes
        digest.update(
            name.encode()
            + b"\0"
            + json.dumps(raw[name], sort_keys=True, ensure_ascii=False, default=str).encode()
        )
    return CheckedRules(overlay_dir(directory) or default_rules_dir(), raw, digest.hexdigest())


@lru_cache(maxsize=4)
def load_rules(directory: str | Path | None = None) -> Rules:
    """The rules of DIRECTORY, checked (check_rules) and compiled."""
    return compile_rules(check_rules(directory))


def compile_rules(checked: CheckedRules) -> Rules:
    """CHECKED's patterns and phrase tables compiled for extraction."""
    raw = checked.raw
    # the files are validated (rules_schema.py) and cross-checked; what is left is compiling
    h = raw["headings"]
    styles = [
        LabelStyle(
            s["name"],
            _compile(s["pattern"], f"headings.yaml {s['name']}"),
            s["rank"],
            s["depth_from"],
            s["needs_title"],
        )
        for s in h["label_styles"]
    ]
    heads = [
        TypedHead(
            t["kind"],
            t["rank"],
            _compile(t["pattern"], f"headings.yaml {t['kind']}", regex.IGNORECASE if t["ignore_case"] else 0),
            t["max_length"],
        )
        for t in h["typed_heads"]
    ]
    roles = PhraseTable.build(
        [{"value": r["role"], "phrases": r["phrases"]} for r in raw["roles"]["roles"]], "roles.yaml roles"
    )
    m = raw["money"]
    t = raw["targets"]
    progs = raw["documents"]["programs"]
    programs_vocab = PhraseTable.build(
        [{"value": k, "phrases": v} for k, v in progs.items()], "documents.yaml programs"
    )
    return Rules(
        directory=checked.directory,
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
        comparators_after=PhraseTable.build(t["comparators_after"], "targets.yaml comparators_after"),
        direction=PhraseTable.build(t["direction"], "targets.yaml direction"),
        programs_vocab=programs_vocab,
        fingerprint=checked.fingerprint,
    )
