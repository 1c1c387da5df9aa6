"""Rich rendering of results for the terminal. Never prints private fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Sequence

    from allocator import AllocationResult
    from jags.ledger import DayOutcome
    from jags.sessions import LedgerSchedule
    from scheduling.proposals import ScheduleResult


SHOWN = 10
"""Requests listed by name in a batch's console output (each list); the rest are counted,
and every request is in allocations.csv."""


def batch_lines(result: AllocationResult, head: str) -> list[str]:
    """A batch on the console: the summary first, then the waiting and late requests.

    ``head`` starts the first line (``"Allocation for Mon 23 Nov 2026"``);
    the plain-English summary of :func:`jags.allocation.summary_sentences`
    follows. At most :data:`SHOWN` requests are named in each list; reasons
    in full, explanations and every facilitator are in the files.
    """
    from jags.allocation import summary_sentences

    inst = result.instance
    sentences = summary_sentences(result, full=False)
    lines = [f"{head}: {sentences[0]}", *sentences[1:]]
    waiting = [r for r in range(inst.n_requests) if r not in result.chosen]
    if waiting:
        lines.append(f"Waiting ({len(waiting)}), oldest first:")
        for r in waiting[:SHOWN]:
            due = inst.allocate_by[r]
            when = (
                "past its allocate-by date "
                if result.on > due
                else "due today, "
                if result.on == due
                else "allocate by "
            ) + f"{due:%a %d %b}"
            rid = inst.requests[r].request_id
            lines.append(f"  {rid} ({when}): {first_sentence(result.unblock.get(rid, ''))}")
        lines += _more(len(waiting))
    late = [
        inst.requests[r].request_id
        for r in sorted(result.chosen)
        if result.on > inst.allocate_by[r]
    ]
    if late:
        lines.append(f"Allocated after their allocate-by date ({len(late)}): " + _ids(late))
    return lines


def first_sentence(text: str) -> str:
    """The first sentence of a reason (the rest is in the files)."""
    head, _, rest = text.partition(". ")
    return f"{head}." if rest else text


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "") + "."


def _more(total: int) -> list[str]:
    return (
        [f"  … and {total - SHOWN} more (every request is in allocations.csv)."]
        if total > SHOWN
        else []
    )


def flagged_lines(result: AllocationResult) -> list[str]:
    """One line per facilitator left out because their record is incomplete."""
    return [f"Flag: {fid} excluded until completed ({detail})." for fid, detail in result.flagged]


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
            table.add_row(
                rid if opt.option == 1 else "",
                str(opt.option),
                when,
                str(opt.working_day),
                str(opt.required_free),
                str(opt.unknown),
                escape(reason),
            )
    return table


def schedule_summary(result: ScheduleResult, invited: list[str]) -> str:
    """``12 sessions: 11 in their window, 1 outside; 11 invitations written``."""
    total = len(result.proposals)
    placed = sum(1 for p in result.proposals.values() if p.scheduled)
    return (
        f"{total} sessions: {placed} in their window, {total - placed} not; "
        f"{len(invited)} invitation(s) written. Solver: {result.status}, "
        f"{result.runtime:.2f}s."
    )


# Daily operation ---------------------------------------------------------------------


def day_lines(outcome: DayOutcome, overdue: Sequence[tuple[str, str]] = ()) -> list[str]:
    """A daily batch in a few lines: the summary first, then what waits and why, then
    what else is overdue on the ledger (``overdue``: request id, what to chase; the
    requests of the waiting list are not repeated)."""
    result = outcome.result
    day = f"{result.on:%a %d %b %Y}"
    if outcome.unchanged_since is not None:
        lines = [
            f"Nothing new for {day}: batch {outcome.unchanged_since} already recorded "
            f"today's work, and no request could be added or allocated. Its files were "
            f"written again."
        ]
        lines += batch_lines(result, "")[1:]
    else:
        s = result.summary
        head = (
            f"Batch {outcome.batch_id} recorded for {day}"
            if outcome.committed
            else f"Proposal for {day} (not recorded: add --commit to record it)"
        )
        lines = [
            f"{head}: {len(outcome.intake.new)} new request(s) imported, "
            f"{s['allocated']} allocated, {s['waiting']} waiting "
            f"({s['allocate_by_breaches']} past allocate-by)."
        ]
        lines += batch_lines(result, "")[1:]  # the counts are in the first line
    if outcome.reallocated:
        lines.append(
            "Booked sessions moved to the new facilitator (cancellation and update "
            "queued): " + ", ".join(outcome.reallocated)
        )
    if outcome.intake.later:
        lines.append(
            f"{len(outcome.intake.later)} request(s) in the export were received "
            f"after {result.on.isoformat()} and wait for a later batch."
        )
    waiting = {
        req.request_id for r, req in enumerate(result.instance.requests) if r not in result.chosen
    }
    chase = [(rid, what) for rid, what in overdue if rid not in waiting]
    if chase:
        lines.append(f"Also overdue on the ledger ({len(chase)}):")
        lines += [f"  {rid}: {what}" for rid, what in chase[:SHOWN]]
        if len(chase) > SHOWN:
            lines.append(f"  … and {len(chase) - SHOWN} more (jags status lists them all).")
    return lines


def status_table(
    header: tuple[str, ...], rows: list[tuple[object, ...]], *, facilitators: bool
) -> Table:
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
    """A scheduling run against the ledger: what was booked (one line a request), what
    could not be; every option is in proposals.csv."""
    lines: list[str] = []
    proposals = run.result.proposals if run.result is not None else {}
    placed = [rid for rid, p in proposals.items() if p.scheduled]
    if run.result is None and not run.refused:
        return ["No confirmed request is waiting for a session."]
    if run.committed:
        lines.append(
            f"{len(run.booked)} session(s) booked and their invitations queued in the "
            f"outbox (send with jags invite --send)."
            if run.booked
            else "No session could be booked in its window."
        )
    elif run.result is not None:
        lines.append(
            f"Proposal only (not booked: add --commit): {len(placed)} of "
            f"{len(proposals)} session(s) fit their window."
        )
    for rid, proposal in proposals.items():
        if proposal.scheduled:
            opt = proposal.options[0]
            start, end = opt.start, opt.end  # in the policy's time zone
            unknown = f", {opt.unknown} unknown" if opt.unknown else ""
            lines.append(
                f"  {rid}: {start:%a %d %b %Y %H:%M}–{end:%H:%M}"
                f" ({opt.required_free} required attendee(s) free{unknown}; option 1 "
                f"of {len(proposal.options)})"
            )
        else:
            lines.append(f"  {rid}: nothing fits its window — {first_sentence(proposal.reason)}")
    for rid, why in run.refused:
        lines.append(f"Not scheduled: {rid}: {why}.")
    return lines
