"""Microsoft Graph sign-in (:mod:`scheduling.sources.graph_auth`) on its own.

Signing in against a fake tenant is exercised through GraphSource in test_sources_graph.py.
"""

from __future__ import annotations

import sys

import pytest

from scheduling.sources import MissingExtraError
from scheduling.sources.graph_auth import client_token

TENANT = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
CLIENT = "11112222-3333-4444-5555-666677778888"
SECRET = "s3cr3t~value.that.must.never.be.shown"


def test_without_the_exchange_extra_client_token_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "msal", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"msal is missing.*jags-planner\[exchange\]"):
        client_token(CLIENT, SECRET, TENANT, "https://login.example", ["x"], http_client=None)
