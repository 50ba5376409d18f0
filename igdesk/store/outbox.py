"""Outbox (replies written down before they are sent) and per-thread drafts.

Every outbox write is fsynced (synchronous=FULL) when it is its own transaction: a reply the
owner pressed Send on must survive a power cut, not only a crash.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from igdesk.store.db import Db, dump_json
from igdesk.store.timeconv import from_ms


class OutboxState(StrEnum):
    """Lifecycle of an outbox entry: pending → sending → sent | failed | unknown.

    `unknown`: the request may have reached Meta (timeout, dropped connection); the Send API
    has no idempotency key, so it must be reconciled against the conversation, never resent
    blindly.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    thread_id: str
    recipient_id: str
    kind: str  # "text", "attachment", "reaction", ... (the sync layer's vocabulary)
    body: dict[str, Any]
    state: OutboxState
    message_id: str | None  # mid the Send API answered with
    error: str | None  # why the last attempt failed (for the log and the owner)
    attempts: int  # times the entry went to `sending`
    created_at: datetime
    updated_at: datetime


def _entry_from_row(row: sqlite3.Row) -> OutboxEntry:
    body = json.loads(row["body"])
    return OutboxEntry(
        id=row["id"],
        thread_id=row["thread_id"],
        recipient_id=row["recipient_id"],
        kind=row["kind"],
        body=body if isinstance(body, dict) else {},
        state=OutboxState(row["state"]),
        message_id=row["message_id"],
        error=row["error"],
        attempts=row["attempts"],
        created_at=from_ms(row["created_at"]),
        updated_at=from_ms(row["updated_at"]),
    )


class Outbox:
    """Replies written down before they are sent, and their fate: `archive.outbox`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def add(self, thread_id: str, recipient_id: str, kind: str, body: dict[str, Any]) -> int:
        """Queue a send in state `pending`; returns the entry id."""
        now = self._db.now_ms()
        with self._db.durable_transaction():
            self._db.require_thread(thread_id)
            cursor = self._db.conn.execute(
                "INSERT INTO outbox (thread_id, recipient_id, kind, body, state, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    thread_id,
                    recipient_id,
                    kind,
                    dump_json(body),
                    OutboxState.PENDING.value,
                    now,
                    now,
                ),
            )
            entry_id = cursor.lastrowid
        assert entry_id is not None
        return entry_id

    def entries(
        self, *, states: Collection[str] | None = None, thread_id: str | None = None
    ) -> list[OutboxEntry]:
        """Entries, oldest first, optionally only in `states` and/or of one thread."""
        where: list[str] = []
        params: list[Any] = []
        if states is not None:
            wanted = [OutboxState(state).value for state in states]
            if not wanted:
                return []
            where.append(f"state IN ({','.join('?' * len(wanted))})")
            params.extend(wanted)
        if thread_id is not None:
            where.append("thread_id = ?")
            params.append(thread_id)
        sql = "SELECT * FROM outbox"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._db.conn.execute(sql + " ORDER BY id", params).fetchall()
        return [_entry_from_row(row) for row in rows]

    def get(self, entry_id: int) -> OutboxEntry | None:
        row = self._db.conn.execute("SELECT * FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry_from_row(row)

    def update(
        self,
        entry_id: int,
        *,
        state: str,
        message_id: str | None = None,
        error: str | None = None,
    ) -> None:
        """Move an entry to `state`.

        `message_id` None keeps a known mid (it is a fact about Meta's side); `error` is the
        error of this state, so None clears it. Entering `sending` counts an attempt.
        """
        new_state = OutboxState(state)
        with self._db.durable_transaction():
            cursor = self._db.conn.execute(
                "UPDATE outbox SET state = ?, message_id = coalesce(?, message_id), error = ?,"
                " attempts = attempts + ?, updated_at = ? WHERE id = ?",
                (
                    new_state.value,
                    message_id,
                    error,
                    int(new_state is OutboxState.SENDING),
                    self._db.now_ms(),
                    entry_id,
                ),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no outbox entry {entry_id}")

    def delete(self, entry_id: int) -> None:
        """Remove an entry (sent and reconciled, or cancelled); unknown ids are ignored."""
        with self._db.durable_transaction():
            self._db.conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))


class Drafts:
    """What the composer held for each thread, kept across restarts: `archive.drafts`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def save(self, thread_id: str, text: str) -> None:
        """Keep the composer's text of a thread; "" deletes the draft."""
        conn = self._db.conn
        with self._db.transaction():
            if not text:
                conn.execute("DELETE FROM drafts WHERE thread_id = ?", (thread_id,))
                return
            self._db.require_thread(thread_id)
            conn.execute(
                "INSERT INTO drafts (thread_id, text, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (thread_id) DO UPDATE SET text = excluded.text,"
                " updated_at = excluded.updated_at",
                (thread_id, text, self._db.now_ms()),
            )

    def get(self, thread_id: str) -> str:
        row = self._db.conn.execute(
            "SELECT text FROM drafts WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        return "" if row is None else str(row["text"])
