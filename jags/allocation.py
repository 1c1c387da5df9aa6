"""Allocation job: read a workspace, allocate, and turn the result into files."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl

from allocator import Explainer, WorkingCalendar, allocate
from jags.files import csv_bytes
from jags.schedule import Remote, calendar_sources, gather, remote_source
from jags.workspace import LONDON, read_workspace
from scheduling.proposals import has_free_slot

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from allocator import AllocationResult, Policy, Workspace
    from allocator.solve import Method
    from scheduling.availability import CalendarSource

ALLOCATION_COLUMNS = ("request_id", "facilitator_id", "role", "status", "allocate_by", "reason",
                      "rationale")
EXPLANATION_COLUMNS = ("request_id", "facilitator_id", "eligible", "code", "detail")
XLSX_EXPLANATION_LIMIT = 200_000
"""Workbooks list at most this many explanation rows (the CSV has them all)."""


def run_allocation(workspace_path: Path, policy: Policy, on: date, *, method: Method = "auto",
                   time_limit: float | None = None, remote: Remote | None = None,
                   strict: bool = False, cache: bool = True) -> AllocationResult:
    """Read the workspace and allocate (raises :class:`InputError` on bad input).

    With ``policy.calendar_aware`` the workspace's calendars are read and
    facilitators with no free session slot in the expected window are
    skipped (``on_leave``); facilitators with no calendar are not skipped.
    ``remote`` adds Exchange or Microsoft 365 free/busy to the files;
    ``strict`` and ``cache`` are as for :func:`jags.schedule.calendar_sources`.
    """
    workspace_path = Path(workspace_path)
    workspace = read_workspace(workspace_path)
    unavailable: list[str] = []
    if policy.calendar_aware:
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
    calendar = WorkingCalendar(policy.closure_days)
    confirm = calendar.add_working_days(on, policy.contact_days)
    first, last = calendar.window(confirm, policy.window_first_day, policy.window_last_day)
    emails = sorted({f.email for f in workspace.facilitators})
    availability = gather(sources, emails,
                          datetime.combine(first, time(0), LONDON),
                          datetime.combine(last + timedelta(days=1), time(0), LONDON))
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


def explanation_rows(result: AllocationResult) -> Iterable[tuple[object, ...]]:
    """Rows of ``explanations.csv``: every request × facilitator."""
    for ex in Explainer(result.instance, result.chosen).rows():
        yield (ex.request_id, ex.facilitator_id, ex.eligible, ex.code, ex.detail)


def allocation_files(result: AllocationResult, *, xlsx: bool = False) -> dict[str, bytes]:
    """The output files of a run, as bytes, ready for an atomic write."""
    rows = allocation_rows(result)
    explanations = list(explanation_rows(result))
    files = {
        "allocations.csv": csv_bytes(ALLOCATION_COLUMNS, rows),
        "explanations.csv": csv_bytes(EXPLANATION_COLUMNS, explanations),
    }
    if xlsx:
        files["allocations.xlsx"] = _workbook(result, rows, explanations)
    return files


def _workbook(result: AllocationResult, rows: list[tuple[object, ...]],
              explanations: list[tuple[object, ...]]) -> bytes:
    """A workbook for the Business Unit: summary, allocations, explanations."""
    book = openpyxl.Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    summary.append(["Batch date", result.on])
    summary.append(["Policy", result.instance.policy.name])
    summary.append(["Solver", f"{result.method} ({result.status})"])
    for key, value in result.summary.items():
        summary.append([key.replace("_", " ").capitalize(), value])
    for stage in result.stages:
        summary.append([f"Stage {stage.stage}", str(stage.value), str(stage.status)])
    if len(explanations) > XLSX_EXPLANATION_LIMIT:
        summary.append(["Note", f"Explanations sheet shows the first {XLSX_EXPLANATION_LIMIT} "
                                f"rows; explanations.csv has all {len(explanations)}"])
    sheet = book.create_sheet("Allocations")
    sheet.append(list(ALLOCATION_COLUMNS))
    for row in rows:
        sheet.append(list(row))
    sheet = book.create_sheet("Explanations")
    sheet.append(list(EXPLANATION_COLUMNS))
    for row in explanations[:XLSX_EXPLANATION_LIMIT]:
        sheet.append(list(row))
    stamp = datetime.combine(result.on, datetime.min.time())
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "JAGS Planner"
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_zip(buffer.getvalue())


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")


def stable_zip(data: bytes) -> bytes:
    """The same zip with fixed entry times, so identical content gives identical bytes.

    An Office document's "modified" stamp (set to the clock on save) is
    replaced by its "created" stamp, which the caller fixes.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                created = _CREATED.search(content)
                if created:
                    content = _MODIFIED.sub(rb"\g<1>" + created.group(1) + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, content)
    return out.getvalue()
