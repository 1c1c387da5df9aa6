"""Demand: arrivals per working day (Poisson or resampled from history) and case networks
drawn from the workspace's organisations by sector mix."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from scenario_files import SAMPLE

from allocator import Participant, Policy, Request, WorkingCalendar, normalise_org
from jags.cells import LONDON
from jags.scenarios.demand import (
    CaseMix,
    DemandPlan,
    arrival_time,
    daily_counts,
    history_pools,
    make_request,
    surge_factors,
)
from jags.scenarios.dists import Fixed, Uniform
from jags.scenarios.prepare import working_days
from jags.workspace import read_workspace

CAL = WorkingCalendar()
DAYS = working_days(CAL, date(2027, 1, 4), 500)


def test_poisson_arrivals_have_the_rate_per_working_day() -> None:
    counts = daily_counts(DemandPlan((1.0,) * len(DAYS), rate=2.0), DAYS, np.random.default_rng(1))
    assert abs(np.mean(counts) - 2.0) < 0.15
    assert abs(np.var(counts) - 2.0) < 0.4  # Poisson: the variance is the mean


def test_a_surge_adds_requests_on_its_days_and_changes_nothing_else() -> None:
    surge = (date(2027, 2, 1), date(2027, 3, 26), 1.5)
    base = daily_counts(
        DemandPlan(surge_factors(DAYS, []), rate=1.0), DAYS, np.random.default_rng(5)
    )
    more = daily_counts(
        DemandPlan(surge_factors(DAYS, [surge]), rate=1.0), DAYS, np.random.default_rng(5)
    )
    inside = [surge[0] <= d <= surge[1] for d in DAYS]
    assert all(m == b for m, b, i in zip(more, base, inside, strict=True) if not i)
    assert all(m >= b for m, b in zip(more, base, strict=True))
    during = sum(1 for i in inside if i)
    assert during == 39  # eight weeks, less Good Friday (26 March 2027)
    extra = sum(m - b for m, b in zip(more, base, strict=True))
    assert 0.2 * during < extra < 0.8 * during  # about half a request a day more


def test_history_counts_each_request_on_its_day_zero() -> None:
    cutoff = Policy.preset("norfolk").cutoff
    received = [
        datetime(2027, 1, 4, 10, tzinfo=LONDON),  # Monday
        datetime(2027, 1, 4, 17, 30, tzinfo=LONDON),  # after the cut-off: Tuesday
        datetime(2027, 1, 9, 11, tzinfo=LONDON),  # Saturday: Monday 11th
        datetime(2027, 1, 11, 9, tzinfo=LONDON),
    ]
    pools = history_pools(received, CAL, cutoff)
    assert pools.by_weekday_month[(0, 1)] == (1, 2)  # Mondays 4th and 11th January
    assert pools.by_weekday_month[(1, 1)] == (1,)
    assert pools.by_weekday_month[(4, 1)] == (0,)  # Friday 8th: nothing
    assert pools.overall == (1, 1, 0, 0, 0, 2)
    with pytest.raises(ValueError, match="no received dates"):
        history_pools([], CAL, cutoff)


def test_resampling_draws_each_day_from_its_weekday_and_month() -> None:
    cutoff = time(17)
    received = []
    day = date(2025, 1, 1)
    while day < date(2026, 1, 1):  # Mondays busy (3), Fridays quiet (0), others 1
        if CAL.is_working_day(day) and day.weekday() != 4:
            for _ in range(3 if day.weekday() == 0 else 1):
                received.append(datetime.combine(day, time(10), tzinfo=LONDON))
        day += timedelta(days=1)
    plan = DemandPlan((1.0,) * 60, pools=history_pools(received, CAL, cutoff))
    counts = daily_counts(plan, DAYS[:60], np.random.default_rng(2))
    for d, n in zip(DAYS[:60], counts, strict=True):
        assert n == {0: 3, 4: 0}.get(d.weekday(), 1)
    doubled = daily_counts(
        DemandPlan((2.0,) * 60, pools=plan.pools), DAYS[:60], np.random.default_rng(2)
    )
    assert doubled == [2 * n for n in counts]


def test_case_networks_come_from_the_workspace_organisations_by_sector_mix() -> None:
    ws = read_workspace(SAMPLE)
    mix = CaseMix.from_workspace(
        ws, Uniform(dist="uniform", low=2, high=4), sector_mix={"health": 3, "Police": 1}
    )
    known = {normalise_org(o.organisation) for o in ws.organisations} | {
        normalise_org(f.organisation or "") for f in ws.facilitators
    }
    rng = np.random.default_rng(3)
    sectors = Counter()
    sector_of = ws.sector_of_org
    for k in range(400):
        net = mix.draw(rng.random(mix.max_draws).tolist(), f"C{k}")
        people = (net.requester, *net.participants)
        assert 1 <= len(net.participants) <= 4
        assert len({p.email for p in people}) == len(people)
        for person in people:
            assert normalise_org(person.organisation) in known
            sectors[sector_of[normalise_org(person.organisation)]] += 1
    assert set(sectors) == {"Health", "Police"}
    assert 2.4 < sectors["Health"] / sectors["Police"] < 3.7


def test_by_default_the_mix_is_the_workspaces_own_and_its_people_are_reused() -> None:
    ws = read_workspace(SAMPLE)
    mix = CaseMix.from_workspace(ws, Fixed(value=3))
    requesters = Counter(
        ws.sector_of_org[normalise_org(r.requester_organisation)] for r in ws.requests
    )
    weights = dict(zip(mix.sectors, mix.requester_weights, strict=True))
    assert {s: w for s, w in weights.items() if w} == dict(requesters)
    emails = {p.email for staff in mix.people.values() for p in staff}
    assert {r.requester_email for r in ws.requests} <= emails
    assert all(len(staff) >= 4 for staff in mix.people.values())
    assert not emails & {f.email for f in ws.facilitators} - {p.email for p in ws.participants}


def test_an_unknown_sector_in_the_mix_is_named() -> None:
    with pytest.raises(KeyError, match="Helth"):
        CaseMix.from_workspace(read_workspace(SAMPLE), Fixed(value=2), sector_mix={"Helth": 1})


def test_simulated_requests_are_valid_engine_records() -> None:
    ws = read_workspace(SAMPLE)
    mix = CaseMix.from_workspace(ws, Uniform(dist="uniform", low=2, high=5))
    rng = np.random.default_rng(4)
    for k in range(50):
        net = mix.draw(rng.random(mix.max_draws).tolist(), f"SIM-CASE-{k}")
        when = arrival_time(date(2027, 1, 4), float(rng.random()), time(9), time(17))
        request, participants = make_request(f"S{k}", when, net)
        assert Request.model_validate(request.model_dump()) == request
        assert all(Participant.model_validate(p.model_dump()) == p for p in participants)
        assert time(9) <= request.received_at.time() < time(17)
        assert request.received_at.tzinfo is not None
