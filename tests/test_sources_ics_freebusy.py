"""Tests for scheduling.sources.ics_freebusy: what an export covers, its VFREEBUSY periods."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar

from scheduling.sources.ics_freebusy import coverage

LONDON = ZoneInfo("Europe/London")


def test_coverage_of_a_free_busy_file_only_when_it_has_no_events() -> None:
    calendar = icalendar.Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\nDTSTART:20261019T000000Z\r\n"
        "DTEND:20261020T000000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
    )
    window = (datetime(2026, 10, 18, tzinfo=UTC), datetime(2026, 10, 25, tzinfo=UTC))
    assert coverage(calendar, window, LONDON, had_events=False) == [
        (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC))
    ]
    assert coverage(calendar, window, LONDON, had_events=True) == [window]
