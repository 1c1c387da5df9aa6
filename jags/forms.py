"""The request form: JAGS requests read from a Microsoft Forms export through a column mapping.

The Business Unit's request form is a Microsoft Form. Its export (the .xlsx
as downloaded, or saved as CSV) has the form's own column titles, a response
number in ``ID`` and multi-select answers as ``A;B;``. A mapping (TOML; the
``sample`` preset ships with the package, for the sample form) names the
column of each request field, turns the response number into a request id,
translates answers (``"Online (Microsoft Teams)"`` → ``online``) and lists
the groups of questions about each professional invited. Every value then
goes through the same checks as ``requests.csv`` and ``participants.csv``,
and every problem names the export, its row and the form's column title.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from allocator import InputError, Participant, Request
from allocator.workdays import DEFAULT_ZONE
from jags.exports import choices, export_rows, mapped_columns, mapping_text
from jags.workspace import read_workspace
from jags.workspace_problems import Problem, WorkspaceReadError
from jags.workspace_tables import REQUEST_COLUMNS, read_records

if TYPE_CHECKING:
    from pathlib import Path

    from allocator import Policy, Workspace

PRESETS = ("sample",)
REQUEST_FIELDS = REQUEST_COLUMNS
REQUIRED = (
    "request_id",
    "received_at",
    "requester_name",
    "requester_email",
    "requester_organisation",
    "case_ref",
)
PARTICIPANT_FIELDS = ("name", "email", "organisation", "attendance")
SINGLE_CHOICE = ("mode", "topic", "locality")
"""Fields holding one value: a multi-select answer gives its first choice."""


@dataclass(frozen=True)
class FormMapping:
    """How a request form's columns map to request and participant fields.

    Attributes
    ----------
    columns
        Request field → the export's column title.
    id_prefix, id_digits
        A response number ``n`` becomes ``f"{id_prefix}{n:0{id_digits}d}"``
        (default: the number as it is).
    values
        Field → form answer → product value (``mode`` and ``attendance``);
        answers are compared ignoring case.
    participants
        One group per professional: field → column title.
    """

    columns: dict[str, str]
    id_prefix: str = ""
    id_digits: int = 0
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    participants: tuple[dict[str, str], ...] = ()

    @classmethod
    def from_raw(cls, raw: dict[str, Any], source: str) -> FormMapping:
        """A mapping from parsed TOML; :class:`InputError` names what is wrong."""
        columns = mapped_columns(raw, source, REQUEST_FIELDS, REQUIRED)
        groups = raw.get("participants", [])
        if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
            raise InputError(f"{source}: [[participants]] must be tables of column titles")
        for number, group in enumerate(groups, start=1):
            extra = sorted(set(group) - set(PARTICIPANT_FIELDS))
            needs = [f for f in ("name", "email", "organisation") if not group.get(f)]
            if extra or needs:
                raise InputError(
                    f"{source}: participants group {number} needs name, email "
                    f"and organisation (and may give attendance)"
                )
        if not all(isinstance(t, str) and t.strip() for g in groups for t in g.values()):
            raise InputError(f"{source}: every column title must be text")
        ident = raw.get("request_id", {})
        values = raw.get("values", {})
        try:
            prefix, digits = str(ident.get("prefix", "")), int(ident.get("digits", 0))
            answers = {
                name: {str(k).strip(): str(v) for k, v in table.items()}
                for name, table in values.items()
            }
        except (AttributeError, TypeError, ValueError):
            raise InputError(
                f"{source}: [request_id] holds a prefix and a number of digits; "
                f"[values.<field>] tables map answers to values"
            ) from None
        return cls(
            columns,
            prefix,
            digits,
            answers,
            tuple({k: str(v).strip() for k, v in g.items()} for g in groups),
        )

    def request_id(self, text: str) -> str:
        """The request id for a response number (anything else is kept as written)."""
        text = text.strip()
        return f"{self.id_prefix}{int(text):0{self.id_digits}d}" if text.isdigit() else text

    def value(self, name: str, text: str) -> str:
        """A form answer as the product's value (first choice of a multi-select)."""
        if name in SINGLE_CHOICE and ";" in text:
            text = next(iter(choices(text)), "")
        wanted = text.strip().casefold()
        return next(
            (
                value
                for answer, value in self.values.get(name, {}).items()
                if answer.casefold() == wanted
            ),
            text,
        )


def load_form_mapping(name_or_path: str | None) -> FormMapping:
    """A preset (``sample``, the default) or a mapping TOML file."""
    raw, source = mapping_text("request", name_or_path, PRESETS)
    return FormMapping.from_raw(raw, source)


@dataclass
class FormRequests:
    """What a request form's export gave: requests, participants and their rows there."""

    requests: tuple[Request, ...]
    participants: tuple[Participant, ...]
    rows: dict[str, int]
    """Request id → its row in the export."""


def read_form(path: Path, mapping: FormMapping, policy: Policy | None = None) -> FormRequests:
    """Read a request form's export.

    Raises
    ------
    WorkspaceReadError
        Every problem, each naming the export, the row and the form's column title:
        missing columns, values that cannot be read, duplicate request ids.
    """
    rows = iter(export_rows(path))
    header = [h.strip() for h in next(rows, [])]
    index = {title: i for i, title in reversed(list(enumerate(header)))}
    titles = [*mapping.columns.values(), *(t for g in mapping.participants for t in g.values())]
    missing = [t for t in dict.fromkeys(titles) if t not in index]
    if missing:
        raise WorkspaceReadError(
            [Problem(path.name, 1, t, "column is missing from the export") for t in missing]
        )
    requests: list[tuple[int, dict[str, str]]] = []
    groups: list[list[tuple[int, dict[str, str]]]] = [[] for _ in mapping.participants]
    for rownum, row in enumerate(rows, start=2):

        def cell(title: str, row: list[str] = row) -> str:
            i = index[title]
            return row[i].strip() if i < len(row) else ""

        cells = {name: mapping.value(name, cell(title)) for name, title in mapping.columns.items()}
        if not any(cells.values()):
            continue  # a blank row
        cells["request_id"] = mapping.request_id(cells["request_id"])
        requests.append((rownum, cells))
        for group, out in zip(mapping.participants, groups, strict=True):
            person = {name: mapping.value(name, cell(title)) for name, title in group.items()}
            if any(person.values()):
                out.append((rownum, {"request_id": cells["request_id"], **person}))
    zone = ZoneInfo(policy.timezone if policy is not None else DEFAULT_ZONE)
    found, problems = read_records("requests", path.name, requests, zone)
    problems = [_titled(p, mapping.columns) for p in problems]
    people: list[Any] = []
    for group, rows_of in zip(mapping.participants, groups, strict=True):
        records, trouble = read_records("participants", path.name, rows_of)
        people += records
        problems += [_titled(p, group) for p in trouble]
    seen: dict[str, int] = {}
    for rownum, cells in requests:
        rid = cells["request_id"]
        if rid in seen:
            problems.append(
                Problem(
                    path.name,
                    rownum,
                    mapping.columns["request_id"],
                    f"request {rid} appears twice (first in row {seen[rid]})",
                )
            )
        seen.setdefault(rid, rownum)
    if problems:
        raise WorkspaceReadError(sorted(problems, key=lambda p: (p.row or 0, p.column)))
    ordered = sorted(people, key=lambda p: (seen[p.request_id], 0))
    return FormRequests(tuple(found), tuple(ordered), seen)  # type: ignore[arg-type]


def _titled(problem: Problem, titles: dict[str, str]) -> Problem:
    """A problem named by the form's column title instead of the field."""
    return Problem(
        problem.file, problem.row, titles.get(problem.column, problem.column), problem.message
    )


def read_inputs(
    workspace: Path,
    policy: Policy | None = None,
    *,
    known: frozenset[str] = frozenset(),
    form: Path | None = None,
    mapping: str | None = None,
) -> Workspace:
    """The workspace, with its requests and participants from ``form`` when one is given
    (``requests.csv`` and ``participants.csv`` are then not read)."""
    if form is None:
        return read_workspace(workspace, policy, known)
    chosen = load_form_mapping(mapping)
    read = read_form(form, chosen, policy)
    files = read_workspace(workspace, policy, known, skip=frozenset({"requests", "participants"}))
    problems = []
    facilitators = {f.facilitator_id for f in files.facilitators}
    earlier = {h.request_id for h in files.history} | known | set(read.rows)
    for req in read.requests:
        row = read.rows[req.request_id]
        if req.preferred_facilitator_id and req.preferred_facilitator_id not in facilitators:
            problems.append(
                Problem(
                    form.name,
                    row,
                    chosen.columns["preferred_facilitator_id"],
                    f"unknown facilitator {req.preferred_facilitator_id}",
                )
            )
        if req.follow_up_of and req.follow_up_of not in earlier:
            problems.append(
                Problem(
                    form.name,
                    row,
                    chosen.columns["follow_up_of"],
                    f"request {req.follow_up_of} is not an earlier JAGS",
                )
            )
    if problems:
        raise WorkspaceReadError(problems)
    return files.replace(requests=read.requests, participants=read.participants)


# The sample form's export --------------------------------------------------------------


def sample_form_export(workspace: Workspace) -> bytes:
    """A synthetic Microsoft Forms export of the sample request form holding the sample's
    requests and participants (no real people). Deterministic: the same workspace gives
    the same bytes."""
    from openpyxl import Workbook

    from jags.files import stable_zip

    mapping = load_form_mapping("sample")
    answer = {
        name: {v: k for k, v in mapping.values.get(name, {}).items()}
        for name in ("mode", "attendance")
    }
    columns = mapping.columns
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(
        [
            "ID",
            "Start time",
            columns["received_at"],
            columns["requester_email"],
            columns["requester_name"],
            "Last modified time",
            *(
                columns[f]
                for f in REQUEST_FIELDS
                if f not in ("request_id", "received_at", "requester_email", "requester_name")
            ),
            *(t for g in mapping.participants for t in g.values()),
        ]
    )
    topics = sorted({r.topic for r in workspace.requests if r.topic})
    for n, req in enumerate(sorted(workspace.requests, key=lambda r: r.request_id), start=1):
        received = req.received_at.replace(tzinfo=None)
        topic = ""
        if req.topic:  # every third answer ticks a second concern too, as people do
            second = topics[(topics.index(req.topic) + 1) % len(topics)]
            topic = f"{req.topic};" + (f"{second};" if n % 3 == 0 else "")
        fields = {
            "family_ref": req.family_ref,
            "locality": req.locality,
            "mode": answer["mode"].get(req.mode.value, req.mode.value),
            "topic": topic,
            "requester_organisation": req.requester_organisation,
            "case_ref": req.case_ref,
            "preferred_facilitator_id": req.preferred_facilitator_id,
            "preference_rationale": req.preference_rationale,
            "follow_up_of": req.follow_up_of,
        }
        people: list[object] = []
        invited = workspace.participants_by_request.get(req.request_id, ())
        for i in range(len(mapping.participants)):
            if i < len(invited):
                p = invited[i]
                people += [
                    p.name,
                    p.email,
                    p.organisation,
                    answer["attendance"].get(p.attendance.value, p.attendance.value),
                ]
            else:
                people += [None, None, None, None]
        number = int("".join(c for c in req.request_id if c.isdigit()) or n)
        sheet.append(
            [
                number,
                received - timedelta(minutes=6 + n % 5),
                received,
                req.requester_email,
                req.requester_name,
                None,
                *(
                    fields[f] or None
                    for f in REQUEST_FIELDS
                    if f not in ("request_id", "received_at", "requester_email", "requester_name")
                ),
                *people,
            ]
        )
    stamp = datetime(2026, 11, 23)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "JAGS Planner sample"
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_zip(buffer.getvalue())
