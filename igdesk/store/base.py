"""The connection core shared by the archive's query mixins: transactions, clock, JSON helpers."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from igdesk.store.errors import UnknownThreadError
from igdesk.store.timeconv import to_ms


def dump_json(value: Any) -> str:
    """Compact, stable JSON; text stays readable UTF-8. Odd values (datetimes) become strings."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """Split `items` to stay under SQLite's bound-parameter limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ArchiveBase:
    """State and transaction handling; the query mixins build on this.

    The connection is in autocommit mode (`isolation_level=None`): every transaction is
    explicit, through `transaction()`, so nothing is ever committed half-way by accident.
    """

    path: Path
    _conn: sqlite3.Connection
    _depth: int
    _clock: Callable[[], datetime]

    def check_writable(self) -> None:
        """Raise when the file can no longer take writes (the Archive class checks the disk)."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block atomically: all of it is committed, or none of it.

        Nestable: an inner block becomes a SAVEPOINT, so its failure undoes only that block
        when the caller catches the error. The outermost block takes the write lock up front
        (BEGIN IMMEDIATE), which avoids lock-upgrade deadlocks with another process.
        """
        conn = self._conn
        if self._depth == 0:
            self.check_writable()
            conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
        else:
            name = f"igdesk_sp{self._depth}"
            conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            else:
                conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1

    @contextmanager
    def _durable_transaction(self) -> Iterator[None]:
        """A transaction whose commit is fsynced (synchronous=FULL): for the outbox.

        Inside an outer transaction the outer commit decides, so this is a plain savepoint.
        """
        if self._depth:
            with self.transaction():
                yield
            return
        self._conn.execute("PRAGMA synchronous = FULL")
        try:
            with self.transaction():
                yield
        finally:
            self._conn.execute("PRAGMA synchronous = NORMAL")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def _now_ms(self) -> int:
        return to_ms(self._clock())

    def _require_thread(self, thread_id: str) -> None:
        row = self._conn.execute("SELECT 1 FROM threads WHERE id = ?", (thread_id,)).fetchone()
        if row is None:
            raise UnknownThreadError(thread_id)

    def _ensure_contact(self, contact_id: str) -> None:
        """A placeholder row so a thread can point at a contact whose profile is not known yet."""
        self._conn.execute(
            "INSERT OR IGNORE INTO contacts (id, updated_at) VALUES (?, ?)",
            (contact_id, self._now_ms()),
        )
