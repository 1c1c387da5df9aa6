"""Tests for scheduling.invitations: RFC 5545 / RFC 5546 validity, time zones, privacy, e-mail.

Validity is checked three ways: the strict ``ical`` parser (a separate
implementation from the ``icalendar`` library that writes the documents),
``icalendar`` itself, and explicit checks of the RFC rules written here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.timezone import IcsTimezoneInfo
from invitation_helpers import (
    CASE_REF,
    CHILD_NAME,
    FAMILY_REF,
    FORBIDDEN,
    FREE_TEXT,
    LONDON,
    STAMP,
    attendee_emails,
    check_itip,
    components,
    make_session,
    prop,
    strict_parse,
    text_prop,
    unfold,
)

from allocator.policy import Policy
from scheduling.invitations import (
    PRODID,
    SERVICE_NAME,
    Attendee,
    Person,
    Session,
    cancel_ics,
    eml_bytes,
    release_holds_ics,
    request_ics,
    subject_for,
    summary_for,
    uid_for,
)


@pytest.fixture(scope="module")
def cheshire() -> Policy:
    return Policy.preset("cheshire-west")


# --------------------------------------------------------------------------- REQUEST


def test_request_is_valid_itip(norfolk: Policy) -> None:
    session = make_session(location="Online")
    ics = request_ics(session, norfolk, dtstamp=STAMP)
    event, _ = check_itip(ics, "REQUEST")
    assert prop(event, "UID") == uid_for("R-001")
    assert prop(event, "SEQUENCE") == "0"
    assert prop(event, "STATUS") == "CONFIRMED"
    assert prop(event, "SUMMARY") == "Joint Agency Group Supervision – R-001"
    assert prop(event, "LOCATION") == "Online"
    assert prop(event, "DTSTAMP") == "20270301T090000Z"
    assert attendee_emails(event) == [a.email for a in session.attendees]
    assert 'ORGANIZER;CN="NSCP Business Unit":mailto:jags@nscp.example.org' in unfold(ics)
    assert (
        'ATTENDEE;CN="Fay Facilitator";ROLE=CHAIR;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:'
        "mailto:fay.facilitator@health.example.org" in unfold(ics)
    )


def test_request_parses_strictly_with_independent_library(norfolk: Policy) -> None:
    session = make_session()
    calendar = strict_parse(request_ics(session, norfolk, dtstamp=STAMP))
    event = calendar.events[0]  # type: ignore[attr-defined]
    assert calendar.method == "REQUEST"  # type: ignore[attr-defined]
    assert calendar.prodid == PRODID  # type: ignore[attr-defined]
    assert event.uid == uid_for("R-001")
    assert event.sequence == 0
    assert event.dtstart == session.start
    assert event.dtend == session.end
    assert event.organizer.uri == "mailto:jags@nscp.example.org"
    assert [a.uri for a in event.attendees] == [f"mailto:{a.email}" for a in session.attendees]
    assert [a.role for a in event.attendees] == [a.role for a in session.attendees]
    assert [a.common_name for a in event.attendees] == [a.name for a in session.attendees]
    assert all(a.status == "NEEDS-ACTION" and a.rsvp for a in event.attendees)


def test_request_parses_with_icalendar(norfolk: Policy) -> None:
    ics = request_ics(make_session(), norfolk, dtstamp=STAMP)
    calendar = icalendar.Calendar.from_ical(ics)
    calendar.validate()
    assert calendar.to_ical(sorted=False) == ics  # stable under a parse/serialise cycle
    (event,) = calendar.events
    assert datetime(2027, 3, 30, 14, 0, tzinfo=LONDON) == event.DTSTART
    assert event["SUMMARY"] == f"{SERVICE_NAME} – R-001"


def test_description_explains_jags_and_feedback(norfolk: Policy) -> None:
    ics = request_ics(make_session(), norfolk, dtstamp=STAMP)
    description = str(icalendar.Calendar.from_ical(ics).events[0]["DESCRIPTION"])
    assert "reflective" in description
    assert "not a case planning" in description
    assert "last 5 minutes" in description
    assert "feedback form" in description
    assert "chronolog" not in description.lower()
    assert "Norfolk Safeguarding Children Partnership" in description
    ics10 = request_ics(make_session(), norfolk.replace(feedback_minutes=10), dtstamp=STAMP)
    assert "last 10 minutes" in str(icalendar.Calendar.from_ical(ics10).events[0]["DESCRIPTION"])


def test_description_names_chronology_deadline_when_required(cheshire: Policy) -> None:
    ics = request_ics(make_session(), cheshire, dtstamp=STAMP)
    description = str(icalendar.Calendar.from_ical(ics).events[0]["DESCRIPTION"])
    assert "chronology" in description
    assert "2 working days before the session" in description
    one = cheshire.replace(chronology_due_days=1)
    ics1 = request_ics(make_session(), one, dtstamp=STAMP)
    description1 = str(icalendar.Calendar.from_ical(ics1).events[0]["DESCRIPTION"])
    assert "1 working day before" in description1


# --------------------------------------------------------------------------- time zones


def test_vtimezone_is_rrule_form_without_rdate(norfolk: Policy) -> None:
    ics = request_ics(make_session(), norfolk, dtstamp=STAMP)
    comps = components(ics)
    assert b"RDATE" not in ics
    (vtimezone,) = comps["VTIMEZONE"]
    assert vtimezone == [("TZID", "", "Europe/London")]
    for kind, month, offset_from, offset_to in (
        ("DAYLIGHT", 3, "+0000", "+0100"),
        ("STANDARD", 10, "+0100", "+0000"),
    ):
        (observance,) = comps[kind]
        values = {name: value for name, _, value in observance}
        assert set(values) == {"TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "DTSTART", "RRULE"}
        rule = dict(part.split("=") for part in values["RRULE"].split(";"))
        assert rule == {"FREQ": "YEARLY", "BYMONTH": str(month), "BYDAY": "-1SU"}
        assert (values["TZOFFSETFROM"], values["TZOFFSETTO"]) == (offset_from, offset_to)
        # DTSTART is local (no Z, no TZID) and is the rule's own first onset.
        dtstart = datetime.strptime(values["DTSTART"], "%Y%m%dT%H%M%S")
        first = rrulestr(values["RRULE"], dtstart=dtstart)[0]
        assert first == dtstart
        # The onset is 01:00 UTC, written in the offset in force before it.
        utc_hour = dtstart.hour - int(offset_from[1:3])
        assert utc_hour == 1


def test_vtimezone_agrees_with_tzdata_2000_to_2070(norfolk: Policy) -> None:
    calendar = strict_parse(request_ics(make_session(), norfolk, dtstamp=STAMP))
    from_vtimezone = IcsTimezoneInfo.from_timezone(calendar.timezones[0])  # type: ignore[attr-defined]
    ours = icalendar.Calendar.from_ical(request_ics(make_session(), norfolk, dtstamp=STAMP))
    from_icalendar = ours.timezones[0].to_tz(lookup_tzid=False)
    for year in range(2000, 2071):
        for month, day in ((1, 15), (3, 20), (3, 31), (4, 1), (7, 1), (10, 20), (10, 31), (11, 1)):
            for hour in (0, 3, 12, 23):
                local = datetime(year, month, day, hour)
                expected = local.replace(tzinfo=LONDON).utcoffset()
                assert local.replace(tzinfo=from_vtimezone).utcoffset() == expected, local
                assert local.replace(tzinfo=from_icalendar).utcoffset() == expected, local


@pytest.mark.parametrize(
    ("local", "utc_text"),
    [
        (datetime(2027, 3, 30, 14, 0), "20270330T130000Z"),  # BST
        (datetime(2027, 1, 12, 14, 0), "20270112T140000Z"),  # GMT
        (datetime(2027, 3, 26, 9, 0), "20270326T090000Z"),  # Friday before the change
        (datetime(2027, 3, 29, 9, 0), "20270329T080000Z"),  # Monday after it
        (datetime(2027, 10, 29, 16, 45), "20271029T154500Z"),
        (datetime(2027, 11, 1, 16, 45), "20271101T164500Z"),
    ],
)
def test_local_time_correct_in_bst_and_gmt(norfolk: Policy, local: datetime, utc_text: str) -> None:
    # Given in UTC, written as London wall-clock time.
    start_utc = datetime.strptime(utc_text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    ics = request_ics(make_session(start_utc), norfolk, dtstamp=STAMP)
    event, _ = check_itip(ics, "REQUEST")
    ((params, value),) = [(p, v) for n, p, v in event if n == "DTSTART"]
    assert params == ";TZID=Europe/London"
    assert value == local.strftime("%Y%m%dT%H%M%S")
    # Resolved from our VTIMEZONE alone (the TZID renamed so no parser can look it up).
    renamed = ics.replace(b"Europe/London", b"JAGS-Test-Zone")
    parsed = strict_parse(renamed).events[0]  # type: ignore[attr-defined]
    assert parsed.dtstart.astimezone(UTC) == start_utc
    assert parsed.dtend.astimezone(UTC) == start_utc + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("zone", "utc_start", "local_start"),
    [
        ("Europe/Dublin", "20270330T130000Z", "20270330T140000"),
        ("America/New_York", "20270330T130000Z", "20270330T090000"),
        ("Australia/Sydney", "20270330T130000Z", "20270331T000000"),
    ],
)
def test_the_policy_zone_is_written_with_its_own_vtimezone(
    norfolk: Policy, zone: str, utc_start: str, local_start: str
) -> None:
    policy = norfolk.replace(timezone=zone)
    start = datetime.strptime(utc_start, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    ics = request_ics(make_session(start), policy, dtstamp=STAMP)
    event, _ = check_itip(ics, "REQUEST")
    ((params, value),) = [(p, v) for n, p, v in event if n == "DTSTART"]
    assert (params, value) == (f";TZID={zone}", local_start)
    (vtimezone,) = components(ics)["VTIMEZONE"]
    assert vtimezone == [("TZID", "", zone)]
    assert b"RDATE" not in ics
    renamed = ics.replace(zone.encode(), b"JAGS-Test-Zone")  # resolved from our VTIMEZONE alone
    parsed = strict_parse(renamed).events[0]  # type: ignore[attr-defined]
    assert parsed.dtstart.astimezone(UTC) == start


@pytest.mark.parametrize("zone", ["Africa/Casablanca", "Asia/Kolkata"])
def test_a_zone_without_yearly_rules_is_written_in_utc(norfolk: Policy, zone: str) -> None:
    # Casablanca's clocks follow Ramadan; Kolkata's never change.
    ics = request_ics(make_session(), norfolk.replace(timezone=zone), dtstamp=STAMP)
    event, _ = check_itip(ics, "REQUEST")
    assert "VTIMEZONE" not in components(ics)
    assert prop(event, "DTSTART") == "20270330T130000Z"
    assert prop(event, "DTEND") == "20270330T143000Z"


def test_older_times_get_the_rules_of_their_own_years(norfolk: Policy) -> None:
    # In 1995 British Summer Time ended on the fourth Sunday of October (the 22nd), not
    # the last: the VTIMEZONE written for a 1995 session says so, and names the instant.
    early = datetime(1995, 10, 23, 10, 0, tzinfo=LONDON)
    ics = request_ics(make_session(early), norfolk, dtstamp=STAMP)
    event, _ = check_itip(ics, "REQUEST")
    assert prop(event, "DTSTART") == "19951023T100000"
    assert b"BYDAY=4SU;BYMONTH=10" in ics
    parsed = strict_parse(ics.replace(b"Europe/London", b"JAGS-Test-Zone")).events[0]  # type: ignore[attr-defined]
    assert parsed.dtstart.astimezone(UTC) == early.astimezone(UTC)


def test_repeated_october_hour_is_written_in_utc(norfolk: Policy) -> None:
    # 01:30 on 31 Oct 2027 happens twice in London: only UTC names it exactly.
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    ics = request_ics(make_session(second, 30), norfolk, dtstamp=STAMP)
    event, _ = check_itip(ics, "REQUEST")
    assert prop(event, "DTSTART") == "20271031T013000Z"
    parsed = strict_parse(ics).events[0]  # type: ignore[attr-defined]
    assert parsed.dtstart == second


# --------------------------------------------------------------------------- update, cancel, holds


def test_update_keeps_uid_and_raises_sequence(norfolk: Policy) -> None:
    first = request_ics(make_session(), norfolk, dtstamp=STAMP)
    moved = make_session(datetime(2027, 4, 1, 10, 0, tzinfo=LONDON), sequence=1)
    second = request_ics(moved, norfolk, dtstamp=STAMP + timedelta(days=2))
    event1, _ = check_itip(first, "REQUEST")
    event2, _ = check_itip(second, "REQUEST")
    assert prop(event1, "UID") == prop(event2, "UID")
    assert int(prop(event2, "SEQUENCE")) == int(prop(event1, "SEQUENCE")) + 1
    assert prop(event2, "DTSTART") == "20270401T100000"
    assert prop(event2, "DTSTAMP") == "20270303T090000Z"


def test_cancel_is_valid_itip(norfolk: Policy) -> None:
    session = make_session(sequence=2)
    request = request_ics(make_session(), norfolk, dtstamp=STAMP)
    ics = cancel_ics(session, norfolk, dtstamp=STAMP + timedelta(days=1))
    event, _ = check_itip(ics, "CANCEL")
    assert prop(event, "UID") == prop(check_itip(request, "REQUEST")[0], "UID")
    assert prop(event, "SEQUENCE") == "2"
    assert prop(event, "STATUS") == "CANCELLED"
    assert attendee_emails(event) == [a.email for a in session.attendees]
    calendar = strict_parse(ics)
    assert calendar.method == "CANCEL"  # type: ignore[attr-defined]
    assert str(calendar.events[0].status).endswith("CANCELLED")  # type: ignore[attr-defined]


def test_hold_has_its_own_uid_and_is_tentative(norfolk: Policy) -> None:
    session = make_session()
    holds = {
        option: request_ics(session, norfolk, dtstamp=STAMP, hold=True, option=option)
        for option in (1, 2, 3)
    }
    uids = set()
    for option, ics in holds.items():
        event, _ = check_itip(ics, "REQUEST")
        assert prop(event, "STATUS") == "TENTATIVE"
        assert text_prop(event, "SUMMARY") == (
            f"{SERVICE_NAME} – R-001 (provisional hold, option {option})"
        )
        assert prop(event, "UID") == uid_for(f"R-001-hold-{option}")
        uids.add(prop(event, "UID"))
        strict_parse(ics)
    assert len(uids) == 3
    assert uid_for("R-001") not in uids


def test_hold_and_option_must_agree(norfolk: Policy) -> None:
    with pytest.raises(ValueError, match="hold"):
        request_ics(make_session(), norfolk, dtstamp=STAMP, hold=True)
    with pytest.raises(ValueError, match="hold"):
        request_ics(make_session(), norfolk, dtstamp=STAMP, option=1)
    with pytest.raises(ValueError, match="option"):
        request_ics(make_session(), norfolk, dtstamp=STAMP, hold=True, option=0)


def test_release_holds_cancels_each_hold_uid(norfolk: Policy) -> None:
    held = {
        2: make_session(datetime(2027, 4, 2, 10, tzinfo=LONDON), sequence=1),
        1: make_session(sequence=1),
    }
    released = release_holds_ics(held, norfolk, dtstamp=STAMP)
    assert list(released) == [1, 2]
    for option, ics in released.items():
        event, _ = check_itip(ics, "CANCEL")
        assert prop(event, "UID") == uid_for(f"R-001-hold-{option}")
        assert prop(event, "SEQUENCE") == "1"
        assert "option" in prop(event, "SUMMARY")
    assert prop(check_itip(released[2], "CANCEL")[0], "DTSTART") == "20270402T100000"


# --------------------------------------------------------------------------- determinism, privacy


def test_same_inputs_give_identical_bytes(norfolk: Policy) -> None:
    one = request_ics(make_session(), norfolk, dtstamp=STAMP)
    two = request_ics(make_session(), norfolk, dtstamp=STAMP)
    assert one == two
    assert cancel_ics(make_session(), norfolk, dtstamp=STAMP) == cancel_ics(
        make_session(), norfolk, dtstamp=STAMP
    )
    other = request_ics(make_session(), norfolk, dtstamp=STAMP + timedelta(seconds=1))
    assert other != one
    # Sub-second stamps are dropped, not written.
    assert request_ics(make_session(), norfolk, dtstamp=STAMP.replace(microsecond=7)) == one


def test_uid_is_stable_and_reveals_only_a_hash() -> None:
    assert uid_for("R-001") == uid_for("R-001")
    assert uid_for("R-001") != uid_for("R-002")
    assert uid_for("R-001").endswith("@jags-planner.invalid")
    assert "R-001" not in uid_for("R-001")
    assert uid_for("R-001", domain="nscp.example.org").endswith("@nscp.example.org")


def test_privacy_nothing_but_request_id_and_service_name(norfolk: Policy, cheshire: Policy) -> None:
    # A request record as the workspace holds it; the invitation API never sees
    # its other fields, and nothing of them may show in any output.
    record = {
        "request_id": "R-001",
        "case_ref": CASE_REF,
        "family_ref": FAMILY_REF,
        "topic": FREE_TEXT,
        "child": CHILD_NAME,
    }
    session = make_session(request_id=record["request_id"], location="Online")
    documents = [
        request_ics(session, norfolk, dtstamp=STAMP),
        request_ics(session, cheshire, dtstamp=STAMP, hold=True, option=1),
        cancel_ics(session, norfolk, dtstamp=STAMP),
        *release_holds_ics({1: session}, norfolk, dtstamp=STAMP).values(),
    ]
    for ics in documents:
        text = "\n".join(unfold(ics))
        for forbidden in FORBIDDEN:
            assert forbidden not in text
        assert record["request_id"] in text
        event = components(ics)["VEVENT"][0]
        summary = text_prop(event, "SUMMARY")
        assert (
            re.sub(r" \(provisional hold, option \d+\)$", "", summary) == f"{SERVICE_NAME} – R-001"
        )
        subject = subject_for("R-001", method="REQUEST")
        eml = eml_bytes(
            ics,
            method=prop(components(ics)["VCALENDAR"][0], "METHOD"),
            sender=session.organizer,
            recipients=[session.organizer],
            subject=subject,
            text="See the attached invitation.",
            date=STAMP,
            message_id="<x@nscp.example.org>",
        )
        parsed = message_from_bytes(eml, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        for part in parsed.walk():
            if not part.is_multipart():
                body = part.get_content()
                body = body.decode("utf-8") if isinstance(body, bytes) else body
                assert all(f not in body for f in FORBIDDEN)
                if part.get_filename():
                    assert part.get_filename() == "invite.ics"
        assert all(f not in str(parsed["Subject"]) for f in FORBIDDEN)


def test_subjects_and_summaries() -> None:
    assert summary_for("R-9") == "Joint Agency Group Supervision – R-9"
    assert (
        subject_for("R-9", method="REQUEST") == "Invitation: Joint Agency Group Supervision – R-9"
    )
    assert subject_for("R-9", method="REQUEST", update=True).startswith("Updated invitation: ")
    assert subject_for("R-9", method="CANCEL").startswith("Cancelled: ")
    assert (
        subject_for("R-9", method="CANCEL", option=2)
        == "Released: Joint Agency Group Supervision – R-9 (provisional hold, option 2)"
    )
    with pytest.raises(ValueError, match="method"):
        subject_for("R-9", method="PUBLISH")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2027, 3, 30, 14, 0)}, "naive"),
        ({"end": datetime(2027, 3, 30, 13, 0, tzinfo=LONDON)}, "not after"),
        ({"start": datetime(2027, 3, 30, 14, 0, 0, 5, tzinfo=LONDON)}, "whole seconds"),
        ({"attendees": ()}, "no attendees"),
        (
            {
                "attendees": (
                    Attendee("A", "a@x.org", "CHAIR"),
                    Attendee("B", "A@X.org", "REQ-PARTICIPANT"),
                )
            },
            "twice",
        ),
        ({"sequence": -1}, "negative"),
        ({"request_id": "R-1\r\nX-INJECTED:1"}, "control"),
        ({"request_id": " "}, "empty"),
        ({"location": "Room 1\nline two"}, "control"),
    ],
)
def test_session_validation(change: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "request_id": "R-001",
        "start": datetime(2027, 3, 30, 14, 0, tzinfo=LONDON),
        "end": datetime(2027, 3, 30, 15, 30, tzinfo=LONDON),
        "organizer": Person("BU", "bu@x.org"),
        "attendees": (Attendee("A", "a@x.org", "CHAIR"),),
    }
    with pytest.raises(ValueError, match=message):
        Session(**{**base, **change})  # type: ignore[arg-type]


def test_person_and_attendee_validation() -> None:
    with pytest.raises(ValueError, match="e-mail"):
        Person("A", "not-an-address")
    with pytest.raises(ValueError, match="e-mail"):
        Person("A", "A <a@x.org>")
    with pytest.raises(ValueError, match="control"):
        Person("A\r\nBcc: evil@x.org", "a@x.org")
    with pytest.raises(ValueError, match="role"):
        Attendee("A", "a@x.org", "NON-PARTICIPANT")  # type: ignore[arg-type]


def test_double_quote_in_name_is_not_written_raw(norfolk: Policy) -> None:
    session = Session(
        "R-7",
        datetime(2027, 3, 30, 14, tzinfo=LONDON),
        datetime(2027, 3, 30, 15, tzinfo=LONDON),
        Person("BU", "bu@x.org"),
        (Attendee('Sam "Sammy" Lee', "sam@x.org", "CHAIR"),),
    )
    ics = request_ics(session, norfolk, dtstamp=STAMP)
    check_itip(ics, "REQUEST")
    assert "CN=\"Sam 'Sammy' Lee\"" in "\n".join(unfold(ics))
    strict_parse(ics)


def test_naive_dtstamp_refused(norfolk: Policy) -> None:
    with pytest.raises(ValueError, match="naive"):
        request_ics(make_session(), norfolk, dtstamp=datetime(2027, 3, 1, 9))


# --------------------------------------------------------------------------- property test

ZONES = [LONDON, UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.sampled_from(ZONES),
    ).map(lambda d: d.replace(microsecond=0)),
    minutes=st.integers(min_value=15, max_value=8 * 60),
    sequence=st.integers(min_value=0, max_value=50),
    cancel=st.booleans(),
)
def test_round_trip_keeps_instants(
    start: datetime, minutes: int, sequence: int, cancel: bool
) -> None:
    policy = Policy()
    session = make_session(start, minutes, sequence=sequence)
    if cancel:
        ics = cancel_ics(session, policy, dtstamp=STAMP)
    else:
        ics = request_ics(session, policy, dtstamp=STAMP)
    check_itip(ics, "CANCEL" if cancel else "REQUEST")
    # Independent strict parser, and our VTIMEZONE alone (renamed TZID).
    for document in (ics, ics.replace(b"Europe/London", b"JAGS-Test-Zone")):
        event = strict_parse(document).events[0]  # type: ignore[attr-defined]
        assert event.dtstart.astimezone(UTC) == session.start.astimezone(UTC)
        assert event.dtend.astimezone(UTC) == session.end.astimezone(UTC)
        assert event.sequence == sequence
    (event,) = icalendar.Calendar.from_ical(ics).events
    assert event.DTSTART.astimezone(UTC) == session.start.astimezone(UTC)
    assert event.DTEND.astimezone(UTC) == session.end.astimezone(UTC)
