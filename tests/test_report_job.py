"""Tests for :mod:`jags.report.job`: targets, organisations from the workspace, the files."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledger_scenario import END, START, build

from allocator import InputError
from jags.report.job import organisations, parse_targets, run_report
from jags.report.kpis import DEFAULT_RATE_TARGET


def test_targets() -> None:
    targets = parse_targets(["allocated_by_deadline=0.95", "held_within_window=80%"])
    assert targets.rates == {
        "allocated_by_deadline": 0.95,
        "contacted_within_target": DEFAULT_RATE_TARGET,
        "held_within_window": 0.8,
    }
    for bad in ("cancelled=0.5", "allocated_by_deadline=lots", "allocated_by_deadline=1.5"):
        with pytest.raises(InputError, match="--target"):
            parse_targets([bad])


def test_organisations_come_from_the_workspace(tmp_path: Path) -> None:
    folder = build(tmp_path / "ws")
    found, warning = organisations(folder)
    assert warning is None
    assert found["Gamma School"] == "Education" and found["Alpha Trust"] == "Health"
    files, warnings = run_report(folder, START, END)
    assert warnings == []
    assert b"requests_by_sector:Education,all,5,6," in files["kpis.csv"]
    (folder / "facilitators.csv").write_text("facilitator_id\nF1\n", encoding="utf-8")
    found, warning = organisations(folder)
    assert found == {} and warning is not None and "could not be read" in warning
    files, warnings = run_report(folder, START, END)
    assert warnings == [warning]
    # the facilitators' own organisations still come from the ledger
    assert b"requests_by_sector:Sector not known,all,6,6," in files["kpis.csv"]
    with pytest.raises(InputError, match="--to is before --from"):
        run_report(folder, END, START)
    assert organisations(tmp_path / "nowhere") == ({}, None)


def test_the_same_journeys_on_postgresql_give_the_same_report(tmp_path: Path, pg_url: str) -> None:
    on_sqlite = build(tmp_path / "sqlite")
    on_server = build(tmp_path / "server", db=pg_url)
    assert not (on_server / "jags.db").exists()
    mine, _ = run_report(on_sqlite, START, END)
    theirs, _ = run_report(on_server, START, END, db=pg_url)
    assert theirs == mine
