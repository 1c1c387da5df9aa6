"""Demand: how many requests arrive each working day, and who is in their case networks.

Arrivals are Poisson per working day (a rate, scaled by any surge) or
resampled from a history of received dates by weekday and month. Each day's
count is drawn by inverse transform from one uniform number per day, so a
scenario with more demand sees the baseline's requests plus some more.

A simulated request's requester and participants are drawn from the
workspace's organisations by sector mix, and from a small pool of
professionals per organisation, so the independence rules (shared
organisation, worked alongside) bite as in life.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from allocator.models import Mode, Participant, Request, normalise_org
from allocator.workdays import DEFAULT_ZONE
from jags.scenarios.dists import poisson_quantile

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from allocator import WorkingCalendar, Workspace
    from jags.scenarios.dists import Delay

__all__ = ["CaseMix", "DemandPlan", "HistoryPools", "Network", "daily_counts", "history_pools"]


# How many requests arrive ---------------------------------------------------


@dataclass(frozen=True)
class HistoryPools:
    """Requests received per historical working day, grouped for resampling.

    ``by_weekday_month[(weekday, month)]`` lists the counts of every
    historical working day with that weekday and month (0 for a day with
    none); ``by_weekday`` and ``overall`` are the fallbacks when a weekday
    and month were never seen.
    """

    by_weekday_month: Mapping[tuple[int, int], tuple[int, ...]]
    by_weekday: Mapping[int, tuple[int, ...]]
    overall: tuple[int, ...]

    def pool(self, day: date) -> tuple[int, ...]:
        """The counts to draw from for a simulated ``day``."""
        return (
            self.by_weekday_month.get((day.weekday(), day.month))
            or self.by_weekday.get(day.weekday())
            or self.overall
        )


def history_pools(
    received: Iterable[datetime], calendar: WorkingCalendar, cutoff: time
) -> HistoryPools:
    """Group a history of received date-times into counts per working day.

    Each request counts on its day 0 (the engine's rule: the day received,
    or the next working day when received on a non-working day or at or
    after ``cutoff``). Every working day from the first to the last day 0 is
    in a pool, with 0 for days when nothing arrived.

    Parameters
    ----------
    received
        When each request was received (aware, or naive meaning London time).
    calendar
        The policy's working days.
    cutoff
        The policy's cut-off time.

    Raises
    ------
    ValueError
        When ``received`` is empty.
    """
    counts = Counter(calendar.day_zero(moment, cutoff) for moment in received)
    if not counts:
        raise ValueError("the history has no received dates")
    by_weekday_month: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_weekday: dict[int, list[int]] = defaultdict(list)
    overall: list[int] = []
    for day in calendar.working_days(min(counts), max(counts)):
        n = counts.get(day, 0)
        by_weekday_month[(day.weekday(), day.month)].append(n)
        by_weekday[day.weekday()].append(n)
        overall.append(n)
    return HistoryPools(
        {k: tuple(v) for k, v in by_weekday_month.items()},
        {k: tuple(v) for k, v in by_weekday.items()},
        tuple(overall),
    )


@dataclass(frozen=True)
class DemandPlan:
    """Arrivals per working day of the period: a Poisson rate or history pools,
    times a factor per day (surges and the scenario's demand factor)."""

    factors: tuple[float, ...]
    rate: float | None = None
    pools: HistoryPools | None = None


def daily_counts(plan: DemandPlan, days: Sequence[date], rng: np.random.Generator) -> list[int]:
    """Requests arriving on each working day, from the arrivals stream ``rng``.

    Two uniform numbers per day, drawn whatever the plan, so that every
    scenario reads the same numbers for the same day: the first picks the
    count (Poisson inverse transform, or a day of the history pool), the
    second rounds a scaled history count up or down.
    """
    u = rng.random((len(days), 2))
    counts: list[int] = []
    for d, day in enumerate(days):
        factor = plan.factors[d]
        if plan.rate is not None:
            counts.append(poisson_quantile(float(u[d, 0]), plan.rate * factor))
            continue
        assert plan.pools is not None
        pool = plan.pools.pool(day)
        base = pool[min(int(u[d, 0] * len(pool)), len(pool) - 1)]
        counts.append(int(base * factor + u[d, 1]) if factor != 1 else base)
    return counts


def surge_factors(
    days: Sequence[date], surges: Iterable[tuple[date, date, float]], factor: float = 1.0
) -> tuple[float, ...]:
    """``factor`` times every surge covering each day."""
    surges = list(surges)
    out = []
    for day in days:
        f = factor
        for start, end, by in surges:
            if start <= day <= end:
                f *= by
        out.append(f)
    return tuple(out)


# Who is in the case network -------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A professional who can ask for a JAGS or take part in one."""

    email: str
    name: str
    organisation: str


@dataclass(frozen=True)
class Network:
    """A simulated request's case network (requester first)."""

    case_ref: str
    requester: Person
    participants: tuple[Person, ...]
    locality: str | None
    mode: Mode
    topic: str | None

    @property
    def emails(self) -> tuple[str, ...]:
        return (self.requester.email, *(p.email for p in self.participants))


_MODES = (Mode.EITHER, Mode.EITHER, Mode.IN_PERSON, Mode.ONLINE)
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CaseMix:
    """Organisations by sector, people by organisation, and the sector weights
    requesters and participants are drawn with.

    Build it with :meth:`from_workspace`.
    """

    sectors: tuple[str, ...]
    requester_weights: tuple[float, ...]
    participant_weights: tuple[float, ...]
    organisations: tuple[tuple[str, ...], ...]
    """Per sector: its organisations."""
    people: Mapping[str, tuple[Person, ...]]
    """Organisation → its professionals."""
    participants: Delay
    localities: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    _cumulative: tuple[tuple[float, ...], tuple[float, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "_cumulative",
            (_cumulate(self.requester_weights), _cumulate(self.participant_weights)),
        )

    @classmethod
    def from_workspace(
        cls,
        workspace: Workspace,
        participants: Delay,
        *,
        sector_mix: Mapping[str, float] | None = None,
        people_per_organisation: int = 4,
    ) -> CaseMix:
        """Organisations and people from a workspace.

        Parameters
        ----------
        workspace
            Its organisations (``organisations.csv`` and the facilitators'
            own), and the requesters and participants of its requests.
        participants
            How many professionals are invited besides the requester.
        sector_mix
            Sector → weight for requesters and participants alike (default:
            the sectors of the workspace's requesters and of its
            participants, counted separately; every sector alike when the
            workspace has no requests). Names are matched ignoring case.
        people_per_organisation
            The workspace's people are kept and each organisation is filled
            up to this many with generated professionals (default 4).

        Raises
        ------
        KeyError
            A ``sector_mix`` sector that no organisation has (the message is the sector).
        """
        names: dict[str, str] = {}
        sector_of: dict[str, str] = {}
        for f in workspace.facilitators:
            if f.organisation and f.sector:
                key = normalise_org(f.organisation)
                names.setdefault(key, f.organisation)
                sector_of.setdefault(key, f.sector)
        for o in workspace.organisations:
            key = normalise_org(o.organisation)
            names.setdefault(key, o.organisation)
            sector_of[key] = o.sector
        sector_names: dict[str, str] = {}
        for sector in sorted(sector_of.values()):
            sector_names.setdefault(sector.casefold(), sector)
        sectors = tuple(sorted(sector_names.values()))
        orgs_in = {
            s: sorted(names[k] for k, v in sector_of.items() if v.casefold() == s.casefold())
            for s in sectors
        }
        people = _people(workspace, names, people_per_organisation)
        if sector_mix is not None:
            weights_by = {s.casefold(): w for s, w in sector_mix.items()}
            for s in sector_mix:
                if s.casefold() not in sector_names:
                    raise KeyError(s)
            weights = tuple(float(weights_by.get(s.casefold(), 0.0)) for s in sectors)
            requester_w = participant_w = weights
        else:
            requester_w = _observed(
                sectors, sector_of, [r.requester_organisation for r in workspace.requests]
            )
            participant_w = _observed(
                sectors, sector_of, [p.organisation for p in workspace.participants]
            )
        localities = tuple(sorted({f.locality for f in workspace.facilitators if f.locality}))
        topics = tuple(sorted({s for f in workspace.facilitators for s in f.specialisms}))
        return cls(
            sectors,
            requester_w,
            participant_w,
            tuple(tuple(orgs_in[s]) for s in sectors),
            people,
            participants,
            localities,
            topics,
        )

    def sector_index(self, name: str) -> int:
        """The index of a sector, matched ignoring case (``ValueError`` when unknown)."""
        for i, s in enumerate(self.sectors):
            if s.casefold() == name.casefold():
                return i
        raise ValueError(name)

    @property
    def max_draws(self) -> int:
        """Uniform numbers one network uses (fixed, so streams stay aligned)."""
        return 7 + 3 * self.participants.highest

    def draw(self, u: Sequence[float], case_ref: str) -> Network:
        """A case network from ``max_draws`` uniform numbers."""
        requester = self._person(u[0], u[1], u[2], self._cumulative[0])
        n = self.participants.draw(u[3])
        chosen: list[Person] = []
        seen = {requester.email}
        for k in range(n):
            person = self._person(u[7 + 3 * k], u[8 + 3 * k], u[9 + 3 * k], self._cumulative[1])
            if person.email not in seen:
                seen.add(person.email)
                chosen.append(person)
        locality = self.localities[int(u[4] * len(self.localities))] if self.localities else None
        mode = _MODES[int(u[5] * len(_MODES))]
        topic = self.topics[int(u[6] * len(self.topics))] if self.topics else None
        return Network(case_ref, requester, tuple(chosen), locality, mode, topic)

    def _person(
        self, u_sector: float, u_org: float, u_person: float, cumulative: tuple[float, ...]
    ) -> Person:
        s = min(int(np.searchsorted(cumulative, u_sector, side="right")), len(cumulative) - 1)
        orgs = self.organisations[s]
        org = orgs[min(int(u_org * len(orgs)), len(orgs) - 1)]
        staff = self.people[org]
        return staff[min(int(u_person * len(staff)), len(staff) - 1)]


def make_request(
    request_id: str, received_at: datetime, network: Network, follow_up_of: str | None = None
) -> tuple[Request, tuple[Participant, ...]]:
    """The engine's records for a simulated request and its participants.

    Built without re-validation: every value comes from validated workspace
    records or from the generator's own well-formed ones (a test checks that
    they validate).
    """
    req = Request.model_construct(
        request_id=request_id,
        received_at=received_at,
        requester_name=network.requester.name,
        requester_email=network.requester.email,
        requester_organisation=network.requester.organisation,
        case_ref=network.case_ref,
        family_ref=None,
        locality=network.locality,
        mode=network.mode,
        topic=network.topic,
        preferred_facilitator_id=None,
        preference_rationale=None,
        follow_up_of=follow_up_of,
    )
    parts = tuple(
        Participant.model_construct(
            request_id=request_id, name=p.name, email=p.email, organisation=p.organisation
        )
        for p in network.participants
    )
    return req, parts


def arrival_time(
    day: date, u: float, opens: time, cutoff: time, zone: str = DEFAULT_ZONE
) -> datetime:
    """A moment on ``day`` between ``opens`` and the cut-off (local time in ``zone``,
    default the policy default)."""
    start = datetime.combine(day, opens, tzinfo=ZoneInfo(zone))
    end = datetime.combine(day, cutoff, tzinfo=ZoneInfo(zone))
    minutes = int((end - start).total_seconds() // 60)
    return start + timedelta(minutes=min(int(u * minutes), max(minutes - 1, 0)))


def _cumulate(weights: Sequence[float]) -> tuple[float, ...]:
    total = sum(weights)
    if total <= 0:
        raise ValueError("no sector has any weight")
    running = 0.0
    out = []
    for w in weights:
        running += w
        out.append(running / total)
    return tuple(out)


def _observed(
    sectors: Sequence[str], sector_of: Mapping[str, str], organisations: Sequence[str]
) -> tuple[float, ...]:
    """Weights from the sectors of ``organisations`` (all alike when none is known)."""
    seen = Counter(
        sector_of[k].casefold() for k in map(normalise_org, organisations) if k in sector_of
    )
    if not seen:
        return tuple(1.0 for _ in sectors)
    return tuple(float(seen.get(s.casefold(), 0)) for s in sectors)


def _people(
    workspace: Workspace, names: Mapping[str, str], per_org: int
) -> dict[str, tuple[Person, ...]]:
    """Every organisation's professionals: the workspace's own, then generated ones."""
    found: dict[str, dict[str, Person]] = {names[k]: {} for k in names}

    def add(email: str, name: str, organisation: str) -> None:
        key = normalise_org(organisation)
        if key in names:
            found[names[key]].setdefault(email, Person(email, name, names[key]))

    for r in workspace.requests:
        add(r.requester_email, r.requester_name, r.requester_organisation)
    for p in workspace.participants:
        add(p.email, p.name, p.organisation)
    taken = {f.email for f in workspace.facilitators}
    out: dict[str, tuple[Person, ...]] = {}
    for org in sorted(found):
        staff = sorted(found[org].values(), key=lambda p: p.email)
        slug = _SLUG.sub("-", org.casefold()).strip("-")[:40] or "organisation"
        n = 1
        while len(staff) < per_org:
            email = f"professional{n}@{slug}.example"
            if email not in taken and all(p.email != email for p in staff):
                staff.append(Person(email, f"Professional {n}", org))
            n += 1
        out[org] = tuple(staff)
    return out
