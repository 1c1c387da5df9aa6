"""``jags demo``: a week of daily batches on the bundled sample through the ledger, run once
(twice, for determinism) and inspected as a user would rely on it."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from jags.cli import SAMPLE, app
from jags.demo import WEEK

SCREEN_LINES = 50
"""A screen: at most this many lines …"""
SCREEN_COLUMNS = 160
"""… of at most this many characters."""
DAYS = [day.on.isoformat() for day in WEEK]


def jags(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def run_demo(folder: Path) -> Result:
    result = jags("demo", "--out", folder)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("demo") / "out"
    return run_demo(out), out


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def exported(out: Path, tmp: Path) -> dict[str, list[dict[str, str]]]:
    """Every ledger table after the week (jags export)."""
    result = jags("export", out / "workspace", "--out", tmp)
    assert result.exit_code == 0, result.output
    return {p.stem: read_csv(p.read_text("utf-8")) for p in tmp.glob("*.csv")}


def sections(stdout: str) -> dict[str, list[str]]:
    """The output split at the day headings (rules): heading → its lines."""
    found: dict[str, list[str]] = {"intro": []}
    current = "intro"
    for line in stdout.splitlines():
        rule = re.fullmatch(r"─+ (.+?) ─+", line)
        if rule:
            current = rule.group(1)
            found[current] = []
        else:
            found[current].append(line)
    return found


def test_the_week_runs_every_step_of_the_daily_routine(demo: tuple[Result, Path]) -> None:
    result, out = demo
    parts = sections(result.stdout)
    headings = [f"{day.on:%A %d %B %Y}" for day in WEEK]
    assert list(parts)[1:] == [*headings, "The week in numbers"]
    ws = out / "workspace"
    for heading, day in zip(headings, DAYS, strict=True):
        commands = [line for line in parts[heading] if line.startswith("$ jags ")]
        assert commands == [
            f"$ jags allocate {ws} --on {day} --commit --by demo",
            f"$ jags record {ws} --file {out / 'events' / f'{day}.csv'} --by demo",
            f"$ jags schedule {ws} --commit --on {day} --by demo",
            f"$ jags invite {ws} --send graph --on {day} --by demo",
            f"$ jags status {ws} --on {day} --format xlsx",
        ], heading
        text = "\n".join(parts[heading])
        assert re.search(
            rf"^Batch \d+ recorded for {datetime.fromisoformat(day):%a %d %b %Y}:", text, re.M
        ), heading
        assert re.search(r"^\d+ request\(s\) on the ledger on ", text, re.M)  # the summary
    friday = "\n".join(parts[headings[-1]])
    assert "would send REQUEST for R-" in friday  # the outbox, a dry run
    assert (
        f"$ jags report {ws} --from 2026-11-01 --to 2026-11-20 --out {out / 'report'}"
        in parts["The week in numbers"]
    )


def test_each_step_fits_a_screen(demo: tuple[Result, Path]) -> None:
    result, _ = demo
    for heading, lines in sections(result.stdout).items():
        assert len(lines) <= SCREEN_LINES, (heading, len(lines))
        assert max(len(line) for line in lines) <= SCREEN_COLUMNS, heading
    assert len(result.stdout.splitlines()) <= SCREEN_LINES * (len(WEEK) + 2)


def test_the_ledger_after_the_week(demo: tuple[Result, Path], tmp_path: Path) -> None:
    _, out = demo
    tables = exported(out, tmp_path / "export")
    state = {r["request_id"]: r["state"] for r in tables["requests"] if r["origin"] == "form"}
    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as handle:
        received = [r["request_id"] for r in csv.DictReader(handle)]
    assert sorted(state) == received[:-1]  # R-0025 arrives on Saturday, after the week
    assert state["R-0006"] == "stepped_down"
    assert state["R-0011"] == "held"  # the requester arranged it: no booking
    booked = {"R-0001", "R-0002", "R-0003", "R-0004", "R-0005", "R-0007", "R-0008", "R-0009"}
    assert {rid for rid, s in state.items() if s == "scheduled"} == booked
    assert all(
        s in ("allocated", "contacted")
        for rid, s in state.items()
        if rid not in booked | {"R-0006", "R-0011"}
    )
    # R-0003 was declined and allocated again, first, to someone else
    r3 = [a for a in tables["allocations"] if a["request_id"] == "R-0003"]
    assert [a["status"] for a in r3] == ["declined", "open"]
    assert r3[0]["facilitator_id"] != r3[1]["facilitator_id"]
    assert r3[1]["allocated_on"] == "2026-11-18"
    # every booked session has its invitation queued (the demo sends nothing)
    sessions = {s["request_id"]: s for s in tables["sessions"]}
    assert set(sessions) == booked
    outbox = tables["outbox"]
    assert sorted(m["request_id"] for m in outbox) == sorted(booked)
    assert {m["status"] for m in outbox} == {"queued"}
    assert {m["method"] for m in outbox} == {"REQUEST"}
    # every session window was still ahead when it was booked (the run day precedes it)
    assert all(s["start"][:10] > "2026-11-30" for s in sessions.values())


def test_no_request_is_allocated_twice_and_no_one_past_capacity(
    demo: tuple[Result, Path], tmp_path: Path
) -> None:
    _, out = demo
    tables = exported(out, tmp_path / "export")
    opened = Counter(a["request_id"] for a in tables["allocations"] if a["status"] == "open")
    assert max(opened.values()) == 1
    result = jags("status", out / "workspace", "--facilitators", "--format", "csv")
    assert result.exit_code == 0, result.output
    loads = read_csv(result.stdout)
    assert len(loads) == 40
    for row in loads:
        if row["max_open"]:
            assert int(row["open_load"]) <= int(row["max_open"]), row["facilitator_id"]
    # the requests allocated this week, day by day, each exactly once (R-0003 twice: declined)
    given = Counter()
    for day in DAYS:
        with (out / "workspace" / "batches" / day / "allocations.csv").open(
            newline="", encoding="utf-8"
        ) as handle:
            given.update(
                r["request_id"] for r in csv.DictReader(handle) if r["status"] != "unallocated"
            )
    assert given["R-0003"] == 2
    assert {rid for rid, n in given.items() if n > 1} == {"R-0003"}


def test_the_files_a_user_opens_exist(demo: tuple[Result, Path]) -> None:
    _, out = demo
    ws = out / "workspace"
    assert (ws / "jags.db").is_file()
    for day in DAYS:
        for name in ("allocations.csv", "explanations.csv", "facilitator_status.csv"):
            assert (ws / "batches" / day / name).is_file(), (day, name)
        book = openpyxl.load_workbook(ws / "status" / day / "status.xlsx", read_only=True)
        try:
            assert book.sheetnames == ["Summary", "Requests", "Facilitators"]
        finally:
            book.close()
        assert (out / "events" / f"{day}.csv").is_file()
    for day in DAYS[1:]:  # sessions are booked from Tuesday on
        folder = ws / "schedules" / day
        assert (folder / "proposals.csv").is_file(), day
        assert list((folder / "invites").glob("R-*.ics")), day
    assert (out / "report" / "report.html").is_file()
    kpis = read_csv((out / "report" / "kpis.csv").read_text("utf-8"))
    assert {"allocated_by_deadline", "stepped_down", "reallocated"} <= {k["kpi"] for k in kpis}
    # the bundled sample is never written to
    assert not (SAMPLE / "jags.db").exists() and not (SAMPLE / "batches").exists()


def test_the_output_shows_no_case_details(demo: tuple[Result, Path]) -> None:
    result, out = demo
    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as handle:
        private = {
            value
            for row in csv.DictReader(handle)
            for value in (
                row["case_ref"],
                row["family_ref"],
                row["preference_rationale"],
                row["topic"],
            )
            if value
        }
    assert private
    assert [v for v in private if v in result.output] == []
    names = " ".join(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert [v for v in private if v in names] == []
    for path in out.rglob("invites/*.ics"):
        content = path.read_text("utf-8").replace("\r\n ", "")
        assert [v for v in private if v in content] == [], path.name


def test_a_second_run_into_a_fresh_folder_gives_the_same_files(
    demo: tuple[Result, Path], tmp_path: Path
) -> None:
    first, out = demo
    again = tmp_path / "again"
    second = run_demo(again)

    def said(result: Result, folder: Path) -> str:  # (the panels' widths follow the paths)
        return re.sub(r"[\s─│]+", " ", result.stdout.replace(str(folder), "OUT"))

    assert said(second, again) == said(first, out)

    def files(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith("jags.db")
        }

    made = files(out)
    assert len(made) > 100
    assert files(again) == made


def test_a_rerun_replaces_an_earlier_demo_but_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = jags("demo", "--out", mine)
    assert refused.exit_code == 2
    assert "holds files the demo did not write" in refused.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    (out / "workspace").mkdir(parents=True)
    (out / ".jags-demo").write_text("an earlier run", encoding="utf-8")
    (out / "workspace" / "jags.db").write_bytes(b"an earlier week")
    run_demo(out)
    assert (out / "workspace" / "jags.db").read_bytes() != b"an earlier week"
