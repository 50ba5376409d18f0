"""Helpers for tests: tiny worlds and a running sandbox with an httpx client.

async with running_sandbox(tiny_scenario()) as (server, client):
    reply = await client.get("/me", params={"access_token": server.token})
    ani = thread_named(await snapshot(client), "ani.follower")

async with webhooked_sandbox(batch_window=0) as (server, client, recorder):
    await client.post("/_sandbox/customer_message", json={"username": "ani.follower", ...})
    [post] = await recorder.wait_posts(1)
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from igdesk.domain import WEBHOOK_MESSAGING_FIELDS
from igdesk.sandbox.recorder import WebhookRecorder
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.state import SandboxOptions
from igdesk.sandbox.webhooks import WebhookSettings

#: The messaging fields a client subscribes to (app and account level) in webhook tests.
MESSAGING_FIELDS = list(WEBHOOK_MESSAGING_FIELDS)

#: The generic-template card `tiny_scenario(template=True)` adds to ani.follower's thread.
ORDER_CARD: dict[str, Any] = {
    "title": "Pesanan #TBS-1001 diterima",
    "subtitle": "Kemeja batik parang, M · Rp 350.000",
    "image": "batik_red",
    "url": "https://tokobatik.example/pesanan/TBS-1001",
    "buttons": [
        {"type": "web_url", "title": "Lacak pesanan", "url": "https://tokobatik.example/lacak"},
        {"type": "postback", "title": "Hubungi kami", "payload": "CONTACT_TBS-1001"},
    ],
}


def tiny_scenario(*, human_agent: bool = True, template: bool = False) -> dict[str, Any]:
    """Five threads: a follower, an answered non-follower, a fresh request, a stale request
    (not listed) and a 25-message thread (5 unreadable).

    `template` adds a third message to ani.follower's thread, 90 minutes ago: the shop's
    automated order confirmation, a generic template (ORDER_CARD) with two buttons."""
    ani: list[dict[str, Any]] = [
        {"from": "customer", "ago": "2h", "text": "Halo kak 😊"},
        {"from": "shop", "ago": "1h", "text": "Halo Ani"},
    ]
    if template:
        ani.append({"from": "shop", "ago": "90m", "template": ORDER_CARD})
    long_thread = [
        {"from": "customer" if i % 2 == 0 else "shop", "ago": f"{50 - i}h", "text": f"pesan {i}"}
        for i in range(25)
    ]
    return {
        "human_agent": human_agent,
        "customers": [{"username": "komentar.saja", "name": "Only Commented"}],
        "threads": [
            {
                "customer": {"username": "ani.follower", "name": "Ani", "follows_business": True},
                "messages": ani,
            },
            {
                "customer": {"username": "bob.general", "name": "Bob"},
                "messages": [
                    {"from": "customer", "ago": "5h", "text": "Hi there"},
                    {"from": "shop", "ago": "4h", "text": "Hello Bob"},
                ],
            },
            {
                "customer": {"username": "cici.request", "name": None, "avatar": None},
                "messages": [{"from": "customer", "ago": "30m", "text": "Kak, ready?"}],
            },
            {
                "customer": {"username": "dodi.stale", "name": "Dodi"},
                "messages": [{"from": "customer", "ago": "31d", "text": "Masih buka?"}],
            },
            {
                "customer": {"username": "eka.long", "name": "Eka", "follows_business": True},
                "messages": long_thread,
            },
        ],
    }


async def snapshot(client: httpx.AsyncClient) -> dict[str, Any]:
    """The sandbox's ground truth (``GET /_sandbox/world``) through a running_sandbox client."""
    reply = await client.get("/_sandbox/world")
    reply.raise_for_status()
    data: dict[str, Any] = reply.json()
    return data


def thread_named(world: dict[str, Any], username: str) -> dict[str, Any]:
    """A thread of a snapshot, by its customer's username."""
    return next(t for t in world["threads"] if t["customer"]["username"] == username)


@contextlib.asynccontextmanager
async def running_sandbox(
    world: dict[str, Any] | Path | None = None, **options: Any
) -> AsyncIterator[tuple[SandboxServer, httpx.AsyncClient]]:
    """A started sandbox and a client on its base URL.

    `world`: a scenario dict, a scenario file (DEFAULT_SCENARIO for the bundled shop) or
    None for tiny_scenario(). `options` are SandboxOptions fields.
    """
    server = SandboxServer(
        world if world is not None else tiny_scenario(), options=SandboxOptions(**options)
    )
    url = await server.start()
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10.0) as client:
            yield server, client
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def webhooked_sandbox(
    world: dict[str, Any] | Path | None = None,
    *,
    fields: list[str] | None = None,
    subscribe: bool = True,
    verify_token: str = "verify-me",
    **settings: Any,
) -> AsyncIterator[tuple[SandboxServer, httpx.AsyncClient, WebhookRecorder]]:
    """A running sandbox whose app webhook points at a started WebhookRecorder.

    `fields` (MESSAGING_FIELDS by default) are set at app level through
    ``POST /_sandbox/webhook`` and, with `subscribe`, at account level through
    ``POST /me/subscribed_apps``. `settings` are WebhookSettings fields.
    """
    chosen = list(fields or MESSAGING_FIELDS)
    recorder = WebhookRecorder(verify_token)
    await recorder.start()
    try:
        async with running_sandbox(world, webhooks=WebhookSettings(**settings)) as (
            server,
            client,
        ):
            hook = {"callback_url": recorder.url, "verify_token": verify_token, "fields": chosen}
            (await client.post("/_sandbox/webhook", json=hook)).raise_for_status()
            if subscribe:
                params = {"subscribed_fields": ",".join(chosen), "access_token": server.token}
                (await client.post("/me/subscribed_apps", params=params)).raise_for_status()
            yield server, client, recorder
    finally:
        await recorder.stop()
