"""Microsoft Graph sign-in: the app-only token (msal) and the HTTP session msal talks through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from scheduling.sources.errors import CalendarServiceError, require_extra
from scheduling.sources.redact import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

SOURCE = "graph"
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"


class VerifyingSession:
    """A :class:`requests.Session` that passes TLS verification and a timeout on every call.

    This is the shape msal takes as ``http_client`` (``get``, ``post``,
    ``close``). Passing ``verify`` per call, not only on the session, keeps a
    CA bundle given here from being replaced by ``REQUESTS_CA_BUNDLE``,
    which requests otherwise prefers; ``verify=True`` keeps requests' usual
    behaviour (that variable, else certifi).
    """

    def __init__(self, session: requests.Session, verify: bool | str, timeout: float) -> None:
        self.session = session
        self.verify = verify
        self.timeout = timeout

    def get(
        self, url: str, params: Any = None, headers: Any = None, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("timeout", self.timeout)
        return self.session.get(url, params=params, headers=headers, **kwargs)

    def post(
        self, url: str, params: Any = None, data: Any = None, headers: Any = None, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("timeout", self.timeout)
        return self.session.post(url, params=params, data=data, headers=headers, **kwargs)

    def close(self) -> None:
        self.session.close()


def client_token(
    client_id: str,
    secret: str,
    tenant: str,
    authority_host: str,
    scopes: Sequence[str],
    *,
    http_client: Any,
    timeout: float | None = None,
    app: Any = None,
) -> tuple[str, Any]:
    """An app-only (client credentials) access token, and the msal app that holds it.

    Parameters
    ----------
    client_id, secret, tenant
        The app registration.
    authority_host
        The sign-in host; any other than Microsoft's (a private or test host)
        skips Microsoft's instance discovery and authority check.
    scopes
        E.g. ``["https://graph.microsoft.com/.default"]``.
    http_client
        What msal talks through (a ``requests.Session`` or one like it).
    timeout
        Seconds for msal's HTTP calls (default: msal's).
    app
        An app from an earlier call, whose token cache is reused (default: a new one).

    Raises
    ------
    MissingExtraError
        When msal (the ``exchange`` extra) is not installed.
    CalendarServiceError
        When sign-in fails; the message holds the service's error and its
        description, scrubbed of the secret and anything like a secret or token.
    """
    msal = require_extra("msal")
    try:
        if app is None:
            options: dict[str, Any] = {}
            if authority_host != DEFAULT_AUTHORITY_HOST:
                options = {"validate_authority": False, "instance_discovery": False}
            app = msal.ConfidentialClientApplication(
                client_id,
                client_credential=secret,
                authority=f"{authority_host}/{quote(tenant, safe='')}",
                http_client=http_client,
                timeout=timeout,
                **options,
            )
        answer = app.acquire_token_for_client(scopes=list(scopes))
    except (ValueError, requests.RequestException) as exc:
        raise CalendarServiceError(
            f"Microsoft Graph sign-in failed: the sign-in service could not be used "
            f"({type(exc).__name__})",
            service=SOURCE,
        ) from None
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        said = answer if isinstance(answer, dict) else {}
        code = scrub(said.get("error") or "no token", [secret])
        detail = scrub(said.get("error_description") or "", [secret])
        raise CalendarServiceError(
            f"Microsoft Graph sign-in failed: {code}" + (f" ({detail})" if detail else ""),
            service=SOURCE,
        )
    return token, app
