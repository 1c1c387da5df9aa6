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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
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
from allocator.policy import Policy
from jags.cells import (
    LONDON,
    choice,
    free_text,
    one_line,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_email,
    parse_emails,
    parse_id,
    parse_int,
    parse_list,
    parse_names,
    shown,
)

if TYPE_CHECKING:
    from allocator.models import Frozen

__all__ = [
    "ID_COLUMNS",
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

#: Columns whose values are never repeated in a message.
PRIVATE_COLUMNS = frozenset(
    {
        "case_ref",
        "family_ref",
        "topic",
        "preference_rationale",
        "note",
        "requester_name",
        "name",
        "email",
        "requester_email",
        "attendees",
    }
)
#: Columns holding ids: repeated in a message only when they match the id pattern.
ID_COLUMNS = frozenset({"facilitator_id", "request_id", "preferred_facilitator_id", "follow_up_of"})
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
        "facilitators",
        Facilitator,
        {
            "facilitator_id": parse_id,
            "name": one_line,
            "email": parse_email,
            "organisation": one_line,
            "sector": one_line,
            "locality": one_line,
            "trained_on": parse_date,
            "training_expires": parse_date,
            "max_open": parse_int,
            "open_jags": parse_int,
            "can_lead": parse_bool,
            "specialisms": parse_names,
            "active": parse_bool,
        },
        ("facilitator_id", "name", "email", "organisation", "sector", "trained_on", "max_open"),
        required=True,
        id_column="facilitator_id",
    ),
    _Table(
        "leave",
        Leave,
        {"facilitator_id": parse_id, "start": parse_date, "end": parse_date},
        ("facilitator_id", "start", "end"),
    ),
    _Table(
        "requests",
        Request,
        {
            "request_id": parse_id,
            "received_at": parse_datetime,
            "requester_name": one_line,
            "requester_email": parse_email,
            "requester_organisation": one_line,
            "case_ref": one_line,
            "family_ref": one_line,
            "locality": one_line,
            "mode": choice,
            "topic": free_text,
            "preferred_facilitator_id": parse_id,
            "preference_rationale": free_text,
            "follow_up_of": parse_id,
        },
        (
            "request_id",
            "received_at",
            "requester_name",
            "requester_email",
            "requester_organisation",
            "case_ref",
        ),
        required=True,
        id_column="request_id",
    ),
    _Table(
        "participants",
        Participant,
        {
            "request_id": parse_id,
            "name": one_line,
            "email": parse_email,
            "organisation": one_line,
            "attendance": choice,
        },
        ("request_id", "name", "email", "organisation"),
    ),
    _Table(
        "involvements",
        Involvement,
        {
            "facilitator_id": parse_id,
            "case_ref": one_line,
            "family_ref": one_line,
            "note": free_text,
        },
        ("facilitator_id",),
        one_of=("case_ref", "family_ref"),
    ),
    _Table(
        "history",
        PastSession,
        {
            "request_id": parse_id,
            "facilitator_id": parse_id,
            "role": choice,
            "allocated_on": parse_date,
            "held_on": parse_date,
            "closed_on": parse_date,
            "attendees": parse_emails,
        },
        ("request_id", "facilitator_id"),
        id_column="request_id",
    ),
    _Table(
        "organisations",
        Organisation,
        {"organisation": one_line, "sector": one_line, "locality": one_line},
        ("organisation", "sector"),
    ),
)

#: Columns whose values beyond a policy limit are input errors (the limit's policy field).
_LIMITS = {
    ("facilitators", "max_open"): "max_open_limit",
    ("facilitators", "open_jags"): "max_open_limit",
}

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


class UnreadableFile(Exception):
    """A file or sheet that exists but cannot be read (message is user-facing)."""


MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest input CSV file or workbook read (256 MiB)."""


def csv_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a UTF-8 CSV file (lists of cell text).

    Raises
    ------
    UnreadableFile
        Not a regular file, larger than :data:`MAX_FILE_BYTES`, not UTF-8,
        binary, or not valid CSV; the message never quotes the content.
    """
    try:
        if not path.is_file():
            raise UnreadableFile("is not a regular file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableFile(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("file is not UTF-8 text (save it as 'CSV UTF-8')") from None
    except OSError as exc:
        raise UnreadableFile(f"file cannot be opened ({exc.strerror or 'error'})") from None
    if "\x00" in text:
        raise UnreadableFile("file is not a text CSV file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableFile(f"file is not valid CSV near line {reader.line_num} ({exc})") from None


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    except Exception:  # a damaged sheet can fail in many ways inside openpyxl
        raise UnreadableFile("sheet cannot be read (damaged workbook)") from None


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
            if path.stat().st_size > MAX_FILE_BYTES:
                raise WorkspaceReadError(
                    [
                        Problem(
                            path.name,
                            None,
                            "",
                            f"file is larger than {MAX_FILE_BYTES // 2**20} MiB",
                        )
                    ]
                )
            import openpyxl  # only for a workbook workspace

            try:
                self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            except Exception:  # any failure here means "not a usable workbook"
                raise WorkspaceReadError(
                    [Problem(path.name, None, "", "file is not a valid .xlsx workbook")]
                ) from None
            self.sheets = {
                name.strip().casefold(): self.book[name] for name in self.book.sheetnames
            }

    def label(self, table: str) -> str:
        return f"{table}.csv" if self.sheets is None else f"{self.path.name}[{table}]"

    def rows(self, table: str) -> Iterator[list[str]] | None:
        """The rows of ``table`` as text, or ``None`` when it is absent."""
        if self.sheets is None:
            file = self.path / f"{table}.csv"
            return csv_rows(file) if file.is_file() else None
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
    limits: dict[str, int] = field(default_factory=dict)  # column → largest sensible value
    zone: tzinfo = LONDON
    """The policy's time zone: a date-time without an offset is local time there."""


def _shown(table: str, column: str, raw: str) -> str:
    """How a message may refer to a cell's value: quoted when safe, else ``value``.

    Never a value of a private column, nor any value of a table about cases
    other than a well-formed id (in case text was pasted into the wrong
    column); ids only when they match the id pattern.
    """
    if column in PRIVATE_COLUMNS or not raw:
        return "value"
    if column in ID_COLUMNS:
        return shown(raw, id_value=True)
    return "value" if table in PRIVATE_TABLES else shown(raw)


def _field_message(table: str, column: str, raw: str, error: Any) -> str:
    """A pydantic error as a message; a private value is never repeated."""
    if error["type"] == "missing":
        return "value is empty"
    reason = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a whole-record rule, e.g. "end is before start"
        return reason
    if reason.startswith("is "):
        return f"{_shown(table, column, raw)} {reason}"
    return f"{_shown(table, column, raw)} is not valid: {reason}"


def _read_table(
    spec: _Table, source: _Source, limits: dict[str, int], zone: tzinfo = LONDON
) -> _Read:
    label = source.label(spec.name)
    out = _Read([], [], [], set(), limits=limits, zone=zone)
    rows = source.rows(spec.name)
    if rows is None:
        if spec.required:
            kind = "file" if source.sheets is None else "sheet"
            out.problems.append(Problem(label, None, "", f"{kind} not found"))
        out.failed = spec.required
        return out
    try:
        _read_rows(spec, label, rows, out)
    except UnreadableFile as exc:
        out.problems.append(Problem(label, None, "", str(exc)))
        out.failed = True
    return out


def _read_rows(spec: _Table, label: str, rows: Iterator[list[str]], out: _Read) -> None:
    header = next(rows, None)
    if header is None:
        raise UnreadableFile("file is empty (no header row)")
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
        out.problems.append(
            Problem(
                label,
                None,
                " or ".join(spec.one_of),
                "required column is missing (one of the two is needed)",
            )
        )
    if missing:
        out.failed = True
        return
    for rownum, row in enumerate(rows, start=2):
        cells = {
            c: (row[i].strip() if i < len(row) else "")
            for c, i in index.items()
            if c in spec.columns
        }
        if not any(cells.values()):
            continue  # blank line
        _read_record(spec, label, rownum, cells, out)


def _read_record(spec: _Table, label: str, rownum: int, cells: dict[str, str], out: _Read) -> None:
    data: dict[str, Any] = {}
    bad: set[str] = set()
    for column, raw in cells.items():
        if not raw:
            continue
        try:
            parser = spec.columns[column]
            value: Any = parser(raw, out.zone) if parser is parse_datetime else parser(raw)
            data[column] = value
            limit = out.limits.get(column)
            if limit is not None and value > limit:
                raise ValueError(f"is above the policy limit of {limit} (max_open_limit)")
        except ValueError as exc:
            bad.add(column)
            out.problems.append(
                Problem(label, rownum, column, f"{_shown(spec.name, column, raw)} {exc}")
            )
    record: Frozen | None = None
    try:
        record = spec.model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else _RECORD_COLUMN.get(spec.name, "")
            if column not in bad:
                out.problems.append(
                    Problem(
                        label,
                        rownum,
                        column,
                        _field_message(spec.name, column, cells.get(column, ""), error),
                    )
                )
    if record is None or bad:
        if spec.id_column and cells.get(spec.id_column):
            out.broken_ids.add(cells[spec.id_column])
        return
    out.records.append(record)
    out.rownums.append(rownum)


def read_records(
    table: str, label: str, rows: Iterable[tuple[int, dict[str, str]]], zone: tzinfo = LONDON
) -> tuple[list[Frozen], list[Problem]]:
    """Records of one table from cells already taken out of some other file (a form's
    export), each with its row number there; the same checks and messages as a
    workspace file. Returns the records read and the problems found."""
    spec = next(t for t in _TABLES if t.name == table)
    out = _Read([], [], [], set(), zone=zone)
    for rownum, cells in rows:
        _read_record(spec, label, rownum, {c: v.strip() for c, v in cells.items()}, out)
    return out.records, out.problems


def _cross_check(reads: dict[str, _Read], source: _Source, known: frozenset[str]) -> list[Problem]:
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


def read_workspace(
    path: Path,
    policy: Policy | None = None,
    known_requests: frozenset[str] = frozenset(),
    skip: frozenset[str] = frozenset(),
) -> Workspace:
    """Read and validate a workspace.

    Parameters
    ----------
    path
        A folder holding ``facilitators.csv``, ``requests.csv`` and the
        optional tables (``leave``, ``participants``, ``involvements``,
        ``history``, ``organisations``), or one ``.xlsx`` workbook with a
        sheet per table named like the file stem.
    policy
        Gives the limits on values (``max_open_limit`` for ``max_open`` and
        ``open_jags``); default ``None``: the default policy's limits.
    known_requests
        Ids of earlier requests in the ledger, which ``follow_up_of`` may name
        besides the rows of ``history`` (default none).
    skip
        Tables not to read (they come from elsewhere, e.g. ``requests`` and
        ``participants`` from a request form's export); default none.

    Returns
    -------
    Workspace
        The validated workspace; absent optional tables are empty.

    Raises
    ------
    WorkspaceReadError
        Listing every problem in every table: missing files or columns,
        unreadable files or values (ids that are not safe, control
        characters in names and e-mails, values above a policy limit),
        empty required values, duplicate ids and unknown references.
    """
    path = Path(path)
    if not path.exists():
        raise WorkspaceReadError([Problem(path.name, None, "", "workspace not found")])
    if path.is_file() and path.suffix.casefold() != ".xlsx":
        raise WorkspaceReadError(
            [
                Problem(
                    path.name,
                    None,
                    "",
                    "a workspace is a folder of CSV files or one .xlsx workbook",
                )
            ]
        )
    source = _Source(path)
    try:
        chosen = policy if policy is not None else Policy()
        zone = ZoneInfo(chosen.timezone)
        reads = {
            spec.name: _read_table(
                spec,
                source,
                {
                    column: getattr(chosen, name)
                    for (table, column), name in _LIMITS.items()
                    if table == spec.name
                },
                zone,
            )
            if spec.name not in skip
            else _Read([], [], [], set())
            for spec in _TABLES
        }
    finally:
        source.close()
    problems = [p for r in reads.values() for p in r.problems]
    problems += _cross_check(reads, source, known_requests)
    order = {source.label(spec.name): i for i, spec in enumerate(_TABLES)}
    if problems:
        problems.sort(key=lambda p: (order.get(p.file, -1), p.row or 0))
        raise WorkspaceReadError(problems)
    return Workspace(
        **{name: tuple(r.records) for name, r in reads.items()}, known_requests=known_requests
    )
