"""Tests for scheduling.sources.ics_read: one export read for one window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.availability import Interval, Status
from scheduling.sources import CalendarError
from scheduling.sources.ics_read import MARGIN, CalendarLimits, ExportReading, read_export

LONDON = ZoneInfo("Europe/London")
WHO = "sam@example.org"
WINDOW = (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC))


def calendar(*blocks: str, header: str = "", trailer: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
        + header
        + "".join(blocks)
        + trailer
        + "END:VCALENDAR\r\n"
    )


def event(uid: str, *lines: str) -> str:
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VEVENT\r\n"


def read(content: str, limits: CalendarLimits | None = None) -> ExportReading:
    return read_export(WHO, content, WINDOW, LONDON, limits or CalendarLimits())


def test_a_reading_round_trips_through_plain_data_exactly() -> None:
    start = datetime(2026, 10, 20, 9, 0, 0, 250, tzinfo=UTC)
    reading = ExportReading(
        ((WINDOW[0], WINDOW[1]),), (Interval(start, start + timedelta(hours=1), Status.TENTATIVE),)
    )
    assert ExportReading.from_json(reading.to_json()) == reading


def test_events_near_the_window_count_and_the_margin_is_kept() -> None:
    just_before = WINDOW[0] - MARGIN + timedelta(hours=1)
    content = calendar(
        event("near", f"DTSTART:{just_before:%Y%m%dT%H%M%SZ}", "DURATION:P3D"),
        event(
            "in",
            "DTSTART:20261020T090000Z",
            "DTEND:20261020T100000Z",
            "BEGIN:VALARM",
            "TRIGGER:-PT15M",
            "DURATION:P400D",
            "ACTION:DISPLAY",
            "END:VALARM",
        ),
        event("far", "DTSTART:20261201T090000Z", "DTEND:20261201T100000Z"),
    )
    found = read(content)
    assert [(i.start, i.end) for i in found.intervals] == [
        (WINDOW[0], just_before + timedelta(days=3)),
        (datetime(2026, 10, 20, 9, tzinfo=UTC), datetime(2026, 10, 20, 10, tzinfo=UTC)),
    ]


def test_calendar_properties_after_the_components_are_read() -> None:
    content = calendar(
        event("x", "DTSTART:20261020T090000", "DTEND:20261020T100000"),
        trailer="X-WR-TIMEZONE:Europe/Berlin\r\n",
    )
    (interval,) = read(content).intervals
    assert interval.start == datetime(2026, 10, 20, 7, tzinfo=UTC)  # floating = Berlin


def test_two_calendars_in_one_file_are_both_read() -> None:
    one = calendar(event("a", "DTSTART:20261020T090000Z", "DTEND:20261020T100000Z"))
    two = calendar(event("b", "DTSTART:20261021T090000Z", "DTEND:20261021T100000Z"))
    assert len(read(one + two).intervals) == 2


@pytest.mark.parametrize(
    ("content", "words", "line"),
    [
        (
            calendar(event("x", "DTSTART:20261020T090000Z"), trailer="END:VEVENT\r\n"),
            "END:VEVENT that does not close",
            8,
        ),
        (
            "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\n",
            "VEVENT outside a VCALENDAR",
            3,
        ),
        (
            calendar(event("x", "DTSTART:20261020T090000Z", "DURATION:forever")),
            "unreadable DURATION in a VEVENT",
            7,
        ),
    ],
)
def test_structure_and_value_problems_name_their_line(content: str, words: str, line: int) -> None:
    with pytest.raises(CalendarError, match=words) as caught:
        read(content)
    assert caught.value.line == line
