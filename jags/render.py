"""Rich rendering of results for the terminal. Never prints private fields."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.markup import escape
from rich.table import Table

from allocator.result import STAGE_WORDS

if TYPE_CHECKING:
    from allocator import AllocationResult
    from scheduling.proposals import ScheduleResult

LONDON = ZoneInfo("Europe/London")


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
            local = opt.start.astimezone(LONDON)
            when = f"{local:%a %d %b %Y %H:%M}–{opt.end.astimezone(LONDON):%H:%M}"
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
