"""Messages are numbered in time order (schema v4): search is newest first and stops at its page;
the thread list is read a page at a time; the unread counts use their partial index."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from igdesk.domain import Contact, Folder, Message
from igdesk.store import Archive
from igdesk.store.schema import MIGRATIONS, SEQ_SLOTS, migrate

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def message(thread: str, n: int, minutes: int, text: str, *, shop: bool = False) -> Message:
    return Message(
        id=f"{thread}-{n}",
        thread_id=thread,
        sender_id="shop" if shop else f"c-{thread}",
        created_time=T0 + timedelta(minutes=minutes),
        text=text,
        is_from_shop=shop,
    )


def fill(archive: Archive, threads: int) -> None:
    with archive.transaction():
        for n in range(threads):
            thread = f"t{n:03d}"
            archive.contacts.upsert(Contact(f"c-{thread}", f"user{n}", f"Customer {n}"))
            archive.threads.create(thread, f"c-{thread}", Folder.PRIMARY, T0)
            archive.messages.upsert(thread, [message(thread, 0, n, f"halo kak {n}")])


def test_backfilled_history_is_searched_newest_first(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite3") as archive:
        fill(archive, 1)
        # The newest page first, then older history (as a first sync reads it), then a
        # message of the same second as a stored one.
        archive.messages.upsert("t000", [message("t000", 9, 900, "ongkir ke Bandung")])
        older = [message("t000", k, 10 * k, f"ongkir {k}") for k in range(1, 6)]
        archive.messages.upsert("t000", older)
        archive.messages.upsert("t000", [message("t000", 10, 900, "ongkir lagi")])
        hits = archive.search.find("ongkir")
        assert [hit.message_id for hit in hits] == [
            "t000-10", "t000-9", "t000-5", "t000-4", "t000-3", "t000-2", "t000-1",
        ]  # fmt: skip
        assert [hit.message_id for hit in archive.search.find("ongkir", limit=2)] == [
            "t000-10",
            "t000-9",
        ]
        seqs = dict(archive.db.conn.execute("SELECT id, seq FROM messages").fetchall())
        base = int((T0 + timedelta(minutes=900)).timestamp() * 1000) * SEQ_SLOTS
        assert (seqs["t000-9"], seqs["t000-10"]) == (base, base + 1)
        # Stored again: the number stays.
        archive.messages.upsert("t000", [message("t000", 9, 900, "ongkir ke Bandung ya")])
        assert (
            archive.db.conn.execute("SELECT seq FROM messages WHERE id = 't000-9'").fetchone()[0]
            == base
        )
        assert archive.search.find("bandung ya")[0].message_id == "t000-9"
        assert archive.integrity_check() == []


def test_migration_to_v4_renumbers_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, MIGRATIONS[:3])
    conn.execute("INSERT INTO contacts (id, updated_at) VALUES ('c', 0)")
    conn.execute(
        "INSERT INTO threads (id, contact_id, folder, updated_time, created_at)"
        " VALUES ('t', 'c', 'primary', 0, 0)"
    )
    times = [5_000, 1_000, 3_000, 3_000, 2_000]  # stored out of time order, as v3 allowed
    for seq, created in enumerate(times, start=1):
        conn.execute(
            "INSERT INTO messages (seq, id, thread_id, created_time, text, first_seen_at)"
            " VALUES (?, ?, 't', ?, ?, 0)",
            (seq, f"m{seq}", created, f"kirim paket {seq}"),
        )
    conn.execute("UPDATE threads SET preview_seq = 1")  # the newest message, m1
    conn.close()

    with Archive.open(path) as archive:
        conn2 = archive.db.conn
        ordered = [row[0] for row in conn2.execute("SELECT id FROM messages ORDER BY seq")]
        assert ordered == ["m2", "m5", "m3", "m4", "m1"]
        seq_m3, seq_m4 = (
            conn2.execute("SELECT seq FROM messages WHERE id = ?", (mid,)).fetchone()[0]
            for mid in ("m3", "m4")
        )
        assert (seq_m3, seq_m4) == (3_000 * SEQ_SLOTS, 3_000 * SEQ_SLOTS + 1)
        thread = archive.threads.get("t")
        assert thread is not None and thread.last_message_text == "kirim paket 1"
        hits = archive.search.find("paket")
        assert [hit.message_id for hit in hits] == ["m1", "m4", "m3", "m5", "m2"]
        # The update trigger is back: an edit is searchable under its new words.
        conn2.execute("UPDATE messages SET text = 'sudah sampai' WHERE id = 'm5'")
        assert [hit.message_id for hit in archive.search.find("sampai")] == ["m5"]
        assert archive.integrity_check() == []


def test_thread_pages_follow_the_full_order(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite3") as archive:
        fill(archive, 25)
        archive.threads.set_folder("t003", Folder.GENERAL)
        everything = [row.id for row in archive.threads.newest_first(Folder.PRIMARY)]
        assert len(everything) == 24 and "t003" not in everything
        paged: list[str] = []
        after = None
        while True:
            page = archive.threads.newest_first(Folder.PRIMARY, after=after, limit=7)
            paged += [row.id for row in page]
            if len(page) < 7:
                break
            after = (page[-1].last_message_at or page[-1].updated_time, page[-1].id)
        assert paged == everything
        found = archive.threads.with_ids(["t001", "t003", "nope", "t001"])
        assert sorted(row.id for row in found) == ["t001", "t003"]


def test_unread_counts_stay_exact(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite3") as archive:
        fill(archive, 4)
        archive.threads.set_folder("t002", Folder.REQUESTS)
        assert archive.threads.unread_counts()[Folder.PRIMARY] == 3
        archive.threads.mark_read("t000")
        archive.threads.mark_read("t002")
        counts = archive.threads.unread_counts()
        assert (counts[Folder.PRIMARY], counts[Folder.REQUESTS]) == (2, 0)
        archive.threads.mark_unread("t000")
        archive.messages.upsert("t001", [message("t001", 1, 99, "thanks", shop=True)])
        archive.threads.mark_read("t001")
        # The customer's newest message was unsent: nothing unread, though it is after the mark.
        archive.messages.upsert("t003", [message("t003", 1, 50, "oops")])
        archive.threads.mark_read("t003", T0 + timedelta(minutes=10))
        archive.messages.upsert("t003", [Message("t003-0", "t003", "", T0, deleted=True)])
        archive.messages.upsert(
            "t003", [Message("t003-1", "t003", "", T0 + timedelta(minutes=50), deleted=True)]
        )
        counts = archive.threads.unread_counts()
        assert (counts[Folder.PRIMARY], counts[Folder.REQUESTS]) == (1, 0)
        plan = " ".join(
            str(row[3])
            for row in archive.db.conn.execute(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM threads AS t"
                " WHERE t.last_customer_message_at > t.read_up_to"
            )
        )
        assert "threads_unread" in plan


def test_threads_whose_customer_wrote_since(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite3") as archive:
        fill(archive, 6)  # customer messages at T0 + n minutes
        archive.messages.upsert("t005", [message("t005", 1, 90, "ok", shop=True)])
        since = T0 + timedelta(minutes=3)
        rows = archive.threads.newest_first(customer_since=since)
        assert [row.id for row in rows] == ["t005", "t004", "t003"]


def test_a_millisecond_with_more_messages_than_slots_never_clashes(tmp_path: Path) -> None:
    """Over SEQ_SLOTS messages in one millisecond (never seen from Instagram, but possible in
    a generated archive): the migration and new messages put the rest after every number in
    use, instead of onto the next millisecond's numbers (which failed the whole migration)."""
    path = tmp_path / "crowded.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, MIGRATIONS[:3])
    conn.execute("INSERT INTO contacts (id, updated_at) VALUES ('c', 0)")
    conn.execute(
        "INSERT INTO threads (id, contact_id, folder, updated_time, created_at)"
        " VALUES ('t', 'c', 'primary', 0, 0)"
    )
    crowded = int(T0.timestamp() * 1000)
    for n in range(SEQ_SLOTS + 3):
        conn.execute(
            "INSERT INTO messages (id, thread_id, created_time, text, first_seen_at)"
            " VALUES (?, 't', ?, 'ramai', 0)",
            (f"m{n}", crowded),
        )
    conn.execute(
        "INSERT INTO messages (id, thread_id, created_time, text, first_seen_at)"
        " VALUES ('next', 't', ?, 'sesudahnya', 0)",
        (crowded + 1,),
    )
    conn.close()

    with Archive.open(path) as archive:  # migrated to v4
        seqs = dict(archive.db.conn.execute("SELECT id, seq FROM messages").fetchall())
        assert len(set(seqs.values())) == SEQ_SLOTS + 4
        assert seqs["next"] == (crowded + 1) * SEQ_SLOTS
        late = [message("t", n, 0, "ramai lagi") for n in range(2)]  # the same millisecond
        archive.messages.upsert("t", late)  # its slots are all taken
        stored = dict(archive.db.conn.execute("SELECT id, seq FROM messages").fetchall())
        assert len(set(stored.values())) == SEQ_SLOTS + 6
        assert len(archive.search.find("ramai", limit=10)) == 10
        assert archive.integrity_check() == []
