"""Build a year of synthetic JAGS activity through the real ledger, write its report, and
screenshot the page for the README (docs/report.png).

    .venv/bin/python scripts/report_example.py [FOLDER]

Everything is invented (jags.generate: no real people). Requests arrive over twelve
months; a batch runs on Mondays, Wednesdays and Fridays; facilitators contact, confirm, hold, step
down or decline on random working days drawn from a seeded generator; participants answer
the feedback form after each session. Needs Debian's chromium (scripts/system-packages).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from allocator import AllocationResult, DayState, Policy, Workspace, allocate
from allocator.workdays import WorkingCalendar
from jags.feedback import SAMPLE_ROLES, SAMPLE_THEMES
from jags.generate import generate_workspace, write_workspace
from jags.ledger import EventKind, Ledger, RecordItem
from jags.ledger.feedback import Response, import_feedback

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2025, 12, 1), date(2026, 11, 30)
BY = "example"
BATCH_DAYS = (0, 2, 4)
"""The Business Unit runs the batch on Mondays, Wednesdays and Fridays."""


def plan(rng: random.Random) -> list[tuple[EventKind, int]]:
    """What happens after an allocation: (event, working days after the previous one)."""
    roll = rng.random()
    if roll < 0.08:
        return [(EventKind.DECLINED, rng.randint(1, 3))]
    contact = (EventKind.CONTACTED, rng.choice((1, 2, 3, 4, 5, 5, 6, 8)))
    if roll < 0.18:
        return [contact, (EventKind.STEPPED_DOWN, rng.randint(1, 4))]
    if roll < 0.23:
        return [contact, (EventKind.CANCELLED, rng.randint(2, 8))]
    return [
        contact,
        (EventKind.CONFIRMED, rng.randint(0, 3)),
        (EventKind.HELD, rng.choice((9, 11, 12, 13, 14, 15, 15, 16, 18))),
    ]


def build(folder: Path, seed: int = 7) -> Path:
    """The workspace and its ledger in ``folder``."""
    rng = random.Random(seed)
    policy = Policy.preset("norfolk")
    files = generate_workspace(
        170,
        14,
        seed=seed,
        start=START,
        days=(END - START).days - 20,
        history_per_request=0.0,
        load=0.0,
    )
    write_workspace(files, folder)
    calendar = WorkingCalendar(policy.closure_days)
    ledger, _ = Ledger.init(folder, files, policy, on=START, by=BY)
    due: dict[date, list[tuple[str, EventKind]]] = {}
    steps: dict[str, list[tuple[EventKind, int]]] = {}
    responses: list[Response] = []
    try:
        for day in calendar.working_days(START, END):
            if day.weekday() in BATCH_DAYS:

                def run(ws: Workspace, state: DayState, day: date = day) -> AllocationResult:
                    return allocate(ws, policy, on=day, state=state)

                outcome = ledger.allocate_day(
                    files, day, BY, commit=True, run=run, render=lambda result: {}
                )
                for r in outcome.result.chosen:
                    rid = outcome.result.instance.requests[r].request_id
                    steps[rid] = plan(rng)
                    _schedule(due, steps, rid, day, calendar)
            items = []
            for rid, kind in due.pop(day, []):
                items.append(RecordItem(rid, kind, day))
                if kind is EventKind.HELD:
                    themes = rng.sample(SAMPLE_THEMES, rng.randint(3, 5))
                    for role in SAMPLE_ROLES[: rng.randint(2, 3)]:
                        before = rng.randint(1, 4)
                        after = min(5, before + rng.choice((0, 1, 1, 2, 2, 3)))
                        responses.append(
                            Response(
                                f"example:{len(responses) + 1}",
                                rid,
                                role,
                                tuple(themes),
                                before,
                                after,
                                day,
                            )
                        )
                elif kind is not EventKind.DECLINED:
                    _schedule(due, steps, rid, day, calendar)
            if items:
                ledger.record(items, BY)
        import_feedback(ledger, responses, END, BY)
    finally:
        ledger.close()
    return folder


def _schedule(
    due: dict[date, list[tuple[str, EventKind]]],
    steps: dict[str, list[tuple[EventKind, int]]],
    rid: str,
    day: date,
    calendar: WorkingCalendar,
) -> None:
    if steps.get(rid):
        kind, gap = steps[rid].pop(0)
        due.setdefault(
            calendar.add_working_days(day + timedelta(days=1), max(gap - 1, 0)), []
        ).append((rid, kind))


def screenshot(page: Path, png: Path) -> None:
    """A full-page PNG of ``page`` in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    if os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.goto(page.as_uri())
            tab.screenshot(path=str(png), full_page=True)
        finally:
            browser.close()


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "report-example"
    if (folder / "jags.db").exists():
        raise SystemExit(f"{folder} already holds a ledger: give an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    build(folder)
    out = folder / "report"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jags.cli",
            "report",
            str(folder),
            "--from",
            START.isoformat(),
            "--to",
            END.isoformat(),
            "--out",
            str(out),
        ],
        check=True,
    )
    png = ROOT / "docs" / "report.png"
    png.parent.mkdir(exist_ok=True)
    screenshot(out / "report.html", png)
    print(f"Wrote {out / 'report.html'} and {png}")


if __name__ == "__main__":
    main()
