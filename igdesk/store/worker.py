"""The archive's worker threads: SQLite work runs off the event loop, which only awaits it.

One thread owns the writing connection and runs every write (and the sync's reads, so a pass
sees its own writes) one job at a time, in the order they were asked for. A second thread
with its own read-only connection answers the window's reads: in WAL mode it reads while
the writer writes, or waits for another process's write lock, so a `sync --once` in a
terminal never freezes the window.

A job is a plain function taking the Archive first; it runs whole on its thread, so a job
is the unit of a transaction. SQLite's own errors leave a job as ArchiveError sentences.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from igdesk.domain import utc_now
from igdesk.store.archive import Archive
from igdesk.store.errors import (
    ArchiveBusyError,
    ArchiveError,
    ArchiveReadOnlyError,
    ArchiveWriteError,
)

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
Job = Callable[Concatenate[Archive, P], T]


class ArchiveWorker:
    """Runs jobs on the archive of one profile: `await worker.write(job, ...)` / `read(...)`."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        """Open the archive at `path` on the writer thread (migrating it) and, on first use,
        a reading connection on the reader thread. Nothing here blocks the caller."""
        self.path = Path(path)
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="igdesk-archive-write")
        self._reads = ThreadPoolExecutor(1, thread_name_prefix="igdesk-archive-read")
        self._writer_opened: Future[Archive] = self._writes.submit(
            Archive.open, self.path, clock=clock
        )
        self._reader: Archive | None = None
        self._owns = True
        self._closed = False

    @classmethod
    def around(cls, archive: Archive) -> ArchiveWorker:
        """A worker for an Archive opened elsewhere (tests, tools): one thread does reads and
        writes; `aclose` leaves the archive open for its owner."""
        worker = cls.__new__(cls)
        worker.path = archive.path
        worker._writes = ThreadPoolExecutor(1, thread_name_prefix="igdesk-archive-write")
        worker._reads = worker._writes
        worker._writer_opened = Future()
        worker._writer_opened.set_result(archive)
        worker._reader = archive
        worker._owns = False
        worker._closed = False
        return worker

    async def write(self, job: Job[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `job(archive, ...)` on the writer thread, after every job asked for before.

        Once asked for, a write runs to its end even if the caller is cancelled meanwhile
        (an owner's change is never left to chance); its result is then only logged.
        """
        wrapped = asyncio.wrap_future(self._submit(self._writes, self._writer, job, args, kwargs))
        try:
            return await asyncio.shield(wrapped)
        except asyncio.CancelledError:
            wrapped.add_done_callback(_log_failure)
            raise

    def write_soon(self, job: Job[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue a write without waiting (it runs before any write asked for later, and
        before `aclose` ends); the returned future tells how it went."""
        future = self._submit(self._writes, self._writer, job, args, kwargs)
        future.add_done_callback(_log_failure)
        return future

    async def read(self, job: Job[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `job(archive, ...)` on the reader thread (never waits for writes)."""
        future = self._submit(self._reads, self._reading, job, args, kwargs)
        return await asyncio.wrap_future(future)

    async def aclose(self) -> None:
        """Finish every job asked for, then close the connections and the threads."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            loop.run_in_executor(self._reads, self._close_reader),
            loop.run_in_executor(self._writes, self._close_writer),
        )
        self._reads.shutdown(wait=True)
        self._writes.shutdown(wait=True)

    # --- on the worker threads ------------------------------------------------------------

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        archive: Callable[[], Archive],
        job: Callable[..., T],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> Future[T]:
        if self._closed:
            raise RuntimeError("the archive worker is closed")
        return pool.submit(self._run, archive, job, args, kwargs)

    def _run(
        self,
        archive: Callable[[], Archive],
        job: Callable[..., T],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> T:
        try:
            return job(archive(), *args, **kwargs)
        except ArchiveError:
            raise
        except sqlite3.Error as exc:
            raise _sentence_for(exc, self.path) from exc

    def _writer(self) -> Archive:
        return self._writer_opened.result()

    def _reading(self) -> Archive:
        if self._reader is None:
            self._writer_opened.result()  # the file exists and is migrated before anyone reads
            self._reader = Archive.open(self.path, reader=True)
        return self._reader

    def _close_reader(self) -> None:
        if self._owns and self._reader is not None:
            self._reader.close()

    def _close_writer(self) -> None:
        if self._owns and self._writer_opened.exception() is None:
            self._writer_opened.result().close()


def _sentence_for(exc: sqlite3.Error, path: Path) -> ArchiveError:
    """SQLite's error as a sentence for the owner (its text goes to the log only)."""
    detail = f"{type(exc).__name__}: {exc}"
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return ArchiveBusyError(path, detail)
    if name.startswith("SQLITE_READONLY") or "readonly" in str(exc):
        return ArchiveReadOnlyError(path, detail)
    return ArchiveWriteError(path, detail)


def _log_failure(future: Future[T] | asyncio.Future[T]) -> None:
    """A write nobody waits for any more (queued, or its caller was cancelled) failed."""
    if not future.cancelled() and future.exception() is not None:
        log.warning("archive write failed: %s", future.exception())
