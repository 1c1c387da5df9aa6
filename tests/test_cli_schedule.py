"""End-to-end tests of ``jags schedule`` and ``jags invite`` (:mod:`jags.cli_schedule`):
proposals, invitations and the manifest, calendars that cannot be read, choosing,
cancelling and sending invitations, and the refusals (exit 2, nothing written or changed).

Every command goes through the real Typer app (``jags.cli.app``) on the bundled sample
workspace. The slow scheduling run happens once and is shared (``scheduled``, and
``schedule_copy`` for commands that change it, in conftest).
"""

from __future__ import annotations

import csv
import email
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, time, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cli_helpers import (
    CONFIRMED,
    ON,
    PROPERTY,
    ROOT,
    SAMPLE,
    TINY,
    apply_changes,
    assert_clean_failure,
    assert_exit_0_or_2,
    changed_cells,
    copy_sample,
    header,
    jags,
    leaks,
    private_values,
    read_csv,
    set_cell,
    snapshot,
    write_rows,
    write_tables,
)
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import Result

from allocator import Policy, WorkingCalendar

LONDON = ZoneInfo("Europe/London")
PROPOSAL_COLUMNS = [
    "request_id",
    "option",
    "start",
    "end",
    "working_day",
    "required_free",
    "required_busy",
    "unknown",
    "score",
    "reason",
]


# Helpers ---------------------------------------------------------------------------------


def ics_field(ics: bytes, name: str) -> list[str]:
    """Values of an iCalendar property in the VEVENT (lines unfolded)."""
    text = ics.decode("utf-8").replace("\r\n ", "")
    return [
        line.split(":", 1)[1]
        for line in text.split("\r\n")
        if line.split(":", 1)[0].split(";")[0] == name
    ]


def eml_text(path: Path) -> str:
    """Headers and every decoded part of an e-mail."""
    message: Message = email.message_from_bytes(path.read_bytes())
    parts = [str(message.items())]
    for part in message.walk():
        payload: Any = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


# Privacy ---------------------------------------------------------------------------------


def test_schedule_output_never_shows_case_details(scheduled: tuple[Result, Path]) -> None:
    result, out = scheduled
    assert leaks(result.stdout) == []
    assert leaks(result.stderr) == []
    assert leaks(" ".join(p.relative_to(out).as_posix() for p in out.rglob("*"))) == []
    invites = sorted((out / "invites").iterdir())
    assert invites
    for path in invites:
        text = eml_text(path) if path.suffix == ".eml" else path.read_text("utf-8")
        assert "Joint Agency Group Supervision" in text.replace("\r\n ", "")
        found = [v for v in private_values() if v in text]
        assert found == [], path.name


# jags schedule ---------------------------------------------------------------------------


def test_schedule_writes_proposals_invites_and_manifest(
    scheduled: tuple[Result, Path], allocated: tuple[Result, Path]
) -> None:
    result, out = scheduled
    assert header(out / "proposals.csv")[:10] == PROPOSAL_COLUMNS
    given = {
        r["request_id"]
        for r in read_csv(allocated[1] / "allocations.csv")
        if r["status"] != "unallocated"
    }
    proposals = read_csv(out / "proposals.csv")
    assert {p["request_id"] for p in proposals} == given
    first = {p["request_id"]: p for p in proposals if p["option"] == "1"}
    in_window = {rid for rid, p in first.items() if p["outside"] == "false"}
    assert in_window, "the sample places sessions in their window"
    invites = {p.name for p in (out / "invites").iterdir()}
    assert invites == {f"{rid}.{ext}" for rid in in_window for ext in ("ics", "eml")}
    manifest = json.loads((out / "schedule.json").read_text("utf-8"))
    assert set(manifest["sessions"]) == given
    assert sorted(manifest["outbox"]) == sorted(in_window)
    assert f"{len(in_window)} invitation(s) written" in result.stdout


def test_schedule_times_are_in_the_window_and_working_hours(scheduled: tuple[Result, Path]) -> None:
    _, out = scheduled
    policy = Policy.preset("norfolk")
    calendar = WorkingCalendar(policy.closure_days)
    proposals = read_csv(out / "proposals.csv")
    checked = 0
    for p in proposals:
        start, end = datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"])
        assert start.utcoffset() is not None and end.utcoffset() is not None, p["start"]
        assert re.search(r"[+-]\d{2}:\d{2}$", p["start"]) and re.search(
            r"[+-]\d{2}:\d{2}$", p["end"]
        )
        local, local_end = start.astimezone(LONDON), end.astimezone(LONDON)
        assert end - start == timedelta(minutes=90)
        assert time(9) <= local.time() and local_end.time() <= time(17)
        assert local_end.date() == local.date()
        assert local.minute % 15 == 0 and local.second == 0
        assert calendar.is_working_day(local.date())
        day = int(p["working_day"])
        assert calendar.add_working_days(CONFIRMED, day) == local.date()
        if p["outside"] == "false":
            assert 10 <= day <= 15, p
            checked += 1
    assert checked


def test_schedule_invitation_is_for_option_one(scheduled: tuple[Result, Path]) -> None:
    _, out = scheduled
    first = {p["request_id"]: p for p in read_csv(out / "proposals.csv") if p["option"] == "1"}
    for path in sorted((out / "invites").glob("*.ics")):
        ics = path.read_bytes()
        assert ics_field(ics, "METHOD") == ["REQUEST"]
        assert ics_field(ics, "SEQUENCE") == ["0"]
        start = datetime.fromisoformat(first[path.stem]["start"]).astimezone(LONDON)
        assert ics_field(ics, "DTSTART")[-1] == f"{start:%Y%m%dT%H%M%S}"
        assert path.stem in ics_field(ics, "SUMMARY")[0]


def _allocations_copy(allocated: tuple[Result, Path], tmp_path: Path) -> Path:
    path = tmp_path / "allocations.csv"
    shutil.copyfile(allocated[1] / "allocations.csv", path)
    return path


def test_schedule_refuses_allocations_without_a_column(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    path = _allocations_copy(allocated, tmp_path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("status")
    write_rows(path, [[c for i, c in enumerate(r) if i != drop] for r in rows])
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        path,
        "--confirmed-on",
        "2026-11-30",
        "--on",
        ON,
        "--out",
        out,
    )
    assert_clean_failure(result, out, "allocations.csv, row 1", "status")


def test_schedule_refuses_an_unknown_request(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    path = _allocations_copy(allocated, tmp_path)
    set_cell(path, 4, "request_id", "R-9999")
    set_cell(path, 6, "facilitator_id", "F999")
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        path,
        "--confirmed-on",
        "2026-11-30",
        "--on",
        ON,
        "--out",
        out,
    )
    assert_clean_failure(
        result,
        out,
        "allocations.csv, row 4, column request_id",
        "R-9999",
        "allocations.csv, row 6, column facilitator_id",
    )


def test_schedule_refuses_a_bad_confirmation_date(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        allocated[1] / "allocations.csv",
        "--confirmed-on",
        "30/13/2026",
        "--out",
        out,
    )
    assert_clean_failure(result, out, "--confirmed-on", "30/13/2026")


def _bad_calendars(workspace: Path) -> tuple[str, str, str]:
    """Spoil three attendees' exports: unreadable, a link to /dev/zero, a folder."""
    names = sorted(p.name for p in (workspace / "calendars").glob("*.ics"))
    broken, zero, folder = names[0], names[1], names[2]
    calendars = workspace / "calendars"
    (calendars / broken).write_bytes(
        (ROOT / "tests" / "data" / "calendars" / "outlook_broken_dtstart.ics").read_bytes()
    )
    (calendars / zero).unlink()
    (calendars / zero).symlink_to("/dev/zero")
    (calendars / folder).unlink()
    (calendars / folder).mkdir()
    return broken, zero, folder


def _limited_schedule(
    workspace: Path, allocated: tuple[Result, Path], out: Path, *flags: str
) -> subprocess.CompletedProcess[str]:
    """``jags schedule`` in its own process, with 3 GiB of address space (reading /dev/zero
    would exhaust it); no traceback whatever the outcome."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jags.cli",
            "schedule",
            str(workspace),
            "--allocations",
            str(allocated[1] / "allocations.csv"),
            "--confirmed-on",
            "2026-11-30",
            "--out",
            str(out),
            *flags,
        ],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
    )
    assert "Traceback" not in done.stderr
    return done


def test_schedule_goes_on_without_unreadable_calendars_and_names_them(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    workspace = copy_sample(tmp_path)
    broken, zero, folder = _bad_calendars(workspace)
    out = tmp_path / "out"
    done = _limited_schedule(workspace, allocated, out, "--no-cache")
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.splitlines()
    assert any(
        f"calendars/{broken}, line 9: the calendar has an unreadable DTSTART" in line
        and "is unknown" in line
        for line in warnings
    ), done.stderr
    assert any(f"calendars/{zero}: not a regular file" in line for line in warnings)
    assert any(f"calendars/{folder}: a folder, not a calendar file" in line for line in warnings)
    assert (out / "proposals.csv").is_file()


@pytest.mark.parametrize("spoil", ["broken", "zero", "folder"])
def test_schedule_strict_stops_at_a_calendar_that_cannot_be_read(
    allocated: tuple[Result, Path], tmp_path: Path, spoil: str
) -> None:
    workspace = copy_sample(tmp_path)
    spoiled = dict(zip(("broken", "zero", "folder"), _bad_calendars(workspace), strict=True))
    for kind, name in spoiled.items():  # keep only the one spoiled export under test
        if kind != spoil:
            path = workspace / "calendars" / name
            path.unlink() if not path.is_dir() or path.is_symlink() else path.rmdir()
    out = tmp_path / "out"
    done = _limited_schedule(workspace, allocated, out, "--strict")
    assert done.returncode == 2, done.stderr
    expected = {
        "broken": f"calendars/{spoiled['broken']}, line 9: the calendar has an unreadable "
        "DTSTART in a VEVENT",
        "zero": f"calendars/{spoiled['zero']}: not a regular file",
        "folder": f"calendars/{spoiled['folder']}: a folder, not a calendar file",
    }[spoil]
    assert expected in done.stderr
    assert not out.exists()


# jags invite -----------------------------------------------------------------------------


def _second_option(folder: Path) -> tuple[str, dict[str, str]]:
    """A request whose option 2 is a different time from option 1."""
    rows = read_csv(folder / "proposals.csv")
    first = {r["request_id"]: r for r in rows if r["option"] == "1" and r["outside"] == "false"}
    for row in rows:
        rid = row["request_id"]
        if row["option"] == "2" and rid in first and row["start"] != first[rid]["start"]:
            return rid, row
    raise AssertionError("no request with a second option")


def test_invite_choose_moves_the_invitation(schedule_copy: Path) -> None:
    rid, option = _second_option(schedule_copy)
    before = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    others = {
        k: v for k, v in snapshot(schedule_copy / "invites").items() if not k.startswith(f"{rid}.")
    }
    result = jags("invite", schedule_copy, "--choose", f"{rid}=2", "--on", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert rid in result.stdout
    after = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    assert ics_field(after, "UID") == ics_field(before, "UID")
    assert ics_field(after, "SEQUENCE") == ["1"]
    assert ics_field(after, "METHOD") == ["REQUEST"]
    assert ics_field(after, "DTSTAMP") == ["20261201T000000Z"]
    start = datetime.fromisoformat(option["start"]).astimezone(LONDON)
    assert ics_field(after, "DTSTART")[-1] == f"{start:%Y%m%dT%H%M%S}"
    assert {
        k: v for k, v in snapshot(schedule_copy / "invites").items() if not k.startswith(f"{rid}.")
    } == others
    manifest = json.loads((schedule_copy / "schedule.json").read_text("utf-8"))
    assert manifest["outbox"] == [rid]
    assert manifest["sessions"][rid]["invited"]["start"] == option["start"]


def test_invite_cancel_sends_a_cancellation(schedule_copy: Path) -> None:
    rid, _ = _second_option(schedule_copy)
    before = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    assert (
        jags("invite", schedule_copy, "--choose", f"{rid}=2", "--on", "2026-12-01").exit_code == 0
    )
    result = jags("invite", schedule_copy, "--cancel", rid, "--on", "2026-12-02")
    assert result.exit_code == 0, result.output
    after = (schedule_copy / "invites" / f"{rid}.ics").read_bytes()
    assert ics_field(after, "METHOD") == ["CANCEL"]
    assert ics_field(after, "STATUS") == ["CANCELLED"]
    assert ics_field(after, "UID") == ics_field(before, "UID")
    assert ics_field(after, "SEQUENCE") == ["2"]
    attendees = ics_field(after, "ATTENDEE")
    assert len(attendees) == len(ics_field(before, "ATTENDEE")) > 1


def test_invite_send_dry_run_needs_no_credentials(
    schedule_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "JAGS_GRAPH_TENANT_ID",
        "JAGS_GRAPH_CLIENT_ID",
        "JAGS_GRAPH_CLIENT_SECRET",
        "JAGS_GRAPH_ORGANIZER",
    ):
        monkeypatch.delenv(name, raising=False)
    before = snapshot(schedule_copy)
    manifest = json.loads((schedule_copy / "schedule.json").read_text("utf-8"))
    result = jags("invite", schedule_copy, "--send", "graph")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("would send ")]
    assert len(lines) == len(manifest["outbox"]) > 0
    for line, rid in zip(lines, manifest["outbox"], strict=True):
        assert line.startswith(f"would send REQUEST for {rid} to ")
        assert line.endswith(" via graph")
    assert snapshot(schedule_copy) == before  # a dry run changes nothing
    assert leaks(result.output) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--choose", "R-9999=1"], "R-9999"),
        (["--choose", "R-0001"], "REQUEST_ID=OPTION"),
        (["--choose", "R-0001=99"], "option 99"),
        (["--send", "pigeon"], "--send"),
    ],
)
def test_invite_bad_arguments_change_nothing(
    schedule_copy: Path, args: list[str], expected: str
) -> None:
    before = snapshot(schedule_copy)
    result = jags("invite", schedule_copy, *args, "--on", "2026-12-01")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(schedule_copy) == before


def test_invite_without_a_schedule_is_a_clear_error(tmp_path: Path) -> None:
    result = jags("invite", tmp_path, "--send", "graph")
    assert result.exit_code == 2
    assert "schedule.json" in result.stderr and "jags schedule" in result.stderr


# A send that fails, a session window already open ----------------------------------------


def test_invite_send_failure_is_a_message_not_a_traceback(
    schedule_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAGS_GRAPH_TENANT_ID", "tenant")
    monkeypatch.setenv("JAGS_GRAPH_CLIENT_ID", "client")
    monkeypatch.setenv("JAGS_GRAPH_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("JAGS_GRAPH_ORGANIZER", "jags@bu.example")
    monkeypatch.setenv("JAGS_GRAPH_AUTHORITY_HOST", "https://127.0.0.1:9")  # nothing listens
    result = jags("invite", schedule_copy, "--send", "graph", "--no-dry-run")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "sign-in failed" in result.stderr
    assert "s3cret-value" not in result.output


def test_schedule_refuses_a_session_window_already_open(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    # Confirmed on 2 Nov: the window opened on 16 Nov, before a run on 23 Nov, where every
    # calendar looks empty. The run is refused and nothing is written.
    out = tmp_path / "out"
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        allocated[1] / "allocations.csv",
        "--confirmed-on",
        "2026-11-02",
        "--on",
        ON,
        "--out",
        out,
    )
    assert_clean_failure(
        result, out, "session window opened on 2026-11-16", "before this run (2026-11-23)"
    )


# Hostile input: formulas, unsafe ids, private values in the wrong column, huge numbers ---


def test_schedule_refuses_unsafe_ids_and_never_repeats_private_values(
    allocated: tuple[Result, Path], tmp_path: Path
) -> None:
    path = _allocations_copy(allocated, tmp_path)
    set_cell(path, 2, "request_id", "a/b")
    set_cell(path, 3, "facilitator_id", "Jayden Smith (DOB 01/02/2015)")
    workspace = copy_sample(tmp_path)
    with (workspace / "calendars" / "availability.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            '"Jayden.Smith@school.example, eve@evil.example",2026-12-01T09:00,'
            "2026-12-01T10:00,busy\n"
        )
    out = tmp_path / "out"
    result = jags(
        "schedule", workspace, "--allocations", path, "--confirmed-on", "2026-11-30", "--out", out
    )
    assert result.exit_code == 2, result.output
    assert "Jayden" not in result.output and "a/b" not in result.output
    assert not out.exists()
    set_cell(path, 2, "request_id", "R-0001")
    set_cell(path, 3, "facilitator_id", "F001")
    result = jags(
        "schedule", workspace, "--allocations", path, "--confirmed-on", "2026-11-30", "--out", out
    )
    assert_clean_failure(
        result, out, "availability.csv, row ", "column email: value is not an e-mail address"
    )
    assert "Jayden" not in result.output


# Property: whatever is in the files, the answer is success or exit 2, never a traceback ---


@pytest.fixture(scope="module")
def tiny_allocated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    workspace = write_tables(folder / "ws", TINY)
    result = jags("allocate", workspace, "--on", ON, "--out", folder / "allocated")
    assert result.exit_code == 0, result.output
    return workspace, folder / "allocated" / "allocations.csv"


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        head, *rows = list(csv.reader(handle))
    return head, rows


@PROPERTY
@given(data=st.data())
def test_any_allocations_or_availability_file_gives_success_or_exit_2(
    data: st.DataObject, tiny_allocated: tuple[Path, Path], tmp_path: Path
) -> None:
    workspace, allocations = tiny_allocated
    emails = [row[2] for row in TINY["facilitators"][1][:3]]
    availability = (
        ["email", "start", "end", "status"],
        [[e, "2026-12-14T09:00", "2026-12-14T12:00", "busy"] for e in emails],
    )
    files = {"allocations": _read_rows(allocations), "availability": availability}
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        ws = Path(folder) / "ws"
        shutil.copytree(workspace, ws)
        changed = apply_changes(files, data.draw(changed_cells(files)))
        write_tables(ws, {"availability": changed["availability"]})
        write_tables(Path(folder), {"allocations": changed["allocations"]})
        if data.draw(st.booleans()):
            name = data.draw(st.sampled_from(["availability.csv", "allocations.csv"]))
            target = ws / name if name == "availability.csv" else Path(folder) / name
            target.write_bytes(data.draw(st.binary(max_size=500)))
        out = Path(folder) / "out"
        assert_exit_0_or_2(
            jags(
                "schedule",
                ws,
                "--allocations",
                Path(folder) / "allocations.csv",
                "--confirmed-on",
                "2026-11-30",
                "--out",
                out,
            ),
            out,
        )


@pytest.mark.parametrize(("command", "module"), [("schedule", "msal"), ("invite", "exchangelib")])
def test_without_the_exchange_extra_exchange_and_graph_are_a_clear_error(
    schedule_copy: Path,
    allocated: tuple[Result, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    module: str,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if `pip install jags-planner` alone
    for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "ORGANIZER"):
        monkeypatch.setenv(f"JAGS_GRAPH_{name}", "set")
    out = tmp_path / "out"
    if command == "schedule":
        result = jags(
            "schedule",
            SAMPLE,
            "--allocations",
            allocated[1] / "allocations.csv",
            "--confirmed-on",
            "2026-11-30",
            "--out",
            out,
            "--source",
            "graph",
        )
    else:
        result = jags("invite", schedule_copy, "--send", "exchange", "--no-dry-run")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{module} is missing" in result.stderr
    assert "pip install 'jags-planner[exchange]'" in result.stderr
    assert not out.exists()


# Front-door details ------------------------------------------------------------------------


def test_schedule_refuses_to_replace_a_different_earlier_result(
    allocated: tuple[Result, Path], scheduled: tuple[Result, Path], tmp_path: Path
) -> None:
    out = tmp_path / "sessions"
    shutil.copytree(scheduled[1], out)
    before = snapshot(out)
    result = jags(
        "schedule",
        SAMPLE,
        "--allocations",
        allocated[1] / "allocations.csv",
        "--confirmed-on",
        "2026-12-01",
        "--on",
        ON,
        "--out",
        out,
    )
    assert result.exit_code == 2
    assert "holds an earlier result that differs from this one" in result.stderr
    assert snapshot(out) == before
