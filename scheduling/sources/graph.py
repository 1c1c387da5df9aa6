"""Availability from Microsoft 365 through Microsoft Graph ``calendar/getSchedule``.

The app signs in with its own identity (client credentials, msal) and asks
``POST /users/{organizer}/calendar/getSchedule`` — the organizer is the
mailbox the call is made as; the app needs the ``Calendars.Read``
application permission (or ``Calendars.ReadBasic``). One call asks for at
most 100 schedules and less than 62 days (Graph's limit); longer lists and
windows are split. ``Prefer: outlook.timezone="UTC"`` makes Graph answer
in UTC.

Statuses (``scheduleItems[].status``, any case): ``free`` and
``workingElsewhere`` are free — working elsewhere says where someone is,
not that they cannot meet, and Graph's own ``availabilityView`` writes it
as free (0); ``tentative`` tentative; ``busy`` busy; ``oof``
out-of-office; ``unknown`` makes that span unknown; any other value is
taken as busy. Subjects and locations in the answer are ignored.

A ``scheduleInformation`` entry carrying an ``error`` (mailbox not found,
another tenant, no permission) makes that person unknown for that call;
HTTP 429 and 503/504 are retried after ``Retry-After`` seconds (a bounded
number of times); other failures of the whole call raise
:class:`CalendarServiceError`.
"""

from __future__ import annotations

import email.utils
import logging
import os
import re
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from scheduling.availability import Availability, Interval, Status
from scheduling.sources._util import (
    Span,
    check_window,
    chunked,
    clipped,
    collate,
    normalise_email,
    split_window,
    unique,
)
from scheduling.sources.errors import CalendarServiceError, require_extra
from scheduling.sources.graph_auth import (
    DEFAULT_AUTHORITY_HOST,
    SOURCE,
    VerifyingSession,
    client_token,
)
from scheduling.sources.redact import scrub

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

log = logging.getLogger("scheduling")

DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
SCOPES = ("https://graph.microsoft.com/.default",)
MAX_SCHEDULES = 100
MAX_WINDOW = timedelta(days=61)  # Graph refuses 62 days or more
RETRY_STATUSES = frozenset({429, 503, 504})

ENV_TENANT = "JAGS_GRAPH_TENANT_ID"
ENV_CLIENT = "JAGS_GRAPH_CLIENT_ID"
ENV_SECRET = "JAGS_GRAPH_CLIENT_SECRET"
ENV_ORGANIZER = "JAGS_GRAPH_ORGANIZER"
ENV_BASE_URL = "JAGS_GRAPH_BASE_URL"
ENV_AUTHORITY_HOST = "JAGS_GRAPH_AUTHORITY_HOST"
ENV_CA_BUNDLE = "JAGS_GRAPH_CA_BUNDLE"

_STATUSES = {
    "free": Status.FREE,
    "workingelsewhere": Status.FREE,
    "tentative": Status.TENTATIVE,
    "busy": Status.BUSY,
    "oof": Status.OOF,
    "unknown": Status.UNKNOWN,
}

_FRACTION = re.compile(r"(\.\d{1,6})\d*")


class GraphSource:
    """A :class:`~scheduling.availability.CalendarSource` over Microsoft Graph ``getSchedule``.

    Parameters
    ----------
    tenant_id, client_id, client_secret
        The Entra ID app registration. Pass them from the environment (see
        :meth:`from_env`), never from a file or a command-line argument.
    organizer
        The mailbox (user principal name or id) the call is made as.
    base_url
        Graph root (default ``"https://graph.microsoft.com/v1.0"``).
    authority_host
        Sign-in host (default ``"https://login.microsoftonline.com"``). Any
        other host is trusted as given: msal's instance discovery and
        authority validation are switched off for it.
    verify
        TLS verification for sign-in and Graph: ``True`` (default), or a
        CA bundle path.
    sleep
        Called with the seconds to wait before a retry (default
        :func:`time.sleep`; tests pass a recorder).
    max_retries
        Retries of one call after 429/503/504 (default 4).
    max_retry_after
        Longest wait accepted from ``Retry-After``, in seconds; a longer
        one raises instead (default 120).
    batch_size
        Schedules per call, at most 100 (default 100).
    max_window
        Longest window per call (default 61 days).
    timeout
        Seconds to wait for Graph to answer one call (default 60).
    session
        The :class:`requests.Session` to use (default a new one).
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        organizer: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        authority_host: str = DEFAULT_AUTHORITY_HOST,
        verify: bool | str = True,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 4,
        max_retry_after: float = 120.0,
        batch_size: int = MAX_SCHEDULES,
        max_window: timedelta = MAX_WINDOW,
        timeout: float = 60.0,
        session: requests.Session | None = None,
    ) -> None:
        require_extra("msal")
        missing = [
            name
            for name, value in (
                ("tenant id", tenant_id),
                ("client id", client_id),
                ("client secret", client_secret),
                ("organizer", organizer),
            )
            if not value
        ]
        if missing:
            raise CalendarServiceError(
                "Microsoft Graph: missing " + ", ".join(missing), service=SOURCE
            )
        if not 1 <= batch_size <= MAX_SCHEDULES:
            raise ValueError(f"batch_size must be between 1 and {MAX_SCHEDULES}")
        if not timedelta(0) < max_window <= MAX_WINDOW:
            raise ValueError("max_window must be positive and at most 61 days")
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        self._tenant = tenant_id
        self._client_id = client_id
        self._secret = client_secret
        self.organizer = organizer
        self.base_url = base_url.rstrip("/")
        self.authority_host = authority_host.rstrip("/")
        self._sleep = sleep
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after
        self._batch_size = batch_size
        self._max_window = max_window
        self._http = VerifyingSession(
            session if session is not None else requests.Session(), verify, timeout
        )
        self._app: Any = None

    def __repr__(self) -> str:
        return f"GraphSource(organizer={self.organizer!r}, base_url={self.base_url!r})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> GraphSource:
        """A source configured from the environment.

        Reads ``JAGS_GRAPH_TENANT_ID``, ``JAGS_GRAPH_CLIENT_ID``,
        ``JAGS_GRAPH_CLIENT_SECRET``, ``JAGS_GRAPH_ORGANIZER`` and optionally
        ``JAGS_GRAPH_BASE_URL``, ``JAGS_GRAPH_AUTHORITY_HOST`` and
        ``JAGS_GRAPH_CA_BUNDLE`` (a CA bundle path for TLS verification).

        Parameters
        ----------
        environ
            Where to read the variables (default :data:`os.environ`).
        **options
            Further keyword arguments for the constructor (e.g. ``sleep``).

        Raises
        ------
        CalendarServiceError
            When a required variable is missing (the message names it).
        """
        env = os.environ if environ is None else environ
        required = (ENV_TENANT, ENV_CLIENT, ENV_SECRET, ENV_ORGANIZER)
        missing = [name for name in required if not env.get(name, "").strip()]
        if missing:
            raise CalendarServiceError(
                "Microsoft Graph is not configured: set " + ", ".join(missing), service=SOURCE
            )
        if env.get(ENV_BASE_URL, "").strip():
            options.setdefault("base_url", env[ENV_BASE_URL].strip())
        if env.get(ENV_AUTHORITY_HOST, "").strip():
            options.setdefault("authority_host", env[ENV_AUTHORITY_HOST].strip())
        if env.get(ENV_CA_BUNDLE, "").strip():
            options.setdefault("verify", env[ENV_CA_BUNDLE].strip())
        return cls(*(env[name].strip() for name in required), **options)

    def close(self) -> None:
        """Close the HTTP session."""
        self._http.close()

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
            For each schedule Graph answered for: covered for the pieces of
            the window it answered (less any ``unknown`` spans), with its
            tentative, busy and out-of-office items cut to the window.
            Schedules answered with an error, or not at all, are unknown.

        Raises
        ------
        CalendarServiceError
            When sign-in fails, Graph cannot be reached, refuses the call,
            or keeps throttling beyond the retries.
        """
        window = check_window(start, end)
        people = unique(emails)
        coverage: dict[str, list[Span]] = {p: [] for p in people}
        holes: dict[str, list[Span]] = {p: [] for p in people}
        found: dict[str, set[Interval]] = {p: set() for p in people}
        for piece in split_window(*window, self._max_window) if people else ():
            for batch in chunked(people, self._batch_size):
                answers = self._get_schedule(batch, piece)
                for person in batch:
                    entry = _schedule(person, answers.get(person))
                    if entry is None:
                        continue
                    coverage[person].append(piece)
                    for item in entry.get("scheduleItems") or ():
                        status, begins, ends = _item(item)
                        if status is Status.UNKNOWN:
                            holes[person].append((begins, ends))
                            continue
                        interval = clipped(begins, ends, status, window)
                        if interval is not None:
                            found[person].add(interval)
        return collate(emails, coverage, holes, found, SOURCE)

    # -- HTTP -------------------------------------------------------------------------------

    def _token(self) -> str:
        """An app-only access token for Graph (msal caches it until it expires)."""
        token, self._app = client_token(
            self._client_id,
            self._secret,
            self._tenant,
            self.authority_host,
            SCOPES,
            http_client=self._http,
            app=self._app,
        )
        return token

    def _get_schedule(self, batch: list[str], piece: Span) -> dict[str, dict[str, Any]]:
        """One ``getSchedule`` call: the answer's entries keyed by normalised e-mail."""
        url = f"{self.base_url}/users/{quote(self.organizer, safe='@')}/calendar/getSchedule"
        body = {
            "schedules": batch,
            "startTime": {"dateTime": _graph_time(piece[0]), "timeZone": "UTC"},
            "endTime": {"dateTime": _graph_time(piece[1]), "timeZone": "UTC"},
            "availabilityViewInterval": 15,
        }
        response = self._post(url, body)
        try:
            entries = response.json()["value"]
            if not isinstance(entries, list):
                raise TypeError("value is not a list")
        except (ValueError, KeyError, TypeError):
            raise CalendarServiceError(
                "Microsoft Graph getSchedule answered with something that is not a schedule list",
                service=SOURCE,
            ) from None
        answers: dict[str, dict[str, Any]] = {}
        for entry in entries:
            if isinstance(entry, dict):
                answers.setdefault(normalise_email(str(entry.get("scheduleId", ""))), entry)
        return answers

    def _post(self, url: str, body: dict[str, Any]) -> requests.Response:
        """POST with retries on throttling; raises for any final failure."""
        headers = {
            "Authorization": f"Bearer {self._token()}",
            "Prefer": 'outlook.timezone="UTC"',
            "Content-Type": "application/json",
        }
        attempt = 0
        while True:
            try:
                response = self._http.post(url, json=body, headers=headers)
            except requests.RequestException as exc:
                raise CalendarServiceError(
                    f"Microsoft Graph could not be reached ({type(exc).__name__})", service=SOURCE
                ) from None
            if response.status_code not in RETRY_STATUSES or attempt >= self._max_retries:
                break
            delay = _retry_after(response.headers.get("Retry-After"), default=2.0**attempt)
            if delay > self._max_retry_after:
                break
            attempt += 1
            log.info(
                "graph: throttled (HTTP %d); retry %d in %.0f s",
                response.status_code,
                attempt,
                delay,
            )
            self._sleep(delay)
        if response.status_code >= 400:
            raise CalendarServiceError(
                f"Microsoft Graph getSchedule failed: HTTP {response.status_code} "
                f"{_error_text(response, self._secret)}".rstrip(),
                service=SOURCE,
            )
        return response


def _schedule(person: str, entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """``entry`` when it is a schedule for ``person``, ``None`` (logged) when not."""
    if entry is None:
        log.info("graph: no schedule returned for %s", person)
        return None
    error = entry.get("error")
    if error:
        code = error.get("responseCode", "error") if isinstance(error, dict) else "error"
        log.info("graph: %s is unknown (%s)", person, code)
        return None
    return entry


def _item(item: dict[str, Any]) -> tuple[Status, datetime, datetime]:
    """A schedule item's status and UTC times; malformed items raise a service error."""
    try:
        status = _STATUSES.get(str(item["status"]).casefold(), Status.BUSY)
        return status, _parse_time(item["start"]), _parse_time(item["end"])
    except (KeyError, TypeError, ValueError):
        raise CalendarServiceError(
            "Microsoft Graph answered with a schedule item that cannot be read", service=SOURCE
        ) from None


def _graph_time(moment: datetime) -> str:
    """A UTC moment as Graph's ``dateTimeTimeZone.dateTime`` (no offset)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _parse_time(value: dict[str, Any]) -> datetime:
    """A Graph ``dateTimeTimeZone`` (e.g. ``2026-10-19T09:00:00.0000000``, ``UTC``) in UTC."""
    text = _FRACTION.sub(r"\1", str(value["dateTime"]).strip())
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(str(value.get("timeZone") or "UTC")))
    return moment.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    """An IANA or Windows zone name as a :class:`~zoneinfo.ZoneInfo`."""
    if name.casefold() in ("utc", "z", "gmt", "coordinated universal time"):
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

        iana = WINDOWS_TO_OLSON.get(name)
        if iana is None:
            raise ValueError(f"unknown time zone {name!r}") from None
        return ZoneInfo(iana)


def _retry_after(value: str | None, *, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_text(response: requests.Response, *secrets: str) -> str:
    """Graph's ``error.code`` and ``error.message`` from a failed response, scrubbed, or ``""``.

    The message may echo the request; :func:`~scheduling.sources.redact.scrub`
    removes ``secrets`` and anything that looks like a secret or a token.
    """
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return ""
    if not isinstance(error, dict):
        return ""
    code, message = (
        scrub(error.get("code") or "", secrets),
        scrub(error.get("message") or "", secrets),
    )
    return f"{code}: {message}" if code and message else code or message
