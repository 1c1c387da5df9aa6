"""Each workspace table's contract, and its rows read into records of the domain.

A :class:`Table` names a table's columns, the parser of each (from
:mod:`jags.cells`), the columns that must exist and the model its rows become
(:class:`~allocator.models.Facilitator`, :class:`~allocator.models.Request`, …);
:data:`TABLES` lists them in the order their problems are reported.
:func:`read_table` reads one table of a :class:`~jags.workspace_files.Source`
into a :class:`TableRead`: the records of its good rows and a
:class:`~jags.workspace_problems.Problem` for every bad cell, row or column.
:func:`read_records` applies the same checks to cells taken from another file
(a form's export). References between tables are checked by
:mod:`jags.workspace`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from allocator.models import (
    Facilitator,
    Involvement,
    Leave,
    Organisation,
    Participant,
    PastSession,
    Request,
)
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
    parse_names,
)
from jags.workspace_files import UnreadableFile
from jags.workspace_problems import Problem, shown_value

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import tzinfo

    from allocator.models import Frozen
    from jags.workspace_files import Source

__all__ = ["LIMITS", "TABLES", "Table", "TableRead", "read_records", "read_table"]


# Table contracts ------------------------------------------------------------

_Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Table:
    """The contract of one workspace table: its columns, their parsers and its model."""

    name: str
    model: type[Frozen]
    columns: dict[str, _Parser]
    must_exist: tuple[str, ...]
    required: bool = False
    id_column: str | None = None  # whose broken rows mute "unknown id" references
    one_of: tuple[str, ...] = ()  # at least one of these columns must exist


TABLES = (
    Table(
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
    Table(
        "leave",
        Leave,
        {"facilitator_id": parse_id, "start": parse_date, "end": parse_date},
        ("facilitator_id", "start", "end"),
    ),
    Table(
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
    Table(
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
    Table(
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
    Table(
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
    Table(
        "organisations",
        Organisation,
        {"organisation": one_line, "sector": one_line, "locality": one_line},
        ("organisation", "sector"),
    ),
)

#: Columns whose values beyond a policy limit are input errors (the limit's policy field).
REQUEST_COLUMNS: tuple[str, ...] = tuple(next(t for t in TABLES if t.name == "requests").columns)
"""The columns of requests.csv, in the file's order (the form's mapping, the ledger's
copy of a request and the generator all use these)."""

LIMITS = {
    ("facilitators", "max_open"): "max_open_limit",
    ("facilitators", "open_jags"): "max_open_limit",
}

#: Column blamed for a whole-record (model validator) error.
_RECORD_COLUMN = {"leave": "end", "involvements": "case_ref"}


# Reading --------------------------------------------------------------------


@dataclass
class TableRead:
    """What one table gave: records, their spreadsheet rows, and its problems."""

    records: list[Frozen]
    rownums: list[int]
    problems: list[Problem]
    broken_ids: set[str]
    failed: bool = False
    limits: dict[str, int] = field(default_factory=dict)  # column → largest sensible value
    zone: tzinfo = LONDON
    """The policy's time zone: a date-time without an offset is local time there."""


def _field_message(table: str, column: str, raw: str, error: Any) -> str:
    """A pydantic error as a message; a private value is never repeated."""
    if error["type"] == "missing":
        return "value is empty"
    reason = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a whole-record rule, e.g. "end is before start"
        return reason
    if reason.startswith("is "):
        return f"{shown_value(table, column, raw)} {reason}"
    return f"{shown_value(table, column, raw)} is not valid: {reason}"


def read_table(
    spec: Table, source: Source, limits: dict[str, int], zone: tzinfo = LONDON
) -> TableRead:
    """Read one table of ``source``: a missing or unreadable table gives problems, not an
    exception.

    ``limits`` maps a column to the largest value it may hold; ``zone`` is where a
    date-time without an offset is local time.
    """
    label = source.label(spec.name)
    out = TableRead([], [], [], set(), limits=limits, zone=zone)
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


def _read_rows(spec: Table, label: str, rows: Iterator[list[str]], out: TableRead) -> None:
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


def _read_record(
    spec: Table, label: str, rownum: int, cells: dict[str, str], out: TableRead
) -> None:
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
                Problem(label, rownum, column, f"{shown_value(spec.name, column, raw)} {exc}")
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
    spec = next(t for t in TABLES if t.name == table)
    out = TableRead([], [], [], set(), zone=zone)
    for rownum, cells in rows:
        _read_record(spec, label, rownum, {c: v.strip() for c, v in cells.items()}, out)
    return out.records, out.problems
