"""Plain text and Markdown: encoding detection, legacy Vietnamese fonts, NFC."""
from __future__ import annotations

import codecs
import unicodedata

import regex

from ..layout import aligned_text_lines, text_settings
from .base import ReadError, SourceText

# Letters only Vietnamese uses (precomposed, NFC): their share tells a good decoding.
_VI_LETTERS = regex.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def vietnamese_score(text: str, legacy: dict) -> float:
    """Higher is more like real Vietnamese: common words found, legacy-font debris and
    replacement characters counted against."""
    sample = text[:200_000]
    common = set(legacy.get("common_words", []))
    words = regex.findall(r"\w+", unicodedata.normalize("NFC", sample).lower())
    hits = sum(1 for w in words if w in common)
    bad = sum(sample.count(c) for c in legacy["mojibake_chars"])
    return 3.0 * hits + 0.01 * len(_VI_LETTERS.findall(sample)) - 0.5 * bad - 5.0 * sample.count("\ufffd")


def convert_tcvn3(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in text)


def convert_vni(text: str, vni: dict) -> str:
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


def decode_bytes(data: bytes, legacy: dict) -> tuple[str, str]:
    """Return (text, what was detected). Never raises on odd bytes: the best guess wins."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:
        # UTF-16 without BOM: every other byte is zero for Latin text
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc, errors="replace"), enc
    try:
        candidates = [(data.decode("utf-8"), "utf-8")]
    except UnicodeDecodeError:
        candidates = [(unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")), "cp1258"),
                      (data.decode("cp1252", errors="replace"), "cp1252")]
    # legacy fonts survive any byte decoding: try their conversions when their debris shows
    base_text, base_name = candidates[-1]
    sample = base_text[:200_000]
    if sum(sample.count(c) for c in legacy["mojibake_chars"]) >= max(3, len(sample) // 500):
        candidates.append((convert_tcvn3(base_text, legacy["tcvn3"]), f"{base_name}+tcvn3"))
        candidates.append((unicodedata.normalize("NFC", convert_vni(base_text, legacy["vni"])), f"{base_name}+vni"))
    # the most Vietnamese reading wins; ties keep the earliest, i.e. the plainest reading
    best = max(range(len(candidates)), key=lambda i: (vietnamese_score(candidates[i][0], legacy), -i))
    return candidates[best]


def read_text(data: bytes, fmt: str, rules) -> SourceText:
    if not data.strip():
        raise ReadError("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            and data.count(b"\x00") < len(data) // 4:
        raise ReadError("the file holds binary data, not text")
    text, encoding = decode_bytes(data, rules.section("legacy_encodings"))
    text = unicodedata.normalize("NFC", text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # a table aligned with spaces (a text export of a PDF or a spreadsheet) reads as a
    # table: its column gaps become tabs, every character keeping its column
    lines = aligned_text_lines(lines, text_settings(rules))
    notes = [f"encoding: {encoding}"]
    if text.count("\ufffd") > 0:
        notes.append(f"{text.count(chr(0xFFFD))} undecodable bytes replaced")
    return SourceText(lines=lines, pages=[None] * len(lines), format=fmt, method="text",
                      encoding=encoding, notes=notes)
