"""Tests for :mod:`jags.generate_calendars`: the bundled sample's calendars."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import icalendar

from allocator import Policy, WorkingCalendar
from allocator.models import Workspace, normalise_email
from jags import allocation, schedule
from jags.bundled import sample_folder
from jags.cells import LONDON
from jags.files import write_outputs
from jags.generate_calendars import sample_calendar_files, write_sample_calendars
from scheduling.availability import Status
from scheduling.proposals import SessionRequest, day_slots, window_days
from scheduling.sources import IcsSource

SAMPLE = sample_folder()
BATCH_DAY = date(2026, 11, 23)
"""The README tour's batch: Monday 23 November 2026, after two weeks of requests."""
CONFIRMED_ON = date(2026, 11, 30)
"""The tour's facilitators confirm a week later; sessions fall 10–15 working days after."""
CALENDARS = SAMPLE / "calendars"
GENERIC_SUMMARIES = {
    "Annual leave",
    "Catch-up",
    "Clinic",
    "Duty",
    "Focus time",
    "Home",
    "Meeting",
    "Office",
    "Out of office",
    "Panel",
    "Planning meeting",
    "Service meeting",
    "Study day",
    "Supervision",
    "Team meeting",
    "Training",
    "Working from home",
}


def _attendees(ws: Workspace) -> dict[str, set[str]]:
    """E-mail → the sample requests the person attends (as requester or participant)."""
    out: dict[str, set[str]] = {}
    for r in ws.requests:
        out.setdefault(r.requester_email, set()).add(r.request_id)
        for p in ws.participants_by_request[r.request_id]:
            out.setdefault(normalise_email(p.email), set()).add(r.request_id)
    return out


def _row_people() -> set[str]:
    with (CALENDARS / "availability.csv").open(encoding="utf-8", newline="") as handle:
        return {r["email"] for r in csv.DictReader(handle)}


def _ics_people() -> set[str]:
    return {p.name.removesuffix(".ics") for p in CALENDARS.glob("*.ics")}


def test_sample_calendars_parse_and_stay_generic(sample: Workspace) -> None:
    files = sorted(CALENDARS.glob("*.ics"))
    people = set(_attendees(sample)) | {f.email for f in sample.facilitators}
    secrets = {r.case_ref for r in sample.requests} | {
        r.family_ref for r in sample.requests if r.family_ref
    }
    prodids: Counter[str] = Counter()
    for path in files:
        assert path.name == path.name.lower()
        assert path.name.removesuffix(".ics") in people
        raw = path.read_bytes()
        assert b"\r\n" in raw
        assert len(raw) < 40_000  # recurring meetings are one event each, not expanded
        text = raw.decode("utf-8")
        assert not any(s in text for s in secrets)
        cal = icalendar.Calendar.from_ical(raw)
        prodids[str(cal["PRODID"])] += 1
        events = list(cal.walk("VEVENT"))
        assert {str(e["SUMMARY"]) for e in events} <= GENERIC_SUMMARIES
        for event in events:
            start = event.decoded("DTSTART")
            day = start.date() if isinstance(start, datetime) else start
            assert date(2026, 11, 23) <= day <= date(2027, 1, 31), path.name
    assert set(prodids) == {
        "Microsoft Exchange Server 2010",
        "-//Google Inc//Google Calendar 70.9054//EN",
        "-//Apple Inc.//macOS 15.0//EN",
    }
    assert all(n >= 5 for n in prodids.values())


def test_sample_calendar_features() -> None:
    texts = [p.read_text("utf-8") for p in sorted(CALENDARS.glob("*.ics"))]
    outlook = [t for t in texts if "Microsoft Exchange" in t]
    google = [t for t in texts if "Google Calendar" in t]
    apple = [t for t in texts if "Apple Inc." in t]
    assert all(
        "TZID:GMT Standard Time" in t
        and "EXDATE;TZID=GMT Standard Time" in t
        and "RECURRENCE-ID;TZID=GMT Standard Time" in t
        and "INTERVAL=2" in t
        and "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE" in t
        for t in outlook
    )
    # Most people take some leave (all-day, out of office) in the ten weeks.
    assert sum("X-MICROSOFT-CDO-BUSYSTATUS:OOF" in t for t in outlook) >= 0.7 * len(outlook)
    assert sum("SUMMARY:Out of office" in t for t in google) >= 0.7 * len(google)
    assert sum("SUMMARY:Annual leave" in t for t in apple) >= 0.7 * len(apple)
    assert all(
        "\nEXDATE:" in t
        and "\nRECURRENCE-ID:" in t
        and "STATUS:CANCELLED" in t
        and "TRANSP:TRANSPARENT" in t
        for t in google
    )
    assert sum("PARTSTAT=DECLINED" in t for t in google) >= len(google) - 1
    assert any("PARTSTAT=TENTATIVE" in t for t in google)
    assert all(
        "TZID:Europe/London" in t
        and "DURATION:" in t
        and "VALUE=DATE" in t
        and "EXDATE;TZID=Europe/London" in t
        and "RECURRENCE-ID;TZID=Europe/London" in t
        for t in apple
    )
    assert outlook and google and apple


def test_sample_calendar_styles_follow_the_employer(sample: Workspace) -> None:
    org = {f.email: f.organisation for f in sample.facilitators}
    org |= {r.requester_email: r.requester_organisation for r in sample.requests}
    org |= {normalise_email(p.email): p.organisation for p in sample.participants}
    styles: dict[str, set[str]] = {}
    for path in CALENDARS.glob("*.ics"):
        head = path.read_text("utf-8")[:200]
        style = "outlook" if "Microsoft" in head else "google" if "Google" in head else "apple"
        styles.setdefault(org[path.name.removesuffix(".ics")] or "", set()).add(style)
    assert all(len(found) == 1 for found in styles.values())
    assert all(
        found == {"outlook"} for name, found in styles.items() if "NHS" in name or "Council" in name
    )
    assert all(
        found == {"google"}
        for name, found in styles.items()
        if "Primary" in name or "Academy" in name or "Infant" in name
    )


def test_sample_availability_rows_and_unknown_people(sample: Workspace) -> None:
    with (CALENDARS / "availability.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["status"] for r in rows} == {"busy", "tentative", "oof", "free"}
    row_people, ics_people = _row_people(), _ics_people()
    assert 3 <= len(row_people) <= 10
    assert not row_people & ics_people
    assert {f.email for f in sample.facilitators} <= ics_people
    attending = _attendees(sample)
    unknown = set(attending) - ics_people - row_people
    assert 2 <= len(unknown) <= 4
    assert len(set().union(*(attending[e] for e in unknown))) == len(unknown)
    assert all(len(attending[e]) == 1 for e in unknown)
    readme = (SAMPLE / "README.md").read_text("utf-8")
    assert all(e in readme for e in unknown)
    follow = next(r for r in sample.requests if r.follow_up_of)
    attendees = {follow.requester_email} | {
        p.email for p in sample.participants_by_request[follow.request_id]
    }
    assert attendees & ics_people
    assert attendees & row_people
    assert attendees & unknown


def test_sample_calendars_load_and_match_leave(sample: Workspace) -> None:
    exports = {p.stem: p.read_bytes() for p in sorted(CALENDARS.glob("*.ics"))}
    first = datetime(2026, 11, 23, tzinfo=LONDON)
    last = datetime(2027, 2, 1, tzinfo=LONDON)
    found = IcsSource(exports).availability(sorted(exports), first, last)
    away = {
        sample.facilitator_by_id[lv.facilitator_id].email
        for lv in sample.leave
        if lv.start <= first.date() and lv.end >= date(2027, 1, 31)
    }
    for email, availability in found.items():
        assert availability.coverage == ((first.astimezone(UTC), last.astimezone(UTC)),)
        busy = [i for i in availability.intervals if i.status is not Status.FREE]
        assert len(busy) >= (5 if email in away else 30), email
    for leave in sample.leave:
        email = sample.facilitator_by_id[leave.facilitator_id].email
        day = max(leave.start, date(2026, 11, 23))
        if day <= min(leave.end, date(2027, 1, 31)):
            noon = datetime.combine(day, time(12), LONDON)
            assert found[email].status(noon, noon + timedelta(minutes=30)).blocks, email


def test_sample_schedules_with_known_calendars(sample: Workspace, tmp_path: Path) -> None:
    """The README tour's run: every allocated session fits its window, only the README's unknown
    people are unknown, some days are blocked and requests get different times."""
    policy = Policy.preset("norfolk")
    result = allocation.run_allocation(SAMPLE, policy, BATCH_DAY)
    write_outputs(tmp_path, allocation.allocation_files(result, xlsx=False))
    run = schedule.run_schedule(
        SAMPLE, tmp_path / "allocations.csv", CONFIRMED_ON, policy, time_limit=20
    )
    proposals = run.result.proposals
    assert len(proposals) >= 20
    assert not run.result.unscheduled
    unknown = set(_attendees(sample)) - _ics_people() - _row_people()
    names = {p.name for p in sample.participants if normalise_email(p.email) in unknown}
    shown = {n for rp in proposals.values() for o in rp.options for n in o.unknown_names}
    assert shown <= names
    assert len({rp.options[0].start for rp in proposals.values()}) >= len(proposals) // 2
    window = {o.start.date() for rp in proposals.values() for o in rp.options}
    calendar = WorkingCalendar(policy.closure_days)
    emails = sorted({a.email for s in run.sessions for a in s.attendees})
    found = schedule.gather(
        schedule.calendar_sources(SAMPLE),
        emails,
        *schedule.fetch_range(run.sessions, policy, calendar),
    )

    def fits(session: SessionRequest, day: date) -> bool:
        return any(
            all(
                not found[a.email].status(start, end).blocks
                for a in session.attendees
                if a.required
            )
            for start, end in day_slots(day, policy)
        )

    blocked = [
        (s.request_id, day)
        for s in run.sessions
        for _, day in window_days(s.confirmed_on, policy, calendar)
        if not fits(s, day)
    ]
    assert len({rid for rid, _ in blocked}) >= 3  # leave and meetings block whole days
    assert window <= {date(2026, 12, d) for d in (14, 15, 16, 17, 18, 21)}


def test_write_sample_calendars_is_deterministic(tmp_path: Path, sample: Workspace) -> None:
    first = write_sample_calendars(sample, tmp_path / "a")
    second = write_sample_calendars(sample, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


def test_sample_calendar_files_are_what_is_written(tmp_path: Path, sample: Workspace) -> None:
    files = sample_calendar_files(sample)
    written = write_sample_calendars(sample, tmp_path)
    assert [p.name for p in written] == list(files)
    assert list(files)[-1] == "availability.csv"
    assert {p.name: p.read_bytes() for p in written} == files
    assert files == {
        p.name: p.read_bytes() for p in sorted(CALENDARS.iterdir()) if p.suffix == ".ics"
    } | {"availability.csv": (CALENDARS / "availability.csv").read_bytes()}
