"""IcsSource: Outlook, Google and Apple exports read into availability.

Every fixture in tests/data/calendars exercises one feature; the
assertions give exact statuses at exact UTC times (Europe/London is UTC+1
until 25 October 2026 and again from 28 March 2027).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from allocator.errors import InputError
from allocator.policy import Policy
from scheduling.availability import Availability, CalendarSource, Status
from scheduling.sources import CalendarError, CalendarLimits, IcsSource
from scheduling.sources.ics import POOL_FROM

DATA = Path(__file__).parent / "data" / "calendars"
WHO = "riley.shaw@example.nhs.uk"
WEEK = (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC))

B, T, OOF, F, U = Status.BUSY, Status.TENTATIVE, Status.OOF, Status.FREE, Status.UNKNOWN


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def load(
    name: str, email: str = WHO, start: datetime = WEEK[0], end: datetime = WEEK[1]
) -> Availability:
    source = IcsSource({email: (DATA / name).read_bytes()})
    return source.availability([email], start, end)[email]


def check(av: Availability, expected: dict[str, Status], minutes: int = 15) -> None:
    """Status of the ``minutes`` from each UTC time is as expected."""
    got = {
        moment: av.status(at(moment), at(moment) + timedelta(minutes=minutes))
        for moment in expected
    }
    assert got == expected


def test_is_a_calendar_source() -> None:
    source: CalendarSource = IcsSource({})
    assert source.availability([], *WEEK) == {}


def test_rrule_with_exdate() -> None:
    # Tuesdays 14:00-15:00 London from 6 Oct 2026, 6 times, 20 Oct excluded.
    av = load("google_rrule_exdate.ics", start=at("2026-10-01T00:00"), end=at("2026-11-30T00:00"))
    check(
        av,
        {
            "2026-10-06T13:00": B,
            "2026-10-06T14:00": F,
            "2026-10-13T13:45": B,
            "2026-10-20T13:00": F,  # EXDATE
            "2026-10-27T13:00": F,
            "2026-10-27T14:00": B,  # GMT again: 14:00 London = 14:00 UTC
            "2026-11-10T14:30": B,
            "2026-11-17T14:00": F,  # COUNT=6 used up (one of them excluded)
        },
    )
    assert len(av.intervals) == 5


def test_recurrence_id_moves_and_cancels_single_instances() -> None:
    av = load("google_recurrence_id.ics")
    check(
        av,
        {
            "2026-10-19T08:30": B,
            "2026-10-20T08:45": B,
            "2026-10-21T08:30": F,
            "2026-10-21T14:00": B,  # moved to 15:00 London
            "2026-10-22T08:30": F,  # cancelled instance
            "2026-10-23T08:30": B,  # UNTIL is inclusive
        },
    )
    assert len(av.intervals) == 4


def test_all_day_and_multi_day_events_are_europe_london_days() -> None:
    av = load("apple_all_day.ics", start=at("2026-10-18T00:00"), end=at("2026-10-30T00:00"))
    check(
        av,
        {
            "2026-10-18T22:45": F,
            "2026-10-18T23:00": B,  # Mon 19 Oct starts 23:00 UTC on Sunday
            "2026-10-19T22:45": B,
            "2026-10-19T23:00": F,  # ...and ends at midnight London
            "2026-10-20T23:00": B,
            "2026-10-22T12:00": B,  # Wed-Fri, DTEND exclusive
            "2026-10-23T22:45": B,
            "2026-10-23T23:00": F,
            "2026-10-26T00:00": B,
            "2026-10-26T23:45": B,
            "2026-10-27T00:00": F,  # GMT day
            "2026-10-28T00:00": B,
            "2026-10-29T00:00": F,  # no DTEND: one day
        },
    )
    durations = [i.end - i.start for i in av.intervals]
    assert durations == [timedelta(days=1), timedelta(days=3), timedelta(days=1), timedelta(days=1)]


def test_outlook_all_day_out_of_office_and_free_reminder() -> None:
    av = load("outlook_all_day_oof.ics")
    check(
        av,
        {
            "2026-10-19T22:45": F,
            "2026-10-19T23:00": OOF,
            "2026-10-21T22:45": OOF,
            "2026-10-22T09:00": F,  # all-day, TRANSPARENT, BUSYSTATUS FREE
        },
    )


def test_transparent_events_do_not_block() -> None:
    av = load("google_transparent.ics", email="jo.evans@example.org")
    check(
        av,
        {
            "2026-10-20T09:00": F,  # show-as-available event
            "2026-10-21T10:00": F,  # all-day birthday (TRANSPARENT)
            "2026-10-22T10:00": F,  # working location (TRANSPARENT)
            "2026-10-22T13:00": T,  # TRANSPARENT but Outlook busy-status TENTATIVE wins
            "2026-10-23T08:00": F,  # invitation the owner declined
        },
    )
    assert [i.status for i in av.intervals] == [T]


def test_declined_only_counts_for_the_calendar_owner() -> None:
    # The same file read as someone else's calendar: the owner did not decline.
    av = load("google_transparent.ics", email="someone.else@example.org")
    check(av, {"2026-10-23T08:00": B})


def test_cancelled_events_do_not_block_and_tentative_is_tentative() -> None:
    av = load("outlook_cancelled.ics")
    check(
        av,
        {
            "2026-10-20T10:00": F,  # STATUS:CANCELLED although busy-status says BUSY
            "2026-10-21T10:00": T,
            "2026-10-21T11:00": F,  # STATUS:TENTATIVE, no busy-status
        },
    )


def test_duration_instead_of_dtend() -> None:
    av = load("apple_duration.ics", start=at("2026-10-19T00:00"), end=at("2026-11-09T00:00"))
    check(
        av,
        {
            "2026-10-20T08:15": F,
            "2026-10-20T08:30": B,
            "2026-10-20T09:45": B,
            "2026-10-20T10:00": F,  # 90 minutes
            "2026-10-23T15:30": B,
            "2026-10-23T15:45": F,  # 45 minutes, BST
            "2026-10-30T16:30": B,
            "2026-10-30T16:45": F,  # same local time, now GMT
            "2026-11-06T16:00": B,
        },
    )


def test_vfreebusy_types_and_published_range() -> None:
    av = load("vfreebusy.ics", start=at("2026-10-18T00:00"), end=at("2026-10-26T00:00"))
    check(
        av,
        {
            "2026-10-19T09:00": B,
            "2026-10-19T10:00": F,
            "2026-10-19T13:15": B,
            "2026-10-19T13:30": F,  # start/duration period
            "2026-10-20T09:00": T,  # BUSY-TENTATIVE
            "2026-10-21T12:00": OOF,  # BUSY-UNAVAILABLE
            "2026-10-22T10:00": F,  # FBTYPE=FREE
            "2026-10-23T11:00": B,  # no FBTYPE: busy
            "2026-10-23T14:00": B,  # unrecognised x-name type: busy
            # Only 19-24 Oct (UTC) was published: outside it nothing is known.
            "2026-10-18T12:00": U,
            "2026-10-24T00:00": U,
        },
    )
    assert av.coverage == ((at("2026-10-19T00:00"), at("2026-10-24T00:00")),)


def test_utc_tzid_windows_name_and_floating_times() -> None:
    av = load("utc_vs_tzid.ics")
    check(
        av,
        {
            "2026-10-20T09:45": F,
            "2026-10-20T10:00": B,
            "2026-10-20T10:45": B,
            "2026-10-20T11:00": F,  # written in UTC
            "2026-10-21T08:45": F,
            "2026-10-21T09:00": B,
            "2026-10-21T09:45": B,
            "2026-10-21T10:00": F,  # Europe/London with VTIMEZONE
            "2026-10-22T07:45": F,
            "2026-10-22T08:00": B,
            "2026-10-22T08:45": B,
            "2026-10-22T09:00": F,  # Europe/Berlin, no VTIMEZONE
            "2026-10-23T08:45": F,
            "2026-10-23T09:00": B,
            "2026-10-23T09:45": B,
            "2026-10-23T10:00": F,  # floating = Europe/London
        },
    )


def test_gmt_standard_time_busy_statuses_and_clip_range() -> None:
    av = load("outlook_gmt_standard_time.ics", start=WEEK[0], end=at("2026-10-26T00:00"))
    check(
        av,
        {
            "2026-10-19T09:00": B,
            "2026-10-19T08:45": F,
            "2026-10-19T10:00": F,
            "2026-10-20T13:00": T,
            "2026-10-20T14:15": T,
            "2026-10-20T14:30": F,
            "2026-10-21T08:00": OOF,
            "2026-10-21T15:45": OOF,
            "2026-10-21T16:00": F,
            "2026-10-22T11:00": F,  # busy-status FREE
            "2026-10-23T08:00": F,  # WORKINGELSEWHERE
            # X-CLIPSTART/X-CLIPEND: the export covers 19-23 Oct (London days) only.
            "2026-10-23T22:45": F,
            "2026-10-23T23:00": U,
            "2026-10-24T10:00": U,
        },
    )
    assert av.coverage == ((WEEK[0], at("2026-10-23T23:00")),)


def test_gmt_standard_time_is_mapped_to_europe_london_without_a_vtimezone() -> None:
    text = (DATA / "outlook_gmt_standard_time.ics").read_text()
    start, end = text.index("BEGIN:VTIMEZONE"), text.index("END:VTIMEZONE") + len("END:VTIMEZONE")
    stripped = text[:start] + text[end:].lstrip("\r\n")
    av = IcsSource({WHO: stripped}).availability([WHO], *WEEK)[WHO]
    check(av, {"2026-10-19T09:00": B, "2026-10-19T10:00": F, "2026-10-21T08:00": OOF})


def test_spring_clock_change_2027() -> None:
    # Clocks go forward at 01:00 UTC on Sunday 28 March 2027.
    av = load(
        "outlook_dst_spring_2027.ics", start=at("2027-03-14T00:00"), end=at("2027-04-12T00:00")
    )
    check(
        av,
        {
            "2027-03-15T10:00": B,
            "2027-03-22T10:00": B,
            "2027-03-22T09:00": F,
            "2027-03-29T09:00": B,
            "2027-03-29T10:00": F,  # 10:00 BST
            "2027-04-05T09:00": B,
            # 00:30 GMT to 03:30 BST is two hours, not three.
            "2027-03-28T00:30": B,
            "2027-03-28T02:15": B,
            "2027-03-28T02:30": F,
        },
    )
    night = [i for i in av.intervals if i.start.day == 28]
    assert [(i.start, i.end) for i in night] == [(at("2027-03-28T00:30"), at("2027-03-28T02:30"))]


def test_autumn_clock_change_2026() -> None:
    # Clocks go back at 01:00 UTC on Sunday 25 October 2026.
    av = load(
        "google_dst_autumn_2026.ics", start=at("2026-10-22T00:00"), end=at("2026-10-29T00:00")
    )
    check(
        av,
        {
            "2026-10-23T08:00": B,
            "2026-10-24T08:00": B,
            "2026-10-24T09:00": F,
            "2026-10-25T09:00": B,
            "2026-10-25T08:00": F,  # 09:00 GMT from Sunday on
            "2026-10-26T09:15": B,
            "2026-10-27T09:00": B,
            # 00:30 BST to 02:30 GMT is three hours.
            "2026-10-24T23:15": F,
            "2026-10-24T23:30": B,
            "2026-10-25T02:15": B,
            "2026-10-25T02:30": F,
        },
    )
    assert len(av.intervals) == 6


def test_window_cuts_intervals_and_coverage_is_the_window() -> None:
    start, end = at("2026-10-19T09:30"), at("2026-10-21T12:00")
    av = load("outlook_gmt_standard_time.ics", start=start, end=end)
    assert av.coverage == ((start, end),)
    assert av.intervals[0].start == start  # the 09:00-10:00 meeting, cut
    assert av.intervals[-1].end == end  # the out-of-office day, cut


def test_people_without_a_calendar_are_unknown_and_keys_are_as_asked() -> None:
    source = IcsSource({"Riley.Shaw@Example.NHS.uk": (DATA / "utc_vs_tzid.ics").read_bytes()})
    result = source.availability(["RILEY.SHAW@example.nhs.uk", "nobody@example.org"], *WEEK)
    assert set(result) == {"RILEY.SHAW@example.nhs.uk", "nobody@example.org"}
    assert result["RILEY.SHAW@example.nhs.uk"].email == WHO
    assert result["nobody@example.org"] == Availability.unknown("nobody@example.org", "ics")
    assert source.emails == frozenset({WHO})


def test_two_calendars_for_one_person_are_combined() -> None:
    source = IcsSource(
        {
            WHO: (DATA / "utc_vs_tzid.ics").read_text(),
            WHO.upper(): (DATA / "outlook_all_day_oof.ics").read_bytes(),
        }
    )
    av = source.availability([WHO], *WEEK)[WHO]
    check(av, {"2026-10-20T10:00": OOF, "2026-10-23T09:00": B})


def test_byte_order_mark_and_str_content() -> None:
    raw = (DATA / "utc_vs_tzid.ics").read_bytes()
    for content in (b"\xef\xbb\xbf" + raw, "\ufeff" + raw.decode()):
        av = IcsSource({WHO: content}).availability([WHO], *WEEK)[WHO]
        check(av, {"2026-10-20T10:00": B})


def test_no_event_text_reaches_the_model() -> None:
    av = load("outlook_gmt_standard_time.ics")
    text = repr(av)
    for private in ("Strategy", "visit", "Norwich", "Lunch"):
        assert private not in text


@pytest.mark.parametrize(
    ("content", "words", "line"),
    [
        (b"", "not an iCalendar file", 1),
        (b"Subject,Start Date\r\nMeeting,19/10/2026\r\n", "not an iCalendar file", 1),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n", "never ends", 3),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VFREEBUSY\r\nFREEBUSY:soon\r\n"
            b"END:VFREEBUSY\r\nEND:VCALENDAR\r\n",
            "VFREEBUSY that cannot be read",
            3,
        ),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "END:VTODO", 3),
        ((DATA / "outlook_broken_dtstart.ics").read_bytes(), "unreadable DTSTART", 9),
    ],
)
def test_unreadable_calendars_name_the_person_and_line_but_not_the_event(
    content: bytes, words: str, line: int
) -> None:
    source = IcsSource({"casey.jones@example.org": content})
    with pytest.raises(CalendarError, match=words) as caught:
        source.availability(["casey.jones@example.org"], *WEEK)
    assert isinstance(caught.value, InputError)
    assert caught.value.email == "casey.jones@example.org"
    assert caught.value.line == line
    assert f"(line {line})" in str(caught.value)
    assert "casey.jones@example.org" in str(caught.value)
    assert "casey.jones" not in caught.value.reason
    assert "Jamie" not in str(caught.value)
    assert caught.value.__cause__ is None


def event(*lines: str) -> str:
    """A one-event calendar with the given extra lines."""
    body = "".join(line + "\r\n" for line in lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        "DTSTAMP:20261001T000000Z\r\n" + body + "SUMMARY:Secret\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


@pytest.mark.parametrize(
    "rule", ["RRULE:FREQ=WEEKLY;BYDAY=XX", "RRULE:FREQ=DAILY;INTERVAL=0", "RRULE:FREQ=SECONDLY"]
)
def test_unreadable_or_runaway_repeat_rules_are_refused(rule: str) -> None:
    content = event("DTSTART:20261019T090000Z", "DTEND:20261019T100000Z", rule)
    source = IcsSource({"casey.jones@example.org": content})
    with pytest.raises(CalendarError, match="RRULE") as caught:
        source.availability(["casey.jones@example.org"], *WEEK)
    assert caught.value.line == 9


def test_an_unreadable_repeat_rule_is_reported_when_expanded() -> None:
    content = event(
        "DTSTART:20261019T090000Z", "DTEND:20261019T100000Z", "RRULE:FREQ=WEEKLY;BYSETPOS=0"
    )
    source = IcsSource({"casey.jones@example.org": content})
    with pytest.raises(CalendarError, match=r"casey\.jones@example\.org") as caught:
        source.availability(["casey.jones@example.org"], *WEEK)
    assert "Secret" not in str(caught.value)
    assert caught.value.line == 4  # the event's BEGIN line


def test_unknown_time_zone_is_read_as_london_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    content = event(
        "DTSTART;TZID=Customized Time Zone 7:20261020T100000",
        "DTEND;TZID=Customized Time Zone 7:20261020T110000",
    )
    with caplog.at_level(logging.WARNING, logger="scheduling"):
        av = IcsSource({WHO: content}).availability([WHO], *WEEK)[WHO]
    check(av, {"2026-10-20T09:00": B, "2026-10-20T10:00": F})
    assert "Customized Time Zone 7" in caplog.text
    assert "Secret" not in caplog.text
    assert WHO not in caplog.text


def test_blank_email_and_naive_window_are_refused() -> None:
    with pytest.raises(CalendarError, match="without an e-mail"):
        IcsSource({" ": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"})
    with pytest.raises(ValueError, match="naive"):
        IcsSource({}).availability([WHO], datetime(2026, 10, 19), WEEK[1])
    with pytest.raises(ValueError, match="end after"):
        IcsSource({}).availability([WHO], WEEK[1], WEEK[0])


# --------------------------------------------------------------------------- read in isolation


def customized(offset_hours: int, uid: str, tzid: str = "Customized Time Zone") -> str:
    """An Outlook export defining ``tzid`` as a fixed UTC offset, one meeting 10:00-11:00."""
    sign = "+" if offset_hours >= 0 else "-"
    offset = f"{sign}{abs(offset_hours):02d}00"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 "
        "MIMEDIR//EN\r\n"
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261001T000000Z\r\n"
        f"DTSTART;TZID={tzid}:20261020T100000\r\nDTEND;TZID={tzid}:20261020T110000\r\n"
        "SUMMARY:Secret\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.mark.parametrize("order", [("east", "west"), ("west", "east")])
def test_each_export_keeps_its_own_time_zone_definition(order: tuple[str, str]) -> None:
    # Two Outlook exports define "Customized Time Zone" differently (UTC+10, UTC-5):
    # 10:00 local is 00:00 UTC for one and 15:00 UTC for the other, whatever was read first.
    exports = {"east@example.org": customized(10, "e"), "west@example.org": customized(-5, "w")}
    people = [f"{name}@example.org" for name in order]
    together = IcsSource({p: exports[p] for p in people}, workers=1)
    apart = [IcsSource({p: exports[p]}) for p in people]
    for result in (
        together.availability(people, *WEEK),
        {p: s.availability([p], *WEEK)[p] for p, s in zip(people, apart, strict=True)},
    ):
        assert [(i.start, i.end) for i in result["east@example.org"].intervals] == [
            (at("2026-10-20T00:00"), at("2026-10-20T01:00"))
        ]
        assert [(i.start, i.end) for i in result["west@example.org"].intervals] == [
            (at("2026-10-20T15:00"), at("2026-10-20T16:00"))
        ]


def test_a_definition_does_not_reach_an_export_that_only_names_the_zone() -> None:
    # The second export uses the name without defining it: floating (London) time.
    named = event(
        "DTSTART;TZID=Customized Time Zone:20261020T100000",
        "DTEND;TZID=Customized Time Zone:20261020T110000",
    )
    source = IcsSource({"east@example.org": customized(10, "e"), WHO: named})
    av = source.availability(["east@example.org", WHO], *WEEK)[WHO]
    check(av, {"2026-10-20T09:00": B, "2026-10-20T10:00": F})


def test_iana_names_stay_iana_whatever_a_file_defines() -> None:
    av = IcsSource({WHO: customized(10, "x", tzid="Europe/London")}).availability([WHO], *WEEK)
    check(av[WHO], {"2026-10-20T09:00": B, "2026-10-20T00:00": F})


def test_duplicate_uids_without_recurrence_id_keep_every_busy_time() -> None:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:same@example.org\r\nDTSTAMP:20261001T000000Z\r\n"
        f"DTSTART:202610{day}T090000Z\r\nDTEND:202610{day}T100000Z\r\nEND:VEVENT\r\n"
        for day in (20, 21, 22)
    )
    content = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{body}END:VCALENDAR\r\n"
    av = IcsSource({WHO: content}).availability([WHO], *WEEK)[WHO]
    assert [i.start for i in av.intervals] == [
        at("2026-10-20T09:00"),
        at("2026-10-21T09:00"),
        at("2026-10-22T09:00"),
    ]


def test_events_without_uid_each_count() -> None:
    body = "".join(
        f"BEGIN:VEVENT\r\nDTSTART:202610{day}T090000Z\r\nDTEND:202610{day}T100000Z"
        "\r\nEND:VEVENT\r\n"
        for day in (20, 21)
    )
    content = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{body}END:VCALENDAR\r\n"
    av = IcsSource({WHO: content}).availability([WHO], *WEEK)[WHO]
    assert len(av.intervals) == 2


def test_far_events_are_left_out_but_series_and_moved_instances_are_not() -> None:
    # A daily series from 2025 with one instance in the week moved a year away,
    # a one-off two years before with a 800-day duration that reaches into the week,
    # and one-offs far outside it.
    content = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20250101T080000Z\r\nDTEND:20250101T083000Z\r\n"
        "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20261021T080000Z\r\n"
        "DTSTART:20271021T080000Z\r\nDTEND:20271021T083000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:long\r\nDTSTART;VALUE=DATE:20240901\r\nDURATION:P800D\r\n"
        "TRANSP:OPAQUE\r\nX-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:far\r\nDTSTART:20300101T080000Z\r\nDTEND:20300101T090000Z\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:past\r\nDTSTART:20200101T080000Z\r\nDTEND:20200101T090000Z\r\n"
        "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nDURATION:P9999D\r\nREPEAT:1\r\nACTION:DISPLAY\r\n"
        "DESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    av = IcsSource({WHO: content}).availability([WHO], *WEEK)[WHO]
    check(
        av,
        {
            "2026-10-20T08:00": B,
            "2026-10-21T08:00": T,
            "2026-10-22T08:00": B,
            "2026-10-22T09:00": T,
        },
    )


def test_a_free_busy_file_whose_events_are_all_far_away_still_covers_the_window() -> None:
    content = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
        "BEGIN:VFREEBUSY\r\nDTSTART:20261019T000000Z\r\nDTEND:20261020T000000Z\r\n"
        "FREEBUSY:20261019T090000Z/PT1H\r\nEND:VFREEBUSY\r\n"
        "BEGIN:VEVENT\r\nUID:far\r\nDTSTART:20300101T080000Z\r\nDTEND:20300101T090000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    av = IcsSource({WHO: content}).availability([WHO], *WEEK)[WHO]
    assert av.coverage == (WEEK,)


# --------------------------------------------------------------------------- limits and problems


def test_limits_are_checked_before_parsing() -> None:
    content = (DATA / "utc_vs_tzid.ics").read_bytes()
    small = CalendarLimits(max_bytes=len(content) - 1)
    with pytest.raises(CalendarError, match=r"bytes, more than the limit of") as caught:
        IcsSource({WHO: content}, limits=small).availability([WHO], *WEEK)
    assert caught.value.line is None
    few = CalendarLimits(max_components=2)
    with pytest.raises(CalendarError, match=r"components, more than the limit of 2"):
        IcsSource({WHO: content}, limits=few).availability([WHO], *WEEK)


def test_limits_come_from_the_policy() -> None:
    policy = Policy().replace(calendar_max_components=3, timezone="Europe/Berlin")
    source = IcsSource.for_policy(
        {WHO: event("DTSTART:20261020T100000", "DTEND:20261020T110000")}, policy
    )
    av = source.availability([WHO], *WEEK)[WHO]
    check(av, {"2026-10-20T08:00": B, "2026-10-20T09:00": F})  # floating = Berlin
    source = IcsSource.for_policy({WHO: (DATA / "utc_vs_tzid.ics").read_bytes()}, policy)
    with pytest.raises(CalendarError, match="limit of 3"):
        source.availability([WHO], *WEEK)


def test_without_strict_an_unreadable_export_makes_its_owner_unknown() -> None:
    broken = (DATA / "outlook_broken_dtstart.ics").read_bytes()
    source = IcsSource(
        {
            WHO: broken,
            "jo@example.org": (DATA / "utc_vs_tzid.ics").read_bytes(),
            "JO@example.org": customized(0, "x"),
            "sam@example.org": broken,
        },
        strict=False,
    )
    result = source.availability([WHO, "jo@example.org"], *WEEK)
    assert result[WHO] == Availability.unknown(WHO, "ics")
    assert result["jo@example.org"].coverage == (WEEK,)
    assert [(p.email, p.line) for p in source.problems] == [(WHO, 9)]


def test_a_person_with_one_unreadable_export_of_two_is_unknown() -> None:
    source = IcsSource(
        {WHO: (DATA / "utc_vs_tzid.ics").read_bytes(), WHO.upper(): b"BEGIN:VCALENDAR\r\n"},
        strict=False,
    )
    assert source.availability([WHO], *WEEK)[WHO].coverage == ()
    assert [p.email for p in source.problems] == [WHO]


# --------------------------------------------------------------------------- cache and workers


class DictCache:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.gets = 0

    def get(self, key: str) -> bytes | None:
        self.gets += 1
        return self.data.get(key)

    def put(self, key: str, value: bytes) -> None:
        self.data[key] = value


def test_a_cached_reading_is_used_instead_of_parsing() -> None:
    cache = DictCache()
    content = (DATA / "outlook_gmt_standard_time.ics").read_bytes()
    first = IcsSource({WHO: content}, cache=cache).availability([WHO], *WEEK)[WHO]
    assert len(cache.data) == 1
    # Prove the second answer comes from the cache: spoil the entry's status.
    key = next(iter(cache.data))
    cache.data[key] = cache.data[key].replace(b'"busy"', b'"oof"')
    second = IcsSource({WHO: content}, cache=cache).availability([WHO], *WEEK)[WHO]
    assert second.coverage == first.coverage
    assert {i.status for i in second.intervals} == {OOF, T}
    # Another window, another zone or other content is another key; a damaged entry is read again.
    IcsSource({WHO: content}, cache=cache).availability([WHO], WEEK[0], WEEK[1] + timedelta(1))
    IcsSource({WHO: content}, cache=cache, zone="Europe/Paris").availability([WHO], *WEEK)
    assert len(cache.data) == 3
    cache.data[key] = b"not json"
    again = IcsSource({WHO: content}, cache=cache).availability([WHO], *WEEK)[WHO]
    assert again == first


def test_unreadable_exports_are_not_cached() -> None:
    cache = DictCache()
    IcsSource({WHO: b"nothing"}, cache=cache, strict=False).availability([WHO], *WEEK)
    assert cache.data == {}


def test_many_exports_read_in_workers_give_the_same_answer() -> None:
    names = sorted(p.name for p in DATA.glob("*.ics") if "broken" not in p.name)
    exports = {
        f"p{i}-{name}@example.org": (DATA / name).read_bytes() for i in range(3) for name in names
    }
    exports["broken@example.org"] = (DATA / "outlook_broken_dtstart.ics").read_bytes()
    assert len(exports) >= POOL_FROM
    pooled = IcsSource(exports, workers=2, strict=False)
    alone = IcsSource(exports, workers=1, strict=False)
    people = sorted(exports)
    assert pooled.availability(people, *WEEK) == alone.availability(people, *WEEK)
    assert [p.email for p in pooled.problems] == ["broken@example.org"]
    assert str(pooled.problems[0]) == str(alone.problems[0])
