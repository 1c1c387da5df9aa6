"""RRULE-form VTIMEZONE components for any IANA zone, derived from the zone database.

Outlook mishandles the RDATE form that some libraries generate, so a zone
is written the way Outlook itself writes one: one observance per yearly
rule ("last Sunday of March at 01:00"), with the rule's first onset as
DTSTART. The rules are read off the zone database's transitions around the
year asked about and checked against it, year by year, from their first
year to two years ahead. A zone whose changes do not follow two yearly
rules (for example one that moves its clocks by a lunar calendar), and a
zone that does not change its clocks at all (where local time adds nothing
for a client to get right), get no VTIMEZONE: :func:`vtimezone_for` returns
``None`` and the caller writes UTC.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

__all__ = ["ZoneRules", "vtimezone_for"]

_EPOCH_YEAR = 1970
_AHEAD = 2
"""Years after the one asked about that the rules are checked for."""
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Rule:
    """One yearly clock change: ``nth`` ``weekday`` of ``month`` at a local wall time."""

    month: int
    weekday: int  # Monday = 0
    nth: int  # 1..4, or -1 for the last
    wall: timedelta  # local time of day before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str

    def onset(self, year: int) -> datetime:
        """The change in ``year`` as local wall-clock time before it (naive)."""
        days = calendar.monthrange(year, self.month)[1]
        matching = [
            d for d in range(1, days + 1) if calendar.weekday(year, self.month, d) == self.weekday
        ]
        day = matching[-1] if self.nth == -1 else matching[self.nth - 1]
        return datetime(year, self.month, day) + self.wall

    def instant(self, year: int) -> datetime:
        """The change in ``year`` as a UTC instant."""
        return (self.onset(year) - self.offset_from).replace(tzinfo=UTC)


@dataclass(frozen=True)
class ZoneRules:
    """A zone's clock as observances that a VTIMEZONE can state.

    Parameters
    ----------
    zone
        The IANA name, written as TZID.
    rules
        The two yearly changes with their first onsets.
    since
        The first instant (UTC) from which the observances are exact.
    until
        The instant (UTC) up to which they were checked.
    """

    zone: str
    rules: tuple[tuple[_Rule, datetime], ...]
    since: datetime
    until: datetime

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) can be written as local time with these observances."""
        return self.since <= moment < self.until

    def component(self) -> Timezone:
        """The VTIMEZONE: DAYLIGHT (the larger offset) before STANDARD, as Outlook writes it."""
        vtimezone = Timezone()
        vtimezone.add("tzid", self.zone)
        for rule, first in sorted(self.rules, key=lambda r: r[0].offset_to < r[0].offset_from):
            kind = TimezoneDaylight() if rule.offset_to > rule.offset_from else TimezoneStandard()
            kind.add("tzname", rule.name)
            kind.add("tzoffsetfrom", rule.offset_from)
            kind.add("tzoffsetto", rule.offset_to)
            kind.add("dtstart", first)
            kind.add(
                "rrule",
                vRecur(freq="YEARLY", bymonth=rule.month, byday=f"{rule.nth}{_DAYS[rule.weekday]}"),
            )
            vtimezone.add_component(kind)
        return vtimezone


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    found = moment.astimezone(zone).utcoffset()
    return found if found is not None else timedelta(0)


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in ``year`` at which ``zone``'s offset changes (to the minute)."""
    found: list[datetime] = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    while day < end:
        after = day + timedelta(days=1)
        if _offset(zone, day) != _offset(zone, after):
            lo, hi = day, after  # offset(lo) differs from offset(hi): bisect to the minute
            while hi - lo > timedelta(minutes=1):
                middle = lo + (hi - lo) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= lo:
                    middle = lo + timedelta(minutes=1)
                if _offset(zone, middle) == _offset(zone, lo):
                    lo = middle
                else:
                    hi = middle
            found.append(hi)
        day = after
    return found


def _rule_at(zone: ZoneInfo, instant: datetime) -> _Rule:
    before = _offset(zone, instant - timedelta(minutes=1))
    after = _offset(zone, instant)
    wall = (instant + before).replace(tzinfo=None)
    days = calendar.monthrange(wall.year, wall.month)[1]
    nth = -1 if wall.day + 7 > days else (wall.day - 1) // 7 + 1
    return _Rule(
        wall.month,
        wall.weekday(),
        nth,
        wall - wall.replace(hour=0, minute=0, second=0),
        before,
        after,
        instant.astimezone(zone).tzname() or "",
    )


def _held(zone: ZoneInfo, rule: _Rule, year: int) -> bool:
    """Whether ``rule`` changed ``zone``'s clock in ``year``, from and to its offsets."""
    instant = rule.instant(year)
    return (
        _offset(zone, instant - timedelta(minutes=1)) == rule.offset_from
        and _offset(zone, instant) == rule.offset_to
    )


@functools.cache
def vtimezone_for(zone_name: str, year: int) -> ZoneRules | None:
    """The observances of ``zone_name`` around ``year``, or ``None`` when they are irregular.

    Parameters
    ----------
    zone_name
        An IANA zone, e.g. ``"Europe/London"``.
    year
        The year the times to write fall in.

    Returns
    -------
    ZoneRules or None
        Exact from the first year the current rules held (at the earliest
        1970) to the end of ``year + 2``; ``None`` for a zone without exactly
        two changes in each year from ``year - 1`` to ``year + 2``.
    """
    zone = ZoneInfo(zone_name)
    until = datetime(year + _AHEAD + 1, 1, 1, tzinfo=UTC)
    changes = {y: _transitions(zone, y) for y in range(year - 1, year + _AHEAD + 1)}
    if any(len(found) != 2 for found in changes.values()):
        return None
    rules = tuple(_rule_at(zone, instant) for instant in changes[year])
    for y, found in changes.items():
        if [r.instant(y) for r in rules] != found:
            return None
    firsts: list[tuple[_Rule, datetime]] = []
    for rule in rules:
        first = year - 1
        while first > _EPOCH_YEAR and _held(zone, rule, first - 1):
            first -= 1
        firsts.append((rule, rule.onset(first)))
    since = max(rule.instant(first.year) for rule, first in firsts)
    return ZoneRules(zone_name, tuple(firsts), since, until)
