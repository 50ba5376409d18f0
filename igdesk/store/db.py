"""`Db`: the one SQLite connection an Archive's parts share, with its transactions and clock."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from igdesk.store.errors import (
    ArchiveGoneError,
    ArchiveReadOnlyError,
    UnknownThreadError,
)
from igdesk.store.timeconv import to_ms


def dump_json(value: Any) -> str:
    """Compact, stable JSON; text stays readable UTF-8. Odd values (datetimes) become strings."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """Split `items` to stay under SQLite's bound-parameter limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Db:
    """The connection of one Archive, handed to each of its parts (threads, messages, ...).

    The connection is in autocommit mode (`isolation_level=None`): every transaction is
    explicit, through `transaction()`, so nothing is ever committed half-way by accident.
    Because every part writes through this one object, a transaction opened by one part (or
    by a caller, `Archive.transaction()`) takes in the writes of all the others.

    Before each write transaction the file is checked to be still there and writable: SQLite
    itself would go on writing into a file removed from the disk, or made read-only, while it
    is open, and the owner would lose what igdesk "saved".
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.conn = conn
        self._clock = clock
        self._depth = 0
        self._identity = _identity(path)

    def now_ms(self) -> int:
        return to_ms(self._clock())

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def check_writable(self) -> None:
        """Raise a sentence for the owner when the file was removed, replaced or made read-only
        since it was opened (called before every write transaction)."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise ArchiveGoneError(self.path) from None
        except OSError as exc:
            raise ArchiveGoneError(self.path, f"{type(exc).__name__}: {exc}") from exc
        if self._identity is not None and (info.st_dev, info.st_ino) != self._identity:
            raise ArchiveGoneError(self.path, "the file was replaced")
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
            self.path, os.W_OK
        ):
            raise ArchiveReadOnlyError(self.path)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block atomically: all of it is committed, or none of it.

        Nestable: an inner block becomes a SAVEPOINT, so its failure undoes only that block
        when the caller catches the error. The outermost block takes the write lock up front
        (BEGIN IMMEDIATE), which avoids lock-upgrade deadlocks with another process.
        """
        if self._depth:
            with self._savepoint():
                yield
            return
        conn = self.conn
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

    @contextmanager
    def durable_transaction(self) -> Iterator[None]:
        """A transaction whose commit is fsynced (synchronous=FULL): for the outbox.

        Inside an outer transaction the outer commit decides, so this is a plain savepoint.
        """
        if self._depth:
            with self.transaction():
                yield
            return
        self.conn.execute("PRAGMA synchronous = FULL")
        try:
            with self.transaction():
                yield
        finally:
            self.conn.execute("PRAGMA synchronous = NORMAL")

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        conn = self.conn
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

    def require_thread(self, thread_id: str) -> None:
        """Raise UnknownThreadError unless the archive holds this thread."""
        row = self.conn.execute("SELECT 1 FROM threads WHERE id = ?", (thread_id,)).fetchone()
        if row is None:
            raise UnknownThreadError(thread_id)


def _identity(path: Path) -> tuple[int, int] | None:
    """The file's (device, inode), to notice it being replaced while open."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino
