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

from allocator import PRESETS, Explainer, InputError, Policy
from jags import allocation, render, schedule
from jags.files import write_outputs
from jags.policies import load_policy
from jags.send import SendError, send_invites
from jags.workspace import parse_date

if TYPE_CHECKING:
    from collections.abc import Iterator

app = typer.Typer(help="JAGS Planner: allocate independent facilitators to Joint Agency Group "
                       "Supervision requests, propose session times and write invitations.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
# A terminal's own width; 160 columns when output goes to a file or a pipe.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"

WorkspaceArg = Annotated[Path, typer.Argument(
    help="Workspace folder of CSV files, or one .xlsx workbook with a sheet per file.")]
PolicyOpt = Annotated[str, typer.Option(
    "--policy", help=f"Policy preset ({', '.join(PRESETS)}) or a TOML file.")]
OnOpt = Annotated[str, typer.Option(
    "--on", help="Batch date, YYYY-MM-DD or dd/mm/yyyy.")]
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
    except SendError as exc:  # sign-in or sending failed: say what went out, no traceback
        for line in exc.sent:
            out.print(line, highlight=False)
        _error(str(exc))
        raise typer.Exit(1) from None
    except OSError as exc:  # e.g. --out names a file, or the disk is full
        _error(f"cannot read or write a file: {exc}")
        raise typer.Exit(1) from None


def _error(message: str) -> None:
    """The message on stderr, one problem per line (never re-wrapped, never markup)."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False,
              soft_wrap=True)


def _date(text: str, option: str) -> date:
    try:
        return parse_date(text)
    except ValueError:
        raise InputError(f"{option}: {text!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)") \
            from None


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
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the output files.")],
    policy: PolicyOpt = "norfolk",
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
    strict: StrictOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Allocate facilitators to the requests received up to --on.

    Writes allocations.csv and explanations.csv (and allocations.xlsx with
    --format xlsx) into --out, all or nothing.
    """
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
        files = allocation.allocation_files(result, xlsx=fmt == "xlsx")
        written = write_outputs(out_dir, files)
    out.print(render.allocation_table(result))
    out.print(render.summary_line(result))
    for line in render.flagged_lines(result):
        out.print(line, style="yellow", highlight=False, markup=False)
    out.print("Wrote " + ", ".join(str(p) for p in written))


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
    with user_errors():
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
    allocations: Annotated[Path, typer.Option(
        "--allocations", help="allocations.csv written by jags allocate.")],
    confirmed_on: Annotated[str, typer.Option(
        "--confirmed-on", help="Day the facilitators confirmed the JAGS (window counts from "
                               "it); a confirmed_on column in the allocations file overrides "
                               "it per request.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for proposals and invites.")],
    policy: PolicyOpt = "norfolk",
    source: Annotated[str | None, typer.Option(
        help="Also read free/busy from exchange or graph (credentials from the "
             "environment).")] = None,
    holds: Annotated[bool, typer.Option(
        help="Send tentative holds for every option instead of one invitation.")] = False,
    strict: StrictOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Propose session times from calendars and write the invitations.

    Writes proposals.csv, invites/<request_id>.ics and .eml, and schedule.json
    into --out, all or nothing.
    """
    with user_errors():
        if source not in (None, "exchange", "graph"):
            raise InputError(f"--source: {source!r} is not exchange or graph")
        run = schedule.run_schedule(workspace, allocations,
                                    _date(confirmed_on, "--confirmed-on"), load_policy(policy),
                                    remote=source, holds=holds,  # type: ignore[arg-type]
                                    strict=strict, cache=not no_cache)
        written = write_outputs(out_dir, run.files)
    out.print(render.proposals_table(run.result))
    out.print(render.schedule_summary(run.result, run.invited))
    out.print(f"Wrote {len(written)} files into {out_dir}")


@app.command("invite")
def invite_command(
    folder: Annotated[Path, typer.Argument(help="The --out folder of jags schedule.")],
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
) -> None:
    """Choose options, release holds, cancel, and send invitations."""
    with user_errors():
        manifest = schedule.load_manifest(folder)
        if choose or cancel:
            picks: dict[str, int] = {}
            for item in choose or []:
                rid, _, number = item.partition("=")
                if not number.isdigit():
                    raise InputError(f"--choose: {item!r} is not REQUEST_ID=OPTION")
                picks[rid] = int(number)
            day = _date(on, "--on") if on else date.today()
            files = schedule.update_invitations(manifest, choose=picks, cancel=cancel or [],
                                                on=day)
            files[schedule.MANIFEST] = schedule.manifest_bytes(manifest)
            write_outputs(folder, files)
            out.print(f"Wrote {len(manifest['outbox'])} invitation(s): "
                      + (", ".join(manifest["outbox"]) or "nothing changed"))
        if send is not None:
            if send not in ("exchange", "graph"):
                raise InputError(f"--send: {send!r} is not exchange or graph")
            messages = schedule.outgoing(folder, manifest)
            for line in send_invites(messages, via=send, dry_run=dry_run):  # type: ignore[arg-type]
                out.print(line, highlight=False, markup=False)


@app.command("policies")
def policies_command(name: Annotated[str | None, typer.Argument(
        help="Show one preset's settings.")] = None) -> None:
    """List the policy presets, or show one."""
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


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
