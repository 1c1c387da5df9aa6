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
order.

Run ``python -m jags.generate OUT --requests N --facilitators M --seed S``
to write a workspace folder, or ``python -m jags.generate OUT --sample`` to
write the bundled sample (``data/sample/``) with its calendars.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import uuid
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from allocator.models import (
    Attendance,
    Facilitator,
    Involvement,
    Leave,
    Mode,
    Organisation,
    Participant,
    PastSession,
    Request,
    Workspace,
    normalise_email,
    normalise_org,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "COLUMNS",
    "LOCALITIES",
    "SAMPLE_LOAD",
    "SAMPLE_SEED",
    "SECTORS",
    "SPECIALISMS",
    "generate_workspace",
    "main",
    "sample_workspace",
    "workspace_tables",
    "write_sample",
    "write_sample_calendars",
    "write_workspace",
]

# Vocabulary ---------------------------------------------------------------

SECTORS: tuple[str, ...] = (
    "Children's Services",
    "Health",
    "Police",
    "Education",
    "Early Help",
    "Probation",
    "Voluntary",
    "Housing",
    "Adult Services (Mental Health)",
)
"""Sectors of the generated organisations."""

LOCALITIES: tuple[str, ...] = (
    "Norwich",
    "Breckland",
    "Broadland",
    "Great Yarmouth",
    "King's Lynn and West Norfolk",
    "North Norfolk",
    "South Norfolk",
)
"""Norfolk's seven district localities."""

_LOCALITY_WEIGHTS = (20, 15, 13, 12, 17, 11, 13)

SPECIALISMS: tuple[str, ...] = (
    "neglect",
    "domestic abuse",
    "exploitation",
    "self-harm",
    "SEND",
    "parental mental health",
    "substance misuse",
    "online harm",
)
"""Facilitator specialisms, also used as request topics."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "facilitators": ("facilitator_id", "name", "email", "organisation", "sector", "locality",
                     "trained_on", "training_expires", "max_open", "open_jags", "can_lead",
                     "specialisms", "active"),
    "leave": ("facilitator_id", "start", "end"),
    "requests": ("request_id", "received_at", "requester_name", "requester_email",
                 "requester_organisation", "case_ref", "family_ref", "locality", "mode", "topic",
                 "preferred_facilitator_id", "preference_rationale", "follow_up_of"),
    "participants": ("request_id", "name", "email", "organisation", "attendance"),
    "involvements": ("facilitator_id", "case_ref", "family_ref", "note"),
    "history": ("request_id", "facilitator_id", "allocated_on", "held_on", "closed_on",
                "attendees"),
    "organisations": ("organisation", "sector", "locality"),
}
"""Header of each workspace table, in file order (file contract v1 plus extensions)."""

_FIRST_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Leo", "Alfie", "Henry", "Joshua", "Daniel", "Samuel", "Joseph",
    "Max", "Ethan", "Adam", "Benjamin", "Luke", "Matthew", "David", "Mark", "Paul", "Richard",
    "Andrew", "Peter", "Simon", "Stephen", "Michael", "Christopher", "Robert", "Ian",
    "Amelia", "Olivia", "Isla", "Emily", "Ava", "Jessica", "Sophie", "Grace", "Lily", "Mia",
    "Ella", "Charlotte", "Chloe", "Lucy", "Hannah", "Ellie", "Evie", "Megan", "Holly",
    "Sarah", "Emma", "Rachel", "Laura", "Claire", "Helen", "Karen", "Joanne", "Nicola",
    "Rebecca", "Victoria", "Katie", "Amy", "Gemma", "Natalie", "Louise", "Zoe", "Priya",
    "Aisha", "Fatima", "Mohammed", "Ali", "Hassan", "Amir", "Anjali", "Ravi", "Sanjay",
)
_LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "O'Brien", "Dixon",
)

# Places used for the (fictional) schools and GP practices of each locality.
_PLACES: dict[str, tuple[str, ...]] = {
    "Norwich": ("Eaton", "Lakenham", "Mile Cross", "Earlham", "Catton", "Heartsease",
                "Tuckswood", "Bowthorpe"),
    "Breckland": ("Dereham", "Swaffham", "Thetford", "Attleborough", "Watton", "Shipdham"),
    "Broadland": ("Aylsham", "Acle", "Sprowston", "Hellesdon", "Reepham", "Wroxham",
                  "Taverham"),
    "Great Yarmouth": ("Gorleston", "Caister", "Bradwell", "Martham", "Hemsby", "Ormesby"),
    "King's Lynn and West Norfolk": ("Downham Market", "Hunstanton", "Gaywood", "Terrington",
                                     "Heacham", "Dersingham", "Clenchwarton"),
    "North Norfolk": ("Cromer", "Sheringham", "North Walsham", "Fakenham", "Holt",
                      "Wells-next-the-Sea", "Stalham"),
    "South Norfolk": ("Wymondham", "Diss", "Long Stratton", "Hethersett", "Loddon",
                      "Harleston", "Costessey"),
}
_SCHOOL_WORDS = ("Kestrel", "Willowbank", "Heron's Reach", "Oakfield", "Kingfisher Meadow",
                 "Saltmarsh", "Alder Carr", "Skylark", "Marram", "Beech Hollow", "Wherryman",
                 "Reedbed", "Lapwing", "Hazel Brook", "Samphire")
_SCHOOL_TYPES = ("Primary School", "Primary Academy", "Infant and Nursery School",
                 "Junior School", "High School", "Academy", "CE Primary School")
_PRACTICE_WORDS = ("Riverside", "Marshland", "Old Forge", "Church Lane", "Mill House",
                   "Staithe", "Common Road", "Orchard", "Greenway", "Quayside")

_DISTRICT_COUNCILS = {
    "Norwich": ("Norwich City Council Housing", "norwich-housing"),
    "Breckland": ("Breckland Council Housing", "breckland-housing"),
    "Broadland": ("Broadland District Council Housing", "broadland-housing"),
    "Great Yarmouth": ("Great Yarmouth Borough Council Housing", "gyb-housing"),
    "King's Lynn and West Norfolk": ("Borough Council of King's Lynn and West Norfolk Housing",
                                     "west-norfolk-housing"),
    "North Norfolk": ("North Norfolk District Council Housing", "north-norfolk-housing"),
    "South Norfolk": ("South Norfolk Council Housing", "south-norfolk-housing"),
}

# (name, sector, base locality, e-mail domain label, relative size); locality None = county-wide.
_COUNTYWIDE: tuple[tuple[str, str, str, str, float], ...] = (
    ("Norfolk County Council Children's Services", "Children's Services", "Norwich",
     "ncc-childrens", 12.0),
    ("Norfolk County Council Children's Services Fostering and Adoption",
     "Children's Services", "Norwich", "ncc-fostering", 0.8),
    ("Norfolk County Council Family Hubs", "Early Help", "Norwich", "ncc-familyhubs", 3.0),
    ("Norfolk and Norwich University Hospitals NHS Foundation Trust", "Health", "Norwich",
     "nnuh", 4.0),
    ("Norfolk and Suffolk NHS Foundation Trust", "Health", "Norwich", "nsft", 4.0),
    ("Norfolk Community Health and Care NHS Trust", "Health", "Norwich", "nchc", 4.0),
    ("James Paget University Hospitals NHS Foundation Trust", "Health", "Great Yarmouth",
     "jpaget", 2.0),
    ("The Queen Elizabeth Hospital King's Lynn NHS Foundation Trust", "Health",
     "King's Lynn and West Norfolk", "qehkl", 2.0),
    ("Norfolk Constabulary", "Police", "Norwich", "norfolk-police", 8.0),
    ("British Transport Police", "Police", "Norwich", "btp", 0.15),
    ("Norfolk Virtual School for Children in Care", "Education", "Norwich",
     "norfolk-virtual-school", 0.35),
    ("Probation Service East of England", "Probation", "Norwich", "probation-eoe", 4.0),
    ("Norfolk Youth Justice Service", "Probation", "Norwich", "norfolk-yjs", 2.0),
    ("Wherry Family Support Trust", "Voluntary", "Norwich", "wherry-trust", 1.0),
    ("Coastline Domestic Abuse Service", "Voluntary", "Great Yarmouth", "coastline-das", 1.0),
    ("Marsh Harrier Youth Counselling", "Voluntary", "North Norfolk", "marsh-harrier", 1.0),
    ("Brecks Young Carers", "Voluntary", "Breckland", "brecks-young-carers", 1.0),
    ("Waveney Valley Family Trust", "Voluntary", "South Norfolk", "waveney-valley-trust", 1.0),
    ("Fenland Edge Mentoring", "Voluntary", "King's Lynn and West Norfolk", "fenland-edge", 1.0),
    ("Bure Valley Housing Association", "Housing", "Broadland", "bure-valley-ha", 0.8),
    ("Wensum Homes", "Housing", "Norwich", "wensum-homes", 0.8),
    ("Norfolk County Council Adult Social Services", "Adult Services (Mental Health)",
     "Norwich", "ncc-adults", 4.0),
    ("Yare Valley Recovery Service", "Adult Services (Mental Health)", "Norwich",
     "yare-recovery", 1.5),
    ("Glaven Wellbeing Partnership", "Adult Services (Mental Health)", "North Norfolk",
     "glaven-wellbeing", 1.0),
)

# Sector weights for who facilitates, who requests and who else is in a network.
_FACILITATOR_SECTORS = (16, 20, 8, 14, 12, 6, 9, 6, 9)
_REQUESTER_SECTORS = (38, 14, 5, 15, 15, 4, 4, 2, 3)
_PARTICIPANT_SECTORS = (22, 24, 12, 18, 10, 4, 5, 3, 4)

_CASE_NOTES = (
    "Previously the allocated worker",
    "Attended a core group meeting in 2025",
    "Supervised a professional in the network on this case",
)
_FAMILY_NOTES = (
    "Chaired a child protection conference for the family",
    "Worked with the family in an earlier service",
    "Previously the allocated worker for a sibling",
)
_RATIONALES = (
    "The network asked for a facilitator with {topic} experience; agreed by the team manager.",
    "Facilitated this network before and the group asked for continuity; agreed by the "
    "safeguarding lead.",
    "Requested by the conference chair for the facilitator's {topic} background.",
)

# Data shapes used while generating -----------------------------------------


@dataclass(frozen=True)
class _Org:
    name: str
    sector: str
    locality: str
    domain: str
    size: float
    countywide: bool


@dataclass(frozen=True)
class _Person:
    name: str
    email: str
    org: _Org


@dataclass
class _Fac:
    person: _Person
    sector: str | None
    locality: str
    trained_on: date | None
    training_expires: date | None
    max_open: int | None
    can_lead: bool
    specialisms: tuple[str, ...]
    active: bool
    leave: list[tuple[date, date]] = field(default_factory=list)
    open_jags: int = 0


@dataclass
class _Req:
    received_at: datetime
    locality: str
    requester: _Person
    participants: list[tuple[_Person, Attendance]]
    case_ref: str
    family_ref: str | None
    mode: Mode
    topic: str | None
    preferred: int | None = None
    rationale: str | None = None
    follow_up: _Past | None = None


@dataclass
class _Past:
    facilitator: int
    allocated_on: date
    held_on: date | None
    closed_on: date | None
    attendees: list[str]


class _People:
    """Invented professionals, unique by e-mail, reused across requests."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._emails: set[str] = set()
        self._names: set[str] = set()
        self._staff: dict[str, list[_Person]] = {}

    def new(self, org: _Org) -> _Person:
        for _ in range(4):  # prefer a name nobody has yet
            first = self._rng.choice(_FIRST_NAMES)
            last = self._rng.choice(_LAST_NAMES)
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
        return _Person(f"{first} {last}", email, org)

    def pick(self, org: _Org, reuse: float = 0.35) -> _Person:
        """Someone in ``org``: often an earlier colleague (at most chance ``reuse``; less
        in big organisations), else a new one."""
        staff = self._staff.setdefault(org.name, [])
        if staff and self._rng.random() < min(reuse, len(staff) / (len(staff) + 3 * org.size)):
            return self._rng.choice(staff)
        person = self.new(org)
        staff.append(person)
        return person


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower().replace("'", ""))
    return "-".join(part for part in out.split("-") if part)


def _organisations(rng: random.Random, n_requests: int, n_facilitators: int) -> list[_Org]:
    """The organisation catalogue, local ones scaled with the workspace size."""
    orgs = [_Org(name, sector, loc, domain, size, True)
            for name, sector, loc, domain, size in _COUNTYWIDE]
    scale = max(n_requests / 30, n_facilitators / 40)
    n_schools = max(3, round(2 * scale))
    n_practices = max(2, round(scale))
    for locality in LOCALITIES:
        name, domain = _DISTRICT_COUNCILS[locality]
        orgs.append(_Org(name, "Housing", locality, domain, 1.0, False))
        orgs.append(_Org(f"{locality} Early Help Hub", "Early Help", locality,
                         f"{_slug(locality)}-earlyhelp", 1.5, False))
        places = _PLACES[locality]
        schools = [(p, w, t) for p in places for w in _SCHOOL_WORDS for t in _SCHOOL_TYPES]
        for place, word, kind in rng.sample(schools, min(n_schools, len(schools))):
            name = f"{place} {word} {kind}"
            orgs.append(_Org(name, "Education", locality, _slug(f"{place} {word} {kind}"),
                             0.6, False))
        practices = [(p, w) for p in places for w in _PRACTICE_WORDS]
        for place, word in rng.sample(practices, min(n_practices, len(practices))):
            name = f"{place} {word} Medical Practice"
            orgs.append(_Org(name, "Health", locality, _slug(f"{place} {word} surgery"),
                             0.4, False))
    return orgs


class _OrgIndex:
    """Organisations by sector and locality (county-wide ones serve every locality)."""

    def __init__(self, orgs: Sequence[_Org]) -> None:
        # Organisations and their cumulative sizes (weights) per sector and locality.
        self.choices: dict[tuple[str, str], tuple[list[_Org], list[float]]] = {}
        for sector in SECTORS:
            for locality in LOCALITIES:
                found = [o for o in orgs if o.sector == sector
                         and (o.countywide or o.locality == locality)]
                self.choices[sector, locality] = (found, list(accumulate(o.size for o in found)))

    def pick(self, rng: random.Random, sector: str, locality: str,
             avoid: Iterable[str] = ()) -> _Org | None:
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


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


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
    people = _People(rng)
    orgs = _organisations(rng, n_requests, n_facilitators)
    index = _OrgIndex(orgs)
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
            allocated = _weekday_on_or_before(start - timedelta(days=rng.randint(1, 50)))
            past.append(_Past(i, allocated, None, None, _past_network(rng, people, index, fac)))
    return _assemble(facs, reqs, past, involvements, orgs)


def _facilitators(rng: random.Random, people: _People, index: _OrgIndex, n: int,
                  start: date, days: int, with_gaps: bool) -> list[_Fac]:
    facs: list[_Fac] = []
    for i in range(n):
        sector = SECTORS[i] if i < len(SECTORS) else rng.choices(SECTORS, _FACILITATOR_SECTORS)[0]
        locality = (LOCALITIES[i] if i < len(LOCALITIES)
                    else rng.choices(LOCALITIES, _LOCALITY_WEIGHTS)[0])
        org = index.pick(rng, sector, locality)
        assert org is not None  # every sector has a county-wide organisation
        person = people.new(org)
        roll = rng.random()
        if roll < 0.06:  # trained on a course after the batch: not yet trained
            trained: date = start + timedelta(days=rng.randint(7, 60))
            expires: date | None = _plus_years(trained, 3)
        elif roll < 0.11:  # training lapsed
            trained = start - timedelta(days=rng.randint(3 * 365 + 20, 5 * 365))
            expires = _plus_years(trained, 3)
        else:
            trained = start - timedelta(days=rng.randint(30, 3 * 365 - 30))
            expires = _plus_years(trained, 3) if rng.random() < 0.75 else None
        max_open = rng.choices((1, 2, 3, 4), (25, 40, 25, 10))[0]
        specialisms = tuple(rng.sample(SPECIALISMS, rng.randint(1, 3)))
        fac = _Fac(person=person, sector=org.sector, locality=locality, trained_on=trained,
                   training_expires=expires, max_open=max_open,
                   can_lead=rng.random() < 0.85, specialisms=specialisms,
                   active=rng.random() >= 0.07)
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


def _network(rng: random.Random, people: _People, index: _OrgIndex, locality: str,
             requester: _Person, k: int) -> list[tuple[_Person, Attendance]]:
    used_orgs = [requester.org.name]
    used_sectors = [requester.org.sector]
    out: list[tuple[_Person, Attendance]] = []
    same_org_manager = rng.random() < 0.15
    for j in range(k):
        if j == 0 and same_org_manager:
            person = people.new(requester.org)
        else:
            org = None
            for _ in range(6):
                weights = [w * (0.1 if s in used_sectors else 1.0)
                           for s, w in zip(SECTORS, _PARTICIPANT_SECTORS, strict=True)]
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


def _requests(rng: random.Random, people: _People, index: _OrgIndex, n: int, start: date,
              days: int) -> list[_Req]:
    digits = 4 if 2 * n + 50 < 9000 else 5
    low, high = 10 ** (digits - 1), 10**digits
    case_numbers = rng.sample(range(low, high), n + 20)
    family_numbers = rng.sample(range(low, high), n + 20)
    reqs: list[_Req] = []
    for i, received in enumerate(_received_times(rng, n, start, days)):
        locality = rng.choices(LOCALITIES, _LOCALITY_WEIGHTS)[0]
        sector = rng.choices(SECTORS, _REQUESTER_SECTORS)[0]
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
        reqs.append(_Req(
            received_at=received, locality=locality, requester=requester,
            participants=_network(rng, people, index, locality, requester, k),
            case_ref=f"CASE-{case_numbers[i]}", family_ref=family,
            mode=rng.choices((Mode.IN_PERSON, Mode.ONLINE, Mode.EITHER), (35, 40, 25))[0],
            topic=rng.choice(SPECIALISMS) if rng.random() < 0.9 else None))
    return reqs


def _past_network(rng: random.Random, people: _People, index: _OrgIndex,
                  fac: _Fac) -> list[str]:
    """Attendees of an earlier JAGS facilitated by ``fac`` (none from its organisation)."""
    locality = rng.choices(LOCALITIES, _LOCALITY_WEIGHTS)[0]
    org = None
    while org is None or org.name == fac.person.org.name:
        org = index.pick(rng, rng.choices(SECTORS, _REQUESTER_SECTORS)[0], locality)
    requester = people.pick(org, reuse=0.5)
    network = _network(rng, people, index, locality, requester, rng.randint(1, 5))
    return [requester.email] + [p.email for p, _ in network
                                if p.org.name != fac.person.org.name]


def _closed_history(rng: random.Random, people: _People, index: _OrgIndex, facs: list[_Fac],
                    start: date, n_requests: int, per_request: float) -> list[_Past]:
    past: list[_Past] = []
    count = max(3, round(per_request * n_requests))
    trained = sorted((f.trained_on, i) for i, f in enumerate(facs) if f.trained_on)
    for _ in range(count):
        allocated = _weekday_on_or_before(start - timedelta(days=rng.randint(40, 395)))
        n_trained = bisect_right(trained, (allocated, len(facs)))
        if not n_trained:
            continue
        i = trained[rng.randrange(n_trained)][1]
        if rng.random() < 0.1:  # stepped down
            held = None
            closed = allocated + timedelta(days=rng.randint(3, 10))
        else:
            held = _weekday_on_or_before(allocated + timedelta(days=rng.randint(15, 35)))
            closed = held
        past.append(_Past(i, allocated, held, closed,
                          _past_network(rng, people, index, facs[i])))
    return past


def _usable(fac: _Fac, start: date, days: int) -> bool:
    """Trained, active, complete and off leave from ``start`` well past the batch windows."""
    if not fac.active or fac.sector is None or not fac.max_open or fac.trained_on is None:
        return False
    if fac.trained_on > start:
        return False
    horizon = start + timedelta(days=days + 60)
    if fac.training_expires is not None and fac.training_expires <= horizon:
        return False
    return all(end < start or first > horizon for first, end in fac.leave)


def _free_place(rng: random.Random, facs: list[_Fac], candidates: list[int]) -> int:
    """One of ``candidates``, preferring those with a free place; frees one if none has."""
    spare = [i for i in candidates if facs[i].open_jags < (facs[i].max_open or 0)]
    chosen = rng.choice(spare or candidates)
    facs[chosen].open_jags = min(facs[chosen].open_jags, (facs[chosen].max_open or 1) - 1)
    return chosen


def _pins(rng: random.Random, people: _People, facs: list[_Fac], reqs: list[_Req],
          past: list[_Past], start: date, days: int) -> None:
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
        options = [i for i in usable if facs[i].person.org.name not in network
                   and i not in taken] or usable
        fac = _free_place(rng, facs, options) if k == 0 else rng.choice(options)
        taken.add(fac)
        held = _weekday_on_or_before(start - timedelta(days=rng.randint(21, 56)))
        earlier = [req.requester.email] + [p.email for p, _ in req.participants[:-1]]
        allocated = _weekday_on_or_before(held - timedelta(days=rng.randint(18, 30)))
        session = _Past(fac, allocated, held, held, earlier)
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
        req.rationale = rng.choice(_RATIONALES).format(topic=req.topic or "multi-agency")
        network = {req.requester.org.name} | {p.org.name for p, _ in req.participants}
        if facs[fac].person.org.name not in network:
            # Put a colleague of the named facilitator in the network, so the
            # pin overrides the shared-organisation rule, with its rationale.
            colleague = people.pick(facs[fac].person.org, reuse=0.0)
            req.participants.append((colleague, Attendance.OPTIONAL))


def _participating_facilitators(rng: random.Random, facs: list[_Fac], reqs: list[_Req]) -> None:
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


def _involvements(rng: random.Random, facs: list[_Fac],
                  reqs: list[_Req]) -> list[tuple[int, str | None, str | None, str]]:
    out: list[tuple[int, str | None, str | None, str]] = []
    if not reqs:
        return out
    pinned = {r.preferred for r in reqs} | {r.follow_up.facilitator for r in reqs if r.follow_up}
    others = [i for i in range(len(facs)) if i not in pinned] or list(range(len(facs)))
    for req in rng.sample(reqs, max(1, round(0.06 * len(reqs)))):
        network = {req.requester.org.name} | {p.org.name for p, _ in req.participants}
        independent = [i for i in others if facs[i].person.org.name not in network] or others
        fac = rng.choice(independent)
        if req.family_ref and rng.random() < 0.4:
            out.append((fac, None, req.family_ref, rng.choice(_FAMILY_NOTES)))
        else:
            out.append((fac, req.case_ref, None, rng.choice(_CASE_NOTES)))
    for _ in range(max(1, round(0.02 * len(facs)))):  # cases not in this batch
        out.append((rng.randrange(len(facs)), f"CASE-{rng.randint(100000, 999999)}", None,
                    rng.choice(_CASE_NOTES)))
    return out


def _assemble(facs: list[_Fac], reqs: list[_Req], past: list[_Past],
              involvements: list[tuple[int, str | None, str | None, str]],
              orgs: list[_Org]) -> Workspace:
    width = max(3, len(str(len(facs))))
    fac_ids = [f"F{i + 1:0{width}d}" for i in range(len(facs))]
    req_width = max(4, len(str(len(reqs))))
    past_width = max(4, len(str(len(past))))
    past_sorted = sorted(past, key=lambda p: (p.allocated_on, p.facilitator))
    past_ids = {id(p): f"H-{k + 1:0{past_width}d}" for k, p in enumerate(past_sorted)}
    open_counts = [0] * len(facs)
    for p in past_sorted:
        if p.closed_on is None:
            open_counts[p.facilitator] += 1
    facilitators = tuple(
        Facilitator(facilitator_id=fac_ids[i], name=f.person.name, email=f.person.email,
                    organisation=f.person.org.name, sector=f.sector, locality=f.locality,
                    trained_on=f.trained_on, training_expires=f.training_expires,
                    max_open=f.max_open, open_jags=open_counts[i], can_lead=f.can_lead,
                    specialisms=f.specialisms, active=f.active)
        for i, f in enumerate(facs))
    leave = tuple(Leave(facilitator_id=fac_ids[i], start=a, end=b)
                  for i, f in enumerate(facs) for a, b in f.leave)
    requests: list[Request] = []
    participants: list[Participant] = []
    for k, r in enumerate(reqs):
        rid = f"R-{k + 1:0{req_width}d}"
        requests.append(Request(
            request_id=rid, received_at=r.received_at, requester_name=r.requester.name,
            requester_email=r.requester.email, requester_organisation=r.requester.org.name,
            case_ref=r.case_ref, family_ref=r.family_ref, locality=r.locality, mode=r.mode,
            topic=r.topic,
            preferred_facilitator_id=None if r.preferred is None else fac_ids[r.preferred],
            preference_rationale=r.rationale,
            follow_up_of=None if r.follow_up is None else past_ids[id(r.follow_up)]))
        participants.extend(
            Participant(request_id=rid, name=p.name, email=p.email, organisation=p.org.name,
                        attendance=a)
            for p, a in r.participants)
    history = tuple(
        PastSession(request_id=past_ids[id(p)], facilitator_id=fac_ids[p.facilitator],
                    allocated_on=p.allocated_on, held_on=p.held_on, closed_on=p.closed_on,
                    attendees=tuple(p.attendees))
        for p in past_sorted)
    return Workspace(
        facilitators=facilitators,
        leave=leave,
        requests=tuple(requests),
        participants=tuple(participants),
        involvements=tuple(Involvement(facilitator_id=fac_ids[i], case_ref=c, family_ref=fam,
                                       note=note) for i, c, fam, note in involvements),
        history=history,
        organisations=tuple(Organisation(organisation=o.name, sector=o.sector,
                                         locality=None if o.countywide else o.locality)
                            for o in orgs),
    )


# Tables and files -------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def workspace_tables(ws: Workspace) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each table of ``ws`` as a header and rows of strings (file contract v1).

    Parameters
    ----------
    ws
        The workspace.

    Returns
    -------
    dict
        Table name (file stem, in :data:`COLUMNS` order) to ``(header, rows)``.
        Dates are ``YYYY-MM-DD``, date-times ``YYYY-MM-DDTHH:MM`` (London
        local time), lists are joined with ``;``, booleans are
        ``true``/``false`` and missing values are empty strings.
    """
    records: dict[str, Sequence[object]] = {
        "facilitators": ws.facilitators, "leave": ws.leave, "requests": ws.requests,
        "participants": ws.participants, "involvements": ws.involvements,
        "history": ws.history, "organisations": ws.organisations,
    }
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    for name, header in COLUMNS.items():
        rows = [[_cell(getattr(record, column)) for column in header]
                for record in records[name]]
        tables[name] = (list(header), rows)
    return tables


def write_workspace(ws: Workspace, folder: Path) -> None:
    """Write ``ws`` as seven CSV files (UTF-8, ``\\n`` line ends) in ``folder``.

    Parameters
    ----------
    ws
        The workspace.
    folder
        Created when missing; existing files of the same names are replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in workspace_tables(ws).items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)


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
    return generate_workspace(25, 40, seed=SAMPLE_SEED, start=date(2026, 11, 9), days=14,
                              with_gaps=True, load=SAMPLE_LOAD)


def write_sample(folder: Path) -> Workspace:
    """Write the sample workspace and its ``calendars/`` into ``folder``; return it."""
    ws = sample_workspace()
    write_workspace(ws, folder)
    write_sample_calendars(ws, folder / "calendars")
    return ws


# Calendars ---------------------------------------------------------------------------

_CAL_FIRST = date(2026, 11, 23)
_CAL_LAST = date(2027, 1, 31)
_STAMP = "20261120T090000Z"
_UNTIL = f"{_CAL_LAST:%Y%m%d}T235959Z"
_AD_HOC = ("Meeting", "Meeting", "Planning meeting", "Catch-up", "Service meeting", "Panel",
           "Training", "Clinic", "Duty", "Focus time")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_CLOSED = {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
"""Bank holidays in the calendar period (Boxing Day's substitute is Monday 28 December)."""
_QUIET = (date(2026, 12, 21), date(2027, 1, 1))
"""The Christmas weeks: team meetings are off and there are few other meetings."""
_CLOSURE = ((date(2026, 12, 24), date(2026, 12, 24)), (date(2026, 12, 29), date(2026, 12, 31)))
"""Working days many teams close between Christmas and New Year (taken as leave)."""
_BLOCKS = ((date(2026, 12, 14), date(2026, 12, 16)), (date(2026, 12, 17), date(2026, 12, 21)))
"""Multi-day leave of two attendees inside the demo's session window (14–21 Dec)."""


@dataclass(frozen=True)
class _Event:
    """One timed or all-day event in London local time (GMT all period)."""

    summary: str
    start: datetime | date
    end: datetime | date
    status: str = "busy"  # busy | tentative | oof | free


@dataclass(frozen=True)
class _Series:
    """A weekly or fortnightly meeting, written as one VEVENT with an RRULE.

    ``skipped`` are the dates of cancelled occurrences (EXDATE); ``moved``
    is one occurrence (by its original date) moved to a new start
    (RECURRENCE-ID).
    """

    key: str
    summary: str
    first: datetime
    minutes: int
    weeks: int = 1
    skipped: tuple[date, ...] = ()
    moved: tuple[date, datetime] | None = None

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def byday(self) -> str:
        return _WEEKDAYS[self.first.weekday()]

    def days(self) -> list[date]:
        """Every date the rule gives, before EXDATE."""
        out, day = [], self.first.date()
        while day <= _CAL_LAST:
            out.append(day)
            day += timedelta(weeks=self.weeks)
        return out

    def start_on(self, day: date) -> datetime:
        return datetime.combine(day, self.first.time())

    def occurrences(self) -> list[tuple[datetime, datetime]]:
        """The meeting's actual times: EXDATE removed, the moved one moved."""
        out = []
        for day in self.days():
            if day in self.skipped:
                continue
            begin = self.moved[1] if self.moved and self.moved[0] == day else self.start_on(day)
            out.append((begin, begin + self.length))
        return out


@dataclass(frozen=True)
class _Plan:
    """One person's working pattern, whatever program exports it."""

    team: _Series
    supervision: _Series
    meetings: tuple[_Event, ...]
    leave: tuple[tuple[date, date], ...]  # inclusive, merged, sorted
    free_day: date  # a working day marked free (working from home, study day)


def _fold(line: str) -> list[str]:
    """RFC 5545 line folding at 75 octets."""
    out: list[str] = []
    raw = line.encode("utf-8")
    while len(raw) > 75:
        cut = 75 if not out else 74
        while cut > 0 and (raw[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(raw[:cut].decode("utf-8"))
        raw = raw[cut:]
    out.append(raw.decode("utf-8"))
    return [out[0]] + [" " + part for part in out[1:]]


def _ics_text(lines: Iterable[str]) -> str:
    folded = [part for line in lines for part in _fold(line)]
    return "\r\n".join(folded) + "\r\n"


def _uid(email: str, key: str) -> str:
    return hashlib.sha256(f"{email}|{key}".encode()).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _working(day: date) -> bool:
    return day.weekday() < 5 and day not in _CLOSED


def _quiet(day: date) -> bool:
    return _QUIET[0] <= day <= _QUIET[1]


def _merge(ranges: Iterable[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    """Inclusive date ranges merged where they overlap or touch."""
    out: list[tuple[date, date]] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return tuple(out)


def _first_on(weekday: int, weeks_in: int = 0) -> date:
    """The first ``weekday`` of the period, ``weeks_in`` weeks on."""
    return _CAL_FIRST + timedelta(days=(weekday - _CAL_FIRST.weekday()) % 7, weeks=weeks_in)


def _plan(rng: random.Random, fixed_leave: Sequence[tuple[date, date]]) -> _Plan:
    """A realistic fortnight-after-fortnight: team meeting, supervision, 3–8 other
    meetings a week (0–2 over Christmas), a few days' leave."""
    working = [d for d in _days(_CAL_FIRST, _CAL_LAST) if _working(d)]
    ranges = list(fixed_leave)
    ranges += [r for r in _CLOSURE if rng.random() < 0.45]
    ranges += [(d, d) for d in rng.sample(working, rng.choice((0, 1, 1, 2)))]
    leave = _merge(ranges)
    off = {d for first, last in leave for d in _days(first, last)}

    weekday = rng.choice((0, 1, 1, 2, 2, 3, 3, 4))
    hour, minute = rng.choice(((9, 0), (9, 30), (10, 0), (10, 0), (14, 0)))
    team_first = datetime.combine(_first_on(weekday), time(hour, minute))
    team_days = [_first_on(weekday, k) for k in range(10)]
    skipped = tuple(d for d in team_days if _quiet(d) or not _working(d))
    moved_day = rng.choice([d for d in team_days[1:8] if d not in skipped])
    moved_to = moved_day + timedelta(days=1 if moved_day.weekday() < 4 else -1)
    team = _Series("team", "Team meeting", team_first, 60, skipped=skipped,
                   moved=(moved_day, datetime.combine(moved_to, time(rng.choice((11, 15)), 0))))

    weekday = rng.choice((0, 1, 2, 3, 4))
    hour, minute = rng.choice(((10, 0), (11, 0), (13, 30), (14, 0), (15, 0)))
    sup_first = datetime.combine(_first_on(weekday, rng.choice((0, 1))), time(hour, minute))
    supervision = _Series("supervision", "Supervision", sup_first, rng.choice((60, 90)), weeks=2)
    supervision = replace(supervision, skipped=tuple(d for d in supervision.days()
                                                     if not _working(d)))

    taken: dict[date, list[tuple[datetime, datetime]]] = {}
    for begin, end in team.occurrences() + supervision.occurrences():
        taken.setdefault(begin.date(), []).append((begin, end))
    meetings: list[_Event] = []
    for week in range(10):
        monday = _CAL_FIRST + timedelta(weeks=week)
        days = [d for d in _days(monday, monday + timedelta(days=4))
                if _working(d) and d not in off]
        wanted = rng.randint(0, 2) if _quiet(monday + timedelta(days=3)) else rng.randint(3, 8)
        placed = 0
        for _ in range(wanted * 6):
            if placed == wanted or not days:
                break
            day = rng.choice(days)
            length = timedelta(minutes=rng.choice((30, 45, 60, 60, 60, 90, 90, 120)))
            begin = datetime.combine(day, time(9)) + timedelta(minutes=30 * rng.randrange(16))
            end = begin + length
            if end > datetime.combine(day, time(17)) or any(
                    a < end and begin < b for a, b in taken.get(day, ())):
                continue
            taken.setdefault(day, []).append((begin, end))
            status = "tentative" if rng.random() < 0.15 else "busy"
            meetings.append(_Event(rng.choice(_AD_HOC), begin, end, status))
            placed += 1
    meetings.sort(key=lambda e: (e.start, e.summary))
    free_day = rng.choice([d for d in working if d not in off and not _quiet(d)] or working)
    return _Plan(team, supervision, tuple(meetings), leave, free_day)


# Outlook / Exchange

_OUTLOOK_TZ = (
    "BEGIN:VTIMEZONE", "TZID:GMT Standard Time",
    "BEGIN:STANDARD", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:16010101T010000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
    "END:VTIMEZONE",
)
_WINDOWS = "TZID=GMT Standard Time"
_CDO = {"busy": "BUSY", "tentative": "TENTATIVE", "oof": "OOF", "free": "FREE"}


def _outlook_event(email: str, key: str, event: _Event, extra: Sequence[str] = (),
                   recurrence_id: str | None = None) -> list[str]:
    uid = "040000008200E00074C5B7101A82E00800000000" + _uid(email, key)[:32].upper()
    all_day = not isinstance(event.start, datetime)
    lines = ["BEGIN:VEVENT", *extra, f"UID:{uid}"]
    if recurrence_id:
        lines.append(f"RECURRENCE-ID;{_WINDOWS}:{recurrence_id}")
    lines.append(f"SUMMARY;LANGUAGE=en-GB:{event.summary}")
    if all_day:
        lines += [f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{event.end:%Y%m%d}"]
    else:
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        lines += [f"DTSTART;{_WINDOWS}:{_stamp(event.start)}",
                  f"DTEND;{_WINDOWS}:{_stamp(event.end)}"]
    cdo = _CDO[event.status]
    lines += ["CLASS:PUBLIC", f"DTSTAMP:{_STAMP}",
              "TRANSP:" + ("TRANSPARENT" if event.status == "free" else "OPAQUE"),
              "STATUS:" + ("TENTATIVE" if event.status == "tentative" else "CONFIRMED"),
              f"X-MICROSOFT-CDO-BUSYSTATUS:{cdo}",
              "X-MICROSOFT-CDO-ALLDAYEVENT:" + ("TRUE" if all_day else "FALSE"),
              "X-MICROSOFT-CDO-INSTTYPE:" + ("3" if recurrence_id else "1" if extra else "0"),
              "END:VEVENT"]
    return lines


def _outlook_series(email: str, series: _Series) -> list[str]:
    begin = series.first
    rule = (f"RRULE:FREQ=WEEKLY;UNTIL={_UNTIL};INTERVAL={series.weeks};BYDAY={series.byday}"
            ";WKST=MO")
    extra = [rule]
    if series.skipped:
        extra.append(f"EXDATE;{_WINDOWS}:"
                     + ",".join(_stamp(series.start_on(d)) for d in series.skipped))
    lines = _outlook_event(email, series.key,
                           _Event(series.summary, begin, begin + series.length), extra)
    if series.moved:
        day, new = series.moved
        lines += _outlook_event(email, series.key,
                                _Event(series.summary, new, new + series.length),
                                recurrence_id=_stamp(series.start_on(day)))
    return lines


def _outlook(email: str, plan: _Plan) -> str:
    """Exchange/Outlook export: Windows zone, busy status, OOF leave, EXDATE and a moved
    instance."""
    lines = ["BEGIN:VCALENDAR", "METHOD:PUBLISH", "PRODID:Microsoft Exchange Server 2010",
             "VERSION:2.0", "X-WR-CALNAME:Calendar", *_OUTLOOK_TZ]
    lines += _outlook_series(email, plan.team) + _outlook_series(email, plan.supervision)
    for k, event in enumerate(plan.meetings):
        lines += _outlook_event(email, f"meeting-{k}", event)
    for k, (first, last) in enumerate(plan.leave):
        lines += _outlook_event(email, f"leave-{k}", _Event(
            "Annual leave", first, last + timedelta(days=1), "oof"))
    lines += _outlook_event(email, "wfh", _Event(
        "Working from home", plan.free_day, plan.free_day + timedelta(days=1), "free"))
    lines.append("END:VCALENDAR")
    return _ics_text(lines)


# Google Calendar

def _google_event(email: str, key: str, body: Sequence[str]) -> list[str]:
    uid = _uid(email, key)[:26] + "@google.com"
    return ["BEGIN:VEVENT", *body[:2], f"DTSTAMP:{_STAMP}", f"UID:{uid}", *body[2:],
            "END:VEVENT"]


def _z(moment: datetime) -> str:
    # London is on GMT for the whole calendar period, so local time equals UTC.
    return _stamp(moment) + "Z"


_GOOGLE_COMMON = ("CREATED:20260901T080000Z", "LAST-MODIFIED:20261101T080000Z", "LOCATION:",
                  "SEQUENCE:0")


def _google_series(email: str, series: _Series, cancel: date | None = None) -> list[str]:
    begin = series.first
    body = [f"DTSTART:{_z(begin)}", f"DTEND:{_z(begin + series.length)}",
            f"RRULE:FREQ=WEEKLY;WKST=MO;UNTIL={_UNTIL};"
            + (f"INTERVAL={series.weeks};" if series.weeks > 1 else "") + f"BYDAY={series.byday}"]
    body += [f"EXDATE:{_z(series.start_on(d))}" for d in series.skipped]
    body += [*_GOOGLE_COMMON, "STATUS:CONFIRMED", f"SUMMARY:{series.summary}", "TRANSP:OPAQUE"]
    lines = _google_event(email, series.key, body)
    changed = [(*series.moved, "CONFIRMED")] if series.moved else []
    if cancel is not None:
        changed.append((cancel, series.start_on(cancel), "CANCELLED"))
    for day, new, status in changed:
        lines += _google_event(email, series.key, [
            f"DTSTART:{_z(new)}", f"DTEND:{_z(new + series.length)}",
            f"RECURRENCE-ID:{_z(series.start_on(day))}", "CREATED:20260901T080000Z",
            "LAST-MODIFIED:20261110T080000Z", "LOCATION:", "SEQUENCE:1",
            f"STATUS:{status}", f"SUMMARY:{series.summary}", "TRANSP:OPAQUE"])
    return lines


def _google(email: str, plan: _Plan, rng: random.Random) -> str:
    """Google Calendar export: UTC times, working locations, a moved and a cancelled
    instance, tentative and declined invitations."""
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
             "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{email}", "X-WR-TIMEZONE:Europe/London"]
    lines += _google_series(email, plan.team)
    held = [b.date() for b, _ in plan.supervision.occurrences() if not _quiet(b.date())]
    lines += _google_series(email, plan.supervision, cancel=rng.choice(held[1:]))
    office = sorted(rng.sample(range(5), 2))
    for where, days in (("Office", office), ("Home", [d for d in range(5) if d not in office])):
        first = _first_on(days[0])
        lines += _google_event(email, f"location-{where}", [
            f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
            f"DTEND;VALUE=DATE:{first + timedelta(days=1):%Y%m%d}",
            f"RRULE:FREQ=WEEKLY;WKST=MO;UNTIL={_CAL_LAST:%Y%m%d};BYDAY="
            + ",".join(_WEEKDAYS[d] for d in days),
            *_GOOGLE_COMMON, "STATUS:CONFIRMED", f"SUMMARY:{where}", "TRANSP:TRANSPARENT"])
    declined = rng.randrange(len(plan.meetings)) if plan.meetings else -1
    for k, event in enumerate(plan.meetings):
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        answer = "DECLINED" if k == declined else \
            "TENTATIVE" if event.status == "tentative" else ""
        guest = [f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={answer};"
                 f"CN={email};X-NUM-GUESTS=0:mailto:{email}"] if answer else []
        lines += _google_event(email, f"meeting-{k}", [
            f"DTSTART:{_z(event.start)}", f"DTEND:{_z(event.end)}", *guest, *_GOOGLE_COMMON,
            "STATUS:CONFIRMED", f"SUMMARY:{event.summary}", "TRANSP:OPAQUE"])
    for k, (first, last) in enumerate(plan.leave):
        away = datetime.combine(first, time(0))
        back = datetime.combine(last + timedelta(days=1), time(0))
        lines += _google_event(email, f"ooo-{k}", [
            f"DTSTART:{_z(away)}", f"DTEND:{_z(back)}", *_GOOGLE_COMMON,
            "STATUS:CONFIRMED", "SUMMARY:Out of office", "TRANSP:OPAQUE",
            "X-GOOGLE-EVENT-TYPE:OUT_OF_OFFICE"])
    lines.append("END:VCALENDAR")
    return _ics_text(lines)


# macOS Calendar

_APPLE_TZ = (
    "BEGIN:VTIMEZONE", "TZID:Europe/London",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "DTSTART:19810329T010000", "TZNAME:BST", "TZOFFSETTO:+0100", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0100", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "DTSTART:19961027T020000", "TZNAME:GMT", "TZOFFSETTO:+0000", "END:STANDARD",
    "END:VTIMEZONE",
)
_LONDON = "TZID=Europe/London"


def _apple_event(email: str, key: str, body: Sequence[str]) -> list[str]:
    uid = str(uuid.UUID(_uid(email, key)[:32])).upper()
    return ["BEGIN:VEVENT", "CREATED:20260915T101500Z", f"UID:{uid}", *body,
            f"DTSTAMP:{_STAMP}", "SEQUENCE:0", "END:VEVENT"]


def _duration(length: timedelta) -> str:
    minutes = int(length.total_seconds()) // 60
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


def _apple_series(email: str, series: _Series) -> list[str]:
    body = [f"DTSTART;{_LONDON}:{_stamp(series.first)}", f"DURATION:{_duration(series.length)}",
            f"RRULE:FREQ=WEEKLY;INTERVAL={series.weeks};UNTIL={_UNTIL}"]
    if series.skipped:
        body.append(f"EXDATE;{_LONDON}:"
                    + ",".join(_stamp(series.start_on(d)) for d in series.skipped))
    body += [f"SUMMARY:{series.summary}", "TRANSP:OPAQUE"]
    lines = _apple_event(email, series.key, body)
    if series.moved:
        day, new = series.moved
        lines += _apple_event(email, series.key, [
            f"RECURRENCE-ID;{_LONDON}:{_stamp(series.start_on(day))}",
            f"DTSTART;{_LONDON}:{_stamp(new)}", f"DURATION:{_duration(series.length)}",
            f"SUMMARY:{series.summary}", "TRANSP:OPAQUE"])
    return lines


def _apple(email: str, plan: _Plan) -> str:
    """macOS Calendar export: TZID=Europe/London, DURATION, all-day leave."""
    lines = ["BEGIN:VCALENDAR", "METHOD:PUBLISH", "VERSION:2.0",
             "X-WR-CALNAME:Work", "PRODID:-//Apple Inc.//macOS 15.0//EN",
             "X-APPLE-CALENDAR-COLOR:#1BADF8", "X-WR-TIMEZONE:Europe/London",
             "CALSCALE:GREGORIAN", *_APPLE_TZ]
    lines += _apple_series(email, plan.team) + _apple_series(email, plan.supervision)
    for k, event in enumerate(plan.meetings):
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        lines += _apple_event(email, f"meeting-{k}", [
            f"DTSTART;{_LONDON}:{_stamp(event.start)}",
            f"DURATION:{_duration(event.end - event.start)}", f"SUMMARY:{event.summary}",
            *(["STATUS:TENTATIVE"] if event.status == "tentative" else []), "TRANSP:OPAQUE"])
    for k, (first, last) in enumerate(plan.leave):
        lines += _apple_event(email, f"leave-{k}", [
            f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
            f"DTEND;VALUE=DATE:{last + timedelta(days=1):%Y%m%d}",
            "SUMMARY:Annual leave", "TRANSP:OPAQUE"])
    lines += _apple_event(email, "study", [
        f"DTSTART;VALUE=DATE:{plan.free_day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{plan.free_day + timedelta(days=1):%Y%m%d}",
        "SUMMARY:Study day", "TRANSP:TRANSPARENT"])
    lines.append("END:VCALENDAR")
    return _ics_text(lines)


def _availability_rows(email: str, plan: _Plan) -> list[list[str]]:
    """The same working pattern as free/busy rows (recurring meetings expanded)."""
    def moment(value: datetime) -> str:
        return f"{value:%Y-%m-%dT%H:%M}"

    first = datetime.combine(_CAL_FIRST, time(0))
    last = datetime.combine(_CAL_LAST + timedelta(days=1), time(0))
    timed = [(b, e, "busy") for b, e in plan.team.occurrences() + plan.supervision.occurrences()]
    for event in plan.meetings:
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        timed.append((event.start, event.end, event.status))
    timed += [(datetime.combine(a, time(0)), datetime.combine(b + timedelta(days=1), time(0)),
               "oof") for a, b in plan.leave]
    return [[email, moment(first), moment(last), "free"]] + [
        [email, moment(b), moment(e), status] for b, e, status in sorted(timed)]


_PUBLIC_BODIES = ("Council", "NHS", "Constabulary", "Police", "Probation", "Youth Justice",
                  "Virtual School", "Medical Practice", "Early Help Hub", "Family Hubs")


def _style_for(organisation: str, sector: str | None) -> str:
    """Calendar program by employer: public bodies run Exchange, schools Google
    Workspace, other organisations Google or macOS (fixed per organisation)."""
    if any(word in organisation for word in _PUBLIC_BODIES):
        return "outlook"
    if sector == "Education":
        return "google"
    return "apple" if int(_uid(organisation, "style")[:8], 16) % 2 else "google"


@dataclass
class _Cast:
    """Who has which calendar in the sample."""

    ics: dict[str, str] = field(default_factory=dict)  # e-mail → style
    rows: list[str] = field(default_factory=list)  # in availability.csv
    unknown: list[str] = field(default_factory=list)  # no calendar at all
    leave: dict[str, list[tuple[date, date]]] = field(default_factory=dict)


def _calendar_people(ws: Workspace) -> _Cast:
    """Who has an ``.ics`` export, who is in ``availability.csv``, who has nothing.

    Every facilitator, requester and participant has a calendar except three
    participants in three different requests: the follow-up's last participant
    and two others. The follow-up's second participant and five other people
    are in ``availability.csv``; everyone else has an ``.ics`` file in their
    employer's style. Facilitators' calendars show their leave from
    ``leave.csv``; two attendees of other requests are away for several days
    of 14–21 December.
    """
    cast = _Cast()
    orgs: dict[str, str] = {f.email: f.organisation or "" for f in ws.facilitators}
    attending: dict[str, list[str]] = {}
    for req in ws.requests:
        people = [req.requester_email] + [normalise_email(p.email) for p in
                                          ws.participants_by_request.get(req.request_id, ())]
        for email in people:
            attending.setdefault(email, []).append(req.request_id)
        orgs.setdefault(req.requester_email, req.requester_organisation)
        for p in ws.participants_by_request.get(req.request_id, ()):
            orgs.setdefault(normalise_email(p.email), p.organisation)
    facilitators = {f.email for f in ws.facilitators}
    rng = random.Random(f"calendars:{len(ws.requests)}:{len(ws.facilitators)}")

    def plain(req: Request, required: bool = False) -> list[str]:
        """The request's participants who attend no other request and facilitate nothing."""
        return [e for p in ws.participants_by_request.get(req.request_id, ())
                if len(attending[e := normalise_email(p.email)]) == 1 and e not in facilitators
                and (p.attendance is Attendance.REQUIRED or not required)]

    follow = next((r for r in ws.requests if r.follow_up_of), None)
    special = {r.request_id for r in ws.requests
               if r.follow_up_of or r.preferred_facilitator_id}
    if follow is not None:
        attendees = [normalise_email(p.email)
                     for p in ws.participants_by_request.get(follow.request_id, ())]
        if len(attendees) > 2 and attendees[-1] in plain(follow):
            cast.unknown.append(attendees[-1])
        if len(attendees) > 1 and attendees[1] not in cast.unknown:
            cast.rows.append(attendees[1])
    # The newest requests tend to wait for a facilitator; pick from the others.
    others = [r for r in ws.requests[:-2] if r.request_id not in special and plain(r, True)]
    picked = rng.sample(others, min(len(others), 4))
    for req in picked[:2]:
        cast.unknown.append(rng.choice(plain(req)))
    for req, block in zip(picked[2:], _BLOCKS, strict=False):
        cast.leave.setdefault(rng.choice(plain(req, True)), []).append(block)
    for lv in ws.leave:
        if lv.end >= _CAL_FIRST and lv.start <= _CAL_LAST:
            email = ws.facilitator_by_id[lv.facilitator_id].email
            cast.leave.setdefault(email, []).append((max(lv.start, _CAL_FIRST),
                                                     min(lv.end, _CAL_LAST)))
    candidates = sorted(e for e in attending if e not in facilitators
                        and e not in cast.unknown and e not in cast.rows and e not in cast.leave)
    cast.rows += rng.sample(candidates, min(5, len(candidates)))
    for email in sorted(set(orgs) - set(cast.unknown) - set(cast.rows)):
        org = orgs[email]
        cast.ics[email] = _style_for(org, ws.sector_of_org.get(normalise_org(org)))
    return cast


def write_sample_calendars(ws: Workspace, folder: Path) -> list[Path]:
    """Write sample ``.ics`` exports and ``availability.csv`` for ``ws``'s people.

    Parameters
    ----------
    ws
        The workspace (normally :func:`sample_workspace`).
    folder
        Created when missing. Gets one ``<email>.ics`` per person with an
        export (Outlook, Google or macOS style by employer; 23 Nov 2026 –
        31 Jan 2027; recurring meetings as one event each; generic
        summaries only) and ``availability.csv`` (email, start, end,
        status) for a few people without one. Three participants have no
        calendar at all (see :func:`_calendar_people`).

    Returns
    -------
    list of Path
        The files written, ``.ics`` files first (by e-mail).
    """
    folder.mkdir(parents=True, exist_ok=True)
    cast = _calendar_people(ws)
    written: list[Path] = []
    for email, style in cast.ics.items():
        rng = random.Random(f"ics:{email}")
        plan = _plan(rng, cast.leave.get(email, ()))
        text = _outlook(email, plan) if style == "outlook" else \
            _google(email, plan, rng) if style == "google" else _apple(email, plan)
        path = folder / f"{email.lower()}.ics"
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    path = folder / "availability.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["email", "start", "end", "status"])
        for email in cast.rows:
            plan = _plan(random.Random(f"rows:{email}"), cast.leave.get(email, ()))
            writer.writerows(_availability_rows(email, plan))
    written.append(path)
    return written


# Command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jags.generate OUT [--requests N] [--facilitators M] [--seed S] [--sample]``."""
    parser = argparse.ArgumentParser(prog="python -m jags.generate",
                                     description="Write a synthetic JAGS workspace.")
    parser.add_argument("out", type=Path, help="folder to write")
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--facilitators", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 9))
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--no-gaps", action="store_true", help="no incomplete facilitators")
    parser.add_argument("--sample", action="store_true",
                        help="write the bundled sample (with calendars) instead")
    args = parser.parse_args(argv)
    if args.sample:
        write_sample(args.out)
    else:
        ws = generate_workspace(args.requests, args.facilitators, seed=args.seed,
                                start=args.start, days=args.days, with_gaps=not args.no_gaps)
        write_workspace(ws, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
