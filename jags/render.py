"""Rich rendering of results for the terminal. Never prints private fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from allocator.result import STAGE_WORDS

if TYPE_CHECKING:
    from allocator import AllocationResult
    from jags.ledger import DayOutcome
    from jags.sessions import LedgerSchedule
    from scheduling.proposals import ScheduleResult



TABLE_ROWS = 200
"""Requests shown in the terminal; every one is in allocations.csv."""


def allocation_table(result: AllocationResult, limit: int = TABLE_ROWS) -> Table:
    """One row per request: allocate-by, facilitator(s), status, reason.

    At most ``limit`` requests (default 200, oldest first); the caption says
    how many more are in ``allocations.csv``.
    """
    inst = result.instance
    more = inst.n_requests - limit
    table = Table(title=f"Allocation for {result.on.isoformat()} "
                        f"({inst.policy.name} policy)",
                  caption=(f"… and {more} more requests: every one is in allocations.csv"
                           if more > 0 else None),
                  show_lines=False, expand=False)
    table.add_column("Request", no_wrap=True)
    table.add_column("Allocate by", no_wrap=True)
    table.add_column("Facilitator", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Reason", overflow="fold", max_width=90)
    for r, req in enumerate(inst.requests[:limit]):
        fs = result.chosen.get(r, ())
        status = result.status_of(req.request_id)
        style = {"pinned": "cyan", "unallocated": "yellow"}.get(status, "")
        due = inst.allocate_by[r]
        due_text = f"[red]{due.isoformat()}[/red]" if result.on > due else due.isoformat()
        names = " + ".join(inst.facilitators[f].facilitator_id for f in fs) or "—"
        table.add_row(req.request_id, due_text, names, f"[{style}]{status}[/{style}]"
                      if style else status, escape(result.reasons[req.request_id]))
    return table


def summary_line(result: AllocationResult) -> str:
    """``25 requests: 22 allocated (1 pinned), 3 waiting, 2 past allocate-by``."""
    s = result.summary
    return (f"{s['requests']} requests: {s['allocated']} allocated ({s['pinned']} pinned), "
            f"{s['waiting']} waiting, {s['allocate_by_breaches']} breaches of allocate-by. "
            f"Solver: {result.method}, {result.status}, {result.runtime:.2f}s.")


def flagged_lines(result: AllocationResult) -> list[str]:
    """One line per facilitator left out because their record is incomplete."""
    return [f"Flag: {fid} excluded until completed ({detail})."
            for fid, detail in result.flagged]


def stages_table(result: AllocationResult) -> Table:
    """Each objective stage's value and status."""
    table = Table(title="Objective stages (strict order)")
    table.add_column("Stage")
    table.add_column("Value", justify="right")
    table.add_column("Status")
    for stage in result.stages:
        table.add_row(STAGE_WORDS[stage.stage], str(stage.value), str(stage.status))
    return table


def proposals_table(result: ScheduleResult) -> Table:
    """Each request's options with who is tentative or unknown."""
    table = Table(title="Proposed session times (option 1 is invited)")
    table.add_column("Request", no_wrap=True)
    table.add_column("Opt", justify="right")
    table.add_column("When (London)", no_wrap=True)
    table.add_column("Day", justify="right")
    table.add_column("Required free", justify="right")
    table.add_column("Unknown", justify="right")
    table.add_column("Reason", overflow="fold", max_width=80)
    for rid, proposal in result.proposals.items():
        if not proposal.options:
            table.add_row(rid, "—", "—", "", "", "", f"[yellow]{escape(proposal.reason)}[/yellow]")
        for opt in proposal.options:
            local = opt.start  # in the policy's time zone
            when = f"{local:%a %d %b %Y %H:%M}–{opt.end:%H:%M}"
            reason = opt.reason
            if opt.outside:
                when = f"[yellow]{when} (outside window)[/yellow]"
                reason = f"{proposal.reason} {opt.reason}"
            table.add_row(rid if opt.option == 1 else "", str(opt.option), when,
                          str(opt.working_day), str(opt.required_free), str(opt.unknown),
                          escape(reason))
    return table


def schedule_summary(result: ScheduleResult, invited: list[str]) -> str:
    """``12 sessions: 11 in their window, 1 outside; 11 invitations written``."""
    total = len(result.proposals)
    placed = sum(1 for p in result.proposals.values() if p.scheduled)
    return (f"{total} sessions: {placed} in their window, {total - placed} not; "
            f"{len(invited)} invitation(s) written. Solver: {result.status}, "
            f"{result.runtime:.2f}s.")


# Daily operation ---------------------------------------------------------------------


def day_lines(outcome: DayOutcome) -> list[str]:
    """A daily batch in a few lines: the summary first, then what waits and why."""
    result = outcome.result
    inst = result.instance
    day = f"{result.on:%a %d %b %Y}"
    if outcome.unchanged_since is not None:
        lines = [f"Nothing new for {day}: batch {outcome.unchanged_since} already recorded "
                 f"today's work, and no request could be added or allocated. Its files were "
                 f"written again."]
    else:
        s = result.summary
        head = (f"Batch {outcome.batch_id} recorded for {day}" if outcome.committed
                else f"Proposal for {day} (not recorded: add --commit to record it)")
        lines = [f"{head}: {len(outcome.intake.new)} new request(s) imported, "
                 f"{s['allocated']} allocated, {s['waiting']} waiting "
                 f"({s['allocate_by_breaches']} past allocate-by)."]
    for r, req in enumerate(inst.requests):
        fs = result.chosen.get(r)
        if fs and outcome.unchanged_since is None:
            names = " and ".join(f"{inst.facilitators[f].facilitator_id} "
                                 f"({inst.facilitators[f].name})" for f in fs)
            lines.append(f"  {req.request_id} → {names}; allocate by "
                         f"{inst.allocate_by[r].isoformat()}")
    waiting = [(r, req) for r, req in enumerate(inst.requests) if r not in result.chosen]
    if waiting:
        lines.append("Waiting:")
        for r, req in waiting:
            late = " (past allocate-by)" if result.on > inst.allocate_by[r] else ""
            lines.append(f"  {req.request_id}, allocate by {inst.allocate_by[r].isoformat()}"
                         f"{late}: {result.unblock.get(req.request_id, '')}")
    if outcome.reallocated:
        lines.append("Booked sessions moved to the new facilitator (cancellation and update "
                     "queued): " + ", ".join(outcome.reallocated))
    if outcome.intake.later:
        lines.append(f"{len(outcome.intake.later)} request(s) in the export were received "
                     f"after {result.on.isoformat()} and wait for a later batch.")
    return lines


def status_table(header: tuple[str, ...], rows: list[tuple[object, ...]], *,
                 facilitators: bool) -> Table:
    """``jags status`` as a table; overdue rows highlighted."""
    table = Table(title="Facilitators" if facilitators else "Requests")
    for column in header:
        table.add_column(column.replace("_", " ").capitalize(), overflow="fold")
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        late = not facilitators and bool(cells[-1])
        table.add_row(*(escape(c) for c in cells), style="yellow" if late else None)
    return table


def ledger_schedule_lines(run: LedgerSchedule) -> list[str]:
    """A scheduling run against the ledger: what was booked, what could not be."""
    lines: list[str] = []
    placed = [rid for rid, p in (run.result.proposals.items() if run.result else [])
              if p.scheduled]
    if run.result is None and not run.refused:
        return ["No confirmed request is waiting for a session."]
    if run.committed:
        lines.append(f"{len(run.booked)} session(s) booked and their invitations queued in the "
                     f"outbox (send with jags invite --send)." if run.booked else
                     "No session could be booked in its window.")
    elif run.result is not None:
        lines.append(f"Proposal only (not booked: add --commit): {len(placed)} of "
                     f"{len(run.result.proposals)} session(s) fit their window.")
    for rid, why in run.refused:
        lines.append(f"Not scheduled: {rid}: {why}.")
    return lines
