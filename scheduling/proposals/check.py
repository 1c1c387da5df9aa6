"""The self-check: a :class:`~scheduling.proposals.result.ScheduleResult` recomputed
from its inputs (see :meth:`ScheduleResult.check`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from scheduling.availability import Status
from scheduling.proposals.options import attendee_names
from scheduling.proposals.scoring import Scoring
from scheduling.proposals.sessions import booked_per_day
from scheduling.proposals.slots import GAP_STATUSES, window_days, working_day_index

if TYPE_CHECKING:
    from scheduling.proposals.result import Option, ProposalInputs, ScheduleResult
    from scheduling.proposals.sessions import SessionRequest

__all__ = ["check_result"]


def _overlaps(a: Option, b: Option) -> bool:
    return a.start < b.end and b.start < a.end


def check_result(result: ScheduleResult, inputs: ProposalInputs) -> list[str]:
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
            problems.append(
                f"{rid}: window {proposal.window} should be {(window[0][1], window[-1][1])}"
            )
        for position, option in enumerate(proposal.options, start=1):
            label = f"{rid} option {option.option}"
            if option.option != position:
                problems.append(f"{label}: numbered out of order")
            problems.extend(_check_option(label, session, option, inputs, scoring, zone, gap))
            problems.extend(
                f"{label}: overlaps option {other.option}"
                for other in proposal.options[: position - 1]
                if _overlaps(option, other)
            )
            if option.outside and position > 1:
                problems.append(f"{label}: outside option alongside others")
        if proposal.options:
            firsts.append((session, proposal.options[0]))
    problems.extend(_check_batch(result, inputs, firsts))
    return problems


def _check_option(
    label: str,
    session: SessionRequest,
    option: Option,
    inputs: ProposalInputs,
    scoring: Scoring,
    zone: ZoneInfo,
    gap: timedelta,
) -> list[str]:
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
    k = working_day_index(session.confirmed_on, day, calendar)
    if k != option.working_day:
        problems.append(f"{label}: working day {option.working_day} should be {k}")
    inside = policy.window_first_day <= k <= policy.window_last_day
    if inside == option.outside:
        problems.append(
            f"{label}: working day {k} is {'in' if inside else 'outside'} the window "
            f"but marked outside={option.outside}"
        )
    statuses: list[Status] = []
    gaps: list[bool] = []
    for attendee in session.attendees:
        av = inputs.availability.get(attendee.email)
        status = Status.UNKNOWN if av is None else av.status(option.start, option.end)
        statuses.append(status)
        if attendee.required and status.blocks:
            problems.append(f"{label}: required attendee {attendee.name} is {status.value}")
        near = [] if av is None or not gap else av.overlapping(option.start - gap, option.end + gap)
        gaps.append(
            any(
                i.status in GAP_STATUSES
                and (
                    (i.start < option.start and i.end > option.start - gap)
                    or (i.start < option.end + gap and i.end > option.end)
                )
                for i in near
            )
        )
    required = [s for a, s in zip(session.attendees, statuses, strict=True) if a.required]
    expected = (
        attendee_names(session, statuses, [Status.FREE]),
        attendee_names(session, statuses, [Status.TENTATIVE]),
        attendee_names(session, statuses, [Status.BUSY, Status.OOF]),
        attendee_names(session, statuses, [Status.UNKNOWN]),
        sum(1 for s in required if s is Status.FREE),
        sum(1 for s in required if s.blocks),
        sum(1 for s in required if s is Status.UNKNOWN),
        sum(1 for s in required if s is Status.TENTATIVE),
        tuple(a.name for a, g in zip(session.attendees, gaps, strict=True) if g),
    )
    given = (
        option.free_names,
        option.tentative_names,
        option.busy_names,
        option.unknown_names,
        option.required_free,
        option.required_busy,
        option.unknown,
        option.required_tentative,
        option.gap_names,
    )
    if given != expected:
        problems.append(f"{label}: attendee statuses differ from availability")
    optional_busy = sum(
        1 for a, s in zip(session.attendees, statuses, strict=True) if not a.required and s.blocks
    )
    slot_index = int(offset / timedelta(minutes=policy.start_grid_minutes))
    score = scoring.score(
        expected[7], optional_busy, statuses.count(Status.UNKNOWN), k, sum(gaps), slot_index
    )
    if score != option.score:
        problems.append(f"{label}: score {option.score} should be {score}")
    return problems


def _check_batch(
    result: ScheduleResult, inputs: ProposalInputs, firsts: list[tuple[SessionRequest, Option]]
) -> list[str]:
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
            problems.extend(
                f"{email} is double-booked: {rid} and {other_rid}"
                for other_rid, other in booked[i + 1 :]
                if _overlaps(option, other)
            )
    limit = inputs.policy.max_sessions_per_facilitator_per_day
    taken = booked_per_day(inputs.booked, zone)
    for (email, day), rids in per_day.items():
        earlier = taken.get((email, day), 0)
        if len(rids) + earlier > limit:
            also = f" and {earlier} booked earlier" if earlier else ""
            problems.append(
                f"{email} facilitates {len(rids) + earlier} sessions on "
                f"{day.isoformat()} (limit {limit}): {', '.join(rids)}{also}"
            )
    for session in inputs.sessions:
        proposal = result.proposals.get(session.request_id)
        if proposal is None:
            continue
        for option in proposal.options[1:]:
            for attendee in session.attendees:
                problems.extend(
                    f"{session.request_id} option {option.option}: {attendee.email} is in "
                    f"{rid} then"
                    for rid, other in by_person.get(attendee.email, ())
                    if rid != session.request_id and _overlaps(option, other)
                )
    objective = sum(o.score for _, o in firsts if not o.outside)
    if objective != result.objective:
        problems.append(f"objective {result.objective} should be {objective}")
    return problems
