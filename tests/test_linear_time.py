"""Extraction time grows with the length of a paragraph, not faster (issue 11), and the
indexes that make it so answer exactly as the searches they replace."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import regex

from extract.nlp import _end_search, _pipeline, ends_sentence, sentence_at
from extract.rules import phrase_regex
from extract.targets import PERCENT, RATIO
from extract.textindex import MatchIndex, PrefixMatches
from extract.textnorm import FoldedText, fold
from extract.vnnumbers import NUMBER_TOKEN, parse_vn_number
from tests.adversarial_text import ADVERSARIAL_PARAGRAPHS, plan_with

SCALE = 8
# 8 times the text may take 8 times as long; the bound leaves room for timing noise
GROWTH_LIMIT = 12
SLACK_SECONDS = 0.3
SECONDS_AT_8X = 8.0


def _cpu_seconds(extractor, text: str) -> float:
    """CPU time of one extraction (not wall time: other processes share the machine).
    spaCy's tokenizer keeps the split of every token string it has seen: it is emptied
    first, or a text measured twice (the 1x baseline) costs less the second time and the
    growth looks faster than it is ("((((…vốn" is one token of 500 or 4,000 brackets)."""
    tokenizer = _pipeline().tokenizer
    tokenizer.rules = tokenizer.rules  # the setter empties the cache
    data = text.encode("utf-8")
    start = time.process_time()
    result = extractor.process(Path("adversarial.txt"), data)
    elapsed = time.process_time() - start
    assert result.status == "ok"
    return elapsed


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_PARAGRAPHS))
def test_time_grows_linearly(extractor, name):
    make = ADVERSARIAL_PARAGRAPHS[name]
    _cpu_seconds(extractor, plan_with(make(1)[:200]))  # warm up (rules, spaCy)
    small = min(_cpu_seconds(extractor, plan_with(make(1))) for _ in range(2))
    bound = GROWTH_LIMIT * small + SLACK_SECONDS
    large = _cpu_seconds(extractor, plan_with(make(SCALE)))
    if large > bound:
        # Noise only ever adds time, so the least of two runs is the better estimate. The
        # same 8x extraction measures 1.0-1.4 s from run to run here, and 1.8 s once on CI
        # (14.8x its 1x run), where the machine is shared.
        large = min(large, _cpu_seconds(extractor, plan_with(make(SCALE))))
    assert large <= bound, f"{name}: {small:.3f}s at 1x, {large:.3f}s at {SCALE}x"
    assert large <= SECONDS_AT_8X, f"{name}: {large:.3f}s at {SCALE}x"


def test_adversarial_paragraphs_grow_with_scale():
    for name, make in ADVERSARIAL_PARAGRAPHS.items():
        one, two = make(1), make(2)
        assert "\n" not in one, name
        assert 1.8 * len(one) <= len(two) <= 2.2 * len(one), name


# ---- the indexes answer as the searches they replace ---------------------------------------

_SAMPLES = [
    "Tỷ lệ hộ nghèo giảm 1,5% (theo chuẩn mới), đạt mức 3,2%; Hòa  bình\u00a0ổn định. Trong đó: thuỷ lợi",
    "đạt1%vốn1triệuđồng(hộ)  \t x, trong đó định mức 5 triệu đồng/hộ. Năm 2024 đạt 3/4 xã; 12 hộ",
    "((((vốn 100 triệu đồng)))) - 2021 - 2025 : giai đoạn 2021-2025 ... Tổng cộng: 1.000,5 tỷ đồng",
]


def _slices(text: str, rnd: random.Random, n: int = 300):
    for _ in range(n):
        a = rnd.randrange(len(text) + 1)
        yield a, rnd.randrange(a, len(text) + 1)


def test_folded_text_equals_fold_of_every_slice():
    rnd = random.Random(11)
    phrases = phrase_regex([fold(x) for x in ["trong đó", "định mức", "hòa bình", "ổn"]])
    for text in _SAMPLES:
        folded = FoldedText(text)
        assert folded.exact and folded.folded == fold(text)
        for a, b in _slices(text, rnd):
            whole = fold(text[a:b])
            assert folded.fold(a, b) == whole
            for size in (1, 7, 40):
                assert folded.suffix(a, b, size) == (whole[-size:], len(whole) <= size)
            assert folded.contains(phrases, 12, a, b) == (phrases.search(whole) is not None)


def test_folded_text_falls_back_on_text_that_is_not_nfc():
    text = "hoa\u0300 bi\u0300nh 5%"
    folded = FoldedText(text)
    assert not folded.exact
    assert folded.fold(0, len(text)) == fold(text) == "hoa2 binh2 5%"


def test_prefix_matches_are_those_of_the_prefix():
    patterns = [
        (regex.compile(r"[;:(]|[.!?]\s+|(?<!\d)\s[-–]\s(?!\d)"), 5),
        (regex.compile(r"[.!?]\s+(?=\p{Lu})"), 3),
    ]
    for text in _SAMPLES + [". " * 50 + "x . - 5 .   Y"]:
        for pattern, read_ahead in patterns:
            index = PrefixMatches(pattern, text, read_ahead)
            for pos in range(len(text) + 1):
                n, tail = index.before(pos)
                got = [m.span() for m in index.matches[:n]] + [m.span() for m in tail]
                assert got == [m.span() for m in pattern.finditer(text[:pos])], (text, pos)


def test_match_index_answers_as_a_search():
    for text in _SAMPLES:
        for pattern in (regex.compile(r"[;.]\s|\d\s*%"), regex.compile(r"năm\s+(?:19|20)\d\d")):
            index = MatchIndex(pattern, text)
            for pos in reversed(range(len(text) + 1)):
                expected = pattern.search(text, pos)
                got = index.search(pos)
                assert (got and got.span()) == (expected and expected.span())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hoàn thành.", True),
        ("Hoàn thành. )", True),
        ("Hoàn thành.”  ", True),
        ("đạt 5", False),
        ("đồng.))", False),
        ("như sau:", False),
        ("", False),
        ("…", True),
    ],
)
def test_ends_sentence(text, expected):
    assert ends_sentence(text) is expected
    assert ends_sentence(text) == bool(regex.search(r"[.!?;…]\s*[)”\"']?\s*$", text))
    assert ends_sentence(text, colon=True) == bool(regex.search(r"[.!?;:…]\s*[)”\"']?\s*$", text))


def test_suffix_search_in_a_window_finds_the_same_suffix():
    import re

    pattern = re.compile(r"\.\.+$|(?<=[0-9])%$|\)$|(?<=[a-z])\.$")
    search = _end_search(pattern, 4)
    for s in ["abc.", "x" * 10 + "." * 10, "12%", "(((((x)))))", "a..", "no", "9" * 20 + "%"]:
        got, expected = search(s), pattern.search(s)
        assert (got and got.span()) == (expected and expected.span()), s


def test_sentence_at_picks_the_covering_sentences():
    text = "Một. Hai ba. Bốn"
    spans = [(0, 4), (5, 12), (13, 16)]
    assert sentence_at(spans, text, 6, 8) == "Hai ba."
    assert sentence_at(spans, text, 2, 7) == "Một. Hai ba."
    assert sentence_at(spans, text, 14, 16) == "Bốn"


# ---- number patterns: same matches, no catastrophic backtracking -------------------------

_OLD_NUM = r"\d+(?:[.,]\d+)*"
_OLD_PERCENT = regex.compile(rf"(?:(?P<lo>{_OLD_NUM})\s*%?\s*(?:-|–|đến|tới)\s*)?(?P<num>{_OLD_NUM})\s*%")
_OLD_RATIO = regex.compile(
    rf"(?<![\d/.,])(?P<a>{_OLD_NUM})\s*(?P<ua>km|ha)?\s*/\s*(?P<b>{_OLD_NUM})\s*(?P<ub>km|ha)?(?![\d/])"
)


def test_percent_and_ratio_patterns_match_as_before():
    rnd = random.Random(13)
    alphabet = "0123456789.,%/ -–kmha"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 16)))
        for new, old in ((PERCENT, _OLD_PERCENT), (RATIO, _OLD_RATIO)):
            assert [m.groupdict() | {"span": m.span()} for m in new.finditer(text)] == [
                m.groupdict() | {"span": m.span()} for m in old.finditer(text)
            ], text


@pytest.mark.parametrize(
    "text",
    [
        "1" + ".000" * 20000,
        "1" * 50000 + "x",
        "1" + "." * 50000 + "5",
        "2" + "," * 50000,
        "3" + " " * 50000 + "x",
        "1" + "O" * 50000 + "1",
        "(" * 50000 + "1",
        "1/" * 20000,
    ],
)
def test_number_patterns_are_fast_on_long_runs(text):
    start = time.process_time()
    list(NUMBER_TOKEN.finditer(text))
    list(PERCENT.finditer(text))
    list(RATIO.finditer(text))
    assert time.process_time() - start < 2.0


def test_number_pattern_reads_ocr_letters_near_digits_only():
    assert [m.group() for m in NUMBER_TOKEN.finditer("1.O25 và 1" + "O" * 20 + "5")] == ["1.O25", "1"]
    assert parse_vn_number("1.O25").value == 1025


_OLD_PAGE_NUMBER = regex.compile(r"^\s*[-–—]?\s*\d{1,3}\s*[-–—]?\s*$")


def test_page_number_line_pattern_matches_as_before(rules):
    new = next(
        regex.compile(e["pattern"])
        for e in rules.section("artefacts")["blank_lines"]
        if e["name"] == "page_number"
    )
    rnd = random.Random(14)
    for _ in range(3000):
        line = "".join(rnd.choice(" \t-–—12345x") for _ in range(rnd.randrange(0, 10)))
        assert bool(new.match(line)) == bool(_OLD_PAGE_NUMBER.match(line)), repr(line)


def _rule_patterns(rules):
    """Every line, paragraph and cell pattern of rules/*.yaml, compiled as the code does."""
    a, d, t = rules.section("artefacts"), rules.section("documents"), rules.section("tables")
    m, g = rules.section("money"), rules.section("agencies")
    for group in ("remove", "replace", "blank_lines"):
        yield from (regex.compile(e["pattern"]) for e in a.get(group, []))
    yield regex.compile(a["footnote_line"])
    yield from (s.pattern for s in rules.label_styles)
    yield from (h.pattern for h in rules.typed_heads)
    yield rules.title_start
    yield from (regex.compile(d[k]) for k in ("doc_number", "issue_date"))
    yield from (regex.compile(s["pattern"]) for s in d["issuer_patterns"])
    yield from (regex.compile(p) for p in [t["unit_line"], t["column_number_cell"], *t["row_levels"]])
    yield from (
        regex.compile(m[k], regex.IGNORECASE)
        for k in ("unitless_follower", "unitless_label", "per_unit_suffix")
    )
    yield from (regex.compile(p, regex.IGNORECASE) for p in g["deadline_patterns"])
    yield from (regex.compile(p) for p in rules.section("targets").get("period_patterns", []))


@pytest.mark.parametrize(
    "line",
    [
        " " * 50000 + "x",
        "\t" * 50000 + "x",
        "1" * 50000 + "x",
        "- " * 20000 + "x",
        "-" * 20000,
        "1." * 20000,
        "(" * 20000,
        "Dự án " * 5000,
        "#" * 20000 + " ",
        "a" + "¹" * 20000 + " x",
        "\\" * 20000,
        "$" * 20000,
    ],
)
def test_rule_patterns_are_fast_on_long_lines(rules, line):
    start = time.process_time()
    for pattern in _rule_patterns(rules):
        pattern.search(line)
    assert time.process_time() - start < 2.0
