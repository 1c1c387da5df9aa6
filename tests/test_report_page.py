"""Tests for :mod:`jags.report.page` and the report's files: one self-contained page, every
chart with a title, alt text and a table, small numbers suppressed when publishing,
byte-identical output for the same ledger."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from ledger_scenario import END, START, scenario_data

from jags.report import kpis_csv, report_files
from jags.report.kpis import compute
from jags.report.page import Page
from jags.report.query import LedgerData

ORGS = {"Gamma School": "Education"}
CHARTS = 9


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> LedgerData:
    return scenario_data(tmp_path_factory.mktemp("scenario"))


@pytest.fixture(scope="module")
def page(data: LedgerData) -> str:
    return report_files(data, START, END, organisations=ORGS)["report.html"].decode("utf-8")


class Outline(HTMLParser):
    """Figures, their SVGs' accessible names, tables, and every id on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.svgs: list[dict[str, str | None]] = []
        self.sections: list[list[str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "section":
            self.sections.append([])
        elif self.sections:
            self.sections[-1].append(tag)
        if tag == "svg":
            self.svgs.append(found)


def test_the_page_is_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    outline = Outline()
    outline.feed(page)
    assert not outline.tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    # the only URLs are the SVG and XLink namespaces, which are names, not requests
    assert set(re.findall(r"https?://[^\s\"')]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }


def test_every_chart_has_a_title_alt_text_and_a_table(page: str) -> None:
    outline = Outline()
    outline.feed(page)
    assert len(outline.svgs) == CHARTS
    for svg in outline.svgs:
        assert svg.get("role") == "img"
        assert len(svg.get("aria-label") or "") > 40
    with_charts = [s for s in outline.sections if "svg" in s]
    assert len(with_charts) == CHARTS
    for tags in with_charts:
        assert {"h2", "figure", "figcaption", "table", "caption", "title"} <= set(tags)
    assert len(outline.ids) == len(set(outline.ids)), "ids repeat"


def test_no_private_value_is_on_the_page(page: str) -> None:
    for secret in (
        "CASE-R",
        "Robin Quill",
        "gamma.example",
        "Good session",
        "known to the network",
    ):
        assert secret not in page
    assert not re.search(r"\w@\w", page)  # no e-mail address


def test_publishing_suppresses_small_counts(data: LedgerData) -> None:
    files = report_files(data, START, END, organisations=ORGS, publish=True)
    page = files["report.html"].decode("utf-8")
    assert "counts from 1 to 4 are shown as “&lt;5”" in page
    assert "(&lt;5 of &lt;5)" in page  # 3 of 4 allocated by the date
    assert "3 of 4" not in page
    people = [s for s in page.split("<section") if 'id="h-sectors"' not in s]
    assert not re.search(r"<td>[1-4]</td>", "".join(people))  # places are not people
    csv = files["kpis.csv"].decode("utf-8").splitlines()
    assert "allocated_by_deadline,all,<5,<5,,0.9" in csv
    assert "utilisation:Health,2026-12,17,40,0.425," in csv  # places are not people
    assert "open_backlog,all,<5,,<5," in csv
    plain = kpis_csv(compute(data, START, END, organisations=ORGS)).decode().splitlines()
    assert "allocated_by_deadline,all,3,4,0.75,0.9" in plain


def test_the_same_ledger_gives_byte_identical_files(data: LedgerData, page: str) -> None:
    again = report_files(data, START, END, organisations=ORGS)
    assert again["report.html"].decode("utf-8") == page
    assert again["kpis.csv"] == report_files(data, START, END, organisations=ORGS)["kpis.csv"]


def test_kpis_csv_columns(data: LedgerData) -> None:
    text = report_files(data, START, END, organisations=ORGS)["kpis.csv"].decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "kpi,period,numerator,denominator,value,target"
    assert "contacted_within_target,2027-01,1,3,0.3333,0.9" in lines
    assert "median_working_days_to_allocation,2027-01,,0,,2" in lines


def test_a_period_with_no_activity_still_renders(data: LedgerData) -> None:
    from datetime import date

    results = compute(data, date(2026, 10, 1), date(2026, 10, 31))
    html = Page(results, data.policy, data.partnership, publish=False).html()
    assert "No feedback with themes in the period." in html
    assert "not enough data for the period" in html
