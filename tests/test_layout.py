"""Tables without rulings: columns from where the words stand (extract/layout.py), in text
PDFs, borderless DOCX and space-aligned text exports, and two-column header blocks."""

import io
from collections import Counter
from pathlib import Path

import pytest

from extract.layout import LayoutSettings, Word, aligned_text_lines, phrases, table_regions, table_text
from tests.conftest import CORPUS

PLANS = sorted(p.stem for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))
TEXT_FILES = {p.stem: p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md")}


def _words(rows: list[list[tuple[str, float]]], char: float = 6.0, height: float = 10.0) -> list[list[Word]]:
    """Lines of words from (text, x0) pairs, each character CHAR wide."""
    return [
        [Word(text, x, x + char * len(text), 20.0 * i, 20.0 * i + height) for text, x in row]
        for i, row in enumerate(rows)
    ]


SETTINGS = LayoutSettings(min_gap=9.0)


def test_columns_come_from_the_body_and_a_spanning_header_keeps_to_its_first_column():
    lines = _words(
        [
            [
                ("TT", 0),
                ("Nội", 40),
                ("dung", 64),
                ("Ngân", 200),
                ("sách", 230),
                ("Trung", 260),
                ("ương", 296),
            ],
            [("Tổng", 200), ("số", 230), ("Vốn", 300), ("SN", 324)],
            [("1", 6), ("Dự", 40), ("án", 58), ("1", 76), ("98.640", 204), ("9.553", 306)],
            [("2", 6), ("Dự", 40), ("án", 58), ("4", 76), ("20.260", 204), ("18.418", 300)],
        ]
    )
    (region,) = table_regions(lines, SETTINGS)
    assert (region.first, region.last) == (0, 3) and len(region.columns) == 4
    assert table_text(lines, SETTINGS) == [
        "TT\tNội dung\tNgân sách Trung ương\t",  # the header cell spanning two columns stays in the first
        "\t\tTổng số\tVốn SN",
        "1\tDự án 1\t98.640\t9.553",
        "2\tDự án 4\t20.260\t18.418",
    ]


def test_two_figures_side_by_side_are_two_cells():
    line = _words([[("948,72", 0), ("733,078", 40)]])[0]
    assert [p.text for p in phrases(line, min_gap=9.0)] == ["948,72", "733,078"]


def test_a_figure_wrapped_in_a_narrow_column_is_joined_back():
    lines = _words(
        [
            [("TT", 0), ("Chương", 40), ("trình", 84), ("Tổng", 200), ("Ghi", 300)],
            [("1", 6), ("Nông", 40), ("thôn", 70), ("mới", 100), ("948,7", 200), ("Không", 300)],
            [("dựng", 40), ("nông", 70), ("2", 224)],  # the name goes on, and the figure's last digit
            [("2", 6), ("Giảm", 40), ("nghèo", 70), ("356,42", 200), ("-", 300)],
        ]
    )
    assert table_text(lines, SETTINGS) == [
        "TT\tChương trình\tTổng\tGhi",
        "1\tNông thôn mới dựng nông\t948,72\tKhông",
        "2\tGiảm nghèo\t356,42\t-",
    ]


def test_prose_with_wide_gaps_here_and_there_is_no_table():
    lines = _words(
        [
            [("Ủy", 0), ("ban", 20), ("nhân", 44), ("dân", 100), ("tỉnh", 124)],
            [("ban", 0), ("hành", 30), ("Kế", 60), ("hoạch", 80), ("thực", 140)],
        ]
    )
    assert table_regions(lines, SETTINGS) == []
    assert table_text(lines, SETTINGS) == ["Ủy ban nhân dân tỉnh", "ban hành Kế hoạch thực"]


def test_a_header_line_far_apart_is_read_as_two_cells():
    settings = LayoutSettings(min_gap=9.0, wide_gap=40.0)
    lines = _words(
        [
            [("Ủy", 0), ("ban", 20), ("nhân", 44), ("dân", 74), ("l", 400)],  # a speck is no column
            [],
            [("Số:", 0), ("88/KH-UBND", 24), ("Sơn", 300), ("La,", 324), ("ngày", 348), ("12", 378)],
        ]
    )
    assert table_text(lines, settings) == ["Ủy ban nhân dân l", "", "Số: 88/KH-UBND\tSơn La, ngày 12"]


def test_space_aligned_text_gets_tabs_and_keeps_every_column():
    lines = [
        "Đơn vị tính: triệu đồng",
        "TT  Nội dung          Tổng số  Ghi chú",
        " 1  Dự án 1: Hạ tầng   98.640",
        "    kinh tế - xã hội",
        " 2  Dự án 4            20.260  Đã giao",
        "",
        "Phấn đấu  giảm tỷ lệ hộ nghèo  từ 3%  trở lên.",
    ]  # double spaces in prose stay
    out = aligned_text_lines(lines, LayoutSettings(min_gap=2, need_figures=True))
    assert [len(a) for a in out] == [len(b) for b in lines]
    assert all(
        a == b or (b[i] == " " and a[i] == "\t")
        for a, b in zip(out, lines)
        for i in range(len(a))
        if a[i] != b[i]
    )
    assert [[cell.strip() for cell in line.split("\t")] for line in out[1:5]] == [
        ["TT", "Nội dung", "Tổng số", "Ghi chú"],
        ["1", "Dự án 1: Hạ tầng", "98.640"],
        ["", "kinh tế - xã hội"],
        ["2", "Dự án 4", "20.260", "Đã giao"],
    ]
    assert out[0] == lines[0] and out[6] == lines[6]


@pytest.mark.parametrize(
    "stem, suffix", [(stem, suffix) for stem in PLANS for suffix in (".pdf", ".docx", ".txt")]
)
def test_unruled_renderings_give_the_amounts_of_the_text(extractor, generated, stem, suffix):
    text = extractor.process_path(TEXT_FILES[stem])
    unruled = extractor.process_path(generated / "unruled" / f"{stem}{suffix}")
    assert unruled.document["status"] == "ok"
    assert Counter(a["value_million_vnd"] for a in unruled.tables["amounts"]) == Counter(
        a["value_million_vnd"] for a in text.tables["amounts"]
    )
    table = [
        (a["value_million_vnd"], a["project"], a["funding_source"], a["capital_type"])
        for a in unruled.tables["amounts"]
        if a["unit_raw"] is None
    ]
    assert Counter(table) == Counter(
        (a["value_million_vnd"], a["project"], a["funding_source"], a["capital_type"])
        for a in text.tables["amounts"]
        if a["unit_raw"] is None
    )
    # the header block in two columns (PDF, DOCX) gives what the text's header lines give
    for field in ("doc_number", "issue_date", "issuer", "province", "programs", "plan_year"):
        assert unruled.document[field] == text.document[field], field


def test_a_borderless_two_column_header_in_docx_gives_the_date(extractor, tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for r, (left, right) in enumerate(
        [
            ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            ("TỈNH QUẢNG NGÃI", "Độc lập - Tự do - Hạnh phúc"),
            ("Số: 215/KH-UBND", "Quảng Ngãi, ngày 12 tháng 3 năm 2025"),
        ]
    ):
        table.cell(r, 0).text, table.cell(r, 1).text = left, right
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2025")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = extractor.process(Path("header.docx"), buffer.getvalue()).document
    assert (doc["doc_number"], str(doc["issue_date"]), doc["issuer"]) == (
        "215/KH-UBND",
        "2025-03-12",
        "UBND tỉnh Quảng Ngãi",
    )


def _plain_text_lines(words: list[Word], tolerance: float) -> list[list[Word]]:
    """text_lines as first written: sorted by (top, x0) with a Python key."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(lines[-1][0].top - word.top) <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _plain_phrases(line: list[Word], min_gap: float) -> list[tuple[Word, ...]]:
    """phrases as first written: each word matched against the patterns, no memo."""
    import regex

    figure, ink = regex.compile(r"^[(]?\d[\d.,]*[)]?$"), regex.compile(r"\w")

    def speck(w: Word) -> bool:
        if not ink.search(w.text):
            return w.text not in frozenset("-–+*•")
        return len(w.text) == 1 and w.confidence is not None and w.confidence < 50

    out: list[list[Word]] = []
    for word in (w for w in line if not speck(w)):
        if (
            out
            and word.x0 - out[-1][-1].x1 < min_gap
            and not (figure.match(word.text) and figure.match(out[-1][-1].text))
        ):
            out[-1].append(word)
        else:
            out.append([word])
    return [tuple(ws) for ws in out]


def test_text_lines_and_phrases_are_the_plain_ones_on_random_words():
    """text_lines (C sort keys) and phrases (each text's kind matched once) against the
    plain Python versions: specks with and without confidence, order marks, figures side
    by side, ties in top and x0, tolerance chains."""
    import random

    from extract.layout import text_lines

    rng = random.Random(11)
    texts = [
        "Tổng",
        "kinh",
        "phí",
        "12.480",
        "(3)",
        "1,5",
        "-",
        "–",
        "+",
        "•",
        ":",
        "'",
        "l",
        "a",
        "",
        "--",
        "ﬁ",
    ]
    for _ in range(200):
        words = []
        for _ in range(rng.randint(0, 60)):
            x0 = rng.choice([0.0, 5.0, 9.5]) + rng.randint(0, 40) * 4.5
            top = rng.choice([10.0, 11.5, 13.0, 14.0, 30.0, 32.9, 60.0])
            confidence = rng.choice([None, None, 20.0, 49.9, 50.0, 90.0])
            text = rng.choice(texts)
            words.append(Word(text, x0, x0 + rng.uniform(1, 30), top, top + 10, confidence))
        lines = text_lines(words, tolerance=3)
        assert lines == _plain_text_lines(words, tolerance=3)
        for line in lines:
            for gap in (3.0, 9.0):
                assert [p.words for p in phrases(line, gap)] == _plain_phrases(line, gap)
