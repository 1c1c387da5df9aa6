"""The rows of explanations.csv: the default product, the full one, and the work each
takes (never a scan of every facilitator for every waiting request)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from builders import ON, fac, part, req, workspace
from hypothesis import HealthCheck, given, settings
from strategies import workspaces

from allocator import Explainer, Involvement, Policy, allocate
from allocator.eligibility import Instance
from jags.generate import generate_workspace

NORFOLK = Policy.preset("norfolk")


def default_rows(explainer: Explainer) -> list:
    return [e for block in explainer.blocks() for e in explainer.row_maker.expand(block)]


def test_default_rows_of_an_allocated_and_a_waiting_request() -> None:
    ws = workspace(
        [
            fac("F1", "Org A", max_open=1),
            fac("F2", "Org X", max_open=1, open_jags=1),
            fac("F3", "Org X"),
            fac("F4", "Org C", active=False),
        ],
        [req("R1", "Org X", day=17), req("R2", "Org B", day=18)],
        participants=[part("R2", "f3@fac.example", "Org B")],
        involvements=[Involvement(facilitator_id="F4", case_ref="CASE-R2")],
    )
    result = allocate(ws, NORFOLK, on=ON)
    explainer = Explainer(result.instance, result.chosen)
    rows = [tuple(e) for e in default_rows(explainer)]
    assert rows == [
        # R1 (older) gets F1; F2 and F3 work for Org X, the requester's organisation (F2
        # is also at capacity: the rule about the case is what R1's rows say).
        (
            "R1",
            "",
            False,
            "shares_organisation",
            "2 facilitator(s) work for Org X, an organisation in the case network: F2 F3",
        ),
        ("R1", "F1", True, "chosen", "allocated; 1 of 1 open JAGS after this batch"),
        # R2 waits: its one eligible facilitator, F1, went to R1; F3 is a participant and
        # F4 (inactive too) has an involvement with the case.
        (
            "R2",
            "",
            True,
            "stage_2_oldest_first",
            "all 1 eligible facilitators are full after this batch, 1 of them with places "
            "given to older requests (each facilitator's places are in their status)",
        ),
        ("R2", "F3", False, "is_participant", "is the requester or a participant in this case"),
        ("R2", "F4", False, "prior_involvement", "has prior involvement with the case or family"),
    ]
    assert explainer.facilitator_status() == [
        ("F1", "available", "1 of 1 open JAGS after this batch; places went to R1", 0, 1),
        ("F2", "at_capacity", "already at 1 of 1 open JAGS", 1, 1),
        ("F3", "available", "0 of 2 open JAGS after this batch", 0, 2),
        ("F4", "inactive", "not active in the facilitator network", 0, 2),
    ]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_default_rows_account_for_every_pair_of_the_full_product(ws) -> None:
    result = allocate(ws, NORFOLK, on=ON)
    inst = result.instance
    explainer = Explainer(inst, result.chosen)
    full = {(e.request_id, e.facilitator_id): e for e in explainer.rows()}
    status = {fid: code for fid, code, *_ in explainer.facilitator_status()}
    for r, request in enumerate(inst.requests):
        rid = request.request_id
        block = explainer.row_maker.block(r)
        mine = list(explainer.row_maker.expand(block))
        named = {e.facilitator_id: e for e in mine if e.facilitator_id}
        by_org = {
            f
            for e in mine
            if not e.facilitator_id and not e.eligible
            for f in e.detail.split(": ")[-1].split()
        }
        summary = [e for e in mine if not e.facilitator_id and e.eligible]
        assert not set(named) & by_org
        unnamed = 0
        for fac_ in inst.facilitators:
            fid = fac_.facilitator_id
            row = full[rid, fid]
            if fid in named:  # the same row, or the rule about the case first
                mine_row = named[fid]
                assert mine_row.eligible == row.eligible
                if row.eligible or status[fid] == "available":
                    assert mine_row.code == row.code
            elif fid in by_org:
                assert row.code in ("shares_organisation", status[fid])
            elif row.eligible:  # full after the batch: counted in the summary row
                assert len(summary) == 1
                assert row.code in ("stage_1_most_allocated", "stage_2_oldest_first")
                unnamed += 1
            else:
                assert row.code == status[fid] != "available"
        counted = int(re.findall(r"\d+", summary[0].detail)[0]) if summary else 0
        assert counted == unnamed


def test_requests_never_scan_the_facilitators(monkeypatch: pytest.MonkeyPatch) -> None:
    ws = generate_workspace(240, 40, seed=5)
    result = allocate(ws, NORFOLK, on=ON)
    inst = result.instance
    waiting = [r for r in range(inst.n_requests) if r not in result.chosen]
    assert len(waiting) > 100 and len(result.chosen) > 20
    explainer = Explainer(inst, result.chosen)
    explainer.unblock(waiting[0])  # builds the shared indexes, once
    calls: Counter[str] = Counter()
    for name in ("eligible", "shares_organisation", "request_codes", "edges_of"):
        original = getattr(Instance, name)

        def counted(
            self: Instance, *args: object, _name: str = name, _original: object = original
        ) -> object:
            calls[_name] += 1
            return _original(self, *args)  # type: ignore[operator]

        monkeypatch.setattr(Instance, name, counted)
    for r in range(inst.n_requests):
        explainer.reason(r)
        explainer.row_maker.block(r)
    assert calls == Counter()  # per request: its own exclusions and its own rows only
