"""The day's state handed to the engine: open loads and declined pairs."""

from __future__ import annotations

import pytest
from builders import ON, fac, req, workspace

from allocator import DayState, PastSession, Policy, allocate
from allocator.explain import Explainer

NORFOLK = Policy.preset("norfolk")
BEDS = Policy.preset("bedfordshire")


def test_state_replaces_the_hand_kept_open_load() -> None:
    ws = workspace(
        [fac("F1", "Org A", max_open=1, open_jags=1), fac("F2", "Org B", max_open=1)], [req("R1")]
    )
    # Without a state F1 is full (open_jags 1 of 1) and F2 takes the request.
    assert allocate(ws, NORFOLK, on=ON).facilitators_of("R1") == ("F2",)
    # The ledger says F1 has nothing open and F2 is full.
    result = allocate(ws, NORFOLK, on=ON, state=DayState.of({"F1": 0, "F2": 1}))
    assert result.facilitators_of("R1") == ("F1",)
    codes = {e.facilitator_id: e.code for e in Explainer(result.instance, result.chosen).rows()}
    assert codes["F2"] == "at_capacity"


def test_open_history_rows_count_as_open_load_without_a_state() -> None:
    history = [
        PastSession(request_id="H1", facilitator_id="F1"),
        PastSession(request_id="H2", facilitator_id="F1", closed_on=ON),
    ]
    ws = workspace(
        [fac("F1", "Org A", max_open=1), fac("F2", "Org B", max_open=1)],
        [req("R1")],
        history=history,
    )
    result = allocate(ws, NORFOLK, on=ON)
    assert result.instance.open_load == [1, 0]
    assert result.facilitators_of("R1") == ("F2",)


def test_open_load_is_the_larger_of_open_jags_and_open_history_never_the_sum() -> None:
    history = [PastSession(request_id="H1", facilitator_id="F1")]
    ws = workspace([fac("F1", "Org A", max_open=3, open_jags=2)], [req("R1")], history=history)
    assert allocate(ws, NORFOLK, on=ON).instance.open_load == [2]


def test_a_declined_facilitator_is_excluded_from_that_request_only() -> None:
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org B", max_open=1)], [req("R1", day=17), req("R2", day=18)]
    )
    state = DayState.of({}, declined=[("R1", "F1")])
    result = allocate(ws, NORFOLK, on=ON, state=state)
    assert result.facilitators_of("R1") == ("F2",)
    assert result.facilitators_of("R2") == ("F1",)
    rows = {
        (e.request_id, e.facilitator_id): e
        for e in Explainer(result.instance, result.chosen).rows()
    }
    assert rows["R1", "F1"].code == "declined"
    assert not rows["R1", "F1"].eligible


def test_a_request_every_facilitator_declined_waits_and_says_so() -> None:
    ws = workspace([fac("F1", "Org A")], [req("R1")])
    result = allocate(ws, NORFOLK, on=ON, state=DayState.of(declined=[("R1", "F1")]))
    assert result.facilitators_of("R1") == ()
    assert "declined this request earlier" in result.reasons["R1"]


def test_declined_pairs_hold_for_co_facilitation_too() -> None:
    ws = workspace([fac("F1", "Org A"), fac("F2", "Org B"), fac("F3", "Org C")], [req("R1")])
    result = allocate(ws, BEDS, on=ON, state=DayState.of(declined=[("R1", "F2")]))
    assert set(result.facilitators_of("R1")) == {"F1", "F3"}
    assert result.check() == []


def test_with_a_state_history_requests_are_not_skipped() -> None:
    # The ledger hands over only the requests waiting; one in history is a past JAGS
    # (follow-ups, worked alongside), not a reason to skip.
    history = [PastSession(request_id="R1", facilitator_id="F1", closed_on=ON)]
    ws = workspace([fac("F1", "Org A")], [req("R1")], history=history)
    assert allocate(ws, NORFOLK, on=ON).instance.n_requests == 0
    assert allocate(ws, NORFOLK, on=ON, state=DayState.of()).instance.n_requests == 1


def test_a_state_is_immutable_and_refuses_negative_loads() -> None:
    state = DayState.of({"F1": 1})
    with pytest.raises(TypeError):
        state.open_load["F1"] = 2  # type: ignore[index]
    with pytest.raises(ValueError, match="negative"):
        DayState.of({"F1": -1})
