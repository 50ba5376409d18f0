"""`archive.webhook_queue`: the receiver's durable queue of raw webhook bodies (a real file)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from igdesk.store import Archive
from igdesk.store.webhook_queue import MAX_ATTEMPTS, QueueCounts

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_bodies_come_back_byte_for_byte_oldest_first_until_done(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    bodies = [b'{"object":"instagram","entry":[]}', b"\xff\x00 raw bytes", b"third"]
    with Archive.open(path) as archive:
        ids = [archive.webhook_queue.append(body, "instagram_app_secret") for body in bodies]
    with Archive.open(path, clock=Clock()) as archive:  # committed: survives a reopen
        queue = archive.webhook_queue
        batch = queue.next_batch(2)
        assert [q.id for q in batch] == ids[:2]
        assert [q.body for q in batch] == bodies[:2]
        assert {q.secret_role for q in batch} == {"instagram_app_secret"}
        queue.mark_done([ids[0], ids[1]])
        assert [q.body for q in queue.next_batch()] == [b"third"]
        assert queue.counts() == QueueCounts(pending=1, done=2, failed=0)
        assert "raw bytes" not in repr(batch[1])  # a body never shows in a repr or a log


def test_failures_count_unless_they_may_pass_and_a_final_one_leaves_the_body_aside(
    tmp_path: Path,
) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        queue = archive.webhook_queue
        later, bug, damaged = (queue.append(b"x", "meta_app_secret") for _ in range(3))
        for _ in range(MAX_ATTEMPTS + 2):
            assert queue.mark_failed(later, "TransientError", counted=False) == 0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert queue.mark_failed(bug, "KeyError") == attempt
        assert queue.mark_failed(damaged, "not_json", final=True) == MAX_ATTEMPTS
        assert [q.id for q in queue.next_batch()] == [later]
        assert queue.counts() == QueueCounts(pending=1, done=0, failed=2)
        errors = archive.db.conn.execute("SELECT last_error FROM webhook_queue ORDER BY id")
        assert [row[0] for row in errors] == ["TransientError", "KeyError", "not_json"]


def test_processed_bodies_are_dropped_after_their_time(tmp_path: Path) -> None:
    clock = Clock()
    with Archive.open(tmp_path / "archive.sqlite3", clock=clock) as archive:
        queue = archive.webhook_queue
        old, recent, waiting = (queue.append(b"{}", "instagram_app_secret") for _ in range(3))
        queue.mark_done([old])
        clock.now += timedelta(days=6)
        queue.mark_done([recent])
        clock.now += timedelta(days=2)
        assert queue.forget_done_older_than(timedelta(days=7)) == 1
        assert queue.counts() == QueueCounts(pending=1, done=1, failed=0)
        assert [q.id for q in queue.next_batch()] == [waiting]
