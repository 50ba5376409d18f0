"""Sandbox webhooks, one event kind at a time, compared whole with Meta's documented shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from igdesk.sandbox.recorder import WebhookRecorder
from igdesk.sandbox.testing import thread_named, tiny_scenario, webhooked_sandbox

SHOP = "17841400000000123"


async def _act(client: httpx.AsyncClient, name: str, **spec: Any) -> dict[str, Any]:
    reply = await client.post(f"/_sandbox/{name}", json=spec)
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


async def _next_item(recorder: WebhookRecorder) -> dict[str, Any]:
    """The single messaging item of the next POST (batch_window 0: one event a POST)."""
    [post] = (await recorder.wait_posts(len(recorder.posts) + 1))[-1:]
    body = post.json()
    assert body["object"] == "instagram"
    [entry] = body["entry"]
    assert set(entry) == {"id", "time", "messaging"} and entry["id"] == SHOP
    [item] = entry["messaging"]
    assert isinstance(item["timestamp"], int)
    return {key: value for key, value in item.items() if key != "timestamp"}


async def _ids(client: httpx.AsyncClient, username: str) -> tuple[str, list[dict[str, Any]]]:
    thread = thread_named((await client.get("/_sandbox/world")).json(), username)
    return thread["customer"]["id"], thread["messages"]


def _inbound(customer: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"sender": {"id": customer}, "recipient": {"id": SHOP}, key: body}


@pytest.mark.asyncio
async def test_customer_messages_of_every_kind() -> None:
    async with webhooked_sandbox(batch_window=0) as (_server, client, recorder):
        ani, _ = await _ids(client, "ani.follower")
        sent = await _act(client, "customer_message", customer_id=ani, text="Halo kak 😊")
        assert await _next_item(recorder) == _inbound(
            ani, "message", {"mid": sent["message_id"], "text": "Halo kak 😊"}
        )
        first = sent["message_id"]

        for kind in ("image", "video", "audio", "file"):
            sent = await _act(
                client, "customer_message", customer_id=ani, attachments=[{"type": kind}]
            )
            item = await _next_item(recorder)
            [attachment] = item["message"].pop("attachments")
            assert item == _inbound(ani, "message", {"mid": sent["message_id"]})
            assert attachment["type"] == kind and set(attachment["payload"]) == {"url"}
            fetched = await client.get(attachment["payload"]["url"])
            assert fetched.status_code == 200 and fetched.content

        sent = await _act(client, "customer_message", customer_id=ani, share={"kind": "ig_post"})
        [share] = (await _next_item(recorder))["message"]["attachments"]
        assert share["type"] == "ig_post"
        assert set(share["payload"]) == {"ig_post_media_id", "title", "url"}
        assert share["payload"]["ig_post_media_id"].isdigit()

        link = "https://www.instagram.com/p/Cxyz123/"
        await _act(
            client, "customer_message", customer_id=ani, share={"kind": "share", "link": link}
        )
        [legacy] = (await _next_item(recorder))["message"]["attachments"]
        assert legacy == {"type": "share", "payload": {"url": link}}

        await _act(
            client, "customer_message", customer_id=ani, share={"kind": "reel", "name": "Batik"}
        )
        [reel] = (await _next_item(recorder))["message"]["attachments"]
        assert reel["type"] == "ig_reel" and reel["payload"]["title"] == "Batik"
        assert set(reel["payload"]) == {"url", "title", "reel_video_id"}

        await _act(client, "customer_message", customer_id=ani, sticker=True)
        [sticker] = (await _next_item(recorder))["message"]["attachments"]
        assert sticker["type"] == "image"

        sent = await _act(
            client, "customer_message", customer_id=ani, text="Mau!", story={"kind": "reply_to"}
        )
        item = await _next_item(recorder)
        story = item["message"]["reply_to"]["story"]
        assert item["message"]["text"] == "Mau!" and "attachments" not in item["message"]
        assert set(story) == {"url", "id"} and story["url"].startswith("http")

        await _act(client, "customer_message", customer_id=ani, story={"kind": "mention"})
        [mention] = (await _next_item(recorder))["message"]["attachments"]
        assert mention["type"] == "story_mention" and mention["payload"]["url"]
        await _act(
            client, "customer_message", customer_id=ani, story={"kind": "mention", "media": None}
        )
        [expired] = (await _next_item(recorder))["message"]["attachments"]
        assert expired == {"type": "story_mention", "payload": {"url": ""}}

        sent = await _act(client, "customer_message", customer_id=ani, text="ini", reply_to=first)
        assert (await _next_item(recorder))["message"] == {
            "mid": sent["message_id"],
            "text": "ini",
            "reply_to": {"mid": first},
        }


@pytest.mark.asyncio
async def test_echoes_of_sends_and_of_the_phone() -> None:
    async with webhooked_sandbox(batch_window=0) as (server, client, recorder):
        ani, _ = await _ids(client, "ani.follower")
        answer = await client.post(
            "/me/messages",
            params={"access_token": server.token},
            json={"recipient": {"id": ani}, "message": {"text": "Siap kak"}},
        )
        assert answer.status_code == 200
        message_id = answer.json()["message_id"]
        assert await _next_item(recorder) == {
            "sender": {"id": SHOP},
            "recipient": {"id": ani},
            "message": {"mid": message_id, "is_echo": True, "text": "Siap kak"},
        }
        refused = await client.post(
            "/me/messages",
            params={"access_token": server.token},
            json={"recipient": {"id": ani}, "message": {"text": ""}},
        )
        assert refused.status_code == 400
        heart = await client.post(
            "/me/messages",
            params={"access_token": server.token},
            json={"recipient": {"id": ani}, "message": {"attachment": {"type": "like_heart"}}},
        )
        item = await _next_item(recorder)
        [sticker] = item["message"].pop("attachments")
        assert item["message"] == {"mid": heart.json()["message_id"], "is_echo": True}
        assert sticker["type"] == "image" and set(sticker["payload"]) == {"url"}
        phone = await _act(client, "shop_message", customer_id=ani, text="Dari HP")
        assert await _next_item(recorder) == {
            "sender": {"id": SHOP},
            "recipient": {"id": ani},
            "message": {"mid": phone["message_id"], "is_echo": True, "text": "Dari HP"},
        }
        # the shop's own reaction is a sender action, not a message: no webhook
        react = await client.post(
            "/me/messages",
            params={"access_token": server.token},
            json={
                "recipient": {"id": ani},
                "sender_action": "react",
                "payload": {"message_id": message_id, "reaction": "love"},
            },
        )
        assert react.status_code == 200
        assert len(await recorder.quiet(0.3)) == 3


@pytest.mark.asyncio
async def test_reactions_unsends_edits_reads_postbacks_referrals() -> None:
    world = tiny_scenario(template=True)
    async with webhooked_sandbox(world, batch_window=0) as (_server, client, recorder):
        ani, messages = await _ids(client, "ani.follower")
        shop_text = next(m for m in messages if m["from_shop"] and m["text"])
        card = next(m for m in messages if m["template"])
        mine = (await _act(client, "customer_message", customer_id=ani, text="Halo"))["message_id"]
        await _next_item(recorder)

        await _act(client, "customer_reaction", message_id=shop_text["id"])
        assert await _next_item(recorder) == _inbound(
            ani,
            "reaction",
            {"mid": shop_text["id"], "action": "react", "reaction": "love", "emoji": "❤️"},
        )
        await _act(client, "customer_reaction", message_id=shop_text["id"], emoji="😮")
        assert (await _next_item(recorder))["reaction"]["reaction"] == "wow"
        await _act(client, "customer_reaction", message_id=shop_text["id"], action="unreact")
        assert await _next_item(recorder) == _inbound(
            ani, "reaction", {"mid": shop_text["id"], "action": "unreact"}
        )

        await _act(client, "customer_edit", message_id=mine, text="Halo kak")
        assert await _next_item(recorder) == _inbound(
            ani, "message_edit", {"mid": mine, "text": "Halo kak", "num_edit": 1}
        )

        await _act(client, "customer_read", customer_id=ani)
        newest_shop = next(m for m in messages if m["from_shop"])
        assert await _next_item(recorder) == _inbound(ani, "read", {"mid": newest_shop["id"]})

        tapped = await _act(client, "customer_postback", message_id=card["id"])
        assert await _next_item(recorder) == _inbound(
            ani,
            "postback",
            {"mid": tapped["mid"], "title": "Hubungi kami", "payload": "CONTACT_TBS-1001"},
        )
        await _act(client, "customer_referral", customer_id=ani, ref="promo-batik")
        assert await _next_item(recorder) == _inbound(
            ani, "referral", {"ref": "promo-batik", "source": "SHORTLINK", "type": "OPEN_THREAD"}
        )

        flags = []
        for text in ("satu", "dua", "tiga"):
            mid = (await _act(client, "customer_message", customer_id=ani, text=text))["message_id"]
            await _next_item(recorder)
            assert (
                await client.post("/_sandbox/unsend", json={"message_id": mid})
            ).status_code == 200
            item = await _next_item(recorder)
            assert item == _inbound(
                ani, "message", {"mid": mid, "is_deleted": item["message"]["is_deleted"]}
            )
            flags.append(item["message"]["is_deleted"])
        assert flags == [True, "true", True]
        mid = (await _act(client, "customer_message", customer_id=ani, text="empat"))["message_id"]
        await _next_item(recorder)
        await client.post("/_sandbox/unsend", json={"message_id": mid, "deleted_as": "true"})
        assert (await _next_item(recorder))["message"]["is_deleted"] == "true"
