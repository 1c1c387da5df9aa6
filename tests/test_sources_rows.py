"""RowsSource: availability.csv rows as availability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.errors import InputError
from scheduling.availability import Availability, CalendarSource, Status
from scheduling.sources import CalendarError, RowsSource

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 10, 19, tzinfo=UTC)
END = datetime(2026, 10, 24, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def status(av: Availability, start: str, minutes: int = 15) -> Status:
    begin = at(start)
    return av.status(begin, begin + timedelta(minutes=minutes))


ROWS = [
    (
        "Alex.Morgan@Example.org",
        datetime(2026, 10, 19, 10, tzinfo=LONDON),
        datetime(2026, 10, 19, 11, tzinfo=LONDON),
        Status.BUSY,
    ),
    ("alex.morgan@example.org", at("2026-10-20T13:00"), at("2026-10-20T14:00"), "tentative"),
    ("alex.morgan@example.org", at("2026-10-21T00:00"), at("2026-10-22T00:00"), Status.OOF),
    ("sam.patel@example.org", at("2026-10-19T09:00"), at("2026-10-19T17:00"), Status.FREE),
    ("alex.morgan@example.org", at("2026-10-18T22:00"), at("2026-10-19T01:00"), Status.BUSY),
]


def test_is_a_calendar_source() -> None:
    source: CalendarSource = RowsSource(ROWS)
    assert source.availability([], START, END) == {}


def test_statuses_at_exact_utc_times() -> None:
    result = RowsSource(ROWS).availability(["alex.morgan@example.org"], START, END)
    av = result["alex.morgan@example.org"]
    assert av.source == "csv"
    assert av.coverage == ((START, END),)
    # 10:00 London in BST is 09:00 UTC.
    assert status(av, "2026-10-19T09:00") is Status.BUSY
    assert status(av, "2026-10-19T10:00") is Status.FREE
    assert status(av, "2026-10-20T13:30") is Status.TENTATIVE
    assert status(av, "2026-10-21T12:00") is Status.OOF
    assert status(av, "2026-10-23T12:00") is Status.FREE


def test_rows_are_cut_to_the_window() -> None:
    av = RowsSource(ROWS).availability(["alex.morgan@example.org"], START, END)[
        "alex.morgan@example.org"
    ]
    assert av.intervals[0].start == START
    assert av.intervals[0].end == at("2026-10-19T01:00")
    assert all(i.start >= START and i.end <= END for i in av.intervals)


def test_free_rows_make_a_person_known_but_add_nothing() -> None:
    av = RowsSource(ROWS).availability(["sam.patel@example.org"], START, END)[
        "sam.patel@example.org"
    ]
    assert av.intervals == ()
    assert status(av, "2026-10-19T10:00") is Status.FREE


def test_unlisted_people_are_unknown_and_keys_are_as_asked() -> None:
    result = RowsSource(ROWS).availability(
        ["Nobody@Example.org", "ALEX.MORGAN@example.org"], START, END
    )
    assert set(result) == {"Nobody@Example.org", "ALEX.MORGAN@example.org"}
    assert result["Nobody@Example.org"] == Availability.unknown("nobody@example.org", "csv")
    assert status(result["Nobody@Example.org"], "2026-10-19T10:00") is Status.UNKNOWN
    assert result["ALEX.MORGAN@example.org"].email == "alex.morgan@example.org"


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (("", at("2026-10-19T09:00"), at("2026-10-19T10:00"), Status.BUSY), "e-mail is empty"),
        (("a@x.org", datetime(2026, 10, 19, 9), at("2026-10-19T10:00"), Status.BUSY), "naive"),
        (("a@x.org", at("2026-10-19T10:00"), at("2026-10-19T09:00"), Status.BUSY), "not after"),
        (("a@x.org", at("2026-10-19T09:00"), at("2026-10-19T10:00"), "maybe"), "unknown status"),
        (("a@x.org", at("2026-10-19T09:00"), at("2026-10-19T10:00"), Status.UNKNOWN), "must be"),
    ],
)
def test_bad_rows_are_input_errors_with_the_row_number(
    row: tuple[str, datetime, datetime, str], words: str
) -> None:
    with pytest.raises(CalendarError, match=words) as caught:
        RowsSource([ROWS[0], row])
    assert isinstance(caught.value, InputError)
    assert "row 1" in str(caught.value)


def test_naive_window_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        RowsSource(ROWS).availability(["a@x.org"], datetime(2026, 10, 19), END)


MINUTE = timedelta(minutes=1)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.integers(1, 600),
            st.sampled_from([Status.BUSY, Status.TENTATIVE, Status.OOF, Status.FREE]),
        ),
        max_size=20,
    ),
    st.integers(0, 10_000),
    st.integers(1, 5_000),
)
def test_every_interval_lies_in_the_window_and_matches_a_row(
    spans: list[tuple[int, int, Status]], offset: int, length: int
) -> None:
    base = datetime(2026, 10, 19, tzinfo=UTC)
    rows = [("p@x.org", base + a * MINUTE, base + (a + n) * MINUTE, s) for a, n, s in spans]
    start, end = base + offset * MINUTE, base + (offset + length) * MINUTE
    av = RowsSource(rows).availability(["p@x.org"], start, end)["p@x.org"]
    if not rows:
        assert av.coverage == ()
        return
    assert av.coverage == ((start, end),)
    for interval in av.intervals:
        assert start <= interval.start < interval.end <= end
        assert any(
            r[1] <= interval.start and interval.end <= r[2] and r[3] is interval.status
            for r in rows
        )
    expected = sum(1 for r in rows if r[3] is not Status.FREE and r[1] < end and r[2] > start)
    assert len(av.intervals) == expected
