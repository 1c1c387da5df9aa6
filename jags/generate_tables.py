"""Write a workspace as the CSV files of the file contract (v1 plus extensions)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import TYPE_CHECKING

from jags.workspace_tables import REQUEST_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from allocator.models import Workspace

__all__ = ["COLUMNS", "workspace_files", "workspace_tables", "write_workspace"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "facilitators": (
        "facilitator_id",
        "name",
        "email",
        "organisation",
        "sector",
        "locality",
        "trained_on",
        "training_expires",
        "max_open",
        "open_jags",
        "can_lead",
        "specialisms",
        "active",
    ),
    "leave": ("facilitator_id", "start", "end"),
    "requests": REQUEST_COLUMNS,
    "participants": ("request_id", "name", "email", "organisation", "attendance"),
    "involvements": ("facilitator_id", "case_ref", "family_ref", "note"),
    "history": (
        "request_id",
        "facilitator_id",
        "allocated_on",
        "held_on",
        "closed_on",
        "attendees",
    ),
    "organisations": ("organisation", "sector", "locality"),
}
"""Header of each workspace table, in file order (file contract v1 plus extensions)."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def workspace_tables(ws: Workspace) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each table of ``ws`` as a header and rows of strings (file contract v1).

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    dict
        Table name (file stem, in :data:`COLUMNS` order) to ``(header, rows)``.
        Dates are ``YYYY-MM-DD``, date-times ``YYYY-MM-DDTHH:MM`` (London
        local time), lists are joined with ``;``, booleans are
        ``true``/``false`` and missing values are empty strings.
    """
    records: dict[str, Sequence[object]] = {
        "facilitators": ws.facilitators,
        "leave": ws.leave,
        "requests": ws.requests,
        "participants": ws.participants,
        "involvements": ws.involvements,
        "history": ws.history,
        "organisations": ws.organisations,
    }
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    for name, header in COLUMNS.items():
        rows = [[_cell(getattr(record, column)) for column in header] for record in records[name]]
        tables[name] = (list(header), rows)
    return tables


def workspace_files(ws: Workspace) -> dict[str, bytes]:
    """Each table of ``ws`` as a CSV file: ``"<name>.csv"`` → UTF-8 bytes, ``\\n`` line ends."""
    files = {}
    for name, (header, rows) in workspace_tables(ws).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        files[f"{name}.csv"] = buffer.getvalue().encode("utf-8")
    return files


def write_workspace(ws: Workspace, folder: Path) -> None:
    """Write ``ws`` as seven CSV files (:func:`workspace_files`) in ``folder``.

    Parameters
    ----------
    ws
        The workspace.
    folder
        Created when missing; existing files of the same names are replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in workspace_files(ws).items():
        (folder / name).write_bytes(content)
