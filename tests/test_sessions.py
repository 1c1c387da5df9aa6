"""Scheduling and sending through the ledger: sessions kept clear of earlier bookings,
windows already open refused, the outbox sent once, the e-mail that carries an invitation."""

from __future__ import annotations

import email
import json
import shutil
from dataclasses import replace
from datetime import date
from email import policy as email_policy
from pathlib import Path

import pytest
import requests
from fake_graph import FakeGraph, graph_env
from invitation_helpers import STAMP, make_session
from typer.testing import CliRunner

from allocator import Policy
from jags.cli import app
from jags.daily import open_ledger
from jags.ledger.models import OutboxMessage
from jags.locate import Where
from jags.sessions import message_eml, run_ledger_schedule, send_from_ledger
from scheduling.invitations import Person, request_ics


def ok(*args: object) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def ws(tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample with a ledger: a week's batches, and R-0001 … R-0003 confirmed on 19 Nov."""
    monkeypatch.delenv("JAGS_DB", raising=False)
    folder = tmp_path / "ws"
    shutil.copytree(sample_dir, folder, ignore=shutil.ignore_patterns("calendars"))
    ok("init", folder, "--on", "2026-11-16")
    ok("allocate", folder, "--on", "2026-11-16", "--commit")
    for rid in ("R-0001", "R-0002", "R-0003"):
        ok("record", folder, rid, "confirmed", "--on", "2026-11-19")
    return folder


def test_confirmed_requests_are_booked_once_with_their_invitations(ws: Path) -> None:
    run = run_ledger_schedule(Where(ws), date(2026, 11, 20), "tester", commit=True)
    assert run.refused == [] and run.committed
    assert sorted(run.booked) == ["R-0001", "R-0002", "R-0003"]
    assert "proposals.csv" in run.files
    for rid in run.booked:
        ics = run.files[f"invites/{rid}.ics"]
        assert b"METHOD:REQUEST" in ics and b"SEQUENCE:0" in ics
        assert b"CASE-" not in ics and b"CASE-" not in run.files[f"invites/{rid}.eml"]
    again = run_ledger_schedule(Where(ws), date(2026, 11, 20), "tester", commit=True)
    assert again.result is None and again.booked == []


def test_a_window_already_open_is_refused_and_the_rest_go_ahead(ws: Path) -> None:
    ok("record", ws, "R-0004", "confirmed", "--on", "2026-11-20")
    # On 4 Dec the window of the requests confirmed on 19 Nov (from 3 Dec) is open.
    run = run_ledger_schedule(Where(ws), date(2026, 12, 4), "tester", commit=True)
    assert [rid for rid, _ in run.refused] == ["R-0001", "R-0002", "R-0003"]
    assert (
        "its session window opened on 2026-12-03, before this run (2026-12-04)" in run.refused[0][1]
    )
    assert run.booked == ["R-0004"]


def test_the_preview_books_nothing(ws: Path) -> None:
    run = run_ledger_schedule(Where(ws), date(2026, 11, 20), "tester", commit=False)
    assert not run.committed and run.booked == [] and run.result is not None
    ledger = open_ledger(Where(ws))
    try:
        assert len(ledger.schedule_candidates()) == 3 and ledger.outbox() == []
    finally:
        ledger.close()


def test_sessions_of_two_runs_keep_the_per_day_limit(ws: Path) -> None:
    ledger = open_ledger(Where(ws))
    try:
        fac_of = {
            r.request_id: r.facilitator_ids for r in ledger.request_status(date(2026, 11, 20))
        }
    finally:
        ledger.close()
    run_ledger_schedule(Where(ws), date(2026, 11, 20), "tester", commit=True)
    # Another request of a facilitator already booked, confirmed the same day.
    shared = fac_of["R-0001"]
    others = [rid for rid, f in fac_of.items() if f == shared and rid != "R-0001"]
    assert others, "the sample week gives R-0001's facilitator a second request"
    other = others[0]
    ok("record", ws, other, "confirmed", "--on", "2026-11-19")
    second = run_ledger_schedule(Where(ws), date(2026, 11, 20), "tester", commit=True)
    assert second.booked == [other]
    ledger = open_ledger(Where(ws))
    try:
        starts = {r.request_id: r.session_start for r in ledger.request_status(date(2026, 11, 20))}
    finally:
        ledger.close()
    assert starts[other][:10] != starts["R-0001"][:10]  # Norfolk: one session a day


def test_the_outbox_is_sent_once_and_a_failure_stays_queued(
    ws: Path, graph: tuple[FakeGraph, requests.Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, http = graph
    for name, value in graph_env(state).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JAGS_GRAPH_CA_BUNDLE", str(http.verify))
    run_ledger_schedule(Where(ws), date(2026, 11, 20), "tester", commit=True)
    lines, error = send_from_ledger(
        Where(ws), via="graph", dry_run=True, on=date(2026, 11, 20), by="tester"
    )
    assert error is None and len(lines) == 3 and lines[0].startswith("would send REQUEST")
    assert not [r for r in state.requests if r.path.endswith("/sendMail")]
    state.send_statuses = [202, 403]
    lines, error = send_from_ledger(
        Where(ws), via="graph", dry_run=False, on=date(2026, 11, 20), by="tester"
    )
    assert len(lines) == 1, error
    assert error is not None and "stays queued" in error
    assert "HTTP 403" in error
    lines, error = send_from_ledger(
        Where(ws), via="graph", dry_run=False, on=date(2026, 11, 21), by="tester"
    )
    assert len(lines) == 2 and error is None
    sends = [r for r in state.requests if r.path.endswith("/sendMail")]
    assert len(sends) == 4  # three messages, one of them twice (the failed attempt)
    ledger = open_ledger(Where(ws))
    try:
        messages = ledger.outbox(pending_only=False)
    finally:
        ledger.close()
    assert [(m.status, m.attempts) for m in messages] == [("sent", 1), ("sent", 2), ("sent", 1)]
    assert all(m.error is None for m in messages)
    assert send_from_ledger(
        Where(ws), via="graph", dry_run=False, on=date(2026, 11, 22), by="tester"
    ) == ([], None)


def test_invite_lists_the_outbox_from_the_command_line(ws: Path) -> None:
    ok("schedule", ws, "--commit", "--on", "2026-11-20")
    listed = ok("invite", ws, "--on", "2026-11-20")
    assert "3 message(s) waiting in the outbox" in listed
    dry = ok("invite", ws, "--send", "graph", "--on", "2026-11-20")
    assert dry.count("would send REQUEST") == 3
    recipients = json.loads(json.dumps([line for line in dry.splitlines() if "R-0001" in line]))
    assert recipients


def _message(ics: bytes) -> OutboxMessage:
    people = [{"name": "Fay Facilitator", "email": "fay.facilitator@health.example.org"}]
    return OutboxMessage(
        request_id="R-001",
        name="R-001",
        uid="uid",
        sequence=0,
        method="REQUEST",
        recipients=json.dumps(people),
        subject="Joint Agency Group Supervision (R-001)",
        text="Invitation\n",
        ics=ics,
        status="queued",
        attempts=0,
        batch_id=1,
    )


def test_the_e_mail_comes_from_the_invitations_organizer_even_on_a_folded_line() -> None:
    # A requester with a long name and address: the ORGANIZER line is longer than 75
    # octets, so the invitation folds it over two lines, and the sender is read whole.
    organizer = Person(
        "Alexandra Montgomery-Fitzwilliam",
        "alexandra.montgomery-fitzwilliam@great-yarmouth-primary.example.org",
    )
    ics = request_ics(replace(make_session(), organizer=organizer), Policy(), dtstamp=STAMP)
    assert b"\r\n " in ics.split(b"ORGANIZER", 1)[1].split(b"\r\nATTENDEE", 1)[0]
    sent = email.message_from_bytes(
        message_eml(_message(ics), date(2027, 3, 1)), policy=email_policy.default
    )
    assert sent["From"].addresses[0].addr_spec == organizer.email
    assert sent["From"].addresses[0].display_name == organizer.name


def test_without_an_organizer_the_first_recipient_sends() -> None:
    ics = request_ics(make_session(), Policy(), dtstamp=STAMP).replace(b"ORGANIZER", b"X-NONE")
    sent = email.message_from_bytes(
        message_eml(_message(ics), date(2027, 3, 1)), policy=email_policy.default
    )
    assert sent["From"].addresses[0].addr_spec == "fay.facilitator@health.example.org"


def test_an_interrupted_message_is_not_sent_again_until_a_person_requeues_it(ws: Path) -> None:
    run_ledger_schedule(Where(ws), date(2026, 11, 20), "tester", commit=True)
    ledger = open_ledger(Where(ws))

    def stopped(message: OutboxMessage) -> str | None:
        raise KeyboardInterrupt  # the sender stopped while the message went out

    try:
        with pytest.raises(KeyboardInterrupt):
            ledger.send_queued(stopped, on=date(2026, 11, 20), by="tester")
        [interrupted] = ledger.interrupted()
        assert len(ledger.outbox()) == 2  # never picked up again by itself
    finally:
        ledger.close()
    listing = ok("invite", ws, "--on", "2026-11-20")
    assert "2 message(s) waiting" in listing
    assert "1 message(s) whose sending was interrupted" in listing
    assert f"  {interrupted.id}: REQUEST for {interrupted.request_id}" in listing
    queued = CliRunner().invoke(
        app, ["invite", str(ws), "--requeue", str(interrupted.id + 1), "--on", "2026-11-20"]
    )
    assert queued.exit_code == 2 and "is queued, not interrupted" in queued.stderr
    unknown = CliRunner().invoke(app, ["invite", str(ws), "--requeue", "999"])
    assert unknown.exit_code == 2 and "message 999 is not in this outbox" in unknown.stderr
    again = ok("invite", ws, "--requeue", interrupted.id, "--on", "2026-11-20")
    assert f"Queued again: {interrupted.id}" in again and "3 message(s) waiting" in again
    assert "interrupted" not in again.split("Queued again", 1)[1]
