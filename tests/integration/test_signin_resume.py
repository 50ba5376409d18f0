"""At App level: a token that dies stops polling with one "sign in again", the archive stays
readable, a reply waits in the outbox; signing in again resumes both without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from igdesk.app import App
from igdesk.config import Profile
from igdesk.events import Event, SignInNeeded
from igdesk.sandbox.testing import running_sandbox
from igdesk.signin import BusinessLogin, LoginSettings
from igdesk.store.outbox import OutboxState
from igdesk.sync.poller import PollTiming
from tests.memory_keyring import MemoryKeyring
from tests.signin_helpers import consent


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait for the App's background work (the poller, the outbox) to get there."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_sign_in_again_resumes_polling_and_the_outbox(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async with running_sandbox() as (server, control):
        app = App(Profile(tmp_path / "profile"), graph_url=server.url)
        events: list[Event] = []
        app.events.subscribe(events.append)
        try:
            settings = LoginSettings(server.world.shop.app_id)
            login = BusinessLogin(app, settings, server.app_secret)
            first = await login.finish(await consent(login.authorize_url))
            await control.post(
                "/_sandbox/customer_message", json={"username": "ani.follower", "text": "Halo"}
            )
            await app.sync_once()
            threads = await app.inbox.threads()
            thread = next(t for t in threads if t.contact_username == "ani.follower")
            app.start_polling(PollTiming(active=0.05, idle=0.05))
            app.replies.start_sending()

            token = app.current_token()
            await control.post("/_sandbox/oauth/expire", json={"token": token})
            await until(lambda: any(isinstance(e, SignInNeeded) for e in events))
            entry_id = await app.replies.send_text(thread.id, "Siap kak, ada stok")
            await asyncio.sleep(0)  # the sender tries, meets the refused token, waits
            await until(lambda: app.status.next_poll is None and not app.status.syncing)
            assert await app.inbox.threads()  # the archive stays readable
            entry = await app._db.read(lambda archive: archive.outbox.get(entry_id))
            assert entry is not None and entry.state is not OutboxState.SENT
            assert sum(isinstance(e, SignInNeeded) for e in events) == 1

            again = BusinessLogin(app, settings, server.app_secret)
            second = await again.finish(await consent(again.authorize_url))
            assert second.account_id == first.account_id
            await control.post(
                "/_sandbox/customer_message", json={"username": "ani.follower", "text": "Ok"}
            )

            async def sent() -> bool:
                row = await app._db.read(lambda archive: archive.outbox.get(entry_id))
                return row is not None and row.state is OutboxState.SENT

            deadline = asyncio.get_running_loop().time() + 15
            while not await sent():
                assert asyncio.get_running_loop().time() < deadline, "reply never sent"
                await asyncio.sleep(0.05)
            world = (await control.get("/_sandbox/world")).json()
            assert "Siap kak, ada stok" in str(world)
            await until(lambda: app.status.next_poll is not None)  # polling again
            assert sum(isinstance(e, SignInNeeded) for e in events) == 1
        finally:
            await app.aclose()
