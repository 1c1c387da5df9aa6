"""What every ``jags`` command shares: the app, the console, the options, and the one place
where user mistakes become a message and exit code 2 (never a traceback)."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from allocator.errors import InputError
from allocator.presets import PRESETS
from jags.bundled import sample_folder
from jags.files import OutputsChangedError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import date

SAMPLE = sample_folder()

# Commands import what they need when they run, so `jags --help` stays instant and
# `jags allocate` never loads calendars, CP-SAT (unless used) or the senders.
app = typer.Typer(
    help="JAGS Planner: allocate independent facilitators to Joint Agency Group "
    "Supervision requests, propose session times and write invitations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# A terminal's own width; 160 columns when output goes to a file or a pipe.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


WorkspaceArg = Annotated[
    Path,
    typer.Argument(
        help="Workspace folder of CSV files, or one .xlsx workbook with a sheet per file."
    ),
]
PolicyOpt = Annotated[
    str, typer.Option("--policy", help=f"Policy preset ({', '.join(PRESETS)}) or a TOML file.")
]
LedgerPolicyOpt = Annotated[
    str | None,
    typer.Option(
        "--policy",
        help=f"Policy preset ({', '.join(PRESETS)}) or a TOML file (default: "
        f"the ledger's, else norfolk).",
    ),
]
OnOpt = Annotated[str, typer.Option("--on", help="Batch date, YYYY-MM-DD or dd/mm/yyyy.")]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Ledger database URL (postgresql://...); default $JAGS_DB, else jags.db in "
        "the workspace folder.",
    ),
]
PartnershipOpt = Annotated[
    str | None,
    typer.Option(
        "--partnership",
        help="Which partnership of a shared ledger (default $JAGS_PARTNERSHIP, else the only one).",
    ),
]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Who is making the change (default: your user name).")
]
FormOpt = Annotated[
    Path | None,
    typer.Option(
        "--form",
        help="The request form's export (Microsoft Forms .xlsx as downloaded, or CSV), "
        "read instead of requests.csv and participants.csv.",
    ),
]
MappingOpt = Annotated[
    str | None,
    typer.Option(
        "--mapping",
        help="With --form: the column mapping, a preset (sample) or a TOML file (default sample).",
    ),
]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Stop (exit 2) on a calendar export that cannot be read or is over the "
        "policy's limits, instead of treating its owner as unknown.",
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace an earlier, different result in the output folder (by default "
        "it is refused; the same result again is fine).",
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Read every calendar export afresh, bypassing the cache in the user's cache folder.",
    ),
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn input errors into a message on stderr and exit code 2."""
    try:
        yield
    except InputError as exc:
        error(str(exc))
        raise typer.Exit(2) from None
    except RuntimeError as exc:
        send = sys.modules.get("jags.send")  # a SendError exists only once sending is loaded
        if send is None or not isinstance(exc, send.SendError):
            raise
        for line in exc.sent:  # sign-in or sending failed: say what went out, no traceback
            out.print(line, highlight=False)
        error(str(exc))
        raise typer.Exit(1) from None
    except OutputsChangedError as exc:  # two commands updated one folder at once
        error(str(exc))
        raise typer.Exit(1) from None
    except OSError as exc:  # e.g. the disk is full, or no permission
        error(f"cannot read or write a file: {exc}")
        raise typer.Exit(1) from None


def error(message: str) -> None:
    """The message on stderr, one problem per line (never re-wrapped, never markup)."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)


def parse_on(text: str, option: str) -> date:
    from jags.cells import parse_date, shown

    try:
        return parse_date(text)
    except ValueError:
        raise InputError(
            f"{option}: {shown(text)} is not a date (use YYYY-MM-DD or dd/mm/yyyy, years 1900–2999)"
        ) from None


def request_id_arg(text: str, option: str) -> str:
    """A request id given on the command line (repeated in a message only when safe)."""
    from jags.cells import is_id, shown

    if not is_id(text):
        raise InputError(f"{option}: {shown(text, id_value=True)} is not a request id")
    return text


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"jags-planner {version('jags-planner')}", highlight=False)
        raise typer.Exit


@app.callback()
def main_options(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log solver progress to stderr.")
    ] = False,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and stop.", is_eager=True, callback=_show_version
        ),
    ] = False,
) -> None:
    """Set up logging."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def files_line(folder: Path, names: Iterable[str]) -> None:
    """``Files: FOLDER (a.csv, b.csv, invites/)``: where a command's files are."""
    shown = dict.fromkeys(n.split("/")[0] + ("/" if "/" in n else "") for n in names)
    out.print(f"Files: {folder} ({', '.join(shown)})", highlight=False, markup=False)
