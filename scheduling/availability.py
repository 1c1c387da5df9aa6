"""One availability model for every calendar source.

Per attendee: the period a source could see (its *coverage*) and the
intervals in it that are tentative, busy or out-of-office. Inside the
coverage, time with no interval is free; outside it, the attendee is
unknown. An attendee with no calendar at all is unknown, never free and
never busy.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


class Status(StrEnum):
    """Availability of one attendee for a span of time."""

    FREE = "free"
    TENTATIVE = "tentative"
    BUSY = "busy"
    OOF = "oof"
    UNKNOWN = "unknown"

    @property
    def blocks(self) -> bool:
        """Busy and out-of-office block a required attendee; the others do not."""
        return self in (Status.BUSY, Status.OOF)


# How much each status weighs when intervals overlap: the worst wins.
_RANK = {Status.FREE: 0, Status.TENTATIVE: 1, Status.BUSY: 2, Status.OOF: 3}


def worst(statuses: Iterable[Status]) -> Status:
    """The most restrictive of ``statuses`` (free when empty); unknown is not ranked."""
    result = Status.FREE
    for status in statuses:
        if _RANK.get(status, 0) > _RANK[result]:
            result = status
    return result


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; naive datetimes are refused (every source must know its zone)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: availability times must carry a time zone")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open span ``[start, end)`` in UTC with a status (not free)."""

    start: datetime
    end: datetime
    status: Status

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        if self.end <= self.start:
            raise ValueError("interval ends before it starts")


@dataclass(frozen=True)
class Availability:
    """What is known of one attendee's time.

    Parameters
    ----------
    email
        The attendee (lower case).
    coverage
        Spans the source could see, UTC, half-open; empty means unknown
        everywhere (no calendar).
    intervals
        Tentative, busy and out-of-office spans; sorted on construction.
    source
        Where the information came from (``"ics"``, ``"csv"``,
        ``"exchange"``, ``"graph"``), for explanations.
    """

    email: str
    coverage: tuple[tuple[datetime, datetime], ...] = ()
    intervals: tuple[Interval, ...] = ()
    source: str = ""
    _starts: tuple[datetime, ...] = field(init=False, repr=False, compare=False)
    _max_len: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", self.email.strip().casefold())
        ordered = tuple(sorted(self.intervals))
        object.__setattr__(self, "intervals", ordered)
        object.__setattr__(self, "coverage", _joined((utc(a), utc(b)) for a, b in self.coverage))
        object.__setattr__(self, "_starts", tuple(i.start for i in ordered))
        longest = max(((i.end - i.start).total_seconds() for i in ordered), default=0.0)
        object.__setattr__(self, "_max_len", longest)

    @classmethod
    def unknown(cls, email: str, source: str = "") -> Availability:
        """An attendee nobody can see."""
        return cls(email=email, source=source)

    def covers(self, start: datetime, end: datetime) -> bool:
        """Whether ``[start, end)`` lies wholly inside one coverage span."""
        start, end = utc(start), utc(end)
        return any(a <= start and end <= b for a, b in self.coverage)

    def overlapping(self, start: datetime, end: datetime) -> list[Interval]:
        """Intervals that overlap ``[start, end)``."""
        start, end = utc(start), utc(end)
        # Any interval overlapping must start before `end` and after `start - longest`.
        lo = bisect.bisect_left(self._starts, start - _seconds(self._max_len))
        hi = bisect.bisect_left(self._starts, end)
        return [i for i in self.intervals[lo:hi] if i.end > start]

    def status(self, start: datetime, end: datetime) -> Status:
        """The attendee's status for the whole of ``[start, end)``.

        Out-of-office beats busy beats tentative beats free. A span the
        source could not wholly see is unknown unless something known in it
        already blocks it.
        """
        found = worst(i.status for i in self.overlapping(start, end))
        if found.blocks or self.covers(start, end):
            return found
        return Status.UNKNOWN

    def merged(self, other: Availability) -> Availability:
        """Both sources' knowledge together (coverage and intervals united)."""
        names = {n for s in (self.source, other.source) for n in s.split("+") if n}
        sources = "+".join(sorted(names))
        return Availability(
            email=self.email,
            coverage=self.coverage + other.coverage,
            intervals=self.intervals + other.intervals,
            source=sources,
        )


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _joined(spans: Iterable[tuple[datetime, datetime]]) -> tuple[tuple[datetime, datetime], ...]:
    """Coverage spans sorted, overlapping or touching ones joined, empty ones dropped.

    ``covers`` asks for one span holding the whole query, so spans that
    meet (two merged sources, say) must be one span.
    """
    joined: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(spans):
        if hi <= lo:
            continue
        if joined and lo <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], hi))
        else:
            joined.append((lo, hi))
    return tuple(joined)


def merge_all(items: Iterable[Availability]) -> dict[str, Availability]:
    """Availabilities keyed by e-mail, several sources for one person merged."""
    merged: dict[str, Availability] = {}
    for item in items:
        merged[item.email] = merged[item.email].merged(item) if item.email in merged else item
    return merged


class CalendarSource(Protocol):
    """Anything that can say when people are free.

    Implementations: :mod:`scheduling.sources.ics`, :mod:`scheduling.sources.rows`,
    :mod:`scheduling.sources.exchange`, :mod:`scheduling.sources.graph`.
    """

    def availability(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Availability]:
        """Availability of each of ``emails`` between ``start`` and ``end`` (aware).

        Every e-mail asked for is in the result; one the source cannot see
        is :meth:`Availability.unknown`.
        """
        ...
