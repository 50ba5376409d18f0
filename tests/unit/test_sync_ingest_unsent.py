"""An unsent message vanishes from the read API: ingest names the archived messages a read left
out (to be confirmed one by one), and turns confirmed ones into tombstones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from igdesk.domain import Contact, Message
from igdesk.store import Archive
from igdesk.sync.ingest import apply_thread, missing_from_read

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
CUSTOMER = Contact(id="c1", username="sari")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive.open(tmp_path / "archive.sqlite3")
    try:
        yield store
    finally:
        store.close()


def _messages(count: int, first: int = 0) -> list[Message]:
    return [
        Message(
            id=f"m{i}",
            thread_id="t1",
            sender_id="c1",
            created_time=START + timedelta(minutes=i),
            text=f"pesan {i}",
        )
        for i in range(first, first + count)
    ]


def _apply(archive: Archive, messages: list[Message]) -> list[str]:
    """Apply a read; returns what it left out of the archive's messages."""
    missing = missing_from_read(archive, "t1", messages)
    apply_thread(archive, thread_id="t1", contact=CUSTOMER, messages=messages, updated_time=None)
    return missing


def test_a_message_missing_inside_a_short_thread_is_named(archive: Archive) -> None:
    five = _messages(5)
    assert _apply(archive, five) == []
    assert _apply(archive, [m for m in five if m.id != "m2"]) == ["m2"]
    stored = archive.messages.get("m2")
    assert stored is not None and not stored.deleted  # named, not yet confirmed: kept whole


def test_a_confirmed_unsend_keeps_only_a_tombstone(archive: Archive) -> None:
    five = _messages(5)
    _apply(archive, five)
    update = apply_thread(
        archive,
        thread_id="t1",
        contact=CUSTOMER,
        messages=[m for m in five if m.id != "m2"],
        updated_time=None,
        unsent_ids=["m2", "not-ours"],
    )
    assert update.unsent_message_ids == ("m2",)
    stored = archive.messages.get("m2")
    assert stored is not None and stored.deleted and stored.text == ""
    assert [m.id for m in archive.messages.of_thread("t1")] == ["m0", "m1", "m2", "m3", "m4"]


def test_messages_older_than_a_full_window_are_history_not_unsent(archive: Archive) -> None:
    _apply(archive, _messages(20))
    # Five new messages push m0..m4 out of the readable twenty: they were not unsent.
    assert _apply(archive, _messages(20, first=5)) == []
    # Inside the window, a gap is a suspected unsend.
    window = [m for m in _messages(20, first=5) if m.id != "m10"]
    assert _apply(archive, [*_messages(1, first=4), *window]) == ["m10"]


def test_a_message_newer_than_the_read_is_left_alone(archive: Archive) -> None:
    _apply(archive, _messages(3))
    archive.messages.upsert("t1", _messages(1, first=3))  # e.g. a reply stored after the read
    assert _apply(archive, _messages(3)) == []
