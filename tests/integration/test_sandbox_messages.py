"""Unsent messages (absent from the read API) and template messages, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from igdesk.domain import parse_graph_time
from igdesk.sandbox.testing import (
    ORDER_CARD,
    running_sandbox,
    snapshot,
    thread_named,
    tiny_scenario,
)

FAST: dict[str, Any] = {"conversations_rate": 1000.0}
ATTACHMENTS = "attachments{id,mime_type,name,size,image_data,video_data,file_url,generic_template}"


@pytest.mark.asyncio
async def test_an_unsent_message_leaves_the_read_api() -> None:
    async with running_sandbox(**FAST) as (server, client):
        auth = {"access_token": server.token}
        ani = thread_named(await snapshot(client), "ani.follower")
        halo_ani, halo_kak = (m["id"] for m in ani["messages"])  # newest first
        before = ani["updated_time"]
        await client.post("/_sandbox/clock", json={"advance_seconds": 120})
        unsent = await client.post("/_sandbox/unsend", json={"message_id": halo_ani})
        assert unsent.status_code == 200
        assert unsent.json()["updated_time"] == (await client.get("/_sandbox/clock")).json()["now"]
        listed = (
            await client.get(
                "/me/conversations",
                params={**auth, "fields": "id,updated_time,messages.limit(1){id,message}"},
            )
        ).json()["data"]
        # updated_time moves (that is how a client notices); the preview skips the unsent one
        assert listed[0]["id"] == ani["id"]
        assert parse_graph_time(listed[0]["updated_time"]) > parse_graph_time(before)
        assert listed[0]["messages"]["data"] == [{"id": halo_kak, "message": "Halo kak 😊"}]
        nested = await client.get(
            f"/{ani['id']}", params={**auth, "fields": "messages.limit(20){id,message}"}
        )
        assert [m["id"] for m in nested.json()["messages"]["data"]] == [halo_kak]
        edge = await client.get(f"/{ani['id']}/messages", params={**auth, "fields": "id"})
        assert edge.json()["data"] == [{"id": halo_kak}]
        node = await client.get(f"/{halo_ani}", params={**auth, "fields": "id,message"})
        assert node.status_code == 400
        error = node.json()["error"]
        assert (error["message"], error["code"], error["type"]) == (
            "This message has been deleted.",
            100,
            "IGApiException",
        )
        world = await snapshot(client)
        message = next(
            m for m in thread_named(world, "ani.follower")["messages"] if m["id"] == halo_ani
        )
        assert message["deleted"] and not message["readable"]
        again = await client.post("/_sandbox/unsend", json={"message_id": halo_ani})
        assert again.status_code == 400
        assert (await client.post("/_sandbox/unsend", json={})).status_code == 400


@pytest.mark.asyncio
async def test_unsent_messages_do_not_count_among_the_twenty() -> None:
    async with running_sandbox(**FAST) as (server, client):
        auth = {"access_token": server.token}
        eka = thread_named(await snapshot(client), "eka.long")
        readable = [m["id"] for m in eka["messages"] if m["readable"]]
        first_old = next(m["id"] for m in eka["messages"] if not m["readable"])
        await client.post("/_sandbox/unsend", json={"message_id": readable[3]})
        fields = "messages.limit(20){id,message}"
        read = (await client.get(f"/{eka['id']}", params={**auth, "fields": fields})).json()
        ids = [m["id"] for m in read["messages"]["data"]]
        assert len(ids) == 20 and readable[3] not in ids and ids[-1] == first_old
        detail = await client.get(f"/{first_old}", params={**auth, "fields": "message"})
        assert detail.status_code == 200  # the 21st newest is now among the 20 readable
        listing: list[str] = []
        url: str | None = f"/{eka['id']}/messages"
        params: dict[str, str] | None = {**auth, "fields": "id,created_time", "limit": "10"}
        while url:
            body = (await client.get(url, params=params)).json()
            listing += [m["id"] for m in body["data"]]
            url, params = body.get("paging", {}).get("next"), None
        assert len(listing) == 24 and readable[3] not in listing


@pytest.mark.asyncio
async def test_unsent_messages_cannot_be_replied_to_or_reacted_to() -> None:
    async with running_sandbox(**FAST) as (server, client):
        ani = thread_named(await snapshot(client), "ani.follower")
        halo_kak = ani["messages"][1]["id"]
        await client.post("/_sandbox/unsend", json={"message_id": halo_kak})
        recipient = {"id": ani["customer"]["id"]}
        params = {"access_token": server.token}
        for body in (
            {"message": {"text": "ya"}, "reply_to": {"mid": halo_kak}},
            {"sender_action": "react", "payload": {"message_id": halo_kak, "reaction": "love"}},
        ):
            reply = await client.post(
                "/me/messages", params=params, json={"recipient": recipient, **body}
            )
            assert reply.status_code == 400 and reply.json()["error"]["code"] == 100


@pytest.mark.asyncio
async def test_template_message_read_shape() -> None:
    async with running_sandbox(tiny_scenario(template=True), **FAST) as (server, client):
        auth = {"access_token": server.token}
        ani = thread_named(await snapshot(client), "ani.follower")
        card_message = next(m for m in ani["messages"] if m["template"])
        assert card_message["attachment_types"] == ["generic_template"]
        assert card_message["from_shop"] and card_message["text"] == ""
        mid = card_message["id"]

        async def attachments(fields: str) -> dict[str, Any]:
            reply = await client.get(f"/{mid}", params={**auth, "fields": fields})
            assert reply.status_code == 200, reply.text
            return reply.json()  # type: ignore[no-any-return]

        full = await attachments(f"id,message,{ATTACHMENTS}")
        assert full["message"] == ""
        (item,) = full["attachments"]["data"]
        assert set(item) == {"id", "generic_template"}
        card = item["generic_template"]
        image_url = card.pop("image_url")
        assert card == {
            "title": ORDER_CARD["title"],
            "subtitle": ORDER_CARD["subtitle"],
            "url": ORDER_CARD["url"],
            "buttons": ORDER_CARD["buttons"],
        }
        image = await client.get(image_url)
        assert image.status_code == 200 and image.headers["content-type"].startswith("image/")
        # a client that forgets generic_template reads only the item's id: an empty message
        forgot = await attachments("message,attachments{id,mime_type,name,size,image_data}")
        assert forgot["attachments"]["data"] == [{"id": item["id"]}]
        assert (await attachments("attachments"))["attachments"]["data"] == [{"id": item["id"]}]
        picked = await attachments("attachments{generic_template{title,buttons}}")
        assert picked["attachments"]["data"] == [
            {"generic_template": {"title": ORDER_CARD["title"], "buttons": ORDER_CARD["buttons"]}}
        ]
        nested = await client.get(
            f"/{ani['id']}", params={**auth, "fields": f"messages.limit(20){{id,{ATTACHMENTS}}}"}
        )
        carried = [m for m in nested.json()["messages"]["data"] if "attachments" in m]
        assert [m["id"] for m in carried] == [mid]


@pytest.mark.asyncio
async def test_template_without_optional_parts() -> None:
    world = {
        "threads": [
            {
                "customer": {"username": "x"},
                "messages": [
                    {"from": "customer", "ago": "2h", "text": "status?"},
                    {"from": "shop", "ago": "1h", "template": {"title": "Dikirim"}},
                ],
            }
        ]
    }
    async with running_sandbox(world, **FAST) as (server, client):
        thread = next(iter(server.world.threads.values()))
        fields = "messages{attachments{generic_template}}"
        reply = await client.get(
            f"/{thread.id}", params={"access_token": server.token, "fields": fields}
        )
        cards = [m["attachments"]["data"][0] for m in reply.json()["messages"]["data"] if m]
        assert cards == [{"generic_template": {"title": "Dikirim", "buttons": []}}]
