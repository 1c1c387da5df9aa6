"""One tiny exact model per hard rule, pins and the soft penalties."""

from __future__ import annotations

from datetime import date

from builders import ON, fac, part, req, workspace

from allocator import (
    Code,
    Involvement,
    Leave,
    PastSession,
    Policy,
    allocate,
    build_instance,
    pair_code,
)

NORFOLK = Policy.preset("norfolk")


def code_for(ws, fid: str = "F1", rid: str = "R1", on: date = ON) -> Code | None:
    inst = build_instance(ws, NORFOLK, on)
    r = next(i for i, x in enumerate(inst.requests) if x.request_id == rid)
    f = next(i for i, x in enumerate(inst.facilitators) if x.facilitator_id == fid)
    return pair_code(inst, r, f)


def test_eligible_facilitator_has_no_code() -> None:
    assert code_for(workspace([fac("F1")], [req("R1")])) is None


def test_rule_1_not_trained_before_training_date_or_after_expiry() -> None:
    assert (
        code_for(workspace([fac("F1", trained_on=date(2026, 11, 21))], [req("R1")]))
        is Code.NOT_TRAINED
    )
    assert (
        code_for(workspace([fac("F1", training_expires=date(2026, 11, 19))], [req("R1")]))
        is Code.NOT_TRAINED
    )
    assert (
        code_for(workspace([fac("F1", training_expires=date(2026, 11, 20))], [req("R1")])) is None
    )


def test_rule_1_training_lapses_after_policy_months() -> None:
    ws = workspace([fac("F1", trained_on=date(2024, 11, 1))], [req("R1")])
    inst = build_instance(ws, NORFOLK.replace(training_valid_months=24), ON)
    assert pair_code(inst, 0, 0) is Code.NOT_TRAINED
    inst = build_instance(ws, NORFOLK.replace(training_valid_months=36), ON)
    assert pair_code(inst, 0, 0) is None


def test_rule_2_inactive() -> None:
    assert code_for(workspace([fac("F1", active=False)], [req("R1")])) is Code.INACTIVE


def test_rule_2_on_leave_on_batch_date() -> None:
    leave = [Leave(facilitator_id="F1", start=date(2026, 11, 19), end=date(2026, 11, 20))]
    assert code_for(workspace([fac("F1")], [req("R1")], leave=leave)) is Code.ON_LEAVE


def test_rule_2_on_leave_for_whole_expected_window_but_not_part_of_it() -> None:
    # Batch Fri 20 Nov; confirmation expected 5 working days later (27 Nov);
    # window 10–15 working days after: 11 Dec to 18 Dec 2026.
    inst = build_instance(workspace([fac("F1")], [req("R1")]), NORFOLK, ON)
    assert inst.window == (date(2026, 12, 11), date(2026, 12, 18))
    whole = [Leave(facilitator_id="F1", start=date(2026, 12, 10), end=date(2026, 12, 19))]
    assert code_for(workspace([fac("F1")], [req("R1")], leave=whole)) is Code.ON_LEAVE
    part_ = [Leave(facilitator_id="F1", start=date(2026, 12, 10), end=date(2026, 12, 17))]
    assert code_for(workspace([fac("F1")], [req("R1")], leave=part_)) is None


def test_rule_3_shares_organisation_ignoring_case_and_spacing() -> None:
    ws = workspace(
        [fac("F1", "Norfolk  Constabulary")],
        [req("R1", "Org X")],
        participants=[part("R1", "pc@police.example", "norfolk constabulary")],
    )
    assert code_for(ws) is Code.SHARES_ORGANISATION
    ws = workspace([fac("F1", "org x")], [req("R1", "Org X")])
    assert code_for(ws) is Code.SHARES_ORGANISATION


def test_rule_4_prior_involvement_with_case_or_family() -> None:
    by_case = [Involvement(facilitator_id="F1", case_ref="CASE-R1")]
    assert (
        code_for(workspace([fac("F1")], [req("R1")], involvements=by_case))
        is Code.PRIOR_INVOLVEMENT
    )
    by_family = [Involvement(facilitator_id="F1", family_ref="FAM-9")]
    ws = workspace([fac("F1")], [req("R1", family_ref="FAM-9")], involvements=by_family)
    assert code_for(ws) is Code.PRIOR_INVOLVEMENT
    other = [Involvement(facilitator_id="F1", family_ref="FAM-8")]
    ws = workspace([fac("F1")], [req("R1", family_ref="FAM-9")], involvements=other)
    assert code_for(ws) is None


def test_rule_5_is_participant_or_requester() -> None:
    ws = workspace(
        [fac("F1", email="Sam@Fac.example")],
        [req("R1")],
        participants=[part("R1", "sam@fac.example", "Org Y")],
    )
    assert code_for(ws) is Code.IS_PARTICIPANT
    ws = workspace([fac("F1", email="r1@req.example")], [req("R1")])
    assert code_for(ws) is Code.IS_PARTICIPANT


def test_rule_6_at_capacity() -> None:
    assert (
        code_for(workspace([fac("F1", max_open=2, open_jags=2)], [req("R1")])) is Code.AT_CAPACITY
    )
    assert code_for(workspace([fac("F1", max_open=0)], [req("R1")])) is Code.AT_CAPACITY


def test_rule_6_batch_never_exceeds_personal_maximum() -> None:
    ws = workspace([fac("F1", max_open=2, open_jags=1)], [req("R1"), req("R2"), req("R3")])
    result = allocate(ws, NORFOLK, on=ON)
    assert result.summary["allocated"] == 1


def test_rule_7_missing_data_excludes_and_flags() -> None:
    for field in ("organisation", "sector", "trained_on", "max_open"):
        ws = workspace([fac("F1", **{field: None})], [req("R1")])
        assert code_for(ws) is Code.MISSING_DATA
        inst = build_instance(ws, NORFOLK, ON)
        assert field in inst.facilitator_detail[0]


def test_pin_follow_up_keeps_facilitator_even_when_sharing_organisation() -> None:
    history = [PastSession(request_id="R0", facilitator_id="F2")]
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org X")],
        [req("R1", "Org X", follow_up_of="R0")],
        history=history,
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.facilitators_of("R1") == ("F2",)
    assert result.assignments[0].status == "pinned"
    assert "follow-up" in result.reasons["R1"]
    assert "overrides the shared-organisation rule" in result.reasons["R1"]


def test_pin_named_with_rationale_overrides_shared_organisation_only() -> None:
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org X")],
        [
            req(
                "R1",
                "Org X",
                preferred_facilitator_id="F2",
                preference_rationale="knows the network",
            )
        ],
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.facilitators_of("R1") == ("F2",)
    assert result.assignments[0].status == "pinned"


def test_named_without_rationale_is_only_a_preference() -> None:
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org X")],
        [req("R1", "Org X", preferred_facilitator_id="F2")],
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.facilitators_of("R1") == ("F1",)
    assert result.assignments[0].status == "allocated"


def test_pin_breaking_another_rule_is_not_honoured_and_reason_says_so() -> None:
    leave = [Leave(facilitator_id="F2", start=ON, end=ON)]
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org B")],
        [req("R1", preferred_facilitator_id="F2", preference_rationale="asked for")],
        leave=leave,
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.facilitators_of("R1") == ("F1",)
    assert result.assignments[0].status == "allocated"
    assert "Named facilitator F2 not honoured: on leave" in result.reasons["R1"]
    involved = [Involvement(facilitator_id="F2", case_ref="CASE-R1")]
    ws = workspace(
        [fac("F2", "Org B")],
        [req("R1", preferred_facilitator_id="F2", preference_rationale="asked for")],
        involvements=involved,
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.facilitators_of("R1") == ()
    assert "prior involvement" in result.reasons["R1"]


def test_penalties_same_sector_locality_and_worked_alongside() -> None:
    history = [
        PastSession(
            request_id="R0",
            facilitator_id="F1",
            held_on=date(2026, 6, 1),
            attendees=("pc@police.example",),
        )
    ]
    ws = workspace(
        [fac("F1", "Org A", sector="Police", locality="Norwich")],
        [req("R1", locality="norwich")],
        participants=[part("R1", "pc@police.example", "Police Org")],
        history=history,
    )
    ws = ws.replace(facilitators=(*ws.facilitators, fac("F9", "Police Org", sector="Police")))
    inst = build_instance(ws, NORFOLK, ON)
    weights = NORFOLK.penalties
    assert inst.penalty_of(0, 0) == (
        weights.same_sector + weights.same_locality + weights.worked_alongside
    )


def test_worked_alongside_looks_back_twelve_months_only() -> None:
    history = [
        PastSession(
            request_id="R0",
            facilitator_id="F1",
            held_on=date(2025, 10, 1),
            attendees=("pc@police.example",),
        )
    ]
    ws = workspace(
        [fac("F1", "Org A")],
        [req("R1")],
        participants=[part("R1", "pc@police.example", "Police Org")],
        history=history,
    )
    assert build_instance(ws, NORFOLK, ON).penalty_of(0, 0) == 0


def test_requests_after_batch_date_or_in_history_are_skipped() -> None:
    history = [PastSession(request_id="R2", facilitator_id="F1")]
    ws = workspace([fac("F1")], [req("R1"), req("R2"), req("R3", day=21)], history=history)
    inst = build_instance(ws, NORFOLK, ON)
    assert [r.request_id for r in inst.requests] == ["R1"]
    assert dict(inst.skipped).keys() == {"R2", "R3"}


def test_allocate_by_uses_cutoff_and_working_days() -> None:
    ws = workspace(
        [fac("F1")],
        [req("R1", day=18, hour=16, minute=59), req("R2", day=18, hour=17), req("R3", day=14)],
    )
    inst = build_instance(ws, NORFOLK, ON)
    by_id = {r.request_id: d for r, d in zip(inst.requests, inst.allocate_by, strict=True)}
    assert by_id == {
        "R3": date(2026, 11, 18),  # Saturday → day 0 Monday 16th
        "R1": date(2026, 11, 20),
        "R2": date(2026, 11, 23),
    }
