"""Preparing scenarios: files read once, every name and date checked, plans made."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from scenario_files import SAMPLE, scenario_file
from typer.testing import CliRunner

from allocator import InputError, Policy, WorkingCalendar, normalise_org
from jags.cli import app
from jags.scenarios.config import ScenarioError, ScenarioFile
from jags.scenarios.prepare import prepare, read_received, working_days
from jags.workspace import read_workspace


def _prepare(tmp_path: Path, scenarios: str, **kw: object) -> tuple:
    return prepare(ScenarioFile.read(scenario_file(tmp_path, SAMPLE, scenarios=scenarios, **kw)))  # type: ignore[arg-type]


def _error(tmp_path: Path, scenarios: str, **kw: object) -> str:
    with pytest.raises(InputError) as caught:
        _prepare(tmp_path, scenarios, **kw)
    return str(caught.value)


def test_working_days_follow_the_policys_calendar() -> None:
    days = working_days(WorkingCalendar((date(2027, 1, 5),)), date(2027, 1, 2), 3)
    assert days == (date(2027, 1, 4), date(2027, 1, 6), date(2027, 1, 7))


def test_the_sample_prepares_with_its_facilitators_and_no_requests(tmp_path: Path) -> None:
    [model] = _prepare(tmp_path, '[[scenario]]\nname = "baseline"\n', days=30)
    sample = read_workspace(SAMPLE)
    assert model.workspace.facilitators == sample.facilitators
    assert model.workspace.requests == () and model.workspace.history == sample.history
    assert model.policy == Policy.preset("norfolk")
    assert len(model.days) == 30 and model.days[0] == date(2027, 1, 4)
    assert model.demand.rate == 1.0 and set(model.demand.factors) == {1.0}


def test_added_facilitators_are_trained_from_their_date_in_their_sectors_organisations(
    tmp_path: Path,
) -> None:
    [model] = _prepare(
        tmp_path,
        '[[scenario]]\nname = "train"\nadd_facilitators = '
        '{sector = "police", count = 3, max_open = 3, '
        "on = 2027-02-01}\n",
    )
    new = [f for f in model.workspace.facilitators if f.facilitator_id.startswith("NEW-")]
    assert len(new) == 3
    sample = read_workspace(SAMPLE)
    assert all(
        f.sector == "Police" and f.max_open == 3 and f.trained_on == date(2027, 2, 1) for f in new
    )
    # the facilitators' own Police organisation first, then the sector's others in turn
    assert new[0].organisation == "Norfolk Constabulary"
    assert {sample.sector_of_org[normalise_org(f.organisation or "")] for f in new} == {"Police"}
    assert len({f.facilitator_id for f in new}) == 3


def test_a_policy_change_and_a_process_change_apply_to_one_scenario(tmp_path: Path) -> None:
    base, slower = _prepare(
        tmp_path,
        '[[scenario]]\nname = "a"\n[[scenario]]\nname = "b"\n'
        'policy = "bedfordshire"\n'
        "policy_settings = {allocate_within_days = 3}\n"
        "process = {decline_rate = 0.2}\n",
    )
    assert base.policy.name == "norfolk" and base.process.decline_rate == 0.05
    assert slower.policy.facilitators_per_request == 2
    assert slower.policy.allocate_within_days == 3
    assert slower.process.decline_rate == 0.2


@pytest.mark.parametrize(
    ("scenarios", "expected"),
    [
        (
            'remove_facilitators = {sector = "Health", count = 9, on = 2027-03-01}',
            "what-if.toml: scenario 1 ('x'): remove_facilitators.count = 9: the workspace has only "
            "5 Health facilitators",
        ),
        (
            'remove_facilitators = {sector = "Helth", count = 1, on = 2027-03-01}',
            "what-if.toml: scenario 1 ('x'): remove_facilitators.sector = 'Helth': no such sector",
        ),
        (
            'remove_facilitators = {ids = ["F999"], on = 2027-03-01}',
            "what-if.toml: scenario 1 ('x'): remove_facilitators.ids: 'F999' is not a facilitator",
        ),
        (
            'add_facilitators = {sector = "Magic", count = 1, on = 2027-03-01}',
            "what-if.toml: scenario 1 ('x'): add_facilitators.sector = 'Magic': no such sector",
        ),
        (
            'leave = {sector = "Magic", count = 1, start = 2027-03-01, end = 2027-03-05}',
            "what-if.toml: scenario 1 ('x'): leave.sector = 'Magic': no such sector",
        ),
        (
            'policy = "surrey"',
            "what-if.toml: scenario 1 ('x'): policy = 'surrey': no policy preset or file",
        ),
        (
            "policy_settings = {allocate_within_days = -1}",
            "what-if.toml: scenario 1 ('x'): policy_settings: policy norfolk: allocate_within_days",
        ),
        (
            "process = {decline_rate = 2}",
            "what-if.toml: scenario 1 ('x'): process.decline_rate = 2: ",
        ),
    ],
)
def test_names_the_workspace_does_not_have_are_errors(
    tmp_path: Path, scenarios: str, expected: str
) -> None:
    message = _error(tmp_path, f'[[scenario]]\nname = "x"\n{scenarios}\n')
    assert message.startswith(expected), message
    assert isinstance(ScenarioError(message), InputError)


def test_a_missing_workspace_is_named_with_its_key(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, tmp_path / "nowhere", scenarios='[[scenario]]\nname = "a"\n')
    with pytest.raises(ScenarioError) as caught:
        prepare(ScenarioFile.read(path))
    assert str(caught.value) == (
        f"what-if.toml: base.workspace = "
        f"{str(tmp_path / 'nowhere')!r}: no such workspace folder or "
        f"workbook"
    )


def test_an_unknown_sector_in_the_mix_is_an_error(tmp_path: Path) -> None:
    assert (
        _error(tmp_path, '[[scenario]]\nname = "x"\n', demand="sector_mix = {Helth = 1}")
        == "what-if.toml: demand.sector_mix.Helth: no organisation in the workspace has this "
        "sector"
    )


def ledger_plan(tmp_path: Path, workspace: Path) -> Path:
    path = tmp_path / "ledger.toml"
    path.write_text(
        f'[base]\nworkspace = "{workspace.as_posix()}"\nstart = 2027-01-04\n'
        "working_days = 10\n[demand]\nfrom_ledger = true\n[[scenario]]\n"
        'name = "a"\n',
        encoding="utf-8",
    )
    return path


def test_demand_from_a_workspace_without_a_ledger_says_how_to_start_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAGS_DB", raising=False)
    folder = tmp_path / "ws"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("calendars"))
    with pytest.raises(
        ScenarioError,
        match=r"demand\.from_ledger = true: the workspace has no "
        r"ledger \(run jags init",
    ):
        prepare(ScenarioFile.read(ledger_plan(tmp_path, folder)))


def test_demand_resampled_from_the_ledgers_own_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAGS_DB", raising=False)
    folder = tmp_path / "ws"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("calendars"))
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(folder), "--on", "2026-11-09"]).exit_code == 0
    assert runner.invoke(app, ["intake", str(folder), "--on", "2026-11-24"]).exit_code == 0
    from jags.scenarios.prepare import _received_history

    from_ledger = _received_history(ScenarioFile.read(ledger_plan(tmp_path, folder)))
    assert from_ledger is not None
    assert sorted(from_ledger) == sorted(read_received(SAMPLE / "requests.csv"))
    assert prepare(ScenarioFile.read(ledger_plan(tmp_path, folder))) is not None


def test_demand_resampled_from_a_requests_file(tmp_path: Path) -> None:
    path = tmp_path / "history.toml"
    path.write_text(
        f'[base]\nworkspace = "{SAMPLE.as_posix()}"\nstart = 2027-01-04\n'
        'working_days = 10\n[demand]\nhistory = "'
        f'{(SAMPLE / "requests.csv").as_posix()}"\n[[scenario]]\nname = "a"\n'
        '[[scenario]]\nname = "b"\nrequests_per_working_day = 2\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"scenario 2 .*demand is resampled from history"):
        prepare(ScenarioFile.read(path))
    path.write_text(path.read_text().split('[[scenario]]\nname = "b"')[0])
    [model] = prepare(ScenarioFile.read(path))
    assert model.demand.rate is None and model.demand.pools is not None
    assert sum(model.demand.pools.overall) == 25  # the sample's 25 requests


def test_a_bad_history_file_names_the_row_and_column_without_the_value(tmp_path: Path) -> None:
    bad = tmp_path / "old.csv"
    bad.write_text(
        "request_id,received_at,case_ref\nR1,2026-01-05T10:00,C1\nR2,CASE-SECRET,C2\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        read_received(bad)
    assert str(caught.value) == "old.csv: row 3, column received_at: not a date-time"
    (tmp_path / "none.csv").write_text("request_id\nR1\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"none\.csv: column received_at: missing"):
        read_received(tmp_path / "none.csv")
