"""The review page in a real browser (Debian's Chromium driven by Playwright): it loads with
no console error and no request, shows one highlight per row, a click shows the fact's
value, each check's link lands on its line, the filters hide what they say, a bbox is
drawn on its page image. Skipped only when Chromium is not installed
(`make setup` installs both, so CI runs them: there a missing Chromium fails)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from extract.review import vn_number, write_review
from extract.view import view_from_file
from tests.conftest import CORPUS

pytestmark = pytest.mark.browser

CHROMIUM = next(
    (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None
)
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):  # CI installs it (make setup): a skip there would hide a broken page
            pytest.fail("Chromium is not installed; make setup installs Debian's chromium")
        pytest.skip("Chromium is not installed (make setup installs Debian's chromium)")
    from playwright.sync_api import sync_playwright  # the test extra installs it

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory, extractor):
    """(view, html path) for every text plan of the corpus."""
    out = tmp_path_factory.mktemp("review")
    views = [view_from_file(extractor, p) for p in CORPUS_FILES]
    return [(v, write_review(v, out)) for v in views]


class Opened:
    def __init__(self, browser, path: Path, anchor: str = ""):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url + anchor)

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if u.split("#")[0] != self.url and not u.startswith("data:")]

    def line_visible(self, n: int) -> bool:
        return self.page.evaluate(
            """n => { const line = document.getElementById('L' + n);
            const box = document.getElementById('text').getBoundingClientRect(), r = line.getBoundingClientRect();
            return !line.hidden && r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1; }""",
            n,
        )


@pytest.fixture()
def opened(browser):
    pages_opened: list[Opened] = []

    def open_page(path: Path, anchor: str = "") -> Opened:
        pages_opened.append(Opened(browser, path, anchor))
        return pages_opened[-1]

    yield open_page
    for o in pages_opened:
        o.page.close()


def test_one_highlight_per_row_no_console_error_no_request(pages, opened, tmp_path):
    for i, (view, path) in enumerate(pages):
        o = opened(path)
        highlighted = o.page.evaluate(
            "new Set([...document.querySelectorAll('mark.fact')].map(m => m.dataset.f)).size"
        )
        assert highlighted == len(view.amounts) + len(view.targets) + len(view.sections), path.name
        assert o.page.locator("mark.fact.unplaced").count() == 0
        assert o.console_errors == []
        assert o.outside_requests() == []
        if i == 0:
            o.page.screenshot(path=str(tmp_path / f"{view.doc_id}.png"))
            assert (tmp_path / f"{view.doc_id}.png").stat().st_size > 10_000


def test_clicking_a_fact_shows_its_value(pages, opened):
    # every fact of the plan with the most (a click costs tens of milliseconds)
    for view, path in [max(pages, key=lambda vp: len(vp[0].amounts) + len(vp[0].targets))]:
        o = opened(path)
        for a in view.amounts:
            o.page.click(f'[id="f-{a["amount_id"]}"]')
            assert o.page.text_content("#panel td.value") == f"{vn_number(a['value_million_vnd'])} triệu đồng"
            assert o.page.text_content("#panel h2") == "amount"
        for t in view.targets:
            o.page.click(f'[id="f-{t["target_id"]}"]')
            assert vn_number(t["value"]) in o.page.text_content("#panel td.value")
        assert o.console_errors == []


def test_every_check_link_lands_on_its_line(pages, opened):
    checked = 0
    for view, path in pages:
        o = opened(path)
        links = o.page.locator("ul.checks a.goto")
        with_lines = [c for c in view.checks if c["line"]]
        assert links.count() == len(with_lines)
        for i, c in enumerate(with_lines):
            links.nth(i).click()
            assert o.page.evaluate("location.hash") == f"#L{c['line']}"
            assert o.line_visible(c["line"]), (
                f"{path.name}: line {c['line']} is not in view after its check's link"
            )
            if c["amount_id"]:  # the amount the check is about is selected
                assert c["amount_id"] in o.page.text_content("#panel")
            checked += 1
    assert checked, "the corpus has checks with lines"


def test_a_line_anchor_opens_the_page_at_that_line(pages, opened):
    view, path = max(pages, key=lambda vp: len(vp[0].lines))
    last = len(view.lines)
    o = opened(path, f"#L{last}")
    assert o.line_visible(last)
    assert not o.line_visible(1)


def test_filters_hide_what_they_say(pages, opened):
    view, path = max(pages, key=lambda vp: len(vp[0].checks))
    o = opened(path)
    visible = "[...document.querySelectorAll('#text .ln')].filter(l => !l.hidden).map(l => l.className)"
    o.page.check("#only-money")
    shown = o.page.evaluate(visible)
    assert shown and all("has-amount" in c for c in shown)
    assert len(shown) == len(
        {a["line"] for a in view.amounts}
        | {n for a in view.amounts for n in range(a["line"], a["line"] + a["raw_text"].count("\n") + 1)}
    )
    o.page.uncheck("#only-money")
    o.page.check("#only-checks")
    shown = o.page.evaluate(visible)
    assert len(shown) == len({c["line"] for c in view.checks if c["line"]})
    o.page.uncheck("#only-checks")
    program = next(a["program"] for a in view.amounts if a["program"])
    o.page.select_option("#program", program)
    ids = o.page.evaluate(
        """p => [...document.querySelectorAll('#text .ln')].filter(l => !l.hidden)
        .flatMap(l => [...l.querySelectorAll('mark.fact')].map(m => m.dataset.f))""",
        program,
    )
    assert {a["amount_id"] for a in view.amounts if a["program"] == program} <= set(ids)


def test_pdf_page_images_and_fact_boxes(generated, extractor, opened, tmp_path):
    """Every fact of a text PDF has its box (extract/boxes.py), drawn on its page image
    where the bbox columns say, as a share of the page's size in points."""
    pdf = next(p for p in sorted(generated.iterdir()) if p.suffix == ".pdf")
    view = view_from_file(extractor, pdf)
    rows = [*view.amounts, *view.targets, *view.sections]
    boxed = [r for r in rows if r["bbox_page"] is not None]
    assert view.amounts and all(a["bbox_page"] is not None for a in view.amounts)
    o = opened(write_review(view, tmp_path))
    assert o.page.locator("figure.page img").count() == view.document["pages"]
    assert o.page.locator(".box").count() == len(boxed)
    for first in (view.amounts[0], view.amounts[-1]):
        o.page.click(f'[id="f-{first["amount_id"]}"]')
        box = o.page.locator(f'.box.selected[data-f="{first["amount_id"]}"]')
        page = first["bbox_page"]
        width, height = view.document["page_widths"][page - 1], view.document["page_heights"][page - 1]
        sheet = o.page.locator(f"#P{page} .sheet").bounding_box()
        b = box.bounding_box()
        assert b["x"] - sheet["x"] == pytest.approx(first["bbox_x0"] / width * sheet["width"], abs=2)
        assert b["y"] - sheet["y"] == pytest.approx(first["bbox_y0"] / height * sheet["height"], abs=2)
        span = (first["bbox_x1"] - first["bbox_x0"]) / width * sheet["width"]
        assert b["width"] == pytest.approx(span, abs=3)
    assert o.console_errors == [] and o.outside_requests() == []


def test_hostile_text_runs_no_script(browser, opened, extractor, tmp_path):
    from tests.test_review import HOSTILE_PLAN

    source = tmp_path / "<img src=x onerror=alert(0)>.txt"
    source.write_text(HOSTILE_PLAN, encoding="utf-8")
    view = view_from_file(extractor, source)
    o = opened(write_review(view, tmp_path / "pages"))
    dialogs: list[str] = []
    o.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    o.page.reload()
    for mark in o.page.locator("mark.fact").all():
        mark.click()
    assert dialogs == [] and o.console_errors == [] and o.outside_requests() == []
    assert "</script><script>alert(2)</script>" in o.page.text_content("#text")
    assert o.page.locator("#text img, #text script, header img").count() == 0
