"""The entry points: :func:`propose` for a batch, :func:`has_free_slot` for one person."""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from allocator.errors import InputError
from scheduling.availability import Status
from scheduling.proposals.candidates import Bookings, make_plan
from scheduling.proposals.options import placed, unplaced
from scheduling.proposals.result import ProposalInputs, ScheduleResult
from scheduling.proposals.scoring import Scoring
from scheduling.proposals.sessions import booked_per_day, with_booked
from scheduling.proposals.slots import SlotTable
from scheduling.proposals.solve import solve_batch

if TYPE_CHECKING:
    from datetime import date

    from allocator.policy import Policy
    from allocator.workdays import WorkingCalendar
    from scheduling.availability import Availability
    from scheduling.proposals.result import RequestProposal
    from scheduling.proposals.sessions import Booked, SessionRequest

__all__ = ["AfterWindow", "has_free_slot", "propose"]

AfterWindow = Callable[[Sequence["SessionRequest"]], Mapping[str, "Availability"]]
"""Gives more availability for the sessions that do not fit their window (see :func:`propose`)."""

logger = logging.getLogger("scheduling")


def _normalised(availability: Mapping[str, Availability]) -> dict[str, Availability]:
    out: dict[str, Availability] = {}
    for key, value in availability.items():
        email = key.strip().casefold()
        out[email] = out[email].merged(value) if email in out else value
    return out


def propose(
    sessions: Sequence[SessionRequest],
    availability: Mapping[str, Availability],
    policy: Policy,
    calendar: WorkingCalendar,
    *,
    options: int | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    candidate_limit: int | None = None,
    search_days: int = 30,
    booked: Sequence[Booked] = (),
    after_window: AfterWindow | None = None,
    **solver_params: Any,
) -> ScheduleResult:
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
    after_window
        Called, once the batch is placed, with the sessions nothing in their
        window fits (only when there are some and ``search_days`` > 0); it
        returns more of their attendees' availability, reaching
        ``search_days`` working days past those windows, which is added to
        ``availability`` before the search after the window. Default
        ``None``: ``availability`` already reaches that far. The window's
        placement never depends on it, so a caller may read calendars for
        the windows alone first and the rest only when needed.
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

    given = _normalised(availability)
    known = with_booked(given, booked)
    inputs = ProposalInputs(tuple(sessions), known, policy, calendar, search_days, tuple(booked))
    taken = booked_per_day(booked, ZoneInfo(policy.timezone))
    scoring = Scoring.for_batch(sessions, policy, search_days)
    table = SlotTable(known, policy)
    zone = table.zone
    plans = [make_plan(s, policy, calendar, table, scoring) for s in sessions]

    chosen, status = solve_batch(
        plans, policy, candidate_limit, time_limit, seed, solver_params, taken
    )

    waiting = [plan.session for plan, pick in zip(plans, chosen, strict=True) if pick is None]
    if waiting and after_window is not None and search_days > 0:
        for email, more in _normalised(after_window(waiting)).items():
            given[email] = given[email].merged(more) if email in given else more
        known = with_booked(given, booked)
        inputs = replace(inputs, availability=known)
        table = SlotTable(known, policy)

    bookings = Bookings(policy.max_sessions_per_facilitator_per_day, taken)
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is not None:
            bookings.add(plan.session, pick.slot)
    # Times after the window are booked first, so that options 2.. keep clear of them too.
    outcomes: dict[str, RequestProposal] = {}
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is None:
            outcomes[plan.session.request_id] = unplaced(
                plan, table, scoring, inputs, bookings, zone
            )
    for plan, pick in zip(plans, chosen, strict=True):
        if pick is not None:
            outcomes[plan.session.request_id] = placed(plan, pick, bookings, count, inputs, zone)
    proposals = {rid: outcomes[rid] for rid in ids}
    objective = sum(c.score for c in chosen if c is not None)
    runtime = clock.perf_counter() - began
    logger.info("proposed times for %d sessions (%s) in %.2f s", len(plans), status.value, runtime)
    return ScheduleResult(status, proposals, objective, runtime, inputs)


def has_free_slot(
    email: str,
    availability: Mapping[str, Availability],
    start_day: date,
    end_day: date,
    policy: Policy,
    calendar: WorkingCalendar,
) -> bool | None:
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
    table = SlotTable({key: av} if av is not None else {}, policy)
    unknown = False
    for day in calendar.working_days(start_day, end_day):
        for status, _ in table.states(key, day):
            if status in (Status.FREE, Status.TENTATIVE):
                return True
            unknown = unknown or status is Status.UNKNOWN
    return None if unknown else False
