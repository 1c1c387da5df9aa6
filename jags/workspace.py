"""Read a workspace (a folder of CSV files or one .xlsx workbook) into a :class:`Workspace`.

Every cell is read as text and converted here, never guessed: dates are ISO
``YYYY-MM-DD`` or UK ``dd/mm/yyyy`` (never US), date-times are ISO 8601 or UK
``dd/mm/yyyy HH:MM[:SS]`` and are returned aware in Europe/London. Every problem
in every table is collected before :class:`WorkspaceReadError` is raised, and no
message ever repeats the value of a private column (case and family references,
names, free text).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from allocator.errors import InputError
from allocator.models import (
    Facilitator,
    Involvement,
    Leave,
    Organisation,
    Participant,
    PastSession,
    Request,
    Workspace,
)

if TYPE_CHECKING:
    from allocator.models import Frozen

__all__ = [
    "LONDON",
    "Problem",
    "WorkspaceReadError",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_list",
    "read_workspace",
]

LONDON = ZoneInfo("Europe/London")

#: Columns whose values are never repeated in a message.
PRIVATE_COLUMNS = frozenset({
    "case_ref", "family_ref", "topic", "preference_rationale", "note", "requester_name", "name",
})
#: Tables about cases: no cell value of theirs is repeated in a message, in case a
#: reference or free text was pasted into the wrong column.
PRIVATE_TABLES = frozenset({"requests", "participants", "involvements", "history"})


@dataclass(frozen=True)
class Problem:
    """One problem found while reading a workspace.

    Parameters
    ----------
    file
        File name (``"requests.csv"``) or workbook sheet (``"book.xlsx[requests]"``).
    row
        Spreadsheet row number (header = 1, first data row = 2), or ``None``
        when the problem concerns the whole file or column.
    column
        The column at fault, or ``""``.
    message
        Plain-English description; never contains a private value.
    """

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class WorkspaceReadError(InputError):
    """A workspace that cannot be read; carries every :class:`Problem` found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self) -> tuple[type[WorkspaceReadError], tuple[tuple[Problem, ...]]]:
        return type(self), (self.problems,)


# Value parsers --------------------------------------------------------------

_DATE = (r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
         r"|(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4}))")
_DATE_RE = re.compile(_DATE)
_DATETIME_RE = re.compile(
    _DATE + r"(?:[T ]\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_INT_RE = re.compile(r"[+-]?\d+(?:\.0*)?")


def _date_of(match: re.Match[str]) -> date:
    g = match.groupdict()
    if g["y"]:
        return date(int(g["y"]), int(g["m"]), int(g["d"]))
    return date(int(g["y2"]), int(g["m2"]), int(g["d2"]))


def parse_date(text: str) -> date:
    """Read an ISO ``YYYY-MM-DD`` or UK ``dd/mm/yyyy`` date.

    Raises
    ------
    ValueError
        When the text is not a date or names an impossible one (31/02/2026).
    """
    match = _DATE_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a valid date")
    try:
        return _date_of(match)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def parse_datetime(text: str) -> datetime:
    """Read an ISO 8601 or UK date-time (or a date alone, meaning 00:00).

    A value without an offset is Europe/London local time; one with an
    offset (``+01:00``, ``Z``) is converted to Europe/London.

    Returns
    -------
    datetime
        An aware date-time in ``Europe/London``.

    Raises
    ------
    ValueError
        When the text is not a date-time or names an impossible one.
    """
    match = _DATETIME_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a valid date-time")
    g = match.groupdict()
    try:
        clock = time(int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0),
                     int((g["f"] or "0").ljust(6, "0")))
        day = _date_of(match)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date-time") from None
    if not g["tz"]:
        return datetime.combine(day, clock, tzinfo=LONDON)
    tz = g["tz"].replace(":", "")
    hours, minutes = (0, 0) if tz == "Z" else (int(tz[1:3]), int(tz[3:5]))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a valid date-time")
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if tz[0] == "-" else 1)
    return datetime.combine(day, clock, tzinfo=timezone(offset)).astimezone(LONDON)


def parse_bool(text: str) -> bool:
    """Read true/false, yes/no, y/n or 1/0 (any case)."""
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes or no (use true/false, yes/no or 1/0)")


def parse_int(text: str) -> int:
    """Read a whole number; ``"3"`` and ``"3.0"`` are fine, ``"2.5"`` is not."""
    if _INT_RE.fullmatch(text.strip()) is None:
        raise ValueError(f"{text!r} is not a whole number")
    return int(text.strip().split(".")[0])


def parse_list(text: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell, strip each item, drop empties, keep order."""
    return tuple(item.strip() for item in text.split(";") if item.strip())


def _choice(text: str) -> str:
    """Normalise an enum value: ``"In person"`` → ``"in_person"``."""
    return re.sub(r"[\s-]+", "_", text.strip().casefold())


# Table contract -------------------------------------------------------------

_Parser = Callable[[str], Any]


@dataclass(frozen=True)
class _Table:
    name: str
    model: type[Frozen]
    columns: dict[str, _Parser]
    must_exist: tuple[str, ...]
    required: bool = False
    id_column: str | None = None  # whose broken rows mute "unknown id" references
    one_of: tuple[str, ...] = ()  # at least one of these columns must exist


_TABLES = (
    _Table(
        "facilitators", Facilitator,
        {"facilitator_id": str, "name": str, "email": str, "organisation": str, "sector": str,
         "locality": str, "trained_on": parse_date, "training_expires": parse_date,
         "max_open": parse_int, "open_jags": parse_int, "can_lead": parse_bool,
         "specialisms": parse_list, "active": parse_bool},
        ("facilitator_id", "name", "email", "organisation", "sector", "trained_on", "max_open"),
        required=True, id_column="facilitator_id",
    ),
    _Table("leave", Leave, {"facilitator_id": str, "start": parse_date, "end": parse_date},
           ("facilitator_id", "start", "end")),
    _Table(
        "requests", Request,
        {"request_id": str, "received_at": parse_datetime, "requester_name": str,
         "requester_email": str, "requester_organisation": str, "case_ref": str,
         "family_ref": str, "locality": str, "mode": _choice, "topic": str,
         "preferred_facilitator_id": str, "preference_rationale": str, "follow_up_of": str},
        ("request_id", "received_at", "requester_name", "requester_email",
         "requester_organisation", "case_ref"),
        required=True, id_column="request_id",
    ),
    _Table("participants", Participant,
           {"request_id": str, "name": str, "email": str, "organisation": str,
            "attendance": _choice},
           ("request_id", "name", "email", "organisation")),
    _Table("involvements", Involvement,
           {"facilitator_id": str, "case_ref": str, "family_ref": str, "note": str},
           ("facilitator_id",), one_of=("case_ref", "family_ref")),
    _Table("history", PastSession,
           {"request_id": str, "facilitator_id": str, "role": _choice,
            "allocated_on": parse_date, "held_on": parse_date, "closed_on": parse_date,
            "attendees": parse_list},
           ("request_id", "facilitator_id"), id_column="request_id"),
    _Table("organisations", Organisation,
           {"organisation": str, "sector": str, "locality": str}, ("organisation", "sector")),
)

#: (table, column) of each cross-table reference → the table it points into.
_REFERENCES = {
    ("leave", "facilitator_id"): "facilitators",
    ("involvements", "facilitator_id"): "facilitators",
    ("history", "facilitator_id"): "facilitators",
    ("requests", "preferred_facilitator_id"): "facilitators",
    ("participants", "request_id"): "requests",
    ("requests", "follow_up_of"): "history",
}

#: Column blamed for a whole-record (model validator) error.
_RECORD_COLUMN = {"leave": "end", "involvements": "case_ref"}


# Sources --------------------------------------------------------------------


class _Unreadable(Exception):
    """A file or sheet that exists but cannot be read (message is user-facing)."""


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unreadable("file is not UTF-8 text (save it as 'CSV UTF-8')") from None
    except OSError as exc:
        raise _Unreadable(f"file cannot be opened ({exc.strerror or 'error'})") from None
    if "\x00" in text:
        raise _Unreadable("file is not a text CSV file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise _Unreadable(f"file is not valid CSV near line {reader.line_num} ({exc})") from None


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    except Exception:  # a damaged sheet can fail in many ways inside openpyxl
        raise _Unreadable("sheet cannot be read (damaged workbook)") from None


def _cell_text(value: object) -> str:
    """A workbook cell as the text the same value would have in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Source:
    """Where tables come from: a folder of CSV files or an open workbook."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheets: dict[str, Any] | None = None
        self.book: Any = None
        if path.is_file():
            import openpyxl  # only for a workbook workspace

            try:
                self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            except Exception:  # any failure here means "not a usable workbook"
                raise WorkspaceReadError([Problem(
                    path.name, None, "", "file is not a valid .xlsx workbook")]) from None
            self.sheets = {name.strip().casefold(): self.book[name]
                           for name in self.book.sheetnames}

    def label(self, table: str) -> str:
        return f"{table}.csv" if self.sheets is None else f"{self.path.name}[{table}]"

    def rows(self, table: str) -> Iterator[list[str]] | None:
        """The rows of ``table`` as text, or ``None`` when it is absent."""
        if self.sheets is None:
            file = self.path / f"{table}.csv"
            return _csv_rows(file) if file.is_file() else None
        sheet = self.sheets.get(table)
        if sheet is None:
            return None
        return _sheet_rows(sheet)

    def close(self) -> None:
        if self.book is not None:
            self.book.close()


# Reading --------------------------------------------------------------------


@dataclass
class _Read:
    """What one table gave: records, their spreadsheet rows, and its problems."""

    records: list[Frozen]
    rownums: list[int]
    problems: list[Problem]
    broken_ids: set[str]
    failed: bool = False


def _private(table: str, column: str) -> bool:
    return table in PRIVATE_TABLES or column in PRIVATE_COLUMNS


def _field_message(table: str, column: str, raw: str, error: Any) -> str:
    """A pydantic error as a message; a private value is never repeated."""
    if error["type"] == "missing":
        return "value is empty"
    reason = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a whole-record rule, e.g. "end is before start"
        return reason
    if _private(table, column) or not raw:
        return f"value {reason}" if reason.startswith("is ") else f"value is not valid: {reason}"
    return f"{raw!r} is not valid: {reason}"


def _read_table(spec: _Table, source: _Source) -> _Read:
    label = source.label(spec.name)
    out = _Read([], [], [], set())
    rows = source.rows(spec.name)
    if rows is None:
        if spec.required:
            kind = "file" if source.sheets is None else "sheet"
            out.problems.append(Problem(label, None, "", f"{kind} not found"))
        out.failed = spec.required
        return out
    try:
        _read_rows(spec, label, rows, out)
    except _Unreadable as exc:
        out.problems.append(Problem(label, None, "", str(exc)))
        out.failed = True
    return out


def _read_rows(spec: _Table, label: str, rows: Iterator[list[str]], out: _Read) -> None:
    header = next(rows, None)
    if header is None:
        raise _Unreadable("file is empty (no header row)")
    names = [h.strip().casefold() for h in header]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in spec.columns and name in index:
            out.problems.append(Problem(label, 1, name, "column appears more than once"))
        index.setdefault(name, i)
    missing = [c for c in spec.must_exist if c not in index]
    for column in missing:
        out.problems.append(Problem(label, None, column, "required column is missing"))
    if spec.one_of and not any(c in index for c in spec.one_of):
        missing.append(spec.one_of[0])
        out.problems.append(Problem(label, None, " or ".join(spec.one_of),
                                    "required column is missing (one of the two is needed)"))
    if missing:
        out.failed = True
        return
    for rownum, row in enumerate(rows, start=2):
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()
                 if c in spec.columns}
        if not any(cells.values()):
            continue  # blank line
        _read_record(spec, label, rownum, cells, out)


def _read_record(spec: _Table, label: str, rownum: int, cells: dict[str, str],
                 out: _Read) -> None:
    data: dict[str, Any] = {}
    bad: set[str] = set()
    for column, raw in cells.items():
        if not raw:
            continue
        try:
            data[column] = spec.columns[column](raw)
        except ValueError as exc:
            bad.add(column)
            message = str(exc)
            if column in PRIVATE_COLUMNS:
                message = "value is not valid"
            elif spec.name in PRIVATE_TABLES:  # "'x' is not a valid date" → "value is not …"
                message = message.replace(repr(raw), "value", 1)
            out.problems.append(Problem(label, rownum, column, message))
    record: Frozen | None = None
    try:
        record = spec.model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else _RECORD_COLUMN.get(spec.name, "")
            if column not in bad:
                out.problems.append(Problem(label, rownum, column, _field_message(
                    spec.name, column, cells.get(column, ""), error)))
    if record is None or bad:
        if spec.id_column and cells.get(spec.id_column):
            out.broken_ids.add(cells[spec.id_column])
        return
    out.records.append(record)
    out.rownums.append(rownum)


def _cross_check(reads: dict[str, _Read], source: _Source,
                 known: frozenset[str]) -> list[Problem]:
    """Duplicate ids and unknown references, muted where the target row was unreadable."""
    tables: dict[str, Any] = {name: tuple(r.records) for name, r in reads.items()}
    tables["known_requests"] = known
    problems = []
    for issue in Workspace.model_construct(**tables).check():
        target = _REFERENCES.get((issue.table, issue.column))
        if target and issue.row is not None:
            value = getattr(tables[issue.table][issue.row], issue.column, None)
            if reads[target].failed or value in reads[target].broken_ids:
                continue
        row = None if issue.row is None else reads[issue.table].rownums[issue.row]
        problems.append(Problem(source.label(issue.table), row, issue.column, issue.message))
    return problems


def read_workspace(path: Path, known_requests: frozenset[str] = frozenset()) -> Workspace:
    """Read and validate a workspace.

    Parameters
    ----------
    path
        A folder holding ``facilitators.csv``, ``requests.csv`` and the
        optional tables (``leave``, ``participants``, ``involvements``,
        ``history``, ``organisations``), or one ``.xlsx`` workbook with a
        sheet per table named like the file stem.
    known_requests
        Ids of earlier requests in the ledger, which ``follow_up_of`` may name
        besides the rows of ``history`` (default none).

    Returns
    -------
    Workspace
        The validated workspace; absent optional tables are empty.

    Raises
    ------
    WorkspaceReadError
        Listing every problem in every table: missing files or columns,
        unreadable files or values, empty required values, duplicate ids
        and unknown references.
    """
    path = Path(path)
    if not path.exists():
        raise WorkspaceReadError([Problem(path.name, None, "", "workspace not found")])
    if path.is_file() and path.suffix.casefold() != ".xlsx":
        raise WorkspaceReadError([Problem(
            path.name, None, "", "a workspace is a folder of CSV files or one .xlsx workbook")])
    source = _Source(path)
    try:
        reads = {spec.name: _read_table(spec, source) for spec in _TABLES}
    finally:
        source.close()
    problems = [p for r in reads.values() for p in r.problems]
    problems += _cross_check(reads, source, known_requests)
    order = {source.label(spec.name): i for i, spec in enumerate(_TABLES)}
    if problems:
        problems.sort(key=lambda p: (order.get(p.file, -1), p.row or 0))
        raise WorkspaceReadError(problems)
    return Workspace(**{name: tuple(r.records) for name, r in reads.items()},
                     known_requests=known_requests)
