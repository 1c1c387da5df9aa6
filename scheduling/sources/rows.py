"""Availability from ``availability.csv`` rows already read by the application."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from scheduling.availability import Availability, Interval, Status, utc
from scheduling.sources._util import check_window, clipped, normalise_email
from scheduling.sources.errors import CalendarError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime

SOURCE = "csv"

_ALLOWED = frozenset({Status.BUSY, Status.TENTATIVE, Status.OOF, Status.FREE})


class RowsSource:
    """A :class:`~scheduling.availability.CalendarSource` over explicit availability rows.

    Parameters
    ----------
    rows
        ``(email, start, end, status)`` tuples, as parsed from
        ``availability.csv`` by the application: aware datetimes,
        ``end`` after ``start``, status busy, tentative, oof or free (a
        :class:`~scheduling.availability.Status` or its string value).
    source
        The label put on every :class:`~scheduling.availability.Availability`
        (default ``"csv"``).

    Notes
    -----
    A person listed in at least one row is known for the whole queried
    window: time without a busy, tentative or out-of-office row is free.
    ``free`` rows add no interval but make the person known. A person not
    listed at all is unknown.

    Raises
    ------
    CalendarError
        For a row without an e-mail, with a naive or reversed time, or
        with a status other than the four allowed (the message gives the
        0-based row number).
    """

    def __init__(
        self, rows: Iterable[tuple[str, datetime, datetime, Status | str]], *, source: str = SOURCE
    ) -> None:
        self._source = source
        spans: dict[str, list[Interval]] = defaultdict(list)
        known: set[str] = set()
        for number, (email, start, end, status) in enumerate(rows):
            key = normalise_email(email)
            if not key:
                raise CalendarError(f"availability row {number}: the e-mail is empty")
            try:
                state = Status(status)
                start_utc, end_utc = utc(start), utc(end)
            except ValueError:
                raise CalendarError(
                    f"availability row {number} for {key}: naive time or unknown status", email=key
                ) from None
            if state not in _ALLOWED:
                raise CalendarError(
                    f"availability row {number} for {key}: status must be busy, tentative, "
                    "oof or free",
                    email=key,
                )
            if end_utc <= start_utc:
                raise CalendarError(
                    f"availability row {number} for {key}: end is not after start", email=key
                )
            known.add(key)
            if state is not Status.FREE:
                spans[key].append(Interval(start_utc, end_utc, state))
        self._known = frozenset(known)
        self._intervals: dict[str, tuple[Interval, ...]] = {
            key: tuple(sorted(items)) for key, items in spans.items()
        }

    @property
    def emails(self) -> frozenset[str]:
        """The (normalised) people listed in the rows."""
        return self._known

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
            Listed people covered for the window, with their rows cut to
            it; everyone else :meth:`Availability.unknown`.
        """
        window = check_window(start, end)
        result: dict[str, Availability] = {}
        for email in emails:
            key = normalise_email(email)
            if key not in self._known:
                result[email] = Availability.unknown(key or email, self._source)
                continue
            cut = (clipped(i.start, i.end, i.status, window) for i in self._intervals.get(key, ()))
            result[email] = Availability(
                email=key,
                coverage=(window,),
                intervals=tuple(i for i in cut if i is not None),
                source=self._source,
            )
        return result
