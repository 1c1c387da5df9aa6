"""Scenario files: the issue's example reads, and every mistake is reported with the
file, the key and the value."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jags.scenarios.config import (
    AddFacilitators,
    Scenario,
    ScenarioError,
    ScenarioFile,
    load_scenario_file,
)
from jags.scenarios.dists import Fixed, Uniform

EXAMPLE = """
[base]
workspace = "data/sample"     # facilitators, organisations, involvements
policy = "norfolk"
start = 2027-01-04
working_days = 250
[demand]
requests_per_working_day = 1.0           # or: from_ledger = true
[process]                  # working days; a number is fixed, a table is a distribution
contact = {dist = "uniform", low = 1, high = 5}
confirm = 1
session = {dist = "uniform", low = 10, high = 15}   # after confirmation; held releases the load
decline_rate = 0.05
step_down_rate = 0.10
[[scenario]]
name = "baseline"
[[scenario]]
name = "health -5"
remove_facilitators = {sector = "Health", count = 5, on = 2027-03-01}
[[scenario]]
name = "train 4 police"
add_facilitators = {sector = "Police", count = 4, max_open = 2, on = 2027-02-01}
"""


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        ScenarioFile.from_toml(text, label="what-if.toml")
    return str(caught.value)


def test_the_issues_example_reads_with_native_dates_and_distributions() -> None:
    f = ScenarioFile.from_toml(EXAMPLE, label="what-if.toml", folder=Path("/plans"))
    assert f.base.start == date(2027, 1, 4) and f.base.working_days == 250
    assert f.process.contact == Uniform(dist="uniform", low=1, high=5)
    assert f.process.confirm == Fixed(value=1)
    assert [s.name for s in f.scenario] == ["baseline", "health -5", "train 4 police"]
    removal = f.scenario[1].remove_facilitators[0]
    assert (removal.sector, removal.count, removal.on) == ("Health", 5, date(2027, 3, 1))
    assert f.scenario[2].add_facilitators == (
        AddFacilitators(sector="Police", count=4, max_open=2, on=date(2027, 2, 1)),
    )
    assert f.path(f.base.workspace) == Path("/plans/data/sample")
    assert f.label == "what-if.toml"


def test_a_change_may_be_one_table_or_an_array_of_tables() -> None:
    text = (
        EXAMPLE
        + """
[[scenario]]
name = "two waves"
[[scenario.remove_facilitators]]
count = 1
on = 2027-02-01
[[scenario.remove_facilitators]]
sector = "Police"
count = 2
on = 2027-04-01
"""
    )
    f = ScenarioFile.from_toml(text)
    assert [r.count for r in f.scenario[-1].remove_facilitators] == [1, 2]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("start = 2027-01-04", 'start = "2027-01-04"'),
            'what-if.toml: base.start = "2027-01-04": must be a TOML date',
        ),
        (
            ("count = 5", "count = -5"),
            'what-if.toml: scenario 2 ("health -5"): remove_facilitators.count = -5: should be '
            "greater than or equal to 1",
        ),
        (
            ("low = 1, high = 5", "low = 6, high = 5"),
            'what-if.toml: process.contact = {dist = "uniform", low = 6, high = 5}: '
            "high is below low",
        ),
        (
            ('dist = "uniform", low = 1', 'dist = "normal", low = 1'),
            'what-if.toml: process.contact = {dist = "normal", low = 1, high = 5}: '
            "dist must be one",
        ),
        (
            ("confirm = 1", 'confirm = "one"'),
            'what-if.toml: process.confirm = "one": must be a whole number of working days',
        ),
        (
            ("decline_rate = 0.05", "decline_rate = 1.5"),
            "what-if.toml: process.decline_rate = 1.5: should be less than or equal to 1",
        ),
        (
            ("decline_rate = 0.05", "decline_rate = 0.05\ndecline = 0.1"),
            "what-if.toml: process.decline: unknown key",
        ),
        (("working_days = 250", ""), "what-if.toml: base.working_days: missing"),
        (
            (
                "requests_per_working_day = 1.0",
                "requests_per_working_day = 1.0\nfrom_ledger = true",
            ),
            "what-if.toml: demand = {requests_per_working_day = 1.0, from_ledger = true}: give "
            "exactly one of requests_per_working_day",
        ),
        (
            ('name = "train 4 police"', 'name = "baseline"'),
            "what-if.toml: scenario: two scenarios are named 'baseline'",
        ),
        (
            ("on = 2027-02-01", "on = 2027-02-01T09:00:00"),
            'what-if.toml: scenario 3 ("train 4 police"): add_facilitators.on = ',
        ),
    ],
)
def test_every_mistake_names_the_file_the_key_and_the_value(
    change: tuple[str, str], expected: str
) -> None:
    assert change[0] in EXAMPLE
    assert _error(EXAMPLE.replace(*change, 1)).startswith(expected)


def test_not_toml_and_missing_files_are_clear() -> None:
    assert _error("[base\n").startswith("what-if.toml: not valid TOML")
    with pytest.raises(ScenarioError, match=r"nowhere\.toml: scenario file not found"):
        load_scenario_file(Path("nowhere.toml"))


def test_reading_a_file_resolves_paths_against_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    f = load_scenario_file(path)
    assert f.label == "plan.toml"
    assert f.path(f.base.workspace) == tmp_path / "data" / "sample"


def test_replace_swaps_the_scenarios_and_keeps_the_rest() -> None:
    f = ScenarioFile.from_toml(EXAMPLE, label="what-if.toml", folder=Path("/plans"))
    other = f.replace(scenario=[Scenario(name="a"), {"name": "b", "demand_factor": 1.5}])
    assert [s.name for s in other.scenario] == ["a", "b"]
    assert other.scenario[1].demand_factor == 1.5
    assert (other.base, other.process, other.folder) == (f.base, f.process, f.folder)
    assert f.scenario[0].name == "baseline"  # the original is untouched
    with pytest.raises(ScenarioError, match=r"what-if.toml: scenario 1 \(\"a\"\): demand_factor"):
        f.replace(scenario=[{"name": "a", "demand_factor": -1}])
