"""What the components of a parsed iCalendar export mean for its owner's time.

Recurrence expansion (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides,
X-WR-TIMEZONE) is done by :mod:`recurring_ical_events`; this module decides
what each occurrence means.

How an event counts (first rule that applies):

1. ``STATUS:CANCELLED`` — does not block (also for a single cancelled
   instance of a series).
2. Outlook's ``X-MICROSOFT-CDO-BUSYSTATUS`` — ``FREE`` and
   ``WORKINGELSEWHERE`` are free, ``TENTATIVE`` tentative, ``BUSY`` busy,
   ``OOF`` out-of-office (all-day or not).
3. The calendar owner listed as an ``ATTENDEE`` with ``PARTSTAT=DECLINED``
   (Google keeps declined invitations in its export) — free.
4. ``TRANSP:TRANSPARENT`` — free (Google's birthdays and working
   locations, "show as available" events).
5. ``STATUS:TENTATIVE``, or the owner's ``PARTSTAT=TENTATIVE`` — tentative.
6. Anything else, all-day events included — busy.

``VFREEBUSY`` components, and how much of the window an export covers, are
read by :mod:`scheduling.sources.ics_freebusy`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from icalendar.parser import Contentline
from recurring_ical_events import EventAdapter
from recurring_ical_events.util import with_highest_sequence

from scheduling.availability import Interval, Status
from scheduling.sources._util import clipped, normalise_email
from scheduling.sources.errors import CalendarError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from scheduling.sources._util import Span

log = logging.getLogger("scheduling")

TIME_PROPERTIES = frozenset(
    {
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "EXRULE",
        "RECURRENCE-ID",
        "FREEBUSY",
        "STATUS",
        "TRANSP",
        "X-MICROSOFT-CDO-BUSYSTATUS",
        "TZOFFSETFROM",
        "TZOFFSETTO",
    }
)
"""Properties whose damage makes a calendar's times untrustworthy."""

_CDO_BUSY_STATUS = {
    "FREE": Status.FREE,
    "WORKINGELSEWHERE": Status.FREE,
    "TENTATIVE": Status.TENTATIVE,
    "BUSY": Status.BUSY,
    "OOF": Status.OOF,
}

PAD = timedelta(days=1)
"""Expansion looks this far either side of the window so that floating and
all-day occurrences near its edges are never missed; results are clipped."""


def rules_supported(component: icalendar.cal.Component) -> bool:
    """Whether every RRULE repeats at most hourly with a positive interval.

    A zero interval makes the expansion loop forever, and per-second or
    per-minute rules (which no calendar program writes) can make it huge.
    """
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        frequencies = [str(f).upper() for f in rule.get("FREQ", [])]
        intervals = rule.get("INTERVAL", [1])
        if any(f in ("SECONDLY", "MINUTELY") for f in frequencies) or any(
            not isinstance(i, int) or i < 1 for i in intervals
        ):
            return False
    return True


@dataclass(frozen=True)
class OneOff:
    """An event that does not repeat, read from its content lines alone.

    ``start`` and ``end`` as icalendar gives them (dates, floating or aware
    date-times); ``status`` as :func:`status_of` says.
    """

    start: date | datetime
    end: date | datetime
    status: Status | None


class Unreadable(ValueError):
    """A property of a one-off event whose value cannot be read (``name``)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


_ONE_OFF_VALUES = frozenset({"", "DATE", "DATE-TIME"})


def read_one_off(lines: Sequence[str], owner: str) -> OneOff | None:
    """A one-off event from its unfolded content lines, or ``None`` when it needs the full parser.

    The lines are split by icalendar's content-line parser and the times read
    by its value types (``vDDDTypes``, ``vDuration``), without building a
    component: most of a calendar is one-off meetings, and this is several
    times faster. The end is the ``DTEND``, else ``DTSTART`` + ``DURATION``,
    else one day after a date and the start itself for a date-time
    (RFC 5545 §3.6.1). ``owner``'s ``ATTENDEE`` line gives the answer.

    Raises
    ------
    Unreadable
        A time that cannot be read, or what icalendar refuses too: both
        ``DTEND`` and ``DURATION``, a date lasting part of a day, a date
        ended by a date-time (or the other way round). An end before the
        start is read as it is, as icalendar does; such an event blocks no time.
    """
    values: dict[str, str] = {}
    tzids: dict[str, str | None] = {}
    partstat = ""
    for line in lines:
        try:
            name, params, value = Contentline(line).parts()  # type: ignore[no-untyped-call]
        except ValueError:
            raise Unreadable(line.split(":", 1)[0].split(";", 1)[0].upper()) from None
        name = name.upper()
        if name == "ATTENDEE":
            if normalise_email(value) == owner:
                partstat = str(params.get("PARTSTAT", "")).upper()
            continue
        if (
            name in ("DTSTART", "DTEND")
            and str(params.get("VALUE", "")).upper() not in _ONE_OFF_VALUES
        ):
            return None
        if name in values:
            return None  # a property given twice: the full parser decides
        values[name] = value
        tzids[name] = params.get("TZID")
    if "DTSTART" not in values:
        return None
    start = _time_value("DTSTART", values["DTSTART"], tzids["DTSTART"])
    if "DTEND" in values and "DURATION" in values:
        raise Unreadable("DURATION")  # RFC 5545: one or the other
    if "DTEND" in values:
        end = _time_value("DTEND", values["DTEND"], tzids["DTEND"])
    elif "DURATION" in values:
        try:
            length = icalendar.vDuration.from_ical(  # type: ignore[no-untyped-call]
                values["DURATION"]
            )
        except (ValueError, TypeError):
            raise Unreadable("DURATION") from None
        if not isinstance(start, datetime) and length.seconds:
            raise Unreadable("DURATION")  # RFC 5545: a date lasts whole days or weeks
        end = start + length
    else:
        end = start + timedelta(days=1) if not isinstance(start, datetime) else start
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise Unreadable("DTEND")  # a date ended by a time, or the other way round
    status = status_of(
        values.get("STATUS", "").strip().upper(),
        values.get("X-MICROSOFT-CDO-BUSYSTATUS", "").strip().upper(),
        values.get("TRANSP", "").strip().upper(),
        partstat,
    )
    return OneOff(start, end, status)


def _time_value(name: str, value: str, tzid: str | None) -> date | datetime:
    try:
        found = icalendar.vDDDTypes.from_ical(value, tzid)  # type: ignore[no-untyped-call]
    except (ValueError, TypeError):
        raise Unreadable(name) from None
    if not isinstance(found, date):
        raise Unreadable(name)
    _warn_if_floating(tzid, found)
    return found


def occurrences(
    email: str,
    calendar: icalendar.Calendar,
    window: Span,
    zone: ZoneInfo,
    lines: Mapping[str, int],
    one_offs: Sequence[OneOff] = (),
) -> Iterator[Interval]:
    """The blocking occurrences of ``calendar``'s events, cut to ``window``.

    A one-off event (no RRULE, RDATE, EXDATE or RECURRENCE-ID, and no
    override of its UID) is its own only occurrence and is read directly;
    series go through :mod:`recurring_ical_events`. Floating times are in
    the calendar's ``X-WR-TIMEZONE`` when it names one (as that library
    reads them), else in ``zone``. ``lines`` gives each event's line by UID,
    named when its repeats or times cannot be read.
    """
    singles, series = _split(calendar)
    floating = _calendar_zone(email, calendar, zone)
    for event in singles:
        yield from _blocking(email, event, window, floating, lines)
    for one in one_offs:
        interval = (
            clipped(as_utc(one.start, floating), as_utc(one.end, floating), one.status, window)
            if one.status is not None
            else None
        )
        if interval is not None:
            yield interval
    if not series.subcomponents:
        return
    statuses = _series_statuses(email, series)
    try:
        found = _expand(series, window)
    except Exception as exc:  # the library raises many types for bad data
        line = _culprit(series, window, lines)
        what = f"has an event whose times or repeats cannot be read ({type(exc).__name__})"
        raise CalendarError(
            f"the calendar for {email} {what}" + (f" (line {line})" if line else ""),
            email=email,
            line=line,
            reason=what,
        ) from None
    for occurrence in found:
        ids = occurrence.recurrence_ids
        status = statuses.get((occurrence.uid, ids[0] if ids else None))
        if status is None:
            continue
        interval = clipped(
            as_utc(occurrence.start, zone), as_utc(occurrence.end, zone), status, window
        )
        if interval is not None:
            yield interval


def _series_statuses(
    email: str, series: icalendar.Calendar
) -> dict[tuple[str, Any], Status | None]:
    """What each event of the series means, keyed as recurring_ical_events names occurrences.

    ``(UID, None)`` for the event that repeats, ``(UID, RECURRENCE-ID)`` for
    an override; where two events share a key, the one with the highest
    SEQUENCE counts, as in the library.
    """
    chosen: dict[tuple[str, Any], Any] = {}
    events: dict[int, Any] = {}
    for event in series.walk("VEVENT"):
        adapter = EventAdapter(event)
        events[id(adapter)] = event
        for key in [(adapter.uid, rid) for rid in adapter.recurrence_ids] or [(adapter.uid, None)]:
            chosen[key] = with_highest_sequence(chosen.get(key), adapter)
    return {key: _event_status(events[id(adapter)], email) for key, adapter in chosen.items()}


_SERIES = ("RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID")


def _split(calendar: icalendar.Calendar) -> tuple[list[Any], icalendar.Calendar]:
    """One-off events, and a calendar (same properties) holding every series."""
    events = calendar.walk("VEVENT")
    overridden = {str(e.get("UID", "")) for e in events if "RECURRENCE-ID" in e}
    singles = [
        e
        for e in events
        if not any(name in e for name in _SERIES) and str(e.get("UID", "")) not in overridden
    ]
    series = calendar.copy()
    kept = {id(e) for e in singles}
    for event in events:
        if id(event) not in kept:
            series.add_component(event)
    return singles, series


def _calendar_zone(email: str, calendar: icalendar.Calendar, zone: ZoneInfo) -> ZoneInfo:
    """The zone of the calendar's floating times: its ``X-WR-TIMEZONE``, else ``zone``."""
    name = calendar.get("X-WR-TIMEZONE")
    if name is None:
        return zone
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        what = "names an unknown X-WR-TIMEZONE"
        raise CalendarError(f"the calendar for {email} {what}", email=email, reason=what) from None


def _blocking(
    email: str, event: Any, window: Span, zone: ZoneInfo, lines: Mapping[str, int]
) -> Iterator[Interval]:
    """The interval one occurrence blocks inside ``window``, if any."""
    status = _event_status(event, email)
    if status is None:
        return
    try:
        begins, ends = event.start, event.end
    except Exception:  # IncompleteComponent, broken property
        line = lines.get(str(event.get("UID", "")))
        what = "has an event without a readable start or end"
        raise CalendarError(
            f"the calendar for {email} {what}" + (f" (line {line})" if line else ""),
            email=email,
            line=line,
            reason=what,
        ) from None
    interval = clipped(as_utc(begins, zone), as_utc(ends, zone), status, window)
    if interval is not None:
        yield interval


def _expand(calendar: icalendar.Calendar, window: Span) -> list[Any]:
    """Every occurrence of the calendar's series near ``window``.

    The same walk as ``recurring_ical_events.of(calendar).between(...)``,
    without copying each occurrence into a component of its own (the
    statuses were read once per event).
    """
    query = recurring_ical_events.of(calendar, components=("VEVENT",))
    return [
        occurrence
        for series in query.series
        for occurrence in series.between(window[0] - PAD, window[1] + PAD)
    ]


def _culprit(calendar: icalendar.Calendar, window: Span, lines: Mapping[str, int]) -> int | None:
    """The line of the first event that cannot be expanded on its own (slow; errors only)."""
    for event in calendar.walk("VEVENT"):
        alone = icalendar.Calendar()
        alone.add_component(event)
        try:
            _expand(alone, window)
        except Exception:  # same as the caller: any failure marks the culprit
            return lines.get(str(event.get("UID", "")))
    return None


def _text(component: icalendar.cal.Component, name: str) -> str:
    value = component.get(name)
    return str(value).strip().upper() if value is not None else ""


def _owner_partstat(event: icalendar.cal.Component, email: str) -> str:
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return ""
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        if normalise_email(str(attendee)) == email:
            return str(attendee.params.get("PARTSTAT", "")).upper()
    return ""


def _event_status(event: icalendar.cal.Component, email: str) -> Status | None:
    """What the occurrence means for its owner; ``None`` when it does not block at all."""
    return status_of(
        _text(event, "STATUS"),
        _text(event, "X-MICROSOFT-CDO-BUSYSTATUS"),
        _text(event, "TRANSP"),
        _owner_partstat(event, email),
    )


def status_of(status: str, busy_status: str, transp: str, partstat: str) -> Status | None:
    """What an event means for its owner, from its ``STATUS``, Outlook busy status,
    ``TRANSP`` and the owner's ``PARTSTAT`` (upper case, ``""`` when absent); ``None``
    when it does not block at all (the rules in the module notes, in order)."""
    if status == "CANCELLED":
        return None
    outlook = _CDO_BUSY_STATUS.get(busy_status)
    if outlook is not None:
        return outlook
    if partstat == "DECLINED" or transp == "TRANSPARENT":
        return Status.FREE
    if status == "TENTATIVE" or partstat == "TENTATIVE":
        return Status.TENTATIVE
    return Status.BUSY


def as_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A DATE (midnight in ``zone``), floating DATE-TIME (in ``zone``) or aware one, in UTC."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return aware.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


_warned_zones: set[str] = set()


def warn_unknown_zone(component: icalendar.cal.Component) -> None:
    """Log (once per name) a TZID that neither the file nor the zone database defines."""
    prop = component.get("DTSTART")
    if prop is None or isinstance(prop, list):
        return
    _warn_if_floating(prop.params.get("TZID"), getattr(prop, "dt", None))


def _warn_if_floating(tzid: str | None, value: object) -> None:
    """Log (once per name) a ``TZID`` whose time came back floating: an unknown zone."""
    if tzid and isinstance(value, datetime) and value.tzinfo is None and tzid not in _warned_zones:
        _warned_zones.add(str(tzid))
        log.warning(
            "ics: time zone %r is not known and has no VTIMEZONE; its times are read "
            "as floating (policy time zone) time",
            str(tzid),
        )
