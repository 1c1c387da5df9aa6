"""The schedule manifest: a frozen record of what was invited, and moving or cancelling
invitations with the same UID and a raised SEQUENCE."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from builders import fac, part, req, workspace
from pydantic import ValidationError

from allocator import InputError, Policy, WorkingCalendar
from jags.manifest import (
    MANIFEST,
    Manifest,
    load_manifest,
    new_manifest,
    outgoing,
    render_initial,
    update_invitations,
)
from jags.schedule import Allocated, session_requests
from scheduling.invitations import uid_for
from scheduling.proposals import propose

LONDON = ZoneInfo("Europe/London")
CONFIRMED = date(2026, 11, 30)


@pytest.fixture(scope="module")
def base() -> Manifest:
    """A manifest for two small sessions (three in-window options each), nothing invited."""
    ws = workspace(
        [fac("F1", "Org A"), fac("F2", "Org B", sector="Police"), fac("F3", "Org C")],
        [req("R1"), req("R3", day=19)],
        participants=[
            part("R1", "pat@one.example", "Org X"),
            part("R1", "quinn@two.example", "Org Y", attendance="optional"),
        ],
    )
    policy = Policy.preset("norfolk")
    sessions = session_requests(
        ws, [Allocated("R1", ("F1",), None), Allocated("R3", ("F2",), None)], CONFIRMED
    )
    result = propose(sessions, {}, policy, WorkingCalendar(), time_limit=5)
    manifest = new_manifest(policy, ws, sessions, result, CONFIRMED)
    for entry in manifest.sessions.values():
        assert len(entry.options) >= 2 and not any(o.outside for o in entry.options)
    return manifest


def field(ics: bytes, name: str) -> list[str]:
    """Values of a property, lines unfolded (VTIMEZONE ones included)."""
    text = ics.decode("utf-8").replace("\r\n ", "")
    return [
        line.split(":", 1)[1]
        for line in text.split("\r\n")
        if line.split(":", 1)[0].split(";")[0] == name
    ]


def local(value: str) -> str:
    return f"{datetime.fromisoformat(value).astimezone(LONDON):%Y%m%dT%H%M%S}"


def test_facilitators_chair_and_the_requester_organises(base: Manifest) -> None:
    entry = base.sessions["R1"]
    assert {a.email: a.role for a in entry.attendees} == {
        "f1@fac.example": "CHAIR",
        "r1@req.example": "REQ-PARTICIPANT",
        "pat@one.example": "REQ-PARTICIPANT",
        "quinn@two.example": "OPT-PARTICIPANT",
    }
    assert entry.organizer.email == "r1@req.example"


def test_the_manifest_is_frozen_and_reads_back_byte_for_byte(
    base: Manifest, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError):
        base.outbox = ("R1",)  # type: ignore[misc]
    (tmp_path / MANIFEST).write_bytes(base.to_bytes())
    again = load_manifest(tmp_path)
    assert again == base and again.to_bytes() == base.to_bytes()
    (tmp_path / MANIFEST).write_text('{"policy": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="not a readable schedule manifest"):
        load_manifest(tmp_path)
    with pytest.raises(InputError, match="run jags schedule first"):
        load_manifest(tmp_path / "nowhere")


def test_initial_invitation_is_option_one(base: Manifest) -> None:
    manifest, files = render_initial(base, holds=False)
    assert sorted(files) == ["invites/R1.eml", "invites/R1.ics", "invites/R3.eml", "invites/R3.ics"]
    ics = files["invites/R1.ics"]
    assert field(ics, "UID") == [uid_for("R1")]
    assert field(ics, "SEQUENCE") == ["0"]
    assert field(ics, "DTSTART")[-1] == local(manifest.sessions["R1"].options[0].start)
    assert manifest.outbox == ("R1", "R3")
    assert base.outbox == ()  # the original is untouched


def test_choose_moves_the_invitation_with_the_same_uid(base: Manifest) -> None:
    manifest, first = render_initial(base, holds=False)
    moved, files = update_invitations(manifest, choose={"R1": 2}, cancel=[], on=date(2026, 12, 1))
    assert sorted(files) == ["invites/R1.eml", "invites/R1.ics"]
    ics = files["invites/R1.ics"]
    assert field(ics, "UID") == field(first["invites/R1.ics"], "UID")
    assert field(ics, "SEQUENCE") == ["1"]
    assert field(ics, "METHOD") == ["REQUEST"]
    option = moved.sessions["R1"].options[1]
    assert field(ics, "DTSTART")[-1] == local(option.start)
    assert field(ics, "DTSTAMP") == ["20261201T000000Z"]
    assert b"Updated" in files["invites/R1.eml"]
    invited = moved.sessions["R1"].invited
    assert invited is not None
    assert (invited.start, invited.end, invited.sequence) == (option.start, option.end, 1)
    assert moved.outbox == ("R1",)
    assert moved.made_on == date(2026, 12, 1)


def test_choosing_the_same_option_again_writes_nothing(base: Manifest) -> None:
    manifest, _ = render_initial(base, holds=False)
    moved, files = update_invitations(manifest, choose={"R1": 2}, cancel=[], on=date(2026, 12, 1))
    assert files
    again, nothing = update_invitations(moved, choose={"R1": 2}, cancel=[], on=date(2026, 12, 2))
    assert nothing == {} and again.outbox == ()
    invited = again.sessions["R1"].invited
    assert invited is not None and invited.sequence == 1
    # option 1 was already invited: choosing it first also writes nothing
    assert update_invitations(manifest, choose={"R1": 1}, cancel=[], on=date(2026, 12, 1))[1] == {}


def test_choose_releases_every_hold(base: Manifest) -> None:
    manifest, first = render_initial(base, holds=True)
    options = len(manifest.sessions["R1"].options)
    holds = [f"invites/R1-hold-{n}.ics" for n in range(1, options + 1)]
    assert set(holds) <= set(first)
    assert manifest.sessions["R1"].invited is None
    chosen, files = update_invitations(manifest, choose={"R1": 2}, cancel=[], on=date(2026, 12, 1))
    for name in holds:
        cancel = files[name]
        assert field(cancel, "METHOD") == ["CANCEL"]
        assert field(cancel, "STATUS") == ["CANCELLED"]
        assert field(cancel, "UID") == field(first[name], "UID")
        assert field(cancel, "SEQUENCE") == ["1"]
    invite = files["invites/R1.ics"]
    assert field(invite, "METHOD") == ["REQUEST"]
    assert field(invite, "SEQUENCE") == ["0"]  # the first real invitation
    assert field(invite, "UID") == [uid_for("R1")]
    assert field(invite, "UID") != field(first[holds[0]], "UID")
    assert chosen.sessions["R1"].holds == {}
    assert chosen.outbox == (*(f"R1-hold-{n}" for n in range(1, options + 1)), "R1")
    assert not any(name.startswith("invites/R3") for name in files)


def test_cancel_sends_a_cancellation_once(base: Manifest) -> None:
    manifest, first = render_initial(base, holds=False)
    cancelled, files = update_invitations(manifest, choose={}, cancel=["R3"], on=date(2026, 12, 2))
    assert sorted(files) == ["invites/R3.eml", "invites/R3.ics"]
    ics = files["invites/R3.ics"]
    assert field(ics, "METHOD") == ["CANCEL"]
    assert field(ics, "STATUS") == ["CANCELLED"]
    assert field(ics, "UID") == field(first["invites/R3.ics"], "UID")
    assert field(ics, "SEQUENCE") == ["1"]
    assert len(field(ics, "ATTENDEE")) == len(field(first["invites/R3.ics"], "ATTENDEE"))
    assert cancelled.sessions["R3"].cancelled is True
    assert update_invitations(cancelled, choose={}, cancel=["R3"], on=date(2026, 12, 3))[1] == {}


def test_a_cancelled_session_can_be_invited_again(base: Manifest) -> None:
    manifest, first = render_initial(base, holds=False)
    cancelled, _ = update_invitations(manifest, choose={}, cancel=["R3"], on=date(2026, 12, 2))
    again, files = update_invitations(cancelled, choose={"R3": 1}, cancel=[], on=date(2026, 12, 3))
    ics = files["invites/R3.ics"]
    assert field(ics, "METHOD") == ["REQUEST"]
    assert field(ics, "UID") == field(first["invites/R3.ics"], "UID")
    assert field(ics, "SEQUENCE") == ["2"]
    assert again.sessions["R3"].cancelled is False


@pytest.mark.parametrize(
    ("choose", "cancel", "message"),
    [
        ({"R9": 1}, [], "R9"),
        ({}, ["R9"], "R9"),
        ({"R1": 0}, [], "option 0"),
        ({"R1": 9}, [], "option 9"),
    ],
)
def test_update_refuses_unknown_requests_and_options(
    base: Manifest, choose: dict[str, int], cancel: list[str], message: str
) -> None:
    manifest, _ = render_initial(base, holds=False)
    with pytest.raises(InputError, match=message):
        update_invitations(manifest, choose=choose, cancel=cancel, on=date(2026, 12, 1))


def test_outgoing_reads_the_documents_of_the_latest_run(base: Manifest, tmp_path: Path) -> None:
    manifest, files = render_initial(base, holds=False)
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(content)
    messages = outgoing(tmp_path, manifest)
    assert [(m.request_id, m.method) for m in messages] == [("R1", "REQUEST"), ("R3", "REQUEST")]
    assert len(messages[0].recipients) == 4
    (tmp_path / "invites" / "R3.ics").unlink()
    with pytest.raises(InputError, match=r"invites/R3\.ics: not found"):
        outgoing(tmp_path, manifest)
