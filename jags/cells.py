"""Cell values of input files: parsers, text checks, and what an error may repeat.

Every reader of user files (the workspace, ``allocations.csv``,
``availability.csv``) reads cells as text and converts them here. Parsers
raise :class:`ValueError` with a message that never contains the value
(``"is not a valid date"``); the reader decides with :func:`shown` whether
the value may be repeated in front of it.

Refused at reading time (see README "Bad input"):

- ids that are not 1–64 letters, digits, ``-``, ``_`` or ``.`` starting with
  a letter or a digit (:data:`ID_PATTERN`);
- control characters (line breaks, tabs, NUL, …) in names, e-mails and
  every other one-line value; free text (topic, rationale, notes) may hold
  line breaks and tabs but no other control character;
- e-mail addresses with spaces, commas, semicolons, angle brackets or not
  exactly one ``@``;
- text longer than :data:`MAX_LINE` (one-line values) or :data:`MAX_FREE_TEXT`
  characters, numbers of more than 18 digits, and dates outside the years
  :data:`FIRST_YEAR`–:data:`LAST_YEAR`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from allocator.workdays import DEFAULT_ZONE

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

__all__ = [
    "FIRST_YEAR",
    "ID_PATTERN",
    "LAST_YEAR",
    "LONDON",
    "MAX_FREE_TEXT",
    "MAX_LINE",
    "free_text",
    "is_id",
    "one_line",
    "parse_bool",
    "parse_cell",
    "parse_date",
    "parse_datetime",
    "parse_email",
    "parse_emails",
    "parse_id",
    "parse_int",
    "parse_list",
    "shown",
]

LONDON = ZoneInfo(DEFAULT_ZONE)
"""The policy's default time zone (Europe/London), for values read without a policy."""

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A safe id: used in file names, messages and command lines without quoting."""
MAX_LINE = 500
"""Longest one-line value (names, e-mails, organisations, references), in characters."""
MAX_FREE_TEXT = 10_000
"""Longest free-text value (topic, rationale, note), in characters."""
FIRST_YEAR, LAST_YEAR = 1900, 2999
"""Dates outside these years are refused (they are typing mistakes, and date
arithmetic near the year 9999 overflows)."""
MAX_DIGITS = 18

_DATE = (
    r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"|(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4}))"
)
_DATE_RE = re.compile(_DATE)
_DATETIME_RE = re.compile(
    _DATE + r"(?:[T ]\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_INT_RE = re.compile(r"[+-]?(\d+)(?:\.0*)?")
_EMAIL_RE = re.compile(r"[^@\s,;:<>()\[\]\"\\]+@[^@\s,;:<>()\[\]\"\\]+")
_SAFE_SHAPE = re.compile(r"[A-Za-z0-9 .:/+\-]{1,40}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters (Unicode category Cc) and the Unicode line and paragraph separators."""
_CONTROL_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def is_id(text: str) -> bool:
    """Whether ``text`` is a safe id (:data:`ID_PATTERN`)."""
    return ID_PATTERN.fullmatch(text) is not None


def shown(text: str, *, id_value: bool = False) -> str:
    """``text`` quoted when it may appear in a message, else the word ``value``.

    An id is repeated only when it matches :data:`ID_PATTERN`; any other
    value only when it is short and plain (letters, digits, spaces and
    ``.:/+-``), such as a mistyped date or number. Callers never pass values
    of private columns (names, e-mails, references, free text).
    """
    if is_id(text) if id_value else _SAFE_SHAPE.fullmatch(text) is not None:
        return repr(text)
    return "value"


def _text(text: str, refused: re.Pattern[str], longest: int, what: str) -> str:
    if refused.search(text):
        raise ValueError(f"holds {what}")
    if len(text) > longest:
        raise ValueError(f"is longer than {longest} characters")
    return text


def one_line(text: str) -> str:
    """A one-line value: no control characters or line breaks, at most :data:`MAX_LINE`."""
    return _text(text, _CONTROL, MAX_LINE, "a line break or another control character")


def free_text(text: str) -> str:
    """Free text: line breaks and tabs allowed, no other control character, at most
    :data:`MAX_FREE_TEXT` characters."""
    return _text(text, _CONTROL_IN_FREE_TEXT, MAX_FREE_TEXT, "a control character")


def parse_id(text: str) -> str:
    """An id (:data:`ID_PATTERN`), as it is."""
    if not is_id(text):
        raise ValueError(
            "is not a valid id (1–64 letters, digits, '-', '_' or '.', "
            "starting with a letter or a digit)"
        )
    return text


def parse_email(text: str) -> str:
    """An e-mail address: one ``@``, no spaces, commas, semicolons or brackets."""
    one_line(text)
    if _EMAIL_RE.fullmatch(text) is None:
        raise ValueError("is not an e-mail address")
    return text


def parse_emails(text: str) -> tuple[str, ...]:
    """A ``;``-separated list of e-mail addresses."""
    return tuple(parse_email(item) for item in parse_list(text))


def _date_of(match: re.Match[str]) -> date:
    g = match.groupdict()
    day = (
        date(int(g["y"]), int(g["m"]), int(g["d"]))
        if g["y"]
        else date(int(g["y2"]), int(g["m2"]), int(g["d2"]))
    )
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError
    return day


def parse_date(text: str) -> date:
    """Read an ISO ``YYYY-MM-DD`` or UK ``dd/mm/yyyy`` date.

    Raises
    ------
    ValueError
        When the text is not a date, names an impossible one (31/02/2026)
        or one outside the years :data:`FIRST_YEAR`–:data:`LAST_YEAR`.
    """
    match = _DATE_RE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        return _date_of(match)
    except ValueError:
        raise ValueError("is not a valid date") from None


def parse_datetime(text: str, zone: tzinfo = LONDON) -> datetime:
    """Read an ISO 8601 or UK date-time (or a date alone, meaning 00:00).

    A value without an offset is local time in ``zone`` (the policy's time
    zone; default the policy default, Europe/London); one with an offset
    (``+01:00``, ``Z``) is converted to ``zone``.

    Returns
    -------
    datetime
        An aware date-time in ``zone``.

    Raises
    ------
    ValueError
        When the text is not a date-time or names an impossible one.
    """
    match = _DATETIME_RE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        g = match.groupdict()
        clock = time(
            int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0), int((g["f"] or "0").ljust(6, "0"))
        )
        day = _date_of(match)
        if not g["tz"]:
            return datetime.combine(day, clock, tzinfo=zone)
        tz = g["tz"].replace(":", "")
        hours, minutes = (0, 0) if tz == "Z" else (int(tz[1:3]), int(tz[3:5]))
        if hours > 23 or minutes > 59:
            raise ValueError
    except ValueError:
        raise ValueError("is not a valid date-time") from None
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if tz[0] == "-" else 1)
    return datetime.combine(day, clock, tzinfo=timezone(offset)).astimezone(zone)


def parse_bool(text: str) -> bool:
    """Read true/false, yes/no, y/n or 1/0 (any case)."""
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("is not yes or no (use true/false, yes/no or 1/0)")


def parse_int(text: str) -> int:
    """Read a whole number; ``"3"`` and ``"3.0"`` are fine, ``"2.5"`` is not.

    Raises
    ------
    ValueError
        Not a whole number, or more than 18 digits.
    """
    match = _INT_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError("is not a whole number")
    if len(match.group(1).lstrip("0")) > MAX_DIGITS:
        raise ValueError("is too large a number")
    return int(text.strip().split(".")[0])


def parse_list(text: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell, strip each item, drop empties, keep order."""
    return tuple(item.strip() for item in text.split(";") if item.strip())


def parse_names(text: str) -> tuple[str, ...]:
    """A ``;``-separated list of one-line values (specialisms)."""
    return tuple(one_line(item) for item in parse_list(text))


def choice(text: str) -> str:
    """Normalise an enum value: ``"In person"`` → ``"in_person"``."""
    return re.sub(r"[\s-]+", "_", one_line(text).strip().casefold())


def parse_cell(
    problems: list[str],
    where: str,
    column: str,
    raw: str,
    parse: Callable[[str], T],
    *,
    id_value: bool = False,
    private: bool = False,
) -> T | None:
    """``parse(raw)``; on a :class:`ValueError`, ``None`` and a problem line.

    The line is ``"<where>, column <column>: <value> <reason>"``, where the
    value is quoted only when :func:`shown` allows and never for a
    ``private`` column (it then reads ``value``).
    """
    try:
        return parse(raw)
    except ValueError as exc:
        what = "value" if private or not raw else shown(raw, id_value=id_value)
        problems.append(f"{where}, column {column}: {what} {exc}")
        return None
