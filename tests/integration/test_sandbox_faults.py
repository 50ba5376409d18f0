"""Every fault kind, injected through /_sandbox/faults and seen over real HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from igdesk.sandbox.testing import running_sandbox


async def _arm(client: httpx.AsyncClient, *faults: dict[str, Any]) -> None:
    reply = await client.post("/_sandbox/faults", json=list(faults))
    assert reply.status_code == 200, reply.text


@pytest.mark.asyncio
@pytest.mark.parametrize("code", [4, 17, 32, 613, 80002])
async def test_rate_limit_fault(code: int) -> None:
    async with running_sandbox() as (server, client):
        await _arm(
            client, {"kind": "rate_limit", "code": code, "minutes": 7, "path": "/conversations"}
        )
        params = {"access_token": server.token}
        assert (await client.get("/me", params=params)).status_code == 200  # path not matched
        reply = await client.get("/v25.0/me/conversations", params=params)
        assert reply.status_code == 400 and reply.json()["error"]["code"] == code
        usage = json.loads(reply.headers["X-Business-Use-Case-Usage"])
        entry = usage[server.world.shop.ig_id][0]
        assert entry["call_count"] == 100 and entry["estimated_time_to_regain_access"] == 7
        assert (await client.get("/me/conversations", params=params)).status_code == 200


@pytest.mark.asyncio
async def test_server_errors_and_gateway_pages() -> None:
    async with running_sandbox() as (server, client):
        await _arm(
            client,
            {"kind": "server_error"},
            {"kind": "server_error", "code": 2},
            {"kind": "server_error", "status": 502},
            {"kind": "server_error", "status": 503},
        )
        params = {"access_token": server.token}
        first = await client.get("/me", params=params)
        assert first.status_code == 500 and first.json()["error"]["code"] == 1
        second = await client.get("/me", params=params)
        assert second.json()["error"]["code"] == 2 and second.json()["error"]["is_transient"]
        for status in (502, 503):
            reply = await client.get("/me", params=params)
            assert reply.status_code == status and reply.text.startswith("<html>")
        assert (await client.get("/me", params=params)).status_code == 200


@pytest.mark.asyncio
async def test_slow_drop_and_never_ending() -> None:
    async with running_sandbox() as (server, client):
        params = {"access_token": server.token}
        await _arm(client, {"kind": "slow", "seconds": 0.6})
        started = time.monotonic()
        assert (await client.get("/me", params=params)).status_code == 200
        assert time.monotonic() - started >= 0.6
        await _arm(client, {"kind": "drop"})
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/me", params=params)
        await _arm(client, {"kind": "never_ending", "seconds": 30})
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/me", params=params, timeout=httpx.Timeout(5.0, read=0.3))
        # the trickle keeps a per-read timeout alive: only a total deadline ends it
        async with client.stream("GET", "/me", params=params) as stream:
            assert stream.status_code == 200
            assert not stream.is_closed


@pytest.mark.asyncio
async def test_expired_token_fault() -> None:
    async with running_sandbox() as (server, client):
        params = {"access_token": server.token}
        await _arm(client, {"kind": "expired_token"})
        error = (await client.get("/me", params=params)).json()["error"]
        assert (error["code"], error["error_subcode"]) == (190, 463)
        assert error["message"].startswith("Error validating access token: Session has expired")
        assert (await client.get("/me", params=params)).status_code == 200
        await _arm(client, {"kind": "expired_token", "permanent": True})
        await client.get("/me", params=params)
        again = (await client.get("/me", params=params)).json()["error"]
        assert again["error_subcode"] == 463


@pytest.mark.asyncio
async def test_malformed_and_huge_bodies() -> None:
    async with running_sandbox() as (server, client):
        params = {"access_token": server.token}
        await _arm(client, {"kind": "malformed_json"})
        reply = await client.get("/me/conversations", params=params)
        assert reply.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(reply.text)
        await _arm(client, {"kind": "huge_body", "size_mb": 30})
        size = 0
        async with client.stream("GET", "/me/conversations", params=params) as stream:
            async for chunk in stream.aiter_bytes():
                size += len(chunk)
        assert size > 30 * 1024 * 1024


async def _walk(client: httpx.AsyncClient, token: str, limit: int = 2) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    url: str | None = "/me/conversations"
    params: dict[str, str] | None = {"access_token": token, "limit": str(limit)}
    while url and len(pages) < 10:
        body = (await client.get(url, params=params)).json()
        pages.append(body)
        url, params = body.get("paging", {}).get("next"), None
    return pages


@pytest.mark.asyncio
async def test_paging_faults() -> None:
    async with running_sandbox() as (server, client):
        clean = [c["id"] for p in await _walk(client, server.token) for c in p["data"]]
        await _arm(client, {"kind": "empty_page_with_next"})
        pages = await _walk(client, server.token)
        assert pages[0]["data"] == [] and pages[0]["paging"]["next"]
        assert [c["id"] for p in pages for c in p["data"]] == clean
        await _arm(client, {"kind": "duplicate_conversations", "overlap": 1})
        seen = [c["id"] for p in await _walk(client, server.token) for c in p["data"]]
        assert len(seen) == len(clean) + 1 and set(seen) == set(clean)
        await _arm(client, {"kind": "foreign_next"})
        first = (
            await client.get(
                "/me/conversations", params={"access_token": server.token, "limit": "2"}
            )
        ).json()
        assert first["paging"]["next"].startswith("https://evil.example.com/me/conversations?")


@pytest.mark.asyncio
async def test_null_fields_and_bad_thread() -> None:
    async with running_sandbox() as (server, client):
        params = {
            "access_token": server.token,
            "limit": "10",
            "fields": "id,updated_time,participants,messages.limit(2){id,from,to}",
        }
        await _arm(client, {"kind": "null_fields"})
        body = (await client.get("/me/conversations", params=params)).json()
        assert all(c["participants"] is None for c in body["data"])
        assert "updated_time" not in body["data"][-1]
        message = body["data"][0]["messages"]["data"][0]
        assert message["from"] is None and "to" not in message
        assert "x_sandbox_unknown" in body["data"][0]
        world = (await client.get("/_sandbox/world")).json()
        bad = next(t for t in world["threads"] if t["customer"]["username"] == "bob.general")
        await _arm(client, {"kind": "bad_thread", "thread_id": bad["id"], "count": -1})
        small = {"access_token": server.token, "limit": "1"}
        failures = 0
        url: str | None = "/me/conversations"
        query: dict[str, str] | None = small
        while url:
            reply = await client.get(url, params=query)
            if reply.status_code != 200:
                failures += 1
                assert reply.status_code == 500 and reply.json()["error"]["code"] == 1
                assert reply.json()["error"]["message"] == "An unknown error has occurred."
                break
            url, query = reply.json().get("paging", {}).get("next"), None
        assert failures == 1
        big = await client.get("/me/conversations", params={**small, "limit": "10"})
        assert big.status_code == 500
        await client.delete("/_sandbox/faults")
        assert (await client.get("/me/conversations", params=small)).status_code == 200


@pytest.mark.asyncio
async def test_bad_fault_requests_are_refused() -> None:
    async with running_sandbox() as (_server, client):
        for fault in (
            {"kind": "gremlins"},
            {"kind": "rate_limit", "code": 5},
            {"kind": "drop", "count": 0},
            {"kind": "bad_thread"},
        ):
            reply = await client.post("/_sandbox/faults", json=fault)
            assert reply.status_code == 400
