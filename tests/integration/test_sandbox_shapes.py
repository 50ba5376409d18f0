"""Message shapes of the bundled scenario as the read API returns them."""

from __future__ import annotations

from typing import Any

import pytest

from igdesk.sandbox.scenario import DEFAULT_SCENARIO
from igdesk.sandbox.testing import running_sandbox

FIELDS = (
    "id,created_time,from,to,message,attachments{id,mime_type,name,size,image_data,"
    "video_data,file_url,generic_template},shares,story,is_unsupported,reactions,sticker,reply_to"
)


@pytest.mark.asyncio
async def test_bundled_world_message_shapes() -> None:
    async with running_sandbox(DEFAULT_SCENARIO, conversations_rate=1000) as (server, client):
        world = (await client.get("/_sandbox/world")).json()
        auth = {"Authorization": f"Bearer {server.token}"}
        messages: list[dict[str, Any]] = []
        for thread in world["threads"]:
            reply = await client.get(
                f"/{thread['id']}",
                params={"fields": f"messages.limit(20){{{FIELDS}}}"},
                headers=auth,
            )
            assert reply.status_code == 200, reply.text
            messages += reply.json()["messages"]["data"]
        assert {m["from"]["id"] for m in messages} >= {world["account"]["ig_id"]}
        # unsent messages are not in the read API at all (is_deleted is a webhook key)
        unsent = {m["id"] for t in world["threads"] for m in t["messages"] if m["deleted"]}
        assert len(unsent) >= 2 and not unsent & {m["id"] for m in messages}
        assert not any("is_deleted" in m for m in messages)
        cards = [a for m in messages for a in m.get("attachments", {}).get("data", [])]
        card = next(a["generic_template"] for a in cards if "generic_template" in a)
        assert set(card) == {"title", "subtitle", "image_url", "url", "buttons"}
        assert card["image_url"].startswith(server.url + "/media/")
        assert [b["type"] for b in card["buttons"]] == ["web_url", "postback"]
        assert set(card["buttons"][0]) == {"type", "title", "url"}
        assert set(card["buttons"][1]) == {"type", "title", "payload"}
        stories = [m["story"] for m in messages if "story" in m]
        assert any("reply_to" in s for s in stories)
        assert any(s.get("mention", {}).get("link") == "" for s in stories)
        assert any(s.get("mention", {}).get("link", "").startswith(server.url) for s in stories)
        shares = [m for m in messages if "shares" in m]
        assert len(shares) >= 3 and all(m["message"] == "" for m in shares)
        assert all(m["shares"]["data"][0]["link"] for m in shares)
        reaction = next(m["reactions"]["data"][0] for m in messages if "reactions" in m)
        assert {"reaction", "emoji", "users"} <= set(reaction)
        assert set(reaction["users"][0]) == {"id", "username"}
        assert any(isinstance(m.get("sticker"), str) for m in messages)
        assert any(m.get("is_unsupported") is True for m in messages)
        reply_to = next(m["reply_to"] for m in messages if "reply_to" in m)
        assert set(reply_to) == {"mid", "is_self_reply"}
        attachments = [a for a in cards if "generic_template" not in a]
        mimes = {a["mime_type"] for a in attachments}
        assert {"image/png", "image/jpeg", "video/mp4", "application/pdf"} <= mimes
        assert any(m.startswith("audio/") for m in mimes)
        image = next(a for a in attachments if a["mime_type"] == "image/png")
        assert set(image["image_data"]) == {"url", "preview_url", "width", "height"}
        audio = next(a for a in attachments if a["mime_type"].startswith("audio/"))
        assert "file_url" in audio and "image_data" not in audio
        video = next(a for a in attachments if a["mime_type"] == "video/mp4")
        assert set(video["video_data"]) == {"url", "preview_url"}
        assert all(m["message"] == "" for m in messages if "attachments" in m)
        long_text = max((m["message"] for m in messages), key=len)
        assert len(long_text) == 3000


@pytest.mark.asyncio
async def test_attachments_without_subfields_give_no_urls() -> None:
    async with running_sandbox(DEFAULT_SCENARIO, conversations_rate=1000) as (server, client):
        world = (await client.get("/_sandbox/world")).json()
        thread = next(t for t in world["threads"] if t["customer"]["username"] == "siti.rahma")
        reply = await client.get(
            f"/{thread['id']}/messages",
            params={"fields": "id,attachments", "limit": "20", "access_token": server.token},
        )
        attached = [m["attachments"]["data"] for m in reply.json()["data"] if "attachments" in m]
        shapes = [set(a) for items in attached for a in items]
        # files give their metadata; the order confirmation (a generic template) only its id
        assert {"id", "mime_type", "name", "size"} in shapes and {"id"} in shapes
        assert all(shape in ({"id", "mime_type", "name", "size"}, {"id"}) for shape in shapes)
