"""Field checks over real HTTP: unknown fields at any depth, fields a world lacks, the user_id
filter's fields and the cap on nested messages in a conversations page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox, snapshot, thread_named, tiny_scenario

FAST: dict[str, Any] = {"conversations_rate": 1000.0}
BASIC = (
    "id,created_time,from,to,message,attachments{id,mime_type,name,size,image_data,"
    "video_data,file_url,generic_template},shares,story,is_unsupported,sticker"
)
DETAIL = BASIC + ",reactions,reply_to"


def assert_nonexisting(reply: httpx.Response, name: str, node_type: str) -> None:
    """Meta's exact refusal of an unknown field."""
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "code", "fbtrace_id"}
    assert error["message"] == (
        f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
    )
    assert (error["type"], error["code"]) == ("OAuthException", 100) and error["fbtrace_id"]


THREAD_CASES = [
    ("messages.limit(20){id,is_deleted}", "is_deleted", "Message"),
    ("messages{id,is_echo}", "is_echo", "Message"),
    ("messages{is_self}", "is_self", "Message"),
    ("messages{text}", "text", "Message"),
    ("messages{mid}", "mid", "Message"),
    ("id,folder", "folder", "Conversation"),
    ("participants{id,full_name}", "full_name", "Participant"),
    ("messages{from{id,email}}", "email", "Participant"),
    ("messages{to{name}}", "name", "Participant"),
    ("messages{attachments{id,bogus}}", "bogus", "MessageAttachment"),
    ("messages{attachments{image_data{url,nope}}}", "nope", "ImageData"),
    ("messages{attachments{video_data{length}}}", "length", "VideoData"),
    ("messages{attachments{generic_template{title,color}}}", "color", "GenericTemplate"),
    ("messages{shares{link,caption}}", "caption", "Share"),
    ("messages{story{reply_to{link,url}}}", "url", "StoryItem"),
    ("messages{reactions{users{id,name}}}", "name", "Participant"),
    ("messages{reply_to{mid,story}}", "story", "ReplyTo"),
    ("messages{message{x}}", "x", "Message"),  # a string has no sub-fields
    # the first unknown field in request order is named, nested or not
    ("messages{id,zz},aa", "zz", "Message"),
    ("aa,messages{id,zz}", "aa", "Conversation"),
    ("messages{attachments{image_data{q}},p}", "q", "ImageData"),
]


@pytest.mark.asyncio
async def test_unknown_fields_at_any_depth_are_refused() -> None:
    async with running_sandbox(**FAST) as (server, client):
        world = await snapshot(client)
        # cici's one message has no attachment, share or story: the tables decide, not data
        for username in ("eka.long", "cici.request"):
            thread = thread_named(world, username)
            for fields, name, node_type in THREAD_CASES:
                params = {"fields": fields, "access_token": server.token}
                assert_nonexisting(
                    await client.get(f"/{thread['id']}", params=params), name, node_type
                )
        listing = {"access_token": server.token, "limit": "10"}
        for fields, name, node_type in THREAD_CASES:
            reply = await client.get("/me/conversations", params={**listing, "fields": fields})
            assert_nonexisting(reply, name, node_type)
        eka = thread_named(world, "eka.long")
        newest = eka["messages"][0]["id"]
        auth = {"access_token": server.token}
        edge = await client.get(
            f"/{eka['id']}/messages", params={**auth, "fields": "id,is_deleted"}
        )
        assert_nonexisting(edge, "is_deleted", "Message")
        node = await client.get(f"/{newest}", params={**auth, "fields": "attachments{x}"})
        assert_nonexisting(node, "x", "MessageAttachment")
        good = await client.get(f"/{eka['id']}", params={**auth, "fields": f"messages{{{DETAIL}}}"})
        assert good.status_code == 200


@pytest.mark.asyncio
async def test_unknown_fields_on_accounts_pages_profiles_and_media() -> None:
    async with running_sandbox(**FAST) as (server, client):
        shop = server.world.shop
        ani = thread_named(await snapshot(client), "ani.follower")["customer"]["id"]
        ig = {"access_token": server.token}
        page = {"access_token": server.page_token}
        cases = [
            ("/me", {**ig, "fields": "user_id,followers"}, "followers", "User"),
            (f"/{shop.ig_id}", {**ig, "fields": "id,ig_id"}, "ig_id", "IGUser"),
            ("/me", {**page, "fields": "id,username"}, "username", "Page"),
            (
                "/me",
                {**page, "fields": "instagram_business_account{id,user_id}"},
                "user_id",
                "IGUser",
            ),
            (f"/{ani}", {**ig, "fields": "name,email"}, "email", "User"),
            ("/me/media", {**ig, "fields": "id,like_count"}, "like_count", "IGMedia"),
        ]
        for path, params, name, node_type in cases:
            assert_nonexisting(await client.get(path, params=params), name, node_type)


@pytest.mark.asyncio
async def test_a_world_can_lack_fields() -> None:
    scenario = {**tiny_scenario(), "missing_fields": {"Message": ["reply_to", "reactions"]}}
    async with running_sandbox(scenario, **FAST) as (server, client):
        eka = thread_named(await snapshot(client), "eka.long")
        params = {"access_token": server.token}

        async def read(fields: str) -> httpx.Response:
            return await client.get(f"/{eka['id']}", params={**params, "fields": fields})

        assert_nonexisting(await read("messages{id,sticker,reactions}"), "reactions", "Message")
        assert_nonexisting(await read("messages{reply_to,id}"), "reply_to", "Message")
        assert (await read(f"messages{{{BASIC}}}")).status_code == 200
        # at run time: the whole map is replaced, {} gives every field back
        patched = await client.patch(
            "/_sandbox/world", json={"missing_fields": {"MessageAttachment": ["generic_template"]}}
        )
        assert patched.json()["missing_fields"] == {"MessageAttachment": ["generic_template"]}
        assert (await read("messages{reply_to,reactions}")).status_code == 200
        refused = await read(f"messages{{{DETAIL}}}")
        assert_nonexisting(refused, "generic_template", "MessageAttachment")
        await client.patch("/_sandbox/world", json={"missing_fields": {}})
        assert (await read(f"messages{{{DETAIL}}}")).status_code == 200
        assert (await snapshot(client))["missing_fields"] == {}
        for bad in (
            {"missing_fields": {"Mesage": ["reply_to"]}},
            {"missing_fields": {"Message": ["is_deleted"]}},
            {"missing_fields": {"Message": ["id"]}},
            {"missing_fields": {"Message": "reply_to"}},
            {"missing_fields": ["Message"]},
            {"max_nested_messages": 0},
            {"require_app_secret": "yes"},
            {"folders": True},
            {},
        ):
            assert (await client.patch("/_sandbox/world", json=bad)).status_code == 400, bad
        assert (await snapshot(client))["missing_fields"] == {}


@pytest.mark.asyncio
async def test_user_id_filter_honours_fields() -> None:
    async with running_sandbox(**FAST) as (server, client):
        ani = thread_named(await snapshot(client), "ani.follower")
        params = {"access_token": server.token, "user_id": ani["customer"]["id"]}
        bare = (await client.get("/me/conversations", params=params)).json()
        assert bare == {"data": [{"id": ani["id"]}]}
        fields = "id,updated_time,participants,messages.limit(20){id,from,message}"
        full = (await client.get("/me/conversations", params={**params, "fields": fields})).json()
        (thread,) = full["data"]
        assert thread["id"] == ani["id"] and thread["updated_time"] == ani["updated_time"]
        assert thread["participants"]["data"][0]["username"] == "ani.follower"
        assert [m["message"] for m in thread["messages"]["data"]] == ["Halo Ani", "Halo kak 😊"]
        refused = await client.get("/me/conversations", params={**params, "fields": "id,x"})
        assert_nonexisting(refused, "x", "Conversation")


def _many_threads(count: int, messages: int) -> dict[str, Any]:
    return {
        "threads": [
            {
                "customer": {"username": f"pelanggan{n:02d}", "follows_business": True},
                "messages": [
                    {"from": "customer", "ago": f"{n * 100 + i + 1}m", "text": f"pesan {i}"}
                    for i in range(messages)
                ],
            }
            for n in range(count)
        ]
    }


TOO_MUCH = "Please reduce the amount of data you're asking for, then retry your request"


def assert_too_much(reply: httpx.Response) -> None:
    assert reply.status_code == 500, reply.text
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "code", "fbtrace_id"}
    assert (error["message"], error["type"], error["code"]) == (TOO_MUCH, "OAuthException", 1)


async def _nested(server: SandboxServer, client: httpx.AsyncClient, limit: int) -> httpx.Response:
    params = {
        "access_token": server.token,
        "limit": str(limit),
        "fields": "id,updated_time,messages.limit(20){id,created_time,message}",
    }
    return await client.get("/me/conversations", params=params)


@pytest.mark.asyncio
async def test_nested_messages_are_capped_per_page() -> None:
    async with running_sandbox(_many_threads(26, 20), **FAST) as (server, client):
        fine = await _nested(server, client, 25)  # 25 x 20 = 500: just allowed
        assert fine.status_code == 200
        assert sum(len(c["messages"]["data"]) for c in fine.json()["data"]) == 500
        assert_too_much(await _nested(server, client, 26))  # 520
        shallow = {"access_token": server.token, "limit": "26", "fields": "id,updated_time"}
        assert (await client.get("/me/conversations", params=shallow)).status_code == 200
        # the cap changes at run time, so client tests can force shrinking
        changed = await client.patch("/_sandbox/world", json={"max_nested_messages": 100})
        assert changed.json()["max_nested_messages"] == 100
        assert_too_much(await _nested(server, client, 6))
        assert (await _nested(server, client, 5)).status_code == 200


@pytest.mark.asyncio
async def test_nested_cap_counts_what_would_be_carried() -> None:
    async with running_sandbox(**FAST) as (server, client):
        # ani 2, bob 2, cici 1, eka 20 of 25: 25 nested messages on one page
        await client.patch("/_sandbox/world", json={"max_nested_messages": 24})
        assert_too_much(await _nested(server, client, 10))
        await client.patch("/_sandbox/world", json={"max_nested_messages": 25})
        assert (await _nested(server, client, 10)).status_code == 200
        # the bad thread still fails any page holding it with code 1, nested or not
        bob = thread_named(await snapshot(client), "bob.general")
        fault = {"kind": "bad_thread", "thread_id": bob["id"], "count": -1}
        await client.post("/_sandbox/faults", json=fault)
        reply = await _nested(server, client, 10)
        assert reply.status_code == 500
        assert reply.json()["error"]["message"] == "An unknown error has occurred."
