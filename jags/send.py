"""Send calendar invitations by e-mail through Microsoft Graph or Exchange (EWS).

Each invitation goes out as one iMIP e-mail (built by
:func:`scheduling.invitations.eml_bytes`) from the organizer's mailbox:

- **Graph** (Microsoft 365): ``POST {base}/users/{organizer}/sendMail`` with
  the MIME message base64-encoded as ``text/plain``; an app-only token comes
  from the client-credentials flow (msal).
- **Exchange** (on-premises EWS, via exchangelib): ``CreateItem`` with the
  MIME content, sent and saved to the organizer's Sent Items.

Credentials come from the environment only (see :data:`GRAPH_ENV` and
:data:`EWS_ENV`); a missing variable is an :class:`~allocator.errors.InputError`
that names the variable and never shows a value. Messages, logs and errors
carry the request id and the method, never a case reference or free text.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any, Literal, get_args
from urllib.parse import quote, urlsplit

import requests

from allocator.errors import InputError
from allocator.workdays import DEFAULT_ZONE
from scheduling.invitations import SERVICE_NAME, Method, Person, eml_bytes, message_id_for
from scheduling.sources.errors import CalendarServiceError, require_extra
from scheduling.sources.graph import ENV_CA_BUNDLE
from scheduling.sources.graph_auth import DEFAULT_AUTHORITY_HOST as GRAPH_AUTHORITY_HOST
from scheduling.sources.graph_auth import VerifyingSession, client_token
from scheduling.sources.redact import scrub

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["EWS_ENV", "GRAPH_ENV", "OutgoingInvite", "SendError", "Via", "send_invites"]

log = logging.getLogger("jags.send")

Via = Literal["exchange", "graph"]

GRAPH_ENV = (
    "JAGS_GRAPH_TENANT_ID",
    "JAGS_GRAPH_CLIENT_ID",
    "JAGS_GRAPH_CLIENT_SECRET",
    "JAGS_GRAPH_ORGANIZER",
)
"""Required for ``via="graph"``. Optional: ``JAGS_GRAPH_BASE_URL`` (default
``https://graph.microsoft.com/v1.0``) and ``JAGS_GRAPH_AUTHORITY_HOST``
(default ``https://login.microsoftonline.com``)."""

EWS_ENV = ("JAGS_EWS_URL", "JAGS_EWS_USERNAME", "JAGS_EWS_PASSWORD", "JAGS_EWS_SENDER")
"""Required for ``via="exchange"``. Optional: ``JAGS_EWS_AUTH`` (``ntlm``,
the default, or ``basic``)."""

GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
_VIAS: frozenset[str] = frozenset(get_args(Via))
_METHODS: frozenset[str] = frozenset(get_args(Method))
_RETRY_STATUS = frozenset({429, 503, 504})
_ATTEMPTS = 3
_MAX_RETRY_WAIT = 30.0
_LOOPBACK_NAMES = frozenset({"localhost"})


class SendError(RuntimeError):
    """Sending failed part-way; ``sent`` lists what had gone out before the failure."""

    def __init__(self, message: str, sent: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.sent: tuple[str, ...] = tuple(sent)


@dataclass(frozen=True, slots=True)
class OutgoingInvite:
    """One invitation e-mail to send.

    Parameters
    ----------
    request_id
        The request the invitation is for (used in progress lines and errors).
    method
        ``"REQUEST"`` or ``"CANCEL"``: the METHOD of ``ics``.
    ics
        The iCalendar document (:func:`scheduling.invitations.request_ics` or
        :func:`~scheduling.invitations.cancel_ics`).
    recipients
        Who receives it (usually every attendee).
    subject
        Subject line (see :func:`scheduling.invitations.subject_for`).
    text
        Plain-text body.
    """

    request_id: str
    method: Method
    ics: bytes
    recipients: tuple[Person, ...]
    subject: str
    text: str

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(
                f"{self.request_id}: method {self.method!r} is not one of {sorted(_METHODS)}"
            )
        if not isinstance(self.recipients, tuple) or not self.recipients:
            raise ValueError(f"{self.request_id}: recipients must be a non-empty tuple")
        if f"\r\nMETHOD:{self.method}\r\n".encode("ascii") not in self.ics:
            raise ValueError(
                f"{self.request_id}: method {self.method} does not match the iCalendar METHOD"
            )

    @property
    def sequence(self) -> int:
        """The SEQUENCE written in ``ics`` (0 when absent)."""
        found = re.search(rb"\r\nSEQUENCE:(\d+)\r\n", self.ics)
        return int(found.group(1)) if found else 0


def _line(verb: str, message: OutgoingInvite, via: str) -> str:
    count = len(message.recipients)
    return (
        f"{verb} {message.method} for {message.request_id} to {count} "
        f"recipient{'s' if count != 1 else ''} via {via}"
    )


def send_invites(
    messages: Sequence[OutgoingInvite],
    *,
    via: Via,
    dry_run: bool = True,
    sender_name: str = SERVICE_NAME,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Send invitation e-mails, or (by default) say what would be sent.

    Parameters
    ----------
    messages
        The invitations, sent in order.
    via
        ``"graph"`` (Microsoft 365) or ``"exchange"`` (on-premises EWS).
    dry_run
        Only describe what would be sent; no credentials needed, no network
        (default ``True``).
    sender_name
        Display name in the From header (default ``"Joint Agency Group Supervision"``).
    now
        Date header of the e-mails (aware; default: the current time).
    environ
        Where to read the credentials (default :data:`os.environ`).
    session
        HTTP session for Graph and sign-in requests (default: a new
        :class:`requests.Session`); e.g. to trust a private CA.
    timeout
        Seconds to wait for each HTTP response (default 30).
    sleep
        Called with the wait in seconds before retrying a throttled Graph
        request (default :func:`time.sleep`).

    Returns
    -------
    list[str]
        One line per message: ``"would send REQUEST for R-001 to 5 recipients
        via graph"`` in a dry run, ``"sent …"`` otherwise.

    Raises
    ------
    InputError
        ``via`` unknown, or a required environment variable is not set (the
        message names the variables, never a value), or an endpoint is not https,
        or the ``exchange`` extra (exchangelib, msal) is not installed.
    SendError
        Sign-in or sending failed; ``SendError.sent`` holds the lines of the
        messages that did go out.
    """
    if via not in _VIAS:
        raise InputError(f"unknown sending route {via!r}; choose one of {sorted(_VIAS)}")
    if dry_run or not messages:
        return [_line("would send", message, via) for message in messages]
    require_extra("msal" if via == "graph" else "exchangelib")
    env = os.environ if environ is None else environ
    moment = now or datetime.now(UTC)
    if via == "graph":
        return _send_graph(
            messages,
            env,
            sender_name=sender_name,
            now=moment,
            session=session,
            timeout=timeout,
            sleep=sleep,
        )
    return _send_exchange(messages, env, sender_name=sender_name, now=moment)


# --------------------------------------------------------------------------- shared


def _require_env(env: Mapping[str, str], names: Sequence[str], via: str) -> dict[str, str]:
    missing = [name for name in names if not env.get(name, "").strip()]
    if missing:
        raise InputError(
            f"sending via {via} needs these environment variables set: " + ", ".join(missing)
        )
    return {name: env[name].strip() for name in names}


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _endpoint(url: str, variable: str, *, allow_loopback_http: bool) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http"):
        raise InputError(f"{variable} is not an http(s) URL")
    if parts.scheme == "http" and not (allow_loopback_http and _is_loopback(host)):
        raise InputError(f"{variable} must use https")
    return url.rstrip("/")


def _email(message: OutgoingInvite, sender: Person, now: datetime) -> bytes:
    domain = sender.email.rpartition("@")[2]
    return eml_bytes(
        message.ics,
        method=message.method,
        sender=sender,
        recipients=message.recipients,
        subject=message.subject,
        text=message.text,
        date=now,
        message_id=message_id_for(
            message.request_id,
            method=message.method,
            sequence=message.sequence,
            ics=message.ics,
            domain=domain,
        ),
    )


# --------------------------------------------------------------------------- Graph


def _graph_token(
    env: Mapping[str, str], settings: Mapping[str, str], base: str, http: Any, timeout: float
) -> str:
    host = _endpoint(
        env.get("JAGS_GRAPH_AUTHORITY_HOST", "").strip() or GRAPH_AUTHORITY_HOST,
        "JAGS_GRAPH_AUTHORITY_HOST",
        allow_loopback_http=False,
    )
    parts = urlsplit(base)
    scope = f"{parts.scheme}://{parts.netloc}/.default"
    try:
        token, _ = client_token(
            settings["JAGS_GRAPH_CLIENT_ID"],
            settings["JAGS_GRAPH_CLIENT_SECRET"],
            settings["JAGS_GRAPH_TENANT_ID"],
            host,
            [scope],
            http_client=http,
            timeout=timeout,
        )
    except CalendarServiceError as exc:
        raise SendError(str(exc)) from None
    return token


def _graph_error_code(response: requests.Response, secret: str) -> str:
    """`` (code: message)`` from Graph's error body, scrubbed of secrets and tokens."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = scrub(body["error"].get("code") or "", [secret], limit=80)
        message = scrub(body["error"].get("message") or "", [secret])
        text = f"{code}: {message}" if code and message else code or message
        return f" ({text})" if text else ""
    return ""


def _retry_wait(response: requests.Response, attempt: int) -> float:
    header = response.headers.get("Retry-After", "")
    try:
        wait = float(header)
    except ValueError:
        wait = float(2**attempt)
    return min(max(wait, 0.0), _MAX_RETRY_WAIT)


def _send_graph(
    messages: Sequence[OutgoingInvite],
    env: Mapping[str, str],
    *,
    sender_name: str,
    now: datetime,
    session: requests.Session | None,
    timeout: float,
    sleep: Callable[[float], None],
) -> list[str]:
    settings = _require_env(env, GRAPH_ENV, "graph")
    base = _endpoint(
        env.get("JAGS_GRAPH_BASE_URL", "").strip() or GRAPH_BASE_URL,
        "JAGS_GRAPH_BASE_URL",
        allow_loopback_http=True,
    )
    organizer = settings["JAGS_GRAPH_ORGANIZER"]
    try:
        sender = Person(sender_name, organizer)
    except ValueError:
        raise InputError("JAGS_GRAPH_ORGANIZER is not a plain e-mail address") from None
    bundle = env.get(ENV_CA_BUNDLE, "").strip()
    http: Any = session or VerifyingSession(requests.Session(), bundle or True, timeout)
    token = _graph_token(env, settings, base, http, timeout)
    url = f"{base}/users/{quote(organizer, safe='@')}/sendMail"
    sent: list[str] = []
    for message in messages:
        body = base64.b64encode(_email(message, sender, now))
        for attempt in range(_ATTEMPTS):
            try:
                response = http.post(
                    url,
                    data=body,
                    timeout=timeout,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
                )
            except requests.RequestException as exc:
                raise SendError(
                    f"Graph could not be reached sending {message.method} for "
                    f"{message.request_id} ({exc.__class__.__name__})",
                    sent,
                ) from None
            if response.status_code in _RETRY_STATUS and attempt + 1 < _ATTEMPTS:
                wait = _retry_wait(response, attempt)
                log.info(
                    "Graph throttled %s for %s; retrying in %.0f s",
                    message.method,
                    message.request_id,
                    wait,
                )
                sleep(wait)
                continue
            break
        if response.status_code not in (200, 202):
            raise SendError(
                f"Graph refused {message.method} for {message.request_id}: "
                f"HTTP {response.status_code}"
                f"{_graph_error_code(response, settings['JAGS_GRAPH_CLIENT_SECRET'])}",
                sent,
            )
        line = _line("sent", message, "graph")
        log.info(line)
        sent.append(line)
    return sent


# --------------------------------------------------------------------------- Exchange


def _send_exchange(
    messages: Sequence[OutgoingInvite], env: Mapping[str, str], *, sender_name: str, now: datetime
) -> list[str]:
    settings = _require_env(env, EWS_ENV, "exchange")
    url = _endpoint(settings["JAGS_EWS_URL"], "JAGS_EWS_URL", allow_loopback_http=True)
    auth_name = env.get("JAGS_EWS_AUTH", "").strip().lower() or "ntlm"
    if auth_name not in ("ntlm", "basic"):
        raise InputError("JAGS_EWS_AUTH must be 'ntlm' or 'basic'")
    try:
        sender = Person(sender_name, settings["JAGS_EWS_SENDER"])
    except ValueError:
        raise InputError("JAGS_EWS_SENDER is not a plain e-mail address") from None

    from exchangelib import (
        BASIC,
        DELEGATE,
        NTLM,
        Account,
        Build,
        Configuration,
        Credentials,
        EWSTimeZone,
        FailFast,
        Message,
        Version,
    )
    from exchangelib.errors import EWSError

    config = Configuration(
        service_endpoint=url,
        credentials=Credentials(settings["JAGS_EWS_USERNAME"], settings["JAGS_EWS_PASSWORD"]),
        auth_type=BASIC if auth_name == "basic" else NTLM,
        # Exchange 2013 SP1 schema: understood by every supported on-premises
        # server, and it spares a version-guessing round trip.
        version=Version(build=Build(15, 0, 847)),
        retry_policy=FailFast(),
    )
    sent: list[str] = []
    try:
        account = Account(
            primary_smtp_address=sender.email,
            config=config,
            autodiscover=False,
            access_type=DELEGATE,
            locale="en_GB",
            default_timezone=EWSTimeZone(DEFAULT_ZONE),
        )
        for message in messages:
            item = Message(account=account, mime_content=_email(message, sender, now))
            item.send(save_copy=True)
            line = _line("sent", message, "exchange")
            log.info(line)
            sent.append(line)
    except (EWSError, requests.RequestException, OSError) as exc:
        # exchangelib names its error classes after the EWS response codes
        # (e.g. ErrorSendAsDenied); their messages are shown scrubbed of secrets.
        what = (
            f" {messages[len(sent)].method} for {messages[len(sent)].request_id}"
            if len(sent) < len(messages)
            else ""
        )
        said = scrub(exc, [settings["JAGS_EWS_PASSWORD"]])
        raise SendError(
            f"Exchange refused or could not be reached sending{what} "
            f"({exc.__class__.__name__}" + (f": {said})" if said else ")"),
            sent,
        ) from None
    return sent
