"""Archive schema: DDL as an ordered list of migrations keyed on `PRAGMA user_version`.

Never edit a released step: append a new one. Each step runs with the version bump inside one
transaction, so a crash mid-migration leaves the file at the previous version.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from igdesk.store.errors import ArchiveTooNewError, ArchiveUnreadableError

log = logging.getLogger(__name__)

#: A migration step: one SQL statement (no trailing `;` needed) or a function for data changes.
Step = str | Callable[[sqlite3.Connection], None]

_FTS_UPDATE_TRIGGER = """
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
    WHEN old.text IS NOT new.text BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
        INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
    END
"""

_FOLDERS = "('primary', 'general', 'requests', 'denied')"
_OUTBOX_STATES = "('pending', 'sending', 'sent', 'failed', 'unknown')"

_V1: tuple[Step, ...] = (
    """
    CREATE TABLE account (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        id TEXT NOT NULL,
        username TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        picture_url TEXT NOT NULL DEFAULT '',
        account_type TEXT NOT NULL DEFAULT '',
        saved_at INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE contacts (
        id TEXT PRIMARY KEY NOT NULL,
        username TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        profile_pic TEXT NOT NULL DEFAULT '',
        follows_business INTEGER CHECK (follows_business IN (0, 1)),
        business_follows INTEGER CHECK (business_follows IN (0, 1)),
        follower_count INTEGER,
        is_verified INTEGER CHECK (is_verified IN (0, 1)),
        profile_fetched_at INTEGER,
        raw TEXT NOT NULL DEFAULT '{}',
        updated_at INTEGER NOT NULL
    )
    """,
    f"""
    CREATE TABLE threads (
        id TEXT PRIMARY KEY NOT NULL,
        contact_id TEXT NOT NULL REFERENCES contacts (id),
        folder TEXT NOT NULL CHECK (folder IN {_FOLDERS}),
        previous_folder TEXT CHECK (previous_folder IN {_FOLDERS}),
        updated_time INTEGER NOT NULL,
        last_message_at INTEGER,
        last_customer_message_at INTEGER,
        last_shop_message_at INTEGER,
        preview_seq INTEGER,
        read_up_to INTEGER NOT NULL DEFAULT 0,
        history_gap INTEGER NOT NULL DEFAULT 0 CHECK (history_gap IN (0, 1)),
        created_at INTEGER NOT NULL,
        folder_changed_at INTEGER,
        sort_at INTEGER GENERATED ALWAYS AS (max(updated_time, coalesce(last_message_at, 0)))
            VIRTUAL
    )
    """,
    "CREATE INDEX threads_folder_sort ON threads (folder, sort_at, id)",
    "CREATE INDEX threads_sort ON threads (sort_at, id)",
    "CREATE INDEX threads_contact ON threads (contact_id)",
    # `seq` is an explicit INTEGER PRIMARY KEY so the full-text index can point at a rowid
    # that VACUUM never renumbers; the message id is the natural key.
    """
    CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        thread_id TEXT NOT NULL REFERENCES threads (id),
        sender_id TEXT NOT NULL DEFAULT '',
        created_time INTEGER NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        is_from_shop INTEGER NOT NULL DEFAULT 0 CHECK (is_from_shop IN (0, 1)),
        deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
        unsupported INTEGER NOT NULL DEFAULT 0 CHECK (unsupported IN (0, 1)),
        reply_to TEXT,
        attachments TEXT NOT NULL DEFAULT '[]',
        reactions TEXT NOT NULL DEFAULT '[]',
        raw TEXT NOT NULL DEFAULT '{}',
        first_seen_at INTEGER NOT NULL
    )
    """,
    "CREATE INDEX messages_thread_time ON messages (thread_id, created_time)",
    # Serves the unread count and last_customer/shop_message_at without touching the rows.
    "CREATE INDEX messages_thread_party"
    " ON messages (thread_id, is_from_shop, deleted, created_time)",
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text, content = 'messages', content_rowid = 'seq',
        tokenize = "unicode61 remove_diacritics 2"
    )
    """,
    """
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
    END
    """,
    """
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
    END
    """,
    _FTS_UPDATE_TRIGGER,
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
    """
    CREATE TABLE seen_webhook_ids (
        mid TEXT PRIMARY KEY NOT NULL,
        seen_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE INDEX seen_webhook_ids_seen_at ON seen_webhook_ids (seen_at)",
    f"""
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        thread_id TEXT NOT NULL REFERENCES threads (id),
        recipient_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN {_OUTBOX_STATES}),
        message_id TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    )
    """,
    "CREATE INDEX outbox_state ON outbox (state)",
    "CREATE INDEX outbox_thread ON outbox (thread_id)",
    """
    CREATE TABLE drafts (
        thread_id TEXT PRIMARY KEY NOT NULL REFERENCES threads (id),
        text TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
)

# The webhook receiver's durable queue: each verified POST body, stored before the 200 is
# answered, until it is processed (igdesk/store/webhook_queue.py).
_V2: tuple[Step, ...] = (
    """
    CREATE TABLE webhook_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        body BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        secret_role TEXT NOT NULL DEFAULT '',
        processed_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX webhook_queue_pending ON webhook_queue (processed_at, id)",
)

# The unread counts per folder look only at threads with a customer message after the read
# mark (a few), not at every thread: 365 ms -> 20 ms over 100,000 threads.
_V3: tuple[Step, ...] = (
    "CREATE INDEX threads_unread ON threads (folder, id, read_up_to)"
    " WHERE last_customer_message_at > read_up_to",
)

#: A message's seq is created_time (ms) * SEQ_SLOTS + its rank among messages of that very
#: millisecond (store/messages.py assigns it): seq order is time order, so the full-text index,
#: whose rowid is seq, yields matches newest first and a search stops at its first page. A
#: millisecond with more messages than slots (never seen from Instagram) puts the rest after
#: every number in use: out of time order, never a clash.
SEQ_SLOTS = 4096


def _time_ordered_seq(conn: sqlite3.Connection) -> None:
    """Renumber every message's seq in time order (v4), and what points at it."""
    conn.execute("CREATE TEMP TABLE seq_map (old INTEGER PRIMARY KEY, new INTEGER)")
    conn.execute(
        "INSERT INTO seq_map SELECT seq, CASE WHEN rank <= :slots"
        " THEN created_time * :slots - 1 + rank END FROM (SELECT seq, created_time,"
        " row_number() OVER (PARTITION BY created_time ORDER BY seq) AS rank FROM messages)",
        {"slots": SEQ_SLOTS},
    )
    # More messages in one millisecond than it has slots: those past the last slot go after
    # every other number (out of time order, never onto another millisecond's numbers).
    (top,) = conn.execute("SELECT coalesce(max(new), 0) FROM seq_map").fetchone()
    conn.execute(
        "WITH overflow AS (SELECT old, row_number() OVER (ORDER BY old) AS k FROM seq_map"
        " WHERE new IS NULL)"
        " UPDATE seq_map SET new = ? + (SELECT k FROM overflow WHERE overflow.old = seq_map.old)"
        " WHERE new IS NULL",
        (top,),
    )
    low, high = conn.execute("SELECT min(new), max(old) FROM seq_map").fetchone()
    if low is not None:
        # The text does not change: the full-text index is rebuilt once below, not per row.
        conn.execute("DROP TRIGGER messages_fts_update")
        if low > high:  # no new number is an old one: one pass
            conn.execute("UPDATE messages SET seq = (SELECT new FROM seq_map WHERE old = seq)")
        else:  # through negative numbers, so no row ever takes a number still in use
            conn.execute("UPDATE messages SET seq = -(SELECT new FROM seq_map WHERE old = seq)")
            conn.execute("UPDATE messages SET seq = -seq")
        conn.execute(
            "UPDATE threads SET preview_seq = (SELECT new FROM seq_map WHERE old = preview_seq)"
            " WHERE preview_seq IS NOT NULL"
        )
        conn.execute(_FTS_UPDATE_TRIGGER)
        conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
    conn.execute("DROP TABLE seq_map")


_V4: tuple[Step, ...] = (_time_ordered_seq,)

#: Migration N (1-based) brings a file from user_version N-1 to N.
MIGRATIONS: tuple[tuple[Step, ...], ...] = (_V1, _V2, _V3, _V4)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(
    conn: sqlite3.Connection,
    path: Path,
    migrations: Sequence[Sequence[Step]] = MIGRATIONS,
) -> None:
    """Bring the file up to `len(migrations)`; refuse a file written by a newer schema.

    `conn` must be in autocommit mode (isolation_level=None). Each step commits on its own
    together with its version bump.
    """
    known = len(migrations)
    found = user_version(conn)
    if found > known:
        raise ArchiveTooNewError(path, found, known)
    while found < known:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            found = user_version(conn)
            if found > known:
                raise ArchiveTooNewError(path, found, known)
            if found < known:
                for step in migrations[found]:
                    if isinstance(step, str):
                        conn.execute(step)
                    else:
                        step(conn)
                found += 1
                conn.execute(f"PRAGMA user_version = {found:d}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise ArchiveUnreadableError(path, f"migration to v{found + 1} failed: {exc}") from exc
        except BaseException:
            _rollback(conn)
            raise
        log.info("archive schema now at version %d", found)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")
