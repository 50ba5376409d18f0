"""The sandbox's read API over real HTTP: accounts, tokens, conversations, messages, profiles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from igdesk.domain import parse_graph_time
from igdesk.sandbox.testing import running_sandbox, snapshot, thread_named

DETAIL = (
    "id,created_time,from,to,message,attachments{id,mime_type,name,size,image_data,"
    "video_data,file_url},shares,story,is_unsupported,reactions,sticker,reply_to"
)


@pytest.mark.asyncio
async def test_me_for_both_flavours() -> None:
    async with running_sandbox() as (server, client):
        shop = server.world.shop
        fields = "user_id,username,name,profile_picture_url,account_type"
        reply = await client.get(
            "/v25.0/me",
            params={"fields": fields},
            headers={"Authorization": f"Bearer {server.token}"},
        )
        body = reply.json()
        assert reply.status_code == 200
        assert body["user_id"] == shop.ig_id and body["id"] == shop.app_scoped_id
        assert body["id"] != body["user_id"] and body["username"] == shop.username
        assert json.loads(reply.headers["X-App-Usage"]).keys() == {
            "call_count",
            "total_cputime",
            "total_time",
        }
        buc = json.loads(reply.headers["X-Business-Use-Case-Usage"])
        assert buc[shop.ig_id][0]["type"] == "instagram"
        page = await client.get(
            "/v21.0/me",
            params={
                "fields": (
                    "id,name,instagram_business_account{id,username,name,profile_picture_url}"
                ),
                "access_token": server.page_token,
            },
        )
        assert page.json()["id"] == shop.page_id
        assert page.json()["instagram_business_account"]["id"] == shop.ig_id


@pytest.mark.asyncio
async def test_token_errors() -> None:
    async with running_sandbox() as (server, client):
        shop = server.world.shop
        for token in ("nonsense", ""):
            reply = await client.get("/me", params={"access_token": token})
            assert reply.status_code == 400
            error = reply.json()["error"]
            assert error["code"] == 190 and error["type"] == "OAuthException"
            assert error["message"] == "Invalid OAuth access token - Cannot parse access token"
            assert error["fbtrace_id"]
        no_token = await client.get("/me")
        assert no_token.json()["error"]["code"] == 190
        wrong = await client.get(
            f"/{shop.page_id}/conversations",
            params={"platform": "instagram", "access_token": server.token},
        )
        assert wrong.json()["error"]["code"] == 190
        host = await client.get(
            "/me",
            params={"access_token": server.page_token},
            headers={"Host": "graph.instagram.com"},
        )
        assert host.json()["error"]["code"] == 190


@pytest.mark.asyncio
async def test_conversations_paging_walks_every_listed_thread_once() -> None:
    async with running_sandbox() as (server, client):
        world = await snapshot(client)
        expected = [t["id"] for t in world["threads"] if t["listed"]]
        assert len(expected) == 4
        url: str | None = f"{server.url}/v25.0/{server.world.shop.ig_id}/conversations"
        params: dict[str, str] | None = {
            "fields": "id,updated_time,participants",
            "limit": "3",
            "access_token": server.token,
        }
        seen: list[dict[str, Any]] = []
        pages = 0
        while url:
            reply = await client.get(url, params=params)
            params = None
            body = reply.json()
            pages += 1
            seen += body["data"]
            assert set(body["paging"]["cursors"]) == {"before", "after"}
            url = body["paging"].get("next")
            if url:
                assert url.startswith(server.url + "/v25.0/")
        assert pages == 2
        assert [c["id"] for c in seen] == expected
        times = [parse_graph_time(c["updated_time"]) for c in seen]
        assert times == sorted(times, reverse=True)
        people = seen[0]["participants"]["data"]
        assert [p["id"] for p in people][1] == server.world.shop.ig_id
        assert set(people[0]) == {"username", "id"}


@pytest.mark.asyncio
async def test_default_page_size_is_small_and_fields_default() -> None:
    async with running_sandbox(page_size=2) as (server, client):
        reply = await client.get("/me/conversations", params={"access_token": server.token})
        body = reply.json()
        assert len(body["data"]) == 2 and "next" in body["paging"]
        assert set(body["data"][0]) == {"id", "updated_time"}


@pytest.mark.asyncio
async def test_user_id_filter_and_stale_requests() -> None:
    async with running_sandbox() as (server, client):
        world = await snapshot(client)
        ani = thread_named(world, "ani.follower")
        stale = thread_named(world, "dodi.stale")
        assert not stale["listed"] and stale["is_request"]
        params = {"access_token": server.token, "user_id": ani["customer"]["id"]}
        assert (await client.get("/me/conversations", params=params)).json() == {
            "data": [{"id": ani["id"]}]
        }
        params["user_id"] = stale["customer"]["id"]
        assert (await client.get("/me/conversations", params=params)).json() == {"data": []}
        # writing again brings the request back
        await client.post(
            "/_sandbox/customer_message", json={"username": "dodi.stale", "text": "Halo lagi"}
        )
        listed = (
            await client.get(
                "/me/conversations", params={"access_token": server.token, "limit": "50"}
            )
        ).json()["data"]
        assert listed[0]["id"] == stale["id"]


@pytest.mark.asyncio
async def test_page_flavour_needs_platform() -> None:
    async with running_sandbox() as (server, client):
        shop = server.world.shop
        missing = await client.get(
            f"/v25.0/{shop.page_id}/conversations", params={"access_token": server.page_token}
        )
        assert missing.status_code == 400 and missing.json()["error"]["code"] == 100
        ok = await client.get(
            f"/v25.0/{shop.page_id}/conversations",
            params={"access_token": server.page_token, "platform": "instagram"},
        )
        assert len(ok.json()["data"]) == 4
        ig_edge = await client.get(
            f"/{shop.ig_id}/conversations",
            params={"access_token": server.page_token, "platform": "instagram"},
        )
        assert ig_edge.json()["error"]["code"] == 100


@pytest.mark.asyncio
async def test_twenty_message_limit() -> None:
    async with running_sandbox() as (server, client):
        world = await snapshot(client)
        eka = thread_named(world, "eka.long")
        auth = {"Authorization": f"Bearer {server.token}"}
        readable = [m for m in eka["messages"] if m["readable"]]
        old = [m for m in eka["messages"] if not m["readable"]]
        assert len(readable) == 20 and len(old) == 5
        nested = await client.get(
            f"/v25.0/{eka['id']}",
            params={"fields": f"messages.limit(20){{{DETAIL}}}"},
            headers=auth,
        )
        data = nested.json()["messages"]["data"]
        assert [m["id"] for m in data] == [m["id"] for m in readable]
        assert data[0]["message"] and data[0]["from"]["id"]
        # listing ids and times of every message works
        ids: list[str] = []
        url: str | None = f"/{eka['id']}/messages"
        params: dict[str, str] | None = {"fields": "id,created_time", "limit": "10"}
        while url:
            body = (await client.get(url, params=params, headers=auth)).json()
            ids += [m["id"] for m in body["data"]]
            url, params = body.get("paging", {}).get("next"), None
        assert len(ids) == 25
        # detail fields past the 20 newest fail, as does reading an old message
        deep = await client.get(
            f"/{eka['id']}/messages", headers=auth, params={"fields": "id,message", "limit": "25"}
        )
        assert deep.status_code == 400
        assert deep.json()["error"]["code"] == 100 and "deleted" in deep.json()["error"]["message"]
        single = await client.get(f"/{old[0]['id']}", params={"fields": "message"}, headers=auth)
        assert single.json()["error"]["type"] == "IGApiException"
        fine = await client.get(
            f"/{readable[0]['id']}", params={"fields": "id,message,from,to"}, headers=auth
        )
        assert fine.json()["to"]["data"][0]["id"]
        bare = await client.get(f"/{readable[0]['id']}", headers=auth)
        assert set(bare.json()) == {"id", "created_time"}


@pytest.mark.asyncio
async def test_profile_needs_consent() -> None:
    async with running_sandbox() as (server, client):
        world = await snapshot(client)
        fields = (
            "name,username,profile_pic,follower_count,is_user_follow_business,"
            "is_business_follow_user,is_verified_user"
        )
        ani = thread_named(world, "ani.follower")["customer"]
        reply = await client.get(
            f"/{ani['id']}", params={"fields": fields, "access_token": server.token}
        )
        assert reply.status_code == 200
        assert reply.json()["is_user_follow_business"] is True
        assert reply.json()["profile_pic"].startswith(server.url + "/media/")
        cici = thread_named(world, "cici.request")["customer"]
        nameless = (
            await client.get(
                f"/{cici['id']}", params={"fields": fields, "access_token": server.page_token}
            )
        ).json()
        assert nameless["name"] is None and nameless["profile_pic"] is None
        lurker = world["customers_without_thread"][0]
        refused = await client.get(
            f"/{lurker['id']}", params={"fields": fields, "access_token": server.token}
        )
        assert refused.status_code == 500
        assert refused.json()["error"] == {
            **refused.json()["error"],
            "code": 230,
            "type": "IGApiException",
            "message": "User consent is required to access user profile",
        }
        assert "error_subcode" not in refused.json()["error"]


@pytest.mark.asyncio
async def test_unknown_fields_and_objects() -> None:
    async with running_sandbox() as (server, client):
        params = {"access_token": server.token, "fields": "id,folder"}
        reply = await client.get("/me/conversations", params=params)
        assert reply.json()["error"]["code"] == 100
        missing = await client.get("/123456", params={"access_token": server.token})
        assert missing.json()["error"]["error_subcode"] == 33
