"""Smoke test of GraphClient against the real sandbox (igdesk.sandbox), both account kinds."""

from __future__ import annotations

import pytest

from igdesk.graph import (
    FACEBOOK_PAGE,
    INSTAGRAM_LOGIN,
    GraphClient,
    MessageUnreadableError,
    OutsideWindowError,
)
from igdesk.sandbox.testing import running_sandbox, snapshot


@pytest.mark.asyncio
@pytest.mark.parametrize("page", [False, True], ids=["instagram-login", "facebook-page"])
async def test_client_against_sandbox(page: bool) -> None:
    async with running_sandbox() as (server, control):
        token = server.page_token if page else server.token
        flavour = FACEBOOK_PAGE if page else INSTAGRAM_LOGIN
        async with GraphClient(token, flavour=flavour, base_url=server.url) as client:
            shop = await client.me()
            assert shop.id and shop.username
            assert (client.page_id is not None) is page
            refs = [row.ref async for batch in client.conversations(shop) for row in batch]
            assert refs and len({r.id for r in refs}) == len(refs)
            longest = None
            for ref in refs:
                messages = await client.conversation_messages(ref.id, shop_id=shop.id)
                assert messages == sorted(messages, key=lambda m: m.created_time)
                if len(messages) == 20:
                    longest = ref
            assert longest is not None
            world = await snapshot(control)
            thread = next(t for t in world["threads"] if t["id"] == longest.id)
            old = [m["id"] for m in thread["messages"] if not m["readable"]]
            assert old, "the longest thread has messages beyond the readable twenty"
            with pytest.raises(MessageUnreadableError):
                await client.message(old[0], thread_id=longest.id, shop_id=shop.id)

            def body(ref_index: int) -> dict[str, object]:
                ref = refs[ref_index]
                customer = next(p for p in ref.participants if p.id != shop.id)
                return {"recipient": {"id": customer.id}, "message": {"text": "Terima kasih!"}}

            sent = await client.send(shop, body(0))  # newest thread: window open
            assert sent["message_id"]
            with pytest.raises(OutsideWindowError):
                await client.send(shop, body(refs.index(longest)))  # last customer message 2 d ago
