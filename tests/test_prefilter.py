"""The extractors' prefilters (a paragraph without an extractor's keys is not read by it)
never drop a fact: every corpus text and every seed gives the same tables with and without
them, and the keys' safety arguments hold on generated texts."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.pipeline import Extractor
from extract.prefilter import key_form
from extract.targets import TargetFinder
from tests.conftest import SHARED, run_text
from tests.test_corpora import ALL_CASES


def _unfiltered(rules) -> Extractor:
    """An extractor whose finders read every paragraph in full."""
    e = Extractor(rules)
    e.prefilter = False
    turned = 0
    for name, attr in vars(Extractor).items():
        if isinstance(attr, cached_property):
            finder = getattr(e, name)
            if hasattr(finder, "prefilter"):
                finder.prefilter = False
                turned += 1
    assert turned >= 2  # the targets' and the assignments' finders at least
    return e


@pytest.fixture(scope="module")
def pair(rules) -> tuple[Extractor, Extractor]:
    return Extractor(rules), _unfiltered(rules)


def _tables(e: Extractor, text: str, name: str = "plan.txt") -> dict[str, list[dict]]:
    return run_text(e, text, name).tables


def test_every_corpus_text_gives_the_same_tables(pair):
    filtered, unfiltered = pair
    texts = sorted({c.text for c in ALL_CASES})
    assert len(texts) > 300
    facts = 0
    for text in texts:
        got = _tables(filtered, text)
        assert got == _tables(unfiltered, text), text
        facts += len(got["targets"]) + len(got["assignments"]) + len(got["references"])
    assert facts > 100  # the corpora exercise the filtered finders


SEEDS = sorted((SHARED / "seeds").glob("*.txt"))


@pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_every_seed_gives_the_same_tables(pair, seed: Path):
    filtered, unfiltered = pair
    data = seed.read_bytes()
    got = filtered.process(seed, data).tables
    assert got["targets"] or got["assignments"]
    assert got == unfiltered.process(seed, data).tables


# ---- the keys' safety on generated texts -------------------------------------------------
def _fragments(rules) -> list[str]:
    """Words the finders key on and what stands around them: agencies (in any case, with odd
    spaces), role and lead words, figures (other digit scripts too), units, marks."""
    spec = rules.section("agencies")
    out = [s for a in spec["agencies"] for s in a["spellings"][:2]]
    out += [w for words in spec["roles"].values() for w in words[:3]]
    out += [s.upper() for s in out[:4]] + [s.replace(" ", "\u00a0 ") for s in out[:4]]
    docs = rules.section("documents")
    out += [*docs["reference_types"][:6], *docs["reference_abbreviations"], "kế  HOẠCH", " số ", "12/QĐ-UBND"]
    out += ["12", "3,5", "1.234", "٣", "５", "%", " % ", "/", "xã", "hộ", "triệu đồng", "năm 2025"]
    out += [". ", ", ", "; ", ": ", "(", ")", "\n", " ", "a) ", "1. ", "- ", "Tăng", "đạt", "x"]
    return out


@st.composite
def _texts(draw, fragments: list[str]) -> str:
    return "".join(draw(st.lists(st.sampled_from(fragments), max_size=30)))


def test_a_paragraph_without_an_agency_key_names_none_in_any_slice(extractor):
    finder = extractor.assignment_finder

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_texts(_fragments(extractor.rules)), st.data())
    def check(text: str, data) -> None:
        if finder.agency_keys.any_in(text):
            return
        a = data.draw(st.integers(0, len(text)))
        b = data.draw(st.integers(a, len(text)))
        assert finder.agency.search(text[a:b]) is None

    check()


def test_the_key_form_keeps_what_case_insensitive_matching_equates(extractor):
    """Any character the regex module's IGNORECASE matches with a character of a key has
    that character's key form, and all white space its \\s matches is white space to
    str.split: a phrase the patterns find is in the key form."""
    rules = extractor.rules
    docs = rules.section("documents")
    phrases = [s for a in rules.section("agencies")["agencies"] for s in a["spellings"]]
    phrases += [*docs["reference_types"], *docs["reference_abbreviations"]]
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for k in sorted({c for p in phrases for c in p if not c.isspace()}):
        for m in regex.finditer(regex.escape(k), every, regex.IGNORECASE):
            assert key_form(m.group()) == key_form(k), (k, m.group())
    assert all(ch.isspace() for ch in regex.findall(r"\s", every))


def test_a_paragraph_without_a_document_type_cites_none(extractor):
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_texts(_fragments(extractor.rules)))
    def check(text: str) -> None:
        if not extractor.reference_keys.any_in(text):
            assert extractor.reference_finder.pattern.search(text) is None

    check()


def test_a_paragraph_without_a_digit_holds_no_figure(extractor):
    finder: TargetFinder = extractor.target_finder

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_texts(_fragments(extractor.rules)))
    def check(text: str) -> None:
        if any(ch.isdecimal() for ch in text):
            return
        for pattern in finder.figure_patterns:
            assert pattern.search(text) is None

    check()


def test_generated_paragraphs_give_the_same_tables(pair, rules):
    filtered, unfiltered = pair
    heads = ["", "V. TỔ CHỨC THỰC HIỆN\n", "2. Sở Y tế:\n", "I. MỤC TIÊU\n"]

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(heads), st.lists(_texts(_fragments(rules)), min_size=1, max_size=4))
    def check(head: str, paragraphs: list[str]) -> None:
        text = head + "\n".join(paragraphs)
        assert _tables(filtered, text) == _tables(unfiltered, text)

    check()
