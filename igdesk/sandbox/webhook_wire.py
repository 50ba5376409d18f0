"""Webhook bytes on the wire: Meta's JSON, signatures, envelopes, test payloads, the handshake.

Choices where instagram-api.md ("5. Webhooks") is thin:

- Bodies are compact JSON (no spaces) with every non-ASCII character escaped (``ensure_ascii``,
  lowercase hex, emoji as surrogate pairs) and ``/`` written ``\\/``, as Graph's encoder does.
  A receiver that re-serializes the JSON before hashing gets another signature: it must hash
  the exact bytes.
- ``X-Hub-Signature-256: sha256=<lowercase hex>`` over the exact body, keyed with the chosen
  app secret; the legacy ``X-Hub-Signature: sha1=<hex>`` (same key) goes along unless turned
  off (the sheet: "may also be sent"). ``User-Agent: facebookexternalua``,
  ``Content-Type: application/json``.
- Envelope: ``{"object":"instagram","entry":[{"id":IG_ID,"time":<ms>,"messaging":[...]}]}``;
  ``standby`` replaces ``messaging`` for a non-owner app. ``time`` is when the body was built;
  a retry sends the same bytes again.
- Dashboard "Test" payloads: ``{"object":"instagram","entry":[{"id":"0","time":<seconds>,
  "changes":[{"field":F,"value":V}]}]}`` with the dashboard's fixed sample ids (sender
  "12334", recipient "23245", ``timestamp`` the string "1527459824", mid "random_mid"), as
  public receivers log them. Samples exist for the messaging fields and ``comments``.
- The verification GET (``hub.mode=subscribe``, ``hub.challenge`` a random integer,
  ``hub.verify_token``) passes only on status 200 with a body that is exactly the challenge;
  anything else is refused like the dashboard refuses it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

import aiohttp

USER_AGENT = "facebookexternalua"
TEST_SENDER = "12334"
TEST_RECIPIENT = "23245"
TEST_TIMESTAMP = "1527459824"
#: The webhook fields of both flavours (instagram-api.md, "Webhook fields (Instagram)").
WEBHOOK_FIELDS = frozenset(
    {
        "messages",
        "message_reactions",
        "messaging_handover",
        "messaging_optins",
        "messaging_postbacks",
        "messaging_referral",
        "messaging_seen",
        "standby",
        "message_echoes",
        "message_edit",
        "comments",
        "live_comments",
        "messaging_policy_enforcement",
        "response_feedback",
    }
)
DASHBOARD_REFUSAL = (
    "The callback URL or verify token couldn't be validated. "
    "Please verify the provided information or try again later."
)


def encode(payload: Any) -> bytes:
    """Meta's serialization: compact, escaped unicode, escaped slashes."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode("ascii")


def signature_256(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_sha1(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def headers(secret: str, body: bytes, *, legacy_sha1: bool) -> dict[str, str]:
    out = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Hub-Signature-256": signature_256(secret, body),
    }
    if legacy_sha1:
        out["X-Hub-Signature"] = signature_sha1(secret, body)
    return out


def envelope(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "instagram", "entry": entries}


def entry(
    account_id: str, time_ms: int, items: list[dict[str, Any]], *, standby: bool
) -> dict[str, Any]:
    return {"id": account_id, "time": time_ms, "standby" if standby else "messaging": items}


def _people() -> dict[str, Any]:
    return {
        "sender": {"id": TEST_SENDER},
        "recipient": {"id": TEST_RECIPIENT},
        "timestamp": TEST_TIMESTAMP,
    }


_TEST_VALUES: dict[str, dict[str, Any]] = {
    "messages": {"message": {"mid": "random_mid", "text": "random_text"}},
    "message_echoes": {"message": {"mid": "random_mid", "text": "random_text", "is_echo": True}},
    "message_reactions": {
        "reaction": {"mid": "random_mid", "action": "react", "reaction": "love", "emoji": "❤️"}
    },
    "message_edit": {"message_edit": {"mid": "random_mid", "text": "random_text", "num_edit": 1}},
    "messaging_seen": {"read": {"mid": "random_mid"}},
    "messaging_postbacks": {
        "postback": {"mid": "random_mid", "title": "random_title", "payload": "random_payload"}
    },
    "messaging_referral": {
        "referral": {"ref": "random_ref", "source": "SHORTLINK", "type": "OPEN_THREAD"}
    },
    "messaging_optins": {"optin": {"ref": "random_ref"}},
    "messaging_handover": {
        "pass_thread_control": {
            "previous_owner_app_id": "0",
            "new_owner_app_id": "0",
            "metadata": "random_metadata",
        }
    },
    "standby": {"message": {"mid": "random_mid", "text": "random_text"}},
}


def sample_fields() -> list[str]:
    """Fields the dashboard's Test button can send a sample of."""
    return sorted([*_TEST_VALUES, "comments", "live_comments"])


def sample_payload(field: str, time_seconds: int) -> dict[str, Any]:
    """The dashboard's sample notification for one field (ValueError for an unknown field)."""
    if field in ("comments", "live_comments"):
        value: dict[str, Any] = {
            "id": "17865799348089039",
            "from": {"id": TEST_SENDER, "username": "test"},
            "text": "This is an example.",
            "media": {"id": "123123123", "media_product_type": "FEED"},
        }
    elif field in _TEST_VALUES:
        value = {**_people(), **_TEST_VALUES[field]}
    else:
        raise ValueError(f"no test sample for field {field!r}; known: {', '.join(sample_fields())}")
    change = {"field": field, "value": value}
    return envelope([{"id": "0", "time": time_seconds, "changes": [change]}])


async def handshake(
    session: aiohttp.ClientSession, callback_url: str, verify_token: str, timeout: float
) -> str | None:
    """Meta's verification GET; None when the callback echoed the challenge, else why not."""
    challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
    params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    try:
        async with session.get(
            callback_url,
            params=params,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=timeout),
            headers={"User-Agent": USER_AGENT},
        ) as reply:
            body = await reply.read()
            status = reply.status
    except (aiohttp.ClientError, TimeoutError) as error:
        return f"Callback verification failed: {type(error).__name__}: {error}"
    if status != 200:
        return f"Callback verification failed with HTTP Status Code = {status}"
    if body != challenge.encode():
        shown = body[:60].decode("utf-8", "replace")
        return (
            f"Response does not match challenge, expected value = {challenge}, received = {shown!r}"
        )
    return None
