"""Errors raised by the calendar sources.

Messages name the calendar's owner (an e-mail) and the kind of problem,
never an event's summary, description or location, and never a secret.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from allocator.errors import InputError

if TYPE_CHECKING:
    from types import ModuleType

EXTRA = "exchange"
"""The optional extra that brings exchangelib and msal: ``pip install 'jags-planner[exchange]'``."""


class CalendarError(InputError):
    """A calendar that cannot be read (e.g. an ``.ics`` export that does not parse).

    Parameters
    ----------
    message
        Short, plain-English description naming the calendar's owner.
    email
        The owner of the calendar, when the problem concerns one person
        (default ``None``).
    line
        The line of the export the problem is on, when known (default ``None``).
    reason
        The problem without the owner, e.g. ``"has an unreadable DTSTART in a
        VEVENT"``, for a message that names the file instead (default: the
        whole message).
    """

    def __init__(
        self,
        message: str,
        *,
        email: str | None = None,
        line: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.email = email
        self.line = line
        self.reason = message if reason is None else reason


class CalendarServiceError(CalendarError):
    """A calendar service (Exchange, Microsoft Graph) that could not be used.

    Raised for problems with the whole request rather than one person:
    missing configuration, rejected credentials, an unreachable server, a
    malformed answer, or throttling that outlasted the retries. Problems
    with one mailbox (unknown address, no permission, another tenant) are
    not errors: that person is simply unknown.

    Parameters
    ----------
    message
        Short description; never contains a password, secret or token.
    service
        ``"exchange"`` or ``"graph"``.
    """

    def __init__(self, message: str, *, service: str) -> None:
        super().__init__(message)
        self.service = service


class MissingExtraError(InputError):
    """Exchange or Microsoft 365 was asked for, but the optional libraries are not installed.

    Parameters
    ----------
    module
        The library that could not be imported (``"exchangelib"`` or ``"msal"``).
    """

    def __init__(self, module: str) -> None:
        super().__init__(
            f"Exchange and Microsoft 365 support is not installed ({module} is missing): "
            f"install it with pip install 'jags-planner[{EXTRA}]'"
        )
        self.module = module


def require_extra(module: str) -> ModuleType:
    """``module`` (``"exchangelib"`` or ``"msal"``), imported.

    Raises
    ------
    MissingExtraError
        When the ``exchange`` extra is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(module) from None
