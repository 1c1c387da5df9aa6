"""Scheduling through the ledger: the e-mail that carries a queued invitation."""

from __future__ import annotations

import email
import json
from dataclasses import replace
from datetime import date
from email import policy as email_policy

from invitation_helpers import STAMP, make_session

from allocator import Policy
from jags.ledger.models import OutboxMessage
from jags.sessions import message_eml
from scheduling.invitations import Person, request_ics


def _message(ics: bytes) -> OutboxMessage:
    people = [{"name": "Fay Facilitator", "email": "fay.facilitator@health.example.org"}]
    return OutboxMessage(request_id="R-001", name="R-001", uid="uid", sequence=0,
                         method="REQUEST", recipients=json.dumps(people),
                         subject="Joint Agency Group Supervision (R-001)", text="Invitation\n",
                         ics=ics, status="queued", attempts=0, batch_id=1)


def test_the_e_mail_comes_from_the_invitations_organizer_even_on_a_folded_line() -> None:
    # A requester with a long name and address: the ORGANIZER line is longer than 75
    # octets, so the invitation folds it over two lines, and the sender is read whole.
    organizer = Person("Alexandra Montgomery-Fitzwilliam",
                       "alexandra.montgomery-fitzwilliam@great-yarmouth-primary.example.org")
    ics = request_ics(replace(make_session(), organizer=organizer), Policy(), dtstamp=STAMP)
    assert b"\r\n " in ics.split(b"ORGANIZER", 1)[1].split(b"\r\nATTENDEE", 1)[0]
    sent = email.message_from_bytes(message_eml(_message(ics), date(2027, 3, 1)),
                                    policy=email_policy.default)
    assert sent["From"].addresses[0].addr_spec == organizer.email
    assert sent["From"].addresses[0].display_name == organizer.name


def test_without_an_organizer_the_first_recipient_sends() -> None:
    ics = request_ics(make_session(), Policy(), dtstamp=STAMP).replace(b"ORGANIZER", b"X-NONE")
    sent = email.message_from_bytes(message_eml(_message(ics), date(2027, 3, 1)),
                                    policy=email_policy.default)
    assert sent["From"].addresses[0].addr_spec == "fay.facilitator@health.example.org"
