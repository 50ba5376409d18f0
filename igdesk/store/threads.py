"""Threads: folder, read state and the history-gap mark; the thread list with unread counts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from igdesk.domain import Folder
from igdesk.store.db import Db, chunks
from igdesk.store.errors import UnknownThreadError
from igdesk.store.timeconv import from_ms, opt_from_ms, to_ms


@dataclass(frozen=True)
class ThreadRow:
    """One conversation as the archive holds it (the contact's names joined in)."""

    id: str
    contact_id: str
    folder: Folder
    previous_folder: Folder | None  # folder before the last move: Undo, restoring a denied one
    updated_time: datetime  # the API's updated_time of the conversation
    last_message_at: datetime | None
    last_customer_message_at: datetime | None  # drives the messaging window
    last_shop_message_at: datetime | None
    unread: int  # customer messages (not unsent) created after read_up_to
    history_gap: bool  # messages before the oldest stored one may be missing
    read_up_to: datetime
    created_at: datetime  # when igdesk first stored the thread
    folder_changed_at: datetime | None
    contact_username: str
    contact_name: str
    # Preview of the newest message that was not unsent ("" / () / None when there is none).
    last_message_text: str
    last_message_attachment_types: tuple[str, ...]
    last_message_is_from_shop: bool | None
    last_message_card_title: str = ""  # title of its first template card, if it has one
    contact_picture: str = ""  # the customer's profile picture URL ("" when unknown)


# The unread count is a correlated count over the messages_thread_party index: always exact,
# no counter to keep in step. preview_seq points at the newest message not unsent; it is
# recomputed with last_*_at whenever the thread's messages change (messages.py).
_THREAD_SELECT = """
SELECT t.id, t.contact_id, t.folder, t.previous_folder, t.updated_time, t.last_message_at,
       t.last_customer_message_at, t.last_shop_message_at, t.read_up_to, t.history_gap,
       t.created_at, t.folder_changed_at,
       c.username AS contact_username, c.name AS contact_name, c.profile_pic AS contact_picture,
       (SELECT count(*) FROM messages AS u
         WHERE u.thread_id = t.id AND u.is_from_shop = 0 AND u.deleted = 0
           AND u.created_time > t.read_up_to) AS unread,
       lm.text AS lm_text, lm.attachments AS lm_attachments, lm.is_from_shop AS lm_from_shop
FROM threads AS t
JOIN contacts AS c ON c.id = t.contact_id
LEFT JOIN messages AS lm ON lm.seq = t.preview_seq
"""

# The first term matches the threads_unread partial index: only threads whose newest customer
# message is after the read mark are probed (exact all the same: unsent ones are checked).
_UNREAD_EXISTS = """
t.last_customer_message_at > t.read_up_to AND EXISTS (SELECT 1 FROM messages AS u
        WHERE u.thread_id = t.id AND u.is_from_shop = 0 AND u.deleted = 0
          AND u.created_time > t.read_up_to)
"""


def _attachment_summary(raw: str | None) -> tuple[tuple[str, ...], str]:
    """(types of the attachments, title of the first template card or "") of stored JSON."""
    if not raw or raw == "[]":
        return (), ""
    items = [item for item in json.loads(raw) if isinstance(item, dict)]
    title = next((str(i.get("title", "")) for i in items if i.get("type") == "template"), "")
    return tuple(str(item.get("type", "")) for item in items), title


def _thread_from_row(row: sqlite3.Row) -> ThreadRow:
    # Positional unpacking (in _THREAD_SELECT's order): by-name access costs a third of the
    # time of threads() over thousands of rows.
    (
        thread_id,
        contact_id,
        folder,
        previous,
        updated_time,
        last_message_at,
        last_customer_at,
        last_shop_at,
        read_up_to,
        history_gap,
        created_at,
        folder_changed_at,
        username,
        name,
        picture,
        unread,
        lm_text,
        lm_attachments,
        lm_from_shop,
    ) = row
    attachment_types, card_title = _attachment_summary(lm_attachments)
    return ThreadRow(
        id=thread_id,
        contact_id=contact_id,
        folder=Folder(folder),
        previous_folder=None if previous is None else Folder(previous),
        updated_time=from_ms(updated_time),
        last_message_at=opt_from_ms(last_message_at),
        last_customer_message_at=opt_from_ms(last_customer_at),
        last_shop_message_at=opt_from_ms(last_shop_at),
        unread=unread,
        history_gap=bool(history_gap),
        read_up_to=from_ms(read_up_to),
        created_at=from_ms(created_at),
        folder_changed_at=opt_from_ms(folder_changed_at),
        contact_username=username,
        contact_name=name,
        last_message_text=lm_text or "",
        last_message_attachment_types=attachment_types,
        last_message_is_from_shop=None if lm_from_shop is None else bool(lm_from_shop),
        last_message_card_title=card_title,
        contact_picture=picture,
    )


class Threads:
    """Thread rows and their local state (folder, read mark, history gap): `archive.threads`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def get(self, thread_id: str) -> ThreadRow | None:
        row = self._db.conn.execute(_THREAD_SELECT + " WHERE t.id = ?", (thread_id,)).fetchone()
        return None if row is None else _thread_from_row(row)

    def of_contact(self, contact_id: str) -> str | None:
        """The id of this customer's thread (the most recently active one), None if none."""
        row = self._db.conn.execute(
            "SELECT id FROM threads WHERE contact_id = ? ORDER BY sort_at DESC, id DESC LIMIT 1",
            (contact_id,),
        ).fetchone()
        return None if row is None else str(row["id"])

    def newest_first(
        self,
        folder: Folder | None = None,
        *,
        after: tuple[datetime, str] | None = None,
        limit: int | None = None,
        customer_since: datetime | None = None,
    ) -> list[ThreadRow]:
        """Threads of a folder (every thread when None), newest first (by the later of the
        last message and updated_time).

        A page at a time: `after` is the (sort time, id) of the last row of the previous page,
        and at most `limit` rows come back. The order is that of the (folder, sort_at, id)
        index, so a page reads only its own rows however many threads there are.
        `customer_since` keeps threads whose customer wrote at or after that time.
        """
        conditions: list[str] = []
        params: list[object] = []
        if folder is not None:
            conditions.append("t.folder = ?")
            params.append(Folder(folder).value)
        if customer_since is not None:
            conditions.append("t.last_customer_message_at >= ?")
            params.append(to_ms(customer_since))
        if after is not None:
            sort_ms = to_ms(after[0])
            conditions.append("(t.sort_at < ? OR (t.sort_at = ? AND t.id < ?))")
            params += [sort_ms, sort_ms, after[1]]
        sql = _THREAD_SELECT
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += " ORDER BY t.sort_at DESC, t.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_thread_from_row(row) for row in self._db.conn.execute(sql, params)]

    def with_ids(self, thread_ids: Iterable[str]) -> list[ThreadRow]:
        """The stored threads among these ids, in no particular order."""
        found: list[ThreadRow] = []
        for batch in chunks(list(dict.fromkeys(thread_ids))):
            marks = ",".join("?" * len(batch))
            rows = self._db.conn.execute(_THREAD_SELECT + f" WHERE t.id IN ({marks})", batch)
            found.extend(_thread_from_row(row) for row in rows)
        return found

    def create(
        self, thread_id: str, contact_id: str, folder: Folder, updated_time: datetime
    ) -> bool:
        """Store a new thread (read mark at 0: everything the customer wrote is unread).

        Idempotent: if the thread exists nothing changes and False is returned. A placeholder
        contact row is created when the contact is not known yet, so the thread can point at
        a customer whose profile is not read yet.
        """
        if not thread_id or not contact_id:
            raise ValueError("a thread needs an id and a contact id")
        folder = Folder(folder)
        conn = self._db.conn
        with self._db.transaction():
            if conn.execute("SELECT 1 FROM threads WHERE id = ?", (thread_id,)).fetchone():
                return False
            now = self._db.now_ms()
            conn.execute(
                "INSERT OR IGNORE INTO contacts (id, updated_at) VALUES (?, ?)", (contact_id, now)
            )
            conn.execute(
                "INSERT INTO threads (id, contact_id, folder, updated_time, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (thread_id, contact_id, folder.value, to_ms(updated_time), now),
            )
        return True

    def set_updated(self, thread_id: str, updated_time: datetime) -> None:
        self._update(thread_id, "updated_time = ?", (to_ms(updated_time),))

    def set_folder(self, thread_id: str, folder: Folder) -> None:
        """Move a thread; the folder it leaves is remembered as previous_folder (for Undo)."""
        folder = Folder(folder)
        conn = self._db.conn
        with self._db.transaction():
            row = conn.execute("SELECT folder FROM threads WHERE id = ?", (thread_id,)).fetchone()
            if row is None:
                raise UnknownThreadError(thread_id)
            if row["folder"] == folder.value:
                return
            conn.execute(
                "UPDATE threads SET previous_folder = folder, folder = ?, folder_changed_at = ?"
                " WHERE id = ?",
                (folder.value, self._db.now_ms(), thread_id),
            )

    def set_history_gap(self, thread_id: str, gap: bool) -> None:
        self._update(thread_id, "history_gap = ?", (int(gap),))

    def mark_read(self, thread_id: str, up_to: datetime | None = None) -> None:
        """Mark messages up to `up_to` (None: the newest stored message) as read.

        The read mark only moves forward, so events applied out of order cannot make read
        messages unread again; `mark_unread` is the explicit way back.
        """
        if up_to is None:
            self._update(
                thread_id,
                "read_up_to = max(read_up_to, coalesce("
                "(SELECT max(created_time) FROM messages WHERE thread_id = threads.id), 0))",
                (),
            )
        else:
            self._update(thread_id, "read_up_to = max(read_up_to, ?)", (to_ms(up_to),))

    def mark_unread(self, thread_id: str) -> None:
        """Make the newest customer message unread again (the owner's "Mark as unread")."""
        self._update(
            thread_id,
            "read_up_to = coalesce((SELECT max(created_time) - 1 FROM messages"
            " WHERE thread_id = threads.id AND is_from_shop = 0 AND deleted = 0), read_up_to)",
            (),
        )

    def unread_counts(self) -> dict[Folder, int]:
        """Number of threads with unread messages, per folder (every folder present)."""
        counts = dict.fromkeys(Folder, 0)
        rows = self._db.conn.execute(
            f"SELECT t.folder, count(*) AS n FROM threads AS t WHERE {_UNREAD_EXISTS}"
            " GROUP BY t.folder"
        )
        for row in rows:
            counts[Folder(row["folder"])] = row["n"]
        return counts

    def _update(self, thread_id: str, assignments: str, params: tuple[object, ...]) -> None:
        # `assignments` is always a constant of this module, never caller input.
        with self._db.transaction():
            cursor = self._db.conn.execute(
                f"UPDATE threads SET {assignments} WHERE id = ?", (*params, thread_id)
            )
            if cursor.rowcount == 0:
                raise UnknownThreadError(thread_id)
