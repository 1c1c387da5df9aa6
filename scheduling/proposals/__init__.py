"""Ranked session-time proposals for a batch of JAGS sessions.

One entry point, :func:`propose`, takes the sessions confirmed in a run,
every attendee's :class:`~scheduling.availability.Availability`, the
:class:`~allocator.policy.Policy` and a
:class:`~allocator.workdays.WorkingCalendar`, and returns a
:class:`ScheduleResult` with up to ``options`` ranked times per request.

Modules, by concern: :mod:`~scheduling.proposals.sessions` (inputs),
:mod:`~scheduling.proposals.slots` (window and per-slot statuses),
:mod:`~scheduling.proposals.scoring`, :mod:`~scheduling.proposals.candidates`,
:mod:`~scheduling.proposals.model` (CP-SAT, one function per hard rule),
:mod:`~scheduling.proposals.solve`, :mod:`~scheduling.proposals.options`
(options and reasons), :mod:`~scheduling.proposals.result`,
:mod:`~scheduling.proposals.check` (the self-check) and
:mod:`~scheduling.proposals.engine` (the entry points).

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
3. **Score** (:class:`~scheduling.proposals.scoring.Scoring`): one integer, lower is
   better, that ranks a request's slots lexicographically by

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
4. **Batch** (CP-SAT, :mod:`~scheduling.proposals.model` and
   :mod:`~scheduling.proposals.solve`): one Boolean per candidate slot per
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

import importlib
from typing import TYPE_CHECKING, Any

from scheduling.proposals.result import (
    Option,
    ProposalInputs,
    RequestProposal,
    ScheduleResult,
    SolveStatus,
)
from scheduling.proposals.scoring import Scoring
from scheduling.proposals.sessions import Attendee, Booked, SessionRequest
from scheduling.proposals.slots import day_slots, window_days

if TYPE_CHECKING:
    from scheduling.proposals.engine import AfterWindow, has_free_slot, propose


def __getattr__(name: str) -> Any:
    """The entry points load on first use (they bring CP-SAT)."""
    if name in ("AfterWindow", "has_free_slot", "propose"):
        return getattr(importlib.import_module("scheduling.proposals.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AfterWindow",
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
