"""`Archive`: the one SQLite file per profile that keeps the shop's complete message history.

The Instagram API only shows the 20 newest messages of a conversation, so this file is the
owner's only full record: every multi-row change runs in one transaction, the journal is WAL,
and a process killed at any moment leaves whole transactions only.

An Archive is its parts, each with one job, sharing one connection (`Db`): `threads`,
`messages`, `contacts`, `account`, `outbox`, `drafts`, `state`, `webhook_ids`,
`webhook_queue`, `search` and `export`. A transaction opened on the archive (or by any part)
takes in the writes of all.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType

from igdesk.domain import utc_now
from igdesk.i18n import Text
from igdesk.store.contacts import Contacts, ShopAccount
from igdesk.store.db import Db
from igdesk.store.errors import ArchiveError, ArchiveGoneError, ArchiveUnreadableError
from igdesk.store.export import Export
from igdesk.store.messages import Messages
from igdesk.store.outbox import Drafts, Outbox
from igdesk.store.schema import migrate
from igdesk.store.search import Search
from igdesk.store.state import SyncState, WebhookIds
from igdesk.store.threads import Threads
from igdesk.store.webhook_queue import WebhookQueue

log = logging.getLogger(__name__)

#: Oldest SQLite with everything the schema uses (generated columns, NULLS LAST, FTS5).
MIN_SQLITE = (3, 31, 0)
#: How long a write waits for another process's write lock. Long: writes run on the archive's
#: worker thread (igdesk.store.worker), so waiting never freezes the window.
BUSY_TIMEOUT_MS = 30_000
#: How long a reader waits (in WAL mode only a checkpoint or a recovery can make it wait).
READ_BUSY_TIMEOUT_MS = 5000


class Archive:
    """The local archive of one profile.

    One Archive is used by one thread at a time (the connection is opened with
    `check_same_thread=False` so it may be handed to a worker thread, not shared by two).
    Methods that write are atomic on their own; wrap several calls in `transaction()` to make
    them one unit (a sync applies a whole thread that way).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.db = Db(path, conn, clock)
        self.threads = Threads(self.db)
        self.messages = Messages(self.db)
        self.contacts = Contacts(self.db)
        self.account = ShopAccount(self.db)
        self.outbox = Outbox(self.db)
        self.drafts = Drafts(self.db)
        self.state = SyncState(self.db)
        self.webhook_ids = WebhookIds(self.db)
        self.webhook_queue = WebhookQueue(self.db)
        self.search = Search(self.db)
        self.export = Export(self.threads, self.messages, self.contacts)

    @classmethod
    def open(
        cls, path: Path, *, clock: Callable[[], datetime] = utc_now, reader: bool = False
    ) -> Archive:
        """Open (creating it and its folders if needed) and migrate the archive at `path`.

        `reader=True` opens a connection that only reads (no migration, writes refused), for
        a second thread beside the writing one: WAL lets it read while the other writes.
        """
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise ArchiveError(
                Text("This copy of igdesk was built with a SQLite library that is too old."),
                technical=f"SQLite {sqlite3.sqlite_version}, need {'.'.join(map(str, MIN_SQLITE))}",
            )
        path = Path(path)
        if reader and not path.exists():
            raise ArchiveGoneError(path)  # a reader never creates an empty archive
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                path,
                timeout=(READ_BUSY_TIMEOUT_MS if reader else BUSY_TIMEOUT_MS) / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveUnreadableError(path, f"{type(exc).__name__}: {exc}") from exc
        try:
            conn.row_factory = sqlite3.Row
            if reader:
                conn.execute(f"PRAGMA busy_timeout = {READ_BUSY_TIMEOUT_MS:d}")
                conn.execute("PRAGMA query_only = ON")
            else:
                _configure(conn, path)
                migrate(conn, path)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise ArchiveUnreadableError(path, f"{type(exc).__name__}: {exc}") from exc
            raise
        return cls(path, conn, clock)

    def close(self) -> None:
        """Close the file (idempotent); uncommitted work (an open transaction) is rolled back.

        The last connection to close folds the WAL back into the main file by itself.
        """
        self.db.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block atomically, whichever parts it writes through (see `Db.transaction`)."""
        with self.db.transaction():
            yield

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def check_writable(self) -> None:
        """Raise a sentence for the owner when the file can no longer take writes."""
        self.db.check_writable()

    def integrity_check(self) -> list[str]:
        """SQLite's integrity check plus the full-text index's; [] when the file is sound."""
        conn = self.db.conn
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        try:
            conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"search index: {exc}")
        return problems


def _configure(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        # e.g. a network share without shared memory: still correct, only slower and coarser.
        log.warning("archive %s: journal mode is %s, not WAL", path.name, mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
        raise ArchiveError(
            Text("This copy of igdesk was built with a SQLite library it cannot use."),
            technical="foreign key enforcement is unavailable",
        )
