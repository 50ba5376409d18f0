"""ArchiveWorker: SQLite work on its own threads, in order, never lost, errors as sentences; and
the archive refusing writes once its file is removed or made read-only."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from igdesk.store import Archive
from igdesk.store.errors import (
    ArchiveBusyError,
    ArchiveGoneError,
    ArchiveReadOnlyError,
    ArchiveWriteError,
)
from igdesk.store.worker import ArchiveWorker
from tests.archive_lock import write_lock_held


def where(_archive: Archive) -> str:
    return threading.current_thread().name


def append(archive: Archive, key: str, value: str) -> None:
    with archive.transaction():
        archive.state.set(key, (archive.state.get(key) or "") + value)


@pytest.mark.asyncio
async def test_writes_and_reads_run_on_their_own_threads_writes_in_order(tmp_path: Path) -> None:
    worker = ArchiveWorker(tmp_path / "archive.sqlite3")
    try:
        await asyncio.gather(*(worker.write(append, "order", str(n)) for n in range(10)))
        assert await worker.read(lambda archive: archive.state.get("order")) == "0123456789"
        writer, reader = await worker.write(where), await worker.read(where)
    finally:
        await worker.aclose()
    assert writer.startswith("igdesk-archive-write") and reader.startswith("igdesk-archive-read")
    assert threading.current_thread().name not in (writer, reader)


@pytest.mark.asyncio
async def test_a_write_asked_for_is_done_even_when_its_caller_goes_away(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    worker = ArchiveWorker(path)
    started = threading.Event()

    def slow(archive: Archive) -> None:
        started.set()
        threading.Event().wait(0.2)
        archive.state.set("kept", "yes")

    task = asyncio.ensure_future(worker.write(slow))
    await asyncio.get_running_loop().run_in_executor(None, started.wait)
    task.cancel()
    # No such thread: saving "" is a delete, which needs none.
    queued = worker.write_soon(lambda archive: archive.drafts.save("no-such-thread", ""))
    await worker.aclose()  # finishes what was asked for first
    assert task.cancelled() and queued.done() and queued.exception() is None
    with Archive.open(path) as archive:
        assert archive.state.get("kept") == "yes"


@pytest.mark.asyncio
async def test_sqlite_errors_reach_the_caller_as_sentences(tmp_path: Path) -> None:
    worker = ArchiveWorker(tmp_path / "archive.sqlite3")

    def fails(_archive: Archive, error: sqlite3.Error) -> None:
        raise error

    try:
        with pytest.raises(ArchiveBusyError) as busy:
            await worker.write(fails, sqlite3.OperationalError("database is locked"))
        with pytest.raises(ArchiveWriteError) as disk:
            await worker.read(fails, sqlite3.OperationalError("disk I/O error"))
    finally:
        await worker.aclose()
    assert "Another program" in busy.value.sentence("en")
    assert "disk is not full" in disk.value.sentence("en")
    assert "disk I/O error" in disk.value.technical  # the detail goes to the log only


@pytest.mark.slow
@pytest.mark.asyncio
async def test_another_process_holding_the_write_lock(tmp_path: Path) -> None:
    """Reads go on and the loop keeps turning; the write waits for the lock, then lands."""
    path = tmp_path / "archive.sqlite3"
    worker = ArchiveWorker(path)
    await worker.write(lambda archive: archive.state.set("before", "1"))
    ticks = 0
    with write_lock_held(path, 3.0) as holder:
        write = asyncio.ensure_future(
            worker.write(lambda archive: archive.state.set("during", "1"))
        )
        assert await worker.read(lambda archive: archive.state.get("before")) == "1"
        assert holder.poll() is None, "the read did not wait for the other process"
        while holder.poll() is None:
            await asyncio.sleep(0.01)
            ticks += 1
            assert not write.done() or holder.poll() is not None
        await write
    try:
        assert ticks > 1  # the loop turned while the write waited
        assert await worker.read(lambda archive: archive.state.get("during")) == "1"
    finally:
        await worker.aclose()


def test_a_removed_archive_file_refuses_writes_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    with Archive.open(path) as archive:
        archive.state.set("saved", "1")
        os.remove(path)
        with pytest.raises(ArchiveGoneError) as gone:
            archive.state.set("lost", "1")  # SQLite alone would write into the removed file
        assert "removed or moved" in gone.value.sentence("en")
        assert archive.state.get("saved") == "1"  # what it holds stays readable


def test_a_read_only_archive_file_refuses_writes_until_writable_again(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    with Archive.open(path) as archive:
        os.chmod(path, 0o444)
        try:
            with pytest.raises(ArchiveReadOnlyError) as read_only:
                archive.state.set("key", "1")
            assert "read-only" in read_only.value.sentence("en")
        finally:
            os.chmod(path, 0o644)
        archive.state.set("key", "2")
        assert archive.state.get("key") == "2"
