"""Tests for jags.send: dry run, missing credentials, Graph and Exchange against loopback fakes.

The Graph fake is an HTTPS server on 127.0.0.1 (msal only talks to https
sign-in hosts) with a throw-away self-signed certificate; it answers the
OpenID discovery, token and sendMail endpoints and records what it received.
The Exchange fake is a plain-HTTP SOAP endpoint on 127.0.0.1 that answers
GetFolder and CreateItem.
"""

from __future__ import annotations

import base64
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote
from zoneinfo import ZoneInfo

import pytest
import requests
from fake_graph import ORGANIZER, SECRET, FakeGraph, Recorded, graph_env

from allocator.errors import InputError
from allocator.policy import Policy
from jags.send import EWS_ENV, GRAPH_ENV, OutgoingInvite, SendError, send_invites
from scheduling.invitations import Attendee, Person, Session, cancel_ics, request_ics, subject_for

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CASE_REF = "CASE-2027-77813"


def make_invites() -> list[OutgoingInvite]:
    session = Session(
        request_id="R-001",
        start=datetime(2027, 3, 30, 14, 0, tzinfo=LONDON),
        end=datetime(2027, 3, 30, 15, 30, tzinfo=LONDON),
        organizer=Person("NSCP Business Unit", ORGANIZER),
        attendees=(
            Attendee("Fay Facilitator", "fay@health.example.org", "CHAIR"),
            Attendee("Rob Requester", "rob@school.example.org", "REQ-PARTICIPANT"),
            Attendee("Pat Police", "pat@police.example.org", "REQ-PARTICIPANT"),
            Attendee("Sam Social", "sam@childrens.example.org", "REQ-PARTICIPANT"),
            Attendee("Opal Optional", "opal@health.example.org", "OPT-PARTICIPANT"),
        ),
    )
    policy = Policy()
    recipients = tuple(Person(a.name, a.email) for a in session.attendees)
    request = OutgoingInvite(
        request_id="R-001",
        method="REQUEST",
        ics=request_ics(session, policy, dtstamp=STAMP),
        recipients=recipients,
        subject=subject_for("R-001", method="REQUEST"),
        text="You are invited to Joint Agency Group Supervision R-001.\n",
    )
    cancelled = Session(
        request_id="R-002",
        start=session.start,
        end=session.end,
        organizer=session.organizer,
        attendees=session.attendees[:1],
        sequence=3,
    )
    cancel = OutgoingInvite(
        request_id="R-002",
        method="CANCEL",
        ics=cancel_ics(cancelled, policy, dtstamp=STAMP),
        recipients=recipients[:1],
        subject=subject_for("R-002", method="CANCEL"),
        text="Joint Agency Group Supervision R-002 is cancelled.\n",
    )
    return [request, cancel]


# --------------------------------------------------------------------------- dry run, inputs


def test_dry_run_describes_and_needs_nothing() -> None:
    lines = send_invites(make_invites(), via="graph", environ={})
    assert lines == [
        "would send REQUEST for R-001 to 5 recipients via graph",
        "would send CANCEL for R-002 to 1 recipient via graph",
    ]
    assert (
        send_invites(make_invites(), via="exchange", environ={})[0]
        == "would send REQUEST for R-001 to 5 recipients via exchange"
    )
    assert send_invites([], via="graph") == []


def test_unknown_route_is_an_input_error() -> None:
    with pytest.raises(InputError, match="route"):
        send_invites(make_invites(), via="smtp")  # type: ignore[arg-type]


@pytest.mark.parametrize(("via", "names"), [("graph", GRAPH_ENV), ("exchange", EWS_ENV)])
def test_missing_credentials_name_variables_not_values(via: str, names: tuple[str, ...]) -> None:
    partial = {names[0]: SECRET, names[1]: "   "}
    with pytest.raises(InputError) as caught:
        send_invites(make_invites(), via=via, dry_run=False, environ=partial)  # type: ignore[arg-type]
    message = str(caught.value)
    assert SECRET not in message
    assert names[0] not in message
    for name in names[1:]:
        assert name in message


def test_plain_http_endpoint_refused() -> None:
    env = dict.fromkeys(GRAPH_ENV, "x") | {
        "JAGS_GRAPH_ORGANIZER": ORGANIZER,
        "JAGS_GRAPH_BASE_URL": "http://graph.example.org/v1.0",
    }
    with pytest.raises(InputError, match="https"):
        send_invites(make_invites(), via="graph", dry_run=False, environ=env)
    env = dict.fromkeys(EWS_ENV, "x") | {
        "JAGS_EWS_SENDER": ORGANIZER,
        "JAGS_EWS_URL": "http://mail.example.org/EWS",
    }
    with pytest.raises(InputError, match="https"):
        send_invites(make_invites(), via="exchange", dry_run=False, environ=env)


def test_invite_checks_its_method() -> None:
    invite = make_invites()[0]
    with pytest.raises(ValueError, match="METHOD"):
        OutgoingInvite(
            request_id="R-001",
            method="CANCEL",
            ics=invite.ics,
            recipients=invite.recipients,
            subject="s",
            text="t",
        )
    with pytest.raises(ValueError, match="recipients"):
        OutgoingInvite(
            request_id="R-001",
            method="REQUEST",
            ics=invite.ics,
            recipients=(),
            subject="s",
            text="t",
        )
    assert make_invites()[1].sequence == 3


def test_graph_send_posts_mime_with_token(graph: tuple[FakeGraph, requests.Session]) -> None:
    state, http = graph
    invites = make_invites()
    lines = send_invites(
        invites,
        via="graph",
        dry_run=False,
        environ=graph_env(state),
        session=http,
        now=STAMP,
        timeout=10,
    )
    assert lines == [
        "sent REQUEST for R-001 to 5 recipients via graph",
        "sent CANCEL for R-002 to 1 recipient via graph",
    ]

    token_calls = [r for r in state.requests if r.path.endswith("/token")]
    assert len(token_calls) == 1
    assert token_calls[0].path == "/tenant-123/oauth2/v2.0/token"
    form = parse_qs(token_calls[0].body.decode())
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_id"] == ["client-456"]
    assert form["client_secret"] == [SECRET]
    assert form["scope"] == [f"{state.url}/.default"]

    sends = [r for r in state.requests if r.path.endswith("/sendMail")]
    assert [unquote(r.path) for r in sends] == [f"/v1.0/users/{ORGANIZER}/sendMail"] * 2
    for recorded, invite in zip(sends, invites, strict=True):
        assert recorded.method == "POST"
        assert recorded.headers["Authorization"] == "Bearer fake-access-token"
        assert recorded.headers["Content-Type"] == "text/plain"
        mime = base64.b64decode(recorded.body, validate=True)
        message = message_from_bytes(mime, policy=default_policy)
        assert isinstance(message, EmailMessage)
        assert message["From"].addresses[0].addr_spec == ORGANIZER
        assert [a.addr_spec for a in message["To"].addresses] == [
            p.email for p in invite.recipients
        ]
        assert str(message["Subject"]) == invite.subject
        assert message["Message-ID"].endswith("@nscp.example.org>")
        calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        assert calendar.get_param("method") == invite.method
        assert calendar.get_payload(decode=True) == invite.ics
        assert CASE_REF.encode() not in mime


def test_graph_retries_throttling_then_reports_refusal(
    graph: tuple[FakeGraph, requests.Session],
) -> None:
    state, http = graph
    waits: list[float] = []
    state.send_statuses = [429, 202, 403]
    with pytest.raises(SendError) as caught:
        send_invites(
            make_invites(),
            via="graph",
            dry_run=False,
            environ=graph_env(state),
            session=http,
            now=STAMP,
            timeout=10,
            sleep=waits.append,
        )
    assert waits == [0.0]
    assert caught.value.sent == ("sent REQUEST for R-001 to 5 recipients via graph",)
    assert "CANCEL for R-002" in str(caught.value)
    assert "HTTP 403 (ErrorAccessDenied: Access is denied.)" in str(caught.value)
    assert len([r for r in state.requests if r.path.endswith("/sendMail")]) == 3


def test_graph_sign_in_failure_hides_secret(graph: tuple[FakeGraph, requests.Session]) -> None:
    state, http = graph
    state.token_error = True
    with pytest.raises(SendError, match="sign-in failed: invalid_client") as caught:
        send_invites(
            make_invites(),
            via="graph",
            dry_run=False,
            environ=graph_env(state),
            session=http,
            now=STAMP,
            timeout=10,
        )
    # The server's text echoed the request, client secret included: it is shown scrubbed.
    assert "client_secret=[hidden]" in str(caught.value)
    assert "AADSTS7000215: Invalid client secret provided" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert not [r for r in state.requests if r.path.endswith("/sendMail")]


def test_graph_unreachable_is_a_send_error(graph: tuple[FakeGraph, requests.Session]) -> None:
    state, _ = graph
    untrusting = requests.Session()  # does not trust the fake's certificate
    untrusting.trust_env = False
    with pytest.raises(SendError, match="sign-in"):
        send_invites(
            make_invites(),
            via="graph",
            dry_run=False,
            environ=graph_env(state),
            session=untrusting,
            now=STAMP,
            timeout=10,
        )
    untrusting.close()


# --------------------------------------------------------------------------- Exchange fake

SOAP_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
    '<s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507"'
    ' MinorBuildNumber="6" Version="V2017_07_11"'
    ' xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header>'
    "<s:Body>"
)
SOAP_TAIL = "</s:Body></s:Envelope>"
MNS = "http://schemas.microsoft.com/exchange/services/2006/messages"
TNS = "http://schemas.microsoft.com/exchange/services/2006/types"


def get_folder_response(distinguished: str) -> str:
    folder_class = "IPF.Note"
    return (
        f'{SOAP_HEAD}<m:GetFolderResponse xmlns:m="{MNS}" xmlns:t="{TNS}">'
        '<m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success">'
        "<m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder>"
        f'<t:FolderId Id="folder-{distinguished}" ChangeKey="ck-{distinguished}"/>'
        f"<t:FolderClass>{folder_class}</t:FolderClass>"
        f"<t:DisplayName>{distinguished}</t:DisplayName>"
        "<t:TotalCount>0</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount>"
        "<t:UnreadCount>0</t:UnreadCount>"
        "</t:Folder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages>"
        f"</m:GetFolderResponse>{SOAP_TAIL}"
    )


def create_item_response(ok: bool) -> str:
    if ok:
        message = (
            '<m:CreateItemResponseMessage ResponseClass="Success">'
            "<m:ResponseCode>NoError</m:ResponseCode><m:Items/>"
            "</m:CreateItemResponseMessage>"
        )
    else:
        message = (
            '<m:CreateItemResponseMessage ResponseClass="Error">'
            "<m:MessageText>The user account which was used to submit this request "
            "does not have the right to send mail on behalf of the specified "
            "sending account.</m:MessageText>"
            "<m:ResponseCode>ErrorSendAsDenied</m:ResponseCode>"
            "<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Items/>"
            "</m:CreateItemResponseMessage>"
        )
    return (
        f'{SOAP_HEAD}<m:CreateItemResponse xmlns:m="{MNS}" xmlns:t="{TNS}">'
        f"<m:ResponseMessages>{message}</m:ResponseMessages>"
        f"</m:CreateItemResponse>{SOAP_TAIL}"
    )


@dataclass
class FakeEws:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    create_ok: list[bool] = field(default_factory=list)


@pytest.fixture
def ews() -> Iterator[FakeEws]:
    state = FakeEws(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(Recorded("POST", self.path, dict(self.headers.items()), body))
            if b"GetFolder" in body:
                found = re.search(rb'DistinguishedFolderId Id="([a-z]+)"', body)
                payload = get_folder_response(found.group(1).decode() if found else "root")
            elif b"CreateItem" in body:
                payload = create_item_response(state.create_ok.pop(0) if state.create_ok else True)
            else:
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = payload.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/EWS/Exchange.asmx"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def ews_env(state: FakeEws) -> dict[str, str]:
    return {
        "JAGS_EWS_URL": state.url,
        "JAGS_EWS_USERNAME": "NSCP\\svc-jags",
        "JAGS_EWS_PASSWORD": SECRET,
        "JAGS_EWS_SENDER": ORGANIZER,
        "JAGS_EWS_AUTH": "basic",
    }


def test_exchange_send_creates_items_with_mime(ews: FakeEws) -> None:
    invites = make_invites()
    lines = send_invites(invites, via="exchange", dry_run=False, environ=ews_env(ews), now=STAMP)
    assert lines == [
        "sent REQUEST for R-001 to 5 recipients via exchange",
        "sent CANCEL for R-002 to 1 recipient via exchange",
    ]
    creates = [r for r in ews.requests if b"CreateItem" in r.body]
    assert len(creates) == 2
    expected_auth = "Basic " + base64.b64encode(f"NSCP\\svc-jags:{SECRET}".encode()).decode()
    for recorded, invite in zip(creates, invites, strict=True):
        assert recorded.headers["Authorization"] == expected_auth
        body = recorded.body.decode()
        assert 'MessageDisposition="SendAndSaveCopy"' in body
        # A copy is saved to the organizer's Sent Items.
        assert re.search(
            r'<m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems">'
            rf"<t:Mailbox><t:EmailAddress>{re.escape(ORGANIZER)}<",
            body,
        )
        found = re.search(r"<t:MimeContent[^>]*>([^<]+)</t:MimeContent>", body)
        assert found is not None
        mime = base64.b64decode(found.group(1))
        message = message_from_bytes(mime, policy=default_policy)
        calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        assert calendar.get_param("method") == invite.method
        assert calendar.get_payload(decode=True) == invite.ics


def test_exchange_unreachable_is_a_send_error() -> None:
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "JAGS_EWS_URL": f"http://127.0.0.1:{port}/EWS/Exchange.asmx",
        "JAGS_EWS_USERNAME": "svc",
        "JAGS_EWS_PASSWORD": SECRET,
        "JAGS_EWS_SENDER": ORGANIZER,
        "JAGS_EWS_AUTH": "basic",
    }
    with pytest.raises(SendError, match="REQUEST for R-001") as caught:
        send_invites(make_invites(), via="exchange", dry_run=False, environ=env, now=STAMP)
    assert caught.value.sent == ()
    assert SECRET not in str(caught.value)


def test_exchange_auth_setting_checked() -> None:
    env = dict.fromkeys(EWS_ENV, "x") | {
        "JAGS_EWS_SENDER": ORGANIZER,
        "JAGS_EWS_URL": "https://mail.example.org/EWS",
        "JAGS_EWS_AUTH": "kerberos",
    }
    with pytest.raises(InputError, match="JAGS_EWS_AUTH"):
        send_invites(make_invites(), via="exchange", dry_run=False, environ=env)


def test_exchange_refusal_is_a_send_error(ews: FakeEws) -> None:
    ews.create_ok = [True, False]
    with pytest.raises(SendError) as caught:
        send_invites(make_invites(), via="exchange", dry_run=False, environ=ews_env(ews), now=STAMP)
    assert caught.value.sent == ("sent REQUEST for R-001 to 5 recipients via exchange",)
    assert "CANCEL for R-002" in str(caught.value)
    assert "ErrorSendAsDenied" in str(caught.value)
    assert SECRET not in str(caught.value)
