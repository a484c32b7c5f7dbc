"""The review page (extract/review.py) and `kehoach show` (extract/show.py), without a browser:
offsets, escaping, determinism, the output-folder path and the terminal tree."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from extract.cli import main
from extract.review import collect_facts, place_facts, render_review, vn_number
from extract.show import as_json, console_for, show
from extract.view import row_label, view_from_file, views_from_out
from tests.conftest import CORPUS

CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))

HOSTILE_PLAN = """ỦY BAN NHÂN DÂN TỈNH SƠN LA
Số: 12/KH-UBND
KẾ HOẠCH
Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024 <script>alert("title")</script>
I. MỤC TIÊU <img src=x onerror=alert(1)>
- Phấn đấu tỷ lệ hộ nghèo giảm từ 3% trở lên </script><script>alert(2)</script>.
II. KINH PHÍ "quoted" & 'single' <!-- comment
- Tổng kinh phí năm 2024 là 1.000 triệu đồng, trong đó: Ngân sách Trung ương 900 triệu đồng; ngân sách địa phương 50 triệu đồng. ]]> \u2028 end
"""


class _Marks(HTMLParser):
    """Text inside each <mark data-f>, by fact id (pieces of one fact are joined), the script
    elements, and every element's id."""

    def __init__(self):
        super().__init__()
        self.text: dict[str, str] = {}
        self.classes: dict[str, str] = {}
        self.stack: list[str | None] = []
        self.scripts: list[str] = []
        self.ids: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "mark":
            self.stack.append(a.get("data-f"))
            if a.get("data-f"):
                self.text.setdefault(a["data-f"], "")
                self.classes[a["data-f"]] = a.get("class", "")

    def handle_endtag(self, tag):
        if tag == "mark":
            self.stack.pop()
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        for fact_id in dict.fromkeys(self.stack):  # nested marks: the text is inside each
            if fact_id:
                self.text[fact_id] += data


def parse(page: str) -> _Marks:
    parser = _Marks()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def corpus_views(extractor):
    return [view_from_file(extractor, p) for p in CORPUS_FILES]


def test_every_fact_is_highlighted_on_exactly_its_raw_text(corpus_views):
    for view in corpus_views:
        marks = parse(render_review(view))
        rows = view.amounts + view.targets
        assert len(marks.text) == len(rows) + len(view.sections), view.document["source_name"]
        for row in rows:
            fact_id = row.get("amount_id") or row["target_id"]
            if "\n" not in row["raw_text"]:  # a span over two lines renders the line break as two lines
                assert marks.text[fact_id] == row["raw_text"]
            assert "unplaced" not in marks.classes[fact_id]
        for s in view.sections:
            assert marks.text[s["section_id"]] == view.lines[s["line_start"] - 1].raw.strip()
        assert len(set(marks.ids)) == len(marks.ids), "element ids repeat"
        for n in range(1, len(view.lines) + 1):
            assert f"L{n}" in marks.ids


def test_a_fact_whose_slice_differs_from_its_raw_text_is_marked_not_moved(corpus_views):
    view = next(v for v in corpus_views if v.amounts)
    shifted = dict(view.amounts[0], char_start=view.amounts[0]["char_start"] + 1)
    view = replace(view, amounts=[shifted, *view.amounts[1:]])
    facts = collect_facts(view)
    place_facts(facts, view)
    bad = [f for f in facts if not f.placed]
    assert [f.fact_id for f in bad] == [shifted["amount_id"]]
    assert "not its raw_text" in bad[0].problem
    marks = parse(render_review(view))
    assert "unplaced" in marks.classes[shifted["amount_id"]]
    assert marks.text[shifted["amount_id"]] == shifted["raw_text"]  # shown beside its line, as written


def test_hostile_text_and_file_name_cannot_inject_markup(tmp_path, extractor):
    path = tmp_path / "<img src=x onerror=alert(0)>.txt"
    path.write_text(HOSTILE_PLAN, encoding="utf-8")
    view = view_from_file(extractor, path)
    assert view.amounts and view.targets and view.sections
    page = render_review(view)
    marks = parse(page)
    assert len(marks.scripts) == 2, "only the page's own data and code"
    payload = json.loads(marks.scripts[0])  # the JSON element survives the hostile text intact
    assert set(payload["facts"]) == {r["amount_id"] for r in view.amounts} | {
        r["target_id"] for r in view.targets
    } | {s["section_id"] for s in view.sections}
    for needle in ("<img", "<script>alert", "</script><script>", "<!-- comment"):
        assert needle not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(0)&gt;.txt" in page  # the file name, as text


def test_the_same_view_gives_the_same_bytes(corpus_views, extractor):
    path = CORPUS_FILES[0]
    assert render_review(corpus_views[0]) == render_review(view_from_file(extractor, path))


def test_values_are_written_the_vietnamese_way():
    assert vn_number(98640.0) == "98.640"
    assert vn_number(948.72) == "948,72"
    assert vn_number(1234567.5) == "1.234.567,5"
    assert vn_number(None) == "?"


def test_row_label_is_the_order_and_name_cells_of_a_table_row():
    assert row_label("1\tTiểu dự án 1: Hỗ trợ\t14.210\t12.918") == "1 Tiểu dự án 1: Hỗ trợ"
    assert row_label("\tTổng cộng\t144.200\t131.091") == "Tổng cộng"
    assert row_label("Kinh phí năm 2024 là 98.640 triệu đồng") is None


# ------------------------------------------------------------------ from an output folder
@pytest.fixture()
def out_folder(tmp_path):
    source = tmp_path / "in" / CORPUS_FILES[0].name
    source.parent.mkdir()
    source.write_bytes(CORPUS_FILES[0].read_bytes())
    out = tmp_path / "out"
    assert main(["extract", str(source), "-o", str(out), "-q", "-j", "1"]) == 0
    return source, out


def test_review_of_an_output_folder_uses_its_rows_and_the_source_text(out_folder, rules, capsys):
    source, out = out_folder
    (view,) = views_from_out(out, rules)
    assert view.lines is not None and view.text_note is None
    assert main(["review", str(out), "-o", str(out / "pages"), "--no-open"]) == 0
    page_path = Path(capsys.readouterr().out.strip())
    assert page_path == out / "pages" / f"{view.doc_id}.html"
    first = page_path.read_bytes()
    marks = parse(first.decode())
    assert len(marks.text) == len(view.amounts) + len(view.targets) + len(view.sections)
    assert not any("unplaced" in c for c in marks.classes.values())
    assert main(["review", str(out), "-o", str(out / "pages"), "--no-open"]) == 0
    assert page_path.read_bytes() == first, "same OUT, same bytes"


def test_review_of_an_output_folder_whose_source_changed_or_went_says_so(out_folder, rules, capsys):
    source, out = out_folder
    source.write_text(source.read_text(encoding="utf-8") + "\nthêm một dòng\n", encoding="utf-8")
    (view,) = views_from_out(out, rules)
    assert view.lines is None and "changed since it was extracted" in view.text_note
    source.unlink()
    (view,) = views_from_out(out, rules)
    assert view.lines is None and "missing" in view.text_note
    assert main(["review", str(out), "--doc", view.doc_id, "--line", "17", "--no-open"]) == 0
    captured = capsys.readouterr()
    assert "missing" in captured.err
    assert captured.out.strip() == (out / "review" / f"{view.doc_id}.html").resolve().as_uri() + "#L17"
    page = (out / "review" / f"{view.doc_id}.html").read_text(encoding="utf-8")
    marks = parse(page)
    # without text every fact is still there, beside the line it names
    assert len(marks.text) == len(view.amounts) + len(view.targets) + len(view.sections)
    assert all("unplaced" in c for c in marks.classes.values())
    for c in view.checks:
        if c["line"]:
            assert f"L{c['line']}" in marks.ids


def test_review_usage_errors(out_folder, tmp_path):
    source, out = out_folder
    assert main(["review", str(out), "--doc", "0000000000000000", "--no-open"]) == 2
    assert main(["review", str(tmp_path / "nothing-here"), "--no-open"]) == 2
    assert main(["review", str(source), "--doc", "x", "--no-open"]) == 2
    assert main(["review", str(tmp_path), "--no-open"]) == 2  # a folder that is not an output folder


# -------------------------------------------------------------------------------- show
def _shown(view, facts_only=False) -> str:
    stream = io.StringIO()
    show(view, console_for(stream, is_terminal=False), facts_only=facts_only)
    return stream.getvalue()


def test_show_piped_is_plain_text_with_guides_a_legend_and_row_labels(corpus_views):
    for view in corpus_views:
        text = _shown(view)
        assert "\x1b[" not in text
        assert "├── " in text and "legend" in text and "⊂ aN" in text
        assert text.count("💰 L") == len(view.amounts) and text.count("🎯 L") == len(view.targets)
        for a in view.amounts:
            if row_label(a["context"]):
                assert f"‹{row_label(a['context'])}›" in text


def test_show_on_a_terminal_has_colour(corpus_views, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = io.StringIO()
    show(corpus_views[0], console_for(stream, is_terminal=True))
    assert "\x1b[" in stream.getvalue()


def test_show_facts_only_keeps_the_branches_with_facts(corpus_views):
    for view in corpus_views:
        full, pruned = _shown(view), _shown(view, facts_only=True)
        assert pruned.count("💰 L") == len(view.amounts) and pruned.count("🎯 L") == len(view.targets)
        with_facts = {r["section_id"] for r in view.amounts + view.targets}
        if any(s["section_id"] not in with_facts for s in view.sections):
            assert len(pruned.splitlines()) < len(full.splitlines())


def test_show_json_nests_sections_and_holds_every_fact(corpus_views):
    for view in corpus_views:
        data = json.loads(as_json(view))
        amounts, targets, sections = list(data["amounts"]), list(data["targets"]), []
        stack = list(data["sections"])
        while stack:
            node = stack.pop()
            sections.append(node["section_id"])
            amounts += node["amounts"]
            targets += node["targets"]
            stack += node["children"]
        assert sorted(a["amount_id"] for a in amounts) == sorted(a["amount_id"] for a in view.amounts)
        assert sorted(t["target_id"] for t in targets) == sorted(t["target_id"] for t in view.targets)
        assert sorted(sections) == sorted(s["section_id"] for s in view.sections)
        assert len(data["checks"]) == len(view.checks)


def test_show_command(capsys):
    assert main(["show", str(CORPUS_FILES[0]), "--json", "--facts-only"]) == 0
    assert json.loads(capsys.readouterr().out)["document"]["source_name"] == CORPUS_FILES[0].name
    assert main(["show", str(CORPUS_FILES[0])]) == 0
    assert "legend" in capsys.readouterr().out


def test_a_pdf_page_shows_its_page_images_and_is_deterministic(generated, extractor):
    pdf = next(p for p in sorted(generated.iterdir()) if p.suffix == ".pdf")
    first = render_review(view_from_file(extractor, pdf))
    view = view_from_file(extractor, pdf)
    assert first == render_review(view), "same file, same bytes (page images included)"
    assert first.count('<figure class="page"') == view.document["pages"] >= 1
    assert first.count('src="data:image/jpeg;base64,') == view.document["pages"]
    assert not any("unplaced" in c for c in parse(first).classes.values())


def test_review_of_an_unreadable_file_still_writes_a_page(tmp_path, capsys):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really a pdf")
    assert main(["review", str(broken), "-o", str(tmp_path / "pages"), "--no-open"]) == 0
    page = Path(capsys.readouterr().out.strip()).read_text(encoding="utf-8")
    assert "read_error" in page and "No text:" in page
