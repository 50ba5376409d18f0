"""Outbox, drafts, sync state, webhook dedupe and the export contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from igdesk.domain import Attachment, Contact, Folder, Message
from igdesk.store import Archive, OutboxState, UnknownThreadError

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def archive(tmp_path: Path, clock: Clock) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.sqlite3", clock=clock) as opened:
        opened.threads.create("t1", "c1", Folder.PRIMARY, T0)
        opened.threads.create("t2", "c2", Folder.GENERAL, T0)
        yield opened


def test_outbox_lifecycle(archive: Archive, clock: Clock) -> None:
    first = archive.outbox.add("t1", "c1", "text", {"text": "Siap kak 🙏"})
    clock.now += timedelta(seconds=1)
    second = archive.outbox.add("t2", "c2", "text", {"text": "Halo"})
    assert first < second
    [entry, _] = archive.outbox.entries()
    assert entry.id == first and entry.state is OutboxState.PENDING
    assert entry.body == {"text": "Siap kak 🙏"} and entry.attempts == 0
    assert entry.created_at == entry.updated_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    archive.outbox.update(first, state="sending")
    archive.outbox.update(first, state="unknown", error="timeout")
    entry = archive.outbox.entries(states=["unknown"])[0]
    assert (entry.state, entry.error, entry.attempts, entry.message_id) == (
        OutboxState.UNKNOWN,
        "timeout",
        1,
        None,
    )
    archive.outbox.update(first, state=OutboxState.SENDING)
    archive.outbox.update(first, state="sent", message_id="mid.1")
    archive.outbox.update(first, state="sent")  # a later update keeps the known mid
    entry = archive.outbox.entries(thread_id="t1")[0]
    assert (entry.state, entry.error, entry.attempts, entry.message_id) == (
        OutboxState.SENT,
        None,
        2,
        "mid.1",
    )
    assert [e.id for e in archive.outbox.entries(states={"pending", "failed"})] == [second]
    assert archive.outbox.entries(states=[]) == []
    assert [e.id for e in archive.outbox.entries(states=["sent"], thread_id="t2")] == []
    assert archive.outbox.get(first) == entry

    archive.outbox.delete(first)
    archive.outbox.delete(first)  # already gone: fine
    assert [e.id for e in archive.outbox.entries()] == [second]
    assert archive.outbox.get(first) is None


def test_outbox_rejects_bad_input(archive: Archive) -> None:
    entry_id = archive.outbox.add("t1", "c1", "text", {"text": "x"})
    with pytest.raises(ValueError):
        archive.outbox.update(entry_id, state="lost")
    with pytest.raises(KeyError):
        archive.outbox.update(999, state="sent")
    with pytest.raises(UnknownThreadError):
        archive.outbox.add("nope", "c1", "text", {})
    with pytest.raises(ValueError):
        archive.outbox.entries(states=["bogus"])


def test_outbox_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with Archive.open(path) as archive:
        archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
        entry_id = archive.outbox.add("t1", "c1", "text", {"text": "jangan hilang"})
        assert archive.db.conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    with Archive.open(path) as archive:
        [entry] = archive.outbox.entries()
        assert entry.id == entry_id and entry.body == {"text": "jangan hilang"}


def test_drafts(archive: Archive) -> None:
    assert archive.drafts.get("t1") == ""
    archive.drafts.save("t1", "Baik kak, saya cek")
    archive.drafts.save("t1", "Baik kak, saya cek dulu")
    assert archive.drafts.get("t1") == "Baik kak, saya cek dulu"
    assert archive.drafts.get("t2") == ""
    archive.drafts.save("t1", "")
    assert archive.drafts.get("t1") == ""
    archive.drafts.save("nope", "")  # deleting nothing is fine
    with pytest.raises(UnknownThreadError):
        archive.drafts.save("nope", "x")


def test_sync_state(archive: Archive) -> None:
    assert archive.state.get("conversations.cursor") is None
    archive.state.set("conversations.cursor", "QVFI")
    archive.state.set("conversations.cursor", "QVFJ")
    assert archive.state.get("conversations.cursor") == "QVFJ"
    archive.state.delete("conversations.cursor")
    assert archive.state.get("conversations.cursor") is None


def test_webhook_ids_dedupe(archive: Archive, clock: Clock) -> None:
    assert archive.webhook_ids.remember("mid.a") is True
    assert archive.webhook_ids.remember("mid.a") is False
    clock.now += timedelta(days=3)
    assert archive.webhook_ids.remember("mid.b") is True
    assert archive.webhook_ids.forget_before(clock.now - timedelta(days=2)) == 1
    assert archive.webhook_ids.remember("mid.b") is False
    assert archive.webhook_ids.remember("mid.a") is True


def test_export_shape(archive: Archive) -> None:
    archive.contacts.upsert(Contact("c1", "siti", "Siti", follows_business=True))
    archive.threads.create("t3", "c3", Folder.DENIED, T0 - timedelta(days=1))
    archive.messages.upsert(
        "t1",
        [
            Message(
                "m1",
                "t1",
                "c1",
                T0,
                text="Halo",
                attachments=(Attachment("image", "https://cdn/x.jpg", preview_url="p"),),
            ),
            Message(
                "m2",
                "t1",
                "shop",
                T0 + timedelta(minutes=1, milliseconds=250),
                text="Ya kak",
                reply_to="m1",
                is_from_shop=True,
            ),
        ],
    )
    exported = list(archive.export.records())
    assert [t["id"] for t in exported] == ["t1", "t2", "t3"]
    assert exported[0] == {
        "id": "t1",
        "folder": "primary",
        "contact": {"id": "c1", "username": "siti", "name": "Siti", "follows_business": True},
        "updated_time": "2026-11-25T10:00:00+00:00",
        "unread": 1,
        "messages": [
            {
                "id": "m1",
                "from": "c1",
                "created_time": "2026-11-25T10:00:00+00:00",
                "text": "Halo",
                "attachments": [{"type": "image", "url": "https://cdn/x.jpg"}],
                "reply_to": None,
                "is_from_shop": False,
                "deleted": False,
            },
            {
                "id": "m2",
                "from": "shop",
                "created_time": "2026-11-25T10:01:00.250+00:00",
                "text": "Ya kak",
                "attachments": [],
                "reply_to": "m1",
                "is_from_shop": True,
                "deleted": False,
            },
        ],
    }
    assert exported[2]["folder"] == "denied"
    assert exported[2]["contact"] == {
        "id": "c3",
        "username": "",
        "name": "",
        "follows_business": None,
    }
    for thread in exported:
        json.dumps(thread)  # plain JSON types only
        assert datetime.fromisoformat(thread["updated_time"]).tzinfo is not None
