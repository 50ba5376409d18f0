"""The webhook receiver's durable queue: `archive.webhook_queue`.

Every verified POST body is stored here, byte for byte, before the receiver answers 200; it is
processed afterwards and marked done. A process killed between the two loses nothing: the rows
not yet done are drained on the next start. The queue stores what arrived, not what it means:
a body Meta delivers twice is stored twice, and the ingest deduplicates the events by id.

The commit of an append is not fsynced (the archive's synchronous=NORMAL in WAL mode): it
survives a killed process, not a power cut in the following instant. A per-POST fsync would cap
the receiver at a few hundred deliveries a second on a slow disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from igdesk.store.db import Db
from igdesk.store.timeconv import from_ms, opt_from_ms

#: A body that failed this many times is left aside (kept, counted as failed, never retried).
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class QueuedBody:
    """One stored delivery: the raw bytes, when they came, which secret's signature matched."""

    id: int
    body: bytes = field(repr=False)
    received_at: datetime
    secret_role: str
    attempts: int


@dataclass(frozen=True)
class QueueCounts:
    """How many bodies wait, are done, or were left aside after `MAX_ATTEMPTS` failures."""

    pending: int
    done: int
    failed: int


class WebhookQueue:
    """Raw webhook bodies waiting to be processed: `archive.webhook_queue`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def append(self, body: bytes, secret_role: str) -> int:
        """Store one verified body (committed when this returns); its queue id."""
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "INSERT INTO webhook_queue (body, received_at, secret_role) VALUES (?, ?, ?)",
                (body, self._db.now_ms(), secret_role),
            )
        return int(cursor.lastrowid or 0)

    def next_batch(self, limit: int = 50) -> list[QueuedBody]:
        """The oldest bodies not yet done and not left aside, oldest first."""
        rows = self._db.conn.execute(
            "SELECT id, body, received_at, secret_role, attempts FROM webhook_queue"
            " WHERE processed_at IS NULL AND attempts < ? ORDER BY id LIMIT ?",
            (MAX_ATTEMPTS, limit),
        )
        return [
            QueuedBody(
                id=int(row["id"]),
                body=bytes(row["body"]),
                received_at=from_ms(int(row["received_at"])),
                secret_role=str(row["secret_role"]),
                attempts=int(row["attempts"]),
            )
            for row in rows
        ]

    def mark_done(self, ids: Sequence[int]) -> None:
        """These bodies were processed (in one transaction)."""
        if not ids:
            return
        now = self._db.now_ms()
        with self._db.transaction():
            self._db.conn.executemany(
                "UPDATE webhook_queue SET processed_at = ?, attempts = attempts + 1 WHERE id = ?",
                [(now, queue_id) for queue_id in ids],
            )

    def mark_failed(
        self, queue_id: int, error: str, *, counted: bool = True, final: bool = False
    ) -> int:
        """Processing this body failed (`error`: a type name, never its content); it is tried
        again later. A `counted` failure uses up one of its `MAX_ATTEMPTS` (a failure that may
        pass, such as the network, is not counted); a `final` one leaves it aside at once.
        Returns its attempts."""
        with self._db.transaction():
            self._db.conn.execute(
                "UPDATE webhook_queue SET attempts = CASE WHEN :final THEN max(attempts + 1, :max)"
                " WHEN :counted THEN attempts + 1 ELSE attempts END, last_error = :error"
                " WHERE id = :id",
                {
                    "final": final,
                    "max": MAX_ATTEMPTS,
                    "counted": counted,
                    "error": error[:200],
                    "id": queue_id,
                },
            )
            row = self._db.conn.execute(
                "SELECT attempts FROM webhook_queue WHERE id = ?", (queue_id,)
            ).fetchone()
        return 0 if row is None else int(row["attempts"])

    def counts(self) -> QueueCounts:
        """Pending, done and left-aside bodies."""
        row = self._db.conn.execute(
            "SELECT"
            " count(*) FILTER (WHERE processed_at IS NULL AND attempts < :max) AS pending,"
            " count(*) FILTER (WHERE processed_at IS NOT NULL) AS done,"
            " count(*) FILTER (WHERE processed_at IS NULL AND attempts >= :max) AS failed"
            " FROM webhook_queue",
            {"max": MAX_ATTEMPTS},
        ).fetchone()
        return QueueCounts(int(row["pending"]), int(row["done"]), int(row["failed"]))

    def last_received(self) -> datetime | None:
        """When the newest body still kept arrived (None: none is kept)."""
        row = self._db.conn.execute("SELECT max(received_at) AS last FROM webhook_queue").fetchone()
        return opt_from_ms(row["last"])

    def forget_done_older_than(self, age: timedelta) -> int:
        """Drop bodies processed more than `age` ago; how many."""
        cutoff = self._db.now_ms() - age // timedelta(milliseconds=1)
        with self._db.transaction():
            cursor = self._db.conn.execute(
                "DELETE FROM webhook_queue WHERE processed_at < ?", (cutoff,)
            )
        return cursor.rowcount
