"""Plain text and Markdown: encoding detection, legacy Vietnamese fonts, NFC."""

from __future__ import annotations

import bisect
import codecs
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

import regex

from ..layout import ORDER_MARKS, WRAPPED_LINES, LayoutSettings, aligned_text_lines, text_settings
from .base import PageProblem, ReadError, SourceText
from .limits import DecodingLimits, InputLimits, listed

if TYPE_CHECKING:
    from ..rules import Rules

# Letters only Vietnamese uses (precomposed, NFC): their share tells a good decoding.
_VI_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
_WORD = regex.compile(r"\w+")


# Readings of a file are compared on its first characters: enough of them for any plan.
_SCORED_CHARS = 200_000
# ... which the first bytes hold in any of the encodings tried (up to 4 bytes a character).
_SAMPLE_BYTES = 4 * _SCORED_CHARS


def vietnamese_score(text: str, legacy: dict) -> float:
    """Higher is more like real Vietnamese: common words found, legacy-font debris and
    replacement characters counted against."""
    sample = text[:_SCORED_CHARS]
    common = set(legacy.get("common_words", []))
    words = _WORD.findall(unicodedata.normalize("NFC", sample).lower())
    hits = sum(map(common.__contains__, words))
    bad = sum(sample.count(c) for c in legacy["mojibake_chars"])
    letters = sum(map(_VI_LETTERS.__contains__, sample))
    return 3.0 * hits + 0.01 * letters - 0.5 * bad - 5.0 * sample.count("\ufffd")


def convert_tcvn3(text: str, table: dict[str, str]) -> str:
    """Every character of TEXT that TABLE maps replaced (one str.translate: a key of more
    than one character is no character of the text, and never matched)."""
    return text.translate({ord(k): v for k, v in table.items() if len(k) == 1})


def convert_vni(text: str, vni: dict) -> str:
    """VNI's two-byte letters joined: a marker character after a vowel puts its mark on it,
    whatever marks that vowel already carries; other characters are mapped one by one
    (convert_vni_plain, character by character, is the definition). The characters between
    two markers are translated in one step; only the markers are visited one at a time."""
    standalone: dict[str, str] = vni["standalone"]
    marks: dict[str, str] = vni["marks"]
    if any(len(v) != 1 for k, v in standalone.items() if len(k) == 1):
        return convert_vni_plain(text, vni)  # a run's translation is then not one element a character
    vowels = set(vni["vowels"])
    # one character for one: the text's characters mapped alone, at their own places
    mapped = text.translate({ord(k): v for k, v in standalone.items() if len(k) == 1})
    pieces: list[str] = []
    last = ""  # the last element (a character, or a vowel with its marks), not yet in pieces
    pos = 0
    for at in _marker_pattern("".join(k for k in marks if len(k) == 1)).finditer(text):
        i = at.start()
        if i > pos:
            pieces.append(last)
            pieces.append(mapped[pos : i - 1])
            last = mapped[i - 1]
        ch = text[i]
        if last and unicodedata.normalize("NFD", last)[0] in vowels:
            last = unicodedata.normalize("NFC", last + marks[ch])
        else:
            pieces.append(last)
            last = standalone.get(ch, ch)
        pos = i + 1
    pieces.append(last)
    pieces.append(mapped[pos:])
    return "".join(pieces)


def convert_vni_plain(text: str, vni: dict) -> str:
    standalone: dict[str, str] = vni["standalone"]
    marks: dict[str, str] = vni["marks"]
    vowels = set(vni["vowels"])
    out: list[str] = []
    for ch in text:
        # a marker joins the vowel before it, whatever marks that vowel already carries
        if out and ch in marks and unicodedata.normalize("NFD", out[-1])[0] in vowels:
            out[-1] = unicodedata.normalize("NFC", out[-1] + marks[ch])
        elif ch in standalone:
            out.append(standalone[ch])
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=8)
def _marker_pattern(markers: str) -> re.Pattern[str]:
    """One of the MARKERS (never matching when there is none)."""
    return re.compile(f"[{re.escape(markers)}]" if markers else r"(?!)")


def decode_bytes(data: bytes, legacy: dict) -> tuple[str, str]:
    """Return (text, what was detected). Never raises on odd bytes: the best guess wins.
    UTF-8 with a few invalid bytes stays UTF-8 (they become U+FFFD) unless a legacy
    decoding reads better as a whole. The readings are compared on a sample and only the
    winner decodes the whole file, so a big file is decoded once, not five times."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        strict = data.decode("utf-8")
        readings: list[tuple[str, Callable[[bytes], str]]] = [("utf-8", _utf8)]
    except UnicodeDecodeError:
        strict = None
        readings = [("utf-8", _utf8), ("cp1258", _cp1258), ("cp1252", _cp1252)]
    cut = data.rfind(b"\n", 0, _SAMPLE_BYTES) + 1 if len(data) > _SAMPLE_BYTES else len(data)
    sample = data[: cut or _SAMPLE_BYTES]
    texts = [decode(sample) for _, decode in readings]
    # legacy fonts survive any byte decoding: try their conversions when their debris shows
    base_name, base_decode = readings[-1]
    base = texts[-1][:_SCORED_CHARS]
    if sum(base.count(c) for c in legacy["mojibake_chars"]) >= max(3, len(base) // 500):
        readings.append((f"{base_name}+tcvn3", lambda b: convert_tcvn3(base_decode(b), legacy["tcvn3"])))
        readings.append(
            (
                f"{base_name}+vni",
                lambda b: unicodedata.normalize("NFC", convert_vni(base_decode(b), legacy["vni"])),
            )
        )
        texts += [decode(sample) for _, decode in readings[-2:]]
    # the most Vietnamese reading wins; ties keep the earliest, i.e. the plainest reading
    # (a single reading is not scored: it wins whatever its score)
    best = (
        0
        if len(readings) == 1
        else max(range(len(readings)), key=lambda i: (vietnamese_score(texts[i], legacy), -i))
    )
    name, decode = readings[best]
    if len(sample) == len(data):
        return texts[best], name
    return (strict if name == "utf-8" and strict is not None else decode(data)), name


def _utf8(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _cp1258(data: bytes) -> str:
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


def _cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="replace")


# One well-formed UTF-8 character (RFC 3629: no overlongs, no surrogates, up to U+10FFFF).
_UTF8_RUN = re.compile(
    rb"(?:[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})+"
)
# Control bytes that text does not hold (tab, line feed, vertical tab, form feed, carriage
# return and NUL excepted: NUL is dropped separately).
_CONTROL_BYTES = bytes([*range(1, 9), *range(14, 32), 127])


@dataclass(frozen=True)
class BytePositions:
    count: int
    first: list[int]  # the first few, 0-based offsets in the file

    def __bool__(self) -> bool:
        return self.count > 0


def invalid_utf8(data: bytes, shown: int) -> BytePositions:
    """The bytes of DATA that are not part of a well-formed UTF-8 character."""
    first: list[int] = []
    count, position = 0, 0
    for run in _UTF8_RUN.finditer(data):
        count += run.start() - position
        first.extend(range(position, min(run.start(), position + shown - len(first))))
        position = run.end()
    count += len(data) - position
    first.extend(range(position, min(len(data), position + shown - len(first))))
    return BytePositions(count, first)


def _positions_of(data: bytes, byte: bytes, shown: int) -> BytePositions:
    first: list[int] = []
    at = data.find(byte)
    while at >= 0 and len(first) < shown:
        first.append(at)
        at = data.find(byte, at + 1)
    return BytePositions(data.count(byte), first)


def _original_positions(positions: list[int], removed: bytes, data: bytes) -> list[int]:
    """Offsets in DATA of POSITIONS (sorted) counted in DATA with the REMOVED byte taken out."""
    out, shift, at = [], 0, data.find(removed)
    for p in positions:
        while at >= 0 and at <= p + shift:
            shift += 1
            at = data.find(removed, at + 1)
        out.append(p + shift)
    return out


def _looks_utf16(data: bytes, decoding: DecodingLimits) -> str | None:
    """UTF-16 without a byte-order mark: many NULs, nearly all on one side of the byte pairs
    (Latin text in UTF-16 has a zero high byte); NUL padding or stray NULs are not."""
    nuls = data.count(b"\x00")
    if len(data) < 4 or nuls < decoding.utf16_min_nul_share * len(data):
        return None
    odd = data[1::2].count(b"\x00")
    if odd >= decoding.utf16_min_nul_parity * nuls:
        return "utf-16-le"
    if nuls - odd >= decoding.utf16_min_nul_parity * nuls:
        return "utf-16-be"
    return None


def read_text(data: bytes, fmt: str, rules: Rules) -> SourceText:
    limits = InputLimits.from_rules(rules)
    shown = limits.max_reported_positions
    if not data.replace(b"\x00", b"").strip():
        raise ReadError("the file is empty" if not data.strip() else "the file holds only NUL bytes")
    problems: list[PageProblem] = []
    utf16 = (
        None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        else _looks_utf16(data, limits.decoding)
    )
    if utf16:
        text, encoding = data.decode(utf16, errors="replace"), utf16
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = decode_bytes(data, rules.section("legacy_encodings"))
    else:
        original = data
        nuls = _positions_of(data, b"\x00", shown)
        if nuls:
            data = data.replace(b"\x00", b"")
            problems.append(
                PageProblem(
                    "encoding_repaired",
                    None,
                    f"{nuls.count} NUL byte(s) removed ({listed(nuls.first, nuls.count)})",
                )
            )
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
        if controls > limits.decoding.max_control_share * len(data):
            raise ReadError(
                f"the file holds binary data, not text ({controls:,} of its {len(data):,} bytes are "
                f"control characters)"
            )
        text, encoding = decode_bytes(data, rules.section("legacy_encodings"))
        # UTF-8 read with replacement: a text without U+FFFD had no invalid byte to replace
        if encoding in ("utf-8", "utf-8-sig") and "\ufffd" in text:
            bad = invalid_utf8(data, shown)
            if bad:
                where = _original_positions(bad.first, b"\x00", original) if nuls else bad.first
                problems.append(
                    PageProblem(
                        "encoding_repaired",
                        None,
                        f"{bad.count} byte(s) that are not valid UTF-8 replaced by U+FFFD "
                        f"({listed(where, bad.count)}); the rest of the file read as UTF-8",
                    )
                )
    text = unicodedata.normalize("NFC", text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # a table aligned with spaces (a text export of a PDF or a spreadsheet) reads as a
    # table: its column gaps become tabs, every character keeping its column
    lines = _aligned(lines, text_settings(rules))
    notes = [f"encoding: {encoding}"]
    if text.count("\ufffd") > 0:
        notes.append(f"{text.count(chr(0xFFFD))} undecodable bytes replaced")
    return SourceText(
        lines=lines,
        pages=[None] * len(lines),
        format=fmt,
        method="text",
        encoding=encoding,
        notes=notes,
        problems=problems,
    )


def _aligned(lines: list[str], settings: LayoutSettings) -> list[str]:
    """aligned_text_lines over the lines after one that may hold two phrases: a table
    region starts at such a line and reaches at most WRAPPED_LINES lines of one phrase
    past one (its scan looks one line further), so other lines are never in a region, and
    the scan over each window of candidates finds the regions the scan over every line
    would."""
    candidates = _may_split(lines, settings.min_gap)
    if not candidates:
        return lines
    reach = WRAPPED_LINES + 2
    windows: list[list[int]] = []
    for i in candidates:
        a, b = i, min(len(lines), i + reach)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = b
        else:
            windows.append([a, b])
    out = list(lines)
    for a, b in windows:
        out[a:b] = aligned_text_lines(lines[a:b], settings)
    return out


def _may_split(lines: list[str], min_gap: float) -> list[int]:
    """The lines (without a tab) that layout.phrases may cut in two, tokens being runs of
    non-space: a gap of MIN_GAP spaces or more between two tokens, a token without a
    letter or digit (a speck, left out, widening the gap around it; an order mark alone is
    kept), or two figures side by side. Every line of two phrases or more is one; some
    others are too. Found in one pass over the text per pattern (none crosses a line)."""
    text = "\n".join(lines)
    starts = list(accumulate(len(line) + 1 for line in lines))  # where each next line starts
    found = set()
    for pattern in _split_patterns(min_gap):
        for m in pattern.finditer(text):
            found.add(bisect.bisect_right(starts, m.start()))
    return sorted(i for i in found if "\t" not in lines[i])


@lru_cache(maxsize=8)
def _split_patterns(min_gap: float) -> tuple[regex.Pattern, ...]:
    wide = max(1, math.ceil(min_gap))
    marks = regex.escape("".join(sorted(ORDER_MARKS)))
    figure = r"[(]?\d[\d.,]*[)]?"
    return (
        regex.compile(rf"(?<=\S)[^\S\n]{{{wide},}}(?=\S)"),
        regex.compile(rf"(?<!\S)(?:[^\s\w]{{2,}}|[^\s\w{marks}])(?!\S)"),
        regex.compile(rf"(?<!\S){figure}[^\S\n]+{figure}(?!\S)"),
    )
