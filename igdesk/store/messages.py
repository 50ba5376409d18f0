"""Messages: idempotent upsert by message id, reads in thread order, and the thread's last_*_at.

Merge rules when a message id is stored again (polling and webhooks may deliver the same message
several times, in any order, each with part of the picture):

* created_time is kept from the first sighting (message times never change);
* sender_id / is_from_shop are replaced only when the new copy names a sender;
* text, attachments, reply_to and raw are replaced only by non-empty values (an edit or a
  refreshed attachment URL wins; a bare event never erases what is known);
* reactions are replaced: each copy carries the full current set;
* deleted is sticky (an unsent message cannot come back) and clears the text and attachments:
  the customer took the message back, as Instagram shows it, so igdesk keeps only a tombstone;
* unsupported follows the newest copy;
* a message given under another thread id moves there (both threads are recomputed).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from igdesk.domain import Attachment, Message, Reaction, TemplateButton
from igdesk.store.db import Db, chunks, dump_json
from igdesk.store.schema import SEQ_SLOTS
from igdesk.store.timeconv import from_ms, to_ms

_MESSAGE_COLUMNS = (
    "id, thread_id, sender_id, created_time, text, is_from_shop, deleted, unsupported,"
    " reply_to, attachments, reactions, raw"
)

_UPSERT_MESSAGE = """
INSERT INTO messages (seq, id, thread_id, sender_id, created_time, text, is_from_shop, deleted,
                      unsupported, reply_to, attachments, reactions, raw, first_seen_at)
VALUES ((SELECT CASE WHEN max(seq) IS NULL THEN ?1
                     WHEN max(seq) < ?1 + ?2 - 1 THEN max(seq) + 1
                     ELSE (SELECT max(seq) + 1 FROM messages) END
         FROM messages WHERE seq BETWEEN ?1 AND ?1 + ?2 - 1),
        ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
ON CONFLICT (id) DO UPDATE SET
    thread_id = excluded.thread_id,
    is_from_shop = CASE WHEN excluded.sender_id <> '' THEN excluded.is_from_shop
                        ELSE is_from_shop END,
    sender_id = CASE WHEN excluded.sender_id <> '' THEN excluded.sender_id ELSE sender_id END,
    text = CASE WHEN max(deleted, excluded.deleted) = 1 THEN ''
                WHEN excluded.text <> '' THEN excluded.text ELSE text END,
    deleted = max(deleted, excluded.deleted),
    unsupported = excluded.unsupported,
    reply_to = coalesce(excluded.reply_to, reply_to),
    attachments = CASE WHEN max(deleted, excluded.deleted) = 1 THEN '[]'
                       WHEN excluded.attachments <> '[]' THEN excluded.attachments
                       ELSE attachments END,
    reactions = excluded.reactions,
    raw = CASE WHEN excluded.raw <> '{}' THEN excluded.raw ELSE raw END
"""

_REFRESH_THREAD = """
UPDATE threads SET
    last_message_at = (SELECT max(created_time) FROM messages WHERE thread_id = :t),
    last_customer_message_at = (SELECT max(created_time) FROM messages
                                WHERE thread_id = :t AND is_from_shop = 0),
    last_shop_message_at = (SELECT max(created_time) FROM messages
                            WHERE thread_id = :t AND is_from_shop = 1),
    preview_seq = (SELECT seq FROM messages WHERE thread_id = :t AND deleted = 0
                   ORDER BY created_time DESC, seq DESC LIMIT 1)
WHERE id = :t
"""


def _attachments_json(attachments: tuple[Attachment, ...]) -> str:
    return dump_json([asdict(item) for item in attachments]) if attachments else "[]"


def _reactions_json(reactions: tuple[Reaction, ...]) -> str:
    return dump_json([asdict(item) for item in reactions]) if reactions else "[]"


def _attachment(data: dict[str, Any]) -> Attachment:
    # Keys missing from rows written before a field existed take the field's default.
    return Attachment(
        type=str(data.get("type", "")),
        url=str(data.get("url", "")),
        preview_url=str(data.get("preview_url", "")),
        mime_type=str(data.get("mime_type", "")),
        name=str(data.get("name", "")),
        size=data.get("size"),
        title=str(data.get("title", "")),
        subtitle=str(data.get("subtitle", "")),
        buttons=tuple(
            TemplateButton(str(item.get("title", "")), str(item.get("url", "")))
            for item in data.get("buttons") or ()
            if isinstance(item, dict)
        ),
    )


def _load_list(text: str) -> list[Any]:
    value = json.loads(text) if text != "[]" else []
    return value if isinstance(value, list) else []


def message_from_row(row: sqlite3.Row) -> Message:
    """A Message from a row selected with _MESSAGE_COLUMNS (unpacked by position: faster)."""
    (
        message_id,
        thread_id,
        sender_id,
        created_time,
        text,
        is_from_shop,
        deleted,
        unsupported,
        reply_to,
        attachments,
        reactions,
        raw_text,
    ) = row
    raw = json.loads(raw_text) if raw_text != "{}" else {}
    return Message(
        id=message_id,
        thread_id=thread_id,
        sender_id=sender_id,
        created_time=from_ms(created_time),
        text=text,
        attachments=tuple(_attachment(item) for item in _load_list(attachments)),
        reply_to=reply_to,
        reactions=tuple(
            Reaction(user_id=str(item["user_id"]), emoji=str(item["emoji"]))
            for item in _load_list(reactions)
        ),
        is_from_shop=bool(is_from_shop),
        deleted=bool(deleted),
        unsupported=bool(unsupported),
        raw=raw if isinstance(raw, dict) else {},
    )


class Messages:
    """Message rows of threads: `archive.messages`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def upsert(self, thread_id: str, messages: Iterable[Message]) -> list[str]:
        """Store messages of one thread atomically; return the ids that were new, in order.

        Idempotent by message id (see the module docstring for how copies merge). Messages are
        stored oldest first; messages with the same created_time keep the order given, so pass
        them oldest first. The thread's last_message_at, last_customer_message_at and
        last_shop_message_at are recomputed from the stored rows.
        """
        keyed: list[tuple[int, Message]] = []
        for message in messages:
            if not message.id:
                raise ValueError("a message needs an id")
            if message.thread_id and message.thread_id != thread_id:
                raise ValueError("message given for a thread other than its own thread_id")
            keyed.append((to_ms(message.created_time), message))
        keyed.sort(key=lambda pair: pair[0])  # stable: equal times keep the order given
        conn = self._db.conn
        with self._db.transaction():
            self._db.require_thread(thread_id)
            if not keyed:
                return []
            ids = list(dict.fromkeys(m.id for _, m in keyed))
            stored = self._thread_ids(ids)
            now = self._db.now_ms()
            conn.executemany(
                _UPSERT_MESSAGE, [_message_params(thread_id, c, m, now) for c, m in keyed]
            )
            for affected in {thread_id, *stored.values()}:
                conn.execute(_REFRESH_THREAD, {"t": affected})
        return [mid for mid in ids if mid not in stored]

    def of_thread(
        self,
        thread_id: str,
        *,
        limit: int | None = None,
        before: datetime | None = None,
        before_id: str | None = None,
    ) -> list[Message]:
        """Messages of a thread, oldest first.

        With `limit`, the newest `limit` of them. `before` keeps messages created strictly
        earlier; `before_id` keeps messages ordered before that message (safe for paging when
        several messages share one timestamp, which Graph's one-second times make common).
        """
        where = ["thread_id = ?"]
        params: list[Any] = [thread_id]
        if before is not None:
            where.append("created_time < ?")
            params.append(to_ms(before))
        if before_id is not None:
            where.append(
                "(created_time, seq) < (SELECT created_time, seq FROM messages WHERE id = ?)"
            )
            params.append(before_id)
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {' AND '.join(where)}"
        conn = self._db.conn
        if limit is None:
            rows = conn.execute(sql + " ORDER BY created_time, seq", params).fetchall()
        else:
            rows = conn.execute(
                sql + " ORDER BY created_time DESC, seq DESC LIMIT ?", [*params, max(limit, 0)]
            ).fetchall()
            rows.reverse()
        return [message_from_row(row) for row in rows]

    def get(self, message_id: str) -> Message | None:
        row = self._db.conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        return None if row is None else message_from_row(row)

    def ids_of(self, thread_id: str) -> set[str]:
        """The ids of every stored message of a thread."""
        rows = self._db.conn.execute("SELECT id FROM messages WHERE thread_id = ?", (thread_id,))
        return {row["id"] for row in rows}

    def _thread_ids(self, ids: list[str]) -> dict[str, str]:
        """The thread of each of these message ids that is stored already."""
        stored: dict[str, str] = {}
        for part in chunks(ids):
            marks = ",".join("?" * len(part))
            for row in self._db.conn.execute(
                f"SELECT id, thread_id FROM messages WHERE id IN ({marks})", part
            ):
                stored[row["id"]] = row["thread_id"]
        return stored


def _message_params(thread_id: str, created: int, m: Message, now: int) -> tuple[object, ...]:
    """The bound values of _UPSERT_MESSAGE for one message (its seq: the first free one of
    its millisecond, so seq order is time order; kept when the message is stored again)."""
    return (
        created * SEQ_SLOTS,
        SEQ_SLOTS,
        m.id,
        thread_id,
        m.sender_id,
        created,
        m.text,
        int(m.is_from_shop),
        int(m.deleted),
        int(m.unsupported),
        m.reply_to,
        _attachments_json(m.attachments),
        _reactions_json(m.reactions),
        dump_json(m.raw) if m.raw else "{}",
        now,
    )
