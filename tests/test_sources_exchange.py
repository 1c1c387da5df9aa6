"""ExchangeSource against a fake EWS endpoint on 127.0.0.1, with the real exchangelib client.

The fake answers ``GetServerTimeZones`` and ``GetUserAvailability`` with the
SOAP bodies Exchange 2016 sends: times in the request's zone without an
offset, one ``FreeBusyResponse`` per mailbox in request order, and
``ResponseClass="Error"`` messages for mailboxes it cannot answer for.
"""

from __future__ import annotations

import base64
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest

from allocator.errors import InputError
from scheduling.availability import Availability, CalendarSource, Status
from scheduling.sources import CalendarServiceError, ExchangeSource
from scheduling.sources.errors import CalendarError, MissingExtraError

LONDON = ZoneInfo("Europe/London")
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
MNS = "http://schemas.microsoft.com/exchange/services/2006/messages"
TNS = "http://schemas.microsoft.com/exchange/services/2006/types"
USER, PASSWORD = "EXAMPLE\\svc-jags", "correct horse battery staple"

B, T, OOF, F, U = Status.BUSY, Status.TENTATIVE, Status.OOF, Status.FREE, Status.UNKNOWN


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- the fake server ------------------------------------------------------------------------

Event = tuple[datetime, datetime, str]  # UTC start, UTC end, BusyType


@dataclass
class Mailboxes:
    """What the fake Exchange knows: events per mailbox, or an error code."""

    events: dict[str, list[Event]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, list[str], str, str]] = field(default_factory=list)
    fault: str | None = None

    def operations(self, name: str) -> list[tuple[str, list[str], str, str]]:
        return [c for c in self.calls if c[0] == name]


ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<s:Envelope xmlns:s="{SOAP}"><s:Header>'
    '<h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" '
    f'MinorBuildNumber="6" Version="V2017_07_11" xmlns:h="{TNS}" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    '</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema">{body}</s:Body></s:Envelope>'
)

GMT_STANDARD_TIME = f"""
<m:GetServerTimeZonesResponse xmlns:m="{MNS}" xmlns:t="{TNS}">
 <m:ResponseMessages>
  <m:GetServerTimeZonesResponseMessage ResponseClass="Success">
   <m:ResponseCode>NoError</m:ResponseCode>
   <m:TimeZoneDefinitions>
    <t:TimeZoneDefinition Name="(UTC+00:00) Dublin, Edinburgh, Lisbon, London"
                          Id="GMT Standard Time">
     <t:Periods>
      <t:Period Bias="PT0H" Name="Standard"
                Id="trule:Microsoft/Registry/GMT Standard Time/2006-Standard"/>
      <t:Period Bias="-PT1H" Name="Daylight"
                Id="trule:Microsoft/Registry/GMT Standard Time/2006-Daylight"/>
     </t:Periods>
     <t:TransitionsGroups>
      <t:TransitionsGroup Id="0">
       <t:RecurringDayTransition>
        <t:To Kind="Period">trule:Microsoft/Registry/GMT Standard Time/2006-Daylight</t:To>
        <t:TimeOffset>PT1H</t:TimeOffset>
        <t:Month>3</t:Month>
        <t:DayOfWeek>Sunday</t:DayOfWeek>
        <t:Occurrence>-1</t:Occurrence>
       </t:RecurringDayTransition>
       <t:RecurringDayTransition>
        <t:To Kind="Period">trule:Microsoft/Registry/GMT Standard Time/2006-Standard</t:To>
        <t:TimeOffset>PT2H</t:TimeOffset>
        <t:Month>10</t:Month>
        <t:DayOfWeek>Sunday</t:DayOfWeek>
        <t:Occurrence>-1</t:Occurrence>
       </t:RecurringDayTransition>
      </t:TransitionsGroup>
     </t:TransitionsGroups>
     <t:Transitions>
      <t:Transition><t:To Kind="Group">0</t:To></t:Transition>
     </t:Transitions>
    </t:TimeZoneDefinition>
   </m:TimeZoneDefinitions>
  </m:GetServerTimeZonesResponseMessage>
 </m:ResponseMessages>
</m:GetServerTimeZonesResponse>
"""

WORKING_HOURS = f"""
<WorkingHours xmlns="{TNS}">
 <TimeZone>
  <Bias>0</Bias>
  <StandardTime><Bias>0</Bias><Time>02:00:00</Time><DayOrder>5</DayOrder><Month>10</Month>
   <DayOfWeek>Sunday</DayOfWeek></StandardTime>
  <DaylightTime><Bias>-60</Bias><Time>01:00:00</Time><DayOrder>5</DayOrder><Month>3</Month>
   <DayOfWeek>Sunday</DayOfWeek></DaylightTime>
 </TimeZone>
 <WorkingPeriodArray>
  <WorkingPeriod><DayOfWeek>Monday Tuesday Wednesday Thursday Friday</DayOfWeek>
   <StartTimeInMinutes>540</StartTimeInMinutes><EndTimeInMinutes>1020</EndTimeInMinutes>
  </WorkingPeriod>
 </WorkingPeriodArray>
</WorkingHours>
"""

ERROR_TEXT = {
    "ErrorMailRecipientNotFound": "Unable to resolve e-mail address {email} to an Active "
    "Directory object.",
    "ErrorNoFreeBusyAccess": "Microsoft.Exchange.InfoWorker.Common.Availability."
    "NoFreeBusyAccessException: No free/busy access.",
}


def _local(moment: datetime) -> str:
    """A UTC moment as Exchange writes it: wall time in the request zone, no offset."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M:%S")


def _parse_request_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def free_busy_response(state: Mailboxes, emails: list[str], start: datetime, end: datetime) -> str:
    parts = []
    for email in emails:
        code = state.errors.get(email) or (
            None if email in state.events else "ErrorMailRecipientNotFound"
        )
        if code:
            parts.append(
                f'<FreeBusyResponse><ResponseMessage ResponseClass="Error">'
                f"<MessageText>{ERROR_TEXT[code].format(email=email)}</MessageText>"
                f"<ResponseCode>{code}</ResponseCode>"
                f"<DescriptiveLinkKey>0</DescriptiveLinkKey>"
                f'<MessageXml><ExceptionType xmlns="http://schemas.microsoft.com/exchange/'
                f'services/2006/errors">Microsoft.Exchange.InfoWorker.Common.Availability.'
                f"{code[5:]}Exception</ExceptionType></MessageXml>"
                f"</ResponseMessage><FreeBusyView>"
                f'<FreeBusyViewType xmlns="{TNS}">None</FreeBusyViewType>'
                f"</FreeBusyView></FreeBusyResponse>"
            )
            continue
        events = "".join(
            f"<CalendarEvent><StartTime>{_local(a)}</StartTime><EndTime>{_local(b)}</EndTime>"
            f"<BusyType>{kind}</BusyType></CalendarEvent>"
            for a, b, kind in state.events[email]
            if a < end and b > start
        )
        parts.append(
            '<FreeBusyResponse><ResponseMessage ResponseClass="Success">'
            "<ResponseCode>NoError</ResponseCode></ResponseMessage><FreeBusyView>"
            f'<FreeBusyViewType xmlns="{TNS}">FreeBusy</FreeBusyViewType>'
            f'<CalendarEventArray xmlns="{TNS}">{events}</CalendarEventArray>'
            f"{WORKING_HOURS}</FreeBusyView></FreeBusyResponse>"
        )
    return (
        f'<GetUserAvailabilityResponse xmlns="{MNS}"><FreeBusyResponseArray>'
        + "".join(parts)
        + "</FreeBusyResponseArray></GetUserAvailabilityResponse>"
    )


SERVER_BUSY_FAULT = (
    '<s:Fault><faultcode xmlns:a="' + TNS + '">a:ErrorServerBusy</faultcode>'
    '<faultstring xml:lang="en-US">The server cannot service this request right now. '
    "Try again later.</faultstring><detail>"
    '<e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">'
    "ErrorServerBusy</e:ResponseCode>"
    '<e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">'
    "The server cannot service this request right now. Try again later.</e:Message>"
    "</detail></s:Fault>"
)


class EwsHandler(BaseHTTPRequestHandler):
    state: ClassVar[Mailboxes]

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr logging."""

    def do_POST(self) -> None:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.path != "/EWS/Exchange.asmx" or self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="mail.example.org"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = ET.fromstring(self.rfile.read(int(self.headers["Content-Length"])))
        operation = next(iter(request.find(f"{{{SOAP}}}Body") or []))
        name = operation.tag.split("}")[1].removesuffix("Request")
        if self.state.fault:
            self.state.calls.append((name, [], "", ""))
            self._reply(SERVER_BUSY_FAULT, status=500)
            return
        if name == "GetServerTimeZones":
            ids = [e.text or "" for e in operation.iter(f"{{{TNS}}}Id")]
            self.state.calls.append((name, ids, "", ""))
            self._reply(GMT_STANDARD_TIME)
            return
        emails = [e.text or "" for e in operation.iter(f"{{{TNS}}}Address")]
        window = operation.find(f".//{{{TNS}}}TimeWindow")
        assert window is not None
        start_text = window.findtext(f"{{{TNS}}}StartTime") or ""
        end_text = window.findtext(f"{{{TNS}}}EndTime") or ""
        self.state.calls.append((name, emails, start_text, end_text))
        self._reply(
            free_busy_response(
                self.state, emails, _parse_request_time(start_text), _parse_request_time(end_text)
            )
        )

    def _reply(self, body: str, status: int = 200) -> None:
        data = ENVELOPE.format(body=body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, type[EwsHandler]]]:
    class Handler(EwsHandler):
        state = Mailboxes()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/EWS/Exchange.asmx", Handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def state(server: tuple[str, type[EwsHandler]]) -> Mailboxes:
    server[1].state = Mailboxes()
    return server[1].state


@pytest.fixture
def source(server: tuple[str, type[EwsHandler]]) -> Iterator[ExchangeSource]:
    made = ExchangeSource("", USER, PASSWORD, service_endpoint=server[0], auth_type="basic")
    yield made
    made.close()


WEEK = (at("2026-10-19T00:00"), at("2026-10-24T00:00"))


def status(av: Availability, moment: str) -> Status:
    return av.status(at(moment), at(moment) + timedelta(minutes=15))


# -- tests ----------------------------------------------------------------------------------


def test_statuses_converted_from_london_to_utc(state: Mailboxes, source: ExchangeSource) -> None:
    state.events["alex.morgan@example.org"] = [
        (at("2026-10-19T09:00"), at("2026-10-19T10:00"), "Busy"),
        (at("2026-10-20T13:00"), at("2026-10-20T14:30"), "Tentative"),
        (at("2026-10-20T23:00"), at("2026-10-21T23:00"), "OOF"),
        (at("2026-10-22T11:00"), at("2026-10-22T12:00"), "Free"),
        (at("2026-10-23T08:00"), at("2026-10-23T09:00"), "WorkingElsewhere"),
        (at("2026-10-23T12:00"), at("2026-10-23T13:00"), "NoData"),
        (at("2026-10-18T22:00"), at("2026-10-19T01:00"), "Busy"),  # starts before the window
    ]
    checked: CalendarSource = source
    result = checked.availability(["Alex.Morgan@example.org"], *WEEK)
    av = result["Alex.Morgan@example.org"]
    assert av.email == "alex.morgan@example.org"
    assert av.source == "exchange"
    got = {
        m: status(av, m)
        for m in (
            "2026-10-19T00:30",
            "2026-10-19T01:00",
            "2026-10-19T08:45",
            "2026-10-19T09:00",
            "2026-10-19T09:45",
            "2026-10-19T10:00",
            "2026-10-20T13:00",
            "2026-10-20T14:15",
            "2026-10-20T14:30",
            "2026-10-21T12:00",
            "2026-10-22T11:00",
            "2026-10-23T08:00",
            "2026-10-23T12:00",
            "2026-10-23T13:00",
        )
    }
    assert got == {
        "2026-10-19T00:30": B,
        "2026-10-19T01:00": F,
        "2026-10-19T08:45": F,
        "2026-10-19T09:00": B,
        "2026-10-19T09:45": B,
        "2026-10-19T10:00": F,
        "2026-10-20T13:00": T,
        "2026-10-20T14:15": T,
        "2026-10-20T14:30": F,
        "2026-10-21T12:00": OOF,
        "2026-10-22T11:00": F,
        "2026-10-23T08:00": F,
        "2026-10-23T12:00": U,  # NoData
        "2026-10-23T13:00": F,
    }
    assert av.intervals[0].start == WEEK[0]  # cut to the window
    assert av.coverage == ((WEEK[0], at("2026-10-23T12:00")), (at("2026-10-23T13:00"), WEEK[1]))
    # One time-zone lookup, one availability call, in the London zone.
    assert [c[0] for c in state.calls] == ["GetServerTimeZones", "GetUserAvailability"]
    assert state.calls[0][1] == ["GMT Standard Time"]
    assert _parse_request_time(state.calls[1][2]) == WEEK[0]
    assert _parse_request_time(state.calls[1][3]) == WEEK[1]


def test_mailbox_errors_make_only_that_person_unknown(
    state: Mailboxes, source: ExchangeSource
) -> None:
    state.events["a@example.org"] = [(at("2026-10-19T09:00"), at("2026-10-19T10:00"), "Busy")]
    state.events["c@example.org"] = [(at("2026-10-20T09:00"), at("2026-10-20T10:00"), "OOF")]
    state.events["private@example.org"] = []
    state.errors["private@example.org"] = "ErrorNoFreeBusyAccess"
    asked = ["a@example.org", "private@example.org", "gone@other.example", "c@example.org"]
    result = source.availability(asked, *WEEK)
    assert list(result) == asked
    assert result["private@example.org"] == Availability.unknown("private@example.org", "exchange")
    assert result["gone@other.example"] == Availability.unknown("gone@other.example", "exchange")
    # The mailboxes after the errors are still read.
    assert status(result["a@example.org"], "2026-10-19T09:00") is B
    assert status(result["c@example.org"], "2026-10-20T09:00") is OOF
    assert status(result["c@example.org"], "2026-10-20T10:00") is F
    assert len(state.operations("GetUserAvailability")) == 1


def test_150_mailboxes_take_two_calls(state: Mailboxes, source: ExchangeSource) -> None:
    people = [f"person{n:03d}@example.org" for n in range(150)]
    for n, person in enumerate(people):
        state.events[person] = [
            (
                at("2026-10-19T09:00") + timedelta(minutes=15 * (n % 20)),
                at("2026-10-19T09:15") + timedelta(minutes=15 * (n % 20)),
                "Busy",
            )
        ]
    result = source.availability(people, *WEEK)
    calls = state.operations("GetUserAvailability")
    assert [len(c[1]) for c in calls] == [100, 50]
    assert [e for c in calls for e in c[1]] == people
    assert len(state.operations("GetServerTimeZones")) == 1
    assert all(len(result[p].intervals) == 1 for p in people)
    assert status(result["person149@example.org"], "2026-10-19T11:15") is B


def test_long_windows_are_split_at_42_days(state: Mailboxes, source: ExchangeSource) -> None:
    state.events["a@example.org"] = [
        (at("2026-11-30T10:00"), at("2026-12-01T10:00"), "OOF"),  # crosses the split
        (at("2026-12-20T10:00"), at("2026-12-20T11:00"), "Busy"),
    ]
    start, end = at("2026-10-19T00:00"), at("2026-12-28T00:00")  # 70 days
    av = source.availability(["a@example.org"], start, end)["a@example.org"]
    calls = state.operations("GetUserAvailability")
    assert [(_parse_request_time(c[2]), _parse_request_time(c[3])) for c in calls] == [
        (start, start + timedelta(days=42)),
        (start + timedelta(days=42), end),
    ]
    assert av.coverage == ((start, end),)
    # The event returned by both calls is one interval, not two.
    assert [(i.start, i.end, i.status) for i in av.intervals] == [
        (at("2026-11-30T10:00"), at("2026-12-01T10:00"), OOF),
        (at("2026-12-20T10:00"), at("2026-12-20T11:00"), B),
    ]


def test_wrong_password_is_a_service_error(
    server: tuple[str, type[EwsHandler]], state: Mailboxes
) -> None:
    bad = ExchangeSource("", USER, "wrong", service_endpoint=server[0], auth_type="basic")
    with pytest.raises(CalendarServiceError, match="Exchange") as caught:
        bad.availability(["a@example.org"], *WEEK)
    bad.close()
    assert "wrong" not in str(caught.value)
    assert caught.value.service == "exchange"
    assert isinstance(caught.value, CalendarError)


def test_server_fault_is_a_service_error(state: Mailboxes, source: ExchangeSource) -> None:
    state.fault = "ErrorServerBusy"
    with pytest.raises(CalendarServiceError, match="ErrorServerBusy"):
        source.availability(["a@example.org"], *WEEK)


def test_nobody_asked_makes_no_request(state: Mailboxes, source: ExchangeSource) -> None:
    assert source.availability([], *WEEK) == {}
    assert state.calls == []


def test_from_env_reads_only_the_environment() -> None:
    env = {
        "JAGS_EWS_URL": "https://mail.example.org/EWS/Exchange.asmx",
        "JAGS_EWS_USERNAME": USER,
        "JAGS_EWS_PASSWORD": PASSWORD,
        "JAGS_EWS_AUTH": "basic",
    }
    made = ExchangeSource.from_env(env)
    assert made.service_endpoint == "https://mail.example.org/EWS/Exchange.asmx"
    assert PASSWORD not in repr(made)
    by_host = ExchangeSource.from_env(
        {"JAGS_EWS_SERVER": "mail.example.org", "JAGS_EWS_USERNAME": USER, "JAGS_EWS_PASSWORD": "x"}
    )
    assert by_host.service_endpoint == "https://mail.example.org/EWS/Exchange.asmx"
    with pytest.raises(CalendarServiceError, match="JAGS_EWS_PASSWORD"):
        ExchangeSource.from_env({"JAGS_EWS_SERVER": "mail.example.org", "JAGS_EWS_USERNAME": USER})
    with pytest.raises(CalendarServiceError, match="JAGS_EWS_URL or JAGS_EWS_SERVER"):
        ExchangeSource.from_env({"JAGS_EWS_USERNAME": USER, "JAGS_EWS_PASSWORD": "x"})
    with pytest.raises(CalendarServiceError, match="unsupported authentication"):
        ExchangeSource.from_env({**env, "JAGS_EWS_AUTH": "kerberos-please"})


def test_without_the_exchange_extra_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "exchangelib", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'jags-planner\[exchange\]'") as e:
        ExchangeSource("mail.example.org", USER, PASSWORD)
    assert isinstance(e.value, InputError)
    assert e.value.module == "exchangelib"
