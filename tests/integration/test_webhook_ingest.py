"""Webhook events through the same ingest as polling: real bodies the sandbox delivered, a real
archive file, the targeted fetch over loopback; the App's queue processor end to end."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from igdesk.app import App
from igdesk.config import Profile
from igdesk.domain import Folder, Message
from igdesk.events import (
    CustomerWrote,
    Event,
    MessagesAdded,
    OutboxChanged,
    SignInNeeded,
    ThreadsChanged,
)
from igdesk.sandbox.recorder import WebhookRecorder
from igdesk.store import Archive
from igdesk.store.outbox import OutboxState
from igdesk.sync.webhook_ingest import WebhookOutcome, WebhookRetry
from igdesk.webhooks import parse_payload
from tests.integration.conftest import Sandbox

T = TypeVar("T")


class Desk:
    """An App on a synced tiny world with the sandbox's webhooks pointed at a recorder; the
    recorded bodies are handed to the App's queue processor as the receiver's drainer does."""

    def __init__(self, sandbox: Sandbox, directory: Path, recorder: WebhookRecorder) -> None:
        self.sandbox = sandbox
        self.recorder = recorder
        self.loop = asyncio.new_event_loop()
        self.app = App(Profile(directory), graph_url=sandbox.url, token=sandbox.token)
        self.app.outbox_settle_seconds = 0.0
        self.events: list[Event] = []
        self.app.events.subscribe(self.events.append)
        self.run(self.app.sync_once)
        self.archive = Archive.open(self.app.profile.archive_path)
        self._taken = 0

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def go() -> T:
            return await make()

        return self.loop.run_until_complete(go())

    def bodies(self, items: int) -> list[bytes]:
        """The bodies delivered since the last call, once `items` more items arrived."""
        already = sum(len(p.items()) for p in self.recorder.posts[: self._taken])
        self.sandbox.wait_webhook_items(self.recorder, already + items)
        posts = self.recorder.posts
        fresh, self._taken = posts[self._taken :], len(posts)
        return [post.body for post in fresh]

    def body(self) -> bytes:
        """The one body the next act delivered."""
        [body] = self.bodies(1)
        return body

    def apply(self, body: bytes) -> None:
        shop = self.archive.account.get()
        events = parse_payload(body, shop_id=shop.id if shop else "")
        self.run(lambda: self.app.webhooks.process(events))

    def outcome(self, body: bytes) -> WebhookOutcome:
        shop = self.archive.account.get()
        events = parse_payload(body, shop_id=shop.id if shop else "")
        return self.run(lambda: self.app.webhooks.ingest.apply(events))

    def thread(self, username: str) -> str:
        return next(
            r.id for r in self.run(self.app.inbox.threads) if r.contact_username == username
        )

    def messages(self, username: str) -> list[Message]:
        return self.archive.messages.of_thread(self.thread(username))

    def close(self) -> None:
        self.run(self.app.aclose)
        self.loop.close()
        self.archive.close()


@pytest.fixture
def desk(tiny_sandbox: Sandbox, tmp_path: Path) -> Iterator[Desk]:
    tiny_sandbox.webhook_settings(batch_window=0)
    with tiny_sandbox.webhook_receiver() as recorder:
        opened = Desk(tiny_sandbox, tmp_path / "profile", recorder)
        try:
            yield opened
        finally:
            opened.close()


def _state(messages: list[Message]) -> list[tuple[Any, ...]]:
    return [(m.id, m.text, m.is_from_shop, m.deleted, m.reactions) for m in messages]


def test_a_customer_message_for_a_known_thread_lands_without_a_request(desk: Desk) -> None:
    desk.sandbox.customer_writes(username="ani.follower", text="Ada warna merah kak?")
    body = desk.body()
    desk.sandbox.clear_requests()
    desk.events.clear()
    desk.apply(body)
    newest = desk.messages("ani.follower")[-1]
    assert (newest.text, newest.is_from_shop) == ("Ada warna merah kak?", False)
    assert desk.sandbox.requests() == []  # the event itself is enough: no poll, no fetch
    assert [type(e) for e in desk.events] == [MessagesAdded, ThreadsChanged, CustomerWrote]
    wrote = desk.events[2]
    assert isinstance(wrote, CustomerWrote) and wrote.message.id == newest.id
    assert wrote.thread.unread == 1


def test_a_newcomer_is_fetched_with_the_profile_and_lands_in_requests(desk: Desk) -> None:
    written = desk.sandbox.customer_writes(username="baru.saja", text="Kak, ready stok?")
    body = desk.body()
    desk.sandbox.clear_requests()
    desk.events.clear()
    desk.apply(body)
    row = desk.archive.threads.get(written["thread_id"])
    assert row is not None and row.folder is Folder.REQUESTS
    assert row.contact_username == "baru.saja"
    assert [m.id for m in desk.archive.messages.of_thread(row.id)] == [written["message_id"]]
    paths = [r["path"] for r in desk.sandbox.requests()]
    assert any("conversations" in p for p in paths)
    listing = next(r for r in desk.sandbox.requests() if "conversations" in r["path"])
    assert written["customer_id"] in json.dumps(listing)
    assert any(isinstance(e, CustomerWrote) for e in desk.events)


def test_an_echo_of_an_igdesk_reply_is_no_second_bubble(desk: Desk) -> None:
    thread_id = desk.thread("ani.follower")
    entry_id = desk.run(lambda: desk.app.replies.send_text(thread_id, "Ada kak, merah M"))
    desk.run(desk.app.replies.flush_outbox)
    entry = desk.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.SENT
    desk.apply(desk.body())
    texts = [m.text for m in desk.messages("ani.follower")]
    assert texts.count("Ada kak, merah M") == 1
    assert desk.archive.messages.get(entry.message_id or "") is not None
    assert desk.archive.outbox.get(entry_id).state is OutboxState.SENT  # type: ignore[union-attr]


def test_an_echo_marks_its_outbox_entry_sent(desk: Desk) -> None:
    """An entry that holds the echo's mid but is not marked sent (the answer was stored, the
    state was not) is marked sent by the echo, and the window is told."""
    thread_id = desk.thread("ani.follower")
    desk.sandbox.fault("drop", path="/messages", method="POST", after_apply=True)
    entry_id = desk.run(lambda: desk.app.replies.send_text(thread_id, "Sudah dikirim ya"))
    desk.run(desk.app.replies.flush_outbox)
    assert desk.archive.outbox.get(entry_id).state is OutboxState.UNKNOWN  # type: ignore[union-attr]
    body = desk.body()
    mid = parse_payload(body)[0].mid  # type: ignore[union-attr]
    desk.archive.outbox.update(entry_id, state=OutboxState.UNKNOWN, message_id=mid)
    desk.events.clear()
    desk.apply(body)
    assert desk.archive.outbox.get(entry_id).state is OutboxState.SENT  # type: ignore[union-attr]
    assert OutboxChanged(thread_id, entry_id) in desk.events
    desk.run(desk.app.replies.flush_outbox)
    assert [m.text for m in desk.messages("ani.follower")].count("Sudah dikirim ya") == 1
    assert [s for s in desk.sandbox.world()["sends"] if "Sudah dikirim" in json.dumps(s)]


def test_an_echo_before_reconciling_an_unknown_send_is_not_sent_twice(desk: Desk) -> None:
    thread_id = desk.thread("ani.follower")
    desk.sandbox.fault("drop", path="/messages", method="POST", after_apply=True)
    entry_id = desk.run(lambda: desk.app.replies.send_text(thread_id, "Paket sudah jalan"))
    desk.run(desk.app.replies.flush_outbox)
    desk.apply(desk.body())  # the echo arrives while the outcome is still unknown
    desk.run(desk.app.replies.flush_outbox)  # reconciled against the conversation
    entry = desk.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.SENT
    assert [m.text for m in desk.messages("ani.follower")].count("Paket sudah jalan") == 1
    sends = [s for s in desk.sandbox.world()["sends"] if "Paket sudah jalan" in json.dumps(s)]
    assert len(sends) == 1


def test_an_echo_from_the_phone_is_recorded_once_and_answers_a_request(desk: Desk) -> None:
    cici = desk.sandbox.thread_of("cici.request")["customer"]["id"]
    assert desk.archive.threads.get(desk.thread("cici.request")).folder is Folder.REQUESTS  # type: ignore[union-attr]
    phone = desk.sandbox.shop_writes(customer_id=cici, text="Ready kak")
    body = desk.body()
    desk.apply(body)
    desk.apply(body)
    mine = [m for m in desk.messages("cici.request") if m.id == phone["message_id"]]
    assert [(m.text, m.is_from_shop) for m in mine] == [("Ready kak", True)]
    row = desk.archive.threads.get(desk.thread("cici.request"))
    assert row is not None and row.folder is Folder.GENERAL  # answered from Instagram's app
    desk.run(desk.app.sync_once)
    assert [m.id for m in desk.messages("cici.request")].count(phone["message_id"]) == 1


def test_the_same_message_twice_is_applied_once(desk: Desk) -> None:
    desk.sandbox.customer_writes(username="bob.general", text="Masih ada?")
    body = desk.body()
    first = desk.outcome(body)
    desk.events.clear()
    second = desk.outcome(body)
    assert (first.handled, first.duplicates, second.handled, second.duplicates) == (1, 0, 0, 1)
    assert second.updates == []
    assert [m.text for m in desk.messages("bob.general")].count("Masih ada?") == 1


def test_out_of_order_delivery_ends_as_polling_does(desk: Desk, tmp_path: Path) -> None:
    """Bodies applied newest first (and all again): the same messages as a poll shows, with
    the reaction and the edit that were delivered before their messages applied when those
    came; a poll afterwards changes nothing."""
    ani = desk.sandbox.thread_of("ani.follower")["customer"]["id"]
    one = desk.sandbox.customer_writes(customer_id=ani, text="satu")
    two = desk.sandbox.customer_writes(customer_id=ani, text="dua")
    desk.sandbox.customer_reacts(one["message_id"], "👍")
    desk.sandbox.customer_edits(two["message_id"], "dua (ralat)")
    three = desk.sandbox.customer_writes(customer_id=ani, text="tiga")
    desk.sandbox.unsend(three["message_id"])
    phone = desk.sandbox.shop_writes(customer_id=ani, text="oke kak")
    bodies = desk.bodies(7)
    for body in reversed(bodies):  # the echo first, the first message last
        desk.apply(body)
    for body in bodies:  # and every one again, in order: all duplicates now
        desk.apply(body)
    gone = three["message_id"]
    stored = desk.archive.messages.get(gone)
    assert stored is not None and stored.deleted and stored.text == ""
    polled = Desk(desk.sandbox, tmp_path / "polled", desk.recorder)
    try:
        expected = sorted(_state(polled.messages("ani.follower")))
    finally:
        polled.close()
    webhooked = sorted(s for s in _state(desk.messages("ani.follower")) if s[0] != gone)
    assert webhooked == expected
    assert phone["message_id"] in {s[0] for s in webhooked}
    desk.run(desk.app.sync_once)
    webhooked = sorted(s for s in _state(desk.messages("ani.follower")) if s[0] != gone)
    assert webhooked == expected
    assert desk.archive.messages.get(gone).deleted  # type: ignore[union-attr]


def test_an_unsend_leaves_a_sticky_tombstone(desk: Desk) -> None:
    written = desk.sandbox.customer_writes(username="bob.general", text="salah kirim")
    desk.apply(desk.body())
    desk.sandbox.unsend(written["message_id"])
    desk.events.clear()
    desk.apply(desk.body())
    stored = desk.archive.messages.get(written["message_id"])
    assert stored is not None and stored.deleted and stored.text == ""
    assert MessagesAdded(desk.thread("bob.general"), (written["message_id"],)) in desk.events
    desk.run(desk.app.sync_once)
    assert desk.archive.messages.get(written["message_id"]).deleted  # type: ignore[union-attr]


def test_an_unsend_before_its_message_keeps_only_a_tombstone(desk: Desk) -> None:
    written = desk.sandbox.customer_writes(username="bob.general", text="oops")
    message_body = desk.body()
    desk.sandbox.unsend(written["message_id"])
    desk.apply(desk.body())
    assert desk.archive.messages.get(written["message_id"]) is None  # nothing stored yet
    desk.apply(message_body)
    stored = desk.archive.messages.get(written["message_id"])
    assert stored is not None and stored.deleted and stored.text == ""


def test_reactions_come_and_go_and_one_before_its_message_waits_for_it(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    shop_message = next(m for m in desk.messages("ani.follower") if m.is_from_shop)
    desk.sandbox.customer_reacts(shop_message.id, "😍")
    desk.apply(desk.body())
    ani = desk.sandbox.thread_of("ani.follower")["customer"]["id"]
    reacted = desk.archive.messages.get(shop_message.id)
    assert reacted is not None and [(r.user_id, r.emoji) for r in reacted.reactions] == [
        (ani, "😍")
    ]
    desk.sandbox.customer_reacts(shop_message.id, unreact=True)
    desk.apply(desk.body())
    assert desk.archive.messages.get(shop_message.id).reactions == ()  # type: ignore[union-attr]
    unseen = desk.sandbox.customer_writes(customer_id=ani, text="belum sampai")
    late_body = desk.body()  # delivered after the reaction to it
    desk.sandbox.customer_reacts(unseen["message_id"], "❤️")
    with caplog.at_level(logging.INFO, logger="igdesk.sync.webhooks"):
        outcome = desk.outcome(desk.body())
    assert outcome.complete and outcome.updates == []
    assert desk.archive.messages.get(unseen["message_id"]) is None
    assert any(unseen["message_id"] in r.getMessage() for r in caplog.records)
    assert "❤️" not in caplog.text  # ids only in the log
    desk.apply(late_body)
    arrived = desk.archive.messages.get(unseen["message_id"])
    assert arrived is not None and arrived.text == "belum sampai"
    assert [(r.user_id, r.emoji) for r in arrived.reactions] == [(ani, "❤️")]


def test_an_edit_changes_the_text(desk: Desk) -> None:
    written = desk.sandbox.customer_writes(username="ani.follower", text="ukuran L")
    desk.apply(desk.body())
    desk.sandbox.customer_edits(written["message_id"], "ukuran XL")
    desk.apply(desk.body())
    assert desk.archive.messages.get(written["message_id"]).text == "ukuran XL"  # type: ignore[union-attr]


def test_a_webhook_then_a_poll_and_a_poll_then_a_late_webhook_keep_reactions(
    desk: Desk,
) -> None:
    first = desk.sandbox.customer_writes(username="bob.general", text="foto produk?")
    desk.apply(desk.body())
    desk.sandbox.customer_reacts(first["message_id"], "👍")
    desk.apply(desk.body())
    desk.run(desk.app.sync_once)
    stored = desk.archive.messages.get(first["message_id"])
    assert stored is not None and [r.emoji for r in stored.reactions] == ["👍"]
    assert [m.id for m in desk.messages("bob.general")].count(first["message_id"]) == 1

    late = desk.sandbox.customer_writes(username="bob.general", text="halo?")
    late_body = desk.body()
    desk.sandbox.customer_reacts(late["message_id"], "🔥")
    desk.body()
    desk.run(desk.app.sync_once)  # the poll brings the message with its reaction first
    desk.apply(late_body)  # then the message's webhook, late
    again = desk.archive.messages.get(late["message_id"])
    assert again is not None and [r.emoji for r in again.reactions] == ["🔥"]
    assert [m.id for m in desk.messages("bob.general")].count(late["message_id"]) == 1


def test_a_failed_fetch_costs_only_its_events_and_a_retry_applies_them(desk: Desk) -> None:
    known = desk.sandbox.customer_writes(username="ani.follower", text="sudah transfer")
    newcomer = desk.sandbox.customer_writes(username="orang.baru", text="permisi")
    bodies = desk.bodies(2)
    events = [e for body in bodies for e in parse_payload(body)]
    desk.sandbox.fault("expired_token", path="/conversations")
    with pytest.raises(WebhookRetry):
        desk.run(lambda: desk.app.webhooks.process(events))
    assert any(isinstance(e, SignInNeeded) for e in desk.events)
    assert desk.archive.messages.get(known["message_id"]) is not None
    assert desk.archive.threads.get(newcomer["thread_id"]) is None
    desk.sandbox.clear_faults()
    desk.run(lambda: desk.app.webhooks.process(events))  # the queue tries again
    assert desk.archive.messages.get(newcomer["message_id"]) is not None
    assert [m.id for m in desk.messages("ani.follower")].count(known["message_id"]) == 1


def test_a_thousand_events_in_one_body(desk: Desk) -> None:
    ani = desk.sandbox.thread_of("ani.follower")["customer"]["id"]
    desk.sandbox.customer_writes(customer_id=ani, text="template")
    template = json.loads(desk.body())
    item = template["entry"][0]["messaging"][0]
    items = []
    for n in range(1000):
        copy = json.loads(json.dumps(item))
        copy["timestamp"] = item["timestamp"] + n
        copy["message"]["mid"] = f"{item['message']['mid']}-{n}"
        copy["message"]["text"] = f"pesan {n}"
        items.append(copy)
    items.insert(500, {"sender": {"id": ani}, "optin": {"ref": "x"}, "timestamp": 1})
    body = json.dumps(
        {"object": "instagram", "entry": [{**template["entry"][0], "messaging": items}]}
    )
    desk.events.clear()
    outcome = desk.outcome(body.encode())
    assert (outcome.events, outcome.handled, outcome.failed) == (1001, 1001, [])
    texts = [m.text for m in desk.messages("ani.follower")]
    assert sum(t.startswith("pesan ") for t in texts) == 1000
    assert len(outcome.updates) == 1 and len(outcome.updates[0].new_message_ids) == 1000
