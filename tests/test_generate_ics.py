"""Tests for :mod:`jags.generate_ics`: each program's export says what the plan says."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from jags.cells import LONDON
from jags.generate_ics import apple_export, google_export, outlook_export
from jags.generate_plans import BLOCKS, FIRST_DAY, LAST_DAY, make_plan
from scheduling.availability import Status
from scheduling.sources import IcsSource

if TYPE_CHECKING:
    from collections.abc import Callable

    from jags.generate_plans import Plan

EMAIL = "ann.lee@school.example"


def _google(email: str, plan: Plan) -> str:
    return google_export(email, plan, random.Random(9))


EXPORTS: dict[str, Callable[[str, Plan], str]] = {
    "outlook": outlook_export,
    "google": _google,
    "apple": apple_export,
}


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, LONDON)


@pytest.mark.parametrize("style", EXPORTS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_export_gives_the_plan_s_busy_times(style: str, seed: int) -> None:
    plan = make_plan(random.Random(seed), [BLOCKS[0]])
    text = EXPORTS[style](EMAIL, plan)
    found = IcsSource({EMAIL: text.encode()}).availability(
        [EMAIL], _at(FIRST_DAY, time(0)), _at(LAST_DAY + timedelta(days=1), time(0))
    )[EMAIL]
    cancelled = set()
    if style == "google":  # one supervision occurrence is cancelled (STATUS:CANCELLED)
        cal = icalendar.Calendar.from_ical(text)
        cancelled = {
            e.decoded("RECURRENCE-ID").replace(tzinfo=None)
            for e in cal.walk("VEVENT")
            if str(e.get("STATUS")) == "CANCELLED"
        }
        assert len(cancelled) == 1
    for begin, end in plan.team.occurrences() + plan.supervision.occurrences():
        if begin in cancelled:
            continue
        assert found.status(begin.replace(tzinfo=LONDON), end.replace(tzinfo=LONDON)).blocks
    for event in plan.meetings:
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        status = found.status(event.start.replace(tzinfo=LONDON), event.end.replace(tzinfo=LONDON))
        assert status is not Status.FREE or style == "google"  # Google: one is declined
    day = BLOCKS[0][0]
    assert found.status(_at(day, time(12)), _at(day, time(13))).blocks


@pytest.mark.parametrize("style", EXPORTS)
def test_exports_are_valid_folded_and_deterministic(style: str) -> None:
    plan = make_plan(random.Random(4), ())
    text = EXPORTS[style](EMAIL, plan)
    assert text == EXPORTS[style](EMAIL, make_plan(random.Random(4), ()))
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = IcsCalendarStream.calendar_from_ics(text)  # an independent reader
    assert len(calendar.events) == len(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def test_each_program_s_own_marks() -> None:
    plan = make_plan(random.Random(6), [BLOCKS[1]])
    outlook = outlook_export(EMAIL, plan).replace("\r\n ", "")
    assert "DTSTART;TZID=GMT Standard Time:" in outlook
    assert "X-MICROSOFT-CDO-BUSYSTATUS:OOF" in outlook
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270131T235959Z;INTERVAL=1;BYDAY=" in outlook
    google = _google(EMAIL, plan).replace("\r\n ", "")
    assert "X-GOOGLE-EVENT-TYPE:OUT_OF_OFFICE" in google and "PARTSTAT=DECLINED" in google
    assert "TZID" not in google  # UTC times only
    apple = apple_export(EMAIL, plan).replace("\r\n ", "")
    assert "DTSTART;TZID=Europe/London:" in apple and "DURATION:PT" in apple
    assert "DTSTART;VALUE=DATE:20261217" in apple  # all-day leave
