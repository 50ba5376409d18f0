""" "Require App Secret": Page-token calls carry appsecret_proof, over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox, tiny_scenario

FAST: dict[str, Any] = {"conversations_rate": 1000.0}
MISSING = "API calls from the server require an appsecret_proof argument"
INVALID = "Invalid appsecret_proof provided in the API argument"


def proof(server: SandboxServer, token: str) -> str:
    return hmac.new(server.meta_app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def assert_refused(reply: httpx.Response, message: str) -> None:
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "code", "fbtrace_id"}
    assert (error["message"], error["type"], error["code"]) == (
        message,
        "GraphMethodException",
        100,
    )


def own_credentials(link: str, token: str, secret_proof: str) -> str:
    """What the client does with a `next` link: strip the credentials, add its own."""
    parts = urlsplit(link)
    query = [
        (k, v) for k, v in parse_qsl(parts.query) if k not in ("access_token", "appsecret_proof")
    ]
    query += [("access_token", token), ("appsecret_proof", secret_proof)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


@pytest.mark.asyncio
async def test_page_token_calls_need_the_proof_when_required() -> None:
    async with running_sandbox(**FAST) as (server, client):
        page = {"access_token": server.page_token}
        good = proof(server, server.page_token)
        assert (await client.get("/me", params=page)).status_code == 200  # off by default
        switched = await client.patch("/_sandbox/world", json={"require_app_secret": True})
        assert switched.json()["require_app_secret"] is True
        assert_refused(await client.get("/me", params=page), MISSING)
        wrong = {**page, "appsecret_proof": proof(server, "another token")}
        assert_refused(await client.get("/me", params=wrong), INVALID)
        upper = {**page, "appsecret_proof": good.upper()}
        assert_refused(await client.get("/me", params=upper), INVALID)
        assert (
            await client.get("/me", params={**page, "appsecret_proof": good})
        ).status_code == 200
        # a token in the header, the proof in the query
        header = {"Authorization": f"Bearer {server.page_token}"}
        reply = await client.get("/me", params={"appsecret_proof": good}, headers=header)
        assert reply.status_code == 200
        # every Graph route, reads and writes alike
        shop = server.world.shop
        for path in (f"/{shop.page_id}/subscribed_apps", f"/{shop.page_id}/conversations"):
            assert_refused(
                await client.get(path, params={**page, "platform": "instagram"}), MISSING
            )
        # Instagram Login tokens are never checked
        assert (
            await client.get("/me/conversations", params={"access_token": server.token})
        ).status_code == 200
        # the request log keeps the proof out, like the token
        logged = (await client.get("/_sandbox/requests")).json()
        assert not any("appsecret_proof" in entry["query"] for entry in logged)


@pytest.mark.asyncio
async def test_sends_carry_the_proof_in_the_body_too() -> None:
    async with running_sandbox(require_app_secret=True, **FAST) as (server, client):
        world = (await client.get("/_sandbox/world")).json()
        assert world["require_app_secret"] is True
        ani = next(t for t in world["threads"] if t["customer"]["username"] == "ani.follower")
        body: dict[str, Any] = {
            "recipient": {"id": ani["customer"]["id"]},
            "message": {"text": "ok"},
        }
        page = {"access_token": server.page_token}
        good = proof(server, server.page_token)
        assert_refused(await client.post("/me/messages", params=page, json=body), MISSING)
        sent = await client.post(
            "/me/messages", params=page, json={**body, "appsecret_proof": good}
        )
        assert sent.status_code == 200
        form = {
            "recipient": json.dumps(body["recipient"]),
            "message": json.dumps({"text": "form"}),
            "access_token": server.page_token,
            "appsecret_proof": good,
        }
        assert (await client.post("/me/messages", data=form)).status_code == 200
        assert [s["ok"] for s in server.world.sends] == [True, True]
        assert not any("appsecret_proof" in s["body"] for s in server.world.sends)


@pytest.mark.asyncio
async def test_next_links_work_with_the_clients_own_proof() -> None:
    scenario = {**tiny_scenario(), "require_app_secret": True}
    async with running_sandbox(scenario, **FAST) as (server, client):
        token = server.page_token
        good = proof(server, token)
        shop = server.world.shop
        params = {
            "platform": "instagram",
            "limit": "1",
            "fields": "id,messages.limit(1){id}",
            "access_token": token,
            "appsecret_proof": good,
        }
        first = (await client.get(f"/v25.0/{shop.page_id}/conversations", params=params)).json()
        link = first["paging"]["next"]
        assert dict(parse_qsl(urlsplit(link).query))["appsecret_proof"] == good
        assert (await client.get(link)).status_code == 200  # followed as it is
        swapped = await client.get(own_credentials(link, token, good))
        assert swapped.status_code == 200
        assert swapped.json()["data"][0]["id"] != first["data"][0]["id"]
        # the nested messages edge's link too
        ani = next(
            t for t in server.world.threads.values() if t.customer.username == "ani.follower"
        )
        nested = (
            await client.get(
                f"/{ani.id}",
                params={
                    "fields": "messages.limit(1){id}",
                    "access_token": token,
                    "appsecret_proof": good,
                },
            )
        ).json()
        edge_link = nested["messages"]["paging"]["next"]
        assert (await client.get(own_credentials(edge_link, token, good))).status_code == 200
        # a link stripped of its credentials and given a token without proof is refused
        bare = own_credentials(edge_link, token, good).replace(f"&appsecret_proof={good}", "")
        assert_refused(await client.get(bare), MISSING)


@pytest.mark.asyncio
async def test_a_proof_keyed_with_the_instagram_app_secret_is_refused() -> None:
    """Page tokens belong to the Facebook Login app: Meta checks the proof with its secret."""
    async with running_sandbox(require_app_secret=True, **FAST) as (server, client):
        token = server.page_token
        instagram_keyed = hmac.new(
            server.app_secret.encode(), token.encode(), hashlib.sha256
        ).hexdigest()
        params = {"access_token": token, "appsecret_proof": instagram_keyed}
        assert_refused(await client.get("/me", params=params), INVALID)
        params["appsecret_proof"] = proof(server, token)
        assert (await client.get("/me", params=params)).status_code == 200
