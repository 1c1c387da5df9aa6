"""The ledger commands: ``jags init``, ``intake``, ``record``, ``status``, ``export``,
``backup``, ``purge``, ``report`` and ``feedback import``."""

from __future__ import annotations

import sys
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
    FormOpt,
    MappingOpt,
    OnOpt,
    PartnershipOpt,
    PolicyOpt,
    WorkspaceArg,
    app,
    files_line,
    out,
    parse_on,
    user_errors,
)
from jags.files import write_outputs

if TYPE_CHECKING:
    from jags.ledger import Ledger


@app.command("init")
def init_command(
    workspace: WorkspaceArg,
    policy: PolicyOpt = "norfolk",
    on: Annotated[
        str | None, typer.Option("--on", help="Day the ledger starts (default today).")
    ] = None,
    db: DbOpt = None,
    partnership: Annotated[
        str | None,
        typer.Option(
            "--partnership",
            help="A short name for the partnership in a shared ledger "
            "(default: the policy's name).",
        ),
    ] = None,
    by: ByOpt = None,
) -> None:
    """Start the ledger: import history.csv and the facilitators' open_jags, once.

    Creates jags.db (mode 0600) in the workspace folder, or uses --db.
    Running it again changes nothing.
    """
    from jags import daily
    from jags.policies import load_policy

    with user_errors():
        where = locate.Where(workspace, db, partnership)
        day = parse_on(on, "--on") if on else date.today()
        ledger, created = daily.init_ledger(
            where, load_policy(policy), day, by or locate.default_by()
        )
        what = "Started" if created else "Already started:"
        out.print(
            f"{what} the ledger for {ledger.name} (partnership {ledger.key!r}, policy "
            f"{ledger.policy.name}) in {_where_text(ledger)}.",
            highlight=False,
            markup=False,
        )
        ledger.close()


def _where_text(ledger: Ledger) -> str:
    from jags.ledger.store import shown

    path = ledger.store.path
    return str(path) if path is not None else shown(ledger.store.url)


@app.command("intake")
def intake_command(
    workspace: WorkspaceArg,
    on: OnOpt,
    form: FormOpt = None,
    mapping: MappingOpt = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Import the new requests received up to --on into the ledger, without allocating.

    Reads requests.csv and participants.csv, or the request form's export
    with --form. A request already imported is never imported again; one whose
    row changed since is reported, not applied (details in no file: run
    jags allocate --commit for intake_changes.csv).
    """
    from jags import daily

    with user_errors():
        name, found = daily.import_requests(
            locate.Where(workspace, db, partnership),
            parse_on(on, "--on"),
            by or locate.default_by(),
            form=form,
            mapping=mapping,
        )
    out.print(
        f"{name}: {len(found.new)} new request(s) imported"
        + (f" ({', '.join(found.new)})" if found.new else "")
        + ".",
        highlight=False,
        markup=False,
    )
    if found.later:
        out.print(
            f"{len(found.later)} request(s) received after {on} wait for a later day.",
            highlight=False,
            markup=False,
        )
    for line in daily.change_lines(found.changed):
        out.print(line, style="yellow", highlight=False, markup=False)


@app.command("record")
def record_command(
    workspace: WorkspaceArg,
    request_id: Annotated[
        str | None,
        typer.Argument(help="The request, e.g. R-0012 (or use --file).", show_default=False),
    ] = None,
    event: Annotated[
        str | None,
        typer.Argument(
            help="contacted, confirmed, declined, stepped_down, cancelled, held or closed.",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Day it happened, YYYY-MM-DD or dd/mm/yyyy.")
    ] = None,
    facilitator: Annotated[
        str | None,
        typer.Option(
            "--facilitator",
            help="The facilitator concerned (who declined, for a co-facilitated JAGS).",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="A short reason (e.g. the other route agreed); kept in the ledger, "
            "never shown in messages.",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="events.csv: request_id, event, on, facilitator_id, reason."),
    ] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Record what happened to requests: all of them, or none when one does not fit."""
    from jags import daily

    with user_errors():
        if file is not None:
            if request_id or event:
                raise InputError("give REQUEST and EVENT, or --file, not both")
            items = daily.read_events(file)
        else:
            if not (request_id and event and on):
                raise InputError("give REQUEST EVENT --on DATE (or --file events.csv)")
            items = [daily.record_one(request_id, event, on, facilitator, reason)]
        ledger = daily.open_ledger(locate.Where(workspace, db, partnership))
        try:
            lines = ledger.record(items, by or locate.default_by())
        finally:
            ledger.close()
    for line in lines:
        out.print(line, highlight=False, markup=False)
    out.print(f"Recorded {len(lines)} event(s).", highlight=False)


@app.command("status")
def status_command(
    workspace: WorkspaceArg,
    request_id: Annotated[str | None, typer.Option("--request", help="Only this request.")] = None,
    facilitators: Annotated[
        bool,
        typer.Option(
            "--facilitators", help="Facilitators and their open load instead of requests."
        ),
    ] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="table, csv, json, or xlsx: status.xlsx (Summary, Requests and "
            "Facilitators sheets) in --out.",
        ),
    ] = "table",
    on: Annotated[
        str | None, typer.Option("--on", help="What is overdue as of this day (default today).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="With --format xlsx: the folder for status.xlsx (default "
            "status/<date>/ beside the workspace).",
        ),
    ] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    force: ForceOpt = False,
) -> None:
    """Where every request is on its journey, and what is overdue."""
    import json as jsonlib

    from jags import daily, daily_status, render
    from jags.csv_output import csv_bytes

    with user_errors():
        if fmt not in ("table", "csv", "json", "xlsx"):
            raise InputError(f"--format: {fmt!r} is not table, csv, json or xlsx")
        if out_dir is not None and fmt != "xlsx":
            raise InputError("--out: only with --format xlsx (the other formats print)")
        if fmt == "xlsx" and (request_id or facilitators):
            raise InputError(
                "--format xlsx: the workbook holds every request and every "
                "facilitator; leave out --request and --facilitators"
            )
        day = parse_on(on, "--on") if on else date.today()
        where = locate.Where(workspace, db, partnership)
        ledger = daily.open_ledger(where)
        try:
            if fmt == "xlsx":
                book, lines = daily_status.status_workbook(ledger, day)
            else:
                header, rows = daily_status.status_files(
                    ledger, day, request_id=request_id, facilitators=facilitators
                )
        finally:
            ledger.close()
        if fmt == "xlsx":
            target = out_dir or locate.default_out(where, "status", day)
            write_outputs(target, {daily_status.STATUS_WORKBOOK: book}, replace=force)
    if fmt == "xlsx":
        for line in lines:
            out.print(line, highlight=False, markup=False)
        files_line(target, [daily_status.STATUS_WORKBOOK])
    elif fmt == "csv":
        sys.stdout.write(csv_bytes(header, rows).decode("utf-8"))
    elif fmt == "json":
        sys.stdout.write(
            jsonlib.dumps(
                [
                    dict(
                        zip(
                            header, (str(v) if isinstance(v, date) else v for v in row), strict=True
                        )
                    )
                    for row in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        out.print(render.status_table(header, rows, facilitators=facilitators))


@app.command("export")
def export_command(
    workspace: WorkspaceArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for one CSV per table.")],
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write every ledger table of this partnership as CSV (no lock-in)."""
    from jags import daily

    with user_errors():
        ledger = daily.open_ledger(locate.Where(workspace, db, partnership))
        try:
            files = ledger.export()
        finally:
            ledger.close()
        written = write_outputs(out_dir, files, replace=force)
    out.print(f"Wrote {len(written)} tables into {out_dir}", highlight=False, markup=False)


@app.command("backup")
def backup_command(
    workspace: WorkspaceArg,
    out_file: Annotated[Path, typer.Option("--out", help="The backup file to create.")],
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
) -> None:
    """Copy the SQLite ledger to a new file, consistently, even while others work.

    For a PostgreSQL ledger use pg_dump.
    """
    from jags import daily
    from jags.ledger.store import backup_sqlite

    with user_errors():
        ledger = daily.open_ledger(locate.Where(workspace, db, partnership))
        try:
            written = backup_sqlite(ledger.store, out_file)
        finally:
            ledger.close()
    out.print(f"Backed up the ledger to {written}", highlight=False, markup=False)


@app.command("purge")
def purge_command(
    workspace: WorkspaceArg,
    before: Annotated[
        str | None,
        typer.Option(
            "--before",
            help="Purge requests that ended before this day (default: the "
            "policy's retention_months ago).",
        ),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Today (default today).")] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Remove the personal data of requests that ended long ago; keep the anonymous dates."""
    from jags import daily
    from jags.ledger.operations import months_before

    with user_errors():
        day = parse_on(on, "--on") if on else date.today()
        ledger = daily.open_ledger(locate.Where(workspace, db, partnership))
        try:
            cut = (
                parse_on(before, "--before")
                if before
                else months_before(day, ledger.policy.retention_months)
            )
            ids = ledger.purge(cut, day, by or locate.default_by())
        finally:
            ledger.close()
    out.print(
        f"Purged the personal data of {len(ids)} request(s) that ended before {cut.isoformat()}.",
        highlight=False,
    )


@app.command("report")
def report_command(
    workspace: WorkspaceArg,
    start: Annotated[str, typer.Option("--from", help="First day of the report.")],
    end: Annotated[str, typer.Option("--to", help="Last day (the ledger is read as of it).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for report.html and kpis.csv.")],
    publish: Annotated[
        bool, typer.Option(help="Show counts under 5 as '<5' (for board papers).")
    ] = False,
    target: Annotated[
        list[str] | None,
        typer.Option(
            help="KPI=SHARE target for a timeliness KPI, e.g. allocated_by_deadline=0.95 "
            "(default 0.9). Repeatable."
        ),
    ] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    force: ForceOpt = False,
) -> None:
    """The QA and KPI report from the ledger: report.html (self-contained) and kpis.csv."""
    from jags.report.job import parse_targets, run_report

    with user_errors():
        files, warnings = run_report(
            workspace,
            parse_on(start, "--from"),
            parse_on(end, "--to"),
            targets=parse_targets(target or []),
            publish=publish,
            db=db,
            partnership=partnership,
        )
        write_outputs(out_dir, files, replace=force)
    for line in warnings:
        out.print(f"warning: {line}", style="yellow", highlight=False, markup=False)
    out.print(
        f"Wrote {out_dir / 'report.html'} and {out_dir / 'kpis.csv'}", highlight=False, markup=False
    )


feedback_app = typer.Typer(help="Session feedback from the feedback form.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("import")
def feedback_import_command(
    workspace: WorkspaceArg,
    file: Annotated[
        Path,
        typer.Argument(help="The form's export: .xlsx as downloaded from Microsoft Forms, or CSV."),
    ],
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping", help="Column mapping: a TOML file, or the preset 'sample' (default)."
        ),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Today (default today).")] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Add the feedback form's responses (themes, before/after confidence) to the ledger.

    Importing the same export again adds nothing. Only the mapped columns are
    read; names, e-mails and comments are never stored.
    """
    from jags.feedback import import_file

    with user_errors():
        day = parse_on(on, "--on") if on else date.today()
        added, already = import_file(
            workspace,
            file,
            mapping,
            on=day,
            by=by or locate.default_by(),
            db=db,
            partnership=partnership,
        )
    out.print(f"Imported {added} response(s); {already} already in the ledger.", highlight=False)
