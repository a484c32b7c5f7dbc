#!/usr/bin/env python3
"""The README's picture of a review page, regenerated from a plan.

    python scripts/make_review_screenshot.py [FILE] [-o docs/review.png]

Writes the plan's review page to a temporary folder, opens it in Debian's Chromium
(Playwright), selects the amount of the first check that names one (else the first amount)
so the side panel shows its attributes, and saves a 1400×900 screenshot.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.pipeline import Extractor  # noqa: E402
from extract.review import write_review  # noqa: E402
from extract.view import view_from_file  # noqa: E402

DEFAULT_PLAN = ROOT / "corpus" / "kh_son_la_giam_ngheo_2024.txt"
VIEWPORT = {"width": 1400, "height": 900}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path, nargs="?", default=DEFAULT_PLAN)
    ap.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "review.png")
    args = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("make_review_screenshot: Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    view = view_from_file(Extractor(), args.file)
    fact = next((c["amount_id"] for c in view.checks if c["amount_id"]), None) or next(
        (a["amount_id"] for a in view.amounts), None
    )
    with tempfile.TemporaryDirectory() as tmp:
        page_path = write_review(view, Path(tmp))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium)
            page = browser.new_page(viewport=VIEWPORT)
            anchor = ""
            if fact:
                line = next(a["line"] for a in view.amounts if a["amount_id"] == fact)
                anchor = f"#L{line}"
            page.goto(page_path.resolve().as_uri() + anchor)
            if fact:
                page.click(f'[id="f-{fact}"]')
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
