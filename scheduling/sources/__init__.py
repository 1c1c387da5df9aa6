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

import importlib
from typing import TYPE_CHECKING, Any

from scheduling.sources.errors import CalendarError, CalendarServiceError, MissingExtraError
from scheduling.sources.ics import CalendarLimits, IcsSource, ReadingCache
from scheduling.sources.rows import RowsSource

if TYPE_CHECKING:
    from scheduling.sources.exchange import ExchangeSource
    from scheduling.sources.graph import GraphSource

_REMOTE = {
    "ExchangeSource": "scheduling.sources.exchange",
    "GraphSource": "scheduling.sources.graph",
}
"""The network sources load (with their HTTP client) only when first used."""


def __getattr__(name: str) -> Any:
    if name in _REMOTE:
        return getattr(importlib.import_module(_REMOTE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
