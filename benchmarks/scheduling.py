"""Scheduling benchmark: whole `jags schedule` processes, before and after, side by side.

Each configuration is a generated workspace: ``sessions`` allocated requests
of ``attendees`` people each (one facilitator, shared by about three
sessions; a requester; participants, the last two optional), and for every
person an Outlook-style export with a year of weekly and fortnightly series
(with EXDATEs) and ad-hoc meetings. Measured, in the same run and on the
same files, as whole processes (start-up, reading, proposing, writing):

- the previous release's ``jags schedule`` (``benchmarks.release``);
- this version's, first run (empty reading cache) and second run (the
  cache filled by the first);

and whether the two versions' ``proposals.csv`` are byte-identical. One
more row gives one person an export of 50,000 one-off meetings spread over
ten years.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks.measure import with_bytecode
from benchmarks.release import PREVIOUS_RELEASE, release

EAGER_IMPORTS = "577e4cc"
"""The last commit whose ``jags schedule`` loaded the ledger's modules and the HTTP client
whether it used them or not (for the start-up comparison)."""
CONFIRMED_ON = date(2026, 11, 30)
YEAR_START = date(2026, 9, 7)
CONFIGS = ((10, 10), (50, 10), (50, 20))
BIG_EXPORT = 50_000
JAGS = Path(sys.executable).parent / "jags"
HEADER = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Benchmark//JAGS//EN"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _event(lines: list[str], uid: str, start: datetime, minutes: int, extra: list[str]) -> None:
    lines.extend(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260901T000000Z",
            f"DTSTART;TZID=Europe/London:{_stamp(start)}",
            f"DTEND;TZID=Europe/London:{_stamp(start + timedelta(minutes=minutes))}",
            "SUMMARY:Meeting",
            *extra,
            "END:VEVENT",
        ]
    )


def _at(day: date, hours: int, minutes: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hours, minutes=minutes)


def calendar_text(email: str, rng: random.Random) -> str:
    """A year of one person's meetings as an Outlook-style export."""
    lines = list(HEADER)
    n = 0
    for _ in range(rng.randint(3, 6)):  # weekly series for a year, with two exceptions
        n += 1
        start = _at(
            YEAR_START + timedelta(days=rng.randrange(5)), rng.randint(9, 15), rng.choice((0, 30))
        )
        skipped = [start + timedelta(weeks=rng.randint(1, 50)) for _ in range(2)]
        _event(
            lines,
            f"{email}-{n}",
            start,
            rng.choice((30, 60, 90)),
            [
                "RRULE:FREQ=WEEKLY;COUNT=52",
                *(f"EXDATE;TZID=Europe/London:{_stamp(s)}" for s in skipped),
            ],
        )
    for _ in range(rng.randint(1, 3)):  # fortnightly
        n += 1
        start = _at(YEAR_START + timedelta(days=rng.randrange(10)), rng.randint(9, 15))
        _event(lines, f"{email}-{n}", start, 60, ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=26"])
    for _ in range(rng.randint(60, 120)):  # ad-hoc over the year
        day = YEAR_START + timedelta(days=rng.randrange(365))
        if day.weekday() < 5:
            n += 1
            start = _at(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
            _event(
                lines,
                f"{email}-{n}",
                start,
                rng.choice((30, 45, 60, 120)),
                ["STATUS:TENTATIVE"] if rng.random() < 0.15 else [],
            )
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"


def big_calendar_text(email: str, events: int, rng: random.Random) -> str:
    """``events`` one-off meetings spread over ten years around the benchmark's window."""
    lines = list(HEADER)
    first = date(2021, 12, 1)
    for n in range(events):
        day = first + timedelta(days=rng.randrange(3650))
        _event(lines, f"{email}-big-{n}", _at(day, rng.randint(8, 17), rng.choice((0, 30))), 30, [])
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"


def _csv(path: Path, header: str, rows: list[str]) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def write_workspace(
    folder: Path, n_sessions: int, n_attendees: int, *, big: int = 0, seed: int = 7
) -> None:
    """A workspace with allocations and calendars for the configuration."""
    rng = random.Random(seed)
    n_facilitators = max(1, n_sessions * 2 // 3)
    facilitators = [f"F{i:03}" for i in range(n_facilitators)]
    _csv(
        folder / "facilitators.csv",
        "facilitator_id,name,email,organisation,sector,trained_on,max_open",
        [
            f"{f},Facilitator {f},{f.lower()}@bench.example,Org {f},Health,2026-01-01,5"
            for f in facilitators
        ],
    )
    requests, participants, allocations = [], [], []
    emails = {f"{f.lower()}@bench.example" for f in facilitators}
    for s in range(n_sessions):
        rid = f"R-{s:04}"
        requester = f"p{s}-0@bench.example"
        requests.append(f"{rid},2026-11-02T10:00,Person {s}-0,{requester},Agency {s},CASE-{s}")
        for k in range(1, n_attendees - 1):
            attendance = "required" if k < n_attendees - 2 else "optional"
            participants.append(
                f"{rid},Person {s}-{k},p{s}-{k}@bench.example,Agency {s}-{k},{attendance}"
            )
            emails.add(f"p{s}-{k}@bench.example")
        emails.add(requester)
        allocations.append(f"{rid},{rng.choice(facilitators)},,allocated,2026-11-04,")
    _csv(
        folder / "requests.csv",
        "request_id,received_at,requester_name,requester_email,requester_organisation,case_ref",
        requests,
    )
    _csv(folder / "participants.csv", "request_id,name,email,organisation,attendance", participants)
    _csv(
        folder / "allocations.csv",
        "request_id,facilitator_id,role,status,allocate_by,reason",
        allocations,
    )
    calendars = folder / "calendars"
    calendars.mkdir()
    for email in sorted(emails):
        text = calendar_text(email, rng)
        if big and email == "p0-0@bench.example":
            text = big_calendar_text(email, big, rng)
        (calendars / f"{email}.ics").write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Run:
    """One measured process: wall and CPU seconds (its workers included), peak memory."""

    wall: float
    cpu: float
    peak_mib: float
    stderr: str


def measured(command: list[str]) -> Run:
    """Run ``command`` and measure it alone, its worker processes included (through
    :func:`benchmarks.measure.usage`, in a small process of its own)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", "--usage", "--", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)
    if found["returncode"] != 0:
        raise RuntimeError(f"{command[0]} failed: {found['stderr'][-2000:]}")
    return Run(found["seconds"], found["cpu"], found["peak_mib"], found["stderr"])


_READ = re.compile(r"read (\d+) calendar exports in ([\d.]+) s \((\d+) parsed, (\d+) from")


@dataclass
class Row:
    label: str
    people: int
    before: Run
    first: Run
    second: Run
    identical: bool

    def read_seconds(self, run: Run) -> float:
        """The reading time this version logs with ``-v``: the session windows, and then
        the days after them for the sessions that fit nothing (``nan`` when absent)."""
        found = _READ.findall(run.stderr)
        return sum(float(f[1]) for f in found) if found else float("nan")

    def read_past_windows(self, run: Run) -> int:
        """Exports read again past the windows (for the sessions that fit nothing)."""
        found = _READ.findall(run.stderr)
        return sum(int(f[0]) for f in found[1:])


def run_config(
    label: str, n_sessions: int, n_attendees: int, old_jags: Path, *, big: int = 0
) -> Row:
    """Both versions on one generated workspace, in this run."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "ws"
        folder.mkdir()
        write_workspace(folder, n_sessions, n_attendees, big=big)
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")  # an empty cache of its own

        def schedule(jags: Path, out: str, *flags: str) -> Run:
            return measured(
                [
                    str(jags),
                    *flags,
                    "schedule",
                    str(folder),
                    "--allocations",
                    str(folder / "allocations.csv"),
                    "--confirmed-on",
                    CONFIRMED_ON.isoformat(),
                    "--out",
                    str(root / out),
                ]
            )

        before = schedule(old_jags, "before")
        first = schedule(JAGS, "first", "-v")
        second = schedule(JAGS, "second", "-v")
        proposals = [
            (root / name / "proposals.csv").read_bytes() for name in ("before", "first", "second")
        ]
        people = len(list((folder / "calendars").glob("*.ics")))
        return Row(
            label, people, before, first, second, proposals[0] == proposals[1] == proposals[2]
        )


def report(rows: list[Row]) -> str:
    lines = [
        f"Scheduling: whole `jags schedule` processes, release {PREVIOUS_RELEASE} (before) "
        "and this version (after), same files, same run; CPU = user + system seconds of "
        "the process and its workers; 2nd = a second run over unchanged exports (cache)",
        f"{'workspace':>22} {'people':>6} {'before s':>8} {'CPU s':>6} {'MiB':>5} "
        f"{'after s':>7} {'CPU s':>6} {'MiB':>5} {'wall ratio':>10} {'CPU ratio':>9} "
        f"{'read s':>6} {'read again':>10} {'2nd s':>6} {'2nd read s':>10} {'same':>5}",
    ]
    for r in rows:
        lines.append(
            f"{r.label:>22} {r.people:>6} {r.before.wall:8.2f} {r.before.cpu:6.2f} "
            f"{r.before.peak_mib:5.0f} {r.first.wall:7.2f} {r.first.cpu:6.2f} "
            f"{r.first.peak_mib:5.0f} {r.before.wall / r.first.wall:9.1f}× "
            f"{r.before.cpu / r.first.cpu:8.1f}× {r.read_seconds(r.first):6.2f} "
            f"{r.read_past_windows(r.first):10d} "
            f"{r.second.wall:6.2f} {r.read_seconds(r.second):10.2f} "
            f"{'yes' if r.identical else 'NO':>5}"
        )
    lines.append(
        "(read again: exports read a second time, past the session windows, for the "
        "sessions that fit nothing in their window)"
    )
    return "\n".join(lines)


def startup_seconds(jags: Path, repeats: int = 3) -> float:
    """Best of ``repeats`` whole ``jags schedule`` processes on a one-session workspace
    (three attendees): start-up and imports, with almost nothing to read or propose."""
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        write_workspace(folder, 1, 3)
        for n in range(repeats):
            os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / f"cache{n}")  # nothing cached
            run = measured(
                [
                    str(jags),
                    "schedule",
                    str(folder),
                    "--allocations",
                    str(folder / "allocations.csv"),
                    "--confirmed-on",
                    CONFIRMED_ON.isoformat(),
                    "--out",
                    str(Path(tmp) / f"out{n}"),
                ]
            )
            best = min(best, run.wall)
    return best


def main() -> list[Row]:
    with_bytecode()
    old = release(PREVIOUS_RELEASE)
    rows = [run_config(f"{s} sessions × {a}", s, a, old.jags) for s, a in CONFIGS]
    rows.append(run_config(f"10 × 10, {BIG_EXPORT:,}-event", 10, 10, old.jags, big=BIG_EXPORT))
    before, after = startup_seconds(old.jags), startup_seconds(JAGS)
    eager = startup_seconds(release(EAGER_IMPORTS).jags)
    print(report(rows))
    print(
        f"Start-up: jags schedule on a one-session workspace (best of 3 processes): before "
        f"{before:.2f} s, after {after:.2f} s ({before / after:.1f}×); {eager:.2f} s at "
        f"{EAGER_IMPORTS}, before the ledger's modules and the HTTP client loaded only "
        f"when used",
        flush=True,
    )
    return rows


if __name__ == "__main__":
    main()
