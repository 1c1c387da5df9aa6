"""Tests for :mod:`jags.report.definitions`: every KPI is defined, and the README says the
same words."""

from __future__ import annotations

from pathlib import Path

from jags.report.definitions import DEFINITIONS, RATES


def test_every_kpi_is_defined_in_the_readme_as_in_the_code() -> None:
    assert set(RATES) <= set(DEFINITIONS)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for name, text in DEFINITIONS.items():
        assert f"| `{name}` | {text} |" in readme, name
