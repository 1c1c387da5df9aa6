"""Tests for :mod:`jags.generate_drafts`: drafts numbered and assembled into a workspace."""

from __future__ import annotations

from datetime import date, datetime

from allocator.models import Attendance, Mode
from jags.generate_drafts import Fac, Past, Req, assemble
from jags.generate_people import Org, Person

COUNCIL = Org("Norfolk County Council", "Children's Services", "Norwich", "norfolk", 1.0, True)
SCHOOL = Org("Wensum Primary School", "Education", "Norwich", "wensum", 0.2, False)
TRUST = Org("Norfolk Community Health Trust", "Health", "Norwich", "nch", 1.0, True)


def _person(first: str, org: Org) -> Person:
    return Person(f"{first} Smith", f"{first.lower()}.smith@{org.domain}.example", org)


def _fac(first: str, org: Org, max_open: int = 2) -> Fac:
    return Fac(
        person=_person(first, org),
        sector=org.sector,
        locality="Norwich",
        trained_on=date(2025, 1, 6),
        training_expires=None,
        max_open=max_open,
        can_lead=True,
        specialisms=("Neglect",),
        active=True,
        leave=[(date(2026, 11, 16), date(2026, 11, 18))],
        open_jags=max_open,  # recounted from the earlier JAGS, not taken as drawn
    )


def _req(first: str, follow_up: Past | None = None, preferred: int | None = None) -> Req:
    return Req(
        received_at=datetime(2026, 11, 9, 10, 30),
        locality="Norwich",
        requester=_person(first, SCHOOL),
        participants=[(_person("Amy", TRUST), Attendance.REQUIRED)],
        case_ref="CASE-1234",
        family_ref=None,
        mode=Mode.ONLINE,
        topic="Neglect",
        preferred=preferred,
        rationale="Knows the family" if preferred is not None else None,
        follow_up=follow_up,
    )


def test_drafts_are_numbered_and_open_loads_recounted() -> None:
    facs = [_fac("Ben", COUNCIL), _fac("Cara", TRUST)]
    later = Past(0, date(2026, 10, 5), date(2026, 10, 20), date(2026, 10, 20), ["a@b.example"])
    earlier = Past(1, date(2026, 9, 1), None, None, ["c@d.example"])
    still_open = Past(0, date(2026, 10, 5), None, None, ["e@f.example"])
    reqs = [_req("Dan", follow_up=later), _req("Eve", preferred=1)]
    ws = assemble(
        facs,
        reqs,
        [later, earlier, still_open],
        [(1, "CASE-1234", None, "Knows the school")],
        [COUNCIL, SCHOOL, TRUST],
    )
    assert [f.facilitator_id for f in ws.facilitators] == ["F001", "F002"]
    assert [f.open_jags for f in ws.facilitators] == [1, 1]
    assert [r.request_id for r in ws.requests] == ["R-0001", "R-0002"]
    # Earlier JAGS in order allocated (then by facilitator): H-0001 is the oldest.
    assert [(h.request_id, h.facilitator_id) for h in ws.history] == [
        ("H-0001", "F002"),
        ("H-0002", "F001"),
        ("H-0003", "F001"),
    ]
    assert ws.requests[0].follow_up_of == "H-0002"
    assert ws.requests[1].preferred_facilitator_id == "F002"
    assert ws.requests[1].preference_rationale == "Knows the family"
    assert [lv.facilitator_id for lv in ws.leave] == ["F001", "F002"]
    assert [(i.facilitator_id, i.case_ref) for i in ws.involvements] == [("F002", "CASE-1234")]
    assert [p.request_id for p in ws.participants] == ["R-0001", "R-0002"]
    assert {o.organisation: o.locality for o in ws.organisations} == {
        COUNCIL.name: None,
        SCHOOL.name: "Norwich",
        TRUST.name: None,
    }


def test_numbers_widen_with_the_counts() -> None:
    facs = [_fac(f"F{i}", COUNCIL if i % 2 else TRUST, max_open=1) for i in range(1000)]
    ws = assemble(facs, [], [], [], [COUNCIL, TRUST])
    assert ws.facilitators[0].facilitator_id == "F0001"
    assert ws.facilitators[-1].facilitator_id == "F1000"
    assert all(f.open_jags == 0 for f in ws.facilitators)
