"""Invented organisations and professionals for the synthetic workspaces.

One ``random.Random`` is handed in everywhere, so the same seed always gives
the same people (see :mod:`jags.generate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from allocator.models import Attendance
from jags.generate_vocabulary import (
    COUNTYWIDE,
    DISTRICT_COUNCILS,
    FIRST_NAMES,
    LAST_NAMES,
    LOCALITIES,
    PARTICIPANT_SECTORS,
    PLACES,
    PRACTICE_WORDS,
    SCHOOL_TYPES,
    SCHOOL_WORDS,
    SECTORS,
)

if TYPE_CHECKING:
    import random
    from collections.abc import Iterable, Sequence

__all__ = [
    "Org",
    "OrgIndex",
    "People",
    "Person",
    "make_network",
    "organisations",
    "plus_years",
    "slug",
    "weekday_on_or_before",
]


@dataclass(frozen=True)
class Org:
    """An employer: its sector, base locality, e-mail domain label and relative size;
    ``countywide`` ones serve every locality."""

    name: str
    sector: str
    locality: str
    domain: str
    size: float
    countywide: bool


@dataclass(frozen=True)
class Person:
    """An invented professional at ``org``."""

    name: str
    email: str
    org: Org


class People:
    """Invented professionals, unique by e-mail, reused across requests."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._emails: set[str] = set()
        self._names: set[str] = set()
        self._staff: dict[str, list[Person]] = {}

    def new(self, org: Org) -> Person:
        for _ in range(4):  # prefer a name nobody has yet
            first = self._rng.choice(FIRST_NAMES)
            last = self._rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self._names:
                break
        self._names.add(f"{first} {last}")
        local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        email = f"{local}@{org.domain}.example"
        n = 2
        while email in self._emails:
            email = f"{local}{n}@{org.domain}.example"
            n += 1
        self._emails.add(email)
        return Person(f"{first} {last}", email, org)

    def pick(self, org: Org, reuse: float = 0.35) -> Person:
        """Someone in ``org``: often an earlier colleague (at most chance ``reuse``; less
        in big organisations), else a new one."""
        staff = self._staff.setdefault(org.name, [])
        if staff and self._rng.random() < min(reuse, len(staff) / (len(staff) + 3 * org.size)):
            return self._rng.choice(staff)
        person = self.new(org)
        staff.append(person)
        return person


def slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower().replace("'", ""))
    return "-".join(part for part in out.split("-") if part)


def organisations(rng: random.Random, n_requests: int, n_facilitators: int) -> list[Org]:
    """The organisation catalogue, local ones scaled with the workspace size."""
    orgs = [
        Org(name, sector, loc, domain, size, True) for name, sector, loc, domain, size in COUNTYWIDE
    ]
    scale = max(n_requests / 30, n_facilitators / 40)
    n_schools = max(3, round(2 * scale))
    n_practices = max(2, round(scale))
    for locality in LOCALITIES:
        name, domain = DISTRICT_COUNCILS[locality]
        orgs.append(Org(name, "Housing", locality, domain, 1.0, False))
        orgs.append(
            Org(
                f"{locality} Early Help Hub",
                "Early Help",
                locality,
                f"{slug(locality)}-earlyhelp",
                1.5,
                False,
            )
        )
        places = PLACES[locality]
        schools = [(p, w, t) for p in places for w in SCHOOL_WORDS for t in SCHOOL_TYPES]
        for place, word, kind in rng.sample(schools, min(n_schools, len(schools))):
            name = f"{place} {word} {kind}"
            orgs.append(
                Org(name, "Education", locality, slug(f"{place} {word} {kind}"), 0.6, False)
            )
        practices = [(p, w) for p in places for w in PRACTICE_WORDS]
        for place, word in rng.sample(practices, min(n_practices, len(practices))):
            name = f"{place} {word} Medical Practice"
            orgs.append(Org(name, "Health", locality, slug(f"{place} {word} surgery"), 0.4, False))
    return orgs


class OrgIndex:
    """Organisations by sector and locality (county-wide ones serve every locality)."""

    def __init__(self, orgs: Sequence[Org]) -> None:
        # Organisations and their cumulative sizes (weights) per sector and locality.
        self.choices: dict[tuple[str, str], tuple[list[Org], list[float]]] = {}
        for sector in SECTORS:
            for locality in LOCALITIES:
                found = [
                    o
                    for o in orgs
                    if o.sector == sector and (o.countywide or o.locality == locality)
                ]
                self.choices[sector, locality] = (found, list(accumulate(o.size for o in found)))

    def pick(
        self, rng: random.Random, sector: str, locality: str, avoid: Iterable[str] = ()
    ) -> Org | None:
        found, cumulative = self.choices[sector, locality]
        if not found:
            return None
        taken = set(avoid)
        for _ in range(8):  # rejection is cheap; filter only when it keeps failing
            org = rng.choices(found, cum_weights=cumulative)[0]
            if org.name not in taken:
                return org
        rest = [o for o in found if o.name not in taken]
        return rng.choices(rest, [o.size for o in rest])[0] if rest else None


def plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def make_network(
    rng: random.Random, people: People, index: OrgIndex, locality: str, requester: Person, k: int
) -> list[tuple[Person, Attendance]]:
    used_orgs = [requester.org.name]
    used_sectors = [requester.org.sector]
    out: list[tuple[Person, Attendance]] = []
    same_org_manager = rng.random() < 0.15
    for j in range(k):
        if j == 0 and same_org_manager:
            person = people.new(requester.org)
        else:
            org = None
            for _ in range(6):
                weights = [
                    w * (0.1 if s in used_sectors else 1.0)
                    for s, w in zip(SECTORS, PARTICIPANT_SECTORS, strict=True)
                ]
                sector = rng.choices(SECTORS, weights)[0]
                org = index.pick(rng, sector, locality, avoid=used_orgs)
                if org is not None:
                    break
            if org is None:
                break
            person = people.pick(org)
            used_orgs.append(org.name)
            used_sectors.append(org.sector)
        attendance = Attendance.REQUIRED if j == 0 or rng.random() < 0.8 else Attendance.OPTIONAL
        out.append((person, attendance))
    return out
