"""Tests for :mod:`jags.generate_vocabulary`: the lists fit together."""

from __future__ import annotations

from jags.generate_vocabulary import (
    COUNTYWIDE,
    DISTRICT_COUNCILS,
    FACILITATOR_SECTORS,
    LOCALITIES,
    LOCALITY_WEIGHTS,
    PARTICIPANT_SECTORS,
    PLACES,
    RATIONALES,
    REQUESTER_SECTORS,
    SECTORS,
)


def test_weights_match_their_lists() -> None:
    assert len(LOCALITY_WEIGHTS) == len(LOCALITIES)
    for weights in (FACILITATOR_SECTORS, REQUESTER_SECTORS, PARTICIPANT_SECTORS):
        assert len(weights) == len(SECTORS) and all(w > 0 for w in weights)


def test_every_locality_has_places_and_a_council() -> None:
    assert set(PLACES) == set(DISTRICT_COUNCILS) == set(LOCALITIES)
    assert all(len(places) >= 5 for places in PLACES.values())
    domains = [domain for _, domain in DISTRICT_COUNCILS.values()]
    assert len(set(domains)) == len(domains)


def test_every_sector_has_a_countywide_employer() -> None:
    assert {sector for _, sector, _, _, _ in COUNTYWIDE} == set(SECTORS)
    assert {locality for _, _, locality, _, _ in COUNTYWIDE} <= set(LOCALITIES)
    domains = [domain for _, _, _, domain, _ in COUNTYWIDE]
    assert len(set(domains)) == len(domains)


def test_rationales_name_no_one() -> None:
    for text in RATIONALES:
        assert text.format(topic="neglect")
        assert "{" not in text.format(topic="neglect")
