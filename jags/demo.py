"""``jags demo``: a week of the Business Unit's daily routine on the bundled sample.

The sample workspace is copied into the demo's folder (the ledger, ``jags.db``,
lives beside it; the bundled sample is never written to), the ledger is
started, and Monday 16 to Friday 20 November 2026 each run the real commands
in-process, exactly as an administrator types them: the day's batch
(``allocate --commit``), the day's events from a spreadsheet (``record
--file``), the sessions of the requests confirmed that day (``schedule
--commit``, run on the day of the confirmation, so every session window is
still ahead), the outbox (a dry run of ``invite --send``) and the status
workbook (``status --format xlsx``); the week ends with the QA and KPI report.
Every command gets explicit dates, so the demo gives the same files whichever
day it is run.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.panel import Panel

from allocator import InputError
from jags.csv_output import csv_bytes
from jags.files import write_file

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from rich.console import Console

START = date(2026, 11, 16)
"""The ledger starts on Monday 16 November 2026."""
REPORT_FROM = date(2026, 11, 1)
"""The report covers 1 November up to the week's last day."""
BY = "demo"
"""Who the demo records as making each change (``--by``)."""
MARKER = ".jags-demo"
"""A file in the demo's folder saying the demo wrote it (a rerun replaces it)."""
EARLIER_DEMO = frozenset(
    {
        MARKER,
        "workspace",
        "events",
        "report",
        ".report.versions",
        "allocation",
        "schedule",
        ".allocation.versions",
        ".schedule.versions",
    }
)
"""What the demo writes (and what the demo of the release before wrote)."""

Event = tuple[str, str, date, str]
"""request_id, event, on, reason."""


@dataclass(frozen=True)
class Day:
    """One working day of the demo week: its date, what happens, and the events recorded."""

    on: date
    story: str
    events: tuple[Event, ...]


WEEK = (
    Day(
        date(2026, 11, 16),
        "The first batch imports every request received so far; the facilitators are contacted.",
        (
            ("R-0001", "contacted", date(2026, 11, 16), ""),
            ("R-0002", "contacted", date(2026, 11, 16), ""),
            ("R-0003", "contacted", date(2026, 11, 16), ""),
        ),
    ),
    Day(
        date(2026, 11, 17),
        "Two facilitators confirm and their sessions are booked; R-0003's "
        "facilitator declines, so tomorrow's batch allocates it again, first.",
        (
            ("R-0001", "confirmed", date(2026, 11, 17), ""),
            ("R-0002", "confirmed", date(2026, 11, 17), ""),
            ("R-0003", "declined", date(2026, 11, 17), "Not available in the window"),
            ("R-0005", "contacted", date(2026, 11, 17), ""),
            ("R-0006", "contacted", date(2026, 11, 17), ""),
            ("R-0007", "contacted", date(2026, 11, 17), ""),
        ),
    ),
    Day(
        date(2026, 11, 18),
        "R-0003 is reallocated; R-0006 steps down (another route was agreed with the requester).",
        (
            ("R-0004", "contacted", date(2026, 11, 18), ""),
            ("R-0005", "confirmed", date(2026, 11, 18), ""),
            (
                "R-0006",
                "stepped_down",
                date(2026, 11, 18),
                "Team around the family meeting agreed instead",
            ),
            ("R-0008", "contacted", date(2026, 11, 18), ""),
            ("R-0009", "contacted", date(2026, 11, 18), ""),
        ),
    ),
    Day(
        date(2026, 11, 19),
        "More confirmations; their sessions keep clear of every session already booked.",
        (
            ("R-0003", "contacted", date(2026, 11, 19), ""),
            ("R-0004", "confirmed", date(2026, 11, 19), ""),
            ("R-0007", "confirmed", date(2026, 11, 19), ""),
            ("R-0010", "contacted", date(2026, 11, 19), ""),
            ("R-0011", "contacted", date(2026, 11, 19), ""),
        ),
    ),
    Day(
        date(2026, 11, 20),
        "R-0011's requester arranged the meeting herself for this "
        "morning (its facilitator confirmed yesterday): it is recorded as held, with no "
        "booking.",
        (
            ("R-0011", "confirmed", date(2026, 11, 19), ""),
            ("R-0011", "held", date(2026, 11, 20), ""),
            ("R-0003", "confirmed", date(2026, 11, 20), ""),
            ("R-0008", "confirmed", date(2026, 11, 20), ""),
            ("R-0009", "confirmed", date(2026, 11, 20), ""),
            ("R-0012", "contacted", date(2026, 11, 20), ""),
        ),
    ),
)
"""The demo week. Events are those an administrator would type into a spreadsheet,
each with the day it happened (a confirmation may be entered the day after)."""


class DemoFailed(RuntimeError):
    """A command of the demo ended with an error (it has printed its message)."""

    def __init__(self, args: Sequence[str], code: int) -> None:
        super().__init__(f"jags {shlex.join(args)} ended with exit code {code}")
        self.code = code


def run_demo(sample: Path, out_dir: Path, console: Console) -> None:
    """Run the demo week on a copy of ``sample`` in ``out_dir`` (see the module docstring).

    ``out_dir`` must be new, empty, or an earlier run of the demo (which is
    replaced).

    Raises
    ------
    InputError
        When ``out_dir`` holds files the demo did not write.
    DemoFailed
        When a command fails (its message has been printed).
    """
    workspace = _fresh(out_dir, sample)
    report = out_dir / "report"
    console.print(
        Panel.fit(
            "JAGS Planner demo: a week of the Business Unit's daily routine, Monday 16 to Friday "
            "20 November 2026,\non a synthetic Norfolk-like partnership (no real people). "
            f"The sample is copied to {workspace};\nits ledger (jags.db) lives beside it. "
            "Each day: the batch, the day's events, the sessions of the requests\nconfirmed "
            "that day, the outbox and the status workbook. Friday ends with the QA report.",
            title="JAGS Planner",
        )
    )
    ws = str(workspace)
    _jags(console, "init", ws, "--on", START.isoformat(), "--by", BY)
    for day in WEEK:
        on = day.on.isoformat()
        console.rule(f"{day.on:%A %d %B %Y}")
        console.print(day.story, style="italic", highlight=False)
        _jags(console, "allocate", ws, "--on", on, "--commit", "--by", BY)
        events = out_dir / "events" / f"{on}.csv"
        write_file(
            events,
            csv_bytes(
                ("request_id", "event", "on", "facilitator_id", "reason"),
                [(rid, what, when, "", why) for rid, what, when, why in day.events],
            ),
        )
        _jags(console, "record", ws, "--file", str(events), "--by", BY)
        _jags(console, "schedule", ws, "--commit", "--on", on, "--by", BY)
        _jags(console, "invite", ws, "--send", "graph", "--on", on, "--by", BY)
        _jags(console, "status", ws, "--on", on, "--format", "xlsx")
    console.rule("The week in numbers")
    _jags(
        console,
        "report",
        ws,
        "--from",
        REPORT_FROM.isoformat(),
        "--to",
        WEEK[-1].on.isoformat(),
        "--out",
        str(report),
    )
    console.print(
        Panel.fit(
            f"Open {workspace}/status/{WEEK[-1].on.isoformat()}/status.xlsx or "
            f"{report}/report.html, or try\n"
            f"  jags explain {ws} R-0025 --on 2026-11-23   (next Monday's batch, not recorded)\n"
            f"  jags status {ws} --on {WEEK[-1].on.isoformat()}            (every request)\n"
            f"Every batch's files are in {workspace}/batches/<date>/, every schedule's in "
            f"{workspace}/schedules/<date>/.",
            title="Done",
        )
    )


def _fresh(out_dir: Path, sample: Path) -> Path:
    """A fresh copy of the sample in ``out_dir/workspace`` (an earlier demo is replaced)."""
    if out_dir.is_dir() and any(out_dir.iterdir()):
        names = {p.name for p in out_dir.iterdir()}
        if not ((out_dir / MARKER).is_file() or names <= EARLIER_DEMO):
            raise InputError(
                f"{out_dir}: this folder holds files the demo did not write; "
                f"choose a new or empty folder with --out"
            )
        shutil.rmtree(out_dir)
    elif out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    workspace = out_dir / "workspace"
    shutil.copytree(
        sample,
        workspace,
        ignore=shutil.ignore_patterns("jags.db*", "batches", "schedules", "status", ".*"),
    )
    (out_dir / MARKER).write_text(
        "Written by jags demo; the next run replaces this folder.\n", encoding="utf-8"
    )
    return workspace


def _jags(console: Console, *args: str) -> None:
    """Run ``jags ARGS`` in this process, shown as the administrator would type it."""
    import typer

    from jags.cli import app

    console.print(f"$ jags {shlex.join(args)}", style="bold", highlight=False, markup=False)
    command = typer.main.get_command(app)
    code = command.main(args=list(args), prog_name="jags", standalone_mode=False)
    if code:
        raise DemoFailed(args, int(code))
