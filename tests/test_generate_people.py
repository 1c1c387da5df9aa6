"""Tests for :mod:`jags.generate_people`: invented organisations and professionals."""

from __future__ import annotations

import random
from datetime import date

from allocator.models import Attendance
from jags.generate_people import (
    OrgIndex,
    People,
    make_network,
    organisations,
    plus_years,
    slug,
    weekday_on_or_before,
)
from jags.generate_vocabulary import LOCALITIES, SECTORS


def test_people_are_unique_by_email_and_reused_within_an_organisation() -> None:
    rng = random.Random(1)
    orgs = organisations(rng, 30, 40)
    people = People(rng)
    made = [people.new(orgs[0]) for _ in range(300)]
    assert len({p.email for p in made}) == 300
    assert all(p.email.endswith(f"@{orgs[0].domain}.example") for p in made)
    picked = [people.pick(orgs[1], reuse=0.9) for _ in range(50)]
    assert len({p.email for p in picked}) < 50  # colleagues come back


def test_organisations_scale_with_the_workspace() -> None:
    small = organisations(random.Random(2), 10, 10)
    large = organisations(random.Random(2), 3000, 600)
    assert len(large) > len(small)
    assert {o.sector for o in small} == set(SECTORS)
    assert len({o.name for o in large}) == len(large)


def test_the_index_picks_in_sector_and_locality_and_avoids() -> None:
    rng = random.Random(3)
    index = OrgIndex(organisations(rng, 30, 40))
    for sector in SECTORS:
        for locality in LOCALITIES:
            org = index.pick(rng, sector, locality)
            assert org is not None and org.sector == sector
            assert org.countywide or org.locality == locality
    only = [o.name for o in index.choices["Police", "Norwich"][0]]
    assert index.pick(rng, "Police", "Norwich", avoid=only) is None


def test_a_network_has_distinct_organisations_bar_one_colleague() -> None:
    rng = random.Random(4)
    index = OrgIndex(organisations(rng, 30, 40))
    people = People(rng)
    requester = people.new(index.pick(rng, "Health", "Norwich"))  # type: ignore[arg-type]
    for _ in range(50):
        network = make_network(rng, people, index, "Norwich", requester, 6)
        orgs = [p.org.name for p, _ in network]
        assert len(set(orgs)) >= len(orgs) - 1
        assert network[0][1] is Attendance.REQUIRED
        assert requester not in [p for p, _ in network]


def test_small_helpers() -> None:
    assert slug("King's Lynn & West  Norfolk") == "kings-lynn-west-norfolk"
    assert plus_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert weekday_on_or_before(date(2026, 11, 22)) == date(2026, 11, 20)  # Sunday → Friday
