"""Scheduling benchmark: read a year of recurring meetings per attendee, then propose.

Each configuration runs in its own process (peak memory is that process's
own): ``sessions`` sessions of ``attendees`` people each; a third of the
facilitators are shared between sessions; every attendee has an Outlook-
style export with a year of weekly and fortnightly series (with EXDATEs)
plus ad-hoc meetings. Reported: seconds to parse and expand the calendars
for the fetch range, seconds to propose (CP-SAT batch), peak memory.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

from allocator import Policy, WorkingCalendar
from jags.schedule import fetch_range, gather
from scheduling.proposals import Attendee, SessionRequest, propose
from scheduling.sources import IcsSource

CONFIRMED_ON = date(2026, 11, 30)
YEAR_START = date(2026, 9, 7)
CONFIGS = ((50, 10), (10, 10), (25, 10), (50, 5), (50, 20))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def calendar_text(email: str, rng: random.Random) -> str:
    """A year of one person's meetings as an Outlook-style export."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Benchmark//JAGS//EN"]
    n = 0

    def event(start: datetime, minutes: int, extra: list[str]) -> None:
        nonlocal n
        n += 1
        lines.extend(["BEGIN:VEVENT", f"UID:{email}-{n}", "DTSTAMP:20260901T000000Z",
                      f"DTSTART;TZID=Europe/London:{_stamp(start)}",
                      f"DTEND;TZID=Europe/London:{_stamp(start + timedelta(minutes=minutes))}",
                      "SUMMARY:Meeting", *extra, "END:VEVENT"])

    for _ in range(rng.randint(3, 6)):  # weekly series for a year, with two exceptions
        day = YEAR_START + timedelta(days=rng.randrange(5))
        start = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=rng.randint(9, 15), minutes=rng.choice((0, 30)))
        skipped = [start + timedelta(weeks=rng.randint(1, 50)) for _ in range(2)]
        event(start, rng.choice((30, 60, 90)),
              ["RRULE:FREQ=WEEKLY;COUNT=52",
               *(f"EXDATE;TZID=Europe/London:{_stamp(s)}" for s in skipped)])
    for _ in range(rng.randint(1, 3)):  # fortnightly
        day = YEAR_START + timedelta(days=rng.randrange(10))
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.randint(9, 15))
        event(start, 60, ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=26"])
    for _ in range(rng.randint(60, 120)):  # ad-hoc over the year
        day = YEAR_START + timedelta(days=rng.randrange(365))
        if day.weekday() < 5:
            start = datetime.combine(day, datetime.min.time()) + timedelta(
                hours=rng.randint(9, 16), minutes=rng.choice((0, 15, 30, 45)))
            event(start, rng.choice((30, 45, 60, 120)),
                  ["STATUS:TENTATIVE"] if rng.random() < 0.15 else [])
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def one(n_sessions: int, n_attendees: int, seed: int = 7) -> dict[str, float]:
    """Measure one configuration in this process."""
    rng = random.Random(seed)
    facilitators = [f"fac{i}@bench.example" for i in range(max(1, n_sessions * 2 // 3))]
    sessions = []
    for s in range(n_sessions):
        people = [Attendee(rng.choice(facilitators), "Facilitator", facilitator=True)]
        people += [Attendee(f"p{s}-{k}@bench.example", f"Person {s}-{k}",
                            required=k < n_attendees - 2)
                   for k in range(n_attendees - 1)]
        sessions.append(SessionRequest(f"R-{s:04}", CONFIRMED_ON, tuple(people)))
    emails = sorted({a.email for s in sessions for a in s.attendees})
    texts = {e: calendar_text(e, rng) for e in emails}
    policy = Policy.preset("norfolk")
    calendar = WorkingCalendar()

    start = time.perf_counter()
    availability = gather([IcsSource(texts)], emails, *fetch_range(sessions, policy, calendar))
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    result = propose(sessions, availability, policy, calendar)
    propose_s = time.perf_counter() - start
    assert result.check() == []
    return {"sessions": n_sessions, "attendees": n_attendees, "people": len(emails),
            "read_s": read_s, "propose_s": propose_s, "status": str(result.status),
            "placed": sum(1 for p in result.proposals.values() if p.scheduled),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> list[dict[str, float]]:
    rows = []
    for n_sessions, n_attendees in CONFIGS:
        done = subprocess.run([sys.executable, "-m", "benchmarks.scheduling", "--one",
                               str(n_sessions), str(n_attendees)],
                              capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("Scheduling: calendars with a year of recurring meetings per attendee")
    print(f"{'sessions':>8} {'attendees':>9} {'people':>6} {'read s':>7} {'propose s':>9} "
          f"{'placed':>6} {'status':>9} {'peak MiB':>8}")
    for r in rows:
        print(f"{r['sessions']:>8} {r['attendees']:>9} {r['people']:>6} {r['read_s']:7.2f} "
              f"{r['propose_s']:9.2f} {r['placed']:>6} {r['status']:>9} {r['peak_mib']:8.0f}")
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        main()
