"""The batch commands: ``jags allocate`` and ``explain`` (``schedule`` and ``invite`` are in
:mod:`jags.cli_schedule`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from allocator.errors import InputError
from jags import locate
from jags.cli_base import (
    ByOpt,
    DbOpt,
    FormOpt,
    LedgerPolicyOpt,
    MappingOpt,
    NoCacheOpt,
    OnOpt,
    PartnershipOpt,
    StrictOpt,
    WorkspaceArg,
    app,
    err,
    files_line,
    out,
    parse_on,
    request_id_arg,
    user_errors,
)
from jags.files import write_outputs

if TYPE_CHECKING:
    from datetime import date

    from allocator import Policy


@app.command("allocate")
def allocate_command(
    workspace: WorkspaceArg,
    on: OnOpt,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the output files (with a ledger, default "
            "batches/<date>/ beside the workspace).",
        ),
    ] = None,
    policy: LedgerPolicyOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, or xlsx to add a workbook.")] = "csv",
    method: Annotated[str, typer.Option(help="auto, flow or cpsat.")] = "auto",
    time_limit: Annotated[
        float | None, typer.Option(help="Solver seconds (default from the policy).")
    ] = None,
    calendar_aware: Annotated[
        bool,
        typer.Option(
            help="Skip facilitators whose calendars (workspace calendars/) show no free "
            "session slot in the expected window."
        ),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            help="With --calendar-aware, also read free/busy from exchange or graph "
            "(credentials from the environment)."
        ),
    ] = None,
    explain: Annotated[
        str,
        typer.Option(
            help="default: explanations.csv holds each request's own exclusions and every "
            "eligible facilitator (facilitator-wide reasons once each in "
            "facilitator_status.csv); full: every request × facilitator pair."
        ),
    ] = "default",
    commit: Annotated[
        bool,
        typer.Option(
            help="Record the batch in the ledger (created when missing): new requests are "
            "imported, allocations recorded."
        ),
    ] = False,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
    strict: StrictOpt = False,
    no_cache: NoCacheOpt = False,
    form: FormOpt = None,
    mapping: MappingOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Run on a non-working day, and replace an earlier, different result "
            "in the output folder (both refused by default).",
        ),
    ] = False,
) -> None:
    """Allocate facilitators to the requests received up to --on.

    Writes allocations.csv, explanations.csv and facilitator_status.csv (and
    allocations.xlsx with --format xlsx) into --out, all or nothing. With a
    ledger (jags init, or --commit), the batch is computed against what is
    already open and --commit records it. Prints a summary, then the requests
    waiting and those allocated late; everything else is in the files.
    """
    from jags import allocation, render
    from jags.policies import load_policy

    if explain not in ("default", "full"):
        with user_errors():
            raise InputError(f"--explain: {explain!r} is not default or full")

    where = locate.Where(workspace, db, partnership)
    if commit or locate.has_ledger(where):
        from jags import daily  # the ledger's modules load only when a ledger is used

        with user_errors():
            chosen = load_policy(policy) if policy else None
            if chosen is not None and calendar_aware:
                chosen = chosen.replace(calendar_aware=True)
            day = parse_on(on, "--on")
            if not force:
                allocation.check_batch_day(daily.batch_policy(where, chosen), day)
            _allocate_with_ledger(
                where,
                day,
                out_dir,
                chosen,
                commit=commit,
                xlsx=fmt == "xlsx",
                method=method,
                time_limit=time_limit,
                remote=source,
                by=by or locate.default_by(),
                calendar_aware=calendar_aware,
                explain=explain,
                force=force,
                form=form,
                mapping=mapping,
            )
        return
    if out_dir is None:
        with user_errors():
            raise InputError(
                "--out: say where to write the files (this workspace has no "
                "ledger; jags init starts one)"
            )
        return
    policy = policy or "norfolk"
    with user_errors():
        if fmt not in ("csv", "xlsx"):
            raise InputError(f"--format: {fmt!r} is not csv or xlsx")
        if method not in ("auto", "flow", "cpsat"):
            raise InputError(f"--method: {method!r} is not auto, flow or cpsat")
        if source not in (None, "exchange", "graph"):
            raise InputError(f"--source: {source!r} is not exchange or graph")
        chosen_policy = load_policy(policy)
        if calendar_aware:
            chosen_policy = chosen_policy.replace(calendar_aware=True)
        day = parse_on(on, "--on")
        if not force:
            allocation.check_batch_day(chosen_policy, day)
        result = allocation.run_allocation(
            workspace,
            chosen_policy,
            day,
            method=method,  # type: ignore[arg-type]
            time_limit=time_limit,
            remote=source,  # type: ignore[arg-type]
            strict=strict,
            cache=not no_cache,
            form=form,
            mapping=mapping,
        )
        files = allocation.allocation_files(result, xlsx=fmt == "xlsx", explain=explain)  # type: ignore[arg-type]
        write_outputs(out_dir, files, replace=force)
    head = f"Allocation for {result.on:%a %d %b %Y} ({chosen_policy.name} policy)"
    for line in render.batch_lines(result, head):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    for line in render.flagged_lines(result):
        out.print(line, style="yellow", highlight=False, markup=False)
    files_line(out_dir, files)


def _allocate_with_ledger(
    where: locate.Where,
    on: date,
    out_dir: Path | None,
    policy: Policy | None,
    *,
    commit: bool,
    xlsx: bool,
    method: str,
    time_limit: float | None,
    remote: str | None,
    by: str,
    calendar_aware: bool,
    explain: str,
    force: bool,
    form: Path | None = None,
    mapping: str | None = None,
) -> None:
    """``jags allocate`` against the ledger: summary first, waiting and overdue next, files
    last. A batch whose files would replace a different earlier result is refused before
    it is recorded (unless ``force``)."""
    from jags import daily, render
    from jags.files import refuse_earlier

    if method not in ("auto", "flow", "cpsat"):
        raise InputError(f"--method: {method!r} is not auto, flow or cpsat")
    if remote not in (None, "exchange", "graph"):
        raise InputError(f"--source: {remote!r} is not exchange or graph")
    if calendar_aware and policy is None:
        ledger = daily.open_ledger(where) if locate.has_ledger(where) else None
        if ledger is not None:
            policy = ledger.policy.replace(calendar_aware=True)
            ledger.close()
    target = out_dir or locate.default_out(where, "batches", on)
    run = daily.run_daily(
        where,
        on,
        by,
        commit=commit,
        policy=policy,
        method=method,  # type: ignore[arg-type]
        time_limit=time_limit,
        xlsx=xlsx,
        explain=explain,
        remote=remote,  # type: ignore[arg-type]
        form=form,
        mapping=mapping,
        check=None if force else lambda files: refuse_earlier(target, files),
    )
    write_outputs(target, run.files, replace=force)
    if run.created:
        out.print(f"Started the ledger for {run.ledger_name}.", highlight=False)
    for line in render.day_lines(run.outcome, run.overdue):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    for line in daily.change_lines(run.outcome.intake.changed):
        out.print(line, style="yellow", highlight=False, markup=False)
    for line in render.flagged_lines(run.outcome.result):
        out.print(line, style="yellow", highlight=False, markup=False)
    files_line(target, run.files)


@app.command("explain")
def explain_command(
    workspace: Annotated[
        str, typer.Argument(help="The workspace the batch is allocated from.", show_default=False)
    ],
    on: OnOpt,
    request_id: Annotated[
        str | None, typer.Argument(help="The request to explain, e.g. R-0012.", show_default=False)
    ] = None,
    policy: LedgerPolicyOpt = None,
    calendar_aware: Annotated[
        bool, typer.Option(help="As for jags allocate --calendar-aware.")
    ] = False,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    old_workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            hidden=True,
            help="Deprecated: jags explain REQUEST --workspace W is now jags explain W REQUEST.",
        ),
    ] = None,
) -> None:
    """Why a request got its facilitator, and why each other facilitator did not.

    Re-runs the batch of --on (the same input always gives the same
    allocation) and explains one request in plain English. With a ledger,
    the batch is run against the ledger's state exactly as jags allocate
    --on would run it (nothing is recorded).
    """
    from allocator import Explainer
    from jags import allocation, daily
    from jags.policies import load_policy

    with user_errors():
        if old_workspace is not None:  # the form before 0.2: REQUEST --workspace W
            if request_id is not None:
                raise InputError("give WORKSPACE REQUEST, or REQUEST --workspace W, not both")
            request_id, path = workspace, old_workspace
            err.print(
                "note: 'jags explain REQUEST --workspace W' is deprecated; use "
                "'jags explain W REQUEST'.",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        else:
            path = Path(workspace)
        if request_id is None:
            raise InputError(
                "give the workspace and the request: jags explain WORKSPACE REQUEST --on DATE"
            )
        request_id_arg(request_id, "REQUEST")
        day = parse_on(on, "--on")
        where = locate.Where(path, db, partnership)
        chosen_policy = daily.batch_policy(where, load_policy(policy) if policy else None)
        if calendar_aware:
            chosen_policy = chosen_policy.replace(calendar_aware=True)
        if locate.has_ledger(where):
            lines = daily.explain_request(where, day, request_id, policy=chosen_policy)
        else:
            result = allocation.run_allocation(path, chosen_policy, day)
            index = {r.request_id: i for i, r in enumerate(result.instance.requests)}
            if request_id not in index:
                skipped = dict(result.instance.skipped)
                why = skipped.get(request_id, "not in requests.csv")
                raise InputError(f"request {request_id!r} is not in this batch: {why}")
            lines = Explainer(result.instance, result.chosen).why(index[request_id])
    for line in lines:
        out.print(line, highlight=False, markup=False, soft_wrap=True)
