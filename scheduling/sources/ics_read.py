"""Reading one iCalendar export for one window: limits, pre-filter, parse, expand.

:class:`~scheduling.sources.ics.IcsSource` calls :func:`read_export` once
per export (in worker processes when there are many); everything here is
pure and works on text, so its results can be cached by content.

Steps, in order:

1. **Limits** (:class:`CalendarLimits`): an export larger than
   ``max_bytes`` or with more than ``max_components`` components
   (``BEGIN:`` lines) is refused before anything is parsed.
2. **Structure**: one scan with a regular expression finds every
   component's ``BEGIN``/``END`` line; unbalanced ones are refused with
   their line number.
3. **Pre-filter**: an event that does not repeat and lies wholly outside
   the window plus :data:`MARGIN` is dropped as text, before parsing and
   expansion (most of a year-long export). Repeating events, overrides
   near the window or with ``RANGE=THISANDFUTURE``, time zones and
   free/busy components are kept; to-dos, journals and unknown
   components are dropped (they never block time).
4. **Parse in isolation**: :mod:`icalendar` keeps the ``VTIMEZONE``
   definitions it has seen in one process-wide cache, so one person's
   "Customized Time Zone" would change how the next person's export is
   read. The cache is started afresh (``icalendar.use_zoneinfo()``)
   before and after each export, and the export's own time zones are
   parsed before its events (forward references work). IANA names stay
   IANA: icalendar never lets a file redefine a name the zone database
   knows. Each component is parsed on its own, so a problem is reported
   with its line.
5. **Duplicate UIDs**: events sharing a UID without ``RECURRENCE-ID``
   (invalid, but Outlook and others write them) each keep their busy
   time: the later ones get a UID of their own before expansion.
6. **Expand and classify** (:mod:`scheduling.sources.ics_events`).
"""

from __future__ import annotations

import bisect
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import icalendar

from scheduling.availability import Interval, Status
from scheduling.sources.errors import CalendarError
from scheduling.sources.ics_events import (
    TIME_PROPERTIES,
    OneOff,
    Unreadable,
    occurrences,
    read_one_off,
    rules_supported,
    warn_unknown_zone,
)
from scheduling.sources.ics_freebusy import coverage, free_busy

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from scheduling.sources._util import Span

__all__ = ["MARGIN", "CalendarLimits", "ExportReading", "read_export"]

MARGIN = timedelta(days=3)
"""Events ending this long before the window, or starting this long after it,
are dropped unparsed. Local times are at most 14 hours from UTC, and the
expansion itself looks one day either side, so three days keeps every event
that can touch the window."""

_BOUNDARY = re.compile(
    r"^(BEGIN|END)[ \t]*:[ \t]*([A-Za-z0-9-]+)[ \t]*\r?$", re.MULTILINE | re.IGNORECASE
)
_FOLD = re.compile(r"\r?\n[ \t]")
_KEPT = frozenset({"VEVENT", "VTIMEZONE", "VFREEBUSY"})
_NEEDED = frozenset(
    {
        "BEGIN",
        "END",
        "UID",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "EXRULE",
        "RECURRENCE-ID",
        "SEQUENCE",
        "STATUS",
        "TRANSP",
        "X-MICROSOFT-CDO-BUSYSTATUS",
    }
)
_NESTED_ALARM = re.compile(
    r"^BEGIN:VALARM.*?^END:VALARM[^\n]*\n?", re.MULTILINE | re.IGNORECASE | re.DOTALL
)
_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


@dataclass(frozen=True)
class CalendarLimits:
    """Largest calendar export that is read (policy settings).

    Parameters
    ----------
    max_bytes
        Largest export in bytes (default 20,000,000: 20 MB).
    max_components
        Most components (events, time zones, alarms, …) in one export
        (default 100,000).
    """

    max_bytes: int = 20_000_000
    max_components: int = 100_000


@dataclass(frozen=True)
class ExportReading:
    """What one export says about its owner's time in one window.

    Parameters
    ----------
    coverage
        The spans of the window the export describes (UTC).
    intervals
        Its tentative, busy and out-of-office spans cut to the window.
    """

    coverage: tuple[Span, ...]
    intervals: tuple[Interval, ...]

    def to_json(self) -> list[list[str | int]]:
        """Plain data for a cache or a worker's answer: ``["c", start, end]`` for coverage
        and ``[status, start, end]`` for intervals, times as microseconds since 1970 UTC."""
        rows: list[list[str | int]] = [["c", _micro(a), _micro(b)] for a, b in self.coverage]
        rows += [[i.status.value, _micro(i.start), _micro(i.end)] for i in self.intervals]
        return rows

    @classmethod
    def from_json(cls, rows: list[list[str | int]]) -> ExportReading:
        """The reading :meth:`to_json` wrote."""
        spans: list[Span] = []
        intervals: list[Interval] = []
        for kind, start, end in rows:
            a = _EPOCH + timedelta(microseconds=int(start))
            b = _EPOCH + timedelta(microseconds=int(end))
            if kind == "c":
                spans.append((a, b))
            else:
                intervals.append(Interval(a, b, Status(str(kind))))
        return cls(tuple(spans), tuple(intervals))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micro(moment: datetime) -> int:
    """``moment`` (aware) as whole microseconds since 1970 UTC, exactly."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class _Block:
    """One top-level component of a VCALENDAR: its name and text span."""

    name: str
    start: int  # offset of its BEGIN line
    end: int  # offset just after its END line


@dataclass
class _Export:
    """The text of one export and where its lines begin, for line numbers."""

    email: str
    text: str
    _newlines: list[int] | None = None

    def line(self, offset: int) -> int:
        """1-based line number of the character at ``offset``."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def error(self, offset: int, what: str) -> CalendarError:
        return CalendarError(
            f"the calendar for {self.email} {what} (line {self.line(offset)})",
            email=self.email,
            line=self.line(offset),
            reason=what,
        )


def read_export(
    email: str, content: bytes | str, window: Span, zone: ZoneInfo, limits: CalendarLimits
) -> ExportReading:
    """Read one export for ``window`` (UTC).

    Parameters
    ----------
    email
        The owner (normalised): named in errors, and the "owner" whose
        declined invitations are free.
    content
        The export (bytes are UTF-8; a byte-order mark is allowed).
    window
        The UTC span asked about.
    zone
        The zone of floating times and all-day dates.
    limits
        Size and component limits.

    Returns
    -------
    ExportReading
        Coverage and blocking intervals inside ``window``.

    Raises
    ------
    CalendarError
        Over a limit, not iCalendar, unbalanced, or with an unreadable time,
        repeat rule or free/busy period; the message names the e-mail and the
        line, never an event.
    """
    size = len(content) if isinstance(content, bytes) else len(content.encode("utf-8"))
    if size > limits.max_bytes:
        raise CalendarError(
            f"the calendar for {email} is {size:,} bytes, more than the limit of "
            f"{limits.max_bytes:,}",
            email=email,
            reason=f"is {size:,} bytes, more than the limit of {limits.max_bytes:,}",
        )
    text = (
        content.decode("utf-8-sig", errors="replace")
        if isinstance(content, bytes)
        else content.lstrip("\ufeff")
    )
    export = _Export(email, text)
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise export.error(0, "is not an iCalendar file")
    calendars = _structure(export, limits)
    lo = (window[0] - MARGIN).strftime("%Y%m%d")
    hi = (window[1] + MARGIN).strftime("%Y%m%d")
    spans: list[Span] = []
    found: set[Interval] = set()
    # icalendar keeps VTIMEZONE definitions process-wide: forget every other export's.
    icalendar.use_zoneinfo()  # type: ignore[no-untyped-call]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for header, blocks in calendars:
                calendar, one_offs, had_events, lines = _parse(export, header, blocks, lo, hi)
                spans.extend(coverage(calendar, window, zone, had_events=had_events))
                found.update(occurrences(email, calendar, window, zone, lines, one_offs))
                found.update(free_busy(calendar, window, zone))
    finally:
        icalendar.use_zoneinfo()  # type: ignore[no-untyped-call]
    return ExportReading(tuple(spans), tuple(sorted(found)))


def _structure(export: _Export, limits: CalendarLimits) -> list[tuple[str, list[_Block]]]:
    """Each VCALENDAR's own properties (as text) and top-level components.

    Refuses an export over the component limit, and components that do not
    nest, naming the line.
    """
    marks = list(_BOUNDARY.finditer(export.text))
    begins = sum(1 for m in marks if m.group(1).upper() == "BEGIN")
    if begins > limits.max_components:
        what = f"has {begins:,} components, more than the limit of {limits.max_components:,}"
        raise CalendarError(
            f"the calendar for {export.email} {what}", email=export.email, reason=what
        )
    text = export.text
    calendars: list[tuple[str, list[_Block]]] = []
    stack: list[tuple[str, int]] = []
    blocks: list[_Block] = []
    for mark in marks:
        kind, name = mark.group(1).upper(), mark.group(2).upper()
        if kind == "BEGIN":
            if not stack and name != "VCALENDAR":
                raise export.error(mark.start(), f"has a {name} outside a VCALENDAR")
            stack.append((name, mark.start()))
            continue
        if not stack or stack[-1][0] != name:
            raise export.error(
                mark.start(), f"has an END:{name} that does not close the open component"
            )
        _, start = stack.pop()
        end = mark.end() + 1 if text[mark.end() : mark.end() + 1] == "\n" else mark.end()
        if len(stack) == 1:
            blocks.append(_Block(name, start, end))
        elif not stack:
            cuts = [start, *(x for b in blocks for x in (b.start, b.end)), mark.start()]
            own = "".join(text[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2))
            calendars.append((own, blocks))
            blocks = []
    if stack:
        raise export.error(
            stack[-1][1], f"has a {stack[-1][0]} that never ends (the file is truncated)"
        )
    if not calendars:
        raise export.error(0, "is empty or truncated")
    return calendars


@dataclass(frozen=True)
class _Lean:
    """An event block cut to the properties that decide its time (unfolded lines)."""

    lines: list[str]
    uid: str
    series: bool  # repeats, or is an override (RECURRENCE-ID) of another event

    @property
    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"


def _lean_event(block: str, lo: str, hi: str, owner: str) -> _Lean | None:
    """An event block cut to the properties that decide its time, or ``None`` to leave it out.

    Left out: an event that does not repeat and neither lies in nor moves an
    occurrence from ``[lo, hi]`` (``YYYYMMDD`` local dates). Kept
    properties: those in :data:`_NEEDED`, and the owner's own ``ATTENDEE``
    line (for a declined or tentative answer); summaries, descriptions,
    locations and alarms are never parsed.
    """
    body = _FOLD.sub("", _NESTED_ALARM.sub("", block))
    kept: list[str] = []
    start = end = recurrence = duration = uid = ""
    repeats = series = False
    for line in body.splitlines():
        name = line.split(":", 1)[0].split(";", 1)[0].strip().upper()
        if name not in _NEEDED and not (name == "ATTENDEE" and owner in line.casefold()):
            continue
        kept.append(line)
        value = line.rsplit(":", 1)[-1].strip()
        if name == "DTSTART":
            start = value
        elif name == "DTEND":
            end = value
        elif name == "DURATION":
            duration = value.upper()
        elif name in ("RRULE", "RDATE", "EXRULE"):
            repeats = True
        elif name == "EXDATE":
            series = True
        elif name == "RECURRENCE-ID":
            repeats = repeats or "RANGE=" in line.upper()
            recurrence = value
        elif name == "UID":
            uid = line.split(":", 1)[-1].strip()
    lean = _Lean(kept, uid, repeats or series or bool(recurrence))
    if repeats or not _date_text(start):
        return lean  # a series, or a start the parser should judge
    if recurrence and _date_text(recurrence) and lo <= recurrence[:8] <= hi:
        return lean
    last = _end_date(start[:8], end, duration)
    if last is None or (start[:8] <= hi and last >= lo):
        return lean
    return None


def _date_text(value: str) -> bool:
    """Whether ``value`` starts with a real ``YYYYMMDD`` date."""
    if len(value) < 8 or not value[:8].isdigit():
        return False
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return False
    return True


def _end_date(start: str, end: str, duration: str) -> str | None:
    """The ``YYYYMMDD`` an event ends on (at the latest), or ``None`` when unclear."""
    if end:
        return end[:8] if _date_text(end) and end[:8] >= start else None
    if not duration:
        return start  # no end: a date lasts one day, a date-time is an instant
    match = _DURATION.match(duration.lstrip("+"))
    if match is None:
        return None
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    span = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    first = date(int(start[:4]), int(start[4:6]), int(start[6:8]))
    return (first + span + timedelta(days=1)).strftime("%Y%m%d")


def _parse(
    export: _Export, header: str, blocks: list[_Block], lo: str, hi: str
) -> tuple[icalendar.Calendar, list[OneOff], bool, dict[str, int]]:
    """One VCALENDAR parsed in isolation with the events outside the window left out.

    Returns the calendar (time zones, free/busy and series), its one-off
    events (read by :func:`~scheduling.sources.ics_events.read_one_off`),
    whether the export had any event at all, and the line of each series
    event's UID (to name a line when expansion fails).
    """
    calendar = _component(export, header + "END:VCALENDAR\r\n", 0)
    if not isinstance(calendar, icalendar.Calendar):  # pragma: no cover - header is BEGIN:VCALENDAR
        raise export.error(0, "could not be read as iCalendar")
    ordered = sorted(blocks, key=lambda b: b.name != "VTIMEZONE")  # zones before their users
    leans = {
        id(b): _lean_event(export.text[b.start : b.end], lo, hi, export.email)
        for b in ordered
        if b.name == "VEVENT"
    }
    overridden = {lean.uid for lean in leans.values() if lean is not None and lean.series}
    had_events = bool(leans)
    one_offs: list[OneOff] = []
    lines: dict[str, int] = {}
    masters: dict[str, int] = {}
    for block in ordered:
        text = export.text[block.start : block.end]
        if block.name == "VEVENT":
            lean = leans[id(block)]
            if lean is None:
                continue
            if not lean.series and lean.uid not in overridden:
                one = _one_off(export, lean, block)
                if one is not None:
                    one_offs.append(one)
                    continue
            text = lean.text
        elif block.name not in _KEPT:
            continue
        component = _component(export, text, block.start)
        _check(export, component, block)
        if block.name == "VEVENT":
            _own_uid(component, masters, lines, export.line(block.start))
        calendar.add_component(component)
    return calendar, one_offs, had_events, lines


def _one_off(export: _Export, lean: _Lean, block: _Block) -> OneOff | None:
    try:
        return read_one_off(lean.lines, export.email)
    except Unreadable as exc:
        text = export.text[block.start : block.end]
        found = re.search(rf"^{re.escape(exc.name)}[;:]", text, re.MULTILINE | re.IGNORECASE)
        where = block.start + (found.start() if found else 0)
        raise export.error(where, f"has an unreadable {exc.name} in a VEVENT") from None


def _component(export: _Export, text: str, offset: int) -> icalendar.cal.Component:
    try:
        return icalendar.Component.from_ical(text)
    except Exception:  # ValueError and friends; the message may quote private text
        name = text[6 : text.find("\n")].strip().upper() if text[:6].upper() == "BEGIN:" else ""
        raise export.error(offset, f"has a {name or 'component'} that cannot be read") from None


def _check(export: _Export, component: icalendar.cal.Component, block: _Block) -> None:
    """Refuse a component whose times cannot be trusted; naming its line."""
    text = export.text[block.start : block.end]
    for part in component.walk():
        for name, _message in part.errors:
            if name is not None and name.upper() in TIME_PROPERTIES:
                found = re.search(rf"^{re.escape(name)}[;:]", text, re.MULTILINE | re.IGNORECASE)
                where = block.start + (found.start() if found else 0)
                raise export.error(where, f"has an unreadable {name.upper()} in a {part.name}")
        if not rules_supported(part):
            found = re.search(r"^RRULE[;:]", text, re.MULTILINE | re.IGNORECASE)
            where = block.start + (found.start() if found else 0)
            raise export.error(where, f"has an unsupported RRULE in a {part.name}")
        warn_unknown_zone(part)


def _own_uid(
    event: icalendar.cal.Component, masters: dict[str, int], lines: dict[str, int], line: int
) -> None:
    """Give an event that repeats another's UID without ``RECURRENCE-ID`` a UID of its own.

    recurring_ical_events keeps one event per UID and RECURRENCE-ID; two
    exported meetings that share a UID would otherwise lose one's busy time.
    Overrides stay with the first event of their UID. Events without a UID
    are told apart the same way.
    """
    uid = str(event.get("UID", ""))
    if "RECURRENCE-ID" not in event:
        seen = masters.get(uid, 0)
        masters[uid] = seen + 1
        if seen or not uid:
            uid = f"{uid}\x00{seen}"
            event.pop("UID", None)
            event.add("UID", uid)
    lines.setdefault(uid, line)
