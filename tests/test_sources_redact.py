"""scrub: text from a remote service, safe to show."""

from __future__ import annotations

import pytest

from scheduling.sources.redact import HIDDEN, scrub

SECRET = "Qx7~s3cr3t value/with+odd&chars"


@pytest.mark.parametrize(
    "form",
    [SECRET, "Qx7~s3cr3t%20value%2Fwith%2Bodd%26chars", "Qx7~s3cr3t+value%2Fwith%2Bodd%26chars"],
)
def test_configured_secrets_are_removed_in_every_encoding(form: str) -> None:
    text = f"bad request: {form} was not accepted"
    assert scrub(text, [SECRET, "", None]) == f"bad request: {HIDDEN} was not accepted"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "client_secret=abc&grant_type=client_credentials",
            "client_secret=[hidden]&grant_type=client_credentials",
        ),
        ('{"password": "two words", "user": "svc"}', '{"password": [hidden], "user": "svc"}'),
        ("Password: hunter2; try again", "Password: [hidden]; try again"),
        (
            "access_token=abc.def refresh_token='x y'",
            "access_token=[hidden] refresh_token=[hidden]",
        ),
        ("header Authorization: Bearer abc.def-ghi", "header Authorization: [hidden] [hidden]"),
        ("sent Basic dXNlcjpwYXNz", "sent Basic [hidden]"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig here", "token [hidden] here"),
        ("key 3f9a0c1e7b2d4a6f8e0c1b3d5f7a9c2e4b6d8f0a", f"key {HIDDEN}"),
        ("Access is denied. Check credentials.", "Access is denied. Check credentials."),
        ("ErrorMailRecipientNotFound", "ErrorMailRecipientNotFound"),
    ],
)
def test_things_that_look_like_secrets_are_removed(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_one_line_and_a_length_limit() -> None:
    assert scrub("line one\r\nline\ttwo\x00") == "line one line two"
    long = scrub("word " * 200, limit=50)
    assert len(long) == 50 and long.endswith("…")


def test_anything_is_turned_into_text() -> None:
    assert scrub(ValueError("password=x")) == "password=[hidden]"
