"""A fake Microsoft Graph and sign-in server on 127.0.0.1 over TLS (not a test module).

It answers the documented response bodies: OpenID discovery, the client
credentials token, and ``sendMail`` (202, or a chosen status).
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import requests
from loopback_tls import self_signed

ORGANIZER = "jags@nscp.example.org"
SECRET = "s3cr3t-value-never-shown"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeGraph:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    send_statuses: list[int] = field(default_factory=list)
    """Statuses to answer sendMail with, in turn (202 when empty)."""
    token_error: bool = False


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[tuple[FakeGraph, requests.Session]]:
    cert_path, key_path = self_signed(tmp_path)
    state = FakeGraph(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _record(self) -> Recorded:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else b""
            entry = Recorded(self.command, self.path, dict(self.headers.items()), body)
            state.requests.append(entry)
            return entry

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._record()
            match = re.fullmatch(
                r"/([^/]+)/v2\.0/\.well-known/openid-configuration", self.path.split("?")[0]
            )
            if not match:
                self._json(404, {"error": "not_found"})
                return
            tenant = match.group(1)
            self._json(
                200,
                {
                    "issuer": f"{state.url}/{tenant}/v2.0",
                    "authorization_endpoint": f"{state.url}/{tenant}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{state.url}/{tenant}/oauth2/v2.0/token",
                },
            )

        def do_POST(self) -> None:
            entry = self._record()
            if entry.path.endswith("/oauth2/v2.0/token"):
                if state.token_error:
                    # Some sign-in servers (and proxies in front of them) echo the request.
                    echoed = entry.body.decode()
                    self._json(
                        401,
                        {
                            "error": f"invalid_client (request: {echoed})",
                            "error_description": "AADSTS7000215: Invalid client "
                            f"secret provided: {unquote(echoed)}",
                        },
                    )
                else:
                    self._json(
                        200,
                        {
                            "token_type": "Bearer",
                            "expires_in": 3599,
                            "access_token": "fake-access-token",
                        },
                    )
                return
            if entry.path.endswith("/sendMail"):
                status = state.send_statuses.pop(0) if state.send_statuses else 202
                if status == 202:
                    self.send_response(202)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif status == 429:
                    self.send_response(429)
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._json(
                        status,
                        {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}},
                    )
                return
            self._json(404, {"error": "not_found"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.url = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    http = requests.Session()
    http.verify = str(cert_path)
    http.trust_env = False
    try:
        yield state, http
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        http.close()


def graph_env(state: FakeGraph) -> dict[str, str]:
    return {
        "JAGS_GRAPH_TENANT_ID": "tenant-123",
        "JAGS_GRAPH_CLIENT_ID": "client-456",
        "JAGS_GRAPH_CLIENT_SECRET": SECRET,
        "JAGS_GRAPH_ORGANIZER": ORGANIZER,
        "JAGS_GRAPH_BASE_URL": f"{state.url}/v1.0",
        "JAGS_GRAPH_AUTHORITY_HOST": state.url,
    }
