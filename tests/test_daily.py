"""Daily operation through the ledger, as the Business Unit runs it: ``jags init``,
``allocate --commit``, ``record``, ``export``, ``purge`` (``status``: test_daily_status)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from daily_helpers import WEEK, jags, ok, sample_copy, status

from allocator import InputError
from jags.daily import change_lines, read_events
from jags.ledger.intake import Change


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return sample_copy(tmp_path, monkeypatch)


def test_a_week_of_daily_batches_remembers_yesterday(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0], "--by", "admin")
    maxima = {
        r["facilitator_id"]: int(r["max_open"] or 0)
        for r in csv.DictReader((ws / "facilitators.csv").open())
    }
    seen: dict[str, str] = {}
    for day in WEEK:
        first = ok("allocate", ws, "--on", day, "--commit")
        assert first.stdout.startswith(("Batch", "Nothing new"))
        files = {p.name: p.read_bytes() for p in (ws / "batches" / day).iterdir()}
        again = ok("allocate", ws, "--on", day, "--commit")
        assert "Nothing new" in again.stdout
        assert {p.name: p.read_bytes() for p in (ws / "batches" / day).iterdir()} == files
        loads = {
            r["facilitator_id"]: int(r["open_load"])
            for r in csv.DictReader(
                io.StringIO(ok("status", ws, "--facilitators", "--format", "csv").stdout)
            )
        }
        assert all(loads[f] <= maxima[f] for f in loads if maxima.get(f))
        for rid, row in status(ws, day).items():
            if row["facilitator_ids"]:
                assert seen.setdefault(rid, row["facilitator_ids"]) == row["facilitator_ids"]
    assert sum(1 for r in status(ws).values() if r["state"] == "allocated") >= 20


def test_allocate_commit_starts_a_ledger_when_there_is_none(ws: Path) -> None:
    result = ok("allocate", ws, "--on", WEEK[0], "--commit")
    assert "Started the ledger for Norfolk Safeguarding Children Partnership" in result.stdout
    assert (ws / "jags.db").is_file()
    assert (ws / "batches" / WEEK[0] / "allocations.csv").is_file()


def test_events_from_a_spreadsheet_are_all_recorded_or_none(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    events = ws.parent / "events.csv"
    events.write_text(
        "request_id,event,on,facilitator_id,reason\n"
        "R-0001,contacted,17/11/2026,,\n"
        "R-0002,held,2026-11-17,,\n"
        "R-0003,teleported,2026-11-17,,\n"
        "R-0004,confirmed,2026-13-01,,\n",
        encoding="utf-8",
    )
    before = status(ws)
    bad = jags("record", ws, "--file", events)
    assert bad.exit_code == 2
    assert "events.csv, row 4, column event: not one of contacted, confirmed" in bad.stderr
    assert "events.csv, row 5, column on: is not a date" in bad.stderr
    assert status(ws) == before
    events.write_text(
        "request_id,event,on,facilitator_id,reason\n"
        "R-0001,contacted,17/11/2026,,\n"
        "R-0002,held,2026-11-17,,\n",
        encoding="utf-8",
    )
    bad = jags("record", ws, "--file", events)
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert (
        "events.csv, row 3: R-0002 is allocated: 'held' cannot be recorded now "
        "(allowed: contacted, confirmed, declined, stepped_down, cancelled)"
    ) in bad.stderr
    assert status(ws) == before
    events.write_text(
        "request_id,event,on,facilitator_id,reason\n"
        "R-0001,contacted,17/11/2026,,\n"
        "R-0001,confirmed,18/11/2026,,\n"
        "R-0002,stepped down,2026-11-17,,1-2-1 meeting agreed instead\n",
        encoding="utf-8",
    )
    result = ok("record", ws, "--file", events, "--by", "admin")
    assert "Recorded 3 event(s)." in result.stdout
    assert "1-2-1" not in result.output  # a typed reason is kept, never echoed
    after = status(ws)
    assert (after["R-0001"]["state"], after["R-0001"]["confirmed_on"]) == (
        "confirmed",
        "2026-11-18",
    )
    assert after["R-0002"]["state"] == "stepped_down"


def test_without_a_ledger_the_ledger_commands_say_how_to_start(ws: Path) -> None:
    for args in (
        ("status", ws),
        ("record", ws, "R-0001", "held", "--on", "2026-11-20"),
        ("export", ws, "--out", ws.parent / "x"),
    ):
        result = jags(*args)
        assert result.exit_code == 2
        assert "has no ledger yet: run jags init" in result.stderr


def test_export_and_purge_from_the_command_line(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    ok("record", ws, "R-0001", "cancelled", "--on", "2026-11-17")
    out = ws.parent / "export"
    ok("export", ws, "--out", out)
    assert (out / "events.csv").is_file() and (out / "requests.csv").is_file()
    closed_history = sum(
        1
        for r in csv.DictReader((ws / "history.csv").open())
        if r["closed_on"] and r["closed_on"] < "2026-11-18"
    )
    result = ok("purge", ws, "--before", "2026-11-18", "--on", "2026-11-25")
    # R-0001 and the earlier JAGS imported from history.csv that closed before then.
    assert f"Purged the personal data of {closed_history + 1} request(s)" in result.stdout
    requests = {
        r["request_id"]: r
        for r in csv.DictReader(
            io.StringIO(
                ok("export", ws, "--out", ws.parent / "again").stdout
                and (ws.parent / "again" / "requests.csv").read_text()
            )
        )
    }
    assert requests["R-0001"]["requester_email"] == ""
    assert requests["R-0002"]["requester_email"] != ""
    kept = ok("purge", ws, "--on", "2026-11-25")  # default: 72 months back
    assert "of 0 request(s) that ended before 2020-11-25" in kept.stdout


def test_a_changed_export_row_is_reported_not_applied(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    text = (ws / "requests.csv").read_text(encoding="utf-8")
    (ws / "requests.csv").write_text(
        text.replace("CASE-7195", "CASE-9999").replace(
            "King's Lynn and West Norfolk", "Breckland", 1
        ),
        encoding="utf-8",
    )
    result = ok("allocate", ws, "--on", WEEK[1], "--commit")
    assert (
        "R-0001 changed since it was imported, not applied: case_ref (value not shown); "
        "locality King's Lynn and West Norfolk → Breckland"
    ) in result.stdout
    assert "CASE-9999" not in result.output and "CASE-7195" not in result.output
    changes = list(csv.DictReader((ws / "batches" / WEEK[1] / "intake_changes.csv").open()))
    assert {(c["column"], c["old"], c["new"]) for c in changes} >= {
        ("case_ref", "CASE-7195", "CASE-9999")
    }


def test_read_events_names_the_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("request_id,on\nR-1,2026-11-20\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"events.csv, row 1: missing column\(s\) event"):
        read_events(path)
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="not a readable UTF-8 CSV file"):
        read_events(path)
    with pytest.raises(InputError, match="file not found"):
        read_events(tmp_path / "missing.csv")


def test_change_lines_never_show_a_private_value() -> None:
    lines = change_lines(
        [
            Change("R-1", "topic", "neglect", "exploitation"),
            Change("R-1", "mode", "online", "in_person"),
        ]
    )
    assert lines == [
        "R-1 changed since it was imported, not applied: topic (value not "
        "shown); mode online → in_person"
    ]


def test_the_ledger_flow_with_a_shared_postgresql(ws: Path, pg_url: str) -> None:
    ok("init", ws, "--on", WEEK[0], "--db", pg_url, "--partnership", "norfolk")
    ok("allocate", ws, "--on", WEEK[0], "--commit", "--db", pg_url)
    assert not (ws / "jags.db").exists()
    rows = status_db(ws, pg_url)
    assert rows["R-0001"]["state"] == "allocated"


def status_db(ws: Path, url: str) -> dict[str, dict[str, str]]:
    result = ok("status", ws, "--format", "csv", "--db", url, "--on", "2026-11-25")
    return {r["request_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}


def test_record_on_the_command_line_names_the_argument_at_fault(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    for args, words in (
        (("R-0001", "teleported", "--on", WEEK[1]), "EVENT: not one of"),
        (("R-0001", "contacted", "--on", "31/02/2026"), "--on: is not a date"),
        (("R-0001", "contacted"), "give REQUEST EVENT --on DATE"),
    ):
        result = jags("record", ws, *args)
        assert result.exit_code == 2 and words in result.stderr, result.output
    both = jags("record", ws, "R-0001", "contacted", "--file", ws / "events.csv")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_a_calendar_aware_batch_on_the_ledger_skips_a_facilitator_booked_all_window(
    ws: Path,
) -> None:
    ok("init", ws, "--on", WEEK[0])
    (ws / "calendars").mkdir()
    # F020 takes R-0001 in a plain batch; here they are away for the whole expected window.
    (ws / "calendars" / "availability.csv").write_text(
        "email,start,end,status\n"
        "lily.white@ncc-familyhubs.example,2026-11-16T00:00,2027-01-31T00:00,oof\n",
        encoding="utf-8",
    )
    ok("allocate", ws, "--on", WEEK[0], "--out", ws.parent / "plain")
    ok("allocate", ws, "--on", WEEK[0], "--calendar-aware", "--out", ws.parent / "aware")

    def given(folder: str) -> set[str]:
        with (ws.parent / folder / "allocations.csv").open(newline="") as handle:
            return {r["facilitator_id"] for r in csv.DictReader(handle)}

    assert "F020" in given("plain") and "F020" not in given("aware")


# Outputs ready to use and front-door details, with a ledger ---------------------------------


def test_a_batch_on_a_non_working_day_is_refused_before_anything_is_recorded(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    for args in (
        ("allocate", ws, "--on", "2026-11-21", "--commit"),
        ("allocate", ws, "--on", "2026-11-22"),
    ):
        result = jags(*args)
        assert result.exit_code == 2
        assert (
            "is not a working day (a weekend); the next working day is Monday 23 "
            "November 2026. Add --force" in result.stderr
        )
    assert status(ws) == {}
    assert not (ws / "batches").exists()
    # the ledger's policy decides: a closure day there is refused too
    # (recording on a Saturday is fine: people do)
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    ok("record", ws, "R-0001", "contacted", "--on", "2026-11-21")
    forced = ok("allocate", ws, "--on", "2026-11-21", "--commit", "--force")
    assert forced.stdout.startswith("Batch ")


def test_a_daily_batch_that_would_replace_different_files_is_not_recorded(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    folder = ws / "batches" / WEEK[0]
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    rerun = ok("allocate", ws, "--on", WEEK[0], "--commit")  # the same batch again: fine
    assert rerun.stdout.startswith("Nothing new")
    ok("record", ws, "R-0003", "declined", "--on", WEEK[0])
    before = status(ws)
    refused = jags("allocate", ws, "--on", WEEK[0], "--commit")  # R-0003 again: new files
    assert refused.exit_code == 2
    assert f"{folder} holds an earlier result that differs from this one" in refused.stderr
    assert status(ws) == before  # nothing recorded
    assert before["R-0003"]["state"] == "received"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files
    forced = ok("allocate", ws, "--on", WEEK[0], "--commit", "--force")
    assert forced.stdout.startswith("Batch ")
    assert status(ws)["R-0003"]["state"] == "allocated"
    assert [r["request_id"] for r in csv.DictReader((folder / "allocations.csv").open())] == [
        "R-0003"
    ]


def test_the_console_shows_the_summary_then_waiting_and_overdue(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    # A single place each, so the fortnight's requests cannot all go.
    rows = list(csv.DictReader((ws / "facilitators.csv").open(encoding="utf-8")))
    with (ws / "facilitators.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "max_open": "1" if row["max_open"] else ""} for row in rows)
    result = ok("allocate", ws, "--on", "2026-11-23", "--commit")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Batch 2 recorded for Mon 23 Nov 2026: 25 new request(s) imported, ")
    waiting = int(lines[0].split(" allocated, ")[1].split(" waiting")[0])
    assert waiting > 10
    at = lines.index(f"Waiting ({waiting}), oldest first:")
    named = lines[at + 1 : at + 11]
    assert all(line.startswith("  R-") for line in named)  # ten, oldest first
    assert lines[at + 11] == f"  … and {waiting - 10} more (every request is in allocations.csv)."
    assert not any(line.startswith("Also overdue") for line in lines)  # none but those
    # A week later, the two allocated without a recorded contact are overdue too; the
    # waiting ones are not repeated under them.
    lines = ok("allocate", ws, "--on", "2026-12-01", "--commit").stdout.splitlines()
    at = lines.index("Also overdue on the ledger (2):")
    assert lines[at + 1 : at + 3] == [
        "  R-0001: no contact recorded by 2026-11-30",
        "  R-0002: no contact recorded by 2026-11-30",
    ]
    assert len(lines) <= 40
    rows_out = list(csv.DictReader((ws / "batches" / "2026-11-23" / "allocations.csv").open()))
    assert len({r["request_id"] for r in rows_out}) == 25


def test_explain_runs_the_days_batch_against_the_ledger(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    ok("record", ws, "R-0003", "declined", "--on", WEEK[1])
    before = status(ws)
    declined_by = before["R-0003"]["facilitator_ids"]
    proposal = ok("allocate", ws, "--on", WEEK[1], "--out", ws.parent / "proposal")
    explained = ok("explain", ws, "R-0003", "--on", WEEK[1])
    lines = explained.stdout.splitlines()
    reasons = {
        r["request_id"]: r["reason"]
        for r in csv.DictReader((ws.parent / "proposal" / "allocations.csv").open(encoding="utf-8"))
    }
    assert " ".join(explained.stdout.split()).startswith(f"R-0003: {reasons['R-0003']}")
    assert any(line.startswith("- Declined this request earlier: " + declined_by) for line in lines)
    assert "Proposal for Tue 17 Nov 2026" in proposal.stdout
    assert status(ws) == before  # nothing recorded
    # a request the ledger has allocated is not in the day's batch: its recorded reason
    done = ok("explain", ws, "R-0001", "--on", WEEK[1]).stdout.splitlines()
    assert done[0].startswith("R-0001 is allocated (facilitator ")
    assert "so it is not in the batch of Tue 17 Nov 2026" in done[0]
    first_reason = next(
        r["reason"]
        for r in csv.DictReader(
            (ws / "batches" / WEEK[0] / "allocations.csv").open(encoding="utf-8")
        )
        if r["request_id"] == "R-0001"
    )
    said = " ".join(" ".join(done[1:]).split())
    assert said.startswith(f"Recorded reason ({ws / 'batches' / WEEK[0]}): {first_reason}")
    unknown = jags("explain", ws, "R-9999", "--on", WEEK[1])
    assert unknown.exit_code == 2
    assert "request R-9999 is not in the ledger or in requests.csv" in unknown.stderr
    later = jags("explain", ws, "R-0025", "--on", WEEK[1])
    assert later.exit_code == 2 and "received after 2026-11-17" in later.stderr


def test_schedule_refused_before_anything_is_booked(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    ok("record", ws, "R-0001", "confirmed", "--on", WEEK[1])
    first = ok("schedule", ws, "--commit", "--on", WEEK[1])
    assert first.stdout.startswith("1 session(s) booked")
    assert first.stdout.splitlines()[1].startswith("  R-0001: ")
    folder = ws / "schedules" / WEEK[1]
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    assert "proposals.csv" in files and "invites/R-0001.ics" in files
    ok("record", ws, "R-0002", "confirmed", "--on", WEEK[1])
    refused = jags("schedule", ws, "--commit", "--on", WEEK[1])
    assert refused.exit_code == 2 and "holds an earlier result" in refused.stderr
    assert status(ws)["R-0002"]["state"] == "confirmed"  # not booked
    forced = ok("schedule", ws, "--commit", "--on", WEEK[1], "--force")
    assert forced.stdout.startswith("1 session(s) booked")
    assert status(ws)["R-0002"]["state"] == "scheduled"


def test_export_refuses_a_different_earlier_export_unless_forced(ws: Path) -> None:
    ok("init", ws, "--on", WEEK[0])
    ok("allocate", ws, "--on", WEEK[0], "--commit")
    out = ws.parent / "export"
    ok("export", ws, "--out", out)
    ok("export", ws, "--out", out)  # nothing changed: the same files
    ok("record", ws, "R-0001", "contacted", "--on", WEEK[0])
    refused = jags("export", ws, "--out", out)
    assert refused.exit_code == 2 and "holds an earlier result" in refused.stderr
    ok("export", ws, "--out", out, "--force")
