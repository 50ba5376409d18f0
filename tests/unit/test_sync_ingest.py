"""Applying one thread to the archive: folder rules, read state, idempotence, history gaps.

Real SQLite file; expected folders and counts are written out, not computed by the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from igdesk.domain import Contact, Folder, Message
from igdesk.store import Archive
from igdesk.sync.ingest import apply_thread

SHOP = "shop-1"
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
FOLLOWER = Contact(id="c-follow", username="ani", follows_business=True)
STRANGER = Contact(id="c-new", username="bob", follows_business=False)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive.open(tmp_path / "archive.sqlite3")
    try:
        yield store
    finally:
        store.close()


def said(number: int, who: Contact | None, minutes: int) -> Message:
    """Message `m<number>` by the customer `who` (None: the shop) `minutes` after START."""
    sender = who.id if who else SHOP
    return Message(
        id=f"m{number}",
        thread_id="t1",
        sender_id=sender,
        created_time=START + timedelta(minutes=minutes),
        text=f"pesan {number}",
        is_from_shop=who is None,
    )


def apply(archive: Archive, contact: Contact, *messages: Message) -> Folder:
    update = apply_thread(
        archive, thread_id="t1", contact=contact, messages=list(messages), updated_time=None
    )
    return update.folder


@pytest.mark.parametrize(
    ("contact", "shop_wrote", "folder"),
    [
        (FOLLOWER, False, Folder.PRIMARY),
        (FOLLOWER, True, Folder.PRIMARY),
        (STRANGER, False, Folder.REQUESTS),
        (STRANGER, True, Folder.GENERAL),
    ],
)
def test_a_new_thread_lands_in_the_folder_the_rules_give(
    archive: Archive, contact: Contact, shop_wrote: bool, folder: Folder
) -> None:
    messages = [said(1, contact, 0)] + ([said(2, None, 5)] if shop_wrote else [])
    assert apply(archive, contact, *messages) is folder
    row = archive.threads.get("t1")
    assert row is not None and row.folder is folder
    # First sight: what the shop already answered counts as read.
    assert row.unread == (0 if shop_wrote else 1)


def test_applying_the_same_read_twice_changes_nothing(archive: Archive) -> None:
    first = apply_thread(
        archive,
        thread_id="t1",
        contact=STRANGER,
        messages=[said(1, STRANGER, 0), said(2, STRANGER, 1)],
        updated_time=None,
    )
    again = apply_thread(
        archive,
        thread_id="t1",
        contact=STRANGER,
        messages=[said(1, STRANGER, 0), said(2, STRANGER, 1)],
        updated_time=None,
    )
    assert first.new_message_ids == ("m1", "m2") and first.created
    assert again.new_message_ids == () and not again.created
    assert again.new_customer_messages == 0
    assert [m.id for m in archive.messages.of_thread("t1")] == ["m1", "m2"]


def test_a_denied_person_who_writes_again_is_back_in_requests(archive: Archive) -> None:
    apply(archive, STRANGER, said(1, STRANGER, 0))
    archive.threads.set_folder("t1", Folder.DENIED)
    assert apply(archive, STRANGER, said(1, STRANGER, 0)) is Folder.DENIED  # nothing new
    assert apply(archive, STRANGER, said(1, STRANGER, 0), said(2, STRANGER, 9)) is Folder.REQUESTS


def test_a_reply_from_instagrams_app_accepts_a_request_by_the_rules(archive: Archive) -> None:
    apply(archive, STRANGER, said(1, STRANGER, 0))
    assert apply(archive, STRANGER, said(1, STRANGER, 0), said(2, None, 3)) is Folder.GENERAL
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 0  # the shop answered: it has read what came before


def test_a_reply_sent_from_igdesk_moves_even_a_followers_request_to_general(
    archive: Archive,
) -> None:
    apply(archive, FOLLOWER, said(1, FOLLOWER, 0))
    archive.threads.set_folder("t1", Folder.REQUESTS)
    entry = archive.outbox.add("t1", FOLLOWER.id, "text", {"message": {"text": "pesan 2"}})
    archive.outbox.update(entry, state="sent", message_id="m2")
    assert apply(archive, FOLLOWER, said(1, FOLLOWER, 0), said(2, None, 3)) is Folder.GENERAL


def test_the_owners_own_folder_choice_survives_new_messages(archive: Archive) -> None:
    apply(archive, FOLLOWER, said(1, FOLLOWER, 0))
    archive.threads.set_folder("t1", Folder.GENERAL)
    later = [said(1, FOLLOWER, 0), said(2, FOLLOWER, 4), said(3, None, 5)]
    assert apply(archive, FOLLOWER, *later) is Folder.GENERAL


def test_a_full_batch_whose_oldest_message_is_new_marks_a_history_gap(archive: Archive) -> None:
    twenty = [said(i, STRANGER, i) for i in range(5, 25)]
    apply(archive, STRANGER, *twenty)
    row = archive.threads.get("t1")
    assert row is not None and row.history_gap
    other = Archive.open(archive.path.with_name("other.sqlite3"))
    try:
        nineteen = twenty[1:]
        apply_thread(other, thread_id="t1", contact=STRANGER, messages=nineteen, updated_time=None)
        row = other.threads.get("t1")
        assert row is not None and not row.history_gap
    finally:
        other.close()


def test_the_api_saying_there_is_no_older_history_is_believed(archive: Archive) -> None:
    twenty = [said(i, STRANGER, i) for i in range(20)]
    apply_thread(
        archive,
        thread_id="t1",
        contact=STRANGER,
        messages=twenty,
        updated_time=None,
        older_history_exists=False,
    )
    row = archive.threads.get("t1")
    assert row is not None and not row.history_gap
