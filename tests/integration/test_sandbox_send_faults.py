"""Faults on the Send API: before applying (nothing sent) and `after_apply` (sent, answer lost)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from igdesk.sandbox.testing import running_sandbox

WORLD: dict[str, Any] = {
    "threads": [
        {
            "customer": {"username": "nia"},
            "messages": [{"from": "customer", "ago": "1h", "text": "halo"}],
        }
    ]
}
SEND = {"path": "/messages", "method": "POST"}


async def _send(server: Any, client: httpx.AsyncClient, text: str) -> httpx.Response:
    customer = next(iter(server.world.customers))
    return await client.post(
        "/me/messages",
        params={"access_token": server.token},
        json={"recipient": {"id": customer}, "message": {"text": text}},
    )


def _shop_texts(server: Any) -> list[str]:
    thread = next(iter(server.world.threads.values()))
    return [m.text for m in thread.messages if m.sender_id == server.world.shop.ig_id]


@pytest.mark.asyncio
@pytest.mark.parametrize("after_apply", [False, True])
async def test_drop(after_apply: bool) -> None:
    async with running_sandbox(WORLD) as (server, client):
        fault = {"kind": "drop", **SEND, "after_apply": after_apply}
        assert (await client.post("/_sandbox/faults", json=fault)).status_code == 200
        with pytest.raises(httpx.TransportError):
            await _send(server, client, "lost answer")
        assert _shop_texts(server) == (["lost answer"] if after_apply else [])
        assert [x["ok"] for x in server.world.sends] == ([True] if after_apply else [])
        # the fault is spent: the next send answers normally
        assert (await _send(server, client, "again")).status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("spec", "status", "applied"),
    [
        ({"kind": "server_error"}, 500, False),
        ({"kind": "server_error", "after_apply": True}, 500, True),
        ({"kind": "server_error", "code": 2, "after_apply": True}, 500, True),
        ({"kind": "server_error", "status": 502, "after_apply": True}, 502, True),
        ({"kind": "server_error", "status": 503}, 503, False),
        ({"kind": "rate_limit", "code": 613}, 400, False),
        ({"kind": "expired_token"}, 400, False),
    ],
)
async def test_error_faults_on_send(spec: dict[str, Any], status: int, applied: bool) -> None:
    async with running_sandbox(WORLD) as (server, client):
        await client.post("/_sandbox/faults", json={**spec, **SEND})
        reply = await _send(server, client, "maybe")
        assert reply.status_code == status
        if status in (400, 500):
            error = reply.json()["error"]
            assert {"message", "type", "code", "fbtrace_id"} <= set(error)
        if spec["kind"] == "rate_limit":
            assert "X-Business-Use-Case-Usage" in reply.headers
        if spec["kind"] == "expired_token":
            assert (reply.json()["error"]["code"], reply.json()["error"]["error_subcode"]) == (
                190,
                463,
            )
        assert _shop_texts(server) == (["maybe"] if applied else [])


@pytest.mark.asyncio
async def test_slow_send_and_faults_scoped_to_posts() -> None:
    async with running_sandbox(WORLD) as (server, client):
        await client.post("/_sandbox/faults", json={"kind": "slow", "seconds": 0.4, **SEND})
        await client.post("/_sandbox/faults", json={"kind": "drop", **SEND, "after_apply": True})
        reads = await client.get("/me/conversations", params={"access_token": server.token})
        assert reads.status_code == 200  # a GET does not spend POST faults
        started = time.monotonic()
        with pytest.raises(httpx.TransportError):
            await _send(server, client, "slow then dropped")
        assert time.monotonic() - started >= 0.4
        assert _shop_texts(server) == ["slow then dropped"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "slow", "after_apply": True},
        {"kind": "drop", "after_apply": "yes"},
    ],
)
async def test_after_apply_is_validated(spec: dict[str, Any]) -> None:
    async with running_sandbox(WORLD) as (_server, client):
        reply = await client.post("/_sandbox/faults", json=spec)
        assert reply.status_code == 400 and "after_apply" in reply.json()["error"]
