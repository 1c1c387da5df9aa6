"""Ranked session-time proposals for a batch of JAGS sessions.

One entry point, :func:`propose`, takes the sessions confirmed in a run,
every attendee's :class:`~scheduling.availability.Availability`, the
:class:`~allocator.policy.Policy` and a
:class:`~allocator.workdays.WorkingCalendar`, and returns a
:class:`ScheduleResult` with up to ``options`` ranked times per request.

Rules, in the order the engine applies them
-------------------------------------------
1. **Session window** (:func:`window_days`, :func:`day_slots`): working
   days ``policy.window_first_day``..``policy.window_last_day`` after the
   confirmation day; on each, starts every ``start_grid_minutes`` from
   ``day_start`` (local time in ``policy.timezone``) such that the session
   ends by ``day_end``. Clock changes are handled by building aware local
   times with :mod:`zoneinfo`.
2. **Hard availability**: no required attendee busy or out-of-office for
   any part of the session. Tentative and unknown never block; an
   attendee missing from ``availability`` is unknown.
3. **Score** (:class:`Scoring`): one integer, lower is better, that ranks a
   request's slots lexicographically by

   1. required attendees tentative,
   2. optional attendees busy or out-of-office,
   3. attendees (required or optional) unknown,
   4. the working-day index,
   5. attendees with a busy or tentative meeting less than
      ``policy.gap_minutes`` before the start or after the end,
   6. the start time within the day.

   Read literally, "earlier (day, then time)" before the gap would leave
   the gap nothing to decide, since no two slots of a request share a
   start. The gap therefore ranks between the day and the time of day: an
   earlier day always wins, and within a day a slot with breathing room
   beats an earlier one without.
   Each criterion is one base-10 digit group (two digits each by default),
   so a score reads directly, e.g. ``1_00_02_12_01_04``: one tentative, no
   optional busy, two unknown, working day 12, one tight gap, fifth start
   of the day.
4. **Batch** (CP-SAT, :func:`_solve`): one Boolean per candidate slot per
   session (an optional interval fixed in time). Hard: every session the
   batch can place is placed (stage 0 finds how many, skipped when a
   greedy pass already places all); no person in two sessions at once
   (per-person no-overlap, written as at-most-one cliques over the
   candidates covering each start time); at most
   ``policy.max_sessions_per_facilitator_per_day`` sessions per
   facilitator per working day. Soft: the score's six criteria, as batch
   totals, minimised in the score's order, each solved then held (stages
   1–6; a stage is skipped when every session already has its own best).
   Solving the criteria in turn rather than the weighted sum keeps each
   solve small and proves optimality in seconds where one weighted
   objective did not; the reported objective is the sum of the option-1
   scores, which this order also minimises whenever the batch's total of
   the lower criteria stays within their digits. Candidates may be pruned
   (``candidate_limit``) with exact results: the model keeps a relaxed
   "some pruned slot" choice per session, and when the result takes it
   those sessions get every candidate back and the stages run again. One
   worker, fixed seed: the same input gives the same output.
5. **Options**: option 1 is the batch's choice; options 2.. are the
   request's next best slots that do not overlap option 1 or each other
   and do not clash with the other sessions' option 1 (a shared attendee's
   other session counts as busy), on other days first.
6. **Nothing fits**: the request says which required attendees block the
   most slots, and the engine searches forward day by day after the window
   (``search_days`` working days) for the slot with the fewest required
   attendees unknown, earliest first, where none is busy. That option is
   marked ``outside``.

The engine never offers a time at which a required attendee is busy or
out-of-office. Time outside a calendar's coverage is unknown, never free,
and is reported as unknown.
"""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from allocator.errors import InputError, SolverError
from scheduling.availability import Availability, Interval, Status, worst

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from allocator.policy import Policy
    from allocator.workdays import WorkingCalendar

__all__ = [
    "Attendee",
    "Booked",
    "Option",
    "ProposalInputs",
    "RequestProposal",
    "ScheduleResult",
    "Scoring",
    "SessionRequest",
    "SolveStatus",
    "day_slots",
    "has_free_slot",
    "propose",
    "window_days",
]

logger = logging.getLogger("scheduling")

#: Statuses that count as "another meeting" for the gap criterion.
_GAP_STATUSES = frozenset({Status.BUSY, Status.TENTATIVE})
#: Besides the best ``candidate_limit`` slots, keep this many best slots of every day.
_PER_DAY = 3


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Attendee:
    """One person invited to a session.

    Parameters
    ----------
    email
        The person's e-mail; stored stripped and lower case.
    name
        Display name used in reasons (the e-mail when blank).
    required
        Whether the session needs this person (default ``True``).
    facilitator
        Whether this person facilitates the session (default ``False``);
        facilitators are held to the per-day session limit.
    """

    email: str
    name: str
    required: bool = True
    facilitator: bool = False

    def __post_init__(self) -> None:
        email = self.email.strip().casefold()
        if not email:
            raise InputError("an attendee has no e-mail address")
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "name", self.name.strip() or email)


@dataclass(frozen=True)
class SessionRequest:
    """A session to place: one request, its confirmation day and attendees.

    Parameters
    ----------
    request_id
        The request's id.
    confirmed_on
        The day the facilitator confirmed the JAGS; the window counts from it.
    attendees
        Everyone invited (at least one; each e-mail once).
    """

    request_id: str
    confirmed_on: date
    attendees: tuple[Attendee, ...]

    def __post_init__(self) -> None:
        attendees = tuple(self.attendees)
        object.__setattr__(self, "attendees", attendees)
        if not attendees:
            raise InputError(f"request {self.request_id}: session has no attendees")
        seen: set[str] = set()
        for attendee in attendees:
            if attendee.email in seen:
                raise InputError(f"request {self.request_id}: {attendee.email} is listed twice")
            seen.add(attendee.email)


@dataclass(frozen=True)
class Booked:
    """A session already booked in an earlier run (the ledger's), kept clear of.

    Its attendees are busy for its time, and it counts towards each of its
    facilitators' sessions that day (``policy.max_sessions_per_facilitator_per_day``).

    Parameters
    ----------
    request_id
        The booked request.
    start, end
        Aware datetimes.
    attendees
        E-mails of everyone invited (stored lower case).
    facilitators
        E-mails of its facilitators (stored lower case).
    """

    request_id: str
    start: datetime
    end: datetime
    attendees: tuple[str, ...]
    facilitators: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InputError(f"booked session {self.request_id} ends before it starts")
        object.__setattr__(self, "attendees",
                           tuple(e.strip().casefold() for e in self.attendees))
        object.__setattr__(self, "facilitators",
                           tuple(e.strip().casefold() for e in self.facilitators))


def booked_per_day(booked: Iterable[Booked], zone: ZoneInfo) -> dict[tuple[str, date], int]:
    """Sessions already booked per facilitator e-mail and local day."""
    taken: dict[tuple[str, date], int] = {}
    for item in booked:
        day = item.start.astimezone(zone).date()
        for email in item.facilitators:
            taken[email, day] = taken.get((email, day), 0) + 1
    return taken


def _with_booked(availability: dict[str, Availability],
                 booked: Iterable[Booked]) -> dict[str, Availability]:
    """Availability with every booked session busy for its attendees."""
    extra: dict[str, list[Interval]] = {}
    for item in booked:
        for email in item.attendees:
            extra.setdefault(email, []).append(Interval(item.start, item.end, Status.BUSY))
    out = dict(availability)
    for email, spans in extra.items():
        mine = Availability(email=email, intervals=tuple(spans), source="ledger")
        out[email] = out[email].merged(mine) if email in out else mine
    return out


# --------------------------------------------------------------------------- outputs


class SolveStatus(StrEnum):
    """What the batch solver proved about option 1 of every request."""

    OPTIMAL = "optimal"
    """Every placeable session placed, and each criterion's batch total proven lowest."""
    FEASIBLE = "feasible"
    """A valid placement, not proven best (the time limit ran out)."""
    INFEASIBLE = "infeasible"
    """Not returned by :func:`propose`: placing nothing is always valid."""
    UNKNOWN = "unknown"
    """Not returned by :func:`propose`: a greedy placement is always at hand."""


@dataclass(frozen=True)
class Option:
    """One proposed time for a request.

    Parameters
    ----------
    option
        Rank, 1 = best.
    start, end
        Aware datetimes in the policy's time zone (Europe/London).
    working_day
        ``k`` such that the day is the ``k``-th working day after the
        confirmation day.
    free_names, tentative_names, busy_names, unknown_names
        Attendee names by status, in the request's attendee order.
        ``busy_names`` (busy or out-of-office) only ever holds optional
        attendees.
    required_free
        Required attendees free.
    required_busy
        Required attendees busy or out-of-office (always 0: such a time is
        never offered).
    unknown
        Required attendees whose availability is unknown.
    required_tentative
        Required attendees tentative.
    gap_names
        Attendees with a busy or tentative meeting within
        ``policy.gap_minutes`` of the session.
    score
        The :class:`Scoring` score, lower is better.
    reason
        Plain English, e.g. ``"all 5 required attendees free; earliest
        fitting slot"``.
    outside
        ``True`` for a time after the window, offered when nothing fits it.
    """

    option: int
    start: datetime
    end: datetime
    working_day: int
    free_names: tuple[str, ...]
    tentative_names: tuple[str, ...]
    busy_names: tuple[str, ...]
    unknown_names: tuple[str, ...]
    required_free: int
    required_busy: int
    unknown: int
    required_tentative: int
    gap_names: tuple[str, ...]
    score: int
    reason: str
    outside: bool = False


@dataclass(frozen=True)
class RequestProposal:
    """The proposed times for one request.

    Parameters
    ----------
    request_id
        The request.
    window
        First and last working day of its session window (inclusive).
    options
        Ranked options (option 1 first); in-window options, or a single
        ``outside`` option when nothing fits the window, or none.
    blockers
        When nothing fits the window: ``(name, slots)`` for attendees who
        make slots unusable (busy, out-of-office or in another session of
        the batch), most slots first; empty otherwise.
    reason
        Plain English summary.
    """

    request_id: str
    window: tuple[date, date]
    options: tuple[Option, ...]
    blockers: tuple[tuple[str, int], ...]
    reason: str

    @property
    def scheduled(self) -> bool:
        """Whether option 1 lies inside the window."""
        return bool(self.options) and not self.options[0].outside


@dataclass(frozen=True)
class ProposalInputs:
    """What a :class:`ScheduleResult` was computed from, kept so it can check itself.

    Parameters
    ----------
    sessions
        The sessions, in input order.
    availability
        Availability keyed by lower-case e-mail.
    policy
        The policy.
    calendar
        The working-day calendar.
    search_days
        Working days searched after the window when nothing fits it.
    booked
        Sessions booked by earlier runs.
    """

    sessions: tuple[SessionRequest, ...]
    availability: Mapping[str, Availability]
    policy: Policy
    calendar: WorkingCalendar
    search_days: int
    booked: tuple[Booked, ...] = ()


@dataclass(frozen=True)
class ScheduleResult:
    """The outcome of :func:`propose`.

    Parameters
    ----------
    status
        What the solver proved (see :class:`SolveStatus`).
    proposals
        One :class:`RequestProposal` per request, in input order.
    objective
        Sum of option-1 scores of the requests placed in their window.
    runtime
        Wall-clock seconds (not compared by ``==``).
    inputs
        The inputs, for :meth:`check` (not compared, not shown).
    """

    status: SolveStatus
    proposals: dict[str, RequestProposal]
    objective: int
    runtime: float = field(default=0.0, compare=False)
    inputs: ProposalInputs | None = field(default=None, compare=False, repr=False)

    @property
    def unscheduled(self) -> tuple[str, ...]:
        """Requests with no option inside their window."""
        return tuple(rid for rid, p in self.proposals.items() if not p.scheduled)

    def check(self) -> list[str]:
        """Recompute validity from the inputs; an empty list means valid.

        Checks every option against availability (no required attendee
        busy or out-of-office, statuses, counts and score as recomputed),
        the window, the start grid and working hours; that no person is in
        two requests' option 1 at once and options 2.. do not clash with
        another request's option 1; the per-day facilitator limit; and the
        objective.
        """
        if self.inputs is None:
            return ["result carries no inputs to check against"]
        return _check(self, self.inputs)


# --------------------------------------------------------------------------- the session window


def window_days(confirmed_on: date, policy: Policy,
                calendar: WorkingCalendar) -> tuple[tuple[int, date], ...]:
    """The session window as ``(k, day)`` pairs: the ``k``-th working day after ``confirmed_on``.

    ``k`` runs from ``policy.window_first_day`` to ``policy.window_last_day``
    (default 10 to 15).
    """
    return _working_days_from(confirmed_on, policy.window_first_day, policy.window_last_day,
                              calendar)


def _working_days_from(confirmed_on: date, first: int, last: int,
                       calendar: WorkingCalendar) -> tuple[tuple[int, date], ...]:
    if last < first:
        return ()
    day = calendar.add_working_days(confirmed_on, first)
    days = [(first, day)]
    for k in range(first + 1, last + 1):
        day = calendar.next_working_day(day + timedelta(days=1))
        days.append((k, day))
    return tuple(days)


def _working_day_index(confirmed_on: date, day: date, calendar: WorkingCalendar) -> int:
    """``k`` with ``calendar.add_working_days(confirmed_on, k) == day`` (``day`` a working day)."""
    return calendar.working_days_between(calendar.next_working_day(confirmed_on), day)


@dataclass(frozen=True, slots=True)
class _Slot:
    day: date
    index: int
    start: datetime  # UTC
    end: datetime  # UTC


def day_slots(day: date, policy: Policy) -> tuple[tuple[datetime, datetime], ...]:
    """Session start and end times on ``day``, aware, in ``policy.timezone``.

    Starts are every ``policy.start_grid_minutes`` (default 15) from
    ``policy.day_start`` (default 09:00) such that the session
    (``policy.session_minutes``, default 90) ends by ``policy.day_end``
    (default 17:00).
    """
    zone = ZoneInfo(policy.timezone)
    return tuple((s.start.astimezone(zone), s.end.astimezone(zone))
                 for s in _make_slots(day, policy, zone))


def _make_slots(day: date, policy: Policy, zone: ZoneInfo) -> tuple[_Slot, ...]:
    session = timedelta(minutes=policy.session_minutes)
    step = timedelta(minutes=policy.start_grid_minutes)
    close = datetime.combine(day, policy.day_end).replace(tzinfo=zone).astimezone(UTC)
    local = datetime.combine(day, policy.day_start)  # wall clock, naive
    slots: list[_Slot] = []
    while True:
        start = local.replace(tzinfo=zone).astimezone(UTC)
        end = start + session
        if end > close:
            break
        slots.append(_Slot(day, len(slots), start, end))
        local += step
    return tuple(slots)


# --------------------------------------------------------------------------- scoring


def _radix(largest: int) -> int:
    """The smallest power of ten above ``largest``, at least 100 (two digits)."""
    digits: int = max(2, len(str(max(largest, 0))))
    return int(10**digits)


@dataclass(frozen=True)
class Scoring:
    """The score of a slot: one integer that ranks a request's slots lexicographically.

    ``score = (((((tentative·A + optional_busy)·A + unknown)·D + working_day)·A
    + gaps)·S + slot_index``, where each radix is a power of ten larger than
    anything its criterion can count, so the criteria never trade against
    each other within a request. Lower is better.

    Parameters
    ----------
    attendee_radix
        ``A``: above the most attendees of any session (default 100).
    day_radix
        ``D``: above the largest working-day index searched (default 100).
    slot_radix
        ``S``: above the most starts in one day (default 100).
    """

    attendee_radix: int = 100
    day_radix: int = 100
    slot_radix: int = 100

    @classmethod
    def for_batch(cls, sessions: Sequence[SessionRequest], policy: Policy,
                  search_days: int) -> Scoring:
        """The radices for ``sessions`` under ``policy``, searching ``search_days`` beyond."""
        zone = ZoneInfo(policy.timezone)
        per_day = len(_make_slots(date(2001, 1, 1), policy, zone))  # same every day
        most = max((len(s.attendees) for s in sessions), default=0)
        return cls(_radix(most), _radix(policy.window_last_day + search_days),
                   _radix(per_day - 1))

    def score(self, tentative: int, optional_busy: int, unknown: int, working_day: int,
              gaps: int, slot_index: int) -> int:
        """The score of a slot from its criteria (see the class notes)."""
        a, d, s = self.attendee_radix, self.day_radix, self.slot_radix
        return (((((tentative * a + optional_busy) * a + unknown) * d + working_day) * a
                 + gaps) * s + slot_index)


# --------------------------------------------------------------------------- availability table


class _Table:
    """Per attendee per day: the status and gap flag of every slot, computed once."""

    def __init__(self, availability: Mapping[str, Availability], policy: Policy) -> None:
        self.availability = availability
        self.policy = policy
        self.zone = ZoneInfo(policy.timezone)
        self.gap = timedelta(minutes=policy.gap_minutes)
        self._slots: dict[date, tuple[_Slot, ...]] = {}
        self._states: dict[tuple[str, date], tuple[tuple[Status, bool], ...]] = {}

    def slots(self, day: date) -> tuple[_Slot, ...]:
        found = self._slots.get(day)
        if found is None:
            found = self._slots[day] = _make_slots(day, self.policy, self.zone)
        return found

    def states(self, email: str, day: date) -> tuple[tuple[Status, bool], ...]:
        """``(status, tight_gap)`` per slot of ``day``; equal to ``Availability.status``."""
        key = (email, day)
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = self._compute(email, self.slots(day))
        return found

    def _compute(self, email: str, slots: tuple[_Slot, ...]) -> tuple[tuple[Status, bool], ...]:
        av = self.availability.get(email)
        if av is None or not slots:
            return tuple((Status.UNKNOWN, False) for _ in slots)
        gap = self.gap
        lo, hi = slots[0].start - gap, slots[-1].end + gap
        intervals = av.overlapping(lo, hi)
        coverage = [(a, b) for a, b in av.coverage if a < hi and b > lo]
        near = [i for i in intervals if i.status in _GAP_STATUSES] if gap else []
        out: list[tuple[Status, bool]] = []
        for slot in slots:
            s, e = slot.start, slot.end
            status = worst(i.status for i in intervals if i.start < e and i.end > s)
            if not status.blocks and not any(a <= s and e <= b for a, b in coverage):
                status = Status.UNKNOWN
            tight = any((i.start < s and i.end > s - gap) or (i.start < e + gap and i.end > e)
                        for i in near)
            out.append((status, tight))
        return tuple(out)


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One slot for one session, with everything the ranking and reasons need."""

    working_day: int
    slot: _Slot
    statuses: tuple[Status, ...]  # per attendee, request order
    gaps: tuple[bool, ...]
    parts: tuple[int, int, int, int, int, int]
    score: int


def _evaluate(session: SessionRequest, table: _Table, scoring: Scoring, working_day: int,
              day: date, index: int) -> tuple[_Candidate, bool]:
    """The candidate for ``session`` at slot ``index`` of ``day``, and whether it fits (rule 2)."""
    statuses: list[Status] = []
    gaps: list[bool] = []
    fits = True
    tentative = optional_busy = unknown = tight = 0
    for attendee in session.attendees:
        status, gap = table.states(attendee.email, day)[index]
        statuses.append(status)
        gaps.append(gap)
        tight += gap
        if status is Status.UNKNOWN:
            unknown += 1
        elif attendee.required:
            if status.blocks:
                fits = False
            elif status is Status.TENTATIVE:
                tentative += 1
        elif status.blocks:
            optional_busy += 1
    parts = (tentative, optional_busy, unknown, working_day, tight, index)
    slot = table.slots(day)[index]
    return _Candidate(working_day, slot, tuple(statuses), tuple(gaps), parts,
                      scoring.score(*parts)), fits


@dataclass
class _Plan:
    """Per session: the window, every window slot's candidate, and the fitting ones ranked."""

    session: SessionRequest
    window: tuple[tuple[int, date], ...]
    slots_in_window: list[_Candidate]
    fitting: list[_Candidate]  # by score (unique per session)


def _plan(session: SessionRequest, policy: Policy, calendar: WorkingCalendar, table: _Table,
          scoring: Scoring) -> _Plan:
    window = window_days(session.confirmed_on, policy, calendar)
    every: list[_Candidate] = []
    fitting: list[_Candidate] = []
    for k, day in window:
        for slot in table.slots(day):
            candidate, fits = _evaluate(session, table, scoring, k, day, slot.index)
            every.append(candidate)
            if fits:
                fitting.append(candidate)
    fitting.sort(key=lambda c: c.score)
    return _Plan(session, window, every, fitting)


def _prune(fitting: list[_Candidate], limit: int | None) -> list[_Candidate]:
    """The best ``limit`` candidates plus the best few of every day, in score order."""
    if limit is None or len(fitting) <= limit:
        return list(fitting)
    keep = set(range(limit))
    per_day: dict[date, int] = {}
    for i, candidate in enumerate(fitting):
        seen = per_day.get(candidate.slot.day, 0)
        if seen < _PER_DAY:
            keep.add(i)
        per_day[candidate.slot.day] = seen + 1
    return [c for i, c in enumerate(fitting) if i in keep]


# --------------------------------------------------------------------------- bookings


class _Bookings:
    """Option-1 times already given, per person, and facilitated sessions per day."""

    def __init__(self, limit: int, taken: Mapping[tuple[str, date], int]) -> None:
        self.limit = limit
        self.taken = taken
        self.by_person: dict[str, list[tuple[datetime, datetime, str]]] = {}
        self.by_facilitator_day: dict[tuple[str, date], set[str]] = {}

    def add(self, session: SessionRequest, slot: _Slot) -> None:
        for attendee in session.attendees:
            self.by_person.setdefault(attendee.email, []).append(
                (slot.start, slot.end, session.request_id))
            if attendee.facilitator:
                self.by_facilitator_day.setdefault((attendee.email, slot.day), set()).add(
                    session.request_id)

    def clashes(self, attendee: Attendee, slot: _Slot, request_id: str) -> bool:
        """Whether ``attendee`` cannot attend ``slot`` because of another session."""
        for start, end, other in self.by_person.get(attendee.email, ()):
            if other != request_id and start < slot.end and slot.start < end:
                return True
        if attendee.facilitator:
            key = (attendee.email, slot.day)
            others = self.by_facilitator_day.get(key, set()) - {request_id}
            if len(others) + self.taken.get(key, 0) >= self.limit:
                return True
        return False

    def allows(self, session: SessionRequest, slot: _Slot) -> bool:
        return not any(self.clashes(a, slot, session.request_id) for a in session.attendees)


# --------------------------------------------------------------------------- batch solve


def _greedy(plans: Sequence[_Plan], pools: Sequence[list[_Candidate]], limit: int,
            taken: Mapping[tuple[str, date], int],
            start: Sequence[_Candidate | None] | None = None) -> list[_Candidate | None]:
    """Keep ``start``'s choices; every other session in turn takes its best slot still free."""
    bookings = _Bookings(limit, taken)
    chosen: list[_Candidate | None] = list(start) if start is not None else [None] * len(plans)
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is not None:
            bookings.add(plan.session, pick.slot)
    for i, (plan, pool) in enumerate(zip(plans, pools, strict=True)):
        if chosen[i] is None:
            pick = next((c for c in pool if bookings.allows(plan.session, c.slot)), None)
            if pick is not None:
                bookings.add(plan.session, pick.slot)
                chosen[i] = pick
    return chosen


#: The batch criteria, in order: indexes into ``_Candidate.parts``.
_STAGES = ("tentative", "optional busy", "unknown", "working day", "gap", "start time")
_REST = -1  # an incumbent's choice meaning "a slot pruned out of the pool" (relaxation)


@dataclass
class _Batch:
    """The CP-SAT model of a batch.

    ``take[i][j]``: session ``i`` takes ``pools[i][j]``. ``rest[i]``: session
    ``i`` takes one of its slots left out of ``pools[i]``, a relaxation that
    uses no one's time and costs, in every criterion, the least any
    left-out slot costs (``rest_parts[i]``). Every unpruned solution maps to
    a relaxed one no worse in any criterion, so the relaxed lexicographic
    optimum is a bound for the unpruned batch, and equals it when no
    ``rest`` is taken.
    """

    model: Any
    pools: Sequence[list[_Candidate]]
    take: list[list[Any]]
    rest: list[Any | None]
    rest_parts: list[tuple[int, ...]]

    def criterion(self, stage: int) -> Any:
        """The batch total of one criterion."""
        terms: list[Any] = []
        weights: list[int] = []
        for pool, group, other, parts in zip(self.pools, self.take, self.rest, self.rest_parts,
                                             strict=True):
            terms.extend(group)
            weights.extend(c.parts[stage] for c in pool)
            if other is not None:
                terms.append(other)
                weights.append(parts[stage])
        return cp_model.LinearExpr.weighted_sum(terms, weights)

    def value(self, stage: int, choice: Sequence[int | None]) -> int:
        """The criterion's total for an incumbent ``choice`` (pool index, ``_REST`` or None)."""
        total = 0
        for pool, parts, j in zip(self.pools, self.rest_parts, choice, strict=True):
            if j == _REST:
                total += parts[stage]
            elif j is not None:
                total += pool[j].parts[stage]
        return total

    def lower_bound(self, stage: int) -> int:
        """Each session at its own best for the criterion (valid when every one is placed)."""
        total = 0
        for pool, other, parts in zip(self.pools, self.rest, self.rest_parts, strict=True):
            options = [c.parts[stage] for c in pool] + ([parts[stage]] if other is not None else [])
            total += min(options, default=0)
        return total

    def hint(self, choice: Sequence[int | None]) -> None:
        self.model.clear_hints()
        for group, other, j in zip(self.take, self.rest, choice, strict=True):
            for index, x in enumerate(group):
                self.model.add_hint(x, index == j)
            if other is not None:
                self.model.add_hint(other, j == _REST)

    def choice(self, solver: cp_model.CpSolver) -> list[int | None]:
        out: list[int | None] = []
        for group, other in zip(self.take, self.rest, strict=True):
            j = next((index for index, x in enumerate(group) if solver.boolean_value(x)), None)
            if j is None and other is not None and solver.boolean_value(other):
                j = _REST
            out.append(j)
        return out


def _one_slot_per_session(model: Any, take: Sequence[list[Any]], rest: Sequence[Any | None],
                          exact: bool) -> None:
    """Each session takes one slot, or at most one when not every session can be placed."""
    for group, other in zip(take, rest, strict=True):
        literals = [*group, *([other] if other is not None else [])]
        if literals:
            (model.add_exactly_one if exact else model.add_at_most_one)(literals)


def _most_sessions_placed(model: Any, take: Sequence[list[Any]], rest: Sequence[Any | None],
                          placed: int) -> None:
    """At least ``placed`` sessions placed (the most the batch allows, found first)."""
    literals = [x for group in take for x in group] + [y for y in rest if y is not None]
    model.add(sum(literals) >= placed)


def _no_double_booking(model: Any, plans: Sequence[_Plan], pools: Sequence[list[_Candidate]],
                       take: Sequence[list[Any]]) -> None:
    """A person in several sessions of the batch attends at most one at a time.

    Every candidate is an interval fixed in time, present when taken, so a
    per-person no-overlap (``AddNoOverlap`` over optional intervals) is
    exactly: at each candidate start, at most one of the person's
    candidates covering it is taken (an interval graph's maximal cliques
    begin at interval starts). The Boolean form has the same solutions and
    propagates and relaxes far better in CP-SAT.
    """
    items: dict[str, list[tuple[datetime, datetime, int, Any]]] = {}
    for i, (plan, pool) in enumerate(zip(plans, pools, strict=True)):
        for attendee in plan.session.attendees:
            items.setdefault(attendee.email, []).extend(
                (c.slot.start, c.slot.end, i, x) for c, x in zip(pool, take[i], strict=True))
    for person in items.values():
        if len({i for _, _, i, _ in person}) < 2:
            continue
        person.sort(key=lambda item: (item[0], item[2]))
        active: list[tuple[datetime, datetime, int, Any]] = []
        for position, item in enumerate(person):
            active.append(item)
            if position + 1 < len(person) and person[position + 1][0] == item[0]:
                continue  # every candidate starting at this time joins first
            active = [a for a in active if a[1] > item[0]]
            if len({i for _, _, i, _ in active}) > 1:
                model.add_at_most_one([x for _, _, _, x in active])


def _facilitator_day_limit(model: Any, plans: Sequence[_Plan],
                           pools: Sequence[list[_Candidate]], take: Sequence[list[Any]],
                           limit: int, taken: Mapping[tuple[str, date], int]) -> None:
    """At most ``limit`` sessions per facilitator per working day, counting those
    already booked (``taken``)."""
    per_day: dict[tuple[str, date], list[tuple[int, Any]]] = {}
    for i, (plan, pool) in enumerate(zip(plans, pools, strict=True)):
        for attendee in plan.session.attendees:
            if attendee.facilitator:
                for candidate, x in zip(pool, take[i], strict=True):
                    per_day.setdefault((attendee.email, candidate.slot.day), []).append((i, x))
    for key, group in per_day.items():
        room = limit - taken.get(key, 0)
        if len({i for i, _ in group}) > room:
            model.add(sum(x for _, x in group) <= max(room, 0))


def _build(plans: Sequence[_Plan], pools: Sequence[list[_Candidate]],
           full: Sequence[list[_Candidate]], policy: Policy, placed: int | None,
           taken: Mapping[tuple[str, date], int]) -> _Batch:
    """The batch model's variables and hard rules, in order; objectives are set per stage.

    ``placed``: sessions that must be placed (``None``: any number).
    """
    model = cp_model.CpModel()
    take = [[model.new_bool_var(f"take_{i}_{j}") for j in range(len(pool))]
            for i, pool in enumerate(pools)]
    rest: list[Any | None] = []
    rest_parts: list[tuple[int, ...]] = []
    for i, (pool, every) in enumerate(zip(pools, full, strict=True)):
        kept = {id(c) for c in pool}
        left = [c.parts for c in every if id(c) not in kept]
        rest.append(model.new_bool_var(f"rest_{i}") if left else None)
        rest_parts.append(tuple(min(column) for column in zip(*left, strict=True)) if left
                          else (0,) * len(_STAGES))
    possible = sum(1 for every in full if every)
    exact = placed is not None and placed == possible
    _one_slot_per_session(model, take, rest, exact)
    if placed is not None and not exact:
        _most_sessions_placed(model, take, rest, placed)
    _no_double_booking(model, plans, pools, take)
    _facilitator_day_limit(model, plans, pools, take, policy.max_sessions_per_facilitator_per_day,
                           taken)
    return _Batch(model, pools, take, rest, rest_parts)


def _run(batch: _Batch, deadline: float, seed: int,
         params: Mapping[str, Any]) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve with one worker and a fixed seed (deterministic); raise on an invalid model."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(deadline - clock.perf_counter(), 0.01)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1
    # The full linear relaxation proves these assignment-like stages quickly.
    solver.parameters.linearization_level = 2
    for name, value in params.items():
        setattr(solver.parameters, name, value)
    code = solver.solve(batch.model)
    if code == cp_model.MODEL_INVALID:
        raise SolverError(f"session model invalid: {batch.model.validate()}")
    if code == cp_model.INFEASIBLE:
        raise SolverError("session model infeasible although a valid placement was given")
    return solver, code


def _index(pools: Sequence[list[_Candidate]],
           picks: Sequence[_Candidate | None]) -> list[int | None]:
    """``picks`` as pool indexes, ``_REST`` for a pick pruned out of its pool."""
    out: list[int | None] = []
    for pool, pick in zip(pools, picks, strict=True):
        if pick is None:
            out.append(None)
        else:
            out.append(next((j for j, c in enumerate(pool) if c is pick), _REST))
    return out


def _most_placed(plans: Sequence[_Plan], full: Sequence[list[_Candidate]], policy: Policy,
                 greedy: list[_Candidate | None], deadline: float, seed: int,
                 params: Mapping[str, Any], taken: Mapping[tuple[str, date], int]
                 ) -> tuple[list[_Candidate | None], bool]:
    """Stage 0: the most sessions the batch can place, and whether that is proven."""
    batch = _build(plans, full, full, policy, None, taken)
    batch.model.maximize(sum(x for group in batch.take for x in group))
    batch.hint(_index(full, greedy))
    solver, code = _run(batch, deadline, seed, params)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return greedy, False
    picks = [pool[j] if j is not None and j != _REST else None
             for pool, j in zip(full, batch.choice(solver), strict=True)]
    return picks, code == cp_model.OPTIMAL


def _lexicographic(batch: _Batch, choice: list[int | None], exact: bool, deadline: float,
                   seed: int, params: Mapping[str, Any]) -> tuple[list[int | None], bool]:
    """Stages 1–6: minimise each criterion's batch total in turn, then hold it.

    A stage is skipped when the incumbent already meets the bound of every
    session at its own best. Returns the final choice and whether every
    stage was proven optimal.
    """
    proven = True
    for stage in range(len(_STAGES)):
        total = batch.criterion(stage)
        best = batch.value(stage, choice)
        if not (exact and best == batch.lower_bound(stage)):
            batch.model.minimize(total)
            batch.hint(choice)
            solver, code = _run(batch, deadline, seed, params)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                choice = batch.choice(solver)
                best = batch.value(stage, choice)
            proven = proven and code == cp_model.OPTIMAL
            logger.debug("stage %s: total %d (%s, %.2f s)", _STAGES[stage], best,
                         solver.status_name(code), solver.wall_time)
        batch.model.add(total <= best)
    return choice, proven


def _solve(plans: Sequence[_Plan], policy: Policy, candidate_limit: int | None,
           time_limit: float, seed: int, params: Mapping[str, Any],
           taken: Mapping[tuple[str, date], int]
           ) -> tuple[list[_Candidate | None], SolveStatus]:
    """Choose at most one slot per session with CP-SAT (rule 4).

    Stage 0 finds the most sessions the batch can place (skipped when a
    greedy pass places every session that has a fitting slot). Stages 1–6
    then minimise, over the pruned candidates, the batch totals of the
    score's criteria in the score's order (each solved, then held). When
    the result takes a pruned-out slot (``_Batch.rest``), those sessions
    get all their candidates back and the stages run again, so
    ``optimal`` holds for the unpruned batch. There is always a valid
    placement to fall back on (greedy, then each stage's incumbent).
    """
    deadline = clock.perf_counter() + time_limit
    limit = policy.max_sessions_per_facilitator_per_day
    full = [plan.fitting for plan in plans]
    best = _greedy(plans, full, limit, taken)
    possible = sum(1 for every in full if every)
    placed = sum(1 for c in best if c is not None)
    if possible == 0:
        return best, SolveStatus.OPTIMAL
    proven = True
    if placed < possible:
        best, proven = _most_placed(plans, full, policy, best, deadline, seed, params, taken)
        placed = sum(1 for c in best if c is not None)
    pools = [_prune(every, candidate_limit) for every in full]
    for round_ in range(4):  # from round 3 every session has all its candidates
        batch = _build(plans, pools, full, policy, placed, taken)
        choice, optimal = _lexicographic(batch, _index(pools, best), placed == possible,
                                         deadline, seed, params)
        picks = [pool[j] if j is not None and j != _REST else None
                 for pool, j in zip(pools, choice, strict=True)]
        left_out = [i for i, j in enumerate(choice) if j == _REST]
        if not left_out:
            return picks, SolveStatus.OPTIMAL if proven and optimal else SolveStatus.FEASIBLE
        best = _greedy(plans, full, limit, taken, picks)
        if not optimal or clock.perf_counter() >= deadline:
            return best, SolveStatus.FEASIBLE
        logger.info("round %d: %d sessions need slots pruned away; adding them back", round_ + 1,
                    len(left_out))
        for i in range(len(plans)) if round_ >= 2 else left_out:
            pools[i] = list(full[i])
    return best, SolveStatus.FEASIBLE  # pragma: no cover - round 4 has nothing left out


# --------------------------------------------------------------------------- describing options


def _names(session: SessionRequest, statuses: Sequence[Status],
           wanted: Iterable[Status]) -> tuple[str, ...]:
    wanted = set(wanted)
    return tuple(a.name for a, s in zip(session.attendees, statuses, strict=True) if s in wanted)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _describe(session: SessionRequest, statuses: Sequence[Status], gaps: Sequence[bool],
              availability: Mapping[str, Availability], gap_minutes: int) -> list[str]:
    """Reason fragments for the attendees' statuses at one time."""
    required = [(a, s) for a, s in zip(session.attendees, statuses, strict=True) if a.required]
    free = sum(1 for _, s in required if s is Status.FREE)
    parts: list[str] = []
    if not required:
        parts.append("no required attendees")
    elif free == len(required) == 1:
        parts.append("the required attendee is free")
    elif free == len(required):
        parts.append(f"all {len(required)} required attendees free")
    else:
        parts.append(f"{free} of {_plural(len(required), 'required attendee')} free")
    tentative = [a.name for a, s in required if s is Status.TENTATIVE]
    if tentative:
        parts.append(f"{len(tentative)} tentative: {', '.join(tentative)}")
    optional = [a.name for a, s in zip(session.attendees, statuses, strict=True)
                if not a.required and s.blocks]
    if optional:
        parts.append(f"{len(optional)} optional busy: {', '.join(optional)}")
    no_calendar: list[str] = []
    not_covered: list[str] = []
    for attendee, status in zip(session.attendees, statuses, strict=True):
        if status is Status.UNKNOWN:
            av = availability.get(attendee.email)
            (no_calendar if av is None or not av.coverage else not_covered).append(attendee.name)
    if no_calendar:
        parts.append(f"{len(no_calendar)} unknown (no calendar): {', '.join(no_calendar)}")
    if not_covered:
        parts.append(f"{len(not_covered)} unknown (calendar does not reach this time): "
                     f"{', '.join(not_covered)}")
    tight = [a.name for a, g in zip(session.attendees, gaps, strict=True) if g]
    if tight:
        parts.append(f"less than {gap_minutes} minutes from another meeting: {', '.join(tight)}")
    return parts


_CRITERIA = ("more tentative required attendees", "more optional attendees busy",
             "more unknown attendees", "", "less room around other meetings")


def _rank_note(plan: _Plan, chosen: _Candidate) -> str:
    """Why option 1 is this slot: earliest, best-ranked, or moved by the batch."""
    earliest = min(plan.fitting, key=lambda c: (c.working_day, c.slot.index))
    if chosen is earliest:
        return "earliest fitting slot"
    if chosen is plan.fitting[0]:
        for position, text in enumerate(_CRITERIA):
            if text and earliest.parts[position] > chosen.parts[position]:
                return f"best-ranked fitting slot (earlier ones have {text})"
        return "best-ranked fitting slot"
    return "best fitting slot free of the other sessions in this batch"


def _option(rank: int, plan: _Plan, candidate: _Candidate, note: str,
            inputs: ProposalInputs, zone: ZoneInfo, *, outside: bool = False) -> Option:
    session = plan.session
    statuses = candidate.statuses
    required = [s for a, s in zip(session.attendees, statuses, strict=True) if a.required]
    reason = "; ".join([*_describe(session, statuses, candidate.gaps, inputs.availability,
                                   inputs.policy.gap_minutes), note])
    return Option(
        option=rank,
        start=candidate.slot.start.astimezone(zone),
        end=candidate.slot.end.astimezone(zone),
        working_day=candidate.working_day,
        free_names=_names(session, statuses, [Status.FREE]),
        tentative_names=_names(session, statuses, [Status.TENTATIVE]),
        busy_names=_names(session, statuses, [Status.BUSY, Status.OOF]),
        unknown_names=_names(session, statuses, [Status.UNKNOWN]),
        required_free=sum(1 for s in required if s is Status.FREE),
        required_busy=sum(1 for s in required if s.blocks),
        unknown=sum(1 for s in required if s is Status.UNKNOWN),
        required_tentative=sum(1 for s in required if s is Status.TENTATIVE),
        gap_names=tuple(a.name for a, g in zip(session.attendees, candidate.gaps, strict=True)
                        if g),
        score=candidate.score,
        reason=reason,
        outside=outside,
    )


def _alternatives(plan: _Plan, first: _Candidate, bookings: _Bookings,
                  count: int) -> list[tuple[_Candidate, str]]:
    """Options 2..: next best fitting slots, other days first (rule 5)."""
    taken = [first]
    picked: list[tuple[_Candidate, str]] = []
    usable = [c for c in plan.fitting if c is not first
              and not (c.slot.start < first.slot.end and first.slot.start < c.slot.end)
              and bookings.allows(plan.session, c.slot)]
    for other_days in (True, False):
        for candidate in usable:
            if len(picked) >= count:
                return picked
            if any(candidate is t for t in taken):
                continue
            days = {t.slot.day for t in taken}
            if other_days and candidate.slot.day in days:
                continue
            if any(candidate.slot.start < t.slot.end and t.slot.start < candidate.slot.end
                   for t in taken):
                continue
            note = ("next best on another day" if candidate.slot.day not in days
                    else "next best on the same day")
            taken.append(candidate)
            picked.append((candidate, note))
    return picked


def _blockers(plan: _Plan, bookings: _Bookings) -> list[tuple[str, int, str]]:
    """Attendees making window slots unusable: name, slots, and a phrase saying why.

    A required attendee blocks a slot by being busy or out-of-office; any
    attendee blocks it by being in another session of the batch then (or,
    for a facilitator, by having the day's most sessions already). Most
    slots first.
    """
    rid = plan.session.request_id
    busy = {a.email: 0 for a in plan.session.attendees}
    booked = dict(busy)
    either = dict(busy)
    for candidate in plan.slots_in_window:
        for attendee, status in zip(plan.session.attendees, candidate.statuses, strict=True):
            unavailable = attendee.required and status.blocks
            clash = bookings.clashes(attendee, candidate.slot, rid)
            busy[attendee.email] += unavailable
            booked[attendee.email] += clash
            either[attendee.email] += unavailable or clash
    ranked = sorted((a for a in plan.session.attendees if either[a.email]),
                    key=lambda a: (-either[a.email], a.name, a.email))
    out: list[tuple[str, int, str]] = []
    for attendee in ranked:
        if not booked[attendee.email]:
            why = "is busy"
        elif not busy[attendee.email]:
            why = "is in another session of this batch"
        else:
            why = "is busy or in another session of this batch"
        out.append((attendee.name, either[attendee.email], why))
    return out


def _search_after(plan: _Plan, table: _Table, scoring: Scoring, inputs: ProposalInputs,
                  bookings: _Bookings) -> _Candidate | None:
    """The fewest-unknown, then earliest, fitting slot in the working days after the window."""
    policy = inputs.policy
    after = _working_days_from(plan.session.confirmed_on, policy.window_last_day + 1,
                               policy.window_last_day + inputs.search_days, inputs.calendar)
    best: tuple[int, _Candidate] | None = None
    for k, day in after:
        for slot in table.slots(day):
            candidate, fits = _evaluate(plan.session, table, scoring, k, day, slot.index)
            if not fits or not bookings.allows(plan.session, slot):
                continue
            unknown = sum(1 for a, s in zip(plan.session.attendees, candidate.statuses,
                                            strict=True) if a.required and s is Status.UNKNOWN)
            if best is None or unknown < best[0]:
                best = (unknown, candidate)
            if unknown == 0:
                return candidate
    return None if best is None else best[1]


def _window_text(plan: _Plan) -> str:
    (k1, d1), (k2, d2) = plan.window[0], plan.window[-1]
    return f"working days {k1}–{k2}, {d1.isoformat()} to {d2.isoformat()}"


def _unplaced(plan: _Plan, table: _Table, scoring: Scoring, inputs: ProposalInputs,
              bookings: _Bookings, zone: ZoneInfo) -> RequestProposal:
    """The outcome for a request that nothing in its window fits (rule 6)."""
    blockers = _blockers(plan, bookings)
    total = len(plan.slots_in_window)
    if plan.fitting:
        head = ("every time in the window that suits the required attendees clashes with "
                "another session in this batch")
    else:
        head = "nothing fits the window"
    who = "; ".join(f"{name} {why} in {n} of {total} possible slots"
                    for name, n, why in blockers[:3])
    reason = f"{head} ({_window_text(plan)})" + (f": {who}" if who else "")
    later = _search_after(plan, table, scoring, inputs, bookings)
    options: tuple[Option, ...] = ()
    if later is None:
        reason += f"; no fitting time in the {inputs.search_days} working days after it"
    else:
        bookings.add(plan.session, later.slot)
        local = later.slot.start.astimezone(zone)
        reason += (f"; earliest fitting time after it: {local:%Y-%m-%d %H:%M} "
                   f"(working day {later.working_day})")
        unknown = sum(1 for a, st in zip(plan.session.attendees, later.statuses, strict=True)
                      if a.required and st is Status.UNKNOWN)
        note = ("earliest fitting time after the window" if unknown == 0 else
                "no later time has every required attendee's calendar; earliest with the "
                "fewest unknown")
        options = (_option(1, plan, later, note, inputs, zone, outside=True),)
    window = (plan.window[0][1], plan.window[-1][1])
    return RequestProposal(plan.session.request_id, window, options,
                           tuple((name, n) for name, n, _ in blockers), reason)


def _placed(plan: _Plan, first: _Candidate, bookings: _Bookings, count: int,
            inputs: ProposalInputs, zone: ZoneInfo) -> RequestProposal:
    options = [_option(1, plan, first, _rank_note(plan, first), inputs, zone)]
    for rank, (candidate, note) in enumerate(_alternatives(plan, first, bookings, count - 1),
                                             start=2):
        options.append(_option(rank, plan, candidate, note, inputs, zone))
    reason = (f"{_plural(len(options), 'option')} in the window ({_window_text(plan)})")
    window = (plan.window[0][1], plan.window[-1][1])
    return RequestProposal(plan.session.request_id, window, tuple(options), (), reason)


# --------------------------------------------------------------------------- entry points


def _normalised(availability: Mapping[str, Availability]) -> dict[str, Availability]:
    out: dict[str, Availability] = {}
    for key, value in availability.items():
        email = key.strip().casefold()
        out[email] = out[email].merged(value) if email in out else value
    return out


def propose(sessions: Sequence[SessionRequest], availability: Mapping[str, Availability],
            policy: Policy, calendar: WorkingCalendar, *, options: int | None = None,
            time_limit: float = 30.0, seed: int = 0, candidate_limit: int | None = None,
            search_days: int = 30, booked: Sequence[Booked] = (),
            **solver_params: Any) -> ScheduleResult:
    """Propose ranked session times for every session of a batch.

    Parameters
    ----------
    sessions
        The sessions to place together (request ids unique).
    availability
        Availability by e-mail (any case); a missing e-mail is unknown.
    policy
        Window, hours, grid, session length, time zone, gap, per-day
        facilitator limit and default number of options.
    calendar
        Working days (bank holidays and closure days excluded).
    options
        Options per request including option 1 (default
        ``policy.options_per_request``).
    time_limit
        CP-SAT time limit in seconds (default 30).
    seed
        CP-SAT random seed (default 0); with one worker the result is
        deterministic.
    candidate_limit
        Give CP-SAT only each session's best ``candidate_limit`` slots plus
        the best few of each day (default ``None``: every fitting slot).
        Results stay exact (pruned slots come back when needed), but
        measured on 50–100-session batches the unpruned model solves
        faster, hence the default. Options 2.. and the search after the
        window always use every fitting slot.
    search_days
        Working days searched after the window when nothing fits it
        (default 30).
    booked
        Sessions booked by earlier runs (default none): their attendees
        are busy then, and they count towards each facilitator's sessions
        that day, so nobody is double-booked across runs.
    **solver_params
        Raw CP-SAT parameters (e.g. ``log_search_progress=True``), set after
        the defaults ``num_workers=1``, ``random_seed=seed``,
        ``linearization_level=2``; more than one worker may break
        determinism.

    Returns
    -------
    ScheduleResult
        Status, one :class:`RequestProposal` per request, objective, runtime.

    Raises
    ------
    InputError
        Duplicate request ids or a bad argument.
    SolverError
        CP-SAT rejected the model (a bug).
    """
    began = clock.perf_counter()
    count = policy.options_per_request if options is None else options
    if count < 1:
        raise InputError("options must be at least 1")
    if time_limit <= 0:
        raise InputError("time_limit must be positive")
    if search_days < 0:
        raise InputError("search_days must be 0 or more")
    if candidate_limit is not None and candidate_limit < 1:
        raise InputError("candidate_limit must be at least 1")
    ids = [s.request_id for s in sessions]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"request {duplicate} appears twice in the batch")

    known = _with_booked(_normalised(availability), booked)
    inputs = ProposalInputs(tuple(sessions), known, policy, calendar, search_days,
                            tuple(booked))
    taken = booked_per_day(booked, ZoneInfo(policy.timezone))
    scoring = Scoring.for_batch(sessions, policy, search_days)
    table = _Table(known, policy)
    zone = table.zone
    plans = [_plan(s, policy, calendar, table, scoring) for s in sessions]

    chosen, status = _solve(plans, policy, candidate_limit, time_limit, seed, solver_params,
                            taken)

    bookings = _Bookings(policy.max_sessions_per_facilitator_per_day, taken)
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is not None:
            bookings.add(plan.session, pick.slot)
    # Times after the window are booked first, so that options 2.. keep clear of them too.
    outcomes: dict[str, RequestProposal] = {}
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is None:
            outcomes[plan.session.request_id] = _unplaced(plan, table, scoring, inputs,
                                                          bookings, zone)
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is not None:
            outcomes[plan.session.request_id] = _placed(plan, pick, bookings, count, inputs,
                                                        zone)
    proposals = {rid: outcomes[rid] for rid in ids}
    objective = sum(c.score for c in chosen if c is not None)
    runtime = clock.perf_counter() - began
    logger.info("proposed times for %d sessions (%s) in %.2f s", len(plans), status.value,
                runtime)
    return ScheduleResult(status, proposals, objective, runtime, inputs)


def has_free_slot(email: str, availability: Mapping[str, Availability], start_day: date,
                  end_day: date, policy: Policy, calendar: WorkingCalendar) -> bool | None:
    """Whether ``email`` has a session-length slot neither blocked nor unknown.

    Looks at the policy's start grid on the working days from ``start_day``
    to ``end_day`` (inclusive). Free or tentative counts as available.

    Returns
    -------
    bool or None
        ``True`` when such a slot exists; ``False`` when every slot is busy
        or out-of-office (or there is no slot); ``None`` when no slot is
        available but some are unknown.
    """
    key = email.strip().casefold()
    av = availability.get(key)
    if av is None:
        av = next((v for k, v in availability.items() if k.strip().casefold() == key), None)
    table = _Table({key: av} if av is not None else {}, policy)
    unknown = False
    for day in calendar.working_days(start_day, end_day):
        for status, _ in table.states(key, day):
            if status in (Status.FREE, Status.TENTATIVE):
                return True
            unknown = unknown or status is Status.UNKNOWN
    return None if unknown else False


# --------------------------------------------------------------------------- self-check


def _overlaps(a: Option, b: Option) -> bool:
    return a.start < b.end and b.start < a.end


def _check(result: ScheduleResult, inputs: ProposalInputs) -> list[str]:
    policy, calendar = inputs.policy, inputs.calendar
    zone = ZoneInfo(policy.timezone)
    scoring = Scoring.for_batch(inputs.sessions, policy, inputs.search_days)
    gap = timedelta(minutes=policy.gap_minutes)
    problems: list[str] = []
    firsts: list[tuple[SessionRequest, Option]] = []
    for session in inputs.sessions:
        rid = session.request_id
        proposal = result.proposals.get(rid)
        if proposal is None:
            problems.append(f"{rid}: no proposal")
            continue
        window = window_days(session.confirmed_on, policy, calendar)
        if proposal.window != (window[0][1], window[-1][1]):
            problems.append(f"{rid}: window {proposal.window} should be "
                            f"{(window[0][1], window[-1][1])}")
        for position, option in enumerate(proposal.options, start=1):
            label = f"{rid} option {option.option}"
            if option.option != position:
                problems.append(f"{label}: numbered out of order")
            problems.extend(_check_option(label, session, option, inputs, scoring, zone, gap))
            problems.extend(f"{label}: overlaps option {other.option}"
                            for other in proposal.options[:position - 1]
                            if _overlaps(option, other))
            if option.outside and position > 1:
                problems.append(f"{label}: outside option alongside others")
        if proposal.options:
            firsts.append((session, proposal.options[0]))
    problems.extend(_check_batch(result, inputs, firsts))
    return problems


def _check_option(label: str, session: SessionRequest, option: Option, inputs: ProposalInputs,
                  scoring: Scoring, zone: ZoneInfo, gap: timedelta) -> list[str]:
    policy, calendar = inputs.policy, inputs.calendar
    problems: list[str] = []
    local_start, local_end = option.start.astimezone(zone), option.end.astimezone(zone)
    day = local_start.date()
    if option.end - option.start != timedelta(minutes=policy.session_minutes):
        problems.append(f"{label}: does not last {policy.session_minutes} minutes")
    opening = datetime.combine(day, policy.day_start)
    offset = local_start.replace(tzinfo=None) - opening
    if offset < timedelta(0) or offset % timedelta(minutes=policy.start_grid_minutes):
        problems.append(f"{label}: start {local_start:%H:%M} is off the start grid")
    if local_end.date() != day or local_end.time() > policy.day_end:
        problems.append(f"{label}: ends after {policy.day_end:%H:%M}")
    if not calendar.is_working_day(day):
        problems.append(f"{label}: {day.isoformat()} is not a working day")
    k = _working_day_index(session.confirmed_on, day, calendar)
    if k != option.working_day:
        problems.append(f"{label}: working day {option.working_day} should be {k}")
    inside = policy.window_first_day <= k <= policy.window_last_day
    if inside == option.outside:
        problems.append(f"{label}: working day {k} is {'in' if inside else 'outside'} the window "
                        f"but marked outside={option.outside}")
    statuses: list[Status] = []
    gaps: list[bool] = []
    for attendee in session.attendees:
        av = inputs.availability.get(attendee.email)
        status = Status.UNKNOWN if av is None else av.status(option.start, option.end)
        statuses.append(status)
        if attendee.required and status.blocks:
            problems.append(f"{label}: required attendee {attendee.name} is {status.value}")
        near = [] if av is None or not gap else av.overlapping(option.start - gap,
                                                                option.end + gap)
        gaps.append(any(i.status in _GAP_STATUSES and (
            (i.start < option.start and i.end > option.start - gap)
            or (i.start < option.end + gap and i.end > option.end)) for i in near))
    required = [s for a, s in zip(session.attendees, statuses, strict=True) if a.required]
    expected = (
        _names(session, statuses, [Status.FREE]),
        _names(session, statuses, [Status.TENTATIVE]),
        _names(session, statuses, [Status.BUSY, Status.OOF]),
        _names(session, statuses, [Status.UNKNOWN]),
        sum(1 for s in required if s is Status.FREE),
        sum(1 for s in required if s.blocks),
        sum(1 for s in required if s is Status.UNKNOWN),
        sum(1 for s in required if s is Status.TENTATIVE),
        tuple(a.name for a, g in zip(session.attendees, gaps, strict=True) if g),
    )
    given = (option.free_names, option.tentative_names, option.busy_names, option.unknown_names,
             option.required_free, option.required_busy, option.unknown,
             option.required_tentative, option.gap_names)
    if given != expected:
        problems.append(f"{label}: attendee statuses differ from availability")
    optional_busy = sum(1 for a, s in zip(session.attendees, statuses, strict=True)
                        if not a.required and s.blocks)
    slot_index = int(offset / timedelta(minutes=policy.start_grid_minutes))
    score = scoring.score(expected[7], optional_busy, statuses.count(Status.UNKNOWN), k,
                          sum(gaps), slot_index)
    if score != option.score:
        problems.append(f"{label}: score {option.score} should be {score}")
    return problems


def _check_batch(result: ScheduleResult, inputs: ProposalInputs,
                 firsts: list[tuple[SessionRequest, Option]]) -> list[str]:
    problems: list[str] = []
    zone = ZoneInfo(inputs.policy.timezone)
    by_person: dict[str, list[tuple[str, Option]]] = {}
    per_day: dict[tuple[str, date], list[str]] = {}
    for session, option in firsts:
        for attendee in session.attendees:
            by_person.setdefault(attendee.email, []).append((session.request_id, option))
            if attendee.facilitator:
                day = option.start.astimezone(zone).date()
                per_day.setdefault((attendee.email, day), []).append(session.request_id)
    for email, booked in by_person.items():
        for i, (rid, option) in enumerate(booked):
            problems.extend(f"{email} is double-booked: {rid} and {other_rid}"
                            for other_rid, other in booked[i + 1:] if _overlaps(option, other))
    limit = inputs.policy.max_sessions_per_facilitator_per_day
    taken = booked_per_day(inputs.booked, zone)
    for (email, day), rids in per_day.items():
        earlier = taken.get((email, day), 0)
        if len(rids) + earlier > limit:
            also = f" and {earlier} booked earlier" if earlier else ""
            problems.append(f"{email} facilitates {len(rids) + earlier} sessions on "
                            f"{day.isoformat()} (limit {limit}): {', '.join(rids)}{also}")
    for session in inputs.sessions:
        proposal = result.proposals.get(session.request_id)
        if proposal is None:
            continue
        for option in proposal.options[1:]:
            for attendee in session.attendees:
                problems.extend(
                    f"{session.request_id} option {option.option}: {attendee.email} is in "
                    f"{rid} then" for rid, other in by_person.get(attendee.email, ())
                    if rid != session.request_id and _overlaps(option, other))
    objective = sum(o.score for _, o in firsts if not o.outside)
    if objective != result.objective:
        problems.append(f"objective {result.objective} should be {objective}")
    return problems
