"""Scheduling job: allocations + calendars → proposals.csv and invitations.

Reads the workspace (requests, participants, facilitators), the allocations
file written by ``jags allocate``, and the calendars (``calendars/*.ics``,
``availability.csv`` and, when asked, Exchange or Microsoft 365), proposes
session times with :func:`scheduling.proposals.propose`, and renders the
output files. A manifest, ``schedule.json``, records what was invited so
``jags invite`` can later choose another option, release holds or cancel,
keeping each UID and raising SEQUENCE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from allocator import InputError, Policy, WorkingCalendar, normalise_email
from jags.calendars import WorkspaceCalendars
from jags.cells import parse_cell, parse_date, parse_datetime, parse_email, parse_id
from jags.csv_output import csv_bytes
from jags.manifest import MANIFEST, new_manifest, render_initial
from jags.workspace import read_workspace
from jags.workspace_files import UnreadableFile, csv_rows
from scheduling.availability import Availability, Status, merge_all
from scheduling.proposals import Attendee, SessionRequest, propose, window_days
from scheduling.sources import RowsSource

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from allocator import Workspace
    from scheduling.availability import CalendarSource
    from scheduling.proposals import AfterWindow, ScheduleResult

PROPOSAL_COLUMNS = (
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
    "outside",
    "tentative",
    "unknown_names",
    "optional_busy",
)
SEARCH_DAYS = 30
"""Working days searched after the window when nothing fits (for the fetch range too)."""
Remote = Literal["exchange", "graph"]


class ScheduleInputError(InputError):
    """A problem in the allocations or availability file, with file, row and column."""


@dataclass(frozen=True)
class Allocated:
    """One allocated request read from ``allocations.csv``."""

    request_id: str
    facilitators: tuple[str, ...]
    confirmed_on: date | None


@dataclass
class ScheduleRun:
    """What a scheduling run produced: the engine result and the files to write."""

    result: ScheduleResult
    sessions: list[SessionRequest]
    files: dict[str, bytes] = field(default_factory=dict)
    invited: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


# Reading ----------------------------------------------------------------------


def _csv_records(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as dicts with their spreadsheet row number (header = row 1)."""
    try:
        rows = list(csv_rows(path))
    except UnreadableFile as exc:
        message = "file not found" if not path.exists() else str(exc)
        raise ScheduleInputError(f"{path.name}: {message}") from None
    if not rows:
        raise ScheduleInputError(f"{path.name}: the file is empty")
    header = [h.strip().casefold() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ScheduleInputError(f"{path.name}, row 1: missing column(s) {', '.join(missing)}")
    return [
        (n, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)})
        for n, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]


def read_allocations(path: Path, workspace: Workspace) -> list[Allocated]:
    """Allocated and pinned requests from an ``allocations.csv`` (lead first).

    An optional ``confirmed_on`` column gives a request its own confirmation day.
    Ids must match :data:`jags.cells.ID_PATTERN`; an error repeats an id only
    when it does.
    """
    problems: list[str] = []
    grouped: dict[str, list[tuple[str, str]]] = {}
    confirmed: dict[str, date] = {}
    for rownum, row in _csv_records(path, ("request_id", "facilitator_id", "status")):
        where = f"{path.name}, row {rownum}"
        status = parse_cell(problems, where, "status", row["status"], _status)
        rid = parse_cell(problems, where, "request_id", row["request_id"], parse_id, id_value=True)
        if status is None or rid is None:
            continue
        if rid not in workspace.request_by_id:
            problems.append(f"{where}, column request_id: unknown request {rid!r}")
            continue
        if status == "unallocated":
            continue
        fid = parse_cell(
            problems, where, "facilitator_id", row["facilitator_id"], parse_id, id_value=True
        )
        if fid is None:
            continue
        if fid not in workspace.facilitator_by_id:
            problems.append(f"{where}, column facilitator_id: unknown facilitator {fid!r}")
            continue
        if row.get("confirmed_on"):
            day = parse_cell(problems, where, "confirmed_on", row["confirmed_on"], parse_date)
            if day is not None:
                confirmed[rid] = day
        grouped.setdefault(rid, []).append((row.get("role", ""), fid))
    if problems:
        raise ScheduleInputError("\n".join(problems))
    return [
        Allocated(
            rid,
            tuple(fid for _, fid in sorted(rows, key=lambda x: x[0] != "lead")),
            confirmed.get(rid),
        )
        for rid, rows in grouped.items()
    ]


def _status(text: str) -> str:
    if text not in ("allocated", "pinned", "unallocated"):
        raise ValueError("is not allocated, pinned or unallocated")
    return text


def _availability_status(text: str) -> Status:
    allowed = sorted(s.value for s in Status if s is not Status.UNKNOWN)
    if text.casefold() not in allowed:
        raise ValueError(f"is not one of {', '.join(allowed)}")
    return Status(text.casefold())


def read_availability_csv(path: Path) -> list[tuple[str, datetime, datetime, Status]]:
    """``availability.csv`` rows: email, start, end, status (busy | tentative | oof | free).

    An error never repeats an e-mail address.
    """
    problems: list[str] = []
    rows: list[tuple[str, datetime, datetime, Status]] = []
    for rownum, row in _csv_records(path, ("email", "start", "end", "status")):
        where = f"{path.name}, row {rownum}"
        start = parse_cell(problems, where, "start", row["start"], parse_datetime)
        end = parse_cell(problems, where, "end", row["end"], parse_datetime)
        status = parse_cell(problems, where, "status", row["status"], _availability_status)
        email = parse_cell(problems, where, "email", row["email"], parse_email, private=True)
        if start is not None and end is not None and end <= start:
            problems.append(f"{where}, column end: ends before it starts")
        elif None not in (start, end, status, email):
            rows.append((email, start, end, status))  # type: ignore[arg-type]
    if problems:
        raise ScheduleInputError("\n".join(problems))
    return rows


def calendar_sources(
    folder: Path, policy: Policy | None = None, *, strict: bool = False, cache: bool = True
) -> list[CalendarSource]:
    """The file sources of a workspace: ``calendars/<email>.ics`` and ``availability.csv``
    (in ``calendars/`` or the workspace folder).

    Exports are read as :class:`jags.calendars.WorkspaceCalendars` describes:
    within ``policy``'s limits (default the norfolk preset's), an unreadable one
    making its owner unknown with a warning, or with ``strict`` an input error;
    ``cache`` keeps readings in the user's cache folder.
    """
    sources: list[CalendarSource] = []
    calendars = folder / "calendars"
    if calendars.is_dir():
        exports = WorkspaceCalendars(calendars, policy or Policy(), strict=strict, cache=cache)
        if exports.source.emails:
            sources.append(exports)
    for path in (calendars / "availability.csv", folder / "availability.csv"):
        if path.is_file():
            sources.append(RowsSource(read_availability_csv(path)))
    return sources


def remote_source(kind: Remote, policy: Policy | None = None) -> CalendarSource:
    """Exchange on-premises or Microsoft 365, configured from the environment.

    Exchange is asked in ``policy``'s time zone (default the norfolk preset's).
    """
    if kind == "exchange":
        from scheduling.sources.exchange import ExchangeSource

        return ExchangeSource.from_env(mailbox_zone=(policy or Policy()).timezone)
    from scheduling.sources.graph import GraphSource

    return GraphSource.from_env()


def gather(
    sources: Iterable[CalendarSource], emails: Sequence[str], start: datetime, end: datetime
) -> dict[str, Availability]:
    """Every source's view of ``emails`` merged; a person no source sees is unknown."""
    found: list[Availability] = []
    for source in sources:
        found.extend(source.availability(emails, start, end).values())
    merged = merge_all(found)  # keyed by normalised e-mail
    return {e: merged.get(normalise_email(e), Availability.unknown(e)) for e in emails}


# Sessions ---------------------------------------------------------------------


def session_requests(
    workspace: Workspace, allocated: Sequence[Allocated], confirmed_on: date
) -> list[SessionRequest]:
    """Attendees per allocated request: facilitator(s), requester, participants."""
    sessions = []
    for item in allocated:
        req = workspace.request_by_id[item.request_id]
        people = [
            Attendee(
                workspace.facilitator_by_id[fid].email,
                workspace.facilitator_by_id[fid].name,
                facilitator=True,
            )
            for fid in item.facilitators
        ]
        people.append(Attendee(req.requester_email, req.requester_name))
        people += [
            Attendee(p.email, p.name, required=p.attendance == "required")
            for p in workspace.participants_by_request.get(req.request_id, ())
        ]
        unique: dict[str, Attendee] = {}
        for person in people:  # the first role given to a person wins
            unique.setdefault(normalise_email(person.email), person)
        sessions.append(
            SessionRequest(
                req.request_id, item.confirmed_on or confirmed_on, tuple(unique.values())
            )
        )
    return sessions


def fetch_range(
    sessions: Sequence[SessionRequest], policy: Policy, calendar: WorkingCalendar
) -> tuple[datetime, datetime]:
    """The session windows: from the first window's first midnight to the midnight after
    the last window (in the calendar's zone). Calendars are read for this first."""
    days = [window_days(s.confirmed_on, policy, calendar) for s in sessions]
    first = min(d[0][1] for d in days)
    last = max(d[-1][1] for d in days)
    return (
        datetime.combine(first, time(0), calendar.zone),
        datetime.combine(last + timedelta(days=1), time(0), calendar.zone),
    )


def search_range(
    waiting: Sequence[SessionRequest], read_to: datetime, policy: Policy, calendar: WorkingCalendar
) -> tuple[datetime, datetime]:
    """What is read besides :func:`fetch_range` for sessions nothing in their window fits:
    from ``read_to`` (where that reading ended) to well past the
    :data:`SEARCH_DAYS` working days searched after their windows."""
    last = max(window_days(s.confirmed_on, policy, calendar)[-1][1] for s in waiting)
    end = calendar.add_working_days(last, SEARCH_DAYS + 1) + timedelta(days=1)
    return read_to, max(read_to, datetime.combine(end, time(0), calendar.zone))


def read_availability(
    sources: Sequence[CalendarSource],
    sessions: Sequence[SessionRequest],
    policy: Policy,
    calendar: WorkingCalendar,
) -> tuple[dict[str, Availability], AfterWindow]:
    """Every attendee's availability in the session windows, and the reading of the
    days after them for :func:`~scheduling.proposals.propose` to ask for (the
    attendees of the sessions that do not fit their window only)."""
    start, read_to = fetch_range(sessions, policy, calendar)
    emails = sorted({a.email for s in sessions for a in s.attendees})
    found = gather(sources, emails, start, read_to)

    def after_window(waiting: Sequence[SessionRequest]) -> dict[str, Availability]:
        people = sorted({a.email for s in waiting for a in s.attendees})
        begin, end = search_range(waiting, read_to, policy, calendar)
        return gather(sources, people, begin, end) if end > begin else {}

    return found, after_window


# The job ----------------------------------------------------------------------


def run_schedule(
    workspace_path: Path,
    allocations_path: Path,
    confirmed_on: date,
    policy: Policy,
    *,
    remote: Remote | None = None,
    holds: bool = False,
    time_limit: float = 30.0,
    run_on: date | None = None,
    strict: bool = False,
    cache: bool = True,
) -> ScheduleRun:
    """Read everything, propose times, and render proposals and invitations.

    ``run_on`` is the day of the run (default: no check): a request whose
    session window opened before it is refused, because a window in the past
    shows empty calendars and would invite everyone to a time already gone.
    ``strict`` and ``cache`` are as for :func:`calendar_sources`.
    """
    workspace = read_workspace(workspace_path, policy)
    allocated = read_allocations(allocations_path, workspace)
    calendar = WorkingCalendar.for_policy(policy)
    sessions = session_requests(workspace, allocated, confirmed_on)
    if run_on is not None:
        late = [
            (s.request_id, window_days(s.confirmed_on, policy, calendar)[0][1]) for s in sessions
        ]
        late = [(rid, first) for rid, first in late if first < run_on]
        if late:
            raise ScheduleInputError(
                "\n".join(
                    f"{rid}: its session window opened on {first.isoformat()}, before this run "
                    f"({run_on.isoformat()}); check --confirmed-on (or the confirmed_on column), "
                    f"or give --on with the day of the run"
                    for rid, first in late
                )
            )
    sources = (
        calendar_sources(workspace_path, policy, strict=strict, cache=cache)
        if workspace_path.is_dir()
        else []
    )
    if remote is not None:
        sources.append(remote_source(remote, policy))
    availability: dict[str, Availability] = {}
    after_window: AfterWindow | None = None
    if sessions:
        availability, after_window = read_availability(sources, sessions, policy, calendar)
    result = propose(
        sessions,
        availability,
        policy,
        calendar,
        time_limit=time_limit,
        search_days=SEARCH_DAYS,
        after_window=after_window,
    )
    run = ScheduleRun(result=result, sessions=sessions)
    run.files["proposals.csv"] = csv_bytes(PROPOSAL_COLUMNS, proposal_rows(result))
    manifest, documents = render_initial(
        new_manifest(policy, workspace, sessions, result, confirmed_on), holds=holds
    )
    run.files.update(documents)
    run.invited = sorted(manifest.outbox)
    run.files[MANIFEST] = manifest.to_bytes()
    return run


def proposal_rows(result: ScheduleResult) -> list[tuple[object, ...]]:
    """Rows of ``proposals.csv``: one per option, or one saying why there is none."""
    rows: list[tuple[object, ...]] = []
    for rid, proposal in result.proposals.items():
        if not proposal.options:
            rows.append((rid, "", "", "", "", "", "", "", "", proposal.reason, "", "", "", ""))
            continue
        for opt in proposal.options:
            reason = opt.reason if not opt.outside else f"{proposal.reason} {opt.reason}"
            rows.append(
                (
                    rid,
                    opt.option,
                    opt.start.isoformat(),
                    opt.end.isoformat(),
                    opt.working_day,
                    opt.required_free,
                    opt.required_busy,
                    opt.unknown,
                    opt.score,
                    reason,
                    opt.outside,
                    "; ".join(opt.tentative_names),
                    "; ".join(opt.unknown_names),
                    "; ".join(opt.busy_names),
                )
            )
    return rows
