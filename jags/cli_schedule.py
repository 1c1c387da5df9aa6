"""The session commands: ``jags schedule`` (propose session times, write the invitations)
and ``jags invite`` (choose options, release holds, cancel, send)."""

from __future__ import annotations

from datetime import date
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated

import typer

from allocator.errors import InputError
from jags import locate
from jags.cli_base import (
    ByOpt,
    DbOpt,
    ForceOpt,
    LedgerPolicyOpt,
    NoCacheOpt,
    PartnershipOpt,
    StrictOpt,
    WorkspaceArg,
    app,
    files_line,
    out,
    parse_on,
    request_id_arg,
    user_errors,
)
from jags.files import current_version, write_outputs

if TYPE_CHECKING:
    from allocator import Policy


@app.command("schedule")
def schedule_command(
    workspace: WorkspaceArg,
    allocations: Annotated[
        Path | None,
        typer.Option(
            "--allocations",
            help="allocations.csv written by jags allocate (the file-only flow, without a ledger).",
        ),
    ] = None,
    confirmed_on: Annotated[
        str | None,
        typer.Option(
            "--confirmed-on",
            help="With --allocations: the day the facilitators confirmed the "
            "JAGS (window counts from it); a confirmed_on column in the "
            "allocations file overrides it per request.",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for proposals and invites (with a ledger, default "
            "schedules/<date>/ beside the workspace).",
        ),
    ] = None,
    policy: LedgerPolicyOpt = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Also read free/busy from exchange or graph (credentials from the environment)."
        ),
    ] = None,
    holds: Annotated[
        bool,
        typer.Option(
            help="Send tentative holds for every option instead of one invitation (file-only flow)."
        ),
    ] = False,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="The day of this run (default today); a session window that opened "
            "before it is refused.",
        ),
    ] = None,
    commit: Annotated[
        bool, typer.Option(help="Book the sessions in the ledger and queue their invitations.")
    ] = False,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
    strict: StrictOpt = False,
    no_cache: NoCacheOpt = False,
    force: ForceOpt = False,
) -> None:
    """Propose session times from calendars and write the invitations.

    With a ledger: the confirmed requests with no session, kept clear of every
    session already booked; --commit books them and queues the invitations.
    Without one: the requests in --allocations, confirmed on --confirmed-on.
    Writes proposals.csv, invites/<request_id>.ics and .eml (and schedule.json
    in the file-only flow) into --out, all or nothing.
    """
    from jags import render, schedule
    from jags.policies import load_policy

    if allocations is None:
        where = locate.Where(workspace, db, partnership)
        with user_errors():
            if source not in (None, "exchange", "graph"):
                raise InputError(f"--source: {source!r} is not exchange or graph")
            if not locate.has_ledger(where):
                raise InputError(
                    "--allocations: say which allocations to schedule (this "
                    "workspace has no ledger; jags init starts one)"
                )
            _schedule_with_ledger(
                where,
                parse_on(on, "--on") if on else date.today(),
                out_dir,
                load_policy(policy) if policy else None,
                commit=commit,
                remote=source,
                by=by or locate.default_by(),
                force=force,
            )
        return
    with user_errors():
        if source not in (None, "exchange", "graph"):
            raise InputError(f"--source: {source!r} is not exchange or graph")
        if confirmed_on is None or out_dir is None:
            raise InputError("with --allocations, give --confirmed-on and --out too")
        day = parse_on(on, "--on") if on else date.today()
        run = schedule.run_schedule(
            workspace,
            allocations,
            parse_on(confirmed_on, "--confirmed-on"),
            load_policy(policy or "norfolk"),
            remote=source,  # type: ignore[arg-type]
            holds=holds,
            run_on=day,
            strict=strict,
            cache=not no_cache,
        )
        written = write_outputs(out_dir, run.files, replace=force)
    out.print(render.proposals_table(run.result))
    out.print(render.schedule_summary(run.result, run.invited))
    out.print(f"Wrote {len(written)} files into {out_dir}")


def _schedule_with_ledger(
    where: locate.Where,
    on: date,
    out_dir: Path | None,
    policy: Policy | None,
    *,
    commit: bool,
    remote: str | None,
    by: str,
    force: bool,
) -> None:
    """``jags schedule`` against the ledger: one line a request (every option is in
    proposals.csv). Proposals that would replace a different earlier result are refused
    before anything is booked (unless ``force``)."""
    from jags import render
    from jags.files import refuse_earlier
    from jags.sessions import run_ledger_schedule

    target = out_dir or locate.default_out(where, "schedules", on)
    run = run_ledger_schedule(
        where,
        on,
        by,
        commit=commit,
        policy=policy,
        remote=remote,  # type: ignore[arg-type]
        check=None if force else lambda files: refuse_earlier(target, files, partial=True),
    )
    if run.files:
        write_outputs(target, run.files, replace=force)
    for line in render.ledger_schedule_lines(run):
        out.print(line, highlight=False, markup=False)
    if run.files:
        files_line(target, run.files)


@app.command("invite")
def invite_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="The --out folder of jags schedule, or a workspace with a ledger (its outbox)."
        ),
    ],
    choose: Annotated[
        list[str] | None,
        typer.Option(
            help="REQUEST_ID=OPTION: invite to that option (releases holds, moves an earlier "
            "invitation). Repeatable."
        ),
    ] = None,
    cancel: Annotated[
        list[str] | None,
        typer.Option(help="REQUEST_ID: cancel the session (stepped down). Repeatable."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Date of these changes (default today).")
    ] = None,
    send: Annotated[
        str | None, typer.Option(help="Send the latest invitations through exchange or graph.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Show what would be sent without sending (default).")
    ] = True,
    requeue: Annotated[
        list[int] | None,
        typer.Option(
            help="With a ledger: MESSAGE id of a message whose sending was interrupted, "
            "to send it again once you have checked it did not go out. Repeatable."
        ),
    ] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Choose options, release holds, cancel, and send invitations.

    With a ledger, --send sends what is queued in its outbox, each message
    once; a message that fails stays queued with its error. A message whose
    sending was interrupted (the command was stopped while it went out) is
    never sent again by itself: check, then --requeue it.
    """
    from jags import manifest as manifests
    from jags.send import send_invites

    where = locate.Where(folder, db, partnership)
    if not (folder / manifests.MANIFEST).is_file() and locate.has_ledger(where):
        with user_errors():
            if choose or cancel:
                raise InputError(
                    "with a ledger, record stepped_down or cancelled with jags "
                    "record (the cancellation is queued for you)"
                )
            _invite_with_ledger(
                where,
                send,
                dry_run=dry_run,
                on=parse_on(on, "--on") if on else date.today(),
                by=by or locate.default_by(),
                requeue=requeue or [],
            )
        return
    with user_errors():
        from jags.cells import is_id, shown

        if requeue:
            raise InputError("--requeue: only with a ledger (its outbox)")

        version = current_version(folder)  # read one version, whatever runs meanwhile
        manifest = manifests.load_manifest(version)
        if choose or cancel:
            picks: dict[str, int] = {}
            for item in choose or []:
                rid, _, number = item.partition("=")
                if not number.isdigit() or not is_id(rid):
                    raise InputError(f"--choose: {shown(item)} is not REQUEST_ID=OPTION")
                picks[rid] = int(number)
            cancelled = [request_id_arg(rid, "--cancel") for rid in cancel or []]
            day = parse_on(on, "--on") if on else date.today()
            manifest, files = manifests.update_invitations(
                manifest, choose=picks, cancel=cancelled, on=day
            )
            files[manifests.MANIFEST] = manifest.to_bytes()
            write_outputs(folder, files, based_on=version)
            version = current_version(folder)
            out.print(
                f"Wrote {len(manifest.outbox)} invitation(s): "
                + (", ".join(manifest.outbox) or "nothing changed")
            )
        if send is not None:
            if send not in ("exchange", "graph"):
                raise InputError(f"--send: {send!r} is not exchange or graph")
            messages = manifests.outgoing(version, manifest)
            for line in send_invites(messages, via=send, dry_run=dry_run):  # type: ignore[arg-type]
                out.print(line, highlight=False, markup=False)


def _invite_with_ledger(
    where: locate.Where, send: str | None, *, dry_run: bool, on: date, by: str, requeue: list[int]
) -> None:
    from jags import daily
    from jags.send import SendError
    from jags.sessions import send_from_ledger

    if requeue:
        ledger = daily.open_ledger(where)
        try:
            again = ledger.requeue(requeue, on=on, by=by)
        finally:
            ledger.close()
        for m in again:
            out.print(
                f"Queued again: {m.id}: {m.method} for {m.request_id}, SEQUENCE {m.sequence}.",
                highlight=False,
                markup=False,
            )
    if send is None:
        ledger = daily.open_ledger(where)
        try:
            waiting, interrupted = ledger.outbox(), ledger.interrupted()
        finally:
            ledger.close()
        out.print(
            f"{len(waiting)} message(s) waiting in the outbox"
            + (" (send with --send graph or --send exchange)." if waiting else "."),
            highlight=False,
        )
        for m in waiting:
            failed = f"; last attempt failed: {m.error}" if m.error else ""
            out.print(
                f"  {m.id}: {m.method} for {m.request_id}, SEQUENCE {m.sequence}, "
                f"{m.attempts} attempt(s){failed}",
                highlight=False,
                markup=False,
            )
        if interrupted:
            out.print(
                f"{len(interrupted)} message(s) whose sending was interrupted: they may or may "
                "not have gone out. Check the recipients' mail (or the sender's Sent Items); "
                "queue one that did not arrive again with --requeue ID.",
                style="yellow",
                highlight=False,
                markup=False,
            )
        for m in interrupted:
            out.print(
                f"  {m.id}: {m.method} for {m.request_id}, SEQUENCE {m.sequence}, "
                f"{m.attempts} attempt(s)",
                highlight=False,
                markup=False,
            )
        return
    lines, error = send_from_ledger(where, via=send, dry_run=dry_run, on=on, by=by)
    for line in lines:
        out.print(line, highlight=False, markup=False)
    if not lines and error is None:
        out.print("Nothing waiting in the outbox.", highlight=False)
    if error is not None:
        raise SendError(error)
