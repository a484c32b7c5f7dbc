"""Regenerate docs/report.png: the province comparison report of the corpus plans in Chromium.

    python scripts/make_report_screenshot.py [--out docs/report.png] [--chromium /usr/bin/chromium]

Extracts corpus/ (the text versions) into a temporary folder, writes `kehoach report` there
and takes a screenshot of its first screen with Playwright and the system's Chromium."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1280, "height": 1500}


def screenshot(html: Path, png: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(html.resolve().as_uri(), wait_until="load")
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "outputs"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "extract.cli",
                "extract",
                str(ROOT / "corpus"),
                "-o",
                str(out),
                "-j",
                "1",
                "-q",
            ],
            check=True,
            cwd=ROOT,
        )
        subprocess.run([sys.executable, "-m", "extract.cli", "report", str(out)], check=True, cwd=ROOT)
        screenshot(out / "report.html", args.out, args.chromium)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
