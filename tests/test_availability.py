"""The availability model every calendar source returns (scheduling.availability)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.availability import Availability, Interval, Status, merge_all, utc, worst

LONDON = ZoneInfo("Europe/London")
DAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
COVER = ((DAY, DAY + timedelta(days=5)),)


def at(hour: float, day: int = 0) -> datetime:
    """``hour`` o'clock (fractions allowed) on ``day`` days after DAY, UTC."""
    return DAY + timedelta(days=day, hours=hour)


def iv(start: float, end: float, status: Status = Status.BUSY, day: int = 0) -> Interval:
    return Interval(at(start, day), at(end, day), status)


def person(
    *intervals: Interval,
    coverage: tuple[tuple[datetime, datetime], ...] = COVER,
    email: str = "ann@x.org",
    source: str = "ics",
) -> Availability:
    return Availability(email, coverage=coverage, intervals=intervals, source=source)


# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize("status", list(Status))
def test_only_busy_and_oof_block(status: Status) -> None:
    assert status.blocks is (status in (Status.BUSY, Status.OOF))


def test_worst_ranks_oof_over_busy_over_tentative_over_free() -> None:
    assert worst([]) is Status.FREE
    assert worst([Status.FREE, Status.TENTATIVE]) is Status.TENTATIVE
    assert worst([Status.TENTATIVE, Status.BUSY, Status.FREE]) is Status.BUSY
    assert worst([Status.BUSY, Status.OOF, Status.TENTATIVE]) is Status.OOF
    assert worst([Status.OOF, Status.BUSY]) is Status.OOF


# --------------------------------------------------------------------------- unknown and free


def test_no_calendar_is_unknown_never_free_nor_busy() -> None:
    nobody = Availability.unknown("Cat@X.org", source="graph")
    assert (nobody.email, nobody.coverage, nobody.intervals) == ("cat@x.org", (), ())
    for start, end in [(at(9), at(10)), (at(0), at(0, day=3)), (at(23), at(1, day=1))]:
        assert not nobody.covers(start, end)
        assert nobody.status(start, end) is Status.UNKNOWN


def test_inside_coverage_without_intervals_is_free() -> None:
    ann = person(iv(9, 10))
    assert ann.covers(at(11), at(12))
    assert ann.status(at(11), at(12)) is Status.FREE
    assert ann.status(at(10), at(11)) is Status.FREE  # starts where the busy one ends
    assert ann.status(at(9), at(10)) is Status.BUSY


def test_outside_coverage_is_unknown() -> None:
    ann = person()
    assert ann.status(at(9, day=-1), at(10, day=-1)) is Status.UNKNOWN
    assert ann.status(at(9, day=6), at(10, day=6)) is Status.UNKNOWN


def test_covers_needs_the_whole_span_inside_coverage() -> None:
    ann = person(coverage=((at(9), at(17)),))
    assert ann.covers(at(9), at(17))
    assert not ann.covers(at(8), at(10))
    assert not ann.covers(at(16), at(18))


def test_coverage_spans_that_meet_are_one_span() -> None:
    ann = person(coverage=((at(12), at(17)), (at(9), at(12)), (at(10), at(11))))
    assert ann.coverage == ((at(9), at(17)),)
    assert ann.status(at(11), at(13)) is Status.FREE


def test_a_gap_between_coverage_spans_is_unknown() -> None:
    ann = person(coverage=((at(9), at(12)), (at(13), at(17))))
    assert ann.status(at(11), at(12)) is Status.FREE
    assert ann.status(at(12), at(13)) is Status.UNKNOWN
    assert ann.status(at(11), at(14)) is Status.UNKNOWN


# --------------------------------------------------------------------------- overlaps


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((Status.TENTATIVE, Status.BUSY), Status.BUSY),
        ((Status.BUSY, Status.TENTATIVE), Status.BUSY),
        ((Status.OOF, Status.BUSY), Status.OOF),
        ((Status.BUSY, Status.OOF, Status.TENTATIVE), Status.OOF),
        ((Status.TENTATIVE,), Status.TENTATIVE),
    ],
)
def test_worst_overlapping_status_wins(statuses: tuple[Status, ...], expected: Status) -> None:
    # Each interval starts half an hour later; all of them overlap 11:00-11:30.
    ann = person(*(iv(9 + k / 2, 12, s) for k, s in enumerate(statuses)))
    assert ann.status(at(11), at(11.5)) is expected


def test_only_intervals_in_the_span_count() -> None:
    ann = person(iv(9, 10, Status.OOF), iv(10, 11, Status.TENTATIVE), iv(11, 12, Status.BUSY))
    assert ann.status(at(10), at(11)) is Status.TENTATIVE
    assert ann.status(at(10.5), at(11.5)) is Status.BUSY
    assert ann.status(at(9.5), at(10.5)) is Status.OOF


def test_half_open_intervals_that_touch_do_not_overlap() -> None:
    ann = person(iv(9, 10), iv(11, 12, Status.OOF))
    assert ann.overlapping(at(10), at(11)) == []
    assert ann.status(at(10), at(11)) is Status.FREE
    assert ann.overlapping(at(8), at(9)) == []
    assert ann.overlapping(at(12), at(13)) == []
    assert ann.overlapping(at(9.99), at(11.01)) == [iv(9, 10), iv(11, 12, Status.OOF)]


def test_overlapping_finds_a_long_interval_that_began_long_before() -> None:
    holiday = Interval(at(0, day=-30), at(0, day=4), Status.OOF)
    short = [iv(9, 10, Status.TENTATIVE, day=d) for d in range(5)]
    ann = person(holiday, *short)
    # Many shorter intervals start after the holiday and before the query.
    assert ann.overlapping(at(9.5, day=3), at(9.75, day=3)) == [holiday, short[3]]
    assert ann.status(at(14, day=3), at(15, day=3)) is Status.OOF
    assert ann.status(at(14, day=4), at(15, day=4)) is Status.FREE


def test_overlapping_looks_back_only_as_far_as_needed() -> None:
    # The longest interval has ended; a shorter earlier-starting one still runs.
    long_done = Interval(at(0, day=-10), at(0, day=-3), Status.OOF)
    running = Interval(at(0, day=-1), at(12), Status.BUSY)
    ann = person(long_done, running, iv(13, 14, Status.TENTATIVE))
    assert ann.overlapping(at(11), at(13.5)) == [running, iv(13, 14, Status.TENTATIVE)]
    assert ann.overlapping(at(12), at(13)) == []


def test_intervals_are_sorted_on_construction() -> None:
    ann = person(iv(14, 15), iv(9, 17, Status.TENTATIVE), iv(9, 10, Status.OOF))
    assert [i.start for i in ann.intervals] == sorted(i.start for i in ann.intervals)
    assert ann.status(at(14.5), at(14.75)) is Status.BUSY


# --------------------------------------------------------------------------- coverage edges


@pytest.mark.parametrize("status", [Status.BUSY, Status.OOF])
def test_blocking_interval_blocks_a_span_past_coverage(status: Status) -> None:
    ann = person(iv(16, 18, status), coverage=((at(9), at(17)),))
    assert not ann.covers(at(16), at(18))
    assert ann.status(at(16), at(18)) is status
    assert ann.status(at(16.5), at(17.5)) is status
    # Known-blocked even though the span is wholly outside coverage.
    assert ann.status(at(17), at(18)) is status


def test_oof_beats_busy_even_past_coverage() -> None:
    ann = person(iv(16, 18, Status.BUSY), iv(17, 19, Status.OOF), coverage=((at(9), at(17)),))
    assert ann.status(at(16), at(18)) is Status.OOF


def test_tentative_or_free_span_partly_outside_coverage_is_unknown() -> None:
    ann = person(iv(16, 18, Status.TENTATIVE), coverage=((at(9), at(17)),))
    assert ann.status(at(16), at(18)) is Status.UNKNOWN
    assert ann.status(at(16), at(17)) is Status.TENTATIVE
    assert ann.status(at(15), at(16)) is Status.FREE
    assert ann.status(at(15), at(18)) is Status.UNKNOWN
    assert person(coverage=((at(9), at(17)),)).status(at(16), at(17.5)) is Status.UNKNOWN


# --------------------------------------------------------------------------- time zones


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 2, 9)
    with pytest.raises(ValueError, match="naive"):
        utc(naive)
    with pytest.raises(ValueError, match="naive"):
        Interval(naive, naive + timedelta(hours=1), Status.BUSY)
    with pytest.raises(ValueError, match="naive"):
        Availability("a@x.org", coverage=((naive, naive + timedelta(days=1)),))
    ann = person()
    with pytest.raises(ValueError, match="naive"):
        ann.status(naive, at(10))
    with pytest.raises(ValueError, match="naive"):
        ann.covers(at(9), naive + timedelta(hours=1))
    with pytest.raises(ValueError, match="naive"):
        ann.overlapping(naive, naive + timedelta(hours=1))


def test_times_are_stored_in_utc() -> None:
    start = datetime(2026, 7, 1, 9, tzinfo=LONDON)  # BST, 08:00 UTC
    interval = Interval(start, start + timedelta(hours=1), Status.BUSY)
    assert interval.start == datetime(2026, 7, 1, 8, tzinfo=UTC)
    assert interval.start.utcoffset() == timedelta(0)
    ann = Availability("a@x.org", coverage=((start, start + timedelta(hours=8)),))
    assert ann.coverage[0][0].utcoffset() == timedelta(0)


def test_london_clock_change_is_compared_in_utc() -> None:
    # 25 Oct 2026: 02:00 BST becomes 01:00 GMT, so 01:00-02:00 London happens twice.
    first = datetime(2026, 10, 25, 1, 0, tzinfo=LONDON)  # BST, 00:00 UTC
    second = datetime(2026, 10, 25, 1, 0, fold=1, tzinfo=LONDON)  # GMT, 01:00 UTC
    assert first.replace(tzinfo=None) == second.replace(tzinfo=None)
    hour = Interval(first, second, Status.BUSY)  # equal on the wall clock, an hour apart
    assert (hour.start, hour.end) == (
        datetime(2026, 10, 25, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, tzinfo=UTC),
    )
    # Ends at 01:00 GMT although the wall clock says 01:59 -> 01:00.
    minute = Interval(datetime(2026, 10, 25, 1, 59, tzinfo=LONDON), second, Status.OOF)
    assert minute.end - minute.start == timedelta(minutes=1)

    day = (datetime(2026, 10, 25, tzinfo=LONDON), datetime(2026, 10, 26, tzinfo=LONDON))
    ann = Availability("a@x.org", coverage=(day,), intervals=(hour,))
    assert ann.coverage == (
        (datetime(2026, 10, 24, 23, tzinfo=UTC), datetime(2026, 10, 26, 0, tzinfo=UTC)),
    )
    # The second 01:00-01:30 (GMT) is after the busy hour, the first is inside it.
    later = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)
    assert ann.status(second, later) is Status.FREE
    assert ann.status(first, datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)) is Status.BUSY
    # The same instants written in UTC give the same answers.
    assert ann.status(at(0, -8), at(0.5, -8)) is Status.BUSY
    assert ann.status(at(1, -8), at(1.5, -8)) is Status.FREE


@pytest.mark.parametrize("minutes", [0, -1, -60])
def test_interval_must_end_after_it_starts(minutes: int) -> None:
    with pytest.raises(ValueError, match="ends before"):
        Interval(at(9), at(9) + timedelta(minutes=minutes), Status.BUSY)


def test_interval_ending_before_it_starts_in_utc_is_refused_across_zones() -> None:
    start = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    end = datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)  # 09:00 UTC
    with pytest.raises(ValueError, match="ends before"):
        Interval(start, end, Status.BUSY)


# --------------------------------------------------------------------------- merging


def test_merged_unites_coverage_intervals_and_sources() -> None:
    ics = person(iv(9, 10), coverage=((at(0), at(12)),), source="ics")
    csv = person(iv(14, 15, Status.OOF), coverage=((at(12), at(0, day=1)),), source="csv")
    both = ics.merged(csv)
    assert both.email == "ann@x.org"
    assert both.source == "csv+ics"
    assert both.intervals == (iv(9, 10), iv(14, 15, Status.OOF))
    assert both.coverage == ((at(0), at(0, day=1)),)
    assert both.status(at(11), at(13)) is Status.FREE  # straddles where the two meet
    assert both.status(at(14), at(16)) is Status.OOF
    assert both.status(at(9.5), at(10.5)) is Status.BUSY
    assert ics.status(at(14), at(15)) is Status.UNKNOWN
    assert csv.status(at(9), at(10)) is Status.UNKNOWN


def test_merged_source_names_are_not_repeated() -> None:
    ics, csv, graph = (person(source=s) for s in ("ics", "csv", "graph"))
    assert ics.merged(csv).merged(ics).source == "csv+ics"
    assert graph.merged(ics.merged(csv)).source == "csv+graph+ics"
    assert ics.merged(person(source="")).source == "ics"


def test_merged_with_unknown_keeps_what_is_known() -> None:
    ann = person(iv(9, 10))
    both = ann.merged(Availability.unknown("ann@x.org", source="graph"))
    assert both.status(at(9), at(10)) is Status.BUSY
    assert both.status(at(11), at(12)) is Status.FREE


def test_merge_all_merges_one_person_case_insensitively() -> None:
    first = person(iv(9, 10), coverage=((at(0), at(12)),), email="Ann@X.org", source="ics")
    second = person(
        iv(13, 14, Status.TENTATIVE),
        coverage=((at(12), at(18)),),
        email="  ann@x.ORG ",
        source="exchange",
    )
    other = person(email="bob@x.org", source="csv")
    result = merge_all([first, other, second])
    assert set(result) == {"ann@x.org", "bob@x.org"}
    ann = result["ann@x.org"]
    assert ann.source == "exchange+ics"
    assert ann.intervals == (iv(9, 10), iv(13, 14, Status.TENTATIVE))
    assert ann.status(at(11), at(13.5)) is Status.TENTATIVE
    assert ann.status(at(17), at(19)) is Status.UNKNOWN
    assert result["bob@x.org"] is other
    assert merge_all([]) == {}


# --------------------------------------------------------------------------- property

BLOCKING = [Status.TENTATIVE, Status.BUSY, Status.OOF]
SPAN = 48 * 60  # minutes of coverage in the property


@st.composite
def intervals(draw: st.DrawFn) -> Interval:
    start = draw(st.integers(-SPAN // 2, SPAN))
    length = draw(st.one_of(st.integers(1, 120), st.integers(1, 2 * SPAN)))
    return Interval(
        DAY + timedelta(minutes=start),
        DAY + timedelta(minutes=start + length),
        draw(st.sampled_from(BLOCKING)),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(intervals(), max_size=25),
    st.integers(0, SPAN - 1),
    st.integers(1, SPAN),
    st.sampled_from([UTC, LONDON]),
)
def test_status_is_the_worst_of_the_truly_overlapping(
    found: list[Interval], start: int, length: int, zone: ZoneInfo
) -> None:
    ann = person(*found, coverage=((DAY, DAY + timedelta(minutes=SPAN)),))
    lo = DAY + timedelta(minutes=start)
    hi = min(lo + timedelta(minutes=length), DAY + timedelta(minutes=SPAN))
    truly = [i for i in found if i.start < hi and i.end > lo]
    assert sorted(ann.overlapping(lo.astimezone(zone), hi.astimezone(zone))) == sorted(truly)
    expected = max(truly, key=lambda i: BLOCKING.index(i.status)).status if truly else Status.FREE
    assert ann.covers(lo, hi)
    assert ann.status(lo.astimezone(zone), hi.astimezone(zone)) is expected
