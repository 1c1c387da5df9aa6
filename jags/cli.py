"""The ``jags`` command. Thin: parse, call library functions, render.

User mistakes (bad files, bad values, unknown policy) end with exit code 2
and a message naming the file, row and column — never a traceback. The
commands live by concern in :mod:`jags.cli_batch` (allocate, explain),
:mod:`jags.cli_schedule` (schedule, invite) and :mod:`jags.cli_ledger` (init,
intake, record, status, export, backup, purge, report, feedback); what they
share is in :mod:`jags.cli_base`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from allocator.errors import InputError
from allocator.presets import PRESETS

# Each command module registers its commands on `app` as it is imported, and `jags --help`
# lists them in that order: batch, then schedule, then ledger (hence the split).
from jags import cli_batch, cli_schedule

# isort: split
from jags import cli_ledger
from jags.bundled import sample_folder
from jags.cli_base import app, error, out, parse_on, user_errors
from jags.scenarios.cli import app as scenarios_app

__all__ = ["SAMPLE", "app", "cli_batch", "cli_ledger", "cli_schedule", "main"]

SAMPLE = sample_folder()
app.add_typer(scenarios_app, name="scenarios")


@app.command("policies")
def policies_command(
    name: Annotated[str | None, typer.Argument(help="Show one preset's settings.")] = None,
) -> None:
    """List the policy presets, or print one as TOML (save it, edit it, pass it with
    --policy FILE)."""
    from allocator import Policy
    from jags.policies import load_policy, policy_toml

    with user_errors():
        if name is None:
            for preset in PRESETS:
                p = Policy.preset(preset)
                out.print(
                    f"{preset:15} {p.partnership}: {p.facilitators_per_request} "
                    f"facilitator(s), allocate within {p.allocate_within_days} working "
                    f"days, session window {p.window_first_day}–{p.window_last_day} "
                    f"working days"
                )
            return
        text = policy_toml(load_policy(name))
    sys.stdout.write(text)


@app.command("demo")
def demo_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the demo output.")] = Path(
        "out/demo"
    ),
) -> None:
    """A week of daily batches on a copy of the bundled sample (data/sample/) through the
    ledger: allocate, record, schedule, invite, status each day; the report on Friday."""
    from jags.demo import DemoFailed, run_demo

    with user_errors():
        try:
            run_demo(SAMPLE, out_dir, out)
        except DemoFailed as exc:
            error(str(exc))
            raise typer.Exit(exc.code) from None


@app.command("generate")
def generate_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the workspace into.")],
    requests: Annotated[int, typer.Option(help="Number of requests.")] = 25,
    facilitators: Annotated[int, typer.Option(help="Number of facilitators.")] = 40,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 0,
    start: Annotated[str, typer.Option(help="First day requests arrive.")] = "2026-11-09",
    days: Annotated[int, typer.Option(help="Calendar days over which requests arrive.")] = 10,
    gaps: Annotated[
        bool, typer.Option(help="Leave a few facilitator records incomplete (missing_data).")
    ] = True,
    sample: Annotated[
        bool, typer.Option(help="Write the bundled sample (data/sample/, with calendars) instead.")
    ] = False,
) -> None:
    """Write a synthetic workspace: invented people and cases, nothing real.

    The files are written into OUT_DIR in place (other files there are kept),
    so a workspace folder stays a plain folder.
    """
    from jags import generate

    with user_errors():
        if requests < 0 or facilitators < 1 or days < 1:
            raise InputError("need --requests >= 0, --facilitators >= 1 and --days >= 1")
        day = parse_on(start, "--start")
        if sample:
            generate.write_sample(out_dir)
        else:
            generate.write_workspace(
                generate.generate_workspace(
                    requests, facilitators, seed=seed, start=day, days=days, with_gaps=gaps
                ),
                out_dir,
            )
    out.print(f"Wrote {'the sample' if sample else 'a synthetic workspace'} into {out_dir}")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
