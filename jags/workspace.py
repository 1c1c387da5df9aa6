"""Read a workspace (a folder of CSV files or one .xlsx workbook) into a :class:`Workspace`.

Every cell is read as text and converted, never guessed: dates are ISO
``YYYY-MM-DD`` or UK ``dd/mm/yyyy`` (never US), date-times are ISO 8601 or UK
``dd/mm/yyyy HH:MM[:SS]`` and are returned aware in Europe/London. Every problem
in every table is collected before :class:`WorkspaceReadError` is raised, and no
message ever repeats the value of a private column (case and family references,
names, free text).

:func:`read_workspace` is the entry point. It reads each table
(:mod:`jags.workspace_tables`, from the files of :mod:`jags.workspace_files`), then
checks the tables against each other here: duplicate ids and references to rows
that do not exist. Problems and their messages are in :mod:`jags.workspace_problems`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from allocator.models import Workspace
from allocator.policy import Policy
from jags.workspace_files import Source
from jags.workspace_problems import Problem, WorkspaceReadError
from jags.workspace_tables import LIMITS, TABLES, TableRead, read_table

__all__ = ["read_workspace"]

#: (table, column) of each cross-table reference → the table it points into.
_REFERENCES = {
    ("leave", "facilitator_id"): "facilitators",
    ("involvements", "facilitator_id"): "facilitators",
    ("history", "facilitator_id"): "facilitators",
    ("requests", "preferred_facilitator_id"): "facilitators",
    ("participants", "request_id"): "requests",
    ("requests", "follow_up_of"): "history",
}


def _cross_check(
    reads: dict[str, TableRead], source: Source, known: frozenset[str]
) -> list[Problem]:
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
    source = Source(path)
    try:
        chosen = policy if policy is not None else Policy()
        zone = ZoneInfo(chosen.timezone)
        reads = {
            spec.name: read_table(
                spec,
                source,
                {
                    column: getattr(chosen, name)
                    for (table, column), name in LIMITS.items()
                    if table == spec.name
                },
                zone,
            )
            if spec.name not in skip
            else TableRead([], [], [], set())
            for spec in TABLES
        }
    finally:
        source.close()
    problems = [p for r in reads.values() for p in r.problems]
    problems += _cross_check(reads, source, known_requests)
    order = {source.label(spec.name): i for i, spec in enumerate(TABLES)}
    if problems:
        problems.sort(key=lambda p: (order.get(p.file, -1), p.row or 0))
        raise WorkspaceReadError(problems)
    return Workspace(
        **{name: tuple(r.records) for name, r in reads.items()}, known_requests=known_requests
    )
