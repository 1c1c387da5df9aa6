"""Builders and readers shared by the tests of scheduling.invitations and scheduling.imip."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ical.calendar_stream import IcsCalendarStream

from scheduling.invitations import PRODID, Attendee, Person, Session

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

# What the request record holds besides the session: none of it may ever appear.
CASE_REF = "CASE-2027-77813"
FAMILY_REF = "FAM-55120"
CHILD_NAME = "Ellie-Mae Tranter"
FREE_TEXT = "Concerns about neglect at home and missed appointments"
FORBIDDEN = (CASE_REF, FAMILY_REF, CHILD_NAME, "Ellie", "Tranter", FREE_TEXT, "neglect")


def make_session(
    start: datetime = datetime(2027, 3, 30, 14, 0, tzinfo=LONDON),
    minutes: int = 90,
    *,
    request_id: str = "R-001",
    sequence: int = 0,
    location: str | None = None,
) -> Session:
    return Session(
        request_id=request_id,
        start=start,
        end=start + timedelta(minutes=minutes),
        organizer=Person("NSCP Business Unit", "jags@nscp.example.org"),
        attendees=(
            Attendee("Fay Facilitator", "fay.facilitator@health.example.org", "CHAIR"),
            Attendee("Rob Requester", "rob.requester@school.example.org", "REQ-PARTICIPANT"),
            Attendee("Pat O'Neill, Jr", "pat.oneill@police.example.org", "REQ-PARTICIPANT"),
            Attendee("Zoë Ångström", "zoe@earlyhelp.example.org", "OPT-PARTICIPANT"),
            Attendee("NSCP Business Unit", "jags@nscp.example.org", "OPT-PARTICIPANT"),
        ),
        sequence=sequence,
        location=location,
    )


def physical_lines(ics: bytes) -> list[bytes]:
    assert ics.endswith(b"\r\n")
    return ics[:-2].split(b"\r\n")


def unfold(ics: bytes) -> list[str]:
    """Content lines after unfolding (RFC 5545 3.1), decoded as UTF-8."""
    lines: list[str] = []
    for raw in physical_lines(ics):
        text = raw.decode("utf-8")
        if text.startswith((" ", "\t")):
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


CONTENT_LINE = re.compile(r"^(?P<name>[A-Za-z0-9-]+)(?P<params>(;[^:]*)?):(?P<value>.*)$")


def components(ics: bytes) -> dict[str, list[list[tuple[str, str, str]]]]:
    """Component name → list of (name, params, value) lists, one per component instance."""
    found: dict[str, list[list[tuple[str, str, str]]]] = {}
    stack: list[tuple[str, list[tuple[str, str, str]]]] = []
    for line in unfold(ics):
        match = CONTENT_LINE.match(line)
        assert match, f"not a content line: {line!r}"
        name, params, value = match["name"].upper(), match["params"], match["value"]
        if name == "BEGIN":
            stack.append((value, []))
        elif name == "END":
            begun, props = stack.pop()
            assert begun == value, f"END:{value} closes BEGIN:{begun}"
            found.setdefault(value, []).append(props)
        else:
            assert stack, f"property outside any component: {line!r}"
            stack[-1][1].append((name, params, value))
    assert not stack, "unclosed component"
    return found


def strict_parse(ics: bytes) -> object:
    """Parse with the strict, independent ``ical`` library (raises on invalid input)."""
    return IcsCalendarStream.calendar_from_ics(ics.decode("utf-8"))


def check_itip(ics: bytes, method: str) -> tuple[list[tuple[str, str, str]], Counter[str]]:
    """Explicit RFC 5545 / RFC 5546 (3.2.2 REQUEST, 3.2.5 CANCEL) checks; returns the VEVENT."""
    lines = physical_lines(ics)
    assert b"\n" not in ics.replace(b"\r\n", b""), "bare LF"
    assert b"\r" not in ics.replace(b"\r\n", b""), "bare CR"
    for line in lines:
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            assert line[1:2] not in (b"",), "empty continuation"
    # A fold never splits a UTF-8 character.
    for line in lines:
        line.decode("utf-8")

    comps = components(ics)
    assert len(comps["VCALENDAR"]) == 1
    calendar = Counter(name for name, _, _ in comps["VCALENDAR"][0])
    assert calendar == Counter({"PRODID": 1, "VERSION": 1, "CALSCALE": 1, "METHOD": 1})
    values = {name: value for name, _, value in comps["VCALENDAR"][0]}
    assert values == {"PRODID": PRODID, "VERSION": "2.0", "CALSCALE": "GREGORIAN", "METHOD": method}
    assert len(comps["VEVENT"]) == 1, "one iTIP object carries one event"
    event = comps["VEVENT"][0]
    counts = Counter(name for name, _, _ in event)
    once = ["UID", "DTSTAMP", "SEQUENCE", "ORGANIZER", "DTSTART", "DTEND", "STATUS", "SUMMARY"]
    for name in once:
        assert counts[name] == 1, f"{method}: {name} must appear exactly once"
    assert counts["ATTENDEE"] >= 1
    assert counts["DURATION"] == 0, "DTEND and DURATION must not both appear"
    assert counts["RDATE"] == counts["RRULE"] == counts["RECURRENCE-ID"] == 0

    props = {name: (params, value) for name, params, value in event if name != "ATTENDEE"}
    assert re.fullmatch(r"\d{8}T\d{6}Z", props["DTSTAMP"][1]), "DTSTAMP must be UTC"
    assert re.fullmatch(r"\d+", props["SEQUENCE"][1])
    assert props["ORGANIZER"][1].startswith("mailto:")
    for name, params, value in event:
        if name == "ATTENDEE":
            assert value.startswith("mailto:")
            assert re.search(r";ROLE=(CHAIR|REQ-PARTICIPANT|OPT-PARTICIPANT)(;|$)", params)
            assert ";PARTSTAT=NEEDS-ACTION" in params
            assert ";RSVP=TRUE" in params
            assert params.startswith(';CN="')
    if method == "CANCEL":
        assert props["STATUS"][1] == "CANCELLED"
    else:
        assert props["STATUS"][1] in ("CONFIRMED", "TENTATIVE")
        assert props["TRANSP"][1] == "OPAQUE"

    # Every TZID used is defined by a VTIMEZONE in the same object (RFC 5545 3.2.19).
    used = {m for _, params, _ in event for m in re.findall(r";TZID=([^;:]+)", params)}
    defined = {
        value
        for props_ in comps.get("VTIMEZONE", [])
        for name, _, value in props_
        if name == "TZID"
    }
    assert used <= defined
    assert len(defined) == len(comps.get("VTIMEZONE", []))
    return event, counts


def prop(event: list[tuple[str, str, str]], name: str) -> str:
    values = [value for key, _, value in event if key == name]
    assert len(values) == 1
    return values[0]


def text_prop(event: list[tuple[str, str, str]], name: str) -> str:
    """A TEXT property's value with RFC 5545 3.3.11 escapes undone."""
    escapes = {"\\\\": "\\", "\\,": ",", "\\;": ";", "\\n": "\n", "\\N": "\n"}
    return re.sub(r"\\[\\,;nN]", lambda m: escapes[m.group(0)], prop(event, name))


def attendee_emails(event: list[tuple[str, str, str]]) -> list[str]:
    return [value.removeprefix("mailto:") for key, _, value in event if key == "ATTENDEE"]
