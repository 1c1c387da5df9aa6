"""Options and reasons (rules 5 and 6): what each request is offered, and why.

Option 1 is the batch's choice; options 2.. are the request's next best
slots that do not overlap option 1 or each other and do not clash with the
other sessions' option 1, on other days first. When nothing fits the
window, the request says who blocks the most slots and offers the best
fitting time after it, marked ``outside``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduling.availability import Status
from scheduling.proposals.candidates import evaluate
from scheduling.proposals.result import Option, RequestProposal
from scheduling.proposals.slots import working_days_from

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from zoneinfo import ZoneInfo

    from scheduling.availability import Availability
    from scheduling.proposals.candidates import Bookings, Candidate, Plan
    from scheduling.proposals.result import ProposalInputs
    from scheduling.proposals.scoring import Scoring
    from scheduling.proposals.sessions import SessionRequest
    from scheduling.proposals.slots import SlotTable

__all__ = ["attendee_names", "placed", "plural", "unplaced"]


def attendee_names(
    session: SessionRequest, statuses: Sequence[Status], wanted: Iterable[Status]
) -> tuple[str, ...]:
    wanted = set(wanted)
    return tuple(a.name for a, s in zip(session.attendees, statuses, strict=True) if s in wanted)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _describe(
    session: SessionRequest,
    statuses: Sequence[Status],
    gaps: Sequence[bool],
    availability: Mapping[str, Availability],
    gap_minutes: int,
) -> list[str]:
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
        parts.append(f"{free} of {plural(len(required), 'required attendee')} free")
    tentative = [a.name for a, s in required if s is Status.TENTATIVE]
    if tentative:
        parts.append(f"{len(tentative)} tentative: {', '.join(tentative)}")
    optional = [
        a.name
        for a, s in zip(session.attendees, statuses, strict=True)
        if not a.required and s.blocks
    ]
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
        parts.append(
            f"{len(not_covered)} unknown (calendar does not reach this time): "
            f"{', '.join(not_covered)}"
        )
    tight = [a.name for a, g in zip(session.attendees, gaps, strict=True) if g]
    if tight:
        parts.append(f"less than {gap_minutes} minutes from another meeting: {', '.join(tight)}")
    return parts


_CRITERIA = (
    "more tentative required attendees",
    "more optional attendees busy",
    "more unknown attendees",
    "",
    "less room around other meetings",
)


def _rank_note(plan: Plan, chosen: Candidate) -> str:
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


def make_option(
    rank: int,
    plan: Plan,
    candidate: Candidate,
    note: str,
    inputs: ProposalInputs,
    zone: ZoneInfo,
    *,
    outside: bool = False,
) -> Option:
    session = plan.session
    statuses = candidate.statuses
    required = [s for a, s in zip(session.attendees, statuses, strict=True) if a.required]
    reason = "; ".join(
        [
            *_describe(
                session, statuses, candidate.gaps, inputs.availability, inputs.policy.gap_minutes
            ),
            note,
        ]
    )
    return Option(
        option=rank,
        start=candidate.slot.start.astimezone(zone),
        end=candidate.slot.end.astimezone(zone),
        working_day=candidate.working_day,
        free_names=attendee_names(session, statuses, [Status.FREE]),
        tentative_names=attendee_names(session, statuses, [Status.TENTATIVE]),
        busy_names=attendee_names(session, statuses, [Status.BUSY, Status.OOF]),
        unknown_names=attendee_names(session, statuses, [Status.UNKNOWN]),
        required_free=sum(1 for s in required if s is Status.FREE),
        required_busy=sum(1 for s in required if s.blocks),
        unknown=sum(1 for s in required if s is Status.UNKNOWN),
        required_tentative=sum(1 for s in required if s is Status.TENTATIVE),
        gap_names=tuple(
            a.name for a, g in zip(session.attendees, candidate.gaps, strict=True) if g
        ),
        score=candidate.score,
        reason=reason,
        outside=outside,
    )


def _alternatives(
    plan: Plan, first: Candidate, bookings: Bookings, count: int
) -> list[tuple[Candidate, str]]:
    """Options 2..: next best fitting slots, other days first (rule 5)."""
    taken = [first]
    picked: list[tuple[Candidate, str]] = []
    usable = [
        c
        for c in plan.fitting
        if c is not first
        and not (c.slot.start < first.slot.end and first.slot.start < c.slot.end)
        and bookings.allows(plan.session, c.slot)
    ]
    for other_days in (True, False):
        for candidate in usable:
            if len(picked) >= count:
                return picked
            if any(candidate is t for t in taken):
                continue
            days = {t.slot.day for t in taken}
            if other_days and candidate.slot.day in days:
                continue
            if any(
                candidate.slot.start < t.slot.end and t.slot.start < candidate.slot.end
                for t in taken
            ):
                continue
            note = (
                "next best on another day"
                if candidate.slot.day not in days
                else "next best on the same day"
            )
            taken.append(candidate)
            picked.append((candidate, note))
    return picked


def _blockers(plan: Plan, bookings: Bookings) -> list[tuple[str, int, str]]:
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
    ranked = sorted(
        (a for a in plan.session.attendees if either[a.email]),
        key=lambda a: (-either[a.email], a.name, a.email),
    )
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


def _search_after(
    plan: Plan, table: SlotTable, scoring: Scoring, inputs: ProposalInputs, bookings: Bookings
) -> Candidate | None:
    """The fewest-unknown, then earliest, fitting slot in the working days after the window."""
    policy = inputs.policy
    after = working_days_from(
        plan.session.confirmed_on,
        policy.window_last_day + 1,
        policy.window_last_day + inputs.search_days,
        inputs.calendar,
    )
    best: tuple[int, Candidate] | None = None
    for k, day in after:
        for slot in table.slots(day):
            candidate, fits = evaluate(plan.session, table, scoring, k, day, slot.index)
            if not fits or not bookings.allows(plan.session, slot):
                continue
            unknown = sum(
                1
                for a, s in zip(plan.session.attendees, candidate.statuses, strict=True)
                if a.required and s is Status.UNKNOWN
            )
            if best is None or unknown < best[0]:
                best = (unknown, candidate)
            if unknown == 0:
                return candidate
    return None if best is None else best[1]


def _window_text(plan: Plan) -> str:
    (k1, d1), (k2, d2) = plan.window[0], plan.window[-1]
    return f"working days {k1}–{k2}, {d1.isoformat()} to {d2.isoformat()}"


def unplaced(
    plan: Plan,
    table: SlotTable,
    scoring: Scoring,
    inputs: ProposalInputs,
    bookings: Bookings,
    zone: ZoneInfo,
) -> RequestProposal:
    """The outcome for a request that nothing in its window fits (rule 6)."""
    blockers = _blockers(plan, bookings)
    total = len(plan.slots_in_window)
    if plan.fitting:
        head = (
            "every time in the window that suits the required attendees clashes with "
            "another session in this batch"
        )
    else:
        head = "nothing fits the window"
    who = "; ".join(
        f"{name} {why} in {n} of {total} possible slots" for name, n, why in blockers[:3]
    )
    reason = f"{head} ({_window_text(plan)})" + (f": {who}" if who else "")
    later = _search_after(plan, table, scoring, inputs, bookings)
    options: tuple[Option, ...] = ()
    if later is None:
        reason += f"; no fitting time in the {inputs.search_days} working days after it"
    else:
        bookings.add(plan.session, later.slot)
        local = later.slot.start.astimezone(zone)
        reason += (
            f"; earliest fitting time after it: {local:%Y-%m-%d %H:%M} "
            f"(working day {later.working_day})"
        )
        unknown = sum(
            1
            for a, st in zip(plan.session.attendees, later.statuses, strict=True)
            if a.required and st is Status.UNKNOWN
        )
        note = (
            "earliest fitting time after the window"
            if unknown == 0
            else "no later time has every required attendee's calendar; earliest with the "
            "fewest unknown"
        )
        options = (make_option(1, plan, later, note, inputs, zone, outside=True),)
    window = (plan.window[0][1], plan.window[-1][1])
    return RequestProposal(
        plan.session.request_id,
        window,
        options,
        tuple((name, n) for name, n, _ in blockers),
        reason,
    )


def placed(
    plan: Plan,
    first: Candidate,
    bookings: Bookings,
    count: int,
    inputs: ProposalInputs,
    zone: ZoneInfo,
) -> RequestProposal:
    options = [make_option(1, plan, first, _rank_note(plan, first), inputs, zone)]
    for rank, (candidate, note) in enumerate(
        _alternatives(plan, first, bookings, count - 1), start=2
    ):
        options.append(make_option(rank, plan, candidate, note, inputs, zone))
    reason = f"{plural(len(options), 'option')} in the window ({_window_text(plan)})"
    window = (plan.window[0][1], plan.window[-1][1])
    return RequestProposal(plan.session.request_id, window, tuple(options), (), reason)
