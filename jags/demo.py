"""``jags demo``: the whole pipeline on the bundled sample workspace."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.panel import Panel

from allocator import Explainer, Policy
from jags import allocation, render, schedule
from jags import manifest as manifests
from jags.files import write_outputs
from jags.send import send_invites

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

BATCH_DAY = date(2026, 11, 23)
"""The demo's batch: Monday 23 November 2026, after two weeks of requests."""
CONFIRMED_ON = date(2026, 11, 30)
"""Facilitators confirm five working days later; sessions fall 10–15 working days after."""


def run_demo(sample: Path, out_dir: Path, console: Console) -> None:
    """Allocate, explain, schedule and invite on ``sample``; write into ``out_dir``."""
    policy = Policy.preset("norfolk")
    console.print(Panel.fit(
        "JAGS Planner demo — a synthetic Norfolk-like partnership (no real people).\n"
        f"Workspace: {sample}\n"
        f"Step 1 allocates the requests received up to {BATCH_DAY:%A %d %B %Y}; step 2 "
        "explains two decisions;\nstep 3 proposes session times from calendars; step 4 "
        "writes calendar invitations.", title="JAGS Planner"))

    console.rule("Step 1 · Allocate facilitators (jags allocate)")
    result = allocation.run_allocation(sample, policy, BATCH_DAY)
    alloc_dir = out_dir / "allocation"
    write_outputs(alloc_dir, allocation.allocation_files(result, xlsx=True))
    console.print(render.allocation_table(result))
    console.print(render.stages_table(result))
    console.print(render.summary_line(result))
    for line in render.flagged_lines(result):
        console.print(line, style="yellow", highlight=False, markup=False)
    console.print(f"Wrote {alloc_dir}/allocations.csv, explanations.csv, allocations.xlsx")

    console.rule("Step 2 · Why? (jags explain)")
    explainer = Explainer(result.instance, result.chosen)
    shown = [r for r in range(result.instance.n_requests)
             if r not in result.chosen][:1]
    shown += [r for r, pin in result.instance.pins.items() if pin.refused is None][:1]
    for r in shown:
        for line in explainer.why(r)[:10]:
            console.print(line, highlight=False, markup=False)
        console.print()

    console.rule("Step 3 · Propose session times (jags schedule)")
    schedule_dir = out_dir / "schedule"
    run = schedule.run_schedule(sample, alloc_dir / "allocations.csv", CONFIRMED_ON, policy)
    write_outputs(schedule_dir, run.files)
    console.print(render.proposals_table(run.result))
    console.print(render.schedule_summary(run.result, run.invited))

    console.rule("Step 4 · Invitations (jags invite)")
    console.print(f"Wrote {schedule_dir}/proposals.csv and {len(run.invited)} invitations "
                  f"(.ics and .eml) in {schedule_dir}/invites/")
    messages = manifests.outgoing(schedule_dir, manifests.load_manifest(schedule_dir))
    for line in send_invites(messages[:3], via="graph", dry_run=True):
        console.print(f"dry run: {line}", highlight=False, markup=False)
    if len(messages) > 3:
        console.print(f"dry run: … and {len(messages) - 3} more")
    console.print(Panel.fit(
        f"Next: open {alloc_dir}/allocations.xlsx, or try\n"
        f"  .venv/bin/jags explain R-0024 --workspace {sample} --on {BATCH_DAY.isoformat()}\n"
        f"  .venv/bin/jags invite {schedule_dir} --choose R-0001=2 --on 2026-12-01\n"
        f"  .venv/bin/jags invite {schedule_dir} --send graph   (a dry run unless --no-dry-run)",
        title="Done"))
