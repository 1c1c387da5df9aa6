"""Two people at once, and a process killed mid-batch: real ``jags`` processes against one
ledger, on SQLite and on PostgreSQL.

A batch commits in one transaction: after SIGKILL at any point the ledger is as
it was before the batch or as after it, never between; two commits started
together never allocate a request twice, never pass a facilitator's capacity and
never double-book.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
DAY1, DAY2 = "2026-11-16", "2026-11-17"
SURROGATE = ("id", "batch_id", "event_id")


class Site:
    """A workspace and its ledger (SQLite in the folder, or a PostgreSQL database)."""

    def __init__(self, folder: Path, db: str | None) -> None:
        self.folder, self.db = folder, db

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JAGS_")}
        if self.db:
            env["JAGS_DB"] = self.db
        env.update(extra)
        return env

    def start(self, *args: str, **extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "jags.cli", *args],
            cwd=ROOT,
            env=self.env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jags.cli", *args],
            cwd=ROOT,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def ok(self, *args: str, **extra: str) -> str:
        done = self.run(*args, **extra)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def state(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows without surrogate ids, sorted: the ledger's content."""
        out = self.folder.parent / f"export-{time.monotonic_ns()}"
        self.ok("export", str(self.folder), "--out", str(out))
        tables = {}
        for path in sorted(out.glob("*.csv")):
            rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
            tables[path.stem] = sorted(
                tuple(v for k, v in r.items() if k not in SURROGATE) for r in rows
            )
        return tables


@pytest.fixture(params=["sqlite", "postgresql"])
def make_site(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A factory of fresh sites, each started with ``jags init`` on DAY1."""
    count = iter(range(1000))
    server = request.getfixturevalue("pg_server") if request.param == "postgresql" else None

    def make() -> Site:
        n = next(count)
        folder = tmp_path / f"ws{n}"
        shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("calendars"))
        db = None
        if server is not None:
            name = f"jags_conc_{os.getpid()}_{tmp_path.name[-12:]}_{n}".replace("-", "_")
            with psycopg.connect(
                host=server.host,
                port=server.port,
                user=server.user,
                dbname="postgres",
                autocommit=True,
            ) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            db = f"postgresql://{server.user}@{server.host}:{server.port}/{name}"
        site = Site(folder, db)
        site.ok("init", str(folder), "--on", DAY1)
        return site

    return make


def allocations(site: Site) -> list[tuple[str, str, str]]:
    tables = site.state()
    # allocations.csv: partnership, request_id, facilitator_id, role, pinned, allocated_on,
    # status, ended_on (surrogates dropped)
    return [(r[1], r[2], r[6]) for r in tables["allocations"]]


def check_invariants(site: Site) -> None:
    opened = [(rid, fid) for rid, fid, status in allocations(site) if status == "open"]
    per_request = Counter(rid for rid, _ in opened)
    assert max(per_request.values(), default=0) <= 1, "a request allocated twice"
    loads = {
        r["facilitator_id"]: r
        for r in csv.DictReader(
            io.StringIO(site.ok("status", str(site.folder), "--facilitators", "--format", "csv"))
        )
    }
    for fid, row in loads.items():
        if row["max_open"]:
            assert int(row["open_load"]) <= int(row["max_open"]), f"{fid} past capacity"


def test_two_commits_at_the_same_moment(make_site: Any) -> None:
    site = make_site()
    first = site.start(
        "allocate",
        str(site.folder),
        "--on",
        DAY1,
        "--commit",
        "--out",
        str(site.folder.parent / "a1"),
        JAGS_FAULT="before-commit:pause=2",
    )
    time.sleep(1.0)  # the first holds the lock, paused before its commit
    second = site.start(
        "allocate",
        str(site.folder),
        "--on",
        DAY1,
        "--commit",
        "--out",
        str(site.folder.parent / "a2"),
    )
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert out1.startswith("Batch ")
    assert out2.startswith("Nothing new")  # it waited, then saw the first's batch
    check_invariants(site)
    together = [
        site.start(
            "allocate",
            str(site.folder),
            "--on",
            DAY2,
            "--commit",
            "--out",
            str(site.folder.parent / f"b{i}"),
        )
        for i in range(2)
    ]
    results = [p.communicate(timeout=120) for p in together]
    assert [p.returncode for p in together] == [0, 0], results
    assert sorted(out.split(" ")[0] for out, _ in results) == ["Batch", "Nothing"]
    check_invariants(site)


def test_a_second_commit_gives_up_cleanly_when_the_lock_is_held_too_long(make_site: Any) -> None:
    site = make_site()
    first = site.start(
        "allocate", str(site.folder), "--on", DAY1, "--commit", JAGS_FAULT="before-commit:pause=4"
    )
    time.sleep(1.5)
    out_dir = site.folder.parent / "late"
    second = site.run(
        "allocate",
        str(site.folder),
        "--on",
        DAY1,
        "--commit",
        "--out",
        str(out_dir),
        JAGS_LOCK_TIMEOUT="0.5",
    )
    assert first.wait(timeout=120) == 0
    assert second.returncode == 2
    assert "another jags command is changing this ledger" in second.stderr
    assert "Traceback" not in second.stderr
    assert not out_dir.exists()
    check_invariants(site)


@pytest.mark.parametrize("point", ["mid-batch", "before-commit"])
def test_sigkill_inside_the_batch_leaves_the_ledger_as_before(make_site: Any, point: str) -> None:
    site = make_site()
    before = site.state()
    killed = site.run(
        "allocate", str(site.folder), "--on", DAY1, "--commit", JAGS_FAULT=f"{point}:kill"
    )
    assert killed.returncode == -signal.SIGKILL
    assert site.state() == before
    # The next run does the whole batch.
    assert re.match(
        r"Batch \d+ recorded for Mon 16 Nov 2026: 12 new request\(s\) imported, "
        r"12 allocated",
        site.ok("allocate", str(site.folder), "--on", DAY1, "--commit"),
    )
    check_invariants(site)


def test_sigkill_after_the_commit_leaves_the_whole_batch_and_rewrites_its_files(
    make_site: Any,
) -> None:
    site, twin = make_site(), make_site()
    twin.ok("allocate", str(twin.folder), "--on", DAY1, "--commit")
    after = twin.state()
    out_dir = site.folder.parent / "files"
    killed = site.run(
        "allocate",
        str(site.folder),
        "--on",
        DAY1,
        "--commit",
        "--out",
        str(out_dir),
        JAGS_FAULT="after-commit:kill",
    )
    assert killed.returncode == -signal.SIGKILL
    assert not (out_dir / "allocations.csv").exists()  # killed before writing them
    assert _same_batches(site.state(), after)
    rerun = site.ok("allocate", str(site.folder), "--on", DAY1, "--commit", "--out", str(out_dir))
    assert rerun.startswith("Nothing new")
    assert (out_dir / "allocations.csv").read_bytes() == (
        twin.folder / "batches" / DAY1 / "allocations.csv"
    ).read_bytes()


def test_sigkill_at_random_moments_leaves_before_or_after(make_site: Any) -> None:
    twin = make_site()
    before = twin.state()
    started = time.monotonic()
    twin.ok("allocate", str(twin.folder), "--on", DAY1, "--commit")
    took = time.monotonic() - started
    after = twin.state()
    seen = set()
    for step in range(6):
        site = make_site()
        process = site.start("allocate", str(site.folder), "--on", DAY1, "--commit")
        time.sleep(took * (0.35 + 0.13 * step))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        state = site.state()
        if state == before:
            seen.add("before")
        else:
            assert _same_batches(state, after), "the ledger is between before and after"
            seen.add("after")
        check_invariants(site)
    assert seen  # every kill left one of the two


def test_two_schedulers_at_once_never_double_book(make_site: Any) -> None:
    site = make_site()
    site.ok("allocate", str(site.folder), "--on", DAY1, "--commit")
    site.ok("allocate", str(site.folder), "--on", DAY2, "--commit")
    ids = [f"R-{n:04d}" for n in range(1, 16)]
    events = site.folder.parent / "events.csv"
    events.write_text(
        "request_id,event,on\n" + "".join(f"{rid},confirmed,2026-11-18\n" for rid in ids),
        encoding="utf-8",
    )
    site.ok("record", str(site.folder), "--file", str(events))
    runs = [
        site.start(
            "schedule",
            str(site.folder),
            "--commit",
            "--on",
            "2026-11-19",
            "--out",
            str(site.folder.parent / f"s{i}"),
            JAGS_FAULT="before-commit:pause=1" if i == 0 else "",
        )
        for i in range(2)
    ]
    results = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], results
    sessions = site.state()["sessions"]
    # sessions.csv: partnership, request_id, start, end, uid, sequence, status, organizer,
    # attendees, location, confirmed_on
    booked = [s for s in sessions if s[6] == "booked"]
    assert len({s[1] for s in booked}) == len(booked)  # each request once
    import json

    by_person: dict[str, list[tuple[str, str]]] = {}
    per_day: Counter[tuple[str, str]] = Counter()
    for s in booked:
        for person in json.loads(s[8]):
            by_person.setdefault(person["email"], []).append((s[2], s[3]))
            if person["role"] == "CHAIR":
                per_day[person["email"], s[2][:10]] += 1
    for spans in by_person.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert max(per_day.values(), default=0) <= 1  # Norfolk: one session a day


def _same_batches(
    state: dict[str, list[tuple[Any, ...]]], other: dict[str, list[tuple[Any, ...]]]
) -> bool:
    """The same ledger content (batches compared without their recorded file bytes)."""

    def strip(tables: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
        return {name: rows for name, rows in tables.items() if name != "batches"} | {
            "batches": sorted(r[:5] for r in tables["batches"])
        }

    return strip(state) == strip(other)
