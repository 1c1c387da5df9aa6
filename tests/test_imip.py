"""Tests for scheduling.imip: the invitation e-mail around an iCalendar document."""

from __future__ import annotations

import re
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from invitation_helpers import LONDON, STAMP, check_itip, make_session

from allocator.policy import Policy
from scheduling.imip import Person, eml_bytes
from scheduling.invitations import cancel_ics, message_id_for, request_ics, subject_for


def build_eml(ics: bytes, method: str = "REQUEST") -> bytes:
    session = make_session()
    return eml_bytes(
        ics,
        method=method,
        sender=session.organizer,
        recipients=[Person(a.name, a.email) for a in session.attendees],
        subject=subject_for("R-001", method="REQUEST"),
        text="You are invited to Joint Agency Group Supervision R-001 – details attached.\n",
        date=datetime(2027, 3, 1, 9, 0, tzinfo=LONDON),
        message_id=message_id_for(
            "R-001", method="REQUEST", sequence=0, ics=ics, domain="nscp.example.org"
        ),
    )


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_eml_structure(norfolk: Policy, method: str) -> None:
    session = make_session()
    if method == "REQUEST":
        ics = request_ics(session, norfolk, dtstamp=STAMP)
    else:
        ics = cancel_ics(session, norfolk, dtstamp=STAMP)
    eml = build_eml(ics, method)
    assert b"\n" not in eml.replace(b"\r\n", b"")
    assert max(len(line) for line in eml.split(b"\r\n")) <= 78
    message = message_from_bytes(eml, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/mixed"
    assert message["MIME-Version"] == "1.0"
    assert message["Date"] == "Mon, 01 Mar 2027 09:00:00 +0000"
    assert re.fullmatch(r"<[0-9a-f]{32}@nscp\.example\.org>", message["Message-ID"])
    assert message["From"].addresses[0].addr_spec == "jags@nscp.example.org"
    assert [a.addr_spec for a in message["To"].addresses] == [a.email for a in session.attendees]
    assert str(message["Subject"]) == "Invitation: Joint Agency Group Supervision – R-001"

    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, calendar = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert "R-001" in plain.get_content()
    assert calendar.get_content_type() == "text/calendar"
    ics_method = re.search(rb"\r\nMETHOD:(\w+)\r\n", ics)
    assert ics_method is not None
    assert calendar.get_param("method") == ics_method.group(1).decode() == method
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_payload(decode=True) == ics
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ics
    # The carried document is itself a valid iTIP object.
    check_itip(ics, method)
    # Only the top-level entity carries MIME-Version.
    assert [p for p in message.walk() if p is not message and p["MIME-Version"]] == []


def test_eml_is_deterministic(norfolk: Policy) -> None:
    ics = request_ics(make_session(), norfolk, dtstamp=STAMP)
    assert build_eml(ics) == build_eml(ics)
    boundaries = re.findall(rb'boundary="([^"]+)"', build_eml(ics))
    assert len(set(boundaries)) == 2


def test_eml_refuses_method_mismatch_and_bad_headers(norfolk: Policy) -> None:
    ics = request_ics(make_session(), norfolk, dtstamp=STAMP)
    with pytest.raises(ValueError, match="METHOD"):
        build_eml(ics, "CANCEL")
    person = Person("BU", "bu@x.org")
    with pytest.raises(ValueError, match="recipient"):
        eml_bytes(
            ics,
            method="REQUEST",
            sender=person,
            recipients=[],
            subject="s",
            text="t",
            date=STAMP,
            message_id="<a@b>",
        )
    with pytest.raises(ValueError, match="control"):
        eml_bytes(
            ics,
            method="REQUEST",
            sender=person,
            recipients=[person],
            subject="s\r\nBcc: x@y.org",
            text="t",
            date=STAMP,
            message_id="<a@b>",
        )
    with pytest.raises(ValueError, match="naive"):
        eml_bytes(
            ics,
            method="REQUEST",
            sender=person,
            recipients=[person],
            subject="s",
            text="t",
            date=datetime(2027, 1, 1),
            message_id="<a@b>",
        )


def test_message_id_differs_per_document(norfolk: Policy) -> None:
    one = request_ics(make_session(), norfolk, dtstamp=STAMP)
    two = request_ics(make_session(sequence=1), norfolk, dtstamp=STAMP)
    ids = {
        message_id_for("R-001", method="REQUEST", sequence=s, ics=i)
        for s, i in ((0, one), (1, two))
    }
    assert len(ids) == 2
    assert all(i.startswith("<") and i.endswith("@jags-planner.invalid>") for i in ids)
