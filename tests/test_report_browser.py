"""A real browser: ``report.html`` opened in headless Chromium (Debian's package, driven by
Playwright's Python package), rendering every chart with no console error and no network
request; a full-page PNG screenshot is kept as a test artefact.

``make test`` installs Chromium first (scripts/setup-chromium.sh). Without it the test is
skipped, except under ``CI=true``, where a missing or non-starting Chromium fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ledger_scenario import END, START, build

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(os.environ.get("JAGS_TEST_ARTEFACTS",
                                Path(__file__).resolve().parent.parent / "out" / "test-artefacts"))
CHARTS = 9
CI = os.environ.get("CI", "").strip().casefold() == "true"


def chromium_args() -> list[str]:
    """Flags for a quiet, offline headless Chromium (no sandbox when running as root)."""
    args = ["--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    if os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    return args


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build(tmp_path_factory.mktemp("scenario"))
    out = tmp_path_factory.mktemp("report")
    done = subprocess.run(
        [sys.executable, "-m", "jags.cli", "report", str(folder), "--from", START.isoformat(),
         "--to", END.isoformat(), "--out", str(out)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out / "report.html"


def test_report_renders_in_chromium(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium package)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    from PIL import Image
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    url = report.as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=chromium_args())
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.route("**/*", lambda route: route.continue_() if route.request.url == url
                       else route.abort())
            page.goto(url, wait_until="load")
            boxes = page.eval_on_selector_all(
                "figure svg", "els => els.map(e => { const r = e.getBoundingClientRect(); "
                "return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })")
            height = page.evaluate("document.documentElement.scrollHeight")
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTEFACTS / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    with capsys.disabled():
        print(f"\nscreenshot of report.html: {shot}")
    assert errors == []
    assert requests == [url], "the page asked for something besides itself"
    assert len(boxes) == CHARTS
    image = Image.open(shot).convert("L")
    assert image.size[1] >= height - 1
    for left, top, width, height_px in boxes:
        assert width > 300 and height_px > 150
        chart = image.crop((int(left), int(top), int(left + width), int(top + height_px)))
        assert chart.getextrema()[0] < 64, "a chart is blank in the screenshot"
