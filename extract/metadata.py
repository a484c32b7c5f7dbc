"""Document metadata for the `documents` table: number, type, issuer, level, place,
date, plan year, programs, title, signer. Vocabulary and patterns: rules/documents.yaml
and rules/gazetteer.yaml."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import regex

from .document import Line
from .places import Places
from .textnorm import fold, words

if TYPE_CHECKING:
    from .rules import Rules

HEADER_LINES = 40


@dataclass
class Metadata:
    doc_number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    admin_level: str | None = None
    province: str | None = None
    district: str | None = None
    issue_date: dt.date | None = None
    plan_year: int | None = None
    programs: list[str] = field(default_factory=list)
    title: str | None = None
    signer: str | None = None
    plan_id: str | None = None
    province_code: str | None = None
    province_2025: str | None = None
    province_2025_code: str | None = None
    included_in_higher_level: bool | None = None


@dataclass(frozen=True)
class Gazetteer:
    provinces: dict[str, list[str]]
    province_patterns: dict[str, regex.Pattern]
    district_patterns: list[tuple[str, str, regex.Pattern]]  # (district, province, pattern)
    province_word: str  # folded alternation of "tỉnh" and the like
    # One pass and a dictionary instead of every pattern over the text: a name's pattern can
    # match only where its first word stands as a whole word of the text (after a district
    # word, for a district). Names that do not start with a word are always tried.
    district_keys: tuple[str, ...] = ()  # the folded name of each district_patterns entry
    district_after_word: tuple[regex.Pattern, ...] = ()  # each district word, then the word after it
    district_by_first_word: dict[str, tuple[int, ...]] = field(default_factory=dict)
    province_first_words: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    province_after_word: dict[str, regex.Pattern] = field(default_factory=dict)  # "tỉnh X"
    province_word_then: tuple[regex.Pattern, ...] = ()  # each province word, then the word after it

    @classmethod
    def from_rules(cls, rules: Rules) -> "Gazetteer":
        g = rules.section("gazetteer")
        aliases = g.get("province_aliases", {})
        provinces = {p: list(d or []) for p, d in g["provinces"].items()}
        pp, pfirst = {}, {}
        for p in provinces:
            names = [p] + list(aliases.get(p, []))
            body = "|".join(regex.escape(fold(n)) for n in sorted(names, key=len, reverse=True))
            pp[p] = regex.compile(rf"(?<!\w)(?:{body})(?!\w)")
            pfirst[p] = tuple(_first_word(fold(n)) for n in names)
        # the words are folded like the text they are matched in
        district_words = "|".join(regex.escape(fold(w)) for w in g["district_words"])
        province_word = "|".join(regex.escape(fold(w)) for w in g["province_words"])
        after_word = {
            p: regex.compile(rf"(?:{province_word})\s+{pattern.pattern}") for p, pattern in pp.items()
        }
        dp: list[tuple[str, str, regex.Pattern]] = []
        keys: list[str] = []
        by_first: dict[str, list[int]] = {}
        for p, districts in provinces.items():
            for d in districts:
                by_first.setdefault(_first_word(fold(d)) or "", []).append(len(dp))
                dp.append((d, p, regex.compile(rf"(?:{district_words})\s+{regex.escape(fold(d))}(?!\w)")))
                keys.append(fold(d))
        word_then = tuple(regex.compile(rf"(?:{regex.escape(fold(w))})\s+(\w+)") for w in g["district_words"])
        province_then = tuple(
            regex.compile(rf"(?:{regex.escape(fold(w))})\s+(\w+)") for w in g["province_words"]
        )
        return cls(
            provinces,
            pp,
            dp,
            province_word,
            tuple(keys),
            word_then,
            {w: tuple(ids) for w, ids in by_first.items()},
            pfirst,
            after_word,
            province_then,
        )

    def districts_in(self, scope: str) -> set[int]:
        """The district_patterns entries that may match in SCOPE (every one that does)."""
        found = set(self.district_by_first_word.get("", ()))
        for pattern in self.district_after_word:
            for m in pattern.finditer(scope, overlapped=True):
                found.update(self.district_by_first_word.get(m.group(1), ()))
        return found

    def words_after_province_word(self, scope: str) -> set[str]:
        """The words that follow a province word ("tỉnh") in SCOPE, one pass per province
        word: province_after_word[p] can match only where one of p's names starts with such
        a word (or with no word)."""
        return {
            m.group(1)
            for pattern in self.province_word_then
            for m in pattern.finditer(scope, overlapped=True)
        }


_LEADING_WORD = regex.compile(r"\w+")


def _first_word(key: str) -> str | None:
    """The word KEY starts with (None when it starts with no word character)."""
    m = _LEADING_WORD.match(key)
    return m.group() if m else None


def extract_metadata(lines: list[Line], rules: Rules, gazetteer: Gazetteer, places: Places) -> Metadata:
    d = rules.section("documents")
    meta = Metadata()
    texts = [ln.clean for ln in lines]
    header = _number_apart(_columns_apart(_spaced_columns(texts[:HEADER_LINES], d)), d)
    head = "\n".join(header)
    # folded line by line (the same text: fold collapses white space, and no word or
    # composed character spans a line break): a line that is a paragraph of its own is then
    # folded once for every extractor that reads it
    folded_full = " ".join(f for f in map(fold, texts) if f)

    m = regex.search(d["doc_number"], head)
    if m:
        number = "".join(m["num"].split())  # "09/2025" in a resolution's number
        meta.doc_number = f"{number}/{m['type']}-{m['issuer']}"
        meta.doc_type = m["type"] if m["type"] in d["doc_types"] else None
    m = regex.search(d["issue_date"], head)
    if m:
        if m["d"] and m["m"]:
            try:
                meta.issue_date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                meta.issue_date = None
        issue_year = int(m["y"])
    else:
        issue_year = None

    title_idx = _title_line(texts, d)
    if meta.doc_type is None and title_idx is not None:
        word = _letters_only(texts[title_idx])
        meta.doc_type = next(
            (code for code, names in d["doc_type_titles"].items() if any(word == fold(n) for n in names)),
            None,
        )
    meta.title = _title(texts, title_idx, d["preamble_openers"])

    meta.admin_level, level_word, header_name, body = _issuer_level(header + texts[HEADER_LINES:], d)
    meta.province, meta.district = _place(
        folded_full, fold(meta.title or ""), header_name, meta.admin_level, gazetteer, fold(head)
    )
    place = meta.district if meta.admin_level == "district" else meta.province
    if meta.admin_level and place:
        meta.issuer = f"{body} {level_word} {place}"
    # a document whose title names a period and no year of its own ("… giai đoạn 2021 -
    # 2025": a resolution on norms) has no plan year; otherwise its year is its issue year
    period = regex.search(d["title_period"], meta.title or "") if d.get("title_period") else None
    meta.plan_year = _plan_year(meta.title or "") or (None if period else issue_year)
    meta.programs = _programs(folded_full, fold(meta.title or ""), rules)
    meta.signer = _signer(texts, d["signer_titles"])
    codes = places.place(meta.province, meta.issue_date)
    meta.province_code, meta.province_2025, meta.province_2025_code = (
        codes.province_code,
        codes.province_2025,
        codes.province_2025_code,
    )
    if meta.admin_level in ("district", "commune") and places.says_included(folded_full):
        meta.included_in_higher_level = True
    meta.plan_id = plan_id(meta.issuer, meta.doc_number, meta.title, meta.issue_date)
    return meta


def reports_results(meta: Metadata, rules: Rules) -> bool:
    """Does the document report what was done rather than plan it? A report (documents.yaml
    report_types), or a text with neither a number nor a type (a news page, a portal
    article): there, a figure no word marks as an aim or a rule is a result."""
    if meta.doc_type is None:
        return meta.doc_number is None
    return meta.doc_type in rules.section("documents").get("report_types", [])


def plan_id(
    issuer: str | None, doc_number: str | None, title: str | None, issue_date: dt.date | None
) -> str | None:
    """The same plan in any format: its issuer, number and date, or lacking a number, its
    issuer, title and date, normalised (folded words) and hashed. None when the document
    says too little to tell it from another plan."""
    number = "".join(doc_number.upper().split()) if doc_number and doc_number[:1].isdigit() else None
    if issuer is None or issue_date is None:
        return None
    # a number is never empty (it starts with a digit): without one, the title stands in
    if number:
        what = f"no:{number}"
    elif title:
        what = "title:" + " ".join(words(title))
    else:
        return None
    key = "\0".join([" ".join(words(issuer)), what, issue_date.isoformat()])
    return "p" + hashlib.sha256(key.encode()).hexdigest()[:15]


def _spaced_columns(texts: list[str], d: dict[str, Any]) -> list[str]:
    """Header lines laid out in two columns with spaces (a text export: issuer and number
    on the left, motto, place and date far to the right) as tab-joined cells, so that
    _columns_apart reads each column on its own. A line splits at its widest run of at
    least `header_column_gap` spaces when the text after it starts at or past
    `header_right_column` of the widest such line; a line indented that far is a cell of
    the right column. Only a block of at least two such lines is taken for columns, so a
    blank left for the number ("Số:     /KH-UBND") or a wide gap in prose is not."""
    gap = int(d.get("header_column_gap", 0))
    if gap <= 0:
        return texts
    # the width of the lines that may stand in columns (a wide gap or a deep indent), not of
    # the body's paragraphs, which a text export may leave unwrapped
    spaced = regex.compile(rf"\S {{{gap},}}\S|^ {{{gap},}}\S")
    width = max((len(t.rstrip()) for t in texts if spaced.search(t)), default=0)
    right_from = float(d.get("header_right_column", 0.3)) * width
    cells: list[str | None] = []
    for text in texts:
        cells.append(_spaced_cells(text, gap, right_from) if "\t" not in text else None)
    out = list(texts)
    k = 0
    while k < len(texts):
        if cells[k] is None:
            k += 1
            continue
        end = k
        while end < len(texts) and cells[end] is not None:
            end += 1
        run = [c for c in cells[k:end] if c is not None]  # every cell of the run (none is None)
        if sum(1 for c in run if c and not c.startswith("\t")) >= 1 and end - k >= 2:
            out[k:end] = run
        k = end
    return out


def _spaced_cells(text: str, gap: int, right_from: float) -> str | None:
    """TEXT as "left\tright" (or "\tright" for a line indented to the right column), or
    None when it does not stand in two columns."""
    stripped = text.strip()
    if not stripped:
        return None
    indent = len(text) - len(text.lstrip())
    gaps = [m for m in regex.finditer(rf"(?<=\S) {{{gap},}}(?=\S)", text)]
    if gaps:
        widest = max(gaps, key=lambda m: (len(m.group()), m.start()))
        if widest.end() >= right_from:
            return f"{text[: widest.start()].strip()}\t{text[widest.end() :].strip()}"
    if indent >= right_from and indent >= gap:
        return f"\t{stripped}"
    return None


def _number_apart(texts: list[str], d: dict[str, Any]) -> list[str]:
    """A header line holding the number and, after it, the place and date (two columns a
    PDF or scan put on one line without a wide gap) as two lines."""
    number = regex.compile(d["doc_number"])
    out: list[str] = []
    for text in texts:
        m = number.match(text)
        rest = text[m.end() :].strip() if m else ""
        if rest and regex.match(d["issue_date"], rest):
            out.extend([text[: m.end()].strip(), rest])
        else:
            out.append(text)
    return out


def _columns_apart(texts: list[str]) -> list[str]:
    """The header lines with each block of tab-joined lines (a header laid out in two
    columns: issuer and number on the left, motto, place and date on the right) read one
    column at a time, top to bottom, so that each column's lines follow one another."""
    out: list[str] = []
    block: list[list[str]] = []
    for text in texts + [""]:
        if "\t" in text:
            block.append(text.split("\t"))
            continue
        width = max((len(row) for row in block), default=0)
        out.extend(row[c].strip() for c in range(width) for row in block if c < len(row) and row[c].strip())
        block = []
        out.append(text.strip())  # a line indented to the right column reads from its text
    return out[:-1]


def _title_line(texts: list[str], d: dict[str, Any]) -> int | None:
    names = {fold(n) for ns in d["doc_type_titles"].values() for n in ns}
    for i, t in enumerate(texts[:HEADER_LINES]):
        if _letters_only(t) in names:
            return i
    return None


def _letters_only(text: str) -> str:
    """The folded words of TEXT without the specks a scan puts around them ("KẾ HOẠCH -")."""
    return fold(" ".join(regex.findall(r"\p{L}+", unicodedata.normalize("NFC", text))))


def _title(texts: list[str], idx: int | None, preamble_openers: list[str]) -> str | None:
    """The lines after "KẾ HOẠCH" up to a blank line or the preamble."""
    if idx is None:
        return None
    opener = regex.compile(r"^(?:" + "|".join(regex.escape(fold(w)) for w in preamble_openers) + r")(?!\w)")
    parts: list[str] = []
    for t in texts[idx + 1 : idx + 12]:
        if not t:
            if parts:
                break
            continue
        if parts and opener.match(fold(t)):
            break
        parts.append(t)
    return " ".join(" ".join(parts).split()) or None


def _issuer_level(texts: list[str], d: dict[str, Any]) -> tuple[str | None, str | None, str | None, str]:
    """(admin level, its word, the place the header names, the body's short name: UBND, HĐND)."""
    levels = {fold(k): v for k, v in d["admin_levels"].items()}
    # the motto and the rules under the names stand between the issuer's lines when the two
    # columns of a PDF or scan interleave ("ỦY BAN NHÂN DÂN" / "CỘNG HÒA …" / "TỈNH …")
    motto = "|".join(regex.escape(m) for m in d.get("header_motto", []))
    header = " ".join(texts[:12])
    if motto:
        header = regex.sub(rf"(?i)(?:{motto})|-{{3,}}", " ", header)
    for spec in d["issuer_patterns"]:
        source = header if spec["kind"] == "header" else "\n".join(texts)
        m = regex.search(spec["pattern"], source)
        if m:
            word = m["level"].lower()
            name = m.groupdict().get("name")
            if name:
                # the place ends where the column's rule or the motto begins
                name = regex.split(r"\s{2,}|\s-{2,}|CỘNG HÒA|CỘNG HOÀ", name)[0].strip().title()
            return levels.get(fold(word)), word, name, spec.get("body", "UBND")
    return None, None, None, "UBND"


def _place(
    folded_full: str,
    folded_title: str,
    header_name: str | None,
    level: str | None,
    gazetteer: Gazetteer,
    folded_head: str,
) -> tuple[str | None, str | None]:
    district = province = None
    if level in ("district", "commune"):  # only they are placed by a district
        district, province = _district(folded_full, folded_title, header_name, gazetteer, folded_head)
    if province is None:
        province = _province(folded_full, folded_title, folded_head, gazetteer)
    return province, district


def _district(
    folded_full: str, folded_title: str, header_name: str | None, gazetteer: Gazetteer, folded_head: str
) -> tuple[str | None, str | None]:
    """(district, its province) named in the title or header first, then the body."""
    folded_header = fold(header_name) if header_name else None
    named_in_header = {i for i, key in enumerate(gazetteer.district_keys) if key == folded_header}
    for scope in (folded_title, fold(header_name or ""), folded_head, folded_full):
        if not scope:
            continue
        counts: Counter[tuple[str, str]] = Counter()
        maybe = gazetteer.districts_in(scope)
        for i in sorted(maybe | named_in_header):  # the entries in order, as the counts were built
            name, prov, pattern = gazetteer.district_patterns[i]
            n = len(pattern.findall(scope)) if i in maybe else 0
            if i in named_in_header:
                n += 5
            if n:
                counts[(name, prov)] += n
        if counts:
            # an ambiguous district name goes to the province the document names most
            best = max(
                counts.items(),
                key=lambda kv: (kv[1], len(gazetteer.province_patterns[kv[0][1]].findall(folded_full))),
            )
            return best[0]
    return None, None


def _province(folded_full: str, folded_title: str, folded_head: str, gazetteer: Gazetteer) -> str | None:
    """The province named most: in the title (counted thrice), the head, or after a
    province word ("tỉnh X") in the text. A name's pattern is tried in a text only when the
    word it starts with is a word there (after a province word, for the text)."""
    province_counts: Counter[str] = Counter()
    in_title = set(_LEADING_WORD.findall(folded_title))
    in_head = set(_LEADING_WORD.findall(folded_head))
    after = gazetteer.words_after_province_word(folded_full)
    for prov, pattern in gazetteer.province_patterns.items():
        firsts = gazetteer.province_first_words[prov]
        n = 0
        if _may_start(firsts, in_title):
            n += 3 * len(pattern.findall(folded_title))
        if _may_start(firsts, in_head):
            n += len(pattern.findall(folded_head))
        if _may_start(firsts, after):
            n += len(gazetteer.province_after_word[prov].findall(folded_full))
        if n:
            province_counts[prov] = n
    return province_counts.most_common(1)[0][0] if province_counts else None


def _may_start(first_words: tuple[str | None, ...], words: set[str]) -> bool:
    """Can a name starting with one of FIRST_WORDS (None: with no word) stand among WORDS?"""
    return any(w is None or w in words for w in first_words)


def _plan_year(title: str) -> int | None:
    for m in regex.finditer(
        r"(?<!tháng\s\d{1,2}\s)(?<!đến\s)năm\s+((?:19|20)\d\d)(?!\s*[-–]\s*(?:19|20)\d\d)", title
    ):
        return int(m.group(1))
    return None


def _programs(folded_full: str, folded_title: str, rules: Rules) -> list[str]:
    d = rules.section("documents")
    in_title = [code for code, _, pattern in rules.programs_vocab.entries if pattern.search(folded_title)]
    if in_title:
        return in_title
    # no program in the title: those the body keeps coming back to, and those it names
    # nearly as often as the most named one (a news report on three programs that names
    # one of them more often covers all three; a page naming one program a few times is
    # about it)
    counts = {code: len(pattern.findall(folded_full)) for code, _, pattern in rules.programs_vocab.entries}
    most = max(counts.values(), default=0)
    return [
        code
        for code, n in counts.items()
        if n >= d["program_min_mentions"]
        or (n >= d.get("program_min_mentions_shared", n + 1) and n >= d.get("program_min_share", 1.0) * most)
    ]


_NAME = regex.compile(r"^(?:\p{Lu}\p{Ll}+\s+){1,4}\p{Lu}\p{Ll}+$")


def _signer(texts: list[str], titles: list[str]) -> str | None:
    tail = [t for t in texts if t and "\t" not in t][-25:]  # an appendix table's rows are not the signature
    for i, t in enumerate(tail):
        if any(title in t for title in titles):
            for cand in tail[i + 1 : i + 4]:
                if _NAME.match(cand.strip()):
                    return cand.strip()
    return None
