"""``jags demo``: the whole pipeline on the bundled sample, run once and inspected."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from jags.cli import SAMPLE, app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("demo") / "out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    return result, out


def test_demo_succeeds(demo: tuple[Result, Path]) -> None:
    result, _ = demo
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Traceback" not in result.output


def test_demo_shows_the_four_steps_in_order(demo: tuple[Result, Path]) -> None:
    result, _ = demo
    steps = ["Step 1 · Allocate", "Step 2 · Why?", "Step 3 · Propose session times",
             "Step 4 · Invitations"]
    positions = [result.stdout.find(step) for step in steps]
    assert all(p >= 0 for p in positions), result.stdout[:2000]
    assert positions == sorted(positions)
    assert "requests:" in result.stdout and "waiting" in result.stdout
    assert "would send REQUEST for R-" in result.stdout  # a dry run, no credentials


def test_demo_writes_every_file(demo: tuple[Result, Path]) -> None:
    _, out = demo
    allocation, schedule = out / "allocation", out / "schedule"
    for name in ("allocations.csv", "explanations.csv", "facilitator_status.csv",
                 "allocations.xlsx"):
        assert (allocation / name).is_file(), name
    for name in ("proposals.csv", "schedule.json"):
        assert (schedule / name).is_file(), name
    book = openpyxl.load_workbook(allocation / "allocations.xlsx", read_only=True)
    try:
        assert book.sheetnames == ["Summary", "Allocations", "Explanations", "Facilitators"]
    finally:
        book.close()
    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as handle:
        requests = {row["request_id"] for row in csv.DictReader(handle)}
    with (allocation / "allocations.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["request_id"] for row in rows} == requests
    manifest = json.loads((schedule / "schedule.json").read_text("utf-8"))
    assert manifest["outbox"]
    for rid in manifest["outbox"]:
        assert (schedule / "invites" / f"{rid}.ics").is_file()
        assert (schedule / "invites" / f"{rid}.eml").is_file()


def test_demo_output_shows_no_case_references(demo: tuple[Result, Path]) -> None:
    result, out = demo
    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as handle:
        private = {value for row in csv.DictReader(handle)
                   for value in (row["case_ref"], row["family_ref"], row["preference_rationale"])
                   if value}
    assert private
    assert [v for v in private if v in result.output] == []
    names = " ".join(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert [v for v in private if v in names] == []
    for path in (out / "schedule" / "invites").glob("*.ics"):
        content = path.read_text("utf-8").replace("\r\n ", "")
        assert [v for v in private if v in content] == [], path.name
