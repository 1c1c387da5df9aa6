"""Tests for jags.schedule: reading allocations and availability, attendees, calendars
gathered from several sources, and moving or cancelling invitations."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from builders import fac, part, req, workspace

from allocator import InputError, Policy, WorkingCalendar
from jags import schedule
from jags.allocation import allocation_files, run_allocation
from jags.files import write_outputs
from jags.schedule import (
    SEARCH_DAYS,
    Allocated,
    ScheduleInputError,
    calendar_sources,
    fetch_range,
    gather,
    read_allocations,
    read_availability_csv,
    run_schedule,
    session_requests,
)
from jags.workspace import read_workspace
from scheduling.availability import Status
from scheduling.proposals import propose, window_days
from scheduling.sources import IcsSource, RowsSource

LONDON = ZoneInfo("Europe/London")
CONFIRMED = date(2026, 11, 30)
HEADER = "request_id,facilitator_id,role,status,allocate_by,reason\n"


def small_workspace() -> Any:
    return workspace(
        [fac("F1", "Org A"), fac("F2", "Org B", sector="Police"), fac("F3", "Org C")],
        [req("R1"), req("R2"), req("R3")],
        participants=[
            part("R1", "pat@one.example", "Org P"),
            part("R1", "quinn@two.example", "Org Q", attendance="optional"),
            part("R1", "R1@REQ.example", "Org X", attendance="optional"),  # the requester again
            part("R2", "f3@fac.example", "Org C"),  # facilitator F3 also listed as participant
        ],
    )


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def problems(error: pytest.ExceptionInfo[ScheduleInputError]) -> list[str]:
    return str(error.value).splitlines()


# read_allocations ------------------------------------------------------------------------


def test_read_allocations_puts_the_lead_first_and_skips_the_unallocated(tmp_path: Path) -> None:
    path = write(
        tmp_path / "allocations.csv",
        HEADER
        + "R1,F2,co,allocated,2026-11-24,x\n"
        + "R1,F1,lead,allocated,2026-11-24,x\n"
        + "R2,,,unallocated,2026-11-24,waiting\n"
        + "R3,F3,,pinned,2026-11-24,x\n",
    )
    assert read_allocations(path, small_workspace()) == [
        Allocated("R1", ("F1", "F2"), None),
        Allocated("R3", ("F3",), None),
    ]


def test_read_allocations_accepts_excel_csv_and_a_confirmation_column(tmp_path: Path) -> None:
    text = (
        "\ufeffRequest_ID,Facilitator_ID,Status,Confirmed_On,Extra\n"
        "R1,F1,allocated,01/12/2026,ignored\n"
        ",,,,\n"
        "R2,F2,allocated,,\n"
    )
    path = write(tmp_path / "allocations.csv", text)
    assert read_allocations(path, small_workspace()) == [
        Allocated("R1", ("F1",), date(2026, 12, 1)),
        Allocated("R2", ("F2",), None),
    ]


def test_read_allocations_reports_every_problem_with_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "allocations.csv",
        HEADER.replace("\n", ",confirmed_on\n")
        + "R1,F1,,maybe,2026-11-24,x,\n"
        + "R9,F1,,allocated,2026-11-24,x,\n"
        + "R2,F9,,allocated,2026-11-24,x,\n"
        + "R3,F3,,allocated,2026-11-24,x,31/02/2026\n"
        + "R8,,,unallocated,2026-11-24,x,\n",
    )
    with pytest.raises(ScheduleInputError) as error:
        read_allocations(path, small_workspace())
    lines = problems(error)
    assert len(lines) == 5
    assert lines[0].startswith("allocations.csv, row 2, column status: 'maybe'")
    assert lines[1].startswith("allocations.csv, row 3, column request_id:") and "R9" in lines[1]
    assert (
        lines[2].startswith("allocations.csv, row 4, column facilitator_id:") and "F9" in lines[2]
    )
    assert lines[3].startswith("allocations.csv, row 5, column confirmed_on:")
    assert lines[4].startswith("allocations.csv, row 6, column request_id:") and "R8" in lines[4]
    assert isinstance(error.value, InputError)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "request_id,facilitator_id,role\nR1,F1,\n",
            "allocations.csv, row 1: missing column(s) status",
        ),
        (b"\x00\x01\xff\xfe garbage", "allocations.csv: file is not UTF-8"),
        ("", "allocations.csv: the file is empty"),
    ],
)
def test_read_allocations_refuses_an_unusable_file(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    path = write(tmp_path / "allocations.csv", content)
    with pytest.raises(ScheduleInputError, match="^" + re.escape(expected)):
        read_allocations(path, small_workspace())


def test_read_allocations_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScheduleInputError, match=r"^allocations\.csv: file not found$"):
        read_allocations(tmp_path / "allocations.csv", small_workspace())


# read_availability_csv -------------------------------------------------------------------


def test_read_availability_statuses_and_times(tmp_path: Path) -> None:
    path = write(
        tmp_path / "availability.csv",
        "email,start,end,status\n"
        "ann@x.example,2026-12-01T09:00,2026-12-01T10:00,busy\n"
        "ann@x.example,01/12/2026 13:00,01/12/2026 14:30,Tentative\n"
        "bob@x.example,2026-07-01T09:00:00Z,2026-07-01T10:00:00+00:00,OOF\n"
        "bob@x.example,2026-12-01,2026-12-02,free\n",
    )
    rows = read_availability_csv(path)
    assert rows == [
        (
            "ann@x.example",
            datetime(2026, 12, 1, 9, tzinfo=LONDON),
            datetime(2026, 12, 1, 10, tzinfo=LONDON),
            Status.BUSY,
        ),
        (
            "ann@x.example",
            datetime(2026, 12, 1, 13, tzinfo=LONDON),
            datetime(2026, 12, 1, 14, 30, tzinfo=LONDON),
            Status.TENTATIVE,
        ),
        (
            "bob@x.example",
            datetime(2026, 7, 1, 10, tzinfo=LONDON),  # 09:00 UTC is 10:00 BST
            datetime(2026, 7, 1, 11, tzinfo=LONDON),
            Status.OOF,
        ),
        (
            "bob@x.example",
            datetime(2026, 12, 1, tzinfo=LONDON),
            datetime(2026, 12, 2, tzinfo=LONDON),
            Status.FREE,
        ),
    ]
    assert all(r[1].utcoffset() is not None for r in rows)


def test_read_availability_reports_every_bad_value(tmp_path: Path) -> None:
    path = write(
        tmp_path / "availability.csv",
        "email,start,end,status\n"
        "ann@x.example,2026-12-01T09:00,2026-12-01T10:00,maybe\n"
        "ann@x.example,31/02/2026 10:00,2026-12-01T10:00,busy\n"
        "ann@x.example,2026-12-01T10:00,2026-12-01T09:00,busy\n"
        "nobody,2026-12-01T09:00,2026-12-01T10:00,busy\n"
        "ann@x.example,2026-12-01T09:00,2026-12-01T10:00,unknown\n",
    )
    with pytest.raises(ScheduleInputError) as error:
        read_availability_csv(path)
    lines = problems(error)
    assert [line.split(":")[0] for line in lines] == [
        "availability.csv, row 2, column status",
        "availability.csv, row 3, column start",
        "availability.csv, row 4, column end",
        "availability.csv, row 5, column email",
        "availability.csv, row 6, column status",  # unknown is what a missing row means
    ]


def test_read_availability_needs_its_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "availability.csv", "email,start,end\na@x.example,2026-12-01,2026-12-02\n"
    )
    with pytest.raises(ScheduleInputError, match=r"row 1: missing column\(s\) status"):
        read_availability_csv(path)


# session_requests ------------------------------------------------------------------------


def test_session_attendees_and_roles() -> None:
    ws = small_workspace()
    sessions = session_requests(
        ws,
        [Allocated("R1", ("F1", "F2"), None), Allocated("R2", ("F3",), date(2026, 12, 7))],
        CONFIRMED,
    )
    one, two = sessions
    assert one.request_id == "R1" and one.confirmed_on == CONFIRMED
    assert two.confirmed_on == date(2026, 12, 7)  # the allocation's own confirmation day
    people = {a.email: a for a in one.attendees}
    assert [a.email for a in one.attendees] == [
        "f1@fac.example",
        "f2@fac.example",
        "r1@req.example",
        "pat@one.example",
        "quinn@two.example",
    ]
    assert people["f1@fac.example"].facilitator and people["f1@fac.example"].required
    assert people["f2@fac.example"].facilitator
    assert not people["r1@req.example"].facilitator
    assert people["r1@req.example"].required  # the requester stays required
    assert people["pat@one.example"].required
    assert not people["quinn@two.example"].required
    assert [(a.email, a.facilitator) for a in two.attendees] == [
        ("f3@fac.example", True),
        ("r2@req.example", False),
    ]


# gather ----------------------------------------------------------------------------------

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:1@test\r\nDTSTAMP:20261101T000000Z\r\n"
    b"DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Team meeting\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
START = datetime(2026, 12, 1, tzinfo=LONDON)
END = datetime(2026, 12, 2, tzinfo=LONDON)


def sources() -> list[Any]:
    return [
        IcsSource({"ann@x.example": ICS}),
        RowsSource(
            [
                (
                    "bob@x.example",
                    datetime(2026, 12, 1, 14, tzinfo=LONDON),
                    datetime(2026, 12, 1, 15, tzinfo=LONDON),
                    Status.TENTATIVE,
                ),
                (
                    "ann@x.example",
                    datetime(2026, 12, 1, 15, tzinfo=LONDON),
                    datetime(2026, 12, 1, 16, tzinfo=LONDON),
                    Status.OOF,
                ),
            ]
        ),
    ]


def test_gather_merges_sources_and_leaves_strangers_unknown() -> None:
    found = gather(sources(), ["ann@x.example", "bob@x.example", "cat@x.example"], START, END)
    assert set(found) == {"ann@x.example", "bob@x.example", "cat@x.example"}
    ann, bob, cat = found["ann@x.example"], found["bob@x.example"], found["cat@x.example"]
    at = datetime(2026, 12, 1, 10, tzinfo=LONDON)
    assert ann.status(at, at.replace(hour=11)) is Status.BUSY  # from the .ics
    assert ann.status(at.replace(hour=15), at.replace(hour=16)) is Status.OOF  # from the rows
    assert ann.status(at.replace(hour=12), at.replace(hour=13)) is Status.FREE
    assert set(ann.source.split("+")) == {"ics", "csv"}
    assert bob.status(at.replace(hour=14), at.replace(hour=15)) is Status.TENTATIVE
    assert cat.coverage == () and cat.intervals == ()
    assert cat.status(at, at.replace(hour=11)) is Status.UNKNOWN


def test_gather_with_no_sources_knows_nobody() -> None:
    found = gather([], ["ann@x.example"], START, END)
    assert found["ann@x.example"].status(START, END) is Status.UNKNOWN


def test_gather_matches_e_mails_in_any_case() -> None:
    found = gather(sources(), ["Ann@X.example"], START, END)
    at = datetime(2026, 12, 1, 10, tzinfo=LONDON)
    assert found["Ann@X.example"].status(at, at.replace(hour=11)) is Status.BUSY


def test_calendars_are_read_for_the_windows_first_and_later_only_when_needed(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample, with one requester out of the office for their whole window: only that
    # session's people are read past the windows, and the proposals are those of reading
    # everyone's calendars from the first window to well past the last (as before).
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    policy = Policy.preset("norfolk")
    write_outputs(
        tmp_path / "today",
        allocation_files(run_allocation(ws, policy, date(2026, 11, 23)), xlsx=False),
    )
    calendar = WorkingCalendar.for_policy(policy)
    files = read_workspace(ws, policy)
    sessions = session_requests(
        files, read_allocations(tmp_path / "today" / "allocations.csv", files), CONFIRMED
    )
    away = sessions[0].attendees[1].email  # the first session's requester
    first, last = (
        window_days(CONFIRMED, policy, calendar)[0][1],
        window_days(CONFIRMED, policy, calendar)[-1][1],
    )
    with (ws / "calendars" / "availability.csv").open("a", encoding="utf-8") as rows:
        rows.write(f"{away},{first.isoformat()}T00:00,{last.isoformat()}T23:59,oof\n")
    asked: list[tuple[list[str], datetime, datetime]] = []

    def spy(sources: Any, emails: list[str], start: datetime, end: datetime) -> Any:
        asked.append((sorted(emails), start, end))
        return gather(sources, emails, start, end)

    monkeypatch.setattr(schedule, "gather", spy)
    run = run_schedule(ws, tmp_path / "today" / "allocations.csv", CONFIRMED, policy, cache=False)
    assert run.result.unscheduled == (sessions[0].request_id,)
    everyone = sorted({a.email for s in sessions for a in s.attendees})
    windows = fetch_range(sessions, policy, calendar)
    assert asked[0] == (everyone, *windows)
    assert asked[1][0] == sorted(a.email for a in sessions[0].attendees)
    assert asked[1][1] == windows[1] and len(asked) == 2
    far = calendar.add_working_days(last, SEARCH_DAYS + 1) + timedelta(days=1)
    before = gather(
        calendar_sources(ws, policy, cache=False),
        everyone,
        windows[0],
        datetime.combine(far, time(0), LONDON),
    )
    assert run.result == propose(sessions, before, policy, calendar, search_days=SEARCH_DAYS)
    assert run.result.proposals[sessions[0].request_id].options[0].outside
