"""Availability from iCalendar (``.ics``) exports, as Outlook, Google and Apple write them.

Each export is read on its own (:func:`scheduling.sources.ics_read.read_export`):
its time-zone definitions belong to it alone, events far from the window
are dropped before parsing, and events sharing a UID keep their busy time.
What each event means is set out in :mod:`scheduling.sources.ics_events`.

Times: UTC and ``TZID`` times as written (a ``VTIMEZONE`` in the file is
used for that file only; IANA names always mean the zone database's zone;
Windows names such as "GMT Standard Time" without a definition are mapped
by :mod:`icalendar`); floating times, unknown ``TZID`` s and all-day dates
are in the policy's time zone (``DTEND`` of all-day events is exclusive).

Many exports are read in worker processes, and a :class:`ReadingCache`
given by the application keeps each export's reading for a window, keyed
by its content, so a second run over unchanged exports parses nothing.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from allocator.workdays import DEFAULT_ZONE
from scheduling.availability import Availability
from scheduling.sources._util import check_window, merge_spans, normalise_email
from scheduling.sources.errors import CalendarError
from scheduling.sources.ics_read import CalendarLimits, ExportReading, read_export

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from allocator.policy import Policy
    from scheduling.sources._util import Span

__all__ = ["SOURCE", "CalendarLimits", "IcsSource", "ReadingCache"]

log = logging.getLogger("scheduling")

SOURCE = "ics"
POOL_FROM = 24
"""Read in worker processes from this many exports to parse (fewer: in this process)."""
_FORMAT = "2"
"""Changes whenever a reading's meaning changes, so older cache entries are not used."""


class ReadingCache(Protocol):
    """Where readings of exports are kept between runs (the application's files).

    Keys are hex digests of everything a reading depends on; values are
    opaque bytes. A missing or unreadable entry is simply read again.
    """

    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or ``None``."""
        ...

    def put(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key`` (best effort; failures are ignored)."""
        ...


class IcsSource:
    """A :class:`~scheduling.availability.CalendarSource` over ``.ics`` exports.

    Parameters
    ----------
    calendars
        E-mail → the raw content of that person's export (bytes are read as
        UTF-8, a byte-order mark allowed). Two keys that differ only in case
        are one person with two calendars.
    zone
        The zone of floating times and all-day dates (default the policy
        default, ``Policy().timezone``).
    limits
        Largest export read (default :class:`CalendarLimits`: 20 MB,
        100,000 components).
    strict
        Raise on the first unreadable export (default ``True``). With
        ``False`` its owner is unknown and the error is kept in
        :attr:`problems`.
    cache
        Where readings are kept between runs (default ``None``: none).
    workers
        Worker processes for many exports (default ``None``: one per CPU,
        at most 8; ``1`` reads everything in this process).

    Raises
    ------
    CalendarError
        A calendar given without an e-mail.
    """

    def __init__(
        self,
        calendars: Mapping[str, bytes | str],
        *,
        zone: str | ZoneInfo = DEFAULT_ZONE,
        limits: CalendarLimits | None = None,
        strict: bool = True,
        cache: ReadingCache | None = None,
        workers: int | None = None,
    ) -> None:
        self._zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self._limits = limits or CalendarLimits()
        self._strict = strict
        self._cache = cache
        self._workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
        self._calendars: dict[str, list[bytes | str]] = {}
        self._problems: dict[str, CalendarError] = {}
        self.counts = (0, 0)
        """Exports parsed and exports answered from the cache by the last :meth:`availability`."""
        for email, content in calendars.items():
            key = normalise_email(email)
            if not key:
                raise CalendarError("a calendar was given without an e-mail address")
            self._calendars.setdefault(key, []).append(content)

    @classmethod
    def for_policy(
        cls, calendars: Mapping[str, bytes | str], policy: Policy, **options: Any
    ) -> IcsSource:
        """A source whose zone and limits are ``policy``'s (``timezone``,
        ``calendar_max_bytes``, ``calendar_max_components``)."""
        limits = CalendarLimits(policy.calendar_max_bytes, policy.calendar_max_components)
        return cls(calendars, zone=policy.timezone, limits=limits, **options)

    @property
    def emails(self) -> frozenset[str]:
        """The (normalised) people with a calendar."""
        return frozenset(self._calendars)

    @property
    def problems(self) -> tuple[CalendarError, ...]:
        """Exports that could not be read so far (``strict=False``), by e-mail."""
        return tuple(self._problems[e] for e in sorted(self._problems))

    def availability(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Availability]:
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
            People with a readable calendar: its blocking occurrences cut to
            the window, covered as described in :mod:`~scheduling.sources.ics_freebusy`;
            everyone else (and, with ``strict=False``, the owners of
            unreadable exports) :meth:`Availability.unknown`.

        Raises
        ------
        CalendarError
            With ``strict``: an export over a limit or that cannot be read.
        """
        window = check_window(start, end)
        wanted = sorted({normalise_email(e) for e in emails} & set(self._calendars))
        tasks = [(key, content) for key in wanted for content in self._calendars[key]]
        readings = self._read(tasks, window)
        by_owner: dict[str, list[ExportReading | CalendarError]] = {}
        for (owner, _), reading in zip(tasks, readings, strict=True):
            by_owner.setdefault(owner, []).append(reading)
        people: dict[str, Availability] = {}
        for key in wanted:
            mine = by_owner[key]
            errors = [r for r in mine if isinstance(r, CalendarError)]
            if errors:
                self._problems.setdefault(key, errors[0])
                log.info("ics: the calendar for %s cannot be read; unknown", key)
                continue
            good = [r for r in mine if isinstance(r, ExportReading)]
            people[key] = Availability(
                email=key,
                coverage=merge_spans(s for r in good for s in r.coverage),
                intervals=tuple(sorted({i for r in good for i in r.intervals})),
                source=SOURCE,
            )
        result: dict[str, Availability] = {}
        for email in emails:
            key = normalise_email(email)
            found = people.get(key)
            result[email] = (
                found if found is not None else Availability.unknown(key or email, SOURCE)
            )
        return result

    # -- reading ----------------------------------------------------------------------------

    def _read(
        self, tasks: list[tuple[str, bytes | str]], window: Span
    ) -> list[ExportReading | CalendarError]:
        """Each task's reading, from the cache or read afresh (in workers when many)."""
        keys = [self._key(content, window) for _, content in tasks]
        out: list[ExportReading | CalendarError | None] = [None] * len(tasks)
        if self._cache is not None:
            for i, key in enumerate(keys):
                out[i] = _cached(self._cache, key)
        todo = [i for i, r in enumerate(out) if r is None]
        self.counts = (len(todo), len(out) - len(todo))
        jobs = [(tasks[i][0], tasks[i][1], window, self._zone.key, self._limits) for i in todo]
        if len(jobs) >= POOL_FROM and self._workers > 1:
            workers = min(self._workers, len(jobs))
            chunk = max(1, len(jobs) // (4 * workers))
            # Forked workers share this process's objects; frozen, their garbage
            # collector never walks (and so never copies) them.
            gc.freeze()
            try:
                with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
                    fresh = list(pool.map(_read_job, jobs, chunksize=chunk))
            finally:
                gc.unfreeze()
        else:
            fresh = [_read_job(job) for job in jobs]
        for i, answer in zip(todo, fresh, strict=True):
            reading = _from_answer(answer)
            out[i] = reading
            if self._cache is not None and isinstance(reading, ExportReading):
                self._cache.put(keys[i], json.dumps(answer[1]).encode("utf-8"))
        done = [r for r in out if r is not None]
        if self._strict:
            for item in done:
                if isinstance(item, CalendarError):
                    raise item
        return done

    def _key(self, content: bytes | str, window: Span) -> str:
        digest = hashlib.sha256()
        for part in (
            *_versions(),
            self._zone.key,
            window[0].isoformat(),
            window[1].isoformat(),
            str(self._limits.max_bytes),
            str(self._limits.max_components),
        ):
            digest.update(part.encode("utf-8") + b"\x00")
        digest.update(content if isinstance(content, bytes) else content.encode("utf-8"))
        return digest.hexdigest()


Answer = tuple[str, Any]


@functools.cache
def _versions() -> tuple[str, ...]:
    """What a reading depends on besides its input: this format and the libraries' versions."""
    return _FORMAT, version("icalendar"), version("recurring-ical-events"), version("x-wr-timezone")


def _read_job(job: tuple[str, bytes | str, Span, str, CalendarLimits]) -> Answer:
    """Read one export (in a worker process or not): plain data, safe to pickle."""
    email, content, window, zone, limits = job
    try:
        reading = read_export(email, content, window, ZoneInfo(zone), limits)
    except CalendarError as exc:
        return "error", [str(exc), exc.email, exc.line, exc.reason]
    return "ok", reading.to_json()


def _from_answer(answer: Answer) -> ExportReading | CalendarError:
    kind, data = answer
    if kind == "ok":
        return ExportReading.from_json(data)
    message, email, line, reason = data
    return CalendarError(message, email=email, line=line, reason=reason)


def _cached(cache: ReadingCache, key: str) -> ExportReading | None:
    raw = cache.get(key)
    if raw is None:
        return None
    try:
        return ExportReading.from_json(json.loads(raw))
    except (ValueError, TypeError, KeyError):
        return None  # damaged entry: read the export again


def _context() -> Any:
    """``fork`` where it is safe (one thread, a system that has it), else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
