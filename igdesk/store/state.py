"""Sync state (small key/value facts such as cursors and last-poll times) and webhook dedupe."""

from __future__ import annotations

from datetime import datetime

from igdesk.store.db import Db
from igdesk.store.timeconv import to_ms


class SyncState:
    """Small key/value facts the sync and the window keep: `archive.state`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        row = self._db.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def with_prefix(self, prefix: str) -> dict[str, str]:
        """Every state whose key starts with `prefix` (a per-thread fact, say), by key."""
        rows = self._db.conn.execute(
            "SELECT key, value FROM sync_state WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return {str(row["key"]): str(row["value"]) for row in rows}

    def set(self, key: str, value: str) -> None:
        with self._db.transaction():
            self._db.conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete(self, key: str) -> None:
        with self._db.transaction():
            self._db.conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))


class WebhookIds:
    """The webhook event ids already applied, so a redelivery is not applied twice:
    `archive.webhook_ids`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def remember(self, mid: str) -> bool:
        """Record a webhook event id; True if it is new, False if it was seen before.

        Meta retries deliveries for up to 36 hours, so a duplicate is normal, not an error.
        """
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT OR IGNORE INTO seen_webhook_ids (mid, seen_at) VALUES (?, ?)",
                (mid, self._db.now_ms()),
            )
        return cursor.rowcount == 1

    def forget_before(self, seen_before: datetime) -> int:
        """Drop ids recorded before `seen_before` (keep well over 36 h); returns how many."""
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "DELETE FROM seen_webhook_ids WHERE seen_at < ?", (to_ms(seen_before),)
            )
        return cursor.rowcount
