"""The words of invitation e-mails carry no case detail."""

from __future__ import annotations

from jags.messages import invitation_text, location_for


def test_invitations_name_only_the_request_and_the_session() -> None:
    text = invitation_text("R-0007", method="REQUEST")
    assert "Joint Agency Group Supervision session (request R-0007)" in text
    assert "no case details are sent by e-mail" in text
    hold = invitation_text("R-0007", method="REQUEST", option=2)
    assert "provisional hold for option 2" in hold
    assert "is cancelled (request R-0007)" in invitation_text("R-0007", method="CANCEL")
    assert "hold is released" in invitation_text("R-0007", method="CANCEL", option=1)


def test_the_location_says_how_never_where() -> None:
    assert location_for("in_person") == "In person (venue to be confirmed)"
    assert location_for("online") == "Online"
    assert location_for("either") is None and location_for(None) is None
