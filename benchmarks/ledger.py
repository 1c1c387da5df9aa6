"""Ledger benchmark: a Norfolk year of daily operation through the ledger, SQLite and PostgreSQL.

A generated Norfolk-like workspace (``jags.generate``: 40 facilitators, a
little history, about 250 requests received over a year, one a working day)
is run day by day for 250 working days from Monday 4 January 2027, through
the same library functions the ``jags`` commands call, each command opening
the ledger as the command would:

1. ``jags allocate WS --on DAY --commit``: the day's export of the request
   form (every row received up to that day) is imported and the waiting
   requests allocated against the ledger; the batch's files are written;
2. ``jags record WS --file events.csv``: the day's events for earlier
   requests, drawn from a seeded generator: contacted 1–5 working days after
   allocation, confirmed 0–3 days later, held on the booked session's day
   (else 10–15 working days after confirmation), closed 1–3 days after;
   5 % declined (the request is allocated again), 10 % stepped down, 3 %
   cancelled;
3. ``jags schedule WS --commit --on DAY``: sessions for the requests
   confirmed that day, clear of every session already booked. The workspace
   has **no calendars**, so every attendee is unknown and this measures the
   ledger and the proposals, not the reading of calendar exports (that is
   ``benchmarks.scheduling``);
4. ``jags status WS --on DAY --format csv``: every request's row.

The same year runs on SQLite (a ``jags.db`` in a temporary folder) and on
PostgreSQL (a server started as the tests start it: pytest-postgresql's
``PostgreSQLExecutor`` through ``tests/pg_ctl_unprivileged``, which runs it as
the ``postgres`` account when this is root; default settings, so commits
are durable as in production). Without PostgreSQL installed that half is
skipped with a line saying so. Times are wall-clock seconds of each command
in this process (the PostgreSQL server's own work included); CPU seconds of
this process are given beside them. Before each day the objects this process
keeps from earlier days are frozen out of the garbage collector's sight
(``gc.freeze``): a command run as its own process starts without them. Last,
each ``jags`` command is run once as a whole process on the SQLite ledger
after the year (start-up included).

``python -m benchmarks.ledger [--days N]``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from allocator import Policy, Workspace
from allocator.workdays import WorkingCalendar
from benchmarks.measure import with_bytecode
from jags import daily, daily_status, locate
from jags.csv_output import csv_bytes
from jags.files import write_outputs
from jags.generate import generate_workspace
from jags.generate_tables import workspace_files
from jags.ledger import EventKind, RecordItem
from jags.sessions import run_ledger_schedule

if TYPE_CHECKING:
    from collections.abc import Iterator

START = date(2027, 1, 4)
DAYS = 250
REQUESTS = 250
FACILITATORS = 40
BY = "benchmark"
TARGET_S = 0.5
COMMANDS = ("allocate", "record", "schedule", "status")
ROOT = Path(__file__).resolve().parent.parent
PG_CTL = ROOT / "tests" / "pg_ctl_unprivileged"
JAGS = Path(sys.executable).parent / "jags"


def year_workspace(seed: int = 2027) -> Workspace:
    """Facilitators, a little history, and a year of requests (about one a working day)."""
    return generate_workspace(
        REQUESTS, FACILITATORS, seed=seed, start=START, days=365, history_per_request=0.3, load=0.3
    )


def export_until(files: Workspace, day: date, calendar: WorkingCalendar) -> dict[str, bytes]:
    """``requests.csv`` and ``participants.csv`` as the form's export on ``day``."""
    received = tuple(r for r in files.requests if calendar.local(r.received_at).date() <= day)
    ids = {r.request_id for r in received}
    tables = workspace_files(
        files.replace(
            requests=received,
            participants=tuple(p for p in files.participants if p.request_id in ids),
        )
    )
    return {name: tables[name] for name in ("requests.csv", "participants.csv")}


@dataclass
class Journeys:
    """What happens to each allocated request, day by day (seeded, so runs compare)."""

    calendar: WorkingCalendar
    seed: int
    due: dict[date, list[tuple[str, EventKind]]] = field(default_factory=dict)
    later: dict[str, list[tuple[EventKind, int]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def allocated(self, rid: str, day: date) -> None:
        rng = random.Random(f"{self.seed}:{rid}:{self.counts['allocated:' + rid]}")
        self.counts["allocated:" + rid] += 1
        roll = rng.random()
        contact = (EventKind.CONTACTED, rng.randint(1, 5))
        if roll < 0.05:
            steps = [(EventKind.DECLINED, rng.randint(1, 3))]
        elif roll < 0.15:
            steps = [contact, (EventKind.STEPPED_DOWN, rng.randint(1, 4))]
        elif roll < 0.18:
            steps = [contact, (EventKind.CANCELLED, rng.randint(2, 8))]
        else:
            steps = [
                contact,
                (EventKind.CONFIRMED, rng.randint(0, 3)),
                (EventKind.HELD, rng.randint(10, 15)),
                (EventKind.CLOSED, rng.randint(1, 3)),
            ]
        self.later[rid] = steps
        self._next(rid, day)

    def booked(self, rid: str, on: date) -> None:
        """The session is booked for ``on``: it is held that day (instead of the day drawn)."""
        moved = False
        for items in self.due.values():
            kept = [(r, k) for r, k in items if not (r == rid and k is EventKind.HELD)]
            moved = moved or len(kept) < len(items)
            items[:] = kept
        if moved:
            self._at(on, rid, EventKind.HELD)

    def events(self, day: date) -> list[RecordItem]:
        """The day's events (``jags record --file``), scheduling what follows each."""
        items = []
        for rid, kind in self.due.pop(day, []):
            items.append(RecordItem(rid, kind, day))
            self.counts[kind.value] += 1
            if kind is not EventKind.DECLINED:
                self._next(rid, day)
        return items

    def _next(self, rid: str, day: date) -> None:
        steps = self.later.get(rid)
        if steps:
            kind, gap = steps.pop(0)
            self._at(self.calendar.add_working_days(day, gap), rid, kind)

    def _at(self, day: date, rid: str, kind: EventKind) -> None:
        self.due.setdefault(day, []).append((rid, kind))


@dataclass
class Year:
    """Seconds per command per day (wall and CPU of this process)."""

    backend: str
    wall: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    init_s: float = 0.0
    requests: int = 0
    events: dict[str, int] = field(default_factory=dict)
    booked: int = 0

    @property
    def per_day(self) -> list[float]:
        return [sum(day) for day in zip(*(self.wall[c] for c in COMMANDS), strict=True)]

    @property
    def cpu_per_day(self) -> list[float]:
        return [sum(day) for day in zip(*(self.cpu[c] for c in COMMANDS), strict=True)]


@contextlib.contextmanager
def timed(year: Year, command: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    year.wall[command].append(time.perf_counter() - wall)
    year.cpu[command].append(time.process_time() - cpu)


def run_year(
    folder: Path, db: str | None, backend: str, days: int = DAYS, seed: int = 2027
) -> Year:
    """The year through the ledger in ``folder`` (``db``: a PostgreSQL URL, else SQLite)."""
    policy = Policy.preset("norfolk")
    calendar = WorkingCalendar.for_policy(policy)
    files = year_workspace(seed)
    workspace = folder / "ws"
    workspace.mkdir()
    for name, content in workspace_files(files).items():
        (workspace / name).write_bytes(content)
    where = locate.Where(workspace, db)
    year = Year(backend)
    journeys = Journeys(calendar, seed)
    working = list(calendar.working_days(START, START + timedelta(days=400)))[:days]
    for name, content in export_until(files, working[0] - timedelta(days=1), calendar).items():
        (workspace / name).write_bytes(content)
    began = time.perf_counter()
    ledger, _ = daily.init_ledger(where, policy, working[0], BY)  # jags init
    ledger.close()
    year.init_s = time.perf_counter() - began
    for day in working:
        for name, content in export_until(files, day, calendar).items():
            (workspace / name).write_bytes(content)
        # What this process holds from earlier days is set aside from the collector, as a
        # command run as its own process would have none of it.
        gc.collect()
        gc.freeze()
        with timed(year, "allocate"):
            run = daily.run_daily(where, day, BY, commit=True)
            write_outputs(locate.default_out(where, "batches", day), run.files)
        result = run.outcome.result
        if run.outcome.committed:
            for r in sorted(result.chosen):
                journeys.allocated(result.instance.requests[r].request_id, day)
        items = journeys.events(day)
        with timed(year, "record"):
            if items:
                ledger = daily.open_ledger(where)
                try:
                    ledger.record(items, BY)
                finally:
                    ledger.close()
        with timed(year, "schedule"):
            booked = run_ledger_schedule(where, day, BY, commit=True)
            if booked.files:
                write_outputs(locate.default_out(where, "schedules", day), booked.files)
        if booked.result is not None:
            zone = calendar.zone
            for rid in booked.booked:
                start = booked.result.proposals[rid].options[0].start
                journeys.booked(rid, start.astimezone(zone).date())
            year.booked += len(booked.booked)
        with timed(year, "status"):
            ledger = daily.open_ledger(where)
            try:
                header, rows = daily_status.status_files(
                    ledger, day, request_id=None, facilitators=False
                )
                csv_bytes(header, rows)
            finally:
                ledger.close()
        year.requests = len(rows)
    year.events = {k: v for k, v in journeys.counts.items() if ":" not in k}
    gc.unfreeze()
    return year


# PostgreSQL -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def postgresql(folder: Path) -> Iterator[str | None]:
    """A PostgreSQL server for the benchmark, as the tests start one; yields a database URL
    (``None`` when PostgreSQL is not installed or will not start: the reason is printed)."""
    try:
        import psycopg
        from pytest_postgresql.executors import PostgreSQLExecutor
    except ImportError as exc:
        print(f"PostgreSQL: skipped ({exc.name} is not installed)", flush=True)
        yield None
        return
    if not any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")) and not os.environ.get(
        "JAGS_PG_CTL"
    ):
        print(
            "PostgreSQL: skipped (Debian's postgresql package is not installed; "
            "make test installs it)",
            flush=True,
        )
        yield None
        return
    home = folder / "pg"
    home.mkdir()
    server = PostgreSQLExecutor(
        executable=str(PG_CTL),
        host="127.0.0.1",
        port=_free_port(),
        user="postgres",
        datadir=str(home / "data"),
        unixsocketdir=str(home),
        logfile=str(home / "pg.log"),
        startparams="-w",
        dbname="postgres",
    )
    try:
        server.start()
        server.wait_for_postgres()
    except Exception as exc:  # pg_ctl failed or the server did not come up
        print(
            f"PostgreSQL: skipped (the server did not start: {exc.__class__.__name__})", flush=True
        )
        with contextlib.suppress(Exception):
            server.stop()
        yield None
        return
    try:
        with psycopg.connect(
            host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute('CREATE DATABASE "jags_bench"')
        yield f"postgresql://{server.user}@{server.host}:{server.port}/jags_bench"
    finally:
        server.stop()


# Whole processes -------------------------------------------------------------------------


def commands_once(folder: Path, year: Year, after: date) -> list[tuple[str, float, float]]:
    """Each ``jags`` command once as a whole process on the year's SQLite ledger."""
    from benchmarks.scheduling import measured

    workspace = folder / "ws"
    day = after
    ledger = daily.open_ledger(locate.Where(workspace))
    try:
        waiting = [r.request_id for r in ledger.request_status(day) if r.state == "allocated"]
    finally:
        ledger.close()
    events = workspace.parent / "events.csv"
    events.write_text(
        "request_id,event,on\n"
        + "".join(f"{rid},contacted,{day.isoformat()}\n" for rid in waiting[:3]),
        encoding="utf-8",
    )
    runs = [
        ("jags --help", [str(JAGS), "--help"]),
        (
            "jags allocate --commit",
            [str(JAGS), "allocate", str(workspace), "--on", day.isoformat(), "--commit"],
        ),
        (
            "jags record --file",
            [str(JAGS), "record", str(workspace), "--file", str(events), "--by", BY],
        ),
        (
            "jags schedule --commit",
            [str(JAGS), "schedule", str(workspace), "--commit", "--on", day.isoformat()],
        ),
        (
            "jags status --format csv",
            [str(JAGS), "status", str(workspace), "--on", day.isoformat(), "--format", "csv"],
        ),
    ]
    found = []
    for label, command in runs:
        run = measured(command)
        found.append((label, run.wall, run.cpu))
    return found


# Report ----------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def report(years: list[Year], once: list[tuple[str, float, float]]) -> str:
    days = len(years[0].per_day)
    lines = [
        f"Ledger: a Norfolk year of daily operation ({days} working days from "
        f"{START.isoformat()}, {FACILITATORS} facilitators, no calendars): each day "
        "allocate --commit, record, schedule --commit, status; seconds per day"
    ]
    for year in years:
        per_day, cpu = year.per_day, year.cpu_per_day
        verdict = ""
        if year.backend == "SQLite":
            verdict = (
                f" (target < {TARGET_S} s a day: "
                f"{'met' if _p95(per_day) < TARGET_S else 'MISSED'} at the 95th "
                f"percentile)"
            )
        lines.append(
            f"  {year.backend}: median {statistics.median(per_day):.3f} s, p95 "
            f"{_p95(per_day):.3f} s, max {max(per_day):.3f} s a day{verdict}; CPU median "
            f"{statistics.median(cpu):.3f} s; year {sum(per_day):.1f} s; init "
            f"{year.init_s:.2f} s; {year.requests} requests, {year.booked} sessions booked, "
            "events " + ", ".join(f"{k} {v}" for k, v in sorted(year.events.items()))
        )
        lines.append(
            f"    median day of the first 20: {statistics.median(per_day[:20]):.3f} s, "
            f"of the last 20: {statistics.median(per_day[-20:]):.3f} s (the ledger "
            "grows: intake, history and status read every request each day)"
        )
        total = sum(per_day)
        for command in COMMANDS:
            wall = year.wall[command]
            lines.append(
                f"    {command:<9} median {statistics.median(wall):.3f} s, p95 "
                f"{_p95(wall):.3f} s, {100 * sum(wall) / total:4.1f} % of the year; "
                f"CPU median {statistics.median(year.cpu[command]):.3f} s"
            )
    if len(years) == 2:
        a, b = years
        lines.append(
            f"  {b.backend} ÷ {a.backend} (median day): "
            f"{statistics.median(b.per_day) / statistics.median(a.per_day):.2f}×"
        )
    if once:
        lines.append(
            "  Whole processes on the SQLite ledger after the year (start-up "
            "included): "
            + "; ".join(f"{label} {wall:.2f} s (CPU {cpu:.2f} s)" for label, wall, cpu in once)
        )
    return "\n".join(lines)


def main(days: int = DAYS) -> list[Year]:
    with_bytecode()
    years: list[Year] = []
    once: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sqlite"
        folder.mkdir()
        years.append(run_year(folder, None, "SQLite", days))
        working = list(WorkingCalendar().working_days(START, START + timedelta(days=400)))
        once = commands_once(folder, years[0], working[days])
    with tempfile.TemporaryDirectory() as tmp, postgresql(Path(tmp)) as url:
        if url is not None:
            folder = Path(tmp) / "postgresql"
            folder.mkdir()
            years.append(run_year(folder, url, "PostgreSQL", days))
    print(report(years, once), flush=True)
    return years


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(int(arguments[arguments.index("--days") + 1]) if "--days" in arguments else DAYS)
