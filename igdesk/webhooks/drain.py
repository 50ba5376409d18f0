"""Processing the durable queue: stored webhook bodies become events, handed to a processor.

The receiver stores each verified body and wakes the `QueueDrainer`; at start the drainer also
takes whatever an earlier run stored but did not finish (a crash between the 200 and the
processing). Each body is parsed into typed events (oldest first) and given to the
`EventsProcessor`, then marked done. A processor that fails leaves its body in the queue, tried
again later (after `RETRY_SECONDS`, doubling while it keeps failing, up to `MAX_RETRY_SECONDS`).
A failure that may pass (`ProcessLater`, or the archive's own `ArchiveError`) is retried for as
long as it lasts; any other failure is counted, and a body that failed `MAX_ATTEMPTS` times is
left aside (kept in the archive, counted as failed). A body may reach the processor again after a
crash between its processing and its mark: processors must be idempotent, as the ingest is (it
deduplicates events by id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from igdesk.store.archive import Archive
from igdesk.store.errors import ArchiveError
from igdesk.store.webhook_queue import QueuedBody
from igdesk.store.worker import ArchiveWorker
from igdesk.webhooks.events import Event
from igdesk.webhooks.payload import PayloadError, parse_payload

log = logging.getLogger("igdesk.webhooks.drain")

#: Seconds before a body whose processing failed is tried again (unless woken sooner)...
RETRY_SECONDS = 30.0
#: ... doubling while it keeps failing, up to this.
MAX_RETRY_SECONDS = 15 * 60.0
#: Bodies taken from the queue at a time.
BATCH = 50
#: Seconds `stop` lets the body in hand finish before cancelling it (it stays queued).
STOP_GRACE = 10.0
#: How long processed bodies are kept (for a look after a problem), then dropped at a start.
KEEP_DONE = timedelta(days=7)


class ProcessLater(Exception):
    """Raised (or subclassed) by a processor whose failure may pass (the network, a rate limit,
    a refused token): the body is kept and tried again, without using up one of its attempts."""


class EventsProcessor(Protocol):
    """Applies the events of one stored delivery (oldest first) to the archive.

    Raising leaves the delivery in the queue for a later try (`ProcessLater`: however long
    it takes; anything else: up to `MAX_ATTEMPTS` times). Called again with the same events
    after a crash, so it must be idempotent (deduplicate by the events' ids).
    """

    async def __call__(self, events: Sequence[Event]) -> None: ...


async def parse_only(events: Sequence[Event]) -> None:
    """A processor that applies nothing: the bodies are parsed, then marked done (polling still
    brings their messages)."""
    log.debug("webhook events parsed, not applied: %d", len(events))


@dataclass(frozen=True)
class DrainHealth:
    """What the drainer did since it started."""

    processed: int
    failed: int
    #: The type name of the last processing failure, "" if none.
    last_error: str


class QueueDrainer:
    """Owns the background task that empties `archive.webhook_queue` through `processor`."""

    def __init__(
        self,
        worker: ArchiveWorker,
        processor: EventsProcessor,
        *,
        retry_seconds: float = RETRY_SECONDS,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self._worker = worker
        self._processor = processor
        self._retry_seconds = retry_seconds
        self._stop_grace = stop_grace
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._processed = self._failed = self._failing_rounds = 0
        self._last_error = ""

    def health(self) -> DrainHealth:
        return DrainHealth(self._processed, self._failed, self._last_error)

    def start(self) -> None:
        """Start draining (what is already stored first); idempotent."""
        if self._task is None:
            self._wake.set()
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="igdesk-webhook-drain"
            )

    def wake(self) -> None:
        """Something was stored: drain it now."""
        self._wake.set()

    async def stop(self) -> None:
        """Let the body in hand finish (cancelled after `stop_grace` seconds: it stays queued),
        then stop; what remains is drained on the next start."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        _done, pending = await asyncio.wait({task}, timeout=self._stop_grace)
        if pending:
            log.warning("webhook processing cut short at stop; the body stays queued")
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def drain(self) -> bool:
        """Process every pending body now; False if one failed (the rest waits for a retry)."""
        while not self._stopping:
            shop_id, batch = await self._worker.write(_next_batch)
            if not batch:
                return True
            done, ok = await self._process(batch, shop_id)
            if done:
                await self._worker.write(_mark_done, done)
            if not ok:
                return False
        return True

    async def _run(self) -> None:
        try:
            await self._worker.write(_forget_old)
        except Exception as error:  # the top of a task: keeping old rows is harmless
            log.warning("old webhook bodies not dropped: %s", type(error).__name__)
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            try:
                ok = await self.drain()
            except Exception as error:  # the top of a task: an archive failure, say
                ok = False
                self._last_error = type(error).__name__
                log.error("webhook queue not drained: %s", self._last_error)
            self._failing_rounds = 0 if ok else self._failing_rounds + 1
            if not ok and not self._stopping:
                delay = self._retry_seconds * 2.0 ** min(self._failing_rounds - 1, 10)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(delay, MAX_RETRY_SECONDS))
                self._wake.set()

    async def _process(self, batch: list[QueuedBody], shop_id: str) -> tuple[list[int], bool]:
        """Run the processor on each body in order; the ids done, and whether all went well."""
        done: list[int] = []
        for queued in batch:
            try:
                events = parse_payload(queued.body, shop_id=shop_id)
            except PayloadError as error:  # checked before it was stored: only if damaged
                await self._fail(queued, error.reason.value, final=True)
                continue
            try:
                await self._processor(events)
            except (ProcessLater, ArchiveError) as error:
                await self._fail(queued, type(error).__name__, counted=False)
                return done, False
            except Exception as error:  # the processor's failure must not end the drainer
                await self._fail(queued, type(error).__name__)
                return done, False
            done.append(queued.id)
            self._processed += 1
        return done, True

    async def _fail(
        self, queued: QueuedBody, reason: str, *, counted: bool = True, final: bool = False
    ) -> None:
        self._failed += 1
        self._last_error = reason
        attempts = await self._worker.write(_mark_failed, queued.id, reason, counted, final)
        log.warning("webhook body %d not processed (%s), attempt %d", queued.id, reason, attempts)


def _next_batch(archive: Archive) -> tuple[str, list[QueuedBody]]:
    account = archive.account.get()
    return ("" if account is None else account.id), archive.webhook_queue.next_batch(BATCH)


def _forget_old(archive: Archive) -> None:
    dropped = archive.webhook_queue.forget_done_older_than(KEEP_DONE)
    if dropped:
        log.info("dropped %d webhook bodies processed over %s ago", dropped, KEEP_DONE)


def _mark_done(archive: Archive, ids: list[int]) -> None:
    archive.webhook_queue.mark_done(ids)


def _mark_failed(archive: Archive, queue_id: int, reason: str, counted: bool, final: bool) -> int:
    return archive.webhook_queue.mark_failed(queue_id, reason, counted=counted, final=final)
