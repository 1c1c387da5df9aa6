"""Tests for scheduling.vtimezone: RRULE-form VTIMEZONEs that agree with the zone database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo

from scheduling.vtimezone import vtimezone_for


def _document(zone: str, year: int) -> str:
    rules = vtimezone_for(zone, year)
    assert rules is not None
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//test//EN")
    calendar.add("version", "2.0")
    component = rules.component()
    component["TZID"] = "Renamed-Zone"  # so that no reader can look the name up
    calendar.add_component(component)
    return calendar.to_ical().decode()


@pytest.mark.parametrize(
    ("zone", "first_year"),
    [
        ("Europe/London", 1996),
        ("Europe/Dublin", 1996),
        ("Europe/Berlin", 1996),
        ("America/New_York", 2007),
        ("Australia/Sydney", 2008),
    ],
)
def test_an_independent_reader_of_the_vtimezone_agrees_with_tzdata(
    zone: str, first_year: int
) -> None:
    year = 2027
    rules = vtimezone_for(zone, year)
    assert rules is not None
    assert rules.since.year == first_year
    text = _document(zone, year)
    assert "RDATE" not in text and text.count("RRULE:FREQ=YEARLY") == 2
    reader = IcsTimezoneInfo.from_timezone(  # type: ignore[attr-defined]
        IcsCalendarStream.calendar_from_ics(text).timezones[0]
    )
    tz = ZoneInfo(zone)
    moment = max(rules.since, datetime(first_year, 1, 1, tzinfo=UTC)) + timedelta(hours=2)
    while moment < rules.until:
        local = moment.astimezone(tz).replace(tzinfo=None)
        if local.replace(fold=0).replace(tzinfo=tz) == local.replace(fold=1).replace(tzinfo=tz):
            assert local.replace(tzinfo=reader).utcoffset() == moment.astimezone(tz).utcoffset(), (
                local
            )
        moment += timedelta(hours=7)  # every hour of the day over the years


def test_the_london_vtimezone_is_the_one_outlook_writes() -> None:
    rules = vtimezone_for("Europe/London", 2027)
    assert rules is not None
    text = rules.component().to_ical(sorted=False).decode()
    assert text == (
        "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
        "BEGIN:DAYLIGHT\r\nTZNAME:BST\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n"
        "DTSTART:19810329T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\nTZNAME:GMT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n"
        "DTSTART:19961027T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
    )
    assert rules.covers(datetime(2027, 6, 1, tzinfo=UTC))
    assert not rules.covers(datetime(1995, 6, 1, tzinfo=UTC))
    assert not rules.covers(datetime(2030, 1, 1, tzinfo=UTC))


def test_older_years_get_the_rules_of_their_time() -> None:
    rules = vtimezone_for("Europe/London", 1995)  # BST ended on the fourth Sunday then
    assert rules is not None
    assert "BYDAY=4SU" in rules.component().to_ical().decode()


@pytest.mark.parametrize(
    "zone", ["Asia/Kolkata", "UTC", "Africa/Casablanca", "Asia/Tehran", "America/Santiago"]
)
def test_zones_without_two_yearly_weekday_rules_get_none(zone: str) -> None:
    # Santiago changes on the first Sunday on or after 2 April: no nth-weekday rule says that.
    assert vtimezone_for(zone, 2027) is None
