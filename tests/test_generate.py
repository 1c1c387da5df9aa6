"""Tests for :mod:`jags.generate`: determinism, validity, sizes, the bundled sample."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator import Policy, WorkingCalendar
from allocator.models import Workspace, normalise_email, normalise_org
from jags import allocation, schedule
from jags.demo import BATCH_DAY, CONFIRMED_ON
from jags.files import write_outputs
from jags.generate import (
    COLUMNS,
    LOCALITIES,
    SAMPLE_SEED,
    SECTORS,
    SPECIALISMS,
    generate_workspace,
    main,
    sample_workspace,
    workspace_tables,
    write_sample,
    write_sample_calendars,
    write_workspace,
)
from scheduling.availability import Status
from scheduling.proposals import SessionRequest, day_slots, window_days
from scheduling.sources import IcsSource

LONDON = ZoneInfo("Europe/London")
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
CALENDARS = SAMPLE_DIR / "calendars"
GENERIC_SUMMARIES = {
    "Annual leave", "Catch-up", "Clinic", "Duty", "Focus time", "Home", "Meeting", "Office",
    "Out of office", "Panel", "Planning meeting", "Service meeting", "Study day",
    "Supervision", "Team meeting", "Training", "Working from home",
}


@pytest.fixture(scope="module")
def sample() -> Workspace:
    return sample_workspace()


def _open_counts(ws: Workspace) -> Counter[str]:
    return Counter(h.facilitator_id for h in ws.history if h.closed_on is None)


# Determinism and validity ------------------------------------------------------------


def test_same_seed_gives_identical_tables() -> None:
    first = workspace_tables(generate_workspace(30, 20, seed=7))
    second = workspace_tables(generate_workspace(30, 20, seed=7))
    assert first == second


def test_different_seeds_differ() -> None:
    assert workspace_tables(generate_workspace(30, 20, seed=1)) != \
        workspace_tables(generate_workspace(30, 20, seed=2))


@pytest.mark.parametrize(("n_requests", "n_facilitators"),
                         [(0, 1), (1, 1), (2, 3), (25, 40), (120, 30)])
def test_sizes_are_respected(n_requests: int, n_facilitators: int) -> None:
    ws = generate_workspace(n_requests, n_facilitators, seed=3)
    assert len(ws.requests) == n_requests
    assert len(ws.facilitators) == n_facilitators
    assert ws.check() == []


def test_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError):
        generate_workspace(5, 0)
    with pytest.raises(ValueError):
        generate_workspace(-1, 5)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_requests=st.integers(0, 40), n_facilitators=st.integers(1, 30),
       seed=st.integers(0, 10_000), gaps=st.booleans())
def test_every_generated_workspace_is_valid(n_requests: int, n_facilitators: int, seed: int,
                                            gaps: bool) -> None:
    ws = generate_workspace(n_requests, n_facilitators, seed=seed, with_gaps=gaps)
    # Re-validating the dumped data succeeds: the workspace is self-consistent.
    again = Workspace.model_validate(ws.model_dump())
    assert again == ws
    opened = _open_counts(ws)
    for f in ws.facilitators:
        assert f.open_jags == opened[f.facilitator_id]
        assert f.max_open is None or f.open_jags <= f.max_open
    if not gaps:
        assert all(not f.missing_fields for f in ws.facilitators)
    for r in ws.requests:
        assert r.requester_email not in {p.email for p in ws.participants_by_request[r.request_id]}
        assert len(ws.participants_by_request[r.request_id]) >= 2


def test_benchmark_size_workspace_is_consistent() -> None:
    ws = generate_workspace(2000, 400, seed=11)
    assert len(ws.requests) == 2000
    assert len(ws.facilitators) == 400
    opened = _open_counts(ws)
    assert all(f.open_jags == opened[f.facilitator_id] for f in ws.facilitators)
    # Networks stay local enough that most requests keep plenty of independent facilitators.
    org_of = {f.facilitator_id: f.org_key for f in ws.facilitators}
    for r in ws.requests[:200]:
        network = ws.network_orgs(r)
        assert sum(org not in network for org in org_of.values()) >= 100


# Realism ---------------------------------------------------------------------------


def test_generated_content_is_norfolk_like(sample: Workspace) -> None:
    ws = generate_workspace(300, 80, seed=5)
    assert {f.sector for f in ws.facilitators if f.sector} == set(SECTORS)
    assert {f.locality for f in ws.facilitators} == set(LOCALITIES)
    assert {r.locality for r in ws.requests} == set(LOCALITIES)
    assert {o.sector for o in ws.organisations} == set(SECTORS)
    assert {t for r in ws.requests for t in [r.topic] if t} <= set(SPECIALISMS)
    assert {s for f in ws.facilitators for s in f.specialisms} <= set(SPECIALISMS)
    assert {f.max_open for f in ws.facilitators} <= {None, 1, 2, 3, 4}
    emails = [f.email for f in ws.facilitators] + [p.email for p in ws.participants]
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@[a-z0-9-]+\.example", e) for e in emails)
    assert all(re.fullmatch(r"CASE-\d{4}", r.case_ref) for r in ws.requests)
    assert all(re.fullmatch(r"FAM-\d{4}", r.family_ref) for r in ws.requests if r.family_ref)
    assert any(r.received_at.weekday() >= 5 for r in ws.requests)
    assert any(r.received_at.hour >= 17 for r in ws.requests)
    assert all(date(2026, 11, 9) <= r.received_at.date() < date(2026, 11, 19)
               for r in ws.requests)
    assert [r.received_at for r in ws.requests] == sorted(r.received_at for r in ws.requests)
    for r in ws.requests:
        orgs = [normalise_org(p.organisation) for p in ws.participants_by_request[r.request_id]]
        assert len(set(orgs)) >= len(orgs) - 2  # different organisations, bar a colleague


def _can_take(ws: Workspace, fid: str, batch: date) -> bool:
    f = ws.facilitator_by_id[fid]
    return (f.active and not f.missing_fields
            and f.trained_on is not None and f.trained_on <= batch
            and f.max_open is not None and f.open_jags < f.max_open
            and not any(lv.start <= batch <= lv.end
                        for lv in ws.leave_by_facilitator.get(fid, ())))


def test_follow_ups_and_preferences_are_usable(sample: Workspace) -> None:
    for ws in (sample, generate_workspace(60, 30, seed=9)):
        batch = max(r.received_at for r in ws.requests).date()
        follow = [ws.history_by_id[r.follow_up_of].facilitator_id
                  for r in ws.requests if r.follow_up_of]
        named = [r for r in ws.requests if r.preferred_facilitator_id]
        assert all(r.preference_rationale for r in named)
        # At least one of each is pinned to a facilitator who can take it.
        assert any(_can_take(ws, fid, batch) for fid in follow)
        assert any(_can_take(ws, r.preferred_facilitator_id or "", batch) for r in named)


def test_gaps_flag(sample: Workspace) -> None:
    assert any(f.missing_fields for f in sample.facilitators)
    missing = {m for f in sample.facilitators for m in f.missing_fields}
    assert missing <= {"sector", "max_open"}
    assert not any(f.missing_fields
                   for f in generate_workspace(25, 40, seed=SAMPLE_SEED,
                                               with_gaps=False).facilitators)


# Tables and files ------------------------------------------------------------------------


def test_tables_follow_the_file_contract(sample: Workspace) -> None:
    tables = workspace_tables(sample)
    assert list(tables) == list(COLUMNS)
    for name, (header, rows) in tables.items():
        assert header == list(COLUMNS[name])
        assert all(len(row) == len(header) for row in rows)
    header, rows = tables["facilitators"]
    col = {c: i for i, c in enumerate(header)}
    for row in rows:
        assert row[col["can_lead"]] in ("true", "false")
        assert row[col["active"]] in ("true", "false")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[col["trained_on"]])
    header, rows = tables["requests"]
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", row[1])
        assert row[header.index("mode")] in ("in_person", "online", "either")
    header, rows = tables["history"]
    assert any(";" in row[header.index("attendees")] for row in rows)


def test_write_workspace_round_trips(tmp_path: Path, sample: Workspace) -> None:
    write_workspace(sample, tmp_path)
    tables = workspace_tables(sample)
    for name, (header, rows) in tables.items():
        raw = (tmp_path / f"{name}.csv").read_bytes()
        assert b"\r" not in raw
        with (tmp_path / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            read = list(csv.reader(handle))
        assert read[0] == header
        assert read[1:] == rows


def test_main_writes_a_workspace(tmp_path: Path) -> None:
    out = tmp_path / "ws"
    assert main([str(out), "--requests", "12", "--facilitators", "9", "--seed", "4"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in COLUMNS)
    with (out / "requests.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 13


# The bundled sample ------------------------------------------------------------------


def test_sample_shape(sample: Workspace) -> None:
    assert len(sample.facilitators) == 40
    assert len(sample.requests) == 25
    assert len({f.sector for f in sample.facilitators if f.sector}) >= 8
    assert {f.locality for f in sample.facilitators} == set(LOCALITIES)
    assert min(r.received_at for r in sample.requests).date() >= date(2026, 11, 9)
    assert max(r.received_at for r in sample.requests).date() <= date(2026, 11, 22)
    assert sample.involvements
    assert any(not f.active for f in sample.facilitators)
    assert any(not f.can_lead for f in sample.facilitators)
    assert any(f.trained_on and f.trained_on > date(2026, 11, 23) for f in sample.facilitators)
    assert any(f.training_expires and f.training_expires < date(2026, 11, 9)
               for f in sample.facilitators)
    assert any(lv.start <= date(2026, 11, 23) <= lv.end for lv in sample.leave)


def test_bundled_sample_matches_the_generator(tmp_path: Path) -> None:
    write_sample(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    bundled = sorted(p.relative_to(SAMPLE_DIR) for p in SAMPLE_DIR.rglob("*")
                     if p.is_file() and p.name != "README.md")
    assert made == bundled
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (SAMPLE_DIR / rel).read_bytes(), rel


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
    secrets = {r.case_ref for r in sample.requests} | {r.family_ref for r in sample.requests
                                                       if r.family_ref}
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
    assert set(prodids) == {"Microsoft Exchange Server 2010",
                            "-//Google Inc//Google Calendar 70.9054//EN",
                            "-//Apple Inc.//macOS 15.0//EN"}
    assert all(n >= 5 for n in prodids.values())


def test_sample_calendar_features() -> None:
    texts = [p.read_text("utf-8") for p in sorted(CALENDARS.glob("*.ics"))]
    outlook = [t for t in texts if "Microsoft Exchange" in t]
    google = [t for t in texts if "Google Calendar" in t]
    apple = [t for t in texts if "Apple Inc." in t]
    assert all("TZID:GMT Standard Time" in t and "EXDATE;TZID=GMT Standard Time" in t
               and "RECURRENCE-ID;TZID=GMT Standard Time" in t and "INTERVAL=2" in t
               and "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE" in t for t in outlook)
    # Most people take some leave (all-day, out of office) in the ten weeks.
    assert sum("X-MICROSOFT-CDO-BUSYSTATUS:OOF" in t for t in outlook) >= 0.7 * len(outlook)
    assert sum("SUMMARY:Out of office" in t for t in google) >= 0.7 * len(google)
    assert sum("SUMMARY:Annual leave" in t for t in apple) >= 0.7 * len(apple)
    assert all("\nEXDATE:" in t and "\nRECURRENCE-ID:" in t and "STATUS:CANCELLED" in t
               and "TRANSP:TRANSPARENT" in t for t in google)
    assert sum("PARTSTAT=DECLINED" in t for t in google) >= len(google) - 1
    assert any("PARTSTAT=TENTATIVE" in t for t in google)
    assert all("TZID:Europe/London" in t and "DURATION:" in t and "VALUE=DATE" in t
               and "EXDATE;TZID=Europe/London" in t and "RECURRENCE-ID;TZID=Europe/London" in t
               for t in apple)
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
    assert all(found == {"outlook"} for name, found in styles.items()
               if "NHS" in name or "Council" in name)
    assert all(found == {"google"} for name, found in styles.items()
               if "Primary" in name or "Academy" in name or "Infant" in name)


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
    readme = (SAMPLE_DIR / "README.md").read_text("utf-8")
    assert all(e in readme for e in unknown)
    follow = next(r for r in sample.requests if r.follow_up_of)
    attendees = {follow.requester_email} | {
        p.email for p in sample.participants_by_request[follow.request_id]}
    assert attendees & ics_people
    assert attendees & row_people
    assert attendees & unknown


def test_sample_calendars_load_and_match_leave(sample: Workspace) -> None:
    exports = {p.stem: p.read_bytes() for p in sorted(CALENDARS.glob("*.ics"))}
    first = datetime(2026, 11, 23, tzinfo=LONDON)
    last = datetime(2027, 2, 1, tzinfo=LONDON)
    found = IcsSource(exports).availability(sorted(exports), first, last)
    away = {sample.facilitator_by_id[lv.facilitator_id].email for lv in sample.leave
            if lv.start <= first.date() and lv.end >= date(2027, 1, 31)}
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
    """The demo's run: every allocated session fits its window, only the README's unknown
    people are unknown, some days are blocked and requests get different times."""
    policy = Policy.preset("norfolk")
    result = allocation.run_allocation(SAMPLE_DIR, policy, BATCH_DAY)
    write_outputs(tmp_path, allocation.allocation_files(result, xlsx=False))
    run = schedule.run_schedule(SAMPLE_DIR, tmp_path / "allocations.csv", CONFIRMED_ON, policy,
                                time_limit=20)
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
    found = schedule.gather(schedule.calendar_sources(SAMPLE_DIR), emails,
                            *schedule.fetch_range(run.sessions, policy, calendar))

    def fits(session: SessionRequest, day: date) -> bool:
        return any(all(not found[a.email].status(start, end).blocks
                       for a in session.attendees if a.required)
                   for start, end in day_slots(day, policy))

    blocked = [(s.request_id, day) for s in run.sessions
               for _, day in window_days(s.confirmed_on, policy, calendar) if not fits(s, day)]
    assert len({rid for rid, _ in blocked}) >= 3  # leave and meetings block whole days
    assert window <= {date(2026, 12, d) for d in (14, 15, 16, 17, 18, 21)}


def test_write_sample_calendars_is_deterministic(tmp_path: Path, sample: Workspace) -> None:
    first = write_sample_calendars(sample, tmp_path / "a")
    second = write_sample_calendars(sample, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
