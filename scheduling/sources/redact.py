"""Text from a remote service, made safe to show.

Sign-in servers, Microsoft Graph and Exchange explain their refusals in
free text, and that text sometimes echoes the request it refuses — the
client secret, a password, a token. :func:`scrub` is applied to every such
text before it reaches a message, a log line or the screen.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["HIDDEN", "scrub"]

HIDDEN = "[hidden]"
"""What stands in place of anything removed."""

_SECRET_KEY = (
    r"(?:client[_-]?secret|secret|password|passwd|pwd|access[_-]?token|"
    r"refresh[_-]?token|id[_-]?token|token|client[_-]?assertion|assertion|"
    r"api[_-]?key|apikey|credentials?|authorization)"
)
_PAIR = re.compile(
    rf"(?P<key>[\"']?\b{_SECRET_KEY}\b[\"']?\s*(?:=|:)\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s&,;\"']+)",
    re.IGNORECASE,
)
_SCHEME = re.compile(
    r"\b(?P<scheme>Bearer|Basic|Negotiate|NTLM|Digest)\s+[A-Za-z0-9+/=._~-]+", re.IGNORECASE
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?")
_OPAQUE = re.compile(r"[A-Za-z0-9+/_~.=-]{32,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _opaque(match: re.Match[str]) -> str:
    """A long run of token characters with letters and digits mixed is hidden."""
    text = match.group(0)
    if any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
        return HIDDEN
    return text


def scrub(text: object, secrets: Iterable[str | None] = (), *, limit: int = 300) -> str:
    """``text`` with anything that looks like a secret removed, on one line.

    Parameters
    ----------
    text
        What the service said (converted with ``str``).
    secrets
        The configured client secret, password and the like: removed
        wherever they appear, also URL- or form-encoded (empty ones ignored).
    limit
        Longest result in characters (default 300); longer text is cut with ``…``.

    Returns
    -------
    str
        The text with each removal shown as ``[hidden]``: the values of
        ``secret=``, ``password:``, ``token=``-like pairs, ``Bearer``/``Basic``
        credentials, JSON web tokens, and long runs of mixed letters and
        digits (keys, tokens, hashes); control characters become spaces.
    """
    result = _CONTROL.sub(" ", str(text))
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            result = result.replace(form, HIDDEN)
    result = _SCHEME.sub(lambda m: f"{m.group('scheme')} {HIDDEN}", result)
    result = _JWT.sub(HIDDEN, result)
    result = _PAIR.sub(lambda m: f"{m.group('key')}{HIDDEN}", result)
    result = _OPAQUE.sub(_opaque, result)
    result = " ".join(result.split())
    return result if len(result) <= limit else result[: limit - 1].rstrip() + "…"
