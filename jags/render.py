"""Rich rendering of results for the terminal. Never prints private fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from allocator.result import STAGE_WORDS

if TYPE_CHECKING:
    from allocator import AllocationResult


def allocation_table(result: AllocationResult) -> Table:
    """One row per request: allocate-by, facilitator(s), status, reason."""
    table = Table(title=f"Allocation for {result.on.isoformat()} "
                        f"({result.instance.policy.name} policy)",
                  show_lines=False, expand=False)
    table.add_column("Request", no_wrap=True)
    table.add_column("Allocate by", no_wrap=True)
    table.add_column("Facilitator", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Reason", overflow="fold", max_width=90)
    inst = result.instance
    for r, req in enumerate(inst.requests):
        fs = result.chosen.get(r, ())
        status = next(a.status for a in result.assignments if a.request_id == req.request_id)
        style = {"pinned": "cyan", "unallocated": "yellow"}.get(status, "")
        due = inst.allocate_by[r]
        due_text = f"[red]{due.isoformat()}[/red]" if result.on > due else due.isoformat()
        names = " + ".join(inst.facilitators[f].facilitator_id for f in fs) or "—"
        table.add_row(req.request_id, due_text, names, f"[{style}]{status}[/{style}]"
                      if style else status, result.reasons[req.request_id])
    return table


def summary_line(result: AllocationResult) -> str:
    """``25 requests: 22 allocated (1 pinned), 3 waiting, 2 past allocate-by``."""
    s = result.summary
    return (f"{s['requests']} requests: {s['allocated']} allocated ({s['pinned']} pinned), "
            f"{s['waiting']} waiting, {s['allocate_by_breaches']} breaches of allocate-by. "
            f"Solver: {result.method}, {result.status}, {result.runtime:.2f}s.")


def stages_table(result: AllocationResult) -> Table:
    """Each objective stage's value and status."""
    table = Table(title="Objective stages (strict order)")
    table.add_column("Stage")
    table.add_column("Value", justify="right")
    table.add_column("Status")
    for stage in result.stages:
        table.add_row(STAGE_WORDS[stage.stage], str(stage.value), str(stage.status))
    return table
