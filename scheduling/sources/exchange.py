"""Availability from Exchange on-premises through EWS ``GetUserAvailability`` (exchangelib).

One request asks for at most 100 mailboxes and at most 42 days (the
Exchange default limit for a free/busy time window); longer lists and
windows are split. The request's time zone is the mailbox zone (default the
policy default, ``Policy().timezone``); Exchange answers in that zone and
every time is converted to UTC here.

Only the ``FreeBusy`` view is requested, so subjects and locations never
leave the server. Busy types: ``Free`` and ``WorkingElsewhere`` are free,
``Tentative`` tentative, ``Busy`` busy, ``OOF`` out-of-office, and
``NoData`` makes that span unknown. A mailbox whose answer is an error
(``ErrorMailRecipientNotFound``, ``ErrorNoFreeBusyAccess``, a mailbox in
another organisation, …) is unknown; problems with the whole request
(credentials, network, server faults) raise :class:`CalendarServiceError`.

exchangelib's own ``Protocol.get_free_busy_info`` stops at the first
mailbox error other than "recipient not found", losing the rest of its
batch; this module therefore sends the same ``GetUserAvailability``
request through a subclass of exchangelib's service that returns every
per-mailbox error instead of raising it.
"""

from __future__ import annotations

import functools
import logging
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import requests

from allocator.workdays import DEFAULT_ZONE
from scheduling.availability import Availability, Interval, Status
from scheduling.sources._util import (
    Span,
    check_window,
    chunked,
    clipped,
    collate,
    split_window,
    unique,
)
from scheduling.sources.errors import CalendarServiceError, require_extra
from scheduling.sources.redact import scrub

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

log = logging.getLogger("scheduling")

SOURCE = "exchange"
MAX_MAILBOXES = 100
MAX_WINDOW = timedelta(days=42)

ENV_SERVER = "JAGS_EWS_SERVER"
ENV_URL = "JAGS_EWS_URL"
ENV_USERNAME = "JAGS_EWS_USERNAME"
ENV_PASSWORD = "JAGS_EWS_PASSWORD"
ENV_AUTH = "JAGS_EWS_AUTH"

_BUSY_TYPES = {
    "Free": Status.FREE,
    "WorkingElsewhere": Status.FREE,
    "Tentative": Status.TENTATIVE,
    "Busy": Status.BUSY,
    "OOF": Status.OOF,
}

_AUTH_TYPES = {"ntlm": "NTLM", "basic": "basic", "digest": "digest", "gssapi": "gssapi"}


class ExchangeSource:
    """A :class:`~scheduling.availability.CalendarSource` over Exchange Web Services.

    Parameters
    ----------
    server
        Host name of the Exchange server; the endpoint is then
        ``https://{server}/EWS/Exchange.asmx``. Ignored when
        ``service_endpoint`` is given.
    username, password
        The account that asks (``DOMAIN\\user`` or ``user@domain``). Pass them
        from the environment (see :meth:`from_env`), never from a file or a
        command-line argument.
    service_endpoint
        Full EWS URL, e.g. ``"https://mail.example.org/EWS/Exchange.asmx"``
        (default ``None``: derived from ``server``). No autodiscover is done.
    auth_type
        ``"NTLM"`` (default), ``"basic"``, ``"digest"`` or ``"gssapi"``.
    mailbox_zone
        IANA zone the request is made in; Exchange's times come back in it
        (default the policy default, ``Policy().timezone``).
    server_build
        Exchange build ``(major, minor)`` to announce, skipping exchangelib's
        version guessing (default ``(15, 1)``, Exchange 2016; ``None`` lets
        exchangelib ask the server).
    batch_size
        Mailboxes per request, at most 100 (default 100).
    max_window
        Longest window per request (default 42 days, Exchange's limit).
    """

    def __init__(
        self,
        server: str,
        username: str,
        password: str,
        *,
        service_endpoint: str | None = None,
        auth_type: str = "NTLM",
        mailbox_zone: str = DEFAULT_ZONE,
        server_build: tuple[int, int] | None = (15, 1),
        batch_size: int = MAX_MAILBOXES,
        max_window: timedelta = MAX_WINDOW,
    ) -> None:
        require_extra("exchangelib")
        endpoint = service_endpoint or (f"https://{server}/EWS/Exchange.asmx" if server else "")
        if not endpoint:
            raise CalendarServiceError(
                "Exchange: no server or service endpoint given", service=SOURCE
            )
        if not username or not password:
            raise CalendarServiceError(
                "Exchange: a username and password are needed", service=SOURCE
            )
        auth = _AUTH_TYPES.get(auth_type.casefold())
        if auth is None:
            raise CalendarServiceError(
                f"Exchange: unsupported authentication {auth_type!r}", service=SOURCE
            )
        if not 1 <= batch_size <= MAX_MAILBOXES:
            raise ValueError(f"batch_size must be between 1 and {MAX_MAILBOXES}")
        if max_window <= timedelta(0):
            raise ValueError("max_window must be positive")
        self.service_endpoint = endpoint
        self._username = username
        self._password = password
        self._auth = auth
        self._zone_name = mailbox_zone
        ZoneInfo(mailbox_zone)  # fail early on a bad zone name
        self._build = server_build
        self._batch_size = batch_size
        self._max_window = max_window
        self._protocol: Any = None
        self._tz_definition: Any = None

    def __repr__(self) -> str:
        return f"ExchangeSource(service_endpoint={self.service_endpoint!r})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> ExchangeSource:
        """A source configured from the environment.

        Reads ``JAGS_EWS_URL`` (full endpoint) or ``JAGS_EWS_SERVER`` (host),
        ``JAGS_EWS_USERNAME``, ``JAGS_EWS_PASSWORD`` and optionally
        ``JAGS_EWS_AUTH`` (default NTLM).

        Parameters
        ----------
        environ
            Where to read the variables (default :data:`os.environ`).
        **options
            Further keyword arguments for the constructor.

        Raises
        ------
        CalendarServiceError
            When a required variable is missing (the message names it).
        """
        env = os.environ if environ is None else environ
        url = env.get(ENV_URL, "").strip()
        server = env.get(ENV_SERVER, "").strip()
        missing = [
            name
            for name, value in (
                (f"{ENV_URL} or {ENV_SERVER}", url or server),
                (ENV_USERNAME, env.get(ENV_USERNAME, "")),
                (ENV_PASSWORD, env.get(ENV_PASSWORD, "")),
            )
            if not value
        ]
        if missing:
            raise CalendarServiceError(
                "Exchange is not configured: set " + ", ".join(missing), service=SOURCE
            )
        if env.get(ENV_AUTH):
            options.setdefault("auth_type", env[ENV_AUTH].strip())
        return cls(
            server, env[ENV_USERNAME], env[ENV_PASSWORD], service_endpoint=url or None, **options
        )

    def close(self) -> None:
        """Close the HTTP sessions, if any were opened."""
        if self._protocol is not None:
            self._protocol.close()
            self._protocol = None

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
            For each mailbox Exchange answered for: covered for the pieces of
            the window it answered (less any ``NoData`` spans), with its busy,
            tentative and out-of-office events cut to the window. Mailboxes
            it could not answer for are unknown.

        Raises
        ------
        CalendarServiceError
            When the server cannot be reached, refuses the credentials or
            answers with a fault for the whole request.
        """
        window = check_window(start, end)
        people = unique(emails)
        coverage: dict[str, list[Span]] = {p: [] for p in people}
        holes: dict[str, list[Span]] = {p: [] for p in people}
        found: dict[str, set[Interval]] = {p: set() for p in people}
        if people:
            for piece in split_window(*window, self._max_window):
                for batch in chunked(people, self._batch_size):
                    for email, view in zip(batch, self._fetch(batch, piece), strict=True):
                        if _usable(email, view):
                            coverage[email].append(piece)
                            self._read(view, window, holes[email], found[email])
        return collate(emails, coverage, holes, found, SOURCE)

    def _read(self, view: Any, window: Span, holes: list[Span], found: set[Interval]) -> None:
        """Add a view's ``NoData`` spans to ``holes`` and its blocking events to ``found``."""
        for event in view.calendar_events or ():
            if event.start is None or event.end is None:
                log.warning("exchange: skipped a free/busy event without times")
                continue
            begins = _plain_utc(event.start, self._zone_name)
            ends = _plain_utc(event.end, self._zone_name)
            if event.busy_type == "NoData":
                holes.append((begins, ends))
                continue
            interval = clipped(begins, ends, _BUSY_TYPES.get(event.busy_type, Status.BUSY), window)
            if interval is not None:
                found.add(interval)

    def _get_protocol(self) -> Any:
        if self._protocol is None:
            from exchangelib import Build, Configuration, Credentials, Version
            from exchangelib.protocol import Protocol

            version = Version(build=Build(*self._build)) if self._build else None
            config = Configuration(
                credentials=Credentials(self._username, self._password),
                service_endpoint=self.service_endpoint,
                auth_type=self._auth,
                version=version,
            )
            self._protocol = Protocol(config=config)
        return self._protocol

    def _fetch(self, batch: list[str], piece: Span) -> list[Any]:
        """One ``GetUserAvailability`` call: a view or an exception per mailbox, in order."""
        from exchangelib import EWSDateTime, EWSTimeZone
        from exchangelib.errors import EWSError
        from exchangelib.properties import FreeBusyViewOptions, MailboxData, TimeWindow, TimeZone

        try:
            zone = EWSTimeZone(self._zone_name)
            begins = EWSDateTime.from_datetime(piece[0].astimezone(ZoneInfo(self._zone_name)))
            ends = EWSDateTime.from_datetime(piece[1].astimezone(ZoneInfo(self._zone_name)))
            protocol = self._get_protocol()
            if self._tz_definition is None:
                definitions = list(
                    protocol.get_timezones(timezones=[zone], return_full_timezone_data=True)
                )
                if not definitions or isinstance(definitions[0], Exception):
                    raise CalendarServiceError(
                        f"Exchange does not know the time zone {self._zone_name}", service=SOURCE
                    )
                self._tz_definition = definitions[0]
            service = _service_class()(protocol=protocol, chunk_size=len(batch))
            views = list(
                service.call(
                    tzinfo=zone,
                    mailbox_data=[
                        MailboxData(email=email, attendee_type="Required", exclude_conflicts=False)
                        for email in batch
                    ],
                    timezone=TimeZone.from_server_timezone(
                        tz_definition=self._tz_definition, for_year=begins.year
                    ),
                    free_busy_view_options=FreeBusyViewOptions(
                        time_window=TimeWindow(start=begins, end=ends),
                        merged_free_busy_interval=30,
                        requested_view="FreeBusy",
                    ),
                )
            )
        except (EWSError, requests.RequestException, OSError) as exc:
            said = scrub(exc, [self._password])
            raise CalendarServiceError(
                f"Exchange free/busy request failed ({type(exc).__name__}"
                + (f": {said})" if said else ")"),
                service=SOURCE,
            ) from None
        if len(views) != len(batch):
            log.warning(
                "exchange: expected %d free/busy answers, got %d; treating the batch as unknown",
                len(batch),
                len(views),
            )
            return [None] * len(batch)
        return views


def _usable(email: str, view: Any) -> bool:
    """Whether ``view`` is a free/busy view; logs why not."""
    if view is None:
        log.info("exchange: no free/busy view for %s", email)
        return False
    if isinstance(view, Exception):
        log.info("exchange: %s is unknown (%s)", email, type(view).__name__)
        return False
    if view.view_type in (None, "None"):
        log.info("exchange: %s is unknown (no free/busy view)", email)
        return False
    return True


def _plain_utc(value: datetime, zone: str) -> datetime:
    """An exchangelib date-time as a plain ``datetime`` in UTC (naive ones are in ``zone``)."""
    if value.tzinfo is None:
        value = datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            tzinfo=ZoneInfo(zone),
        )
    return datetime.fromtimestamp(value.timestamp(), tz=UTC)


@functools.cache
def _service_class() -> type[Any]:
    """exchangelib's ``GetUserAvailability`` returning, not raising, per-mailbox errors."""
    from exchangelib.errors import ResponseMessageError
    from exchangelib.services import GetUserAvailability

    class TolerantGetUserAvailability(GetUserAvailability):  # type: ignore[misc]
        ERRORS_TO_CATCH_IN_RESPONSE = (
            *GetUserAvailability.ERRORS_TO_CATCH_IN_RESPONSE,
            ResponseMessageError,
        )

    return TolerantGetUserAvailability
