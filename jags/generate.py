"""Synthetic JAGS workspaces for tests, benchmarks and the demo.

Everything here is invented: people are drawn from a fixed list of common
UK first and last names, e-mail addresses use the reserved ``.example``
top-level domain, schools, GP practices and voluntary organisations have
made-up names, and case and family references are random numbers. The
public bodies named (the county council, NHS trusts, the constabulary,
district councils) are real employers of Norfolk professionals, but no
record refers to a real person or case.

The generator is pure and deterministic: the same arguments always give
the same :class:`~allocator.models.Workspace`, because every random choice
comes from one ``random.Random(seed)`` and lists are walked in a fixed
order. Its vocabulary is in :mod:`jags.generate_vocabulary`, its people in
:mod:`jags.generate_people`, its drafts and their assembly into the
workspace in :mod:`jags.generate_drafts`; the writers are
:mod:`jags.generate_tables` (CSV files) and :mod:`jags.generate_calendars`
(the sample's calendars).

Run ``jags generate OUT --requests N --facilitators M --seed S`` to write a
workspace folder, or ``jags generate OUT --sample`` to write the bundled
sample (``data/sample/``) with its calendars.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from allocator.models import Attendance, Mode
from jags.generate_calendars import write_sample_calendars
from jags.generate_drafts import Fac, InvolvementRow, Past, Req, assemble
from jags.generate_people import (
    OrgIndex,
    People,
    make_network,
    organisations,
    plus_years,
    weekday_on_or_before,
)
from jags.generate_tables import COLUMNS, workspace_files, workspace_tables, write_workspace
from jags.generate_vocabulary import (
    CASE_NOTES,
    FACILITATOR_SECTORS,
    FAMILY_NOTES,
    LOCALITIES,
    LOCALITY_WEIGHTS,
    RATIONALES,
    REQUESTER_SECTORS,
    SECTORS,
    SPECIALISMS,
)

if TYPE_CHECKING:
    from pathlib import Path

    from allocator.models import Workspace

__all__ = [
    "COLUMNS",
    "LOCALITIES",
    "SAMPLE_LOAD",
    "SAMPLE_SEED",
    "SECTORS",
    "SPECIALISMS",
    "generate_workspace",
    "sample_workspace",
    "workspace_files",
    "workspace_tables",
    "write_sample",
    "write_sample_calendars",
    "write_workspace",
]

# The generator ----------------------------------------------------------------


def generate_workspace(
    n_requests: int,
    n_facilitators: int,
    *,
    seed: int = 0,
    start: date = date(2026, 11, 9),
    days: int = 10,
    with_gaps: bool = True,
    load: float = 0.45,
    history_per_request: float = 1.2,
) -> Workspace:
    """A synthetic, Norfolk-like workspace.

    Parameters
    ----------
    n_requests
        Number of requests (``>= 0``), received over ``days`` calendar days.
    n_facilitators
        Number of facilitators (``>= 1``).
    seed
        Seed of the one ``random.Random`` every choice comes from (default 0).
    start
        First day requests are received (default Monday 9 November 2026).
    days
        Calendar days over which requests arrive (default 10); a few arrive
        at weekends or after 17:00.
    with_gaps
        Give about 4 % of facilitators (at least one) an empty ``sector`` or
        ``max_open`` (default ``True``).
    load
        Chance that each of a facilitator's places is already taken by an
        open JAGS (default 0.45); higher makes capacity tighter.
    history_per_request
        Closed earlier JAGS in ``history`` per request (default 1.2), spread
        over the 13 months before ``start``.

    Returns
    -------
    Workspace
        A validated workspace. Requests are numbered ``R-0001`` … in order
        received, facilitators ``F001`` …, earlier JAGS ``H-0001`` … in order
        allocated. Each facilitator's ``open_jags`` equals their open
        (unclosed) ``history`` rows. At least one request is a follow-up of
        an earlier JAGS and at least one names a preferred facilitator with
        a rationale (when there are two requests or more). The first of each
        is pinned to a facilitator who is trained, active, complete, off
        leave from ``start`` for two months and has a free place, whenever
        the workspace has such a facilitator; further pins are random and
        may break a hard rule.
    """
    if n_requests < 0 or n_facilitators < 1 or days < 1:
        raise ValueError("need n_requests >= 0, n_facilitators >= 1 and days >= 1")
    rng = random.Random(seed)
    people = People(rng)
    orgs = organisations(rng, n_requests, n_facilitators)
    index = OrgIndex(orgs)
    facs = _facilitators(rng, people, index, n_facilitators, start, days, with_gaps)
    for fac in facs:
        if fac.active and fac.max_open and fac.trained_on and fac.trained_on <= start:
            fac.open_jags = sum(rng.random() < load for _ in range(fac.max_open))
    reqs = _requests(rng, people, index, n_requests, start, days)
    past = _closed_history(rng, people, index, facs, start, n_requests, history_per_request)
    _pins(rng, people, facs, reqs, past, start, days)
    _participating_facilitators(rng, facs, reqs)
    involvements = _involvements(rng, facs, reqs)
    for i, fac in enumerate(facs):
        for _ in range(fac.open_jags):
            allocated = weekday_on_or_before(start - timedelta(days=rng.randint(1, 50)))
            past.append(Past(i, allocated, None, None, _past_network(rng, people, index, fac)))
    return assemble(facs, reqs, past, involvements, orgs)


def _facilitators(
    rng: random.Random,
    people: People,
    index: OrgIndex,
    n: int,
    start: date,
    days: int,
    with_gaps: bool,
) -> list[Fac]:
    facs: list[Fac] = []
    for i in range(n):
        sector = SECTORS[i] if i < len(SECTORS) else rng.choices(SECTORS, FACILITATOR_SECTORS)[0]
        locality = (
            LOCALITIES[i] if i < len(LOCALITIES) else rng.choices(LOCALITIES, LOCALITY_WEIGHTS)[0]
        )
        org = index.pick(rng, sector, locality)
        assert org is not None  # every sector has a county-wide organisation
        person = people.new(org)
        roll = rng.random()
        if roll < 0.06:  # trained on a course after the batch: not yet trained
            trained: date = start + timedelta(days=rng.randint(7, 60))
            expires: date | None = plus_years(trained, 3)
        elif roll < 0.11:  # training lapsed
            trained = start - timedelta(days=rng.randint(3 * 365 + 20, 5 * 365))
            expires = plus_years(trained, 3)
        else:
            trained = start - timedelta(days=rng.randint(30, 3 * 365 - 30))
            expires = plus_years(trained, 3) if rng.random() < 0.75 else None
        max_open = rng.choices((1, 2, 3, 4), (25, 40, 25, 10))[0]
        specialisms = tuple(rng.sample(SPECIALISMS, rng.randint(1, 3)))
        fac = Fac(
            person=person,
            sector=org.sector,
            locality=locality,
            trained_on=trained,
            training_expires=expires,
            max_open=max_open,
            can_lead=rng.random() < 0.85,
            specialisms=specialisms,
            active=rng.random() >= 0.07,
        )
        if rng.random() < 0.25:
            first = start + timedelta(days=rng.randint(-10, days + 40))
            fac.leave.append((first, first + timedelta(days=rng.choice((0, 1, 2, 4, 6, 9, 13)))))
        if rng.random() < 0.03:  # long leave covering the whole batch and its windows
            first = start - timedelta(days=rng.randint(10, 60))
            fac.leave.append((first, first + timedelta(days=rng.randint(90, 180))))
        fac.leave.sort()
        facs.append(fac)
    if with_gaps and n >= 2:
        for k, i in enumerate(sorted(rng.sample(range(n), max(1, round(0.04 * n))))):
            if k % 2 == 0:
                facs[i].sector = None
            else:
                facs[i].max_open = None
                facs[i].open_jags = 0
    return facs


def _received_times(rng: random.Random, n: int, start: date, days: int) -> list[datetime]:
    day_list = [start + timedelta(days=d) for d in range(days)]
    weights = [1.0 if d.weekday() < 5 else 0.08 for d in day_list]
    times: list[datetime] = []
    for _ in range(n):
        day = rng.choices(day_list, weights)[0]
        if rng.random() < 0.08:
            clock = time(rng.randint(17, 21), rng.randint(0, 59))
        else:
            clock = time(rng.randint(8, 16), rng.randint(0, 59))
        times.append(datetime.combine(day, clock))
    weekend = [d for d in day_list if d.weekday() >= 5]
    if n >= 10 and weekend and all(t.weekday() < 5 for t in times):
        times[0] = datetime.combine(weekend[0], time(rng.randint(9, 15), rng.randint(0, 59)))
    if n >= 10 and all(t.time() < time(17) for t in times):
        times[1] = times[1].replace(hour=17, minute=rng.randint(5, 55))
    return sorted(times)


def _requests(
    rng: random.Random, people: People, index: OrgIndex, n: int, start: date, days: int
) -> list[Req]:
    digits = 4 if 2 * n + 50 < 9000 else 5
    low, high = 10 ** (digits - 1), 10**digits
    case_numbers = rng.sample(range(low, high), n + 20)
    family_numbers = rng.sample(range(low, high), n + 20)
    reqs: list[Req] = []
    for i, received in enumerate(_received_times(rng, n, start, days)):
        locality = rng.choices(LOCALITIES, LOCALITY_WEIGHTS)[0]
        sector = rng.choices(SECTORS, REQUESTER_SECTORS)[0]
        org = index.pick(rng, sector, locality)
        assert org is not None
        requester = people.pick(org, reuse=0.25)
        k = rng.choices((2, 3, 4, 5, 6, 7), (20, 25, 22, 15, 10, 8))[0]
        roll = rng.random()
        if roll < 0.07 and reqs:
            family: str | None = rng.choice(reqs).family_ref or f"FAM-{family_numbers[i]}"
        elif roll < 0.12:
            family = None
        else:
            family = f"FAM-{family_numbers[i]}"
        reqs.append(
            Req(
                received_at=received,
                locality=locality,
                requester=requester,
                participants=make_network(rng, people, index, locality, requester, k),
                case_ref=f"CASE-{case_numbers[i]}",
                family_ref=family,
                mode=rng.choices((Mode.IN_PERSON, Mode.ONLINE, Mode.EITHER), (35, 40, 25))[0],
                topic=rng.choice(SPECIALISMS) if rng.random() < 0.9 else None,
            )
        )
    return reqs


def _past_network(rng: random.Random, people: People, index: OrgIndex, fac: Fac) -> list[str]:
    """Attendees of an earlier JAGS facilitated by ``fac`` (none from its organisation)."""
    locality = rng.choices(LOCALITIES, LOCALITY_WEIGHTS)[0]
    org = None
    while org is None or org.name == fac.person.org.name:
        org = index.pick(rng, rng.choices(SECTORS, REQUESTER_SECTORS)[0], locality)
    requester = people.pick(org, reuse=0.5)
    network = make_network(rng, people, index, locality, requester, rng.randint(1, 5))
    return [requester.email] + [p.email for p, _ in network if p.org.name != fac.person.org.name]


def _closed_history(
    rng: random.Random,
    people: People,
    index: OrgIndex,
    facs: list[Fac],
    start: date,
    n_requests: int,
    per_request: float,
) -> list[Past]:
    past: list[Past] = []
    count = max(3, round(per_request * n_requests))
    trained = sorted((f.trained_on, i) for i, f in enumerate(facs) if f.trained_on)
    for _ in range(count):
        allocated = weekday_on_or_before(start - timedelta(days=rng.randint(40, 395)))
        n_trained = bisect_right(trained, (allocated, len(facs)))
        if not n_trained:
            continue
        i = trained[rng.randrange(n_trained)][1]
        if rng.random() < 0.1:  # stepped down
            held = None
            closed = allocated + timedelta(days=rng.randint(3, 10))
        else:
            held = weekday_on_or_before(allocated + timedelta(days=rng.randint(15, 35)))
            closed = held
        past.append(Past(i, allocated, held, closed, _past_network(rng, people, index, facs[i])))
    return past


def _usable(fac: Fac, start: date, days: int) -> bool:
    """Trained, active, complete and off leave from ``start`` well past the batch windows."""
    if not fac.active or fac.sector is None or not fac.max_open or fac.trained_on is None:
        return False
    if fac.trained_on > start:
        return False
    horizon = start + timedelta(days=days + 60)
    if fac.training_expires is not None and fac.training_expires <= horizon:
        return False
    return all(end < start or first > horizon for first, end in fac.leave)


def _free_place(rng: random.Random, facs: list[Fac], candidates: list[int]) -> int:
    """One of ``candidates``, preferring those with a free place; frees one if none has."""
    spare = [i for i in candidates if facs[i].open_jags < (facs[i].max_open or 0)]
    chosen = rng.choice(spare or candidates)
    facs[chosen].open_jags = min(facs[chosen].open_jags, (facs[chosen].max_open or 1) - 1)
    return chosen


def _pins(
    rng: random.Random,
    people: People,
    facs: list[Fac],
    reqs: list[Req],
    past: list[Past],
    start: date,
    days: int,
) -> None:
    """Follow-ups of earlier JAGS and named preferences with a rationale."""
    if len(reqs) < 2:
        return
    n_pins = max(1, round(0.03 * len(reqs)))
    order = rng.sample(range(len(reqs)), len(reqs))
    # A follow-up needs three or more participants (so the network can have grown).
    wide = [r for r in order if len(reqs[r].participants) >= 3] or order
    follow_ups = wide[:n_pins]
    preferences = [r for r in order if r not in follow_ups][:n_pins]
    usable = [i for i, f in enumerate(facs) if _usable(f, start, days)] or list(range(len(facs)))
    taken: set[int] = set()
    for k, r in enumerate(follow_ups):
        req = reqs[r]
        network = {req.requester.org.name} | {p.org.name for p, _ in req.participants}
        options = [
            i for i in usable if facs[i].person.org.name not in network and i not in taken
        ] or usable
        fac = _free_place(rng, facs, options) if k == 0 else rng.choice(options)
        taken.add(fac)
        held = weekday_on_or_before(start - timedelta(days=rng.randint(21, 56)))
        earlier = [req.requester.email] + [p.email for p, _ in req.participants[:-1]]
        allocated = weekday_on_or_before(held - timedelta(days=rng.randint(18, 30)))
        session = Past(fac, allocated, held, held, earlier)
        past.append(session)
        req.follow_up = session
    for k, r in enumerate(preferences):
        req = reqs[r]
        options = [i for i in usable if i not in taken] or usable
        if req.topic:
            options = [i for i in options if req.topic in facs[i].specialisms] or options
        fac = _free_place(rng, facs, options) if k == 0 else rng.choice(options)
        taken.add(fac)
        req.preferred = fac
        req.rationale = rng.choice(RATIONALES).format(topic=req.topic or "multi-agency")
        network = {req.requester.org.name} | {p.org.name for p, _ in req.participants}
        if facs[fac].person.org.name not in network:
            # Put a colleague of the named facilitator in the network, so the
            # pin overrides the shared-organisation rule, with its rationale.
            colleague = people.pick(facs[fac].person.org, reuse=0.0)
            req.participants.append((colleague, Attendance.OPTIONAL))


def _participating_facilitators(rng: random.Random, facs: list[Fac], reqs: list[Req]) -> None:
    """About 1 % of requests (at least one from five) name a facilitator as a participant."""
    plain = [r for r in reqs if r.preferred is None and r.follow_up is None]
    if len(reqs) < 5 or not plain:
        return
    pinned = {r.preferred for r in reqs} | {r.follow_up.facilitator for r in reqs if r.follow_up}
    others = [i for i in range(len(facs)) if i not in pinned] or list(range(len(facs)))
    for req in rng.sample(plain, max(1, round(0.01 * len(reqs)))):
        network = {req.requester.org.name} | {p.org.name for p, _ in req.participants}
        options = [i for i in others if facs[i].active and facs[i].person.org.name not in network]
        req.participants.append((facs[rng.choice(options or others)].person, Attendance.REQUIRED))


def _involvements(rng: random.Random, facs: list[Fac], reqs: list[Req]) -> list[InvolvementRow]:
    out: list[InvolvementRow] = []
    if not reqs:
        return out
    pinned = {r.preferred for r in reqs} | {r.follow_up.facilitator for r in reqs if r.follow_up}
    others = [i for i in range(len(facs)) if i not in pinned] or list(range(len(facs)))
    for req in rng.sample(reqs, max(1, round(0.06 * len(reqs)))):
        network = {req.requester.org.name} | {p.org.name for p, _ in req.participants}
        independent = [i for i in others if facs[i].person.org.name not in network] or others
        fac = rng.choice(independent)
        if req.family_ref and rng.random() < 0.4:
            out.append((fac, None, req.family_ref, rng.choice(FAMILY_NOTES)))
        else:
            out.append((fac, req.case_ref, None, rng.choice(CASE_NOTES)))
    for _ in range(max(1, round(0.02 * len(facs)))):  # cases not in this batch
        out.append(
            (
                rng.randrange(len(facs)),
                f"CASE-{rng.randint(100000, 999999)}",
                None,
                rng.choice(CASE_NOTES),
            )
        )
    return out


# The bundled sample -----------------------------------------------------------------

SAMPLE_SEED = 58
"""Seed of the bundled sample workspace ``data/sample/``."""
SAMPLE_LOAD = 0.6
"""Open-load chance of the sample (capacity is tight on purpose)."""


def sample_workspace() -> Workspace:
    """The workspace bundled as ``data/sample/``.

    40 facilitators and 25 requests received over the two weeks from
    Monday 9 November 2026, seed :data:`SAMPLE_SEED`.
    """
    return generate_workspace(
        25, 40, seed=SAMPLE_SEED, start=date(2026, 11, 9), days=14, with_gaps=True, load=SAMPLE_LOAD
    )


def write_sample(folder: Path) -> Workspace:
    """Write the sample workspace and its ``calendars/`` into ``folder``; return it."""
    ws = sample_workspace()
    write_workspace(ws, folder)
    write_sample_calendars(ws, folder / "calendars")
    return ws


if __name__ == "__main__":  # ``python -m jags.generate …`` is ``jags generate …``
    import sys

    from jags.cli import app

    app(["generate", *sys.argv[1:]])
