"""Webhook deliveries for the receiver's tests: bodies in Meta's shape, signed like Meta signs."""

from __future__ import annotations

import json
from typing import Any

import httpx

from igdesk.webhooks.signature import SIGNATURE_HEADER, sign

SHOP = "17841400000000001"
SECRET = "instagram-app-secret-for-tests"
META_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
T0_MS = 1_764_410_000_000


def message_item(n: int, customer: str = "9000000000000001") -> dict[str, Any]:
    """The n-th customer message of a delivery (mid `mid.n`)."""
    return {
        "sender": {"id": customer},
        "recipient": {"id": SHOP},
        "timestamp": T0_MS + n,
        "message": {"mid": f"mid.{n}", "text": f"Halo kak #{n}"},
    }


def delivery(events: int = 1, *, first: int = 0) -> bytes:
    """One POST body holding `events` messages in one entry, as Meta serializes it."""
    items = [message_item(first + n) for n in range(events)]
    body = {"object": "instagram", "entry": [{"id": SHOP, "time": T0_MS, "messaging": items}]}
    return json.dumps(body, separators=(",", ":")).encode()


def signed_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}


async def post(
    client: httpx.AsyncClient, url: str, body: bytes, secret: str = SECRET
) -> httpx.Response:
    """POST `body` to the receiver, signed with `secret`."""
    return await client.post(url, content=body, headers=signed_headers(body, secret))
