"""Plain PDF pages read with pdfium (extract/readers/pdfchars.py) give pdfplumber's words:
the same text in the same order, in the same geometry: top and bottom to a hundredth of a
point, x0 to five (pdfium's loose box starts where a "T" inks, a little left of its
origin), x1 to half a point (pdfium does not give the advance of a word's last character
when its ink overhangs it)."""

from __future__ import annotations

import unicodedata

import pdfplumber
import pypdfium2 as pdfium
import pytest

from extract.layout import Word
from extract.readers.pdf import read_pdf
from extract.readers.pdfchars import Advances, page_chars, page_words, plain_page

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _both(path) -> list[tuple[list[dict], list]]:
    """(pdfplumber's words, pdfium's words) of every plain page of PATH."""
    document = pdfium.PdfDocument(path)
    advances = Advances()
    out = []
    with pdfplumber.open(path) as pdf:
        for page, fast in zip(pdf.pages, document, strict=True):
            if plain_page(fast):
                out.append((page.extract_words(), page_words(page_chars(fast, advances))[0]))
    return out


def test_plain_pages_give_pdfplumbers_words(generated):
    pages = [pair for pdf in sorted(generated.glob("*.pdf")) for pair in _both(pdf)]
    assert len(pages) >= 10
    for theirs, ours in pages:
        assert [w.text for w in ours] == [w["text"] for w in theirs]
        for w, t in zip(ours, theirs, strict=True):
            assert (w.top, w.bottom) == pytest.approx((t["top"], t["bottom"]), abs=0.01)
            assert w.x0 == pytest.approx(t["x0"], abs=0.05)  # a "T" inks a little left of its origin
            assert w.x1 == pytest.approx(t["x1"], abs=0.5)


def _pdf(path, lines: list[str], ruled: bool = False, rotate: int = 0) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.add_font("DejaVu", "", FONT)
    pdf.set_font("DejaVu", size=11)
    y = 80.0
    for text in lines:
        pdf.text(60, y, text)
        y += 20
    if ruled:
        pdf.line(60, y, 400, y)
    pdf.output(str(path))
    if rotate:
        document = pdfium.PdfDocument(path)
        document[0].set_rotation(rotate)
        document.save(path)


def test_decomposed_diacritics_read_in_their_place(tmp_path, rules):
    """Combining marks (a text written in NFD) are drawn left of their origin: they go
    after their letter, as pdfplumber puts them, and the text is NFC."""
    lines = ["Chương trình giảm nghèo", "Tỉnh Sơn La: 12.480,50 triệu đồng"]
    _pdf(tmp_path / "nfd.pdf", [unicodedata.normalize("NFD", t) for t in lines])
    ((theirs, ours),) = _both(tmp_path / "nfd.pdf")
    assert [w.text for w in ours] == [w["text"] for w in theirs]
    assert read_pdf((tmp_path / "nfd.pdf").read_bytes(), rules).lines == lines


def test_pages_with_graphics_or_turned_go_to_pdfplumber(tmp_path):
    _pdf(tmp_path / "ruled.pdf", ["Tổng kinh phí"], ruled=True)
    _pdf(tmp_path / "turned.pdf", ["Tổng kinh phí"], rotate=90)
    _pdf(tmp_path / "plain.pdf", ["Tổng kinh phí"])
    assert [
        plain_page(pdfium.PdfDocument(tmp_path / f"{name}.pdf")[0]) for name in ("ruled", "turned", "plain")
    ] == [
        False,
        False,
        True,
    ]


def test_page_words_are_pdfplumbers_extract_words_on_random_characters():
    """page_words (numpy columns) against pdfplumber's extract_words on the same
    characters: lines chained within the tolerance, x order, blanks, gaps, a character
    left of the one before it, ligatures written out."""
    import random

    from pdfplumber.utils import extract_words

    from extract.boxes import Glyph
    from extract.readers.pdfchars import page_words

    rng = random.Random(7)
    for _ in range(40):
        glyphs = []
        for _ in range(rng.randint(1, 120)):
            x0 = round(rng.uniform(0, 300), 2)
            top = round(rng.choice([10, 12.5, 14, 30, 31, 60]) + rng.choice([0, 0, 0.5]), 2)
            text = rng.choice("abcdeđ ơ12,.ﬁ ")
            glyphs.append(Glyph(text, x0, top, x0 + round(rng.uniform(2, 6), 2), top + 11))
        dicts = [
            {
                "text": g.text,
                "x0": g.x0,
                "x1": g.x1,
                "top": g.top,
                "bottom": g.bottom,
                "doctop": g.top,
                "upright": True,
            }
            for g in glyphs
        ]
        if len({(d["x0"], d["top"]) for d in dicts}) < len(dicts):
            continue  # pdfplumber breaks x0 ties by x1, pdfium's reader by content order
        theirs = extract_words(dicts, return_chars=True)
        words, chars = page_words(glyphs)
        assert [(w.text, w.x0, w.x1, w.top, w.bottom) for w in words] == [
            (t["text"], t["x0"], t["x1"], t["top"], t["bottom"]) for t in theirs
        ]
        assert [[g.text for g in chars[id(w)]] for w in words] == [
            [c["text"] for c in t["chars"]] for t in theirs
        ]


def test_char_words_are_page_words_of_page_chars(generated):
    """The reader's words from read_chars' columns (char_words) are page_words over
    page_chars' glyphs: the same words, boxes and glyphs, value for value."""
    from extract.readers.pdfchars import char_words, read_chars

    pages = 0
    for path in sorted(generated.glob("*.pdf")):
        document = pdfium.PdfDocument(path)
        advances, again = Advances(), Advances()
        for page in document:
            if not plain_page(page):
                continue
            chars = read_chars(page, advances)
            glyphs = page_chars(page, again)
            assert chars is not None and glyphs is not None
            assert chars.glyphs == glyphs
            ours, theirs = char_words(chars), page_words(glyphs)
            assert ours[0] == theirs[0]
            assert [ours[1][id(w)] for w in ours[0]] == [theirs[1][id(w)] for w in theirs[0]]
            assert all(type(w) is Word for w in ours[0])
            pages += 1
    assert pages >= 10
