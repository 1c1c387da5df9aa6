"""A real browser: ``report.html`` opened in headless Chromium (Debian's package, driven by
Playwright's Python package), rendering every chart with no console error and no network
request; a full-page PNG screenshot is kept as a test artefact.

``make test`` installs Chromium first (scripts/system-packages). Without it the tests
are skipped, except under ``CI=true``, where a missing or non-starting Chromium fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from ledger_scenario import END, START, build

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(
    os.environ.get(
        "JAGS_TEST_ARTEFACTS", Path(__file__).resolve().parent.parent / "out" / "test-artefacts"
    )
)
CHARTS = 9
CI = os.environ.get("CI", "").strip().casefold() == "true"


def chromium_args() -> list[str]:
    """Flags for a quiet, offline headless Chromium (no sandbox when running as root)."""
    args = [
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    if os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    return args


@dataclass
class Visit:
    """What Chromium saw on a page: console errors, requests, the charts' boxes, a PNG."""

    errors: list[str]
    requests: list[str]
    boxes: list[list[float]]
    height: int
    screenshot: Path


def visit(page_file: Path, screenshot: Path) -> Visit:
    """Open a local page in headless Chromium; any request besides the page is blocked
    and recorded."""
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium package)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    found = Visit([], [], [], 0, screenshot)
    url = page_file.as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=chromium_args()
        )
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: found.errors.append(str(e)))
            tab.on("request", lambda r: found.requests.append(r.url))
            tab.route(
                "**/*",
                lambda route: route.continue_() if route.request.url == url else route.abort(),
            )
            tab.goto(url, wait_until="load")
            found.boxes = tab.eval_on_selector_all(
                "figure svg",
                "els => els.map(e => { const r = e.getBoundingClientRect(); "
                "return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })",
            )
            found.height = tab.evaluate("document.documentElement.scrollHeight")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build(tmp_path_factory.mktemp("scenario"))
    out = tmp_path_factory.mktemp("report")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jags.cli",
            "report",
            str(folder),
            "--from",
            START.isoformat(),
            "--to",
            END.isoformat(),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out / "report.html"


def test_report_renders_in_chromium(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    seen = visit(report, ARTEFACTS / "report.png")
    with capsys.disabled():
        print(f"\nscreenshot of report.html: {seen.screenshot}")
    assert seen.errors == []
    assert seen.requests == [report.as_uri()], "the page asked for something besides itself"
    assert len(seen.boxes) == CHARTS
    image = Image.open(seen.screenshot).convert("L")
    assert image.size[1] >= seen.height - 1  # the whole page, so every chart
    for left, top, width, height in seen.boxes:
        assert width > 300 and height > 150
        chart = image.crop((int(left), int(top), int(left + width), int(top + height)))
        assert chart.getextrema()[0] < 64, "a chart is blank in the screenshot"


def test_the_checks_see_errors_and_requests(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><body><img src="https://example.org/x.png"'
        ' alt="x"><script>console.error("broken")</script></body></html>',
        encoding="utf-8",
    )
    seen = visit(page, tmp_path / "bad.png")
    assert "broken" in seen.errors
    assert "https://example.org/x.png" in seen.requests
    assert seen.boxes == []
