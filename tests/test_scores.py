"""Soft independence and preferences: one definition, checked against the rules as
DESIGN.md states them, pair by pair."""

from __future__ import annotations

from datetime import date

import numpy as np
from builders import ON, fac, part, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import Mode, PastSession, Policy, build_instance, normalise_org

NORFOLK = Policy.preset("norfolk")


def _penalty(inst, r: int, f: int) -> int:
    """Stage-3 penalty straight from DESIGN.md, one pair at a time (a test oracle)."""
    fac, req, ws = inst.facilitators[f], inst.requests[r], inst.workspace
    weights = inst.policy.penalties
    sectors = {
        ws.sector_of_org[o].casefold() for o in inst.network_orgs[r] if o in ws.sector_of_org
    }
    seen = {
        e for h in ws.history if h.facilitator_id == fac.facilitator_id for e in h.attendees
    }  # the strategies' history is within the look-back
    return (
        (weights.same_sector if fac.sector and fac.sector.casefold() in sectors else 0)
        + (
            weights.same_locality
            if fac.locality
            and req.locality
            and normalise_org(fac.locality) == normalise_org(req.locality)
            else 0
        )
        + (weights.worked_alongside if seen & inst.network_emails[r] else 0)
    )


def _preference(inst, r: int, f: int) -> int:
    fac, req = inst.facilitators[f], inst.requests[r]
    likes = inst.policy.preferences
    topic = normalise_org(req.topic or "")
    same_place = bool(
        fac.locality and req.locality and normalise_org(fac.locality) == normalise_org(req.locality)
    )
    return (
        (
            likes.specialism_match
            if topic and topic in {normalise_org(s) for s in fac.specialisms}
            else 0
        )
        + (likes.locality_in_person if req.mode is Mode.IN_PERSON and same_place else 0)
        + (
            likes.named_facilitator
            if req.preferred_facilitator_id == fac.facilitator_id and not req.preference_rationale
            else 0
        )
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_soft_scores_match_the_rules_and_their_words(ws) -> None:
    inst = build_instance(ws, NORFOLK, ON)
    for r, edges in enumerate(inst.edges):
        for k, f in enumerate(edges):
            assert inst.penalty[r][k] == _penalty(inst, r, f)
            assert inst.penalty[r][k] == sum(w for _, w in inst.penalty_terms(r, f))
            assert inst.preference[r][k] == _preference(inst, r, f)


def test_penalty_terms_name_each_concern_with_its_weight() -> None:
    history = [
        PastSession(
            request_id="R0",
            facilitator_id="F1",
            held_on=date(2026, 6, 1),
            attendees=("pc@police.example",),
        )
    ]
    ws = workspace(
        [
            fac("F1", "Org A", sector="Police", locality="Norwich"),
            fac("F9", "Police Org", sector="police"),
        ],
        [req("R1", locality="norwich")],
        participants=[part("R1", "pc@police.example", "Police Org")],
        history=history,
    )
    inst = build_instance(ws, NORFOLK, ON)
    weights = NORFOLK.penalties
    assert inst.penalty_terms(0, 0) == [
        ("same sector as the case network (Police)", weights.same_sector),
        ("same locality", weights.same_locality),
        ("worked alongside a participant in the last 12 months", weights.worked_alongside),
    ]
    quiet = build_instance(ws, NORFOLK.replace(penalties={"same_locality": 0}), ON)
    assert [words for words, _ in quiet.penalty_terms(0, 0)] == [
        "same sector as the case network (Police)",
        "worked alongside a participant in the last 12 months",
    ]


def test_scores_of_many_pairs_at_once() -> None:
    ws = workspace(
        [
            fac("F1", "Org A", specialisms=("Neglect",), locality="Norwich"),
            fac("F2", "Org B", locality="Breckland"),
        ],
        [
            req("R1", topic="neglect", mode="in_person", locality="Norwich"),
            req("R2", preferred_facilitator_id="F2", day=17),
        ],
    )
    inst = build_instance(ws, NORFOLK, ON)
    likes = NORFOLK.preferences
    r = np.asarray([1, 1, 0, 0])  # R2 is older: index 0
    f = np.asarray([0, 1, 0, 1])
    assert inst.scores.preference(r, f).tolist() == [
        likes.specialism_match + likes.locality_in_person,
        0,
        0,
        likes.named_facilitator,
    ]
    assert inst.scores.penalty(r, f).tolist() == [NORFOLK.penalties.same_locality, 0, 0, 0]
