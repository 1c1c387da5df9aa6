"""GraphSource against a fake Entra ID + Microsoft Graph on 127.0.0.1, with real msal and requests.

msal only accepts an https authority, so the fake serves TLS with a
throw-away self-signed certificate made for the test run; the source is
given that certificate as its CA bundle (``verify``), exactly as a site
behind a TLS-inspecting proxy would configure ``JAGS_GRAPH_CA_BUNDLE``.
"""

from __future__ import annotations

import json
import ssl
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote
from zoneinfo import ZoneInfo

import pytest
from loopback_tls import self_signed

from scheduling.availability import Availability, CalendarSource, Status
from scheduling.sources import CalendarServiceError, GraphSource, MissingExtraError

TENANT = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
CLIENT = "11112222-3333-4444-5555-666677778888"
SECRET = "s3cr3t~value.that.must.never.be.shown"
ORGANIZER = "jags.bu@example.gov.uk"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake.token"

B, T, OOF, F, U = Status.BUSY, Status.TENTATIVE, Status.OOF, Status.FREE, Status.UNKNOWN


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- the fake services ----------------------------------------------------------------------

Item = tuple[datetime, datetime, str]  # UTC start, UTC end, Graph status


@dataclass
class Tenant:
    """What the fake tenant knows, and what it was asked."""

    items: dict[str, list[Item]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    throttle: int = 0  # answer this many getSchedule calls with 429 first
    retry_after: str = "3"
    forbid: bool = False
    echo: bool = False  # the sign-in server echoes the request in its error text
    schedule_calls: list[dict[str, Any]] = field(default_factory=list)
    schedule_headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    token_calls: int = 0


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


_VIEW = {
    "free": "0",
    "workingelsewhere": "0",
    "tentative": "1",
    "busy": "2",
    "oof": "3",
    "unknown": "4",
}


def schedule_information(
    tenant: Tenant, schedule: str, start: datetime, end: datetime
) -> dict[str, Any]:
    if schedule in tenant.errors or schedule not in tenant.items:
        code = tenant.errors.get(schedule, "ErrorMailRecipientNotFound")
        return {
            "scheduleId": schedule,
            "availabilityView": "",
            "error": {
                "message": f"Free/busy information for {schedule} could not be retrieved.",
                "responseCode": code,
            },
        }
    items = [(a, b, s) for a, b, s in tenant.items[schedule] if a < end and b > start]
    view = []
    slot = start
    while slot < end:
        codes = [
            _VIEW[s.lower()] for a, b, s in items if a < slot + timedelta(minutes=15) and b > slot
        ]
        view.append(max(codes, default="0"))
        slot += timedelta(minutes=15)
    return {
        "scheduleId": schedule,
        "availabilityView": "".join(view),
        "scheduleItems": [
            {
                "isPrivate": False,
                "status": s,
                "subject": "Child protection case conference",
                "location": "Room 4",
                "isMeeting": True,
                "isRecurring": False,
                "isException": False,
                "isReminderSet": True,
                "start": _graph_time(a),
                "end": _graph_time(b),
            }
            for a, b, s in items
        ],
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "09:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": "GMT Standard Time"},
        },
    }


class GraphHandler(BaseHTTPRequestHandler):
    tenant: ClassVar[Tenant]
    base: ClassVar[str]

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr logging."""

    def do_GET(self) -> None:
        self.tenant.paths.append("GET " + self.path)
        if self.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            self._json(
                200,
                {
                    "token_endpoint": f"{self.base}/{TENANT}/oauth2/v2.0/token",
                    "authorization_endpoint": f"{self.base}/{TENANT}/oauth2/v2.0/authorize",
                    "issuer": f"{self.base}/{TENANT}/v2.0",
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_post",
                        "private_key_jwt",
                    ],
                },
            )
            return
        self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        self.tenant.paths.append("POST " + self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == f"/{TENANT}/oauth2/v2.0/token":
            self._token(parse_qs(body.decode()))
            return
        prefix = "/v1.0/users/"
        if self.path.startswith(prefix) and self.path.endswith("/calendar/getSchedule"):
            self._schedule(
                unquote(self.path[len(prefix) : -len("/calendar/getSchedule")]), json.loads(body)
            )
            return
        self._json(404, {"error": {"code": "ResourceNotFound", "message": "Not found"}})

    def _token(self, form: dict[str, list[str]]) -> None:
        self.tenant.token_calls += 1
        if self.tenant.echo:
            sent = "&".join(f"{k}={v[0]}" for k, v in form.items())
            self._json(
                400,
                {
                    "error": f"invalid_request: could not process {sent}",
                    "error_description": f"AADSTS90002: the client secret "
                    f"{form['client_secret'][0]} was presented "
                    f"with Authorization: Bearer {TOKEN}",
                },
            )
            return
        if form.get("client_id") != [CLIENT] or form.get("client_secret") != [SECRET]:
            self._json(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                    "error_codes": [7000215],
                },
            )
            return
        assert form.get("grant_type") == ["client_credentials"]
        assert form.get("scope") == ["https://graph.microsoft.com/.default"]
        self._json(
            200,
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": TOKEN,
            },
        )

    def _schedule(self, organizer: str, request: dict[str, Any]) -> None:
        assert organizer == ORGANIZER
        assert self.headers.get("Authorization") == f"Bearer {TOKEN}"
        self.tenant.schedule_headers.append(dict(self.headers))
        self.tenant.schedule_calls.append(request)
        if self.tenant.forbid:
            self._json(
                403,
                {
                    "error": {
                        "code": "ErrorAccessDenied",
                        "message": "Access is denied. Check credentials.",
                    }
                },
            )
            return
        if self.tenant.throttle > 0:
            self.tenant.throttle -= 1
            self._json(
                429,
                {
                    "error": {
                        "code": "TooManyRequests",
                        "message": "Application is over its MailboxConcurrency limit.",
                    }
                },
                headers={"Retry-After": self.tenant.retry_after},
            )
            return
        start = datetime.fromisoformat(request["startTime"]["dateTime"]).replace(tzinfo=UTC)
        end = datetime.fromisoformat(request["endTime"]["dateTime"]).replace(tzinfo=UTC)
        assert request["startTime"]["timeZone"] == request["endTime"]["timeZone"] == "UTC"
        self._json(
            200,
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection("
                "microsoft.graph.scheduleInformation)",
                "value": [
                    schedule_information(self.tenant, s, start, end) for s in request["schedules"]
                ],
            },
        )

    def _json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@dataclass
class Fake:
    base: str
    ca_bundle: str
    handler: type[GraphHandler]


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fake]:
    cert_path, key_path = self_signed(tmp_path_factory.mktemp("tls"))

    class Handler(GraphHandler):
        tenant = Tenant()
        base = ""

    handler = Handler
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    handler.base = f"https://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Fake(handler.base, str(cert_path), handler)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def tenant(fake: Fake) -> Tenant:
    fake.handler.tenant = Tenant()
    return fake.handler.tenant


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def env_for(fake: Fake, secret: str = SECRET) -> dict[str, str]:
    return {
        "JAGS_GRAPH_TENANT_ID": TENANT,
        "JAGS_GRAPH_CLIENT_ID": CLIENT,
        "JAGS_GRAPH_CLIENT_SECRET": secret,
        "JAGS_GRAPH_ORGANIZER": ORGANIZER,
        "JAGS_GRAPH_BASE_URL": f"{fake.base}/v1.0",
        "JAGS_GRAPH_AUTHORITY_HOST": fake.base,
        "JAGS_GRAPH_CA_BUNDLE": fake.ca_bundle,
    }


@pytest.fixture
def source(fake: Fake, sleeps: Sleeps) -> Iterator[GraphSource]:
    made = GraphSource.from_env(env_for(fake), sleep=sleeps)
    yield made
    made.close()


WEEK = (at("2026-10-19T00:00"), at("2026-10-24T00:00"))


def status(av: Availability, moment: str) -> Status:
    return av.status(at(moment), at(moment) + timedelta(minutes=15))


# -- tests ----------------------------------------------------------------------------------


def test_statuses_at_exact_utc_times(tenant: Tenant, source: GraphSource) -> None:
    tenant.items["alex.morgan@example.org"] = [
        (at("2026-10-19T09:00"), at("2026-10-19T10:00"), "busy"),
        (at("2026-10-20T13:00"), at("2026-10-20T14:30"), "tentative"),
        (at("2026-10-20T23:00"), at("2026-10-21T23:00"), "oof"),
        (at("2026-10-22T11:00"), at("2026-10-22T12:00"), "free"),
        (at("2026-10-23T08:00"), at("2026-10-23T09:00"), "workingElsewhere"),
        (at("2026-10-23T12:00"), at("2026-10-23T13:00"), "unknown"),
        (at("2026-10-18T22:00"), at("2026-10-19T01:00"), "Busy"),  # capitalised; before window
    ]
    checked: CalendarSource = source
    av = checked.availability(["Alex.Morgan@Example.org"], *WEEK)["Alex.Morgan@Example.org"]
    assert av.email == "alex.morgan@example.org"
    assert av.source == "graph"
    moments = [
        "2026-10-19T00:30",
        "2026-10-19T01:00",
        "2026-10-19T08:45",
        "2026-10-19T09:00",
        "2026-10-19T10:00",
        "2026-10-20T13:00",
        "2026-10-20T14:15",
        "2026-10-20T14:30",
        "2026-10-21T12:00",
        "2026-10-22T11:00",
        "2026-10-23T08:00",
        "2026-10-23T12:00",
        "2026-10-23T13:00",
    ]
    assert {m: status(av, m) for m in moments} == {
        "2026-10-19T00:30": B,
        "2026-10-19T01:00": F,
        "2026-10-19T08:45": F,
        "2026-10-19T09:00": B,
        "2026-10-19T10:00": F,
        "2026-10-20T13:00": T,
        "2026-10-20T14:15": T,
        "2026-10-20T14:30": F,
        "2026-10-21T12:00": OOF,
        "2026-10-22T11:00": F,
        "2026-10-23T08:00": F,  # working elsewhere counts as free
        "2026-10-23T12:00": U,
        "2026-10-23T13:00": F,
    }
    assert av.intervals[0].start == WEEK[0]
    assert "conference" not in repr(av) and "Room 4" not in repr(av)
    [request] = tenant.schedule_calls
    assert request["schedules"] == ["alex.morgan@example.org"]
    assert request["startTime"] == {"dateTime": "2026-10-19T00:00:00", "timeZone": "UTC"}
    assert request["endTime"] == {"dateTime": "2026-10-24T00:00:00", "timeZone": "UTC"}
    assert tenant.schedule_headers[0]["Prefer"] == 'outlook.timezone="UTC"'


def test_entries_with_an_error_are_unknown(tenant: Tenant, source: GraphSource) -> None:
    tenant.items["a@example.org"] = [(at("2026-10-19T09:00"), at("2026-10-19T10:00"), "busy")]
    tenant.items["c@example.org"] = []
    tenant.errors["other@partner.example"] = "ErrorProxyRequestProcessingFailed"
    asked = ["a@example.org", "other@partner.example", "gone@example.org", "c@example.org"]
    result = source.availability(asked, *WEEK)
    assert list(result) == asked
    assert result["other@partner.example"] == Availability.unknown("other@partner.example", "graph")
    assert result["gone@example.org"] == Availability.unknown("gone@example.org", "graph")
    assert status(result["a@example.org"], "2026-10-19T09:00") is B
    assert result["c@example.org"].coverage == (WEEK,)
    assert status(result["c@example.org"], "2026-10-19T09:00") is F


def test_150_schedules_take_two_calls(tenant: Tenant, source: GraphSource) -> None:
    people = [f"person{n:03d}@example.org" for n in range(150)]
    for person in people:
        tenant.items[person] = [(at("2026-10-19T09:00"), at("2026-10-19T10:00"), "busy")]
    result = source.availability(people, *WEEK)
    assert [len(c["schedules"]) for c in tenant.schedule_calls] == [100, 50]
    assert all(status(result[p], "2026-10-19T09:30") is B for p in people)


def test_a_90_day_window_takes_two_calls(tenant: Tenant, source: GraphSource) -> None:
    tenant.items["a@example.org"] = [
        (at("2026-12-18T10:00"), at("2026-12-19T10:00"), "oof"),  # crosses the split
        (at("2027-01-10T10:00"), at("2027-01-10T11:00"), "busy"),
    ]
    start, end = at("2026-10-19T00:00"), at("2027-01-17T00:00")  # 90 days
    av = source.availability(["a@example.org"], start, end)["a@example.org"]
    windows = [
        (c["startTime"]["dateTime"], c["endTime"]["dateTime"]) for c in tenant.schedule_calls
    ]
    assert windows == [
        ("2026-10-19T00:00:00", "2026-12-19T00:00:00"),
        ("2026-12-19T00:00:00", "2027-01-17T00:00:00"),
    ]
    assert all(
        datetime.fromisoformat(b) - datetime.fromisoformat(a) < timedelta(days=62)
        for a, b in windows
    )
    assert av.coverage == ((start, end),)
    assert [(i.start, i.end, i.status) for i in av.intervals] == [
        (at("2026-12-18T10:00"), at("2026-12-19T10:00"), OOF),
        (at("2027-01-10T10:00"), at("2027-01-10T11:00"), B),
    ]


def test_throttling_waits_for_retry_after(
    tenant: Tenant, source: GraphSource, sleeps: Sleeps
) -> None:
    tenant.items["a@example.org"] = [(at("2026-10-19T09:00"), at("2026-10-19T10:00"), "busy")]
    tenant.throttle = 1
    av = source.availability(["a@example.org"], *WEEK)["a@example.org"]
    assert sleeps == [3.0]
    assert len(tenant.schedule_calls) == 2
    assert status(av, "2026-10-19T09:00") is B


def test_throttling_beyond_the_retries_is_a_service_error(
    fake: Fake, tenant: Tenant, sleeps: Sleeps
) -> None:
    tenant.throttle = 10
    made = GraphSource.from_env(env_for(fake), sleep=sleeps, max_retries=2)
    with pytest.raises(CalendarServiceError, match="HTTP 429 TooManyRequests"):
        made.availability(["a@example.org"], *WEEK)
    assert sleeps == [3.0, 3.0]
    assert len(tenant.schedule_calls) == 3


def test_too_long_a_retry_after_is_not_waited_for(
    tenant: Tenant, source: GraphSource, sleeps: Sleeps
) -> None:
    tenant.throttle, tenant.retry_after = 1, "3600"
    with pytest.raises(CalendarServiceError, match="429"):
        source.availability(["a@example.org"], *WEEK)
    assert sleeps == []


def test_token_is_fetched_once_and_reused(tenant: Tenant, source: GraphSource) -> None:
    tenant.items["a@example.org"] = []
    source.availability(["a@example.org"], *WEEK)
    source.availability(["a@example.org"], *WEEK)
    assert tenant.token_calls == 1
    assert len(tenant.schedule_calls) == 2
    assert not any("discovery/instance" in p for p in tenant.paths)


def test_wrong_secret_is_a_service_error_without_the_secret(fake: Fake, tenant: Tenant) -> None:
    made = GraphSource.from_env(env_for(fake, secret="not-the-secret"))
    with pytest.raises(CalendarServiceError, match="invalid_client") as caught:
        made.availability(["a@example.org"], *WEEK)
    assert "not-the-secret" not in str(caught.value)
    assert caught.value.service == "graph"
    assert tenant.schedule_calls == []


def test_sign_in_error_text_that_echoes_the_secret_is_shown_scrubbed(
    tenant: Tenant, source: GraphSource
) -> None:
    tenant.echo = True
    with pytest.raises(CalendarServiceError, match="sign-in failed: invalid_request") as caught:
        source.availability(["a@example.org"], *WEEK)
    message = str(caught.value)
    assert SECRET not in message
    assert TOKEN not in message and "fake.token" not in message
    assert "client_secret=[hidden]" in message
    assert "AADSTS90002: the client secret [hidden] was presented" in message


def test_refused_call_is_a_service_error(tenant: Tenant, source: GraphSource) -> None:
    tenant.forbid = True
    with pytest.raises(
        CalendarServiceError,
        match=r"HTTP 403 ErrorAccessDenied: Access is denied\. Check credentials\.",
    ):
        source.availability(["a@example.org"], *WEEK)


def test_untrusted_certificate_is_refused(fake: Fake, tenant: Tenant) -> None:
    env = env_for(fake)
    del env["JAGS_GRAPH_CA_BUNDLE"]
    made = GraphSource.from_env(env)
    with pytest.raises(CalendarServiceError, match="sign-in failed"):
        made.availability(["a@example.org"], *WEEK)


def test_nobody_asked_makes_no_request(tenant: Tenant, source: GraphSource) -> None:
    assert source.availability([], *WEEK) == {}
    assert tenant.paths == []


def test_from_env_requires_the_four_settings() -> None:
    with pytest.raises(CalendarServiceError, match="JAGS_GRAPH_CLIENT_SECRET") as caught:
        GraphSource.from_env(
            {
                "JAGS_GRAPH_TENANT_ID": TENANT,
                "JAGS_GRAPH_CLIENT_ID": CLIENT,
                "JAGS_GRAPH_ORGANIZER": ORGANIZER,
            }
        )
    assert "JAGS_GRAPH_TENANT_ID" not in str(caught.value)
    made = GraphSource.from_env(
        {
            "JAGS_GRAPH_TENANT_ID": TENANT,
            "JAGS_GRAPH_CLIENT_ID": CLIENT,
            "JAGS_GRAPH_CLIENT_SECRET": SECRET,
            "JAGS_GRAPH_ORGANIZER": ORGANIZER,
        }
    )
    assert made.base_url == "https://graph.microsoft.com/v1.0"
    assert made.authority_host == "https://login.microsoftonline.com"
    assert SECRET not in repr(made)
    made.close()


def test_without_the_exchange_extra_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "msal", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"msal is missing.*jags-planner\[exchange\]"):
        GraphSource(TENANT, CLIENT, SECRET, ORGANIZER)


def test_graph_times_in_windows_or_iana_zones_read_as_utc() -> None:
    from scheduling.sources.graph import _parse_time, _zone

    assert _zone("GMT Standard Time") == ZoneInfo("Europe/London")
    assert _zone("Europe/Paris") == ZoneInfo("Europe/Paris")
    assert _zone("UTC") == ZoneInfo("UTC")
    with pytest.raises(ValueError, match="unknown time zone"):
        _zone("Middle Earth Standard Time")
    summer = _parse_time(
        {"dateTime": "2026-07-01T10:00:00.0000000", "timeZone": "GMT Standard Time"}
    )
    assert summer == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert _parse_time({"dateTime": "2026-12-01T10:00:00Z"}) == datetime(
        2026, 12, 1, 10, 0, tzinfo=UTC
    )


def test_retry_after_reads_seconds_or_an_http_date() -> None:
    from email.utils import format_datetime

    from scheduling.sources.graph import _retry_after

    assert _retry_after(None, default=3.0) == 3.0
    assert _retry_after("7", default=3.0) == 7.0
    assert _retry_after("-2", default=3.0) == 0.0
    assert _retry_after("soon", default=3.0) == 3.0
    later = datetime.now(UTC) + timedelta(seconds=120)
    assert 100 < _retry_after(format_datetime(later, usegmt=True), default=3.0) <= 120
    assert (
        _retry_after(format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True), default=3.0)
        == 0.0
    )


def test_a_schedule_item_that_cannot_be_read_is_a_service_error() -> None:
    from scheduling.sources import CalendarServiceError
    from scheduling.sources.graph import _item, _schedule

    assert _schedule("a@x.org", None) is None
    assert _schedule("a@x.org", {"error": {"responseCode": "ErrorMailRecipientNotFound"}}) is None
    with pytest.raises(CalendarServiceError, match="cannot be read"):
        _item({"status": "busy", "start": {"dateTime": "never"}, "end": {}})
