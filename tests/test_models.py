"""Tests for allocator.models: frozen records, normalisation, workspace checks, scenarios."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from allocator.errors import Issue, WorkspaceError
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

CASE = "CASE-7731"
FAMILY = "FAM-2208"


def fac(facilitator_id: str = "F1", **fields: Any) -> Facilitator:
    """A complete facilitator; ``fields`` override the defaults."""
    values: dict[str, Any] = {
        "facilitator_id": facilitator_id,
        "name": f"Facilitator {facilitator_id}",
        "email": f"{facilitator_id.lower()}@health.example",
        "organisation": "Norfolk Community Health",
        "sector": "Health",
        "trained_on": date(2025, 1, 10),
        "max_open": 3,
    }
    return Facilitator(**{**values, **fields})


def req(request_id: str = "R1", **fields: Any) -> Request:
    """A request from a school; ``fields`` override the defaults."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "received_at": datetime(2026, 6, 1, 10, 0),
        "requester_name": "Carol Tate",
        "requester_email": "carol@school.example",
        "requester_organisation": "Hill School",
        "case_ref": CASE,
    }
    return Request(**{**values, **fields})


def part(request_id: str, email: str, organisation: str, **fields: Any) -> Participant:
    """A participant of ``request_id``."""
    return Participant(
        request_id=request_id,
        name=f"Participant {email}",
        email=email,
        organisation=organisation,
        **fields,
    )


def leave(
    facilitator_id: str, start: date = date(2026, 6, 1), end: date = date(2026, 6, 5)
) -> Leave:
    return Leave(facilitator_id=facilitator_id, start=start, end=end)


def where(error: WorkspaceError) -> list[tuple[str, int | None, str]]:
    """The (table, row, column) of every issue, in order."""
    return [(i.table, i.row, i.column) for i in error.issues]


# Normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "norfolk constabulary",
        "Norfolk  Constabulary",
        "NORFOLK CONSTABULARY",
        "  Norfolk Constabulary  ",
        "Norfolk\tConstabulary",
        "Norfolk\u00a0Constabulary",  # non-breaking space, as pasted from a web page
    ],
)
def test_normalise_org_ignores_case_and_spacing(variant: str) -> None:
    assert normalise_org(variant) == normalise_org("Norfolk Constabulary")


def test_normalise_org_keeps_different_organisations_apart() -> None:
    assert normalise_org("Norfolk Constabulary") != normalise_org("Suffolk Constabulary")
    assert normalise_org("NHS Trust A") != normalise_org("NHS Trust B")


def test_normalise_email() -> None:
    assert normalise_email("  Alice.Smith@Health.Example ") == "alice.smith@health.example"


def test_emails_are_lower_cased_everywhere() -> None:
    assert fac(email=" Alice.Smith@NHS.Example ").email == "alice.smith@nhs.example"
    assert (
        req(requester_email="Carol.Tate@School.EXAMPLE").requester_email
        == "carol.tate@school.example"
    )
    assert part("R1", "Dan.Ray@Council.Example", "Council").email == "dan.ray@council.example"
    past = PastSession(
        request_id="H1",
        facilitator_id="F1",
        attendees=("Dan.Ray@Council.Example", " ", "EVE@police.example"),
    )
    assert past.attendees == ("dan.ray@council.example", "eve@police.example")


@pytest.mark.parametrize("bad", ["no-at-sign.example", "", "  "])
def test_emails_must_be_addresses(bad: str) -> None:
    with pytest.raises(ValidationError):
        fac(email=bad)
    with pytest.raises(ValidationError):
        req(requester_email=bad)
    with pytest.raises(ValidationError):
        part("R1", bad, "Council")


def test_text_fields_are_stripped() -> None:
    f = fac(organisation="  Norfolk Community Health  ", facilitator_id=" F1 ")
    assert f.organisation == "Norfolk Community Health"
    assert f.facilitator_id == "F1"


# Frozen records -----------------------------------------------------------------


def test_records_are_frozen() -> None:
    f = fac()
    with pytest.raises(ValidationError):
        f.max_open = 10  # type: ignore[misc]
    r = req()
    with pytest.raises(ValidationError):
        r.case_ref = "CASE-0001"  # type: ignore[misc]
    assert f.max_open == 3
    assert r.case_ref == CASE


def test_records_reject_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        fac(favourite_colour="blue")


def test_record_replace_validates_and_leaves_the_original() -> None:
    f = fac(specialisms=["neglect", "exploitation"])
    assert f.specialisms == ("neglect", "exploitation")
    g = f.replace(max_open=5, active=False)
    assert (g.max_open, g.active) == (5, False)
    assert (f.max_open, f.active) == (3, True)
    assert g.specialisms == f.specialisms
    with pytest.raises(ValidationError):
        f.replace(max_open=-1)
    with pytest.raises(ValidationError):
        f.replace(email="nobody")


def test_defaults() -> None:
    f = fac()
    assert (f.open_jags, f.can_lead, f.active, f.specialisms) == (0, True, True, ())
    r = req()
    assert r.mode is Mode.EITHER
    assert part("R1", "a@b.example", "Org").attendance is Attendance.REQUIRED
    assert req(mode="in_person").mode is Mode.IN_PERSON
    with pytest.raises(ValidationError):
        req(mode="by carrier pigeon")


# Facilitator.missing_fields -----------------------------------------------------


def test_complete_facilitator_has_no_missing_fields() -> None:
    assert fac().missing_fields == ()


def test_missing_fields_lists_each_empty_field_the_rules_need() -> None:
    bare = Facilitator(facilitator_id="F9", name="New Starter", email="new@council.example")
    assert bare.missing_fields == ("organisation", "sector", "trained_on", "max_open")
    assert fac(sector=None).missing_fields == ("sector",)
    assert fac(organisation="   ").missing_fields == ("organisation",)  # blank cell
    assert fac(trained_on=None, max_open=None).missing_fields == ("trained_on", "max_open")


def test_zero_capacity_is_not_missing() -> None:
    assert fac(max_open=0).missing_fields == ()


def test_optional_fields_are_not_required() -> None:
    assert fac(locality=None, training_expires=None).missing_fields == ()


def test_org_key() -> None:
    assert fac(organisation="Norfolk  Constabulary").org_key == normalise_org(
        "norfolk constabulary"
    )
    assert fac(organisation=None).org_key == ""


# Leave, Involvement -------------------------------------------------------------


def test_leave_end_before_start_is_rejected() -> None:
    with pytest.raises(ValidationError, match="end is before start"):
        leave("F1", date(2026, 6, 5), date(2026, 6, 4))


def test_leave_of_one_day_is_allowed() -> None:
    one = leave("F1", date(2026, 6, 5), date(2026, 6, 5))
    assert one.start == one.end


def test_involvement_needs_a_case_or_family_ref() -> None:
    with pytest.raises(ValidationError, match="case_ref or a family_ref"):
        Involvement(facilitator_id="F1")
    with pytest.raises(ValidationError, match="case_ref or a family_ref"):
        Involvement(facilitator_id="F1", case_ref="  ", family_ref="", note="spoke to school")
    assert Involvement(facilitator_id="F1", case_ref=CASE).case_ref == CASE
    assert Involvement(facilitator_id="F1", family_ref=FAMILY).family_ref == FAMILY


# Workspace checks ---------------------------------------------------------------


def valid_workspace() -> Workspace:
    return Workspace(
        facilitators=(
            fac("F1"),
            fac(
                "F2",
                organisation="Norfolk Constabulary",
                sector="Police",
                email="f2@police.example",
            ),
        ),
        leave=(leave("F1"),),
        requests=(
            req("R1"),
            req(
                "R2",
                follow_up_of="H1",
                preferred_facilitator_id="F2",
                preference_rationale="knows the network",
            ),
        ),
        participants=(part("R1", "dan@council.example", "Norfolk County Council"),),
        involvements=(Involvement(facilitator_id="F2", case_ref=CASE),),
        history=(PastSession(request_id="H1", facilitator_id="F2"),),
    )


def test_a_consistent_workspace_is_accepted() -> None:
    ws = valid_workspace()
    assert ws.check() == []
    assert set(ws.facilitator_by_id) == {"F1", "F2"}
    assert set(ws.request_by_id) == {"R1", "R2"}
    assert ws.history_by_id["H1"].facilitator_id == "F2"
    assert [lv.facilitator_id for lv in ws.leave_by_facilitator["F1"]] == ["F1"]
    assert "F2" not in ws.leave_by_facilitator


def test_workspace_lists_every_issue_with_table_row_and_column() -> None:
    with pytest.raises(WorkspaceError) as info:
        Workspace(
            facilitators=(fac("F1"), fac("F2"), fac("F1")),
            leave=(leave("F1"), leave("F7")),
            requests=(
                req("R1", preferred_facilitator_id="F9", follow_up_of="H9"),
                req("R2"),
                req("R1"),
            ),
            participants=(
                part("R1", "a@council.example", "Council"),
                part("R5", "b@council.example", "Council"),
            ),
            involvements=(Involvement(facilitator_id="F8", case_ref=CASE),),
            history=(PastSession(request_id="H1", facilitator_id="F6"),),
        )
    error = info.value
    assert where(error) == [
        ("facilitators", 2, "facilitator_id"),
        ("requests", 2, "request_id"),
        ("leave", 1, "facilitator_id"),
        ("participants", 1, "request_id"),
        ("involvements", 0, "facilitator_id"),
        ("history", 0, "facilitator_id"),
        ("requests", 0, "preferred_facilitator_id"),
        ("requests", 0, "follow_up_of"),
    ]
    messages = [i.message for i in error.issues]
    for expected, message in zip(
        ["F1", "R1", "F7", "R5", "F8", "F6", "F9", "H9"], messages, strict=True
    ):
        assert repr(expected) in message
    assert "duplicate" in messages[0]
    assert "unknown facilitator" in messages[2]
    assert "unknown request" in messages[3]
    assert "not in history" in messages[7]
    assert str(error) == f"{messages[0]} (and 7 more)"
    assert all(isinstance(i, Issue) for i in error.issues)


def test_workspace_issues_never_carry_case_or_family_refs() -> None:
    with pytest.raises(WorkspaceError) as info:
        Workspace(
            requests=(req("R1", family_ref=FAMILY, preferred_facilitator_id="F9"),),
            involvements=(Involvement(facilitator_id="F9", case_ref=CASE, family_ref=FAMILY),),
        )
    assert len(info.value.issues) == 2
    for text in [str(info.value), *(i.message for i in info.value.issues)]:
        assert CASE not in text
        assert FAMILY not in text


def test_duplicate_history_and_organisations_are_issues() -> None:
    with pytest.raises(WorkspaceError) as info:
        Workspace(
            facilitators=(fac("F1"),),
            history=(
                PastSession(request_id="H1", facilitator_id="F1"),
                PastSession(request_id="H1", facilitator_id="F1"),
            ),
            organisations=(
                Organisation(organisation="Hill School", sector="Education"),
                Organisation(organisation="hill  school", sector="Education"),
            ),
        )
    assert where(info.value) == [
        ("history", 1, "facilitator_id"),
        ("organisations", 1, "organisation"),
    ]


def test_a_co_facilitated_jags_has_one_history_row_per_facilitator() -> None:
    ws = Workspace(
        facilitators=(fac("F1"), fac("F2")),
        history=(
            PastSession(request_id="H1", facilitator_id="F2", role="co"),
            PastSession(request_id="H1", facilitator_id="F1", role="lead"),
        ),
    )
    assert ws.history_by_id["H1"].facilitator_id == "F1"  # the lead
    assert ws.open_history == {"F1": 1, "F2": 1}


def test_a_request_cannot_follow_itself() -> None:
    with pytest.raises(WorkspaceError) as info:
        Workspace(
            facilitators=(fac("F1"),),
            requests=(req("R1", follow_up_of="R1"),),
            history=(PastSession(request_id="R1", facilitator_id="F1"),),
        )
    assert where(info.value) == [("requests", 0, "follow_up_of")]
    assert "itself" in info.value.issues[0].message


def test_ids_are_case_sensitive_references() -> None:
    with pytest.raises(WorkspaceError) as info:
        Workspace(facilitators=(fac("F1"),), leave=(leave("f1"),))
    assert where(info.value) == [("leave", 0, "facilitator_id")]


def test_record_errors_surface_before_the_workspace_check() -> None:
    with pytest.raises(ValidationError):
        Workspace(facilitators=({"facilitator_id": "F1", "name": "A", "email": "nobody"},))


# Copy-and-freeze ----------------------------------------------------------------


def test_workspace_copies_the_lists_it_is_given() -> None:
    facilitators = [fac("F1"), fac("F2")]
    ws = Workspace(facilitators=facilitators)
    facilitators.append(fac("F3"))
    facilitators[0] = fac("F1", max_open=9)
    assert [f.facilitator_id for f in ws.facilitators] == ["F1", "F2"]
    assert ws.facilitators[0].max_open == 3
    assert isinstance(ws.facilitators, tuple)


def test_workspace_is_frozen() -> None:
    ws = valid_workspace()
    with pytest.raises(ValidationError):
        ws.facilitators = ()  # type: ignore[misc]
    assert len(ws.facilitators) == 2


def test_replace_makes_a_new_checked_workspace_and_leaves_the_baseline() -> None:
    baseline = valid_workspace()
    before = baseline.model_dump()
    assert set(baseline.facilitator_by_id) == {"F1", "F2"}  # indexes built before the change

    fewer_health = tuple(f for f in baseline.facilitators if f.sector != "Health")
    extra = fac(
        "F3",
        organisation="Norfolk County Council",
        sector="Children's Services",
        email="f3@council.example",
    )
    scenario = baseline.replace(facilitators=(*fewer_health, extra), leave=())

    assert scenario is not baseline
    assert isinstance(scenario, Workspace)
    assert set(scenario.facilitator_by_id) == {"F2", "F3"}  # no stale index
    assert set(baseline.facilitator_by_id) == {"F1", "F2"}
    assert baseline.model_dump() == before
    assert scenario.leave == ()
    assert len(baseline.leave) == 1
    # Tables not named are carried over unchanged.
    assert scenario.requests == baseline.requests
    assert scenario.history == baseline.history


def test_replace_rechecks_references() -> None:
    baseline = valid_workspace()
    with pytest.raises(WorkspaceError) as info:
        baseline.replace(facilitators=(fac("F1"),))  # F2 is still named in several tables
    assert where(info.value) == [
        ("involvements", 0, "facilitator_id"),
        ("history", 0, "facilitator_id"),
        ("requests", 1, "preferred_facilitator_id"),
    ]
    assert len(baseline.facilitators) == 2


def test_editing_a_scenario_facilitator_never_edits_the_baseline() -> None:
    baseline = valid_workspace()
    f1 = baseline.facilitator_by_id["F1"]
    scenario = baseline.replace(
        facilitators=tuple(f.replace(max_open=0) if f is f1 else f for f in baseline.facilitators)
    )
    assert scenario.facilitator_by_id["F1"].max_open == 0
    assert baseline.facilitator_by_id["F1"].max_open == 3
    assert baseline.facilitators[0].max_open == 3


# Case network and sectors -------------------------------------------------------


def network_workspace() -> Workspace:
    return Workspace(
        requests=(
            req(
                "R1",
                requester_organisation="Norfolk  Constabulary",
                requester_email="PC.Jones@Police.Example",
            ),
            req("R2", requester_organisation="Hill School"),
        ),
        participants=(
            part("R1", "Dan@Council.example", "Norfolk County Council"),
            part("R1", "eve@nhs.example", "NHS Trust", attendance="optional"),
            part("R1", "sgt@police.example", "norfolk constabulary"),
            part("R2", "zoe@charity.example", "Home-Start"),
        ),
    )


def test_network_orgs_covers_requester_and_participants_of_that_request_only() -> None:
    ws = network_workspace()
    r1, r2 = ws.requests
    assert ws.network_orgs(r1) == frozenset(
        normalise_org(o) for o in ("Norfolk Constabulary", "Norfolk County Council", "NHS Trust")
    )
    assert normalise_org("Home-Start") not in ws.network_orgs(r1)
    assert ws.network_orgs(r2) == frozenset(normalise_org(o) for o in ("Hill School", "Home-Start"))


def test_network_orgs_without_participants_is_the_requester() -> None:
    ws = Workspace(requests=(req("R1"),))
    assert ws.network_orgs(ws.requests[0]) == frozenset({normalise_org("Hill School")})
    assert ws.network_emails(ws.requests[0]) == frozenset({"carol@school.example"})


def test_network_emails_are_normalised() -> None:
    ws = network_workspace()
    assert ws.network_emails(ws.requests[0]) == frozenset(
        {"pc.jones@police.example", "dan@council.example", "eve@nhs.example", "sgt@police.example"}
    )
    assert "Dan@Council.example".casefold() in ws.network_emails(ws.requests[0])


def test_sector_of_org_from_facilitators_and_organisations() -> None:
    ws = Workspace(
        facilitators=(
            fac("F1", organisation="NHS  Trust", sector="Health"),
            fac("F2", organisation="nhs trust", sector="Acute Health"),  # first one wins
            fac("F3", organisation="Norfolk Constabulary", sector="Police"),
            fac("F4", organisation="Hill School", sector=None),
        ),
        organisations=(
            Organisation(organisation="Norfolk  constabulary", sector="Policing"),  # overrides
            Organisation(organisation="Home-Start", sector="Voluntary"),
        ),
    )
    sectors = ws.sector_of_org
    assert sectors[normalise_org("NHS Trust")] == "Health"
    assert sectors[normalise_org("Norfolk Constabulary")] == "Policing"
    assert sectors[normalise_org("home-start")] == "Voluntary"
    assert normalise_org("Hill School") not in sectors  # no sector known
    assert len(sectors) == 3
