"""redact() and the flavours."""

from __future__ import annotations

import logging

import pytest

from igdesk.graph import FACEBOOK_PAGE, INSTAGRAM_LOGIN, flavour_by_name, redact
from igdesk.graph.redact import MASK, RedactingFilter


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET https://graph.instagram.com/v25.0/me?fields=id&access_token=abc123def", "abc123def"),
        ("https://x/?a=1&ACCESS_TOKEN=zz9zz9&b=2", "zz9zz9"),
        ("Authorization: Bearer s3cr3tvalue", "s3cr3tvalue"),
        ("{'Authorization': 'Bearer s3cr3tvalue'}", "s3cr3tvalue"),
        ('{"access_token": "tok-value", "user_id": 1}', "tok-value"),
        ("client_secret=shh-secret&grant_type=x", "shh-secret"),
        ("https://example.com/cb/?code=AQBsignincode#_", "AQBsignincode"),
        ("token IGAAabcdefghijklmnopqrstuvwxyz in a message", "IGAAabcdefghijklmnopqrstuvwxyz"),
        ("page token EAABwzLixnjYBAabcdefghijklmnop", "EAABwzLixnjYBAabcdefghijklmnop"),
        # URL-encoded inside another URL's parameter (a redirect, a `next` link).
        ("/cb?next=https%3A%2F%2Fg%2Fme%3Faccess_token%3Dplain-secret%26a%3D1", "plain-secret"),
        ("x%3DEAABwzLixnjYBAabcdefghijklmnop", "EAABwzLixnjYBAabcdefghijklmnop"),
        ("%3Fcode%3D1&token%3dIGAAabcdefghijklmnopqrstuvwxyz", "IGAAabcdefghijklmnopqrstuvwxyz"),
    ],
)
def test_redact_removes_secrets(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out and MASK in out


def test_redact_keeps_harmless_text() -> None:
    text = "HTTP 400 OAuthException: error code=190 subcode=463 /v25.0/me?fields=id,username"
    assert redact(text) == text


def test_redact_explicit_secrets() -> None:
    assert redact("abc plain-secret-value xyz", ["plain-secret-value"]) == f"abc {MASK} xyz"


def test_redacting_filter() -> None:
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        'HTTP Request: %s %s "%s"',
        ("GET", "https://g/refresh_access_token?access_token=LEAKME", "200 OK"),
        None,
    )
    assert RedactingFilter().filter(record)
    assert "LEAKME" not in record.getMessage()


def test_flavours() -> None:
    assert flavour_by_name("instagram_login") is INSTAGRAM_LOGIN
    assert flavour_by_name("Facebook-Page") is FACEBOOK_PAGE
    assert flavour_by_name("page") is FACEBOOK_PAGE
    with pytest.raises(ValueError):
        flavour_by_name("myspace")
    assert INSTAGRAM_LOGIN.graph_host == "https://graph.instagram.com"
    assert FACEBOOK_PAGE.graph_host == "https://graph.facebook.com"
    assert INSTAGRAM_LOGIN.owner_path("IG", None) == "IG"
    assert FACEBOOK_PAGE.owner_path("IG", "PAGE") == "PAGE"
    assert FACEBOOK_PAGE.owner_path("IG", None) == "me"
    assert "instagram_manage_messages" in FACEBOOK_PAGE.scopes
    assert INSTAGRAM_LOGIN.scopes == (
        "instagram_business_basic",
        "instagram_business_manage_messages",
    )
