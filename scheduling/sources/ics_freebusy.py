"""What an iCalendar export says it covers, and the busy periods its VFREEBUSY publishes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import icalendar

from scheduling.availability import Interval, Status
from scheduling.sources._util import clipped
from scheduling.sources.ics_events import as_utc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from zoneinfo import ZoneInfo

    from scheduling.sources._util import Span

_FREEBUSY_TYPE = {
    "FREE": Status.FREE,
    "BUSY": Status.BUSY,
    "BUSY-TENTATIVE": Status.TENTATIVE,
    "BUSY-UNAVAILABLE": Status.OOF,
}


def _decoded_time(value: Any, zone: ZoneInfo) -> datetime | None:
    """A DATE-TIME property or X- text holding one, in UTC; ``None`` when unreadable."""
    raw = getattr(value, "dt", None)
    if raw is None and value is not None:
        try:
            raw = icalendar.vDDDTypes.from_ical(str(value))  # type: ignore[no-untyped-call]
        except ValueError:
            return None
    if isinstance(raw, date):
        return as_utc(raw, zone)
    return None


def coverage(
    calendar: icalendar.Calendar, window: Span, zone: ZoneInfo, *, had_events: bool
) -> list[Span]:
    """The part of ``window`` this calendar claims to describe.

    The whole window, except where the file itself says it covers less —
    Outlook's ``X-CLIPSTART``/``X-CLIPEND`` (the date range chosen when
    saving), or the ``DTSTART``/``DTEND`` of the ``VFREEBUSY`` components of
    a free/busy-only file.

    ``had_events``: whether the export had any VEVENT (even one left out
    because it lies far from the window): only a file of free/busy alone is
    limited to the periods its VFREEBUSY components publish.
    """
    clip_start = _decoded_time(calendar.get("X-CLIPSTART"), zone)
    clip_end = _decoded_time(calendar.get("X-CLIPEND"), zone)
    spans: list[Span]
    if clip_start is not None and clip_end is not None:
        spans = [(clip_start, clip_end)]
    else:
        published_by = list(calendar.walk("VFREEBUSY"))
        published = [
            (_decoded_time(fb.get("DTSTART"), zone), _decoded_time(fb.get("DTEND"), zone))
            for fb in published_by
        ]
        if (
            published_by
            and not had_events
            and all(a is not None and b is not None for a, b in published)
        ):
            spans = [(a, b) for a, b in published if a is not None and b is not None]
        else:
            spans = [window]
    return [
        (max(a, window[0]), min(b, window[1]))
        for a, b in spans
        if min(b, window[1]) > max(a, window[0])
    ]


def free_busy(calendar: icalendar.Calendar, window: Span, zone: ZoneInfo) -> Iterator[Interval]:
    """The blocking periods of the calendar's VFREEBUSY components, cut to ``window``.

    ``FBTYPE=BUSY`` (the default) is busy, ``BUSY-TENTATIVE`` tentative,
    ``BUSY-UNAVAILABLE`` out-of-office, ``FREE`` nothing; unrecognised types
    are busy (RFC 5545 §3.2.9).
    """
    for component in calendar.walk("VFREEBUSY"):
        periods = component.get("FREEBUSY")
        if periods is None:
            continue
        for period in periods if isinstance(periods, list) else [periods]:
            fb_type = str(period.params.get("FBTYPE", "BUSY")).upper()
            status = _FREEBUSY_TYPE.get(fb_type, Status.BUSY)
            begins, until = period.dt
            begins_utc = as_utc(begins, zone)
            ends_utc = begins_utc + until if isinstance(until, timedelta) else as_utc(until, zone)
            interval = clipped(begins_utc, ends_utc, status, window)
            if interval is not None:
                yield interval
