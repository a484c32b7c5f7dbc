"""Numbers written the Vietnamese way: '.' groups thousands, ',' marks decimals."""

from __future__ import annotations

from dataclasses import dataclass

import regex

# Everything a written number may look like in a plan, including typing and OCR noise:
# "122.854", "9.757,650", "267, 0" (space after the decimal comma), "1.O25" (letter O),
# "1.8,0" (malformed). Callers decide which matches are numbers at all.
#
# Linear time: a number starts only where no word character, separator or slash stands
# before it, and its quantifiers are possessive (what follows a number never starts with
# a digit, a letter read as a digit or a separator followed by one, so giving characters
# back could never help a caller's pattern); a letter counts as a digit only when a digit
# follows within LETTER_DIGIT_REACH letters or separators (OCR reads one or two digits as
# letters, never a long run), so the look-ahead of one letter never scans the whole run.
LETTER_DIGIT_REACH = 8
_DIGIT = rf"(?:\d|[OolI](?=[OolI.,]{{0,{LETTER_DIGIT_REACH}}}+\d))"
NUMBER_PATTERN = rf"(?<![\w.,/])\d{_DIGIT}*+(?:[.,]{_DIGIT}++)*+"
NUMBER_TOKEN = regex.compile(NUMBER_PATTERN)

# parse_vn_number's patterns, compiled once (it runs for every figure of a document)
_SPACES = regex.compile(r"\s+")
_LETTER = regex.compile(r"[OolI]")
_WITH_LETTERS = regex.compile(r"[\d.,OolI]+")
_ANY_DIGIT = regex.compile(r"\d")
_PLAIN = regex.compile(r"\d[\d.,]*")
# "37,450": one to three digits, a comma, exactly three digits and nothing else. Read the
# Vietnamese way it is 37,45; typed the English way it is 37.450, a thousand times more.
_COMMA_LIKE_THOUSANDS = regex.compile(r"\d{1,3},\d{3}")

_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


@dataclass(frozen=True)
class VnNumber:
    raw: str
    value: float | None
    decimals: int  # digits after the decimal comma, for rounding rules
    status: str  # ok | repaired | malformed
    note: str = ""


def parse_vn_number(raw: str, *, decimal_point_ok: bool = False) -> VnNumber:
    """Read RAW as a Vietnamese number.

    "122.854" -> 122854; "9.757,650" -> 9757.65; "13,350" -> 13.35; "267, 0" -> 267.0;
    "1.O25" -> 1025 (repaired, reported); "1.8,0" -> malformed (value None, never a guess).
    With decimal_point_ok (percentages), "93.09" whose group is not three digits reads as
    the decimal 93.09 instead of being malformed.

    >>> parse_vn_number("122.854").value
    122854.0
    >>> n = parse_vn_number("9.757,650")
    >>> n.value, n.decimals, n.status
    (9757.65, 3, 'ok')
    >>> parse_vn_number("13,350").value  # a comma is always the decimal mark
    13.35
    >>> parse_vn_number("267, 0").value  # a space typed after the comma
    267.0
    >>> n = parse_vn_number("1.O25")  # OCR read a zero as the letter O
    >>> n.value, n.status, n.note
    (1025.0, 'repaired', 'letter read as digit')
    >>> n = parse_vn_number("1.8,0")
    >>> n.value, n.status, n.note
    (None, 'malformed', 'thousands groups are not three digits')
    >>> parse_vn_number("1.234.567,5").value
    1234567.5
    >>> parse_vn_number("93.09").status, parse_vn_number("93.09", decimal_point_ok=True).value
    ('malformed', 93.09)
    >>> parse_vn_number("12,3,4").note
    'more than one decimal comma'
    >>> parse_vn_number("đồng").status
    'malformed'
    """
    text = _SPACES.sub("", raw.strip())
    status, note = "ok", ""
    if _LETTER.search(text):
        # a letter inside digits is read as a digit only between digits or separators
        if not _WITH_LETTERS.fullmatch(text) or not _ANY_DIGIT.search(text):
            return VnNumber(raw, None, 0, "malformed", "letters inside the number")
        text = text.translate(_CONFUSABLE)
        status, note = "repaired", "letter read as digit"
    if not _PLAIN.fullmatch(text) or text.endswith((".", ",")):
        return VnNumber(raw, None, 0, "malformed", "not a number")
    if text.count(",") > 1:
        return VnNumber(raw, None, 0, "malformed", "more than one decimal comma")
    whole, _, frac = text.partition(",")
    groups = whole.split(".")
    if len(groups) > 1:
        head, rest = groups[0], groups[1:]
        grouped = 1 <= len(head) <= 3 and all(len(g) == 3 for g in rest)
        if not grouped:
            if decimal_point_ok and len(groups) == 2 and not frac:
                # "93.09 %": a decimal point typed instead of a comma
                value = float(f"{groups[0]}.{groups[1]}")
                return VnNumber(raw, value, len(groups[1]), "repaired", "decimal point read as comma")
            return VnNumber(raw, None, 0, "malformed", "thousands groups are not three digits")
    digits = "".join(groups)
    value = float(f"{digits}.{frac}") if frac else float(digits)
    return VnNumber(raw, value, len(frac), status, note)


def comma_may_group_thousands(raw: str) -> bool:
    """True when RAW's only separator is a comma before exactly three digits, so it may
    be a thousands comma typed the English way ("37,450") rather than a decimal comma.

    >>> comma_may_group_thousands("37,450"), comma_may_group_thousands("37,45")
    (True, False)
    >>> comma_may_group_thousands("1.037,450"), comma_may_group_thousands("1037,450")
    (False, False)
    >>> comma_may_group_thousands("37, 450")  # a space after the comma: a decimal comma typed so
    False
    """
    return _COMMA_LIKE_THOUSANDS.fullmatch(raw.strip()) is not None


def format_vn_number(value: float, decimals: int = 0) -> str:
    """The inverse of parse_vn_number: 9757.65 -> "9.757,65" (decimals=2).

    >>> format_vn_number(9757.65, 2)
    '9.757,65'
    >>> format_vn_number(1471301)
    '1.471.301'
    >>> format_vn_number(-0.5, 1)
    '-0,5'
    >>> parse_vn_number(format_vn_number(2_048_500.25, 2)).value
    2048500.25
    """
    text = f"{abs(value):,.{decimals}f}"  # "9,757.65"
    whole, _, frac = text.partition(".")
    out = whole.replace(",", ".") + ("," + frac if frac else "")
    return ("-" if value < 0 else "") + out
