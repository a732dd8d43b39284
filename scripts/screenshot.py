"""Regenerate docs/catalogue.png, the README's picture of the exported web page.

Usage: pip install '.[test]' && python scripts/screenshot.py [OUTPUT.png]

Exports the shipped catalogue with `exchange export`, opens the page from disk in
Debian's Chromium (apt-get install chromium; EXCHANGE_CHROMIUM names another binary)
through Playwright, and saves the first screen at a desktop width. The picture is taken
from the real page, so it changes only when the page or the catalogue does.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from exchange_cli.cli.main import main as exchange

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "catalogue.png"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def export_page(folder: Path) -> Path:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = exchange(["export", "--no-cache", "--data", str(REPO / "data" / "programs.yaml")])
    if code != 0:
        raise SystemExit(f"exchange export failed with exit code {code}")
    page = folder / "catalogue.html"
    page.write_text(out.getvalue(), encoding="ascii")
    return page


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET
    chromium = os.environ.get("EXCHANGE_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Chromium not found: apt-get install chromium, or set EXCHANGE_CHROMIUM")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = export_page(Path(folder))
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 760})
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.fill("#search-input", "tech")  # show the search and a chip at work
        page.click('button.chip[data-facet="sector"][data-value="digital-technology"]')
        page.evaluate("window.scrollTo(0, 0); document.querySelector('.filters').scrollTop = 0")
        page.mouse.move(0, 0)
        page.screenshot(path=str(target))
        browser.close()
    print(f"{target}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
