"""End to end through the App: the sandbox's customer writes, the signed delivery reaches the
App's receiver over loopback, is stored, processed by the ingest and read back from the inbox,
with no poll in between."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from igdesk.app import App
from igdesk.config import Profile
from igdesk.sandbox.testing import MESSAGING_FIELDS
from tests.integration.conftest import Sandbox
from tests.webhook_bodies import VERIFY_TOKEN


def test_a_customer_message_reaches_the_inbox_through_the_receiver(
    tiny_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGDESK_APP_SECRET", tiny_sandbox.threaded.app_secret)
    monkeypatch.setenv("IGDESK_VERIFY_TOKEN", VERIFY_TOKEN)

    async def scenario() -> tuple[str, str, int]:
        app = App(Profile(tmp_path), graph_url=tiny_sandbox.url, token=tiny_sandbox.token)
        try:
            await app.sync_once()  # no poller runs after this: only a webhook can bring news
            service = await app.webhooks.start(0)
            configured = await asyncio.to_thread(
                tiny_sandbox.configure_webhook, service.url, VERIFY_TOKEN, MESSAGING_FIELDS
            )
            assert configured.status_code == 200, configured.text
            await asyncio.to_thread(tiny_sandbox.subscribe_account, MESSAGING_FIELDS)
            wrote = await asyncio.to_thread(tiny_sandbox.writes, "ani.follower", "Kak, ada?")
            mid = str(wrote["message_id"])
            loop = asyncio.get_running_loop()
            end = loop.time() + 10
            while not (found := await app.inbox.messages_by_id([mid])):
                assert loop.time() < end, "the message never reached the inbox"
                await asyncio.sleep(0.02)
            health = await service.health()
            return found[0].text, found[0].id, health.receiver.accepted
        finally:
            await app.aclose()

    text, mid, accepted = asyncio.run(scenario())
    assert text == "Kak, ada?" and mid
    assert accepted >= 1
