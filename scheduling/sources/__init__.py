"""Calendar sources: each turns one kind of calendar into availability.

- :class:`IcsSource` — ``.ics`` exports (Outlook, Google, Apple), content passed in.
- :class:`RowsSource` — ``availability.csv`` rows already read by the application.
- :class:`ExchangeSource` — Exchange on-premises, EWS free/busy (exchangelib).
- :class:`GraphSource` — Microsoft 365, Graph ``getSchedule`` (msal + requests).

All implement :class:`~scheduling.availability.CalendarSource`: every e-mail
asked for is a key of the answer, and a person a source cannot see is
unknown, never free. Sources never read files or print.
"""

from __future__ import annotations

from scheduling.sources.errors import CalendarError, CalendarServiceError, MissingExtraError
from scheduling.sources.exchange import ExchangeSource
from scheduling.sources.graph import GraphSource
from scheduling.sources.ics import CalendarLimits, IcsSource, ReadingCache
from scheduling.sources.rows import RowsSource

__all__ = [
    "CalendarError",
    "CalendarLimits",
    "CalendarServiceError",
    "ExchangeSource",
    "GraphSource",
    "IcsSource",
    "MissingExtraError",
    "ReadingCache",
    "RowsSource",
]
