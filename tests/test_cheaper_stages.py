"""The cheaper forms of the early stages give what the plain forms give: positions kept by
line, the references' number prefilter, the province-word prefilter, cleaning's ranges."""

from __future__ import annotations

import random
from itertools import repeat
from pathlib import Path

import pytest

from extract.document import Block, LinePositions, build_blocks, build_lines
from extract.metadata import _province
from extract.readers.text import read_text
from extract.references import ReferenceFinder
from extract.textnorm import fold
from tests.conftest import CORPUS, SHARED


def _texts() -> list[Path]:
    seeds = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []
    return sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md")) + seeds


def _lines(path: Path, rules, extractor):
    return build_lines(read_text(path.read_bytes(), "text", rules), extractor.cleaner)


@pytest.mark.parametrize("path", _texts()[:8], ids=lambda p: p.name)
def test_block_positions_by_line_are_the_positions_of_every_character(path, rules, extractor):
    lines = _lines(path, rules, extractor)
    for block in build_blocks(lines, set()):
        expected: list[tuple[int, int]] = []
        for k, i in enumerate(block.line_indexes):
            if k:
                expected.append(expected[-1])  # the joining space
            expected.extend(zip(repeat(i), lines[i].colmap[: len(lines[i].clean)]))
        assert len(block.positions) == len(block.text) == len(expected)
        assert list(block.positions) == expected
        assert block.positions[-1] == expected[-1] and block.positions[1:4] == expected[1:4]
        assert block.positions == expected
        with pytest.raises(IndexError):
            block.positions[len(expected)]


def test_locate_is_the_same_with_positions_by_line_or_per_character():
    positions = LinePositions()
    positions.add(3, [0, 1, 2, 5, 6], 4)  # "ab c" with a removed mark at columns 3-4
    positions.add(3, [6], 1)  # a joining space stands where the line before ends
    positions.add(4, range(2, 9), 6)
    plain = list(positions)
    assert plain == [(3, 0), (3, 1), (3, 2), (3, 5), (3, 6), (4, 2), (4, 3), (4, 4), (4, 5), (4, 6), (4, 7)]
    text = "x" * len(plain)
    for start in range(-1, len(plain) + 1):
        for end in range(start, len(plain) + 2):
            assert Block(text, positions, [3, 4]).locate(start, end) == Block(text, plain, [3, 4]).locate(
                start, end
            )


def test_a_clean_line_keeps_its_columns_as_a_range_equal_to_the_list(extractor):
    cleaner = extractor.cleaner
    for raw in ["", "   ", "  Kế hoạch  ", "a", "**Mục tiêu**: 95%", "\u00ad x", "12"]:
        text, cols = cleaner.clean(raw)
        lead = len(raw) - len(raw.lstrip())
        if isinstance(cols, range):  # nothing removed: every character at its own column
            assert list(cols) == [*range(lead, lead + len(text)), lead + len(text)]
            assert raw[lead : lead + len(text)] == text
        assert len(cols) == len(text) + 1


def test_the_reference_prefilter_never_drops_a_reference(rules, extractor):
    finder = ReferenceFinder(rules)
    found = 0
    texts = [b.text for p in _texts() for b in build_blocks(_lines(p, rules, extractor), set())]
    rng = random.Random(5)
    for kind in ("Quyết định", "qđ", "NGHỊ ĐỊNH", "tt", "Kế hoạch số", "văn bản"):
        for code in ("QĐ-TTg", "kh-ubnd", "2022/NĐ-CP", "x"):
            texts.append(f"theo {kind} {rng.randint(1, 999)}{rng.choice('/-')}{code} ngày 5/3/2024")
    for text in texts:
        plain = [
            (m.start(), m.end()) for m in finder.pattern.finditer(text)
        ]  # the whole pattern over every text, as before the prefilter
        assert [(r.start, r.end) for r in finder.find(text)] == plain
        found += len(plain)
    assert found > 20


def test_the_province_word_prefilter_counts_what_every_pattern_counts(rules, extractor):
    gazetteer = extractor.gazetteer
    for path in _texts():
        lines = _lines(path, rules, extractor)
        full = fold("\n".join(ln.clean for ln in lines))
        head = fold("\n".join(ln.clean for ln in lines[:40]))
        after = gazetteer.words_after_province_word(full)
        for prov, firsts in gazetteer.province_first_words.items():
            if not any(w is None or w in after for w in firsts):
                assert gazetteer.province_after_word[prov].findall(full) == []
        plain: dict[str, int] = {}
        for prov, pattern in gazetteer.province_patterns.items():
            n = 3 * len(pattern.findall("")) + len(pattern.findall(head))
            n += len(gazetteer.province_after_word[prov].findall(full))
            if n:
                plain[prov] = n
        best = max(plain.items(), key=lambda kv: kv[1])[0] if plain else None
        if best is not None and list(plain.values()).count(plain[best]) == 1:
            assert _province(full, "", head, gazetteer) == best


def test_the_whole_text_folded_line_by_line_is_the_whole_text_folded():
    rng = random.Random(3)
    alphabet = list("aăâeêoơưAĐđ xy1,.;:-()“”\t\u00a0\u2003") + [
        "\u0301",
        "\u0300",
        "\u0323",
        "e\u0302",
        "Ò",
        "\x1c",
    ]
    for _ in range(400):
        lines = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(1, 6))
        ]
        assert fold("\n".join(lines)) == " ".join(f for f in map(fold, lines) if f)
