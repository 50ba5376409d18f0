"""Archive contents: contacts, threads, messages, folders, read state."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from igdesk.domain import (
    Account,
    Attachment,
    Contact,
    Folder,
    Message,
    Reaction,
    TemplateButton,
)
from igdesk.store import Archive, UnknownThreadError

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SHOP = "shop-1"


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
        yield opened


def msg(mid: str, minutes: int, *, thread: str = "t1", shop: bool = False, **kw: object) -> Message:
    return Message(
        id=mid,
        thread_id=thread,
        sender_id=SHOP if shop else "c1",
        created_time=T0 + timedelta(minutes=minutes),
        is_from_shop=shop,
        **kw,  # type: ignore[arg-type]
    )


# --- account and contacts -------------------------------------------------------------------


def test_account_roundtrip(archive: Archive) -> None:
    assert archive.account.get() is None
    archive.account.save(Account(SHOP, "tokobaju", "Toko Baju", "https://p", "BUSINESS"))
    archive.account.save(Account(SHOP, "tokobaju2", "Toko Baju"))
    assert archive.account.get() == Account(SHOP, "tokobaju2", "Toko Baju")
    assert archive.db.conn.execute("SELECT count(*) FROM account").fetchone()[0] == 1


def test_contact_merge_never_erases_known_values(archive: Archive) -> None:
    archive.contacts.upsert(
        Contact("c1", "siti", "Siti Aminah", "https://pic/1", True, False, 120, False),
        raw={"id": "c1", "username": "siti"},
    )
    archive.contacts.upsert(Contact("c1"))  # a bare id from a webhook
    archive.contacts.upsert(Contact("c1", username="", name="", follows_business=None))
    assert archive.contacts.get("c1") == Contact(
        "c1", "siti", "Siti Aminah", "https://pic/1", True, False, 120, False
    )
    assert archive.contacts.raw("c1") == {"id": "c1", "username": "siti"}
    archive.contacts.upsert(Contact("c1", username="siti_new", follows_business=False))
    merged = archive.contacts.get("c1")
    assert merged is not None
    assert (merged.username, merged.name, merged.follows_business) == (
        "siti_new",
        "Siti Aminah",
        False,
    )
    assert archive.contacts.get("nobody") is None


def test_contacts_without_profile(archive: Archive, clock: Clock) -> None:
    archive.account.save(Account(SHOP, "shop"))
    archive.contacts.upsert(Contact(SHOP))
    archive.threads.create("t-old", "c-old", Folder.PRIMARY, T0)
    archive.threads.create("t-new", "c-new", Folder.REQUESTS, T0 + timedelta(days=1))
    archive.contacts.upsert(Contact("c-done"), profile_fetched=True)
    assert archive.contacts.without_profile() == ["c-new", "c-old"]
    archive.contacts.upsert(Contact("c-new", username="x"), profile_fetched=True)
    archive.contacts.upsert(Contact("c-new"))  # a later bare upsert keeps the fetched mark
    assert archive.contacts.without_profile() == ["c-old"]


# --- threads and folders --------------------------------------------------------------------


def test_create_thread_is_idempotent_and_makes_placeholder_contact(archive: Archive) -> None:
    assert archive.threads.create("t1", "c1", Folder.REQUESTS, T0) is True
    assert archive.threads.create("t1", "c1", Folder.PRIMARY, T0) is False
    row = archive.threads.get("t1")
    assert row is not None
    assert row.folder is Folder.REQUESTS and row.previous_folder is None
    assert row.updated_time == T0 and row.updated_time.tzinfo is UTC
    assert row.last_message_at is None and row.unread == 0 and not row.history_gap
    assert row.read_up_to == datetime(1970, 1, 1, tzinfo=UTC)
    assert archive.contacts.get("c1") == Contact("c1")
    assert archive.threads.get("missing") is None


def test_folder_moves_remember_previous(archive: Archive, clock: Clock) -> None:
    archive.threads.create("t1", "c1", Folder.REQUESTS, T0)
    archive.threads.set_folder("t1", Folder.DENIED)
    row = archive.threads.get("t1")
    assert row is not None
    assert (row.folder, row.previous_folder) == (Folder.DENIED, Folder.REQUESTS)
    assert row.folder_changed_at == clock.now
    archive.threads.set_folder("t1", Folder.DENIED)  # no-op keeps the undo target
    row = archive.threads.get("t1")
    assert row is not None and row.previous_folder is Folder.REQUESTS
    archive.threads.set_folder("t1", row.previous_folder)  # Undo
    row = archive.threads.get("t1")
    assert row is not None
    assert (row.folder, row.previous_folder) == (Folder.REQUESTS, Folder.DENIED)
    assert [t.id for t in archive.threads.newest_first(Folder.REQUESTS)] == ["t1"]
    assert archive.threads.newest_first(Folder.DENIED) == []
    with pytest.raises(UnknownThreadError):
        archive.threads.set_folder("nope", Folder.PRIMARY)


def test_history_gap_and_updated_time(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    archive.threads.set_history_gap("t1", True)
    archive.threads.set_updated("t1", T0 + timedelta(hours=1))
    row = archive.threads.get("t1")
    assert row is not None and row.history_gap and row.updated_time == T0 + timedelta(hours=1)
    archive.threads.set_history_gap("t1", False)
    row = archive.threads.get("t1")
    assert row is not None and not row.history_gap
    with pytest.raises(KeyError):
        archive.threads.set_history_gap("nope", True)


def test_threads_newest_first_by_message_or_update(archive: Archive) -> None:
    archive.threads.create("a", "ca", Folder.PRIMARY, T0)
    archive.threads.create("b", "cb", Folder.PRIMARY, T0 + timedelta(minutes=5))
    archive.threads.create("c", "cc", Folder.GENERAL, T0 + timedelta(minutes=1))
    assert [t.id for t in archive.threads.newest_first()] == ["b", "c", "a"]
    archive.messages.upsert("a", [msg("m1", 10, thread="a")])
    assert [t.id for t in archive.threads.newest_first()] == ["a", "b", "c"]
    archive.threads.set_updated("c", T0 + timedelta(minutes=20))
    assert [t.id for t in archive.threads.newest_first()] == ["c", "a", "b"]
    assert [t.id for t in archive.threads.newest_first(Folder.PRIMARY)] == ["a", "b"]


# --- messages -------------------------------------------------------------------------------


def test_upsert_is_idempotent_and_applies_mutable_parts(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    original = msg(
        "m1",
        0,
        text="Halo kak, ready?",
        attachments=(Attachment("image", "https://cdn/old.jpg"),),
        raw={"id": "m1", "message": "Halo kak, ready?"},
    )
    assert archive.messages.upsert("t1", [original]) == ["m1"]
    assert archive.messages.upsert("t1", [original]) == []
    refreshed = replace(
        original,
        text="Halo kak, masih ready?",
        attachments=(Attachment("image", "https://cdn/new.jpg"),),
        reactions=(Reaction(SHOP, "❤️"),),
    )
    assert archive.messages.upsert("t1", [refreshed]) == []
    stored = archive.messages.get("m1")
    assert stored is not None
    assert stored.text == "Halo kak, masih ready?"
    assert stored.attachments == (Attachment("image", "https://cdn/new.jpg"),)
    assert stored.reactions == (Reaction(SHOP, "❤️"),)
    assert stored.raw == {"id": "m1", "message": "Halo kak, ready?"}
    # A bare "unsent" event: the customer took the message back, so only a tombstone stays;
    # sender and time are kept.
    marker = Message("m1", "t1", "", T0 + timedelta(hours=5), deleted=True)
    assert archive.messages.upsert("t1", [marker]) == []
    stored = archive.messages.get("m1")
    assert stored is not None
    assert stored.deleted and stored.text == ""
    assert stored.created_time == T0 and stored.sender_id == "c1"
    assert stored.attachments == ()
    assert stored.reactions == ()  # reactions are the full current set
    # Unsent is sticky: a later copy without the flag brings neither the flag nor text back.
    archive.messages.upsert("t1", [refreshed])
    stored = archive.messages.get("m1")
    assert stored is not None and stored.deleted and stored.text == ""
    assert archive.db.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 1


def test_upsert_returns_new_ids_once_in_order(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    archive.messages.upsert("t1", [msg("m2", 2)])
    new = archive.messages.upsert("t1", [msg("m3", 3), msg("m1", 1), msg("m2", 2), msg("m3", 3)])
    assert new == ["m1", "m3"]
    assert archive.messages.ids_of("t1") == {"m1", "m2", "m3"}
    assert archive.messages.upsert("t1", []) == []


def test_message_roundtrip_keeps_every_field(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    full = Message(
        id="m1",
        thread_id="t1",
        sender_id="c1",
        created_time=T0 + timedelta(milliseconds=1234),
        text="Bisa COD? 🙏",
        attachments=(
            Attachment("video", "https://v", "https://p", "video/mp4", "a.mp4", 12345),
            Attachment("story_reply", "https://story"),
        ),
        reply_to="m0",
        reactions=(Reaction("c1", "😂"), Reaction(SHOP, "👍")),
        unsupported=True,
        raw={"id": "m1", "nested": {"a": [1, 2]}},
    )
    archive.messages.upsert("t1", [full])
    stored = archive.messages.get("m1")
    assert stored == full
    assert stored is not None and stored.raw == full.raw
    assert archive.messages.get("missing") is None


def test_template_card_roundtrip_preview_and_export(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    card = Attachment(
        "template",
        "https://shop.example/p/1",
        "https://cdn/card.jpg",
        title="Batik shirt",
        subtitle="Rp 150.000",
        buttons=(TemplateButton("Buy now", "https://shop.example/buy"), TemplateButton("Ask")),
    )
    sent = msg("m1", 1, shop=True, attachments=(card, Attachment("template", title="Sarung")))
    archive.messages.upsert("t1", [sent])
    stored = archive.messages.get("m1")
    assert stored == sent
    assert stored is not None and isinstance(stored.attachments[0].buttons[0], TemplateButton)
    row = archive.threads.get("t1")
    assert row is not None
    assert row.last_message_attachment_types == ("template", "template")
    assert row.last_message_card_title == "Batik shirt"
    (record,) = list(archive.export.records())
    assert record["messages"][0]["attachments"][0] == {
        "type": "template",
        "url": "https://shop.example/p/1",
        "image_url": "https://cdn/card.jpg",
        "title": "Batik shirt",
        "subtitle": "Rp 150.000",
        "buttons": [
            {"title": "Buy now", "url": "https://shop.example/buy"},
            {"title": "Ask", "url": ""},
        ],
    }
    archive.messages.upsert("t1", [msg("m2", 2, attachments=(Attachment("image", "u"),))])
    row = archive.threads.get("t1")
    assert row is not None and row.last_message_card_title == ""


def test_mismatched_thread_and_empty_id_are_rejected(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    with pytest.raises(ValueError):
        archive.messages.upsert("t1", [msg("m1", 0, thread="t2")])
    with pytest.raises(ValueError):
        archive.messages.upsert("t1", [msg("", 0)])
    with pytest.raises(ValueError):
        archive.messages.upsert("t1", [Message("m1", "t1", "c1", datetime(2026, 1, 1))])
    assert archive.messages.ids_of("t1") == set()


def test_message_moving_threads_recomputes_both(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    archive.threads.create("t2", "c1", Folder.PRIMARY, T0)
    archive.messages.upsert("t1", [msg("m1", 1), msg("m2", 2)])
    archive.messages.upsert("t2", [msg("m2", 2, thread="")])
    t1, t2 = archive.threads.get("t1"), archive.threads.get("t2")
    assert t1 is not None and t2 is not None
    assert t1.last_message_at == T0 + timedelta(minutes=1)
    assert t2.last_message_at == T0 + timedelta(minutes=2)
    assert archive.messages.ids_of("t2") == {"m2"}


def test_last_at_columns_follow_message_rows(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    archive.messages.upsert("t1", [msg("m1", 1), msg("m2", 5, shop=True)])
    row = archive.threads.get("t1")
    assert row is not None
    assert row.last_message_at == T0 + timedelta(minutes=5)
    assert row.last_customer_message_at == T0 + timedelta(minutes=1)
    assert row.last_shop_message_at == T0 + timedelta(minutes=5)
    assert row.last_message_is_from_shop is True
    # An older customer message arriving late does not move anything backwards.
    archive.messages.upsert("t1", [msg("m0", -30)])
    archive.messages.upsert("t1", [msg("m3", 9, attachments=(Attachment("image", "u"),))])
    row = archive.threads.get("t1")
    assert row is not None
    assert row.last_message_at == T0 + timedelta(minutes=9)
    assert row.last_customer_message_at == T0 + timedelta(minutes=9)
    assert row.last_shop_message_at == T0 + timedelta(minutes=5)
    assert row.last_message_text == ""
    assert row.last_message_attachment_types == ("image",)
    assert row.last_message_is_from_shop is False


def test_messages_order_limit_and_paging(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    # Three photos in the same second, given oldest first, plus messages around them.
    same = [msg(f"p{i}", 2) for i in range(3)]
    archive.messages.upsert("t1", [msg("m5", 5), msg("m1", 1), *same, msg("m3", 3)])
    ids = [m.id for m in archive.messages.of_thread("t1")]
    assert ids == ["m1", "p0", "p1", "p2", "m3", "m5"]
    assert [m.id for m in archive.messages.of_thread("t1", limit=2)] == ["m3", "m5"]
    assert [m.id for m in archive.messages.of_thread("t1", before=T0 + timedelta(minutes=3))] == [
        "m1",
        "p0",
        "p1",
        "p2",
    ]
    page = archive.messages.of_thread("t1", limit=2, before_id="m3")
    assert [m.id for m in page] == ["p1", "p2"]
    page = archive.messages.of_thread("t1", limit=2, before_id=page[0].id)
    assert [m.id for m in page] == ["m1", "p0"]
    assert archive.messages.of_thread("t1", limit=0) == []
    assert archive.messages.of_thread("other") == []


# --- unread ---------------------------------------------------------------------------------


def test_unread_counts_and_mark_read(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    archive.threads.create("t2", "c2", Folder.REQUESTS, T0)
    archive.threads.create("t3", "c3", Folder.DENIED, T0)
    archive.messages.upsert(
        "t1", [msg("a1", 1), msg("a2", 2), msg("a3", 3, shop=True), msg("a4", 4)]
    )
    archive.messages.upsert("t2", [msg("b1", 1, thread="t2")])
    archive.messages.upsert("t3", [msg("c1", 1, thread="t3")])
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 3
    assert archive.threads.unread_counts() == {
        Folder.PRIMARY: 1,
        Folder.GENERAL: 0,
        Folder.REQUESTS: 1,
        Folder.DENIED: 1,
    }
    archive.threads.mark_read("t1", T0 + timedelta(minutes=2))
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 1
    archive.threads.mark_read("t1", T0)  # never moves backwards
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 1
    archive.threads.mark_read("t1")
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 0 and row.read_up_to == T0 + timedelta(minutes=4)
    assert archive.threads.unread_counts()[Folder.PRIMARY] == 0
    archive.messages.upsert("t1", [msg("a5", 6)])
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 1
    archive.messages.upsert("t1", [Message("a5", "t1", "", T0, deleted=True)])  # unsent
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 0
    archive.threads.mark_unread("t1")
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 1
    archive.threads.mark_read("t2")
    assert archive.threads.unread_counts()[Folder.REQUESTS] == 0
    with pytest.raises(UnknownThreadError):
        archive.threads.mark_read("nope")


def test_mark_read_on_empty_thread(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    archive.threads.mark_read("t1")
    archive.threads.mark_unread("t1")
    row = archive.threads.get("t1")
    assert row is not None and row.unread == 0


def test_thread_row_joins_contact_names(archive: Archive) -> None:
    archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
    archive.contacts.upsert(Contact("c1", "budi", "Budi"))
    row = archive.threads.get("t1")
    assert row is not None and (row.contact_username, row.contact_name) == ("budi", "Budi")
