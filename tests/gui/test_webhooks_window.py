"""Webhooks in the window: a customer's message reaches the open chat through a signed
delivery, with no poll in between. Real window, the sandbox delivering over loopback to the
App's receiver, a real archive."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from igdesk.ui.main_window import MainWindow
from igdesk.webhooks.signature import webhook_secrets
from igdesk.webhooks.subscription import MESSAGING_FIELDS
from tests.gui.conftest import RunUntil, open_by_username
from tests.sandbox_client import Sandbox

VERIFY_TOKEN = "kode-verifikasi-toko"


def test_a_message_arrives_in_the_open_chat_by_webhook_without_a_poll(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    keys = (webhook_secrets(world.threaded.app_secret), VERIFY_TOKEN)
    service = run_until(qtbot, window.app.webhooks.start(0, keys=keys), 10_000)
    # The dashboard step: Meta checks our receiver (the handshake runs on the window's loop).
    reply = run_until(
        qtbot,
        asyncio.to_thread(
            world.configure_webhook, service.url, VERIFY_TOKEN, list(MESSAGING_FIELDS)
        ),
        10_000,
    )
    assert reply.status_code == 200, reply.text
    world.subscribe_account(list(MESSAGING_FIELDS))
    thread_id = open_by_username(window, qtbot, "ani.follower")
    world.clear_requests()

    world.writes("ani.follower", "Kak, barangnya sudah sampai 🙏")
    qtbot.waitUntil(
        lambda: any(
            m.text == "Kak, barangnya sudah sampai 🙏" for m in window.conversation.model.messages()
        ),
        timeout=10_000,
    )
    row = window.thread_model.row_of(thread_id)
    assert row == 0  # moved to the top of its folder
    polls = [r for r in world.requests() if r["method"] == "GET"]
    assert polls == []  # it came by webhook: the API was not read for it
