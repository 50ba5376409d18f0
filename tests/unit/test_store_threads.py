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
    assert archive.account() is None
    archive.save_account(Account(SHOP, "tokobaju", "Toko Baju", "https://p", "BUSINESS"))
    archive.save_account(Account(SHOP, "tokobaju2", "Toko Baju"))
    assert archive.account() == Account(SHOP, "tokobaju2", "Toko Baju")
    assert archive._conn.execute("SELECT count(*) FROM account").fetchone()[0] == 1


def test_contact_merge_never_erases_known_values(archive: Archive) -> None:
    archive.upsert_contact(
        Contact("c1", "siti", "Siti Aminah", "https://pic/1", True, False, 120, False),
        raw={"id": "c1", "username": "siti"},
    )
    archive.upsert_contact(Contact("c1"))  # a bare id from a webhook
    archive.upsert_contact(Contact("c1", username="", name="", follows_business=None))
    assert archive.contact("c1") == Contact(
        "c1", "siti", "Siti Aminah", "https://pic/1", True, False, 120, False
    )
    assert archive.contact_raw("c1") == {"id": "c1", "username": "siti"}
    archive.upsert_contact(Contact("c1", username="siti_new", follows_business=False))
    merged = archive.contact("c1")
    assert merged is not None
    assert (merged.username, merged.name, merged.follows_business) == (
        "siti_new",
        "Siti Aminah",
        False,
    )
    assert archive.contact("nobody") is None


def test_contacts_without_profile(archive: Archive, clock: Clock) -> None:
    archive.save_account(Account(SHOP, "shop"))
    archive.upsert_contact(Contact(SHOP))
    archive.create_thread("t-old", "c-old", Folder.PRIMARY, T0)
    archive.create_thread("t-new", "c-new", Folder.REQUESTS, T0 + timedelta(days=1))
    archive.upsert_contact(Contact("c-done"), profile_fetched=True)
    assert archive.contacts_without_profile() == ["c-new", "c-old"]
    archive.upsert_contact(Contact("c-new", username="x"), profile_fetched=True)
    archive.upsert_contact(Contact("c-new"))  # a later bare upsert keeps the fetched mark
    assert archive.contacts_without_profile() == ["c-old"]


# --- threads and folders --------------------------------------------------------------------


def test_create_thread_is_idempotent_and_makes_placeholder_contact(archive: Archive) -> None:
    assert archive.create_thread("t1", "c1", Folder.REQUESTS, T0) is True
    assert archive.create_thread("t1", "c1", Folder.PRIMARY, T0) is False
    row = archive.thread("t1")
    assert row is not None
    assert row.folder is Folder.REQUESTS and row.previous_folder is None
    assert row.updated_time == T0 and row.updated_time.tzinfo is UTC
    assert row.last_message_at is None and row.unread == 0 and not row.history_gap
    assert row.read_up_to == datetime(1970, 1, 1, tzinfo=UTC)
    assert archive.contact("c1") == Contact("c1")
    assert archive.thread("missing") is None


def test_folder_moves_remember_previous(archive: Archive, clock: Clock) -> None:
    archive.create_thread("t1", "c1", Folder.REQUESTS, T0)
    archive.set_folder("t1", Folder.DENIED)
    row = archive.thread("t1")
    assert row is not None
    assert (row.folder, row.previous_folder) == (Folder.DENIED, Folder.REQUESTS)
    assert row.folder_changed_at == clock.now
    archive.set_folder("t1", Folder.DENIED)  # no-op keeps the undo target
    row = archive.thread("t1")
    assert row is not None and row.previous_folder is Folder.REQUESTS
    archive.set_folder("t1", row.previous_folder)  # Undo
    row = archive.thread("t1")
    assert row is not None
    assert (row.folder, row.previous_folder) == (Folder.REQUESTS, Folder.DENIED)
    assert [t.id for t in archive.threads(Folder.REQUESTS)] == ["t1"]
    assert archive.threads(Folder.DENIED) == []
    with pytest.raises(UnknownThreadError):
        archive.set_folder("nope", Folder.PRIMARY)


def test_history_gap_and_updated_time(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    archive.set_history_gap("t1", True)
    archive.set_thread_updated("t1", T0 + timedelta(hours=1))
    row = archive.thread("t1")
    assert row is not None and row.history_gap and row.updated_time == T0 + timedelta(hours=1)
    archive.set_history_gap("t1", False)
    row = archive.thread("t1")
    assert row is not None and not row.history_gap
    with pytest.raises(KeyError):
        archive.set_history_gap("nope", True)


def test_threads_newest_first_by_message_or_update(archive: Archive) -> None:
    archive.create_thread("a", "ca", Folder.PRIMARY, T0)
    archive.create_thread("b", "cb", Folder.PRIMARY, T0 + timedelta(minutes=5))
    archive.create_thread("c", "cc", Folder.GENERAL, T0 + timedelta(minutes=1))
    assert [t.id for t in archive.threads()] == ["b", "c", "a"]
    archive.upsert_messages("a", [msg("m1", 10, thread="a")])
    assert [t.id for t in archive.threads()] == ["a", "b", "c"]
    archive.set_thread_updated("c", T0 + timedelta(minutes=20))
    assert [t.id for t in archive.threads()] == ["c", "a", "b"]
    assert [t.id for t in archive.threads(Folder.PRIMARY)] == ["a", "b"]


# --- messages -------------------------------------------------------------------------------


def test_upsert_is_idempotent_and_applies_mutable_parts(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    original = msg(
        "m1",
        0,
        text="Halo kak, ready?",
        attachments=(Attachment("image", "https://cdn/old.jpg"),),
        raw={"id": "m1", "message": "Halo kak, ready?"},
    )
    assert archive.upsert_messages("t1", [original]) == ["m1"]
    assert archive.upsert_messages("t1", [original]) == []
    refreshed = replace(
        original,
        text="Halo kak, masih ready?",
        attachments=(Attachment("image", "https://cdn/new.jpg"),),
        reactions=(Reaction(SHOP, "❤️"),),
    )
    assert archive.upsert_messages("t1", [refreshed]) == []
    stored = archive.message("m1")
    assert stored is not None
    assert stored.text == "Halo kak, masih ready?"
    assert stored.attachments == (Attachment("image", "https://cdn/new.jpg"),)
    assert stored.reactions == (Reaction(SHOP, "❤️"),)
    assert stored.raw == {"id": "m1", "message": "Halo kak, ready?"}
    # A bare "unsent" event: the customer took the message back, so only a tombstone stays;
    # sender and time are kept.
    marker = Message("m1", "t1", "", T0 + timedelta(hours=5), deleted=True)
    assert archive.upsert_messages("t1", [marker]) == []
    stored = archive.message("m1")
    assert stored is not None
    assert stored.deleted and stored.text == ""
    assert stored.created_time == T0 and stored.sender_id == "c1"
    assert stored.attachments == ()
    assert stored.reactions == ()  # reactions are the full current set
    # Unsent is sticky: a later copy without the flag brings neither the flag nor text back.
    archive.upsert_messages("t1", [refreshed])
    stored = archive.message("m1")
    assert stored is not None and stored.deleted and stored.text == ""
    assert archive._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 1


def test_upsert_returns_new_ids_once_in_order(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    archive.upsert_messages("t1", [msg("m2", 2)])
    new = archive.upsert_messages("t1", [msg("m3", 3), msg("m1", 1), msg("m2", 2), msg("m3", 3)])
    assert new == ["m1", "m3"]
    assert archive.message_ids("t1") == {"m1", "m2", "m3"}
    assert archive.upsert_messages("t1", []) == []


def test_message_roundtrip_keeps_every_field(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
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
    archive.upsert_messages("t1", [full])
    stored = archive.message("m1")
    assert stored == full
    assert stored is not None and stored.raw == full.raw
    assert archive.message("missing") is None


def test_template_card_roundtrip_preview_and_export(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    card = Attachment(
        "template",
        "https://shop.example/p/1",
        "https://cdn/card.jpg",
        title="Batik shirt",
        subtitle="Rp 150.000",
        buttons=(TemplateButton("Buy now", "https://shop.example/buy"), TemplateButton("Ask")),
    )
    sent = msg("m1", 1, shop=True, attachments=(card, Attachment("template", title="Sarung")))
    archive.upsert_messages("t1", [sent])
    stored = archive.message("m1")
    assert stored == sent
    assert stored is not None and isinstance(stored.attachments[0].buttons[0], TemplateButton)
    row = archive.thread("t1")
    assert row is not None
    assert row.last_message_attachment_types == ("template", "template")
    assert row.last_message_card_title == "Batik shirt"
    (record,) = list(archive.iter_export())
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
    archive.upsert_messages("t1", [msg("m2", 2, attachments=(Attachment("image", "u"),))])
    row = archive.thread("t1")
    assert row is not None and row.last_message_card_title == ""


def test_mismatched_thread_and_empty_id_are_rejected(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    with pytest.raises(ValueError):
        archive.upsert_messages("t1", [msg("m1", 0, thread="t2")])
    with pytest.raises(ValueError):
        archive.upsert_messages("t1", [msg("", 0)])
    with pytest.raises(ValueError):
        archive.upsert_messages("t1", [Message("m1", "t1", "c1", datetime(2026, 1, 1))])
    assert archive.message_ids("t1") == set()


def test_message_moving_threads_recomputes_both(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    archive.create_thread("t2", "c1", Folder.PRIMARY, T0)
    archive.upsert_messages("t1", [msg("m1", 1), msg("m2", 2)])
    archive.upsert_messages("t2", [msg("m2", 2, thread="")])
    t1, t2 = archive.thread("t1"), archive.thread("t2")
    assert t1 is not None and t2 is not None
    assert t1.last_message_at == T0 + timedelta(minutes=1)
    assert t2.last_message_at == T0 + timedelta(minutes=2)
    assert archive.message_ids("t2") == {"m2"}


def test_last_at_columns_follow_message_rows(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    archive.upsert_messages("t1", [msg("m1", 1), msg("m2", 5, shop=True)])
    row = archive.thread("t1")
    assert row is not None
    assert row.last_message_at == T0 + timedelta(minutes=5)
    assert row.last_customer_message_at == T0 + timedelta(minutes=1)
    assert row.last_shop_message_at == T0 + timedelta(minutes=5)
    assert row.last_message_is_from_shop is True
    # An older customer message arriving late does not move anything backwards.
    archive.upsert_messages("t1", [msg("m0", -30)])
    archive.upsert_messages("t1", [msg("m3", 9, attachments=(Attachment("image", "u"),))])
    row = archive.thread("t1")
    assert row is not None
    assert row.last_message_at == T0 + timedelta(minutes=9)
    assert row.last_customer_message_at == T0 + timedelta(minutes=9)
    assert row.last_shop_message_at == T0 + timedelta(minutes=5)
    assert row.last_message_text == ""
    assert row.last_message_attachment_types == ("image",)
    assert row.last_message_is_from_shop is False


def test_messages_order_limit_and_paging(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    # Three photos in the same second, given oldest first, plus messages around them.
    same = [msg(f"p{i}", 2) for i in range(3)]
    archive.upsert_messages("t1", [msg("m5", 5), msg("m1", 1), *same, msg("m3", 3)])
    ids = [m.id for m in archive.messages("t1")]
    assert ids == ["m1", "p0", "p1", "p2", "m3", "m5"]
    assert [m.id for m in archive.messages("t1", limit=2)] == ["m3", "m5"]
    assert [m.id for m in archive.messages("t1", before=T0 + timedelta(minutes=3))] == [
        "m1",
        "p0",
        "p1",
        "p2",
    ]
    page = archive.messages("t1", limit=2, before_id="m3")
    assert [m.id for m in page] == ["p1", "p2"]
    page = archive.messages("t1", limit=2, before_id=page[0].id)
    assert [m.id for m in page] == ["m1", "p0"]
    assert archive.messages("t1", limit=0) == []
    assert archive.messages("other") == []


# --- unread ---------------------------------------------------------------------------------


def test_unread_counts_and_mark_read(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    archive.create_thread("t2", "c2", Folder.REQUESTS, T0)
    archive.create_thread("t3", "c3", Folder.DENIED, T0)
    archive.upsert_messages(
        "t1", [msg("a1", 1), msg("a2", 2), msg("a3", 3, shop=True), msg("a4", 4)]
    )
    archive.upsert_messages("t2", [msg("b1", 1, thread="t2")])
    archive.upsert_messages("t3", [msg("c1", 1, thread="t3")])
    row = archive.thread("t1")
    assert row is not None and row.unread == 3
    assert archive.unread_counts() == {
        Folder.PRIMARY: 1,
        Folder.GENERAL: 0,
        Folder.REQUESTS: 1,
        Folder.DENIED: 1,
    }
    archive.mark_read("t1", T0 + timedelta(minutes=2))
    row = archive.thread("t1")
    assert row is not None and row.unread == 1
    archive.mark_read("t1", T0)  # never moves backwards
    row = archive.thread("t1")
    assert row is not None and row.unread == 1
    archive.mark_read("t1")
    row = archive.thread("t1")
    assert row is not None and row.unread == 0 and row.read_up_to == T0 + timedelta(minutes=4)
    assert archive.unread_counts()[Folder.PRIMARY] == 0
    archive.upsert_messages("t1", [msg("a5", 6)])
    row = archive.thread("t1")
    assert row is not None and row.unread == 1
    archive.upsert_messages("t1", [Message("a5", "t1", "", T0, deleted=True)])  # unsent
    row = archive.thread("t1")
    assert row is not None and row.unread == 0
    archive.mark_unread("t1")
    row = archive.thread("t1")
    assert row is not None and row.unread == 1
    archive.mark_read("t2")
    assert archive.unread_counts()[Folder.REQUESTS] == 0
    with pytest.raises(UnknownThreadError):
        archive.mark_read("nope")


def test_mark_read_on_empty_thread(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    archive.mark_read("t1")
    archive.mark_unread("t1")
    row = archive.thread("t1")
    assert row is not None and row.unread == 0


def test_thread_row_joins_contact_names(archive: Archive) -> None:
    archive.create_thread("t1", "c1", Folder.PRIMARY, T0)
    archive.upsert_contact(Contact("c1", "budi", "Budi"))
    row = archive.thread("t1")
    assert row is not None and (row.contact_username, row.contact_name) == ("budi", "Budi")
