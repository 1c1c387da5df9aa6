"""Invitation e-mails (iMIP, RFC 6047): who sends and receives them, and the MIME message.

Pure: the message is returned as bytes; :mod:`jags.send` sends it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

__all__ = ["Person", "check_aware", "check_email", "check_text", "eml_bytes"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s<>\"(),;:\[\]\\]+@[^@\s<>\"(),;:\[\]\\]+$")


def check_text(value: str, what: str) -> None:
    """Refuse an empty ``value`` or one with a control character (``what`` names it)."""
    if not value or not value.strip():
        raise ValueError(f"{what} is empty")
    if _CONTROL.search(value):
        raise ValueError(f"{what} contains a control character (line break or tab)")


def check_email(value: str, what: str) -> None:
    """Refuse a ``value`` that is not a plain e-mail address."""
    check_text(value, what)
    if not _EMAIL.match(value):
        raise ValueError(f"{what} is not a plain e-mail address")


def check_aware(value: datetime, what: str) -> None:
    """Refuse a naive ``value``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} is a naive datetime; give it a time zone")


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who sends or receives an invitation.

    Parameters
    ----------
    name
        Display name (a professional's name; never a child's).
    email
        Plain address, e.g. ``"a.worker@example.org"`` (no display name, no brackets).
    """

    name: str
    email: str

    def __post_init__(self) -> None:
        check_text(self.name, "person name")
        check_email(self.email, "e-mail address")


_ICS_METHOD = re.compile(rb"\r\nMETHOD:([A-Z-]+)\r\n")


def _boundary(message_id: str, part: str) -> str:
    digest = hashlib.sha256(f"{message_id}\0{part}".encode()).hexdigest()[:24]
    return f"=_jags_{part}_{digest}"


def _mailbox(person: Person) -> Address:
    return Address(display_name=person.name, addr_spec=person.email)


def eml_bytes(
    ics: bytes,
    *,
    method: str,
    sender: Person,
    recipients: Sequence[Person],
    subject: str,
    text: str,
    date: datetime,
    message_id: str,
) -> bytes:
    """An RFC 5322 / iMIP (RFC 6047) e-mail carrying an iCalendar invitation.

    The structure is ``multipart/mixed`` holding ``multipart/alternative``
    (``text/plain`` and ``text/calendar; method=<METHOD>; charset=UTF-8``)
    followed by the same document as the attachment ``invite.ics``
    (``application/ics``) for clients that want a file.

    Parameters
    ----------
    ics
        The iCalendar document (from :func:`request_ics` or :func:`cancel_ics`).
    method
        Its METHOD; must match the document.
    sender
        From: the organizer's mailbox.
    recipients
        To: at least one.
    subject
        Subject line (see :func:`subject_for`).
    text
        Plain-text body.
    date
        Date header (aware).
    message_id
        Message-ID, with or without angle brackets (see :func:`message_id_for`).
        MIME boundaries are derived from it, so the bytes are deterministic.

    Returns
    -------
    bytes
        The message with CRLF line endings.

    Raises
    ------
    ValueError
        ``method`` differs from the document's METHOD, no recipients, a
        naive ``date``, or a line break in ``subject`` or ``message_id``.
    """
    found = _ICS_METHOD.search(ics)
    if found is None or found.group(1).decode("ascii") != method:
        raise ValueError(f"method {method!r} does not match the iCalendar METHOD")
    if not recipients:
        raise ValueError("an invitation needs at least one recipient")
    check_text(subject, "subject")
    check_text(message_id, "message id")
    check_aware(date, "date")
    msgid = message_id if message_id.startswith("<") else f"<{message_id}>"

    message = EmailMessage(policy=SMTP)
    message["From"] = _mailbox(sender)
    message["To"] = [_mailbox(person) for person in recipients]
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = msgid
    message["MIME-Version"] = "1.0"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"method": method, "charset": "UTF-8"},
    )
    message.add_attachment(
        ics,
        maintype="application",
        subtype="ics",
        cte="base64",
        filename="invite.ics",
        params={"name": "invite.ics"},
    )
    message.set_boundary(_boundary(msgid, "mixed"))
    for part in message.walk():
        if part is message:
            continue
        del part["MIME-Version"]  # only the top-level header carries it
        if part.get_content_type() == "multipart/alternative":
            part.set_boundary(_boundary(msgid, "alt"))
    return message.as_bytes()
