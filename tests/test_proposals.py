"""Tests for scheduling.proposals: one tiny model per rule, exact answers."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from allocator.errors import InputError, SolverError
from allocator.policy import Policy
from allocator.workdays import WorkingCalendar
from scheduling.availability import Availability, Interval, Status
from scheduling.proposals import (
    Attendee,
    Booked,
    Option,
    ScheduleResult,
    Scoring,
    SessionRequest,
    SolveStatus,
    day_slots,
    has_free_slot,
    propose,
    window_days,
)

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()
POLICY = Policy()
COVER = ((datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)),)
# Confirmed on Thu 5 Nov 2026: window = working days 10–15 = Thu 19 Nov .. Thu 26 Nov.
CONFIRMED = date(2026, 11, 5)
D10, D11, D12 = date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23)
SLOTS_PER_DAY = 27  # 09:00 .. 15:30 every 15 minutes


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def person(email: str, *spans: tuple[datetime, datetime, Status],
           coverage: tuple[tuple[datetime, datetime], ...] = COVER) -> Availability:
    return Availability(email, coverage=coverage,
                        intervals=tuple(Interval(a, b, s) for a, b, s in spans))


def whole_day(day: date, status: Status = Status.BUSY) -> tuple[datetime, datetime, Status]:
    return (at(day, 0), at(day, 23, 59), status)


def session(rid: str, *attendees: Attendee, confirmed: date = CONFIRMED) -> SessionRequest:
    return SessionRequest(rid, confirmed, attendees)


FAC = Attendee("fac@x.org", "Fran Facilitator", facilitator=True)
REQ = Attendee("req@x.org", "Rita Requester")
KHAN = Attendee("khan@x.org", "Dr A Khan")


def free(*attendees: Attendee) -> dict[str, Availability]:
    return {a.email: person(a.email) for a in attendees}


def first(result: ScheduleResult, rid: str) -> Option:
    return result.proposals[rid].options[0]


# --------------------------------------------------------------------------- the window


def test_window_across_christmas_2026() -> None:
    days = window_days(date(2026, 12, 14), POLICY, CAL)
    assert days == ((10, date(2026, 12, 30)), (11, date(2026, 12, 31)), (12, date(2027, 1, 4)),
                    (13, date(2027, 1, 5)), (14, date(2027, 1, 6)), (15, date(2027, 1, 7)))
    result = propose([session("R-1", FAC, REQ, confirmed=date(2026, 12, 14))], free(FAC, REQ),
                     POLICY, CAL)
    proposal = result.proposals["R-1"]
    assert proposal.window == (date(2026, 12, 30), date(2027, 1, 7))
    assert [o.start.date() for o in proposal.options] == [date(2026, 12, 30),
                                                         date(2026, 12, 31), date(2027, 1, 4)]
    assert result.check() == []


def test_window_across_easter_2027() -> None:
    # Good Friday 26 Mar and Easter Monday 29 Mar 2027 are not working days.
    days = window_days(date(2027, 3, 12), POLICY, CAL)
    assert [d for _, d in days] == [date(2027, 3, 30), date(2027, 3, 31), date(2027, 4, 1),
                                    date(2027, 4, 2), date(2027, 4, 5), date(2027, 4, 6)]
    blocked = person(REQ.email, *(whole_day(d) for _, d in days[:-1]))
    result = propose([session("R-1", FAC, REQ, confirmed=date(2027, 3, 12))],
                     {**free(FAC), REQ.email: blocked}, POLICY, CAL)
    option = first(result, "R-1")
    assert (option.start, option.working_day) == (at(date(2027, 4, 6), 9), 15)


def test_clock_change_28_march_2027() -> None:
    # Confirmed Thu 11 Mar 2027: day 10 is Thu 25 Mar (GMT), day 11 is Tue 30 Mar (BST).
    days = window_days(date(2027, 3, 11), POLICY, CAL)
    assert days[:2] == ((10, date(2027, 3, 25)), (11, date(2027, 3, 30)))
    before, after = day_slots(date(2027, 3, 25), POLICY), day_slots(date(2027, 3, 30), POLICY)
    assert len(before) == len(after) == SLOTS_PER_DAY
    assert before[0][0].astimezone(UTC) == datetime(2027, 3, 25, 9, tzinfo=UTC)
    assert after[0][0].astimezone(UTC) == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert after[-1][1] == at(date(2027, 3, 30), 17)
    av = {**free(FAC), REQ.email: person(REQ.email, whole_day(date(2027, 3, 25)))}
    result = propose([session("R-1", FAC, REQ, confirmed=date(2027, 3, 11))], av, POLICY, CAL)
    option = first(result, "R-1")
    assert option.start.astimezone(UTC) == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert option.end - option.start == timedelta(minutes=90)
    assert option.start.tzinfo is not None and option.start.utcoffset() == timedelta(hours=1)


# --------------------------------------------------------------------------- hard and soft rules


def test_required_busy_blocks_and_optional_busy_does_not() -> None:
    policy = POLICY.replace(gap_minutes=0)
    opt = Attendee("opt@x.org", "Olu Optional", required=False)
    av = {**free(FAC), REQ.email: person(REQ.email, (at(D10, 9), at(D10, 12), Status.BUSY)),
          opt.email: person(opt.email, *(whole_day(d, Status.OOF)
                                         for _, d in window_days(CONFIRMED, POLICY, CAL)))}
    result = propose([session("R-1", FAC, REQ, opt)], av, policy, CAL)
    option = first(result, "R-1")
    assert option.start == at(D10, 12)
    assert option.busy_names == ("Olu Optional",)
    assert (option.required_free, option.required_busy, option.unknown) == (2, 0, 0)
    assert "1 optional busy: Olu Optional" in option.reason
    assert result.status is SolveStatus.OPTIMAL and result.check() == []


def test_tentative_ranked_after_free_even_if_later() -> None:
    av = {**free(FAC), REQ.email: person(REQ.email, whole_day(D10, Status.TENTATIVE))}
    result = propose([session("R-1", FAC, REQ)], av, POLICY, CAL)
    options = result.proposals["R-1"].options
    assert [(o.start, o.required_tentative) for o in options] == [
        (at(D11, 9), 0), (at(D12, 9), 0), (at(date(2026, 11, 24), 9), 0)]
    assert "earliest" not in options[0].reason
    assert "tentative" in options[0].reason


def test_tentative_reported_when_nothing_better() -> None:
    policy = POLICY.replace(window_last_day=10)  # one day
    av = {**free(FAC), REQ.email: person(REQ.email, whole_day(D10, Status.TENTATIVE))}
    option = first(propose([session("R-1", FAC, REQ)], av, policy, CAL), "R-1")
    assert option.tentative_names == ("Rita Requester",)
    assert (option.required_free, option.required_tentative) == (1, 1)
    assert "1 of 2 required attendees free; 1 tentative: Rita Requester" in option.reason


def test_unknown_ranked_after_known() -> None:
    # Rita's calendar starts on day 11: day 10 is unknown for her, never free.
    late = ((datetime.combine(D11, datetime.min.time(), tzinfo=UTC), COVER[0][1]),)
    av = {**free(FAC), REQ.email: person(REQ.email, coverage=late)}
    option = first(propose([session("R-1", FAC, REQ)], av, POLICY, CAL), "R-1")
    assert option.start == at(D11, 9)
    assert option.unknown == 0


def test_unknown_does_not_block_and_is_named() -> None:
    sam = Attendee("sam@x.org", "Sam Patel", required=False)
    result = propose([session("R-1", FAC, REQ, sam)], free(FAC, REQ), POLICY, CAL)
    option = first(result, "R-1")
    assert option.start == at(D10, 9)
    assert option.unknown_names == ("Sam Patel",)
    assert option.unknown == 0  # Sam is optional
    assert option.reason == ("all 2 required attendees free; 1 unknown (no calendar): Sam Patel; "
                             "earliest fitting slot")
    # A required attendee with no calendar is counted and named, never taken as free.
    result = propose([session("R-2", FAC, KHAN)], free(FAC), POLICY, CAL)
    option = first(result, "R-2")
    assert (option.required_free, option.unknown, option.unknown_names) == (1, 1, ("Dr A Khan",))


def test_earlier_is_better_and_options_on_other_days() -> None:
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    proposal = result.proposals["R-1"]
    assert proposal.window == (D10, date(2026, 11, 26))
    assert [(o.option, o.start, o.working_day) for o in proposal.options] == [
        (1, at(D10, 9), 10), (2, at(D11, 9), 11), (3, at(D12, 9), 12)]
    assert proposal.options[0].reason == "all 2 required attendees free; earliest fitting slot"
    assert proposal.options[1].reason.endswith("next best on another day")
    assert proposal.options[0].score == Scoring().score(0, 0, 0, 10, 0, 0) == 100000
    assert len(propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL,
                       options=5).proposals["R-1"].options) == 5


def test_gap_around_other_meetings() -> None:
    av = {**free(FAC), REQ.email: person(REQ.email, (at(D10, 9), at(D10, 10), Status.BUSY))}
    option = first(propose([session("R-1", FAC, REQ)], av, POLICY, CAL), "R-1")
    assert option.start == at(D10, 10, 15)  # 10:00 would leave no gap
    assert option.gap_names == ()
    no_gap = POLICY.replace(gap_minutes=0)
    option = first(propose([session("R-1", FAC, REQ)], av, no_gap, CAL), "R-1")
    assert option.start == at(D10, 10)


def test_gap_reported_when_unavoidable() -> None:
    one_day = POLICY.replace(window_last_day=10)
    av = {**free(FAC), REQ.email: person(REQ.email, (at(D10, 9), at(D10, 10), Status.BUSY),
                                         (at(D10, 11, 45), at(D10, 17), Status.BUSY))}
    result = propose([session("R-1", FAC, REQ)], av, one_day, CAL)
    options = result.proposals["R-1"].options
    assert [o.start for o in options] == [at(D10, 10)]  # 10:15 would overlap option 1
    assert options[0].gap_names == ("Rita Requester",)
    assert "less than 15 minutes from another meeting: Rita Requester" in options[0].reason
    assert options[0].score == Scoring().score(0, 0, 0, 10, 1, 4)
    assert result.check() == []


def test_score_digits() -> None:
    assert Scoring().score(1, 0, 2, 12, 1, 4) == 1_00_02_12_01_04
    assert Scoring.for_batch([session("R-1", FAC)], POLICY, 30) == Scoring(100, 100, 100)


# --------------------------------------------------------------------------- the batch


def test_shared_facilitator_one_session_per_day() -> None:
    other = Attendee("other@x.org", "Omar Other")
    sessions = [session("R-1", FAC, REQ), session("R-2", FAC, other)]
    result = propose(sessions, free(FAC, REQ, other), POLICY, CAL)
    assert sorted(first(result, r).start for r in ("R-1", "R-2")) == [at(D10, 9), at(D11, 9)]
    assert result.status is SolveStatus.OPTIMAL and result.check() == []
    # No alternative lands on a day the facilitator already facilitates.
    for rid in ("R-1", "R-2"):
        days = [o.start.date() for o in result.proposals[rid].options]
        assert days.count(D10) + days.count(D11) == 1


def test_shared_facilitator_never_overlaps() -> None:
    other = Attendee("other@x.org", "Omar Other")
    two_a_day = POLICY.replace(max_sessions_per_facilitator_per_day=2)
    sessions = [session("R-1", FAC, REQ), session("R-2", FAC, other)]
    result = propose(sessions, free(FAC, REQ, other), two_a_day, CAL)
    starts = sorted(first(result, r).start for r in ("R-1", "R-2"))
    assert starts == [at(D10, 9), at(D10, 10, 30)]
    assert result.objective == 100000 + 100006
    assert result.check() == []
    for option in result.proposals["R-2"].options[1:]:
        assert not any(o.start < option.end and option.start < o.end
                       for o in result.proposals["R-1"].options[:1])


def test_shared_participant_never_overlaps() -> None:
    fac2 = Attendee("fac2@x.org", "Fay Second", facilitator=True)
    result = propose([session("R-1", FAC, REQ), session("R-2", fac2, REQ)],
                     free(FAC, fac2, REQ), POLICY, CAL)
    a, b = (first(result, r) for r in ("R-1", "R-2"))
    assert (a.start, b.start) == (at(D10, 9), at(D10, 10, 30))
    assert result.check() == []


def test_batch_places_more_than_greedy() -> None:
    # R-2's requester only fits 09:00 on the one window day; R-1 must move away from it.
    one_day = POLICY.replace(window_last_day=10, max_sessions_per_facilitator_per_day=2)
    other = Attendee("other@x.org", "Omar Other")
    av = {**free(FAC, REQ), other.email: person(other.email, (at(D10, 10, 30), at(D10, 17),
                                                              Status.BUSY))}
    result = propose([session("R-1", FAC, REQ), session("R-2", FAC, other)], av, one_day, CAL)
    assert first(result, "R-2").start == at(D10, 9)
    assert first(result, "R-1").start == at(D10, 10, 30)
    assert "other sessions in this batch" in first(result, "R-1").reason
    assert result.unscheduled == () and result.check() == []


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_pruning_never_changes_the_optimum(limit: int) -> None:
    people = [Attendee(f"p{i}@x.org", f"P{i}") for i in range(4)]
    sessions = [session(f"R-{i}", FAC, people[i % 4], people[(i + 1) % 4]) for i in range(5)]
    av = free(FAC, *people)
    exact = propose(sessions, av, POLICY, CAL, candidate_limit=None)
    pruned = propose(sessions, av, POLICY, CAL, candidate_limit=limit)
    assert pruned.objective == exact.objective
    assert pruned.status is SolveStatus.OPTIMAL and pruned.check() == []


def test_pruned_slots_come_back_when_needed(caplog: pytest.LogCaptureFixture) -> None:
    # Five sessions of one facilitator on one day fit only at 09:00, 10:30, 12:00, 13:30, 15:00.
    policy = POLICY.replace(window_last_day=10, max_sessions_per_facilitator_per_day=5,
                            gap_minutes=0)
    people = [Attendee(f"p{i}@x.org", f"P{i}") for i in range(5)]
    sessions = [session(f"R-{i}", FAC, people[i]) for i in range(5)]
    with caplog.at_level("INFO", logger="scheduling"):
        result = propose(sessions, free(FAC, *people), policy, CAL, candidate_limit=1)
    assert "pruned away" in caplog.text
    assert sorted(first(result, s.request_id).start for s in sessions) == [
        at(D10, 9), at(D10, 10, 30), at(D10, 12), at(D10, 13, 30), at(D10, 15)]
    assert result.status is SolveStatus.OPTIMAL and result.check() == []
    assert result == propose(sessions, free(FAC, *people), policy, CAL, candidate_limit=1)


def test_same_input_same_output() -> None:
    people = [Attendee(f"p{i}@x.org", f"P{i}", required=i % 3 > 0) for i in range(6)]
    sessions = [session(f"R-{i}", FAC, *people[i:i + 3]) for i in range(4)]
    av = {p.email: person(p.email, (at(D10, 9 + i), at(D10, 10 + i), Status.TENTATIVE))
          for i, p in enumerate(people)}
    assert propose(sessions, av, POLICY, CAL) == propose(sessions, av, POLICY, CAL)


# --------------------------------------------------------------------------- nothing fits


def test_nothing_fits_names_blocker_and_searches_after_window() -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    av = {**free(FAC, REQ), KHAN.email: person(KHAN.email, *(whole_day(d) for d in window))}
    result = propose([session("R-1", FAC, REQ, KHAN)], av, POLICY, CAL)
    proposal = result.proposals["R-1"]
    total = len(window) * SLOTS_PER_DAY
    assert proposal.blockers == (("Dr A Khan", total),)
    assert f"Dr A Khan is busy in {total} of {total} possible slots" in proposal.reason
    assert not proposal.scheduled and result.unscheduled == ("R-1",)
    [option] = proposal.options
    assert option.outside and option.working_day == 16
    assert option.start == at(date(2026, 11, 27), 9)
    assert (option.required_busy, option.unknown) == (0, 0)
    assert result.objective == 0 and result.check() == []


def test_after_window_unknown_is_reported_not_free() -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    # Khan's calendar ends with the window.
    coverage = ((at(date(2026, 11, 1), 0), at(window[-1], 23, 59)),)
    av = {**free(FAC, REQ),
          KHAN.email: person(KHAN.email, *(whole_day(d) for d in window), coverage=coverage)}
    [option] = propose([session("R-1", FAC, REQ, KHAN)], av, POLICY, CAL).proposals["R-1"].options
    assert option.outside and option.working_day == 16
    assert (option.unknown, option.unknown_names) == (1, ("Dr A Khan",))
    assert "Dr A Khan" not in option.free_names
    assert "calendar does not reach this time" in option.reason


def test_after_window_prefers_known_times() -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    after = [d for _, d in window_days(CONFIRMED, POLICY.replace(window_first_day=16,
                                                                  window_last_day=18), CAL)]
    # Khan's calendar has a hole (unknown) on day 16, and is known-free again from day 17.
    coverage = ((at(date(2026, 11, 1), 0), at(window[-1], 23, 59)),
                (at(after[1], 0), at(date(2027, 6, 1), 0)))
    av = {**free(FAC, REQ),
          KHAN.email: person(KHAN.email, *(whole_day(d) for d in window), coverage=coverage)}
    [option] = propose([session("R-1", FAC, REQ, KHAN)], av, POLICY, CAL).proposals["R-1"].options
    assert (option.working_day, option.unknown) == (17, 0)


def test_batch_clash_pushes_a_session_after_the_window() -> None:
    one_day = POLICY.replace(window_last_day=10)
    other = Attendee("other@x.org", "Omar Other")
    result = propose([session("R-1", FAC, REQ), session("R-2", FAC, other)],
                     free(FAC, REQ, other), one_day, CAL)
    late = result.proposals["R-2"]
    assert late.reason.startswith("every time in the window that suits the required attendees "
                                  "clashes with another session in this batch")
    assert late.blockers == (("Fran Facilitator", SLOTS_PER_DAY),)
    assert "Fran Facilitator is in another session of this batch in 27 of 27" in late.reason
    assert [(o.start, o.working_day, o.outside) for o in late.options] == [(at(D11, 9), 11, True)]
    assert result.status is SolveStatus.OPTIMAL and result.check() == []


def test_nothing_anywhere() -> None:
    av = {**free(FAC), KHAN.email: person(KHAN.email, (at(D10, 0), at(date(2027, 3, 1), 0),
                                                       Status.OOF))}
    proposal = propose([session("R-1", FAC, KHAN)], av, POLICY, CAL,
                       search_days=5).proposals["R-1"]
    assert proposal.options == ()
    assert "no fitting time in the 5 working days after it" in proposal.reason


# --------------------------------------------------------------------------- checks and errors


def test_check_catches_a_bad_result() -> None:
    av = {**free(FAC), REQ.email: person(REQ.email, (at(D10, 9), at(D10, 12), Status.BUSY))}
    result = propose([session("R-1", FAC, REQ)], av, POLICY, CAL)
    proposal = result.proposals["R-1"]
    moved = dataclasses.replace(proposal.options[0], start=at(D10, 9), end=at(D10, 10, 30))
    bad = dataclasses.replace(result, proposals={
        "R-1": dataclasses.replace(proposal, options=(moved, *proposal.options[1:]))})
    problems = bad.check()
    assert any("required attendee Rita Requester is busy" in p for p in problems)
    assert any("score" in p for p in problems)


def test_input_errors() -> None:
    with pytest.raises(InputError, match="R-1 appears twice"):
        propose([session("R-1", FAC), session("R-1", REQ)], {}, POLICY, CAL)
    with pytest.raises(InputError, match="listed twice"):
        session("R-1", FAC, Attendee("FAC@x.org ", "Again"))
    with pytest.raises(InputError, match="options"):
        propose([session("R-1", FAC)], {}, POLICY, CAL, options=0)
    assert Attendee(" Ann@X.org ", "").email == "ann@x.org"


def test_empty_batch() -> None:
    result = propose([], {}, POLICY, CAL)
    assert (result.status, result.proposals, result.objective) == (SolveStatus.OPTIMAL, {}, 0)
    assert result.check() == []


def test_model_invalid_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def invalid(self: cp_model.CpSolver, model: cp_model.CpModel, *args: object) -> object:
        return cp_model.MODEL_INVALID

    monkeypatch.setattr(cp_model.CpSolver, "solve", invalid)
    # Two sessions of one facilitator on one day: the start-time stage must be solved.
    policy = POLICY.replace(window_last_day=10, max_sessions_per_facilitator_per_day=2)
    with pytest.raises(SolverError):
        propose([session("R-1", FAC, REQ), session("R-2", FAC)], free(FAC, REQ), policy, CAL)


def test_has_free_slot() -> None:
    week = (D10, date(2026, 11, 25))
    busy = {REQ.email: person(REQ.email, (at(D10, 0), at(date(2026, 11, 26), 0), Status.BUSY))}
    assert has_free_slot(FAC.email, free(FAC), *week, POLICY, CAL) is True
    assert has_free_slot("REQ@x.org", busy, *week, POLICY, CAL) is False
    assert has_free_slot("nobody@x.org", busy, *week, POLICY, CAL) is None
    assert has_free_slot("req@x.org", busy, date(2026, 11, 21), date(2026, 11, 22),
                         POLICY, CAL) is False  # a weekend: no slot at all


# --------------------------------------------------------------------------- properties


busy_spans = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 31), st.integers(1, 24),
                                st.sampled_from([Status.BUSY, Status.OOF, Status.TENTATIVE])),
                      max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spans=st.lists(busy_spans, min_size=3, max_size=3), shared=st.booleans(),
       limit=st.integers(1, 2))
def test_never_proposes_a_required_busy_time(spans: list[list[tuple[int, int, int, Status]]],
                                             shared: bool, limit: int) -> None:
    window = [d for _, d in window_days(CONFIRMED, POLICY, CAL)]
    people = [FAC, REQ, KHAN]
    av: dict[str, Availability] = {}
    blocked: dict[str, list[tuple[datetime, datetime]]] = {}
    for attendee, mine in zip(people, spans, strict=True):
        items = []
        for day, quarter, length, status in mine:
            start = at(window[day], 9) + timedelta(minutes=15 * quarter)
            items.append((start, start + timedelta(minutes=15 * length), status))
        av[attendee.email] = person(attendee.email, *items)
        blocked[attendee.email] = [(a, b) for a, b, s in items if s.blocks]
    fac2 = FAC if shared else Attendee("fac2@x.org", "Fay Second", facilitator=True)
    sessions = [session("R-1", FAC, REQ), session("R-2", fac2, KHAN),
                session("R-3", FAC, KHAN, Attendee(REQ.email, REQ.name, required=False))]
    policy = POLICY.replace(max_sessions_per_facilitator_per_day=limit)
    result = propose(sessions, av, policy, CAL, time_limit=10)
    assert result.check() == []
    for s in sessions:
        for option in result.proposals[s.request_id].options:
            for attendee in s.attendees:
                if attendee.required:
                    assert not any(a < option.end and option.start < b
                                   for a, b in blocked.get(attendee.email, []))


# --------------------------------------------------------------------------- scale


def test_fifty_sessions_with_a_year_of_meetings_are_solved_to_optimality() -> None:
    # Speed is measured by `make bench`; this checks the result at that scale.
    rng = random.Random(7)
    facilitators = [Attendee(f"f{i}@x.org", f"F{i}", facilitator=True) for i in range(10)]
    participants = [f"p{i}@x.org" for i in range(500)]
    av: dict[str, Availability] = {}
    for email in [f.email for f in facilitators] + participants:
        spans = []
        for _ in range(6):  # six weekly meetings, all year
            day = date(2026, 9, 7) + timedelta(days=rng.randrange(5))
            start_minute = rng.randrange(16) * 30
            length = rng.choice([30, 60, 90])
            status = rng.choice([Status.BUSY, Status.BUSY, Status.TENTATIVE])
            while day < date(2027, 9, 1):
                start = at(day, 9) + timedelta(minutes=start_minute)
                spans.append((start, start + timedelta(minutes=length), status))
                day += timedelta(days=7)
        av[email] = person(email, *spans)
    sessions = []
    for i in range(50):
        guests = [Attendee(e, e.split("@")[0], required=rng.random() < 0.8)
                  for e in rng.sample(participants, 9)]
        sessions.append(session(f"R-{i}", facilitators[i % 10], *guests,
                                confirmed=CONFIRMED + timedelta(days=i % 3)))
    result = propose(sessions, av, POLICY, CAL)
    assert result.status is SolveStatus.OPTIMAL
    assert result.check() == []
    assert all(p.options for p in result.proposals.values())


# --------------------------------------------------------------------------- across runs


def test_a_session_booked_by_an_earlier_run_is_busy_for_its_attendees() -> None:
    # An earlier run booked KHAN at 09:00 on day 10; today's session needs KHAN too.
    earlier = Booked("R-0", at(D10, 9), at(D10, 10, 30), (KHAN.email, "other@x.org"))
    result = propose([session("R-1", FAC, REQ, KHAN)], free(FAC, REQ, KHAN), POLICY, CAL,
                     booked=[earlier])
    option = first(result, "R-1")
    assert option.start >= at(D10, 10, 30)
    assert result.check() == []


def test_the_per_day_limit_counts_sessions_booked_by_earlier_runs() -> None:
    # FAC already facilitates one session on day 10 (limit 1 a day): day 11 it is.
    earlier = Booked("R-0", at(D10, 14), at(D10, 15, 30), (FAC.email,), (FAC.email,))
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL, booked=[earlier])
    assert first(result, "R-1").start.astimezone(LONDON).date() == D11
    assert result.check() == []
    # With a limit of two a day, day 10 morning is fine again.
    two = POLICY.replace(max_sessions_per_facilitator_per_day=2)
    again = propose([session("R-1", FAC, REQ)], free(FAC, REQ), two, CAL, booked=[earlier])
    assert first(again, "R-1").start == at(D10, 9)


def test_the_self_check_sees_a_limit_broken_with_a_booked_session() -> None:
    result = propose([session("R-1", FAC, REQ)], free(FAC, REQ), POLICY, CAL)
    assert result.inputs is not None
    placed = first(result, "R-1")
    clash_day = Booked("R-0", placed.start + timedelta(hours=3), placed.end + timedelta(hours=3),
                       (FAC.email,), (FAC.email,))
    forged = dataclasses.replace(result.inputs, booked=(clash_day,))
    assert any("facilitates 2 sessions" in p
               for p in dataclasses.replace(result, inputs=forged).check())


def test_a_booked_session_must_end_after_it_starts() -> None:
    with pytest.raises(InputError, match="ends before it starts"):
        Booked("R-0", at(D10, 10), at(D10, 9), ("a@x.org",))
