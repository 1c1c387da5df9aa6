"""Small helpers shared by the calendar sources (private to the package)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from scheduling.availability import Availability, Interval, Status, utc

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

T = TypeVar("T")

Span = tuple[datetime, datetime]


def normalise_email(email: str) -> str:
    """``email`` stripped, without a ``mailto:`` prefix, in case-folded form."""
    text = email.strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:]
    return text.strip().casefold()


def check_window(start: datetime, end: datetime) -> Span:
    """``(start, end)`` in UTC.

    Raises
    ------
    ValueError
        When either is naive or ``end`` is not after ``start``.
    """
    start_utc, end_utc = utc(start), utc(end)
    if end_utc <= start_utc:
        raise ValueError("the availability window must end after it starts")
    return start_utc, end_utc


def split_window(start: datetime, end: datetime, longest: timedelta) -> list[Span]:
    """``[start, end)`` cut into consecutive pieces no longer than ``longest``."""
    pieces: list[Span] = []
    cursor = start
    while cursor < end:
        stop = min(cursor + longest, end)
        pieces.append((cursor, stop))
        cursor = stop
    return pieces


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` in consecutive lists of at most ``size``."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def unique(emails: Iterable[str]) -> list[str]:
    """Normalised e-mails, first occurrence order, blanks dropped."""
    seen: dict[str, None] = {}
    for email in emails:
        key = normalise_email(email)
        if key:
            seen.setdefault(key, None)
    return list(seen)


def clipped(start: datetime, end: datetime, status: Status, window: Span) -> Interval | None:
    """An interval for ``[start, end)`` cut to ``window``; ``None`` when free or outside."""
    if status in (Status.FREE, Status.UNKNOWN):
        return None
    lo, hi = max(utc(start), window[0]), min(utc(end), window[1])
    if hi <= lo:
        return None
    return Interval(lo, hi, status)


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Overlapping or touching spans joined, sorted."""
    merged: list[Span] = []
    for lo, hi in sorted(spans):
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def subtract_spans(spans: Iterable[Span], holes: Iterable[Span]) -> tuple[Span, ...]:
    """``spans`` with every part that lies in one of ``holes`` removed."""
    result = list(merge_spans(spans))
    for h_lo, h_hi in merge_spans(holes):
        kept: list[Span] = []
        for lo, hi in result:
            if h_hi <= lo or hi <= h_lo:
                kept.append((lo, hi))
                continue
            if lo < h_lo:
                kept.append((lo, h_lo))
            if h_hi < hi:
                kept.append((h_hi, hi))
        result = kept
    return tuple(result)


def collate(
    emails: Sequence[str],
    coverage: Mapping[str, list[Span]],
    holes: Mapping[str, list[Span]],
    found: Mapping[str, set[Interval]],
    source: str,
) -> dict[str, Availability]:
    """The answer of a service source, keyed by each of ``emails`` exactly as asked.

    ``coverage``, ``holes`` and ``found`` are keyed by normalised e-mail:
    the window pieces answered, spans the service marked as unknown within
    them, and the blocking intervals. A person with neither coverage nor
    intervals is unknown.
    """
    result: dict[str, Availability] = {}
    for email in emails:
        key = normalise_email(email)
        spans = coverage.get(key, [])
        intervals = found.get(key, set())
        if not spans and not intervals:
            result[email] = Availability.unknown(key or email, source)
            continue
        result[email] = Availability(
            email=key,
            coverage=subtract_spans(spans, holes.get(key, [])),
            intervals=tuple(sorted(intervals)),
            source=source,
        )
    return result
