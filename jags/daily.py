"""Daily operation through the ledger: the jobs behind ``jags init``, ``allocate --commit``,
``record``, ``export`` and ``purge``.

Reads files, calls :class:`jags.ledger.Ledger`, returns what to write and show. Where
the requests stand (``jags status``) is :mod:`jags.daily_status`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocator import InputError, allocate
from jags import allocation
from jags.cells import parse_date
from jags.csv_output import csv_bytes
from jags.forms import read_inputs
from jags.ledger import RECORDABLE, EventKind, Ledger, LedgerError, RecordItem
from jags.ledger.records import PRIVATE_FIELDS
from jags.locate import Where, default_by, default_out, has_ledger
from jags.workspace import read_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date
    from pathlib import Path

    from allocator import AllocationResult, DayState, Policy, Workspace
    from allocator.solve import Method
    from jags.ledger import DayOutcome, Intake
    from jags.ledger.intake import Change
    from jags.schedule import Remote

CHANGES_FILE = "intake_changes.csv"
EVENT_COLUMNS = ("request_id", "event", "on", "facilitator_id", "reason")


def open_ledger(where: Where) -> Ledger:
    """The workspace's ledger; an error when it has none."""
    ledger = Ledger.open(where.workspace, db=where.db, partnership=where.partnership)
    if ledger is None:
        raise LedgerError(
            f"{where.workspace.name} has no ledger yet: run jags init {where.workspace} first"
        )
    return ledger


def init_ledger(where: Where, policy: Policy, on: date, by: str) -> tuple[Ledger, bool]:
    """Create the ledger and import history.csv and the facilitators' open_jags once."""
    # The requests come later, day by day (from requests.csv or the form's export).
    files = read_workspace(where.workspace, policy, skip=frozenset({"requests", "participants"}))
    return Ledger.init(
        where.workspace, files, policy, on=on, by=by, db=where.db, partnership=where.partnership
    )


@dataclass
class DailyRun:
    """A daily batch against the ledger and the files it leaves."""

    ledger_name: str
    outcome: DayOutcome
    files: dict[str, bytes] = field(default_factory=dict)
    created: bool = False
    overdue: list[tuple[str, str]] = field(default_factory=list)
    """Requests overdue on the ledger after the batch: (request id, what to chase)."""


def run_daily(
    where: Where,
    on: date,
    by: str,
    *,
    commit: bool,
    policy: Policy | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
    xlsx: bool = False,
    explain: str = "default",
    remote: Remote | None = None,
    check: Callable[[Mapping[str, bytes]], None] | None = None,
    form: Path | None = None,
    mapping: str | None = None,
) -> DailyRun:
    """Import, allocate against the ledger and (with ``commit``) record the batch.

    Without a ledger, ``commit`` creates one first (as ``jags init`` would).
    ``check`` (default none) sees the batch's files before it is recorded and
    may refuse them by raising (e.g. :func:`jags.files.refuse_earlier`):
    nothing is then recorded. ``form`` is a request form's export read through
    ``mapping`` (a preset or a TOML file) instead of requests.csv and
    participants.csv.
    """
    ledger = Ledger.open(where.workspace, db=where.db, partnership=where.partnership)
    created = False
    if ledger is None:
        if not commit:
            raise LedgerError(
                f"{where.workspace.name} has no ledger yet: run jags init, or "
                f"jags allocate --commit to start one"
            )
        from allocator import Policy as PolicyClass

        ledger, created = init_ledger(where, policy or PolicyClass.preset("norfolk"), on, by)
    try:
        files, run = _daily_step(
            where,
            ledger,
            on,
            policy,
            method=method,
            time_limit=time_limit,
            remote=remote,
            form=form,
            mapping=mapping,
        )

        def render(result: AllocationResult) -> dict[str, bytes]:
            made = {
                name: content if isinstance(content, bytes) else b"".join(content)
                for name, content in allocation.allocation_files(
                    result,
                    xlsx=xlsx,
                    explain=explain,  # type: ignore[arg-type]
                ).items()
            }
            if check is not None:
                check(made)
            return made

        outcome = ledger.allocate_day(files, on, by, commit=commit, run=run, render=render)
        out = dict(outcome.files)
        if outcome.intake.changed:
            out[CHANGES_FILE] = changes_csv(outcome.intake.changed)
        overdue = [(r.request_id, r.overdue) for r in ledger.request_status(on) if r.overdue]
        return DailyRun(ledger.name, outcome, out, created, overdue)
    finally:
        ledger.close()


def _daily_step(
    where: Where,
    ledger: Ledger,
    on: date,
    policy: Policy | None,
    *,
    method: Method = "auto",
    time_limit: float | None = None,
    remote: Remote | None = None,
    form: Path | None = None,
    mapping: str | None = None,
) -> tuple[Workspace, Callable[[Workspace, DayState], AllocationResult]]:
    """The workspace files and the engine call of the daily step of ``on``."""
    chosen = policy or ledger.policy
    files = read_inputs(
        where.workspace, chosen, known=ledger.request_ids(), form=form, mapping=mapping
    )
    unavailable = _unavailable(where.workspace, files, chosen, on, remote)

    def run(workspace: Workspace, state: DayState) -> AllocationResult:
        return allocate(
            workspace,
            chosen,
            on=on,
            method=method,
            time_limit=time_limit,
            unavailable=unavailable,
            state=state,
        )

    return files, run


def batch_policy(where: Where, policy: Policy | None) -> Policy:
    """The policy a batch on this workspace runs under: ``policy``, else the ledger's,
    else the default preset (``norfolk``)."""
    if policy is not None:
        return policy
    ledger = (
        Ledger.open(where.workspace, db=where.db, partnership=where.partnership)
        if has_ledger(where)
        else None
    )
    if ledger is None:
        from allocator import Policy as PolicyClass

        return PolicyClass.preset("norfolk")
    try:
        return ledger.policy
    finally:
        ledger.close()


def explain_request(
    where: Where, on: date, request_id: str, *, policy: Policy | None = None
) -> list[str]:
    """Why ``request_id`` gets its facilitator (or waits) in the daily batch of ``on``.

    The batch is re-run exactly as ``jags allocate --on`` would run it against
    the ledger's state (:meth:`Ledger.allocate_day` without ``commit``;
    nothing is recorded). A request the ledger has already allocated is not
    in that batch: the lines then say where it stands and repeat its reason
    from the files of the batch that allocated it, when they are at hand.
    """
    from allocator import Explainer

    ledger = open_ledger(where)
    try:
        files, run = _daily_step(where, ledger, on, policy)
        outcome = ledger.allocate_day(
            files, on, default_by(), commit=False, run=run, render=lambda _: {}
        )
        result = outcome.result
        index = {r.request_id: i for i, r in enumerate(result.instance.requests)}
        if request_id in index:
            return Explainer(result.instance, result.chosen).why(index[request_id])
        rows = ledger.request_status(on, request_id)
    finally:
        ledger.close()
    if not rows:
        if request_id in outcome.intake.later:
            raise InputError(
                f"request {request_id} was received after {on.isoformat()}: it "
                f"waits for a later batch"
            )
        raise InputError(f"request {request_id} is not in the ledger or in requests.csv")
    row = rows[0]
    lines = [
        f"{request_id} is {row.state.replace('_', ' ')}"
        + (
            f" (facilitator {row.facilitator_ids.replace(';', ' and ')}, allocated on "
            f"{row.allocated_on:%a %d %b %Y})"
            if row.allocated_on
            else ""
        )
        + f", so it is not in the batch of {on:%a %d %b %Y}, which allocates only the "
        f"requests waiting."
    ]
    if row.allocated_on is not None:
        lines += _recorded_reason(default_out(where, "batches", row.allocated_on), request_id)
    return lines


def _recorded_reason(folder: Path, request_id: str) -> list[str]:
    """The reason and explanation rows of ``request_id`` in a batch's files, if present."""
    from jags.files import current_version

    version = current_version(folder)
    lines: list[str] = []
    for name in ("allocations.csv", "explanations.csv"):
        path = version / name
        if not path.is_file():
            return lines
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("request_id") != request_id:
                    continue
                if name == "allocations.csv":
                    if not lines:
                        lines.append(f"Recorded reason ({folder}): {row['reason']}")
                elif row.get("code") not in ("chosen", "pinned"):
                    who = f"{row['facilitator_id']} " if row["facilitator_id"] else ""
                    lines.append(f"- {who}{row['detail']}")
    return lines


def _unavailable(
    path: Path, files: Workspace, policy: Policy, on: date, remote: Remote | None
) -> list[str]:
    if not policy.calendar_aware:
        return []
    from jags.schedule import calendar_sources, remote_source

    sources = calendar_sources(path, policy) if path.is_dir() else []
    if remote is not None:
        sources.append(remote_source(remote, policy))
    return allocation.calendar_unavailable(sources, files, policy, on)


def changes_csv(changes: list[Change]) -> bytes:
    """What changed in the export since import (old → new): for the Business Unit only."""
    return csv_bytes(
        ("request_id", "column", "old", "new"),
        [(c.request_id, c.column, c.old, c.new) for c in changes],
    )


def change_lines(changes: list[Change]) -> list[str]:
    """One line per changed request for the console (private values never shown)."""
    by_request: dict[str, list[Change]] = {}
    for change in changes:
        by_request.setdefault(change.request_id, []).append(change)
    lines = []
    for rid, items in by_request.items():
        parts = [
            f"{c.column} (value not shown)"
            if c.column in PRIVATE_FIELDS
            else f"{c.column} {c.old!s} → {c.new!s}"
            for c in items
        ]
        lines.append(f"{rid} changed since it was imported, not applied: " + "; ".join(parts))
    return lines


# Recorded events ---------------------------------------------------------------------


def read_events(path: Path) -> list[RecordItem]:
    """``events.csv`` rows: request_id, event, on, facilitator_id, reason.

    Raises :class:`InputError` naming the file, row and column of every
    problem (the reason is never repeated).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found") from None
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{path.name}: not a readable UTF-8 CSV file") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise InputError(f"{path.name}: not a readable CSV file") from None
    if not rows:
        raise InputError(f"{path.name}: the file is empty")
    header = [h.strip().casefold() for h in rows[0]]
    missing = [c for c in ("request_id", "event", "on") if c not in header]
    if missing:
        raise InputError(f"{path.name}, row 1: missing column(s) {', '.join(missing)}")
    problems: list[str] = []
    items: list[RecordItem] = []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        row = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header)}
        where = f"{path.name}, row {number}"
        try:
            items.append(
                event_item(
                    row["request_id"],
                    row["event"],
                    row["on"],
                    row.get("facilitator_id") or None,
                    row.get("reason") or None,
                    where,
                )
            )
        except _BadCell as exc:
            problems.append(f"{where}, column {exc.column}: {exc}")
    if problems:
        raise InputError("\n".join(problems))
    return items


class _BadCell(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def event_item(
    request_id: str,
    event: str,
    on: str,
    facilitator_id: str | None,
    reason: str | None,
    where: str = "",
) -> RecordItem:
    """One event from text, checked (raises with the column at fault)."""
    if not request_id:
        raise _BadCell("request_id", "value is empty")
    names = [e.value for e in RECORDABLE]
    kind = event.strip().casefold().replace(" ", "_").replace("-", "_")
    if kind not in names:
        raise _BadCell("event", f"not one of {', '.join(names)}")
    try:
        day = parse_date(on)
    except ValueError:
        raise _BadCell("on", "is not a date (use YYYY-MM-DD or dd/mm/yyyy)") from None
    return RecordItem(request_id, EventKind(kind), day, facilitator_id, reason, where)


def record_one(
    request_id: str, event: str, on: str, facilitator_id: str | None, reason: str | None
) -> RecordItem:
    """An event from the command line (errors name the argument)."""
    try:
        return event_item(request_id, event, on, facilitator_id, reason)
    except _BadCell as exc:
        option = {"event": "EVENT", "on": "--on", "request_id": "REQUEST"}[exc.column]
        raise InputError(f"{option}: {exc}") from None


# The workspace's folder -------------------------------------------------------------


def import_requests(
    where: Where, on: date, by: str, *, form: Path | None = None, mapping: str | None = None
) -> tuple[str, Intake]:
    """``jags intake``: the export's new requests into the ledger, nothing allocated."""
    ledger = open_ledger(where)
    try:
        files = read_inputs(
            where.workspace, ledger.policy, known=ledger.request_ids(), form=form, mapping=mapping
        )
        return ledger.name, ledger.import_requests(files, on, by)
    finally:
        ledger.close()
