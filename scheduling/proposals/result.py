"""What :func:`~scheduling.proposals.propose` returns: options, proposals and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date, datetime

    from allocator.policy import Policy
    from allocator.workdays import WorkingCalendar
    from scheduling.availability import Availability
    from scheduling.proposals.sessions import Booked, SessionRequest

__all__ = ["Option", "ProposalInputs", "RequestProposal", "ScheduleResult", "SolveStatus"]


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
        Aware datetimes in the policy's time zone (``policy.timezone``).
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
        from scheduling.proposals.check import check_result  # check needs this module

        if self.inputs is None:
            return ["result carries no inputs to check against"]
        return check_result(self, self.inputs)
