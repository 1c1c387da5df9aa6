"""The ``jags`` command. Thin: parse, call library functions, render.

User mistakes (bad files, bad values, unknown policy) end with exit code 2
and a message naming the file, row and column — never a traceback.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from allocator.errors import InputError
from allocator.presets import PRESETS
from jags.bundled import sample_folder
from jags.files import OutputsChangedError, current_version, write_outputs
from jags.scenarios.cli import app as scenarios_app

if TYPE_CHECKING:
    from collections.abc import Iterator

    from allocator import Policy
    from jags import daily
    from jags.ledger import Ledger

SAMPLE = sample_folder()

# Commands import what they need when they run, so `jags --help` stays instant and
# `jags allocate` never loads calendars, CP-SAT (unless used) or the senders.
app = typer.Typer(help="JAGS Planner: allocate independent facilitators to Joint Agency Group "
                       "Supervision requests, propose session times and write invitations.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
# A terminal's own width; 160 columns when output goes to a file or a pipe.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)
app.add_typer(scenarios_app, name="scenarios")


WorkspaceArg = Annotated[Path, typer.Argument(
    help="Workspace folder of CSV files, or one .xlsx workbook with a sheet per file.")]
PolicyOpt = Annotated[str, typer.Option(
    "--policy", help=f"Policy preset ({', '.join(PRESETS)}) or a TOML file.")]
OnOpt = Annotated[str, typer.Option(
    "--on", help="Batch date, YYYY-MM-DD or dd/mm/yyyy.")]
DbOpt = Annotated[str | None, typer.Option(
    "--db", help="Ledger database URL (postgresql://...); default $JAGS_DB, else jags.db in "
                 "the workspace folder.")]
PartnershipOpt = Annotated[str | None, typer.Option(
    "--partnership", help="Which partnership of a shared ledger (default $JAGS_PARTNERSHIP, "
                          "else the only one).")]
ByOpt = Annotated[str | None, typer.Option(
    "--by", help="Who is making the change (default: your user name).")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Stop (exit 2) on a calendar export that cannot be read or is over the "
                     "policy's limits, instead of treating its owner as unknown.")]
NoCacheOpt = Annotated[bool, typer.Option(
    "--no-cache", help="Read every calendar export afresh, bypassing the cache in the user's "
                       "cache folder.")]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn input errors into a message on stderr and exit code 2."""
    try:
        yield
    except InputError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    except RuntimeError as exc:
        send = sys.modules.get("jags.send")  # a SendError exists only once sending is loaded
        if send is None or not isinstance(exc, send.SendError):
            raise
        for line in exc.sent:  # sign-in or sending failed: say what went out, no traceback
            out.print(line, highlight=False)
        _error(str(exc))
        raise typer.Exit(1) from None
    except OutputsChangedError as exc:  # two commands updated one folder at once
        _error(str(exc))
        raise typer.Exit(1) from None
    except OSError as exc:  # e.g. the disk is full, or no permission
        _error(f"cannot read or write a file: {exc}")
        raise typer.Exit(1) from None


def _error(message: str) -> None:
    """The message on stderr, one problem per line (never re-wrapped, never markup)."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False,
              soft_wrap=True)


def _date(text: str, option: str) -> date:
    from jags.cells import parse_date, shown

    try:
        return parse_date(text)
    except ValueError:
        raise InputError(f"{option}: {shown(text)} is not a date (use YYYY-MM-DD or "
                         "dd/mm/yyyy, years 1900–2999)") from None


def _request_id(text: str, option: str) -> str:
    """A request id given on the command line (repeated in a message only when safe)."""
    from jags.cells import is_id, shown

    if not is_id(text):
        raise InputError(f"{option}: {shown(text, id_value=True)} is not a request id")
    return text


@app.callback()
def main_options(verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Log solver progress to stderr.")] = False) -> None:
    """Set up logging."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@app.command("allocate")
def allocate_command(
    workspace: WorkspaceArg,
    on: OnOpt,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the output files (with a ledger, default "
                      "batches/<date>/ beside the workspace).")] = None,
    policy: Annotated[str | None, typer.Option(
        "--policy", help=f"Policy preset ({', '.join(PRESETS)}) or a TOML file (default: "
                         f"the ledger's, else norfolk).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, or xlsx to add a workbook.")] = "csv",
    method: Annotated[str, typer.Option(help="auto, flow or cpsat.")] = "auto",
    time_limit: Annotated[float | None, typer.Option(
        help="Solver seconds (default from the policy).")] = None,
    calendar_aware: Annotated[bool, typer.Option(
        help="Skip facilitators whose calendars (workspace calendars/) show no free "
             "session slot in the expected window.")] = False,
    source: Annotated[str | None, typer.Option(
        help="With --calendar-aware, also read free/busy from exchange or graph "
             "(credentials from the environment).")] = None,
    explain: Annotated[str, typer.Option(
        help="default: explanations.csv holds each request's own exclusions and every "
             "eligible facilitator (facilitator-wide reasons once each in "
             "facilitator_status.csv); full: every request × facilitator pair.")] = "default",
    commit: Annotated[bool, typer.Option(
        help="Record the batch in the ledger (created when missing): new requests are "
             "imported, allocations recorded.")] = False,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
    strict: StrictOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Allocate facilitators to the requests received up to --on.

    Writes allocations.csv, explanations.csv and facilitator_status.csv (and
    allocations.xlsx with --format xlsx) into --out, all or nothing. With a
    ledger (jags init, or --commit), the batch is computed against what is
    already open and --commit records it.
    """
    from jags import allocation, daily, render
    from jags.policies import load_policy

    if explain not in ("default", "full"):
        with user_errors():
            raise InputError(f"--explain: {explain!r} is not default or full")

    where = daily.Where(workspace, db, partnership)
    if commit or daily.has_ledger(where):
        with user_errors():
            chosen = load_policy(policy) if policy else None
            if chosen is not None and calendar_aware:
                chosen = chosen.replace(calendar_aware=True)
            _allocate_with_ledger(where, _date(on, "--on"), out_dir, chosen, commit=commit,
                                  xlsx=fmt == "xlsx", method=method, time_limit=time_limit,
                                  remote=source, by=by or daily.default_by(),
                                  calendar_aware=calendar_aware, explain=explain)
        return
    if out_dir is None:
        with user_errors():
            raise InputError("--out: say where to write the files (this workspace has no "
                             "ledger; jags init starts one)")
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
        result = allocation.run_allocation(workspace, chosen_policy, _date(on, "--on"),
                                           method=method,  # type: ignore[arg-type]
                                           time_limit=time_limit,
                                           remote=source,  # type: ignore[arg-type]
                                           strict=strict, cache=not no_cache)
        files = allocation.allocation_files(result, xlsx=fmt == "xlsx",
                                            explain=explain)  # type: ignore[arg-type]
        written = write_outputs(out_dir, files)
    out.print(render.allocation_table(result))
    out.print(render.summary_line(result))
    for line in render.flagged_lines(result):
        out.print(line, style="yellow", highlight=False, markup=False)
    out.print("Wrote " + ", ".join(str(p) for p in written))


def _allocate_with_ledger(where: daily.Where, on: date, out_dir: Path | None,
                         policy: Policy | None, *, commit: bool, xlsx: bool, method: str,
                         time_limit: float | None, remote: str | None, by: str,
                         calendar_aware: bool, explain: str) -> None:
    """``jags allocate`` against the ledger: summary first, waiting next, files last."""
    from jags import daily, render

    if method not in ("auto", "flow", "cpsat"):
        raise InputError(f"--method: {method!r} is not auto, flow or cpsat")
    if remote not in (None, "exchange", "graph"):
        raise InputError(f"--source: {remote!r} is not exchange or graph")
    if calendar_aware and policy is None:
        ledger = daily.open_ledger(where) if daily.has_ledger(where) else None
        if ledger is not None:
            policy = ledger.policy.replace(calendar_aware=True)
            ledger.close()
    run = daily.run_daily(where, on, by, commit=commit, policy=policy,
                          method=method,  # type: ignore[arg-type]
                          time_limit=time_limit, xlsx=xlsx, explain=explain,
                          remote=remote)  # type: ignore[arg-type]
    target = out_dir or daily.default_out(where, "batches", on)
    written = write_outputs(target, run.files)
    if run.created:
        out.print(f"Started the ledger for {run.ledger_name}.", highlight=False)
    for line in render.day_lines(run.outcome):
        out.print(line, highlight=False, markup=False)
    for line in daily.change_lines(run.outcome.intake.changed):
        out.print(line, style="yellow", highlight=False, markup=False)
    for line in render.flagged_lines(run.outcome.result):
        out.print(line, style="yellow", highlight=False, markup=False)
    out.print(f"Files: {target} ({', '.join(p.name for p in written if p.parent == target)})",
              highlight=False, markup=False)


@app.command("init")
def init_command(
    workspace: WorkspaceArg,
    policy: PolicyOpt = "norfolk",
    on: Annotated[str | None, typer.Option(
        "--on", help="Day the ledger starts (default today).")] = None,
    db: DbOpt = None,
    partnership: Annotated[str | None, typer.Option(
        "--partnership", help="A short name for the partnership in a shared ledger "
                              "(default: the policy's name).")] = None,
    by: ByOpt = None,
) -> None:
    """Start the ledger: import history.csv and the facilitators' open_jags, once.

    Creates jags.db (mode 0600) in the workspace folder, or uses --db.
    Running it again changes nothing.
    """
    from jags import daily
    from jags.policies import load_policy

    with user_errors():
        where = daily.Where(workspace, db, partnership)
        day = _date(on, "--on") if on else date.today()
        ledger, created = daily.init_ledger(where, load_policy(policy), day,
                                            by or daily.default_by())
        what = "Started" if created else "Already started:"
        out.print(f"{what} the ledger for {ledger.name} (partnership {ledger.key!r}, policy "
                  f"{ledger.policy.name}) in {_where_text(ledger)}.", highlight=False,
                  markup=False)
        ledger.close()


def _where_text(ledger: Ledger) -> str:
    from jags.ledger.store import shown

    path = ledger.store.path
    return str(path) if path is not None else shown(ledger.store.url)


@app.command("record")
def record_command(
    workspace: WorkspaceArg,
    request_id: Annotated[str | None, typer.Argument(
        help="The request, e.g. R-0012 (or use --file).", show_default=False)] = None,
    event: Annotated[str | None, typer.Argument(
        help="contacted, confirmed, declined, stepped_down, cancelled, held or closed.",
        show_default=False)] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="Day it happened, YYYY-MM-DD or dd/mm/yyyy.")] = None,
    facilitator: Annotated[str | None, typer.Option(
        "--facilitator", help="The facilitator concerned (who declined, for a "
                              "co-facilitated JAGS).")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="A short reason (e.g. the other route agreed); kept in the ledger, "
                         "never shown in messages.")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="events.csv: request_id, event, on, facilitator_id, reason.")] = None,
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
        ledger = daily.open_ledger(daily.Where(workspace, db, partnership))
        try:
            lines = ledger.record(items, by or daily.default_by())
        finally:
            ledger.close()
    for line in lines:
        out.print(line, highlight=False, markup=False)
    out.print(f"Recorded {len(lines)} event(s).", highlight=False)


@app.command("status")
def status_command(
    workspace: WorkspaceArg,
    request_id: Annotated[str | None, typer.Option(
        "--request", help="Only this request.")] = None,
    facilitators: Annotated[bool, typer.Option(
        "--facilitators", help="Facilitators and their open load instead of requests.")]
    = False,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    on: Annotated[str | None, typer.Option(
        "--on", help="What is overdue as of this day (default today).")] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
) -> None:
    """Where every request is on its journey, and what is overdue."""
    import json as jsonlib

    from jags import daily, render
    from jags.files import csv_bytes

    with user_errors():
        if fmt not in ("table", "csv", "json"):
            raise InputError(f"--format: {fmt!r} is not table, csv or json")
        day = _date(on, "--on") if on else date.today()
        ledger = daily.open_ledger(daily.Where(workspace, db, partnership))
        try:
            header, rows = daily.status_files(ledger, day, request_id=request_id,
                                              facilitators=facilitators)
        finally:
            ledger.close()
    if fmt == "csv":
        sys.stdout.write(csv_bytes(header, rows).decode("utf-8"))
    elif fmt == "json":
        sys.stdout.write(jsonlib.dumps([dict(zip(header, (str(v) if isinstance(v, date) else v
                                                          for v in row), strict=True))
                                        for row in rows], indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(render.status_table(header, rows, facilitators=facilitators))


@app.command("export")
def export_command(
    workspace: WorkspaceArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for one CSV per table.")],
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
) -> None:
    """Write every ledger table of this partnership as CSV (no lock-in)."""
    from jags import daily

    with user_errors():
        ledger = daily.open_ledger(daily.Where(workspace, db, partnership))
        try:
            files = ledger.export()
        finally:
            ledger.close()
        written = write_outputs(out_dir, files)
    out.print(f"Wrote {len(written)} tables into {out_dir}", highlight=False, markup=False)


@app.command("purge")
def purge_command(
    workspace: WorkspaceArg,
    before: Annotated[str | None, typer.Option(
        "--before", help="Purge requests that ended before this day (default: the "
                         "policy's retention_months ago).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Today (default today).")] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Remove the personal data of requests that ended long ago; keep the anonymous dates."""
    from jags import daily
    from jags.ledger.operations import months_before

    with user_errors():
        day = _date(on, "--on") if on else date.today()
        ledger = daily.open_ledger(daily.Where(workspace, db, partnership))
        try:
            cut = _date(before, "--before") if before else \
                months_before(day, ledger.policy.retention_months)
            ids = ledger.purge(cut, day, by or daily.default_by())
        finally:
            ledger.close()
    out.print(f"Purged the personal data of {len(ids)} request(s) that ended before "
              f"{cut.isoformat()}.", highlight=False)


@app.command("report")
def report_command(
    workspace: WorkspaceArg,
    start: Annotated[str, typer.Option("--from", help="First day of the report.")],
    end: Annotated[str, typer.Option("--to", help="Last day (the ledger is read as of it).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for report.html and "
                                                        "kpis.csv.")],
    publish: Annotated[bool, typer.Option(
        help="Show counts under 5 as '<5' (for board papers).")] = False,
    target: Annotated[list[str] | None, typer.Option(
        help="KPI=SHARE target for a timeliness KPI, e.g. allocated_by_deadline=0.95 "
             "(default 0.9). Repeatable.")] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
) -> None:
    """The QA and KPI report from the ledger: report.html (self-contained) and kpis.csv."""
    from jags.report.job import parse_targets, run_report

    with user_errors():
        files, warnings = run_report(workspace, _date(start, "--from"), _date(end, "--to"),
                                     targets=parse_targets(target or []), publish=publish,
                                     db=db, partnership=partnership)
        write_outputs(out_dir, files)
    for line in warnings:
        out.print(f"warning: {line}", style="yellow", highlight=False, markup=False)
    out.print(f"Wrote {out_dir / 'report.html'} and {out_dir / 'kpis.csv'}", highlight=False,
              markup=False)


feedback_app = typer.Typer(help="Session feedback from the feedback form.",
                           no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("import")
def feedback_import_command(
    workspace: WorkspaceArg,
    file: Annotated[Path, typer.Argument(help="The form's export: .xlsx as downloaded from "
                                              "Microsoft Forms, or CSV.")],
    mapping: Annotated[str | None, typer.Option(
        "--mapping", help="Column mapping: a TOML file, or the preset 'sample' (default).")]
    = None,
    on: Annotated[str | None, typer.Option("--on", help="Today (default today).")] = None,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Add the feedback form's responses (themes, before/after confidence) to the ledger.

    Importing the same export again adds nothing. Only the mapped columns are
    read; names, e-mails and comments are never stored.
    """
    from jags import daily
    from jags.feedback import import_file

    with user_errors():
        day = _date(on, "--on") if on else date.today()
        added, already = import_file(workspace, file, mapping, on=day,
                                     by=by or daily.default_by(), db=db,
                                     partnership=partnership)
    out.print(f"Imported {added} response(s); {already} already in the ledger.",
              highlight=False)


@app.command("explain")
def explain_command(
    request_id: Annotated[str, typer.Argument(help="The request to explain, e.g. R-0012.")],
    workspace: Annotated[Path, typer.Option(
        "--workspace", "-w", help="The workspace the batch was allocated from.")],
    on: OnOpt,
    policy: PolicyOpt = "norfolk",
    calendar_aware: Annotated[bool, typer.Option(
        help="As for jags allocate --calendar-aware.")] = False,
) -> None:
    """Why a request got its facilitator, and why each other facilitator did not.

    Re-runs the batch (the same input always gives the same allocation) and
    explains one request in plain English.
    """
    from allocator import Explainer
    from jags import allocation
    from jags.policies import load_policy

    with user_errors():
        _request_id(request_id, "REQUEST_ID")
        chosen_policy = load_policy(policy)
        if calendar_aware:
            chosen_policy = chosen_policy.replace(calendar_aware=True)
        result = allocation.run_allocation(workspace, chosen_policy, _date(on, "--on"))
        index = {r.request_id: i for i, r in enumerate(result.instance.requests)}
        if request_id not in index:
            skipped = dict(result.instance.skipped)
            why = skipped.get(request_id, "not in requests.csv")
            raise InputError(f"request {request_id!r} is not in this batch: {why}")
        lines = Explainer(result.instance, result.chosen).why(index[request_id])
    for line in lines:
        out.print(line, highlight=False, markup=False)


@app.command("schedule")
def schedule_command(
    workspace: WorkspaceArg,
    allocations: Annotated[Path | None, typer.Option(
        "--allocations", help="allocations.csv written by jags allocate (the file-only "
                              "flow, without a ledger).")] = None,
    confirmed_on: Annotated[str | None, typer.Option(
        "--confirmed-on", help="With --allocations: the day the facilitators confirmed the "
                               "JAGS (window counts from it); a confirmed_on column in the "
                               "allocations file overrides it per request.")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Folder for proposals and invites (with a ledger, default "
                      "schedules/<date>/ beside the workspace).")] = None,
    policy: Annotated[str | None, typer.Option(
        "--policy", help=f"Policy preset ({', '.join(PRESETS)}) or a TOML file (default: "
                         f"the ledger's, else norfolk).")] = None,
    source: Annotated[str | None, typer.Option(
        help="Also read free/busy from exchange or graph (credentials from the "
             "environment).")] = None,
    holds: Annotated[bool, typer.Option(
        help="Send tentative holds for every option instead of one invitation (file-only "
             "flow).")] = False,
    on: Annotated[str | None, typer.Option(
        "--on", help="The day of this run (default today); a session window that opened "
                     "before it is refused.")] = None,
    commit: Annotated[bool, typer.Option(
        help="Book the sessions in the ledger and queue their invitations.")] = False,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
    strict: StrictOpt = False,
    no_cache: NoCacheOpt = False,
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
        from jags import daily  # the ledger's modules load only when a ledger is used

        where = daily.Where(workspace, db, partnership)
        with user_errors():
            if source not in (None, "exchange", "graph"):
                raise InputError(f"--source: {source!r} is not exchange or graph")
            if not daily.has_ledger(where):
                raise InputError("--allocations: say which allocations to schedule (this "
                                 "workspace has no ledger; jags init starts one)")
            _schedule_with_ledger(where, _date(on, "--on") if on else date.today(), out_dir,
                                  load_policy(policy) if policy else None, commit=commit,
                                  remote=source, by=by or daily.default_by())
        return
    with user_errors():
        if source not in (None, "exchange", "graph"):
            raise InputError(f"--source: {source!r} is not exchange or graph")
        if confirmed_on is None or out_dir is None:
            raise InputError("with --allocations, give --confirmed-on and --out too")
        day = _date(on, "--on") if on else date.today()
        run = schedule.run_schedule(workspace, allocations,
                                    _date(confirmed_on, "--confirmed-on"),
                                    load_policy(policy or "norfolk"),
                                    remote=source,  # type: ignore[arg-type]
                                    holds=holds, run_on=day, strict=strict,
                                    cache=not no_cache)
        written = write_outputs(out_dir, run.files)
    out.print(render.proposals_table(run.result))
    out.print(render.schedule_summary(run.result, run.invited))
    out.print(f"Wrote {len(written)} files into {out_dir}")


def _schedule_with_ledger(where: daily.Where, on: date, out_dir: Path | None,
                         policy: Policy | None, *, commit: bool, remote: str | None,
                         by: str) -> None:
    from jags import daily, render
    from jags.sessions import run_ledger_schedule

    run = run_ledger_schedule(where, on, by, commit=commit, policy=policy,
                              remote=remote)  # type: ignore[arg-type]
    target = out_dir or daily.default_out(where, "schedules", on)
    written = write_outputs(target, run.files) if run.files else []
    for line in render.ledger_schedule_lines(run):
        out.print(line, highlight=False, markup=False)
    if run.result is not None:
        out.print(render.proposals_table(run.result))
    if written:
        out.print(f"Files: {target} ({len(written)} files)", highlight=False, markup=False)


@app.command("invite")
def invite_command(
    folder: Annotated[Path, typer.Argument(
        help="The --out folder of jags schedule, or a workspace with a ledger (its outbox).")],
    choose: Annotated[list[str] | None, typer.Option(
        help="REQUEST_ID=OPTION: invite to that option (releases holds, moves an earlier "
             "invitation). Repeatable.")] = None,
    cancel: Annotated[list[str] | None, typer.Option(
        help="REQUEST_ID: cancel the session (stepped down). Repeatable.")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="Date of these changes (default today).")] = None,
    send: Annotated[str | None, typer.Option(
        help="Send the latest invitations through exchange or graph.")] = None,
    dry_run: Annotated[bool, typer.Option(
        help="Show what would be sent without sending (default).")] = True,
    db: DbOpt = None,
    partnership: PartnershipOpt = None,
    by: ByOpt = None,
) -> None:
    """Choose options, release holds, cancel, and send invitations.

    With a ledger, --send sends what is queued in its outbox, each message
    once; a message that fails stays queued with its error.
    """
    from jags import daily, schedule
    from jags.send import send_invites

    where = daily.Where(folder, db, partnership)
    if not (folder / schedule.MANIFEST).is_file() and daily.has_ledger(where):
        with user_errors():
            if choose or cancel:
                raise InputError("with a ledger, record stepped_down or cancelled with jags "
                                 "record (the cancellation is queued for you)")
            _invite_with_ledger(where, send, dry_run=dry_run,
                                on=_date(on, "--on") if on else date.today(),
                                by=by or daily.default_by())
        return
    with user_errors():
        from jags.cells import is_id, shown

        version = current_version(folder)  # read one version, whatever runs meanwhile
        manifest = schedule.load_manifest(version)
        if choose or cancel:
            picks: dict[str, int] = {}
            for item in choose or []:
                rid, _, number = item.partition("=")
                if not number.isdigit() or not is_id(rid):
                    raise InputError(f"--choose: {shown(item)} is not REQUEST_ID=OPTION")
                picks[rid] = int(number)
            cancelled = [_request_id(rid, "--cancel") for rid in cancel or []]
            day = _date(on, "--on") if on else date.today()
            files = schedule.update_invitations(manifest, choose=picks, cancel=cancelled,
                                                on=day)
            files[schedule.MANIFEST] = schedule.manifest_bytes(manifest)
            write_outputs(folder, files, based_on=version)
            version = current_version(folder)
            out.print(f"Wrote {len(manifest['outbox'])} invitation(s): "
                      + (", ".join(manifest["outbox"]) or "nothing changed"))
        if send is not None:
            if send not in ("exchange", "graph"):
                raise InputError(f"--send: {send!r} is not exchange or graph")
            messages = schedule.outgoing(version, manifest)
            for line in send_invites(messages, via=send, dry_run=dry_run):  # type: ignore[arg-type]
                out.print(line, highlight=False, markup=False)


def _invite_with_ledger(where: daily.Where, send: str | None, *, dry_run: bool, on: date,
                       by: str) -> None:
    from jags import daily
    from jags.send import SendError
    from jags.sessions import send_from_ledger

    if send is None:
        ledger = daily.open_ledger(where)
        try:
            waiting = ledger.outbox()
        finally:
            ledger.close()
        out.print(f"{len(waiting)} message(s) waiting in the outbox"
                  + (" (send with --send graph or --send exchange)." if waiting else "."),
                  highlight=False)
        for m in waiting:
            failed = f"; last attempt failed: {m.error}" if m.error else ""
            out.print(f"  {m.id}: {m.method} for {m.request_id}, SEQUENCE {m.sequence}, "
                      f"{m.attempts} attempt(s){failed}", highlight=False, markup=False)
        return
    lines, error = send_from_ledger(where, via=send, dry_run=dry_run, on=on, by=by)
    for line in lines:
        out.print(line, highlight=False, markup=False)
    if not lines and error is None:
        out.print("Nothing waiting in the outbox.", highlight=False)
    if error is not None:
        raise SendError(error)


@app.command("policies")
def policies_command(name: Annotated[str | None, typer.Argument(
        help="Show one preset's settings.")] = None) -> None:
    """List the policy presets, or show one."""
    from allocator import Policy
    from jags.policies import load_policy

    with user_errors():
        if name is None:
            for preset in PRESETS:
                p = Policy.preset(preset)
                out.print(f"{preset:15} {p.partnership}: {p.facilitators_per_request} "
                          f"facilitator(s), allocate within {p.allocate_within_days} working "
                          f"days, session window {p.window_first_day}–{p.window_last_day} "
                          f"working days")
            return
        for key, value in load_policy(name).model_dump(mode="json").items():
            out.print(f"{key} = {value!r}", highlight=False)


@app.command("demo")
def demo_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the demo output.")]
    = Path("out/demo"),
) -> None:
    """Run the whole pipeline on the bundled sample workspace (data/sample/)."""
    from jags.demo import run_demo

    with user_errors():
        run_demo(SAMPLE, out_dir, out)


@app.command("generate")
def generate_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the workspace into.")],
    requests: Annotated[int, typer.Option(help="Number of requests.")] = 25,
    facilitators: Annotated[int, typer.Option(help="Number of facilitators.")] = 40,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 0,
    start: Annotated[str, typer.Option(help="First day requests arrive.")] = "2026-11-09",
    days: Annotated[int, typer.Option(help="Calendar days over which requests arrive.")] = 10,
    gaps: Annotated[bool, typer.Option(
        help="Leave a few facilitator records incomplete (missing_data).")] = True,
    sample: Annotated[bool, typer.Option(
        help="Write the bundled sample (data/sample/, with calendars) instead.")] = False,
) -> None:
    """Write a synthetic workspace: invented people and cases, nothing real.

    The files are written into OUT_DIR in place (other files there are kept),
    so a workspace folder stays a plain folder.
    """
    from jags import generate

    with user_errors():
        if requests < 0 or facilitators < 1 or days < 1:
            raise InputError("need --requests >= 0, --facilitators >= 1 and --days >= 1")
        day = _date(start, "--start")
        if sample:
            generate.write_sample(out_dir)
        else:
            generate.write_workspace(generate.generate_workspace(
                requests, facilitators, seed=seed, start=day, days=days, with_gaps=gaps),
                out_dir)
    out.print(f"Wrote {'the sample' if sample else 'a synthetic workspace'} into {out_dir}")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
