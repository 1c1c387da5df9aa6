"""``jags scenarios``: run what-if scenario files from the command line.

Thin, like :mod:`jags.cli`: parse, call :func:`jags.scenarios.simulate`,
render. The simulation's modules are imported when a command runs, so the
other ``jags`` commands start as fast as before.
"""

from __future__ import annotations

import sys
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.progress import Progress

app = typer.Typer(
    help="What-if capacity scenarios: simulate the partnership on the real "
    "allocation engine, many times, and compare.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("run")
def run_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", help="Results, one row per scenario × replication: a .csv or .parquet file."
        ),
    ],
    replications: Annotated[
        int, typer.Option("--replications", "-n", help="Replications per scenario.")
    ] = 20,
    seed: Annotated[
        int | None,
        typer.Option(help="Seed of every random draw (default: the file's [base] seed, else 0)."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Local processes to run replications in.")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://HOST:PORT): run the replications on that "
            "cluster instead."
        ),
    ] = None,
    working_days: Annotated[
        int | None, typer.Option(help="Simulate this many working days instead of the file's.")
    ] = None,
    daily: Annotated[
        Path | None,
        typer.Option(
            help="Also write day-by-day series (backlog, arrivals, on time) to this .csv or "
            ".parquet file."
        ),
    ] = None,
) -> None:
    """Simulate every scenario of FILE --replications times and write the results.

    Prints the mean of the main measures per scenario with its 95 %
    confidence interval. The same file and seed give the same results
    whatever --workers or --scheduler.
    """
    from jags.cli_base import err, out, user_errors

    with user_errors():
        from allocator import InputError
        from jags.scenarios.results import write_results
        from jags.scenarios.runners import simulate

        for option, path in (("--out", out_file), ("--daily", daily)):
            if path is not None and path.suffix.casefold() not in (".csv", ".parquet"):
                raise InputError(f"{option}: {path.name!r} must end in .csv or .parquet")
        if workers > 1 and scheduler is not None:
            raise InputError("give --workers or --scheduler, not both")
        bar = _progress(err)
        with bar:
            task: Any = bar.add_task("Simulating", total=None)
            results = simulate(
                file,
                replications=replications,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                working_days=working_days,
                daily=daily is not None,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        written = [write_results(results.replications, out_file)]
        if daily is not None:
            written.append(write_results(results.daily, daily))
    out.print(summary_table(results.summary()))
    out.print("Wrote " + ", ".join(str(p) for p in written), highlight=False)


def _progress(console: Console) -> Progress | _Bar:
    """A progress bar on a terminal; nothing in a pipe, a file or a test."""
    if console.is_terminal and sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("replications"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
    return _Bar()


class _Bar:
    """No progress bar: the same calls, doing nothing."""

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None) -> int:
        return 0

    def update(self, task: int, *, completed: float, total: float | None) -> None:
        return None


_SHOWN = (
    ("pct_allocated_by_deadline", "Allocated by allocate-by", "{:.1f} %"),
    ("median_days_to_allocation", "Median days to allocation", "{:.1f}"),
    ("p90_days_to_allocation", "90th pct days", "{:.1f}"),
    ("max_backlog", "Most waiting", "{:.1f}"),
    ("mean_utilisation", "Utilisation", "{:.0f} %"),
    ("held_within_window", "Held in window", "{:.0f}"),
)


def summary_table(summary: pd.DataFrame) -> Table:
    """Mean and 95 % confidence interval per scenario for the main measures."""
    table = Table(
        title="Mean per scenario [95 % confidence interval]",
        title_justify="left",
        box=None,
        header_style="bold",
    )
    table.add_column("Scenario")
    for _, title, _ in _SHOWN:
        table.add_column(title, justify="right")
    replications = summary.groupby("scenario", sort=False)["n"].max()
    for scenario, group in summary.groupby("scenario", sort=False):
        by = group.set_index("measure")
        cells = []
        for measure, _, fmt in _SHOWN:
            if measure not in by.index:
                cells.append("—")
                continue
            row = by.loc[measure]
            text = "—" if row["mean"] != row["mean"] else fmt.format(row["mean"])
            if row["ci_low"] == row["ci_low"] and text != "—":
                text += (
                    " ["
                    + fmt.format(row["ci_low"]).removesuffix(" %")
                    + "–"
                    + fmt.format(row["ci_high"])
                    + "]"
                )
            cells.append(text)
        table.add_row(f"{scenario} (n={replications[scenario]})", *cells)
    return table
