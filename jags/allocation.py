"""Allocation job: read a workspace, allocate, and turn the result into files."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl

from allocator import Explainer, allocate
from jags.files import csv_bytes
from jags.workspace import read_workspace

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from allocator import AllocationResult, Policy
    from allocator.solve import Method

ALLOCATION_COLUMNS = ("request_id", "facilitator_id", "role", "status", "allocate_by", "reason",
                      "rationale")
EXPLANATION_COLUMNS = ("request_id", "facilitator_id", "eligible", "code", "detail")
XLSX_EXPLANATION_LIMIT = 200_000
"""Workbooks list at most this many explanation rows (the CSV has them all)."""


def run_allocation(workspace_path: Path, policy: Policy, on: date, *, method: Method = "auto",
                   time_limit: float | None = None,
                   unavailable: Iterable[str] = ()) -> AllocationResult:
    """Read the workspace and allocate (raises :class:`InputError` on bad input)."""
    workspace = read_workspace(Path(workspace_path))
    return allocate(workspace, policy, on=on, method=method, time_limit=time_limit,
                    unavailable=unavailable)


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


def stable_zip(data: bytes) -> bytes:
    """The same zip with fixed entry times, so identical content gives identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
