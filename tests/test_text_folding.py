"""The cheaper forms of folding, FoldedText's pieces and the legacy-font conversions give
what their plain forms give (the plain forms are the definitions)."""

from __future__ import annotations

import unicodedata

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.document import Block
from extract.prefilter import key_form
from extract.readers.text import convert_tcvn3, convert_vni, convert_vni_plain
from extract.textnorm import _STD_SPACES, FoldedText, _pieces, fold, fold_plain, fold_word

# Vietnamese letters in both tone placements and cases, combining marks alone, digits,
# punctuation, white space of several kinds (str.isspace's, the regex module's), letters
# whose lower case or decomposition is unusual
_ALPHABET = (
    "aăâeêioôơuưyđAĂÂĐEÊOÔƠUƯYhoàhòaoàthuỷthủyKhoẻkhỏeQuỹ"
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306"
    "0123456789.,;:!?…()[]/%-–_\"'“”"
    " \t\n\r\u00a0\u2028\u3000\u200b\u0085\u001c"
    "İΣσςẞßǅﬁⅫⒶ①"
)
_TEXTS = st.text(alphabet=_ALPHABET, max_size=60)
_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


@_SETTINGS
@given(_TEXTS)
def test_fold_by_chunks_is_the_fold_of_the_whole_text(text):
    assert fold(text) == fold_plain(text)


def test_fold_examples():
    assert fold("Ngân sách  Trung ương: 1.000 tỷ") == "ngân sach1 trung ương: 1.000 ty3"
    assert fold("Thủy lợi") == fold("THUỶ LỢI") == fold("thu\u0309y lợi")
    assert fold(" \n ") == "" and fold("") == ""


_PIECE = regex.compile(rf"(\w+)|[^\w{regex.escape(_STD_SPACES)}]")


def _pieces_plain(text: str) -> tuple[list[int], list[int], list[int], list[int], str]:
    """textnorm._pieces piece by piece: the definition."""
    starts: list[int] = []
    ends: list[int] = []
    g_starts: list[int] = []
    g_ends: list[int] = []
    parts: list[str] = []
    size = 0
    gap_from = 0  # white space lies between the last piece's end and the next piece
    for m in _PIECE.finditer(text):
        a, b = m.span()
        if a > gap_from and parts:
            parts.append(" ")
            size += 1
        piece = fold_word(m.group()) if m.lastindex == 1 else m.group()
        starts.append(a)
        ends.append(b)
        g_starts.append(size)
        parts.append(piece)
        size += len(piece)
        g_ends.append(size)
        gap_from = b
    return starts, ends, g_starts, g_ends, "".join(parts)


@_SETTINGS
@given(_TEXTS)
def test_pieces_from_one_split_are_the_pieces_found_one_by_one(text):
    text = unicodedata.normalize("NFC", text)
    assert _pieces(text) == _pieces_plain(text)


@_SETTINGS
@given(_TEXTS, st.integers(0, 60), st.integers(0, 60))
def test_folded_text_slices_fold_as_the_slice(text, a, b):
    text = unicodedata.normalize("NFC", text)
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    assert FoldedText(text).fold(a, b) == fold(text[a:b])


def test_a_block_makes_its_key_form_once_and_follows_its_text():
    block = Block("Sở  Kế hoạch\u00a0và ĐẦU TƯ", [], [])
    assert block.key_form() == key_form(block.text) == "sở kế hoạch và đầu tư"
    assert block.key_form() is block.key_form()
    block.text = "UBND  tỉnh"
    assert block.key_form() == "ubnd tỉnh"


def _vni(rules) -> dict:
    return rules.section("legacy_encodings")["vni"]


def test_vni_by_markers_is_vni_character_by_character(rules):
    vni = _vni(rules)
    alphabet = "".join(vni["marks"]) + "".join(vni["standalone"]) + vni["vowels"] + "xyz ñáàẠ\u0301\n"

    @_SETTINGS
    @given(st.text(alphabet=alphabet, max_size=40))
    def check(text):
        assert convert_vni(text, vni) == convert_vni_plain(text, vni)

    check()


def test_vni_with_a_standalone_letter_of_two_characters_is_still_vni(rules):
    vni = dict(_vni(rules))
    vni["standalone"] = {**vni["standalone"], "ô": "ơo"}
    for text in ("ô", "Coâng ty", "oâ ôù", ""):
        assert convert_vni(text, vni) == convert_vni_plain(text, vni)


def test_tcvn3_by_translate_is_tcvn3_character_by_character(rules):
    table = dict(rules.section("legacy_encodings")["tcvn3"])
    table["ab"] = "never"  # a key of two characters is no character of a text

    @_SETTINGS
    @given(st.text(alphabet="".join(k for k in table if len(k) == 1) + "abc đ\n", max_size=40))
    def check(text):
        assert convert_tcvn3(text, table) == "".join(table.get(ch, ch) for ch in text)

    check()


def test_the_words_joining_two_figures_come_from_the_rules(rules, extractor):
    joiners = extractor.target_finder.carry_joiners
    assert rules.section("targets")["direction_carry_joiners"] == ["và"]
    assert joiners.search(" và ") and joiners.search(", ") and joiners.search("x,y")
    assert not joiners.search(" vàng ") and not joiners.search(" hoặc ") and not joiners.search("Và")
