"""Availability from iCalendar (``.ics``) exports, as Outlook, Google and Apple write them.

Parsing is done by :mod:`icalendar` and recurrence expansion (RRULE, RDATE,
EXDATE, RECURRENCE-ID overrides, X-WR-TIMEZONE) by
:mod:`recurring_ical_events`; this module only decides what each
occurrence means for the person's availability.

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

``VFREEBUSY`` components count too: ``FBTYPE=BUSY`` (the default) is busy,
``BUSY-TENTATIVE`` tentative, ``BUSY-UNAVAILABLE`` out-of-office, ``FREE``
nothing; unrecognised types are busy (RFC 5545 §3.2.9).

Times: UTC and ``TZID`` times as written (a ``VTIMEZONE`` in the file is
used; Windows names such as "GMT Standard Time" without one are mapped by
:mod:`icalendar`); floating times, unknown ``TZID`` s and all-day dates are
Europe/London (``DTEND`` of all-day events is exclusive).

Coverage: the whole queried window, except where the file itself says it
covers less — Outlook's ``X-CLIPSTART``/``X-CLIPEND`` (the date range
chosen when saving), or the ``DTSTART``/``DTEND`` of the ``VFREEBUSY``
components of a free/busy-only file.
"""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from scheduling.availability import Availability, Interval, Status
from scheduling.sources._util import (
    Span,
    check_window,
    clipped,
    merge_spans,
    normalise_email,
)
from scheduling.sources.errors import CalendarError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

log = logging.getLogger("scheduling")

SOURCE = "ics"
LONDON = ZoneInfo("Europe/London")

# Properties whose damage makes a calendar's times untrustworthy.
_TIME_PROPERTIES = frozenset({
    "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID",
    "FREEBUSY", "STATUS", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS",
})

_CDO_BUSY_STATUS = {
    "FREE": Status.FREE,
    "WORKINGELSEWHERE": Status.FREE,
    "TENTATIVE": Status.TENTATIVE,
    "BUSY": Status.BUSY,
    "OOF": Status.OOF,
}

_FREEBUSY_TYPE = {
    "FREE": Status.FREE,
    "BUSY": Status.BUSY,
    "BUSY-TENTATIVE": Status.TENTATIVE,
    "BUSY-UNAVAILABLE": Status.OOF,
}

# Expansion looks this far either side of the window so that floating and
# all-day occurrences near its edges are never missed; results are clipped.
_PAD = timedelta(days=1)


class IcsSource:
    """A :class:`~scheduling.availability.CalendarSource` over ``.ics`` exports.

    Parameters
    ----------
    calendars
        E-mail → the raw content of that person's export (bytes are read as
        UTF-8, a byte-order mark allowed). Two keys that differ only in case
        are one person with two calendars.
    zone
        The zone of floating times and all-day dates (default
        ``"Europe/London"``).

    Raises
    ------
    CalendarError
        When a calendar is not iCalendar, is truncated, or has an unreadable
        date, time, duration, recurrence rule or free/busy period. The
        message names the e-mail, never an event.
    """

    def __init__(self, calendars: Mapping[str, bytes | str], *,
                 zone: str | ZoneInfo = LONDON) -> None:
        self._zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self._calendars: dict[str, list[icalendar.Calendar]] = {}
        for email, content in calendars.items():
            key = normalise_email(email)
            if not key:
                raise CalendarError("a calendar was given without an e-mail address")
            self._calendars.setdefault(key, []).extend(_parse(key, content))

    @property
    def emails(self) -> frozenset[str]:
        """The (normalised) people with a calendar."""
        return frozenset(self._calendars)

    def availability(self, emails: Sequence[str], start: datetime,
                     end: datetime) -> Mapping[str, Availability]:
        """Availability of each of ``emails`` in ``[start, end)``.

        Parameters
        ----------
        emails
            People asked about; each is a key of the result exactly as given.
        start, end
            The window (aware datetimes; ``end`` after ``start``).

        Returns
        -------
        dict[str, Availability]
            People with a calendar: its blocking occurrences cut to the
            window, covered as described in the module notes; everyone else
            :meth:`Availability.unknown`.

        Raises
        ------
        CalendarError
            When a calendar's recurrences cannot be expanded.
        """
        window = check_window(start, end)
        result: dict[str, Availability] = {}
        for email in emails:
            key = normalise_email(email)
            calendars = self._calendars.get(key)
            if not calendars:
                result[email] = Availability.unknown(key or email, SOURCE)
                continue
            result[email] = self._person(key, calendars, window)
        return result

    def _person(self, email: str, calendars: list[icalendar.Calendar],
                window: Span) -> Availability:
        coverage: list[Span] = []
        intervals: set[Interval] = set()
        for calendar in calendars:
            coverage.extend(_coverage(calendar, window, self._zone))
            intervals.update(self._occurrences(email, calendar, window))
            intervals.update(_free_busy(calendar, window, self._zone))
        return Availability(email=email, coverage=merge_spans(coverage),
                            intervals=tuple(sorted(intervals)), source=SOURCE)

    def _occurrences(self, email: str, calendar: icalendar.Calendar,
                     window: Span) -> Iterator[Interval]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                query = recurring_ical_events.of(calendar, components=("VEVENT",))
                occurrences = list(query.between(window[0] - _PAD, window[1] + _PAD))
        except Exception as exc:  # the library raises many types for bad data
            raise CalendarError(
                f"the calendar for {email} has an event whose times or repeats cannot be "
                f"read ({type(exc).__name__})", email=email) from None
        for event in occurrences:
            status = _event_status(event, email)
            if status is None:
                continue
            try:
                begins, ends = event.start, event.end
            except Exception:  # IncompleteComponent, broken property
                raise CalendarError(f"the calendar for {email} has an event without a "
                                    "readable start", email=email) from None
            interval = clipped(_as_utc(begins, self._zone), _as_utc(ends, self._zone),
                               status, window)
            if interval is not None:
                yield interval


def _parse(email: str, content: bytes | str) -> list[icalendar.Calendar]:
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) \
        else content.lstrip("\ufeff")
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise CalendarError(f"the calendar for {email} is not an iCalendar file", email=email)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception:  # ValueError and friends; the message may quote private text
        raise CalendarError(f"the calendar for {email} could not be read as iCalendar",
                            email=email) from None
    if not calendars:
        raise CalendarError(f"the calendar for {email} is empty or truncated", email=email)
    for calendar in calendars:
        for component in calendar.walk():
            for name, _message in component.errors:
                if name is not None and name.upper() in _TIME_PROPERTIES:
                    raise CalendarError(
                        f"the calendar for {email} has an unreadable {name.upper()} in a "
                        f"{component.name}", email=email)
                log.debug("ics: ignored an unreadable %s line in a calendar",
                          name or "unnamed")
            if not _rules_supported(component):
                raise CalendarError(f"the calendar for {email} has an unsupported RRULE in a "
                                    f"{component.name}", email=email)
            _warn_unknown_zone(component)
    return calendars


def _rules_supported(component: icalendar.cal.Component) -> bool:
    """Whether every RRULE repeats at most hourly with a positive interval.

    A zero interval makes the expansion loop forever, and per-second or
    per-minute rules (which no calendar program writes) can make it huge.
    """
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        frequencies = [str(f).upper() for f in rule.get("FREQ", [])]
        intervals = rule.get("INTERVAL", [1])
        if any(f in ("SECONDLY", "MINUTELY") for f in frequencies) \
                or any(not isinstance(i, int) or i < 1 for i in intervals):
            return False
    return True


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
    if _text(event, "STATUS") == "CANCELLED":
        return None
    busy_status = _CDO_BUSY_STATUS.get(_text(event, "X-MICROSOFT-CDO-BUSYSTATUS"))
    if busy_status is not None:
        return busy_status
    partstat = _owner_partstat(event, email)
    if partstat == "DECLINED" or _text(event, "TRANSP") == "TRANSPARENT":
        return Status.FREE
    if _text(event, "STATUS") == "TENTATIVE" or partstat == "TENTATIVE":
        return Status.TENTATIVE
    return Status.BUSY


def _as_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A DATE (midnight in ``zone``), floating DATE-TIME (in ``zone``) or aware one, in UTC."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return aware.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


_warned_zones: set[str] = set()


def _warn_unknown_zone(component: icalendar.cal.Component) -> None:
    """Log (once per name) a TZID that neither the file nor the zone database defines."""
    prop = component.get("DTSTART")
    if prop is None or isinstance(prop, list):
        return
    tzid = prop.params.get("TZID")
    value = getattr(prop, "dt", None)
    if tzid and isinstance(value, datetime) and value.tzinfo is None \
            and tzid not in _warned_zones:
        _warned_zones.add(str(tzid))
        log.warning("ics: time zone %r is not known and has no VTIMEZONE; its times are read "
                    "as floating (Europe/London) time", str(tzid))


def _decoded_time(value: Any, zone: ZoneInfo) -> datetime | None:
    """A DATE-TIME property or X- text holding one, in UTC; ``None`` when unreadable."""
    raw = getattr(value, "dt", None)
    if raw is None and value is not None:
        try:
            raw = icalendar.vDDDTypes.from_ical(str(value))  # type: ignore[no-untyped-call]
        except ValueError:
            return None
    if isinstance(raw, date):
        return _as_utc(raw, zone)
    return None


def _coverage(calendar: icalendar.Calendar, window: Span, zone: ZoneInfo) -> list[Span]:
    """The part of ``window`` this calendar claims to describe."""
    clip_start = _decoded_time(calendar.get("X-CLIPSTART"), zone)
    clip_end = _decoded_time(calendar.get("X-CLIPEND"), zone)
    spans: list[Span]
    if clip_start is not None and clip_end is not None:
        spans = [(clip_start, clip_end)]
    else:
        free_busy = list(calendar.walk("VFREEBUSY"))
        published = [(_decoded_time(fb.get("DTSTART"), zone), _decoded_time(fb.get("DTEND"), zone))
                     for fb in free_busy]
        if free_busy and not list(calendar.walk("VEVENT")) \
                and all(a is not None and b is not None for a, b in published):
            spans = [(a, b) for a, b in published if a is not None and b is not None]
        else:
            spans = [window]
    return [(max(a, window[0]), min(b, window[1])) for a, b in spans
            if min(b, window[1]) > max(a, window[0])]


def _free_busy(calendar: icalendar.Calendar, window: Span, zone: ZoneInfo) -> Iterator[Interval]:
    for component in calendar.walk("VFREEBUSY"):
        periods = component.get("FREEBUSY")
        if periods is None:
            continue
        for period in periods if isinstance(periods, list) else [periods]:
            fb_type = str(period.params.get("FBTYPE", "BUSY")).upper()
            status = _FREEBUSY_TYPE.get(fb_type, Status.BUSY)
            begins, until = period.dt
            begins_utc = _as_utc(begins, zone)
            ends_utc = begins_utc + until if isinstance(until, timedelta) \
                else _as_utc(until, zone)
            interval = clipped(begins_utc, ends_utc, status, window)
            if interval is not None:
                yield interval
