"""Archive file handling: migrations, version guard, pragmas, transactions, crash durability."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from igdesk.domain import Folder, Message
from igdesk.errors import IgdeskError
from igdesk.store import (
    SCHEMA_VERSION,
    Archive,
    ArchiveTooNewError,
    ArchiveUnreadableError,
)
from igdesk.store.archive import BUSY_TIMEOUT_MS
from igdesk.store.schema import migrate

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_open_creates_parent_dirs_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "profile" / "nested" / "archive.sqlite3"
    with Archive.open(path) as archive:
        assert archive.path == path
        conn = archive.db.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # Writes wait long for another process's lock: they run on the archive's worker thread.
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS == 30_000
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {
        "account",
        "contacts",
        "threads",
        "messages",
        "messages_fts",
        "sync_state",
        "outbox",
        "seen_webhook_ids",
        "drafts",
    } <= tables
    assert path.exists()


def test_reopen_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with Archive.open(path) as archive:
        archive.state.set("cursor", "abc")
    with Archive.open(path) as archive:
        assert archive.state.get("cursor") == "abc"
        assert archive.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_migrations_apply_in_order_and_resume(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    steps = (
        ("CREATE TABLE a (x INTEGER)",),
        ("INSERT INTO a VALUES (1)", lambda c: c.execute("INSERT INTO a VALUES (2)")),
    )
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, steps[:1])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    migrate(conn, path, steps)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert [r[0] for r in conn.execute("SELECT x FROM a ORDER BY x")] == [1, 2]
    migrate(conn, path, steps)  # already there: nothing runs twice
    assert conn.execute("SELECT count(*) FROM a").fetchone()[0] == 2
    conn.close()


def test_failed_migration_leaves_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    steps = (("CREATE TABLE a (x)",), ("CREATE TABLE b (y)", "CREATE TABLE a (z)"))
    with pytest.raises(ArchiveUnreadableError):
        migrate(conn, path, steps)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert names == {"a"}  # step 2 rolled back whole
    conn.close()


def test_newer_file_is_refused_clearly_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with Archive.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.commit()
    conn.close()
    with pytest.raises(ArchiveTooNewError) as info:
        Archive.open(path)
    assert "newer version of igdesk" in info.value.sentence("en")
    assert "versi yang lebih baru" in info.value.sentence("id")
    assert str(SCHEMA_VERSION + 3) in info.value.technical
    assert info.value.found == SCHEMA_VERSION + 3
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 3
    conn.close()


def test_not_a_database_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ArchiveUnreadableError) as info:
        Archive.open(path)
    assert "cannot open its message archive" in info.value.sentence("en")
    assert isinstance(info.value, IgdeskError)


def test_transaction_rolls_back_whole_and_nests(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "t.sqlite3") as archive:
        with pytest.raises(RuntimeError), archive.transaction():
            archive.state.set("a", "1")
            archive.threads.create("t1", "c1", Folder.PRIMARY, T0)
            raise RuntimeError("boom")
        assert archive.state.get("a") is None
        assert archive.threads.get("t1") is None

        with archive.transaction():
            archive.state.set("outer", "1")
            with pytest.raises(ValueError), archive.transaction():
                archive.state.set("inner", "1")
                raise ValueError("inner fails")
            assert archive.in_transaction
        assert archive.state.get("outer") == "1"
        assert archive.state.get("inner") is None
        assert not archive.in_transaction
        assert not archive.db.conn.in_transaction


def test_upsert_into_unknown_thread_writes_nothing(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "t.sqlite3") as archive:
        message = Message("m1", "nope", "c1", T0, text="hi")
        with pytest.raises(KeyError):
            archive.messages.upsert("nope", [message])
        assert archive.messages.get("m1") is None


# --- kill -9 --------------------------------------------------------------------------------

# Writes one thread of PER_TXN messages per transaction, forever, resuming after the last whole
# thread; prints the index of each committed thread.
_WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from igdesk.domain import Folder, Message
from igdesk.errors import IgdeskError
from igdesk.store import Archive

archive = Archive.open(Path(sys.argv[1]))
per_txn = int(sys.argv[2])
t0 = datetime(2026, 1, 1, tzinfo=UTC)
k = len(archive.threads.newest_first())
while True:
    tid = f"t{k}"
    with archive.transaction():
        archive.threads.create(tid, f"c{k}", Folder.PRIMARY, t0)
        archive.messages.upsert(tid, [
            Message(f"{tid}-m{i}", tid, f"c{k}", t0 + timedelta(seconds=i),
                    text=f"pesan nomor {i} dari pelanggan {k} " + "x" * 200)
            for i in range(per_txn)
        ])
        archive.state.set("last", tid)
    print(k, flush=True)
    k += 1
"""
_PER_TXN = 40


def _run_and_kill(path: Path, at_least: int, delay: float) -> int:
    """Start the writer, wait for `at_least` more commits, SIGKILL it; return the last commit."""
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(_PER_TXN)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    seen: list[int] = []
    deadline = time.monotonic() + 30
    try:
        while len(seen) < at_least and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(int(line))
        time.sleep(delay)  # land somewhere inside a later transaction
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert len(seen) >= at_least, "writer did not get going"
    return seen[-1]


def _check_whole(path: Path, committed: int) -> None:
    with Archive.open(path) as archive:
        assert archive.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert archive.integrity_check() == []  # includes the FTS index against the rows
        threads = archive.threads.newest_first()
        ids = {t.id for t in threads}
        # Every acknowledged commit survived, and nothing but whole threads exists.
        assert {f"t{k}" for k in range(committed + 1)} <= ids
        assert ids == {f"t{k}" for k in range(len(ids))}
        counts = dict(
            archive.db.conn.execute("SELECT thread_id, count(*) FROM messages GROUP BY thread_id")
        )
        assert counts == dict.fromkeys(ids, _PER_TXN)
        assert all(t.last_message_at is not None for t in threads)
        assert archive.state.get("last") == f"t{len(ids) - 1}"
        assert len(archive.search.find("pelanggan", limit=1_000_000)) == len(ids) * _PER_TXN


@pytest.mark.slow
def test_kill_9_leaves_only_whole_transactions(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    for delay in (0.011, 0.0, 0.023):  # each round also recovers the previous crash's WAL
        committed = _run_and_kill(path, at_least=15, delay=delay)
        _check_whole(path, committed)


def test_archive_can_be_handed_to_a_worker_thread(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "w.sqlite3") as archive:
        worker = threading.Thread(target=lambda: archive.state.set("from", "worker"))
        worker.start()
        worker.join()
        assert archive.state.get("from") == "worker"
