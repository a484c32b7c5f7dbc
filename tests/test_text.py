import unicodedata

from extract.document import Cleaner, build_blocks, build_lines
from extract.readers.base import SourceText
from extract.readers.text import decode_bytes, read_text
from extract.textnorm import fold


def test_fold_tone_placement_and_case():
    assert fold("hoà") == fold("Hòa")
    assert fold("thuỷ") == fold("thủy")
    assert fold("KHOẺ") == fold("khỏe")
    assert fold("thu") != fold("thủ")


def test_nfd_input_becomes_nfc(rules):
    nfd = unicodedata.normalize("NFD", "Kinh phí thực hiện là 1.200 triệu đồng")
    src = read_text(nfd.encode("utf-8"), "txt", rules)
    assert src.lines[0] == unicodedata.normalize("NFC", nfd)


def test_encodings(rules):
    legacy = rules.section("legacy_encodings")
    text = "Kế hoạch giảm nghèo bền vững năm 2024"
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), legacy) == (text, "utf-8-sig")
    decoded, enc = decode_bytes(text.encode("utf-16"), legacy)
    assert decoded == text and enc == "utf-16"
    decoded, enc = decode_bytes(_to_cp1258(text), legacy)
    assert unicodedata.normalize("NFC", decoded) == text and enc == "cp1258"


def _to_cp1258(text: str) -> bytes:
    """CP1258 stores the tone as a separate combining byte after the (precomposed) vowel."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def test_legacy_fonts(rules):
    legacy = rules.section("legacy_encodings")
    tcvn3 = "B¸o c¸o tµi chÝnh n¨m 2024 cña UBND huyÖn".encode("cp1252")
    assert decode_bytes(tcvn3, legacy)[0] == "Báo cáo tài chính năm 2024 của UBND huyện"
    vni = "Xin chaøo caùc baïn, keá hoaïch naêm 2024".encode("cp1252")
    assert unicodedata.normalize("NFC", decode_bytes(vni, legacy)[0]) == "Xin chào các bạn, kế hoạch năm 2024"


def _lines(rules, raw):
    return build_lines(SourceText(raw, [None] * len(raw), "md", "text"), Cleaner.from_rules(rules))


def test_artefacts_removed_without_shifting_lines(rules):
    raw = [
        "[bookmark: _Toc1]## **I. MỤC TIÊU**",
        "- 3 -",
        "Giảm $\\geq 5\\%$ tai nạn¹",
        "tổ\u00adchức",
        "*Tiểu dự án 1:*",
    ]
    lines = _lines(rules, raw)
    assert [ln.clean for ln in lines] == ["I. MỤC TIÊU", "", "Giảm ≥ 5% tai nạn", "tổchức", "Tiểu dự án 1:"]
    # every clean character maps back to its source column
    ln = lines[0]
    assert ln.raw[ln.colmap[0]] == "I"


def test_broken_lines_are_joined_and_keep_their_start_line(rules):
    lines = _lines(
        rules,
        [
            "- Kinh phí giao năm 2024: 202,65 trđ (trong đó NSTW 193, 0",
            "",
            "trđ; NSĐP 9,650trđ).",
            "Câu mới.",
        ],
    )
    blocks = build_blocks(lines, {0})
    assert blocks[0].text.endswith("193, 0 trđ; NSĐP 9,650trđ).")
    assert blocks[0].line_indexes == [0, 2]
    assert blocks[1].text == "Câu mới."
