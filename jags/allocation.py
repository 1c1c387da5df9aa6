"""Allocation job: read a workspace, allocate, and turn the result into files.

``explanations.csv`` holds, per request, the rules about that case that
exclude facilitators and every eligible facilitator with the stage at which
another choice won; facilitator-wide reasons are once each in
``facilitator_status.csv``. ``explain="full"`` writes every request ×
facilitator pair instead. Both are streamed, a request at a time.
"""

from __future__ import annotations

import io
import itertools
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from allocator import Explainer, allocate
from jags.files import FORMULA_PREFIXES, csv_bytes, csv_line, stable_zip

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from datetime import date

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from allocator import AllocationResult, Policy, Workspace
    from allocator.solve import Method
    from jags.files import Content
    from jags.schedule import Remote
    from scheduling.availability import CalendarSource

ALLOCATION_COLUMNS = ("request_id", "facilitator_id", "role", "status", "allocate_by", "reason",
                      "rationale")
EXPLANATION_COLUMNS = ("request_id", "facilitator_id", "eligible", "code", "detail")
STATUS_COLUMNS = ("facilitator_id", "code", "detail", "open_load", "max_open")
XLSX_EXPLANATION_LIMIT = 200_000
"""Workbooks list at most this many explanation rows (the CSV has them all)."""
CHUNK_BYTES = 1 << 20
"""Explanation rows are handed to the writer about this many bytes at a time."""

Explain = Literal["default", "full"]


def run_allocation(workspace_path: Path, policy: Policy, on: date, *, method: Method = "auto",
                   time_limit: float | None = None, remote: Remote | None = None,
                   strict: bool = False, cache: bool = True, form: Path | None = None,
                   mapping: str | None = None) -> AllocationResult:
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

        sources = calendar_sources(workspace_path, policy, strict=strict, cache=cache) \
            if workspace_path.is_dir() else []
        if remote is not None:
            sources.append(remote_source(remote, policy))
        unavailable = calendar_unavailable(sources, workspace, policy, on)
    return allocate(workspace, policy, on=on, method=method, time_limit=time_limit,
                    unavailable=unavailable)


def calendar_unavailable(sources: Sequence[CalendarSource], workspace: Workspace,
                         policy: Policy, on: date) -> list[str]:
    """Ids of facilitators whose calendars show no free slot in the expected window."""
    from allocator import WorkingCalendar
    from jags.schedule import gather
    from scheduling.proposals import has_free_slot

    calendar = WorkingCalendar.for_policy(policy)
    confirm = calendar.add_working_days(on, policy.contact_days)
    first, last = calendar.window(confirm, policy.window_first_day, policy.window_last_day)
    emails = sorted({f.email for f in workspace.facilitators})
    zone = calendar.zone
    availability = gather(sources, emails,
                          datetime.combine(first, time(0), zone),
                          datetime.combine(last + timedelta(days=1), time(0), zone))
    return sorted(f.facilitator_id for f in workspace.facilitators
                  if has_free_slot(f.email, availability, first, last, policy,
                                   calendar) is False)


def allocation_rows(result: AllocationResult) -> list[tuple[object, ...]]:
    """Rows of ``allocations.csv`` (the pin rationale only in its own column)."""
    inst = result.instance
    rationale = {inst.requests[r].request_id: pin.rationale for r, pin in inst.pins.items()
                 if pin.refused is None}
    return [(a.request_id, a.facilitator_id, a.role, a.status, a.allocate_by, a.reason,
             rationale.get(a.request_id, "") if a.status == "pinned" else "")
            for a in result.assignments]


def explanation_rows(result: AllocationResult, *, explain: Explain = "default"
                     ) -> Iterator[tuple[object, ...]]:
    """Rows of ``explanations.csv`` as tuples (see the module docstring)."""
    explainer = Explainer(result.instance, result.chosen)
    for block in explainer.blocks(full=explain == "full"):
        for ex in explainer.row_maker.expand(block):
            yield tuple(ex)


def explanation_chunks(result: AllocationResult, *, explain: Explain = "default"
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


def allocation_files(result: AllocationResult, *, xlsx: bool = False,
                     explain: Explain = "default") -> dict[str, Content]:
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
    rows = allocation_rows(result)
    statuses = status_rows(result)
    files: dict[str, Content] = {
        "allocations.csv": csv_bytes(ALLOCATION_COLUMNS, rows),
        "explanations.csv": explanation_chunks(result, explain=explain),
        "facilitator_status.csv": csv_bytes(STATUS_COLUMNS, statuses),
    }
    if xlsx:
        files["allocations.xlsx"] = _workbook(result, rows, statuses, explain)
    return files


def _workbook(result: AllocationResult, rows: list[tuple[object, ...]],
              statuses: list[tuple[object, ...]], explain: Explain) -> bytes:
    """A workbook for the Business Unit: summary, allocations, explanations, facilitators."""
    import openpyxl  # only when a workbook is asked for

    explainer = Explainer(result.instance, result.chosen)
    total = sum(len(block.shared) for block in explainer.blocks(full=explain == "full"))
    book = openpyxl.Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    lines: list[Sequence[object]] = [
        ["Batch date", result.on], ["Policy", result.instance.policy.name],
        ["Solver", f"{result.method} ({result.status})"]]
    lines += [[key.replace("_", " ").capitalize(), value] for key, value in result.summary.items()]
    lines += [[f"Stage {stage.stage}", str(stage.value), str(stage.status)]
              for stage in result.stages]
    if total > XLSX_EXPLANATION_LIMIT:
        lines.append(["Note", f"Explanations sheet shows the first {XLSX_EXPLANATION_LIMIT} "
                              f"rows; explanations.csv has all {total}"])
    _append(summary, lines)
    _append(book.create_sheet("Allocations"), [ALLOCATION_COLUMNS, *rows])
    explanations = itertools.islice(explanation_rows(result, explain=explain),
                                    XLSX_EXPLANATION_LIMIT)
    _append(book.create_sheet("Explanations"), itertools.chain([EXPLANATION_COLUMNS],
                                                                explanations))
    _append(book.create_sheet("Facilitators"), [STATUS_COLUMNS, *statuses])
    stamp = datetime.combine(result.on, datetime.min.time())
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "JAGS Planner"
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_zip(buffer.getvalue())


def _append(sheet: WriteOnlyWorksheet, rows: Iterable[Sequence[object]]) -> None:
    """Append rows; text that a spreadsheet would take for a formula or an error code
    (``=…``, ``#N/A``) goes into a cell typed as text, so it is never evaluated."""
    for row in rows:
        sheet.append([_text_cell(sheet, v) if isinstance(v, str)
                      and (v.startswith(FORMULA_PREFIXES) or v.startswith("#")) else v
                      for v in row])


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
