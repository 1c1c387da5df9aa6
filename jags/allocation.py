"""Allocation job: read a workspace, allocate, and turn the result into files.

``explanations.csv`` holds, per request, the rules about that case that
exclude facilitators and every eligible facilitator with the stage at which
another choice won; facilitator-wide reasons are once each in
``facilitator_status.csv``. ``explain="full"`` writes every request ×
facilitator pair instead. Both are streamed, a request at a time.
"""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from allocator import Explainer, allocate
from allocator.explain import CHOSEN, PINNED
from jags.csv_output import csv_bytes, csv_line
from jags.workbook import summary_sheet, table_sheet, workbook_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import date

    from allocator import AllocationResult, Policy, Workspace
    from allocator.solve import Method
    from jags.files import Content
    from jags.schedule import Remote
    from scheduling.availability import CalendarSource

ALLOCATION_COLUMNS = (
    "request_id",
    "facilitator_id",
    "role",
    "status",
    "allocate_by",
    "reason",
    "rationale",
)
"""The columns of ``allocations.csv`` as first released (their meaning never changes)."""
ADDED_COLUMNS = ("code", "batch_date", "facilitator_name", "facilitator_email", "requester_email")
"""Columns added after them: the outcome's code (``chosen``, ``pinned``, or what keeps a
waiting request waiting), the batch date and who to contact."""
FILE_COLUMNS = ALLOCATION_COLUMNS + ADDED_COLUMNS
"""Every column of ``allocations.csv``, in order."""
EXPLANATION_COLUMNS = ("request_id", "facilitator_id", "eligible", "code", "detail")
STATUS_COLUMNS = ("facilitator_id", "code", "detail", "open_load", "max_open")
XLSX_EXPLANATION_LIMIT = 200_000
"""Workbooks list at most this many explanation rows (the CSV has them all)."""
CHUNK_BYTES = 1 << 20
"""Explanation rows are handed to the writer about this many bytes at a time."""

Explain = Literal["default", "full"]


def run_allocation(
    workspace_path: Path,
    policy: Policy,
    on: date,
    *,
    method: Method = "auto",
    time_limit: float | None = None,
    remote: Remote | None = None,
    strict: bool = False,
    cache: bool = True,
    form: Path | None = None,
    mapping: str | None = None,
) -> AllocationResult:
    """Read the workspace and allocate (raises :class:`InputError` on bad input).

    With ``policy.calendar_aware`` the workspace's calendars are read and
    facilitators with no free session slot in the expected window are
    skipped (``on_leave``); facilitators with no calendar are not skipped.
    ``remote`` adds Exchange or Microsoft 365 free/busy to the files;
    ``strict`` and ``cache`` are as for :func:`jags.schedule.calendar_sources`;
    ``form`` and ``mapping`` read the requests from a request form's export.
    """
    from jags.forms import read_inputs

    workspace_path = Path(workspace_path)
    workspace = read_inputs(workspace_path, policy, form=form, mapping=mapping)
    unavailable: list[str] = []
    if policy.calendar_aware:
        from jags.schedule import calendar_sources, remote_source  # calendars only when used

        sources = (
            calendar_sources(workspace_path, policy, strict=strict, cache=cache)
            if workspace_path.is_dir()
            else []
        )
        if remote is not None:
            sources.append(remote_source(remote, policy))
        unavailable = calendar_unavailable(sources, workspace, policy, on)
    return allocate(
        workspace, policy, on=on, method=method, time_limit=time_limit, unavailable=unavailable
    )


def check_batch_day(policy: Policy, on: date) -> None:
    """Refuse a batch dated on a non-working day, naming the next working day.

    A weekend, an England and Wales bank holiday or one of the policy's
    closure days is not a working day; ``--force`` skips this check.

    Raises
    ------
    InputError
        When ``on`` is not a working day.
    """
    from allocator import InputError, WorkingCalendar

    calendar = WorkingCalendar.for_policy(policy)
    if calendar.is_working_day(on):
        return
    holiday = calendar.holiday_name(on)
    why = (
        "a closure day in the policy"
        if holiday == "closure day"
        else f"{holiday}, a bank holiday"
        if holiday
        else "a weekend"
    )
    raise InputError(
        f"--on: {on:%A %d %B %Y} is not a working day ({why}); the next working "
        f"day is {calendar.next_working_day(on):%A %d %B %Y}. Add --force to run "
        f"the batch on it anyway"
    )


def calendar_unavailable(
    sources: Sequence[CalendarSource], workspace: Workspace, policy: Policy, on: date
) -> list[str]:
    """Ids of facilitators whose calendars show no free slot in the expected window."""
    from allocator import WorkingCalendar
    from jags.schedule import gather
    from scheduling.proposals import has_free_slot

    calendar = WorkingCalendar.for_policy(policy)
    confirm = calendar.add_working_days(on, policy.contact_days)
    first, last = calendar.window(confirm, policy.window_first_day, policy.window_last_day)
    emails = sorted({f.email for f in workspace.facilitators})
    zone = calendar.zone
    availability = gather(
        sources,
        emails,
        datetime.combine(first, time(0), zone),
        datetime.combine(last + timedelta(days=1), time(0), zone),
    )
    return sorted(
        f.facilitator_id
        for f in workspace.facilitators
        if has_free_slot(f.email, availability, first, last, policy, calendar) is False
    )


def allocation_rows(result: AllocationResult) -> list[tuple[object, ...]]:
    """Rows of ``allocations.csv`` (the pin rationale only in its own column)."""
    inst = result.instance
    rationale = {
        inst.requests[r].request_id: pin.rationale
        for r, pin in inst.pins.items()
        if pin.refused is None
    }
    return [
        (
            a.request_id,
            a.facilitator_id,
            a.role,
            a.status,
            a.allocate_by,
            a.reason,
            rationale.get(a.request_id, "") if a.status == "pinned" else "",
        )
        for a in result.assignments
    ]


def allocation_file_rows(result: AllocationResult) -> list[tuple[object, ...]]:
    """Rows of ``allocations.csv``: :func:`allocation_rows` and :data:`ADDED_COLUMNS`."""
    inst = result.instance
    explainer = Explainer(inst, result.chosen)
    index = {req.request_id: r for r, req in enumerate(inst.requests)}
    people = {fac.facilitator_id: fac for fac in inst.facilitators}
    rows = []
    for row, a in zip(allocation_rows(result), result.assignments, strict=True):
        r = index[a.request_id]
        fac = people.get(a.facilitator_id)
        code = {"allocated": CHOSEN, "pinned": PINNED}.get(a.status) or explainer.waiting_code(r)
        rows.append(
            (
                *row,
                code,
                result.on,
                fac.name if fac else "",
                fac.email if fac else "",
                inst.requests[r].requester_email,
            )
        )
    return rows


def explanation_rows(
    result: AllocationResult, *, explain: Explain = "default"
) -> Iterator[tuple[object, ...]]:
    """Rows of ``explanations.csv`` as tuples (see the module docstring)."""
    explainer = Explainer(result.instance, result.chosen)
    for block in explainer.blocks(full=explain == "full"):
        for ex in explainer.row_maker.expand(block):
            yield tuple(ex)


def explanation_chunks(
    result: AllocationResult, *, explain: Explain = "default"
) -> Iterator[bytes]:
    """``explanations.csv`` as CSV bytes, a request at a time.

    Rows said of many requests alike (a full facilitator, a shared
    organisation) are encoded once and reused, so the cost is a join per
    request, whatever the number of rows.
    """
    explainer = Explainer(result.instance, result.chosen)
    yield csv_line(EXPLANATION_COLUMNS)
    shared = np.empty(len(explainer.row_maker.shared_rows), dtype=object)
    for key, row in enumerate(explainer.row_maker.shared_rows):
        shared[key] = csv_line(row[1:]) if row is not None else b""
    pending: list[bytes] = []
    seen: dict[tuple[object, ...], bytes] = {}
    size = 0
    for block in explainer.blocks(full=explain == "full"):
        if not len(block.shared):
            continue
        prefix = csv_line([block.request_id])[:-1] + b","
        parts = shared[np.maximum(block.shared, 0)]
        for at, row in zip(np.flatnonzero(block.shared < 0).tolist(), block.own, strict=True):
            rest = row[1:]  # an organisation's row recurs in many requests: encoded once
            encoded = seen.get(rest)
            if encoded is None:
                encoded = seen[rest] = csv_line(rest)
            parts[at] = encoded
        pending.append(prefix + prefix.join(parts.tolist()))
        size += len(pending[-1])
        if size >= CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def status_rows(result: AllocationResult) -> list[tuple[object, ...]]:
    """Rows of ``facilitator_status.csv``: every facilitator once."""
    return list(Explainer(result.instance, result.chosen).facilitator_status())


def allocation_files(
    result: AllocationResult, *, xlsx: bool = False, explain: Explain = "default"
) -> dict[str, Content]:
    """The output files of a run, ready for an all-or-nothing write.

    ``explanations.csv`` is an iterable of byte chunks, made while it is
    written; everything else is bytes.

    Parameters
    ----------
    result
        The allocation.
    xlsx
        Add ``allocations.xlsx`` (default ``False``).
    explain
        ``"default"`` (the case-specific rows; facilitator-wide reasons in
        ``facilitator_status.csv``) or ``"full"`` (every request × facilitator).
    """
    rows = allocation_file_rows(result)
    statuses = status_rows(result)
    files: dict[str, Content] = {
        "allocations.csv": csv_bytes(FILE_COLUMNS, rows),
        "explanations.csv": explanation_chunks(result, explain=explain),
        "facilitator_status.csv": csv_bytes(STATUS_COLUMNS, statuses),
    }
    if xlsx:
        files["allocations.xlsx"] = _workbook(result, rows, statuses, explain)
    return files


def summary_sentences(result: AllocationResult, *, full: bool = True) -> list[str]:
    """The batch in plain English (no codes, no objective numbers), most important first.

    ``["22 of 25 requests allocated; 3 waiting, 2 of them past their allocate-by
    date.", …]``; then, when some, how many were allocated late and how many
    kept a named or follow-up facilitator; with ``full`` (default ``True``),
    also the facilitators left out for incomplete records and whether the
    allocation is proven the best (the console lists those otherwise).
    """
    inst = result.instance
    on = result.on
    s = result.summary
    waiting = [r for r in range(inst.n_requests) if r not in result.chosen]
    past = sum(1 for r in waiting if on > inst.allocate_by[r])
    today = sum(1 for r in waiting if on == inst.allocate_by[r])
    late = sum(1 for r in result.chosen if on > inst.allocate_by[r])
    head = f"{s['allocated']} of {s['requests']} requests allocated"
    if not waiting:
        head += "; none waiting"
    else:
        head += f"; {len(waiting)} waiting"
        details = ([f"{past} of them past their allocate-by date"] if past else []) + (
            [f"{today} due today"] if today else []
        )
        head += (
            (", " + " and ".join(details))
            if details
            else ", none of them past their allocate-by date"
        )
    lines = [head + "."]
    if late and full:
        lines.append(
            f"{late} of the allocated requests {'was' if late == 1 else 'were'} "
            f"already past {'its' if late == 1 else 'their'} allocate-by date."
        )
    if s["pinned"]:
        one = s["pinned"] == 1
        lines.append(
            f"{s['pinned']} kept the facilitator named for {'it' if one else 'them'} "
            f"or {'its' if one else 'their'} follow-up's facilitator."
        )
    if not full:
        return lines
    flagged = [fid for fid, _ in result.flagged]
    if flagged:
        lines.append(
            f"{len(flagged)} facilitator(s) left out until their record is completed: "
            f"{', '.join(flagged)}."
        )
    lines.append(
        "The allocation is the best possible under the policy's rules and priorities."
        if str(result.status) == "optimal"
        else "The allocation is the best found in the time allowed; a better one may exist."
    )
    return lines


def _workbook(
    result: AllocationResult,
    rows: list[tuple[object, ...]],
    statuses: list[tuple[object, ...]],
    explain: Explain,
) -> bytes:
    """A workbook for the Business Unit: summary, allocations, explanations, facilitators."""
    import openpyxl  # only when a workbook is asked for

    explainer = Explainer(result.instance, result.chosen)
    total = sum(len(block.shared) for block in explainer.blocks(full=explain == "full"))
    policy = result.instance.policy
    book = openpyxl.Workbook(write_only=True)
    lines: list[tuple[str, object]] = [
        ("Batch date", result.on),
        ("Partnership", policy.partnership),
        ("Policy", policy.name),
    ]
    lines += [
        ("Requests" if i == 0 else "", text) for i, text in enumerate(summary_sentences(result))
    ]
    lines.append(
        (
            "Sheets",
            "Allocations: one row per facilitator given (one row for a request "
            "still waiting), with the reason in words. Explanations: why each "
            "other facilitator was not chosen. Facilitators: every facilitator's "
            "place after this batch.",
        )
    )
    if total > XLSX_EXPLANATION_LIMIT:
        lines.append(
            (
                "Note",
                f"The Explanations sheet shows the first "
                f"{XLSX_EXPLANATION_LIMIT:,} rows; explanations.csv has all "
                f"{total:,}.",
            )
        )
    summary_sheet(book, f"Allocation batch of {result.on:%A %d %B %Y}", lines)
    table_sheet(book, "Allocations", FILE_COLUMNS, rows)
    explanations = itertools.islice(
        explanation_rows(result, explain=explain), XLSX_EXPLANATION_LIMIT
    )
    table_sheet(
        book,
        "Explanations",
        EXPLANATION_COLUMNS,
        explanations,
        count=min(total, XLSX_EXPLANATION_LIMIT),
        widths=(11, 13, 9, 24, 90),
    )
    table_sheet(book, "Facilitators", STATUS_COLUMNS, statuses)
    return workbook_bytes(book, result.on)
