"""Webhook events into the archive, through the same ingest as polling (Qt-free).

Entry point: `app.webhooks.process(events: Sequence[Event]) -> None` (igdesk/app_webhooks.py) is
the receiver queue's processor (`webhooks.drain.EventsProcessor`): the events of one stored
body, as `webhooks.parse_payload(body, shop_id=…)` gives them. Awaited on the app's loop, one
body at a time or several at once (everything is idempotent). It applies them (`WebhookIngest`
below) and announces what changed on the app's event stream as a sync pass does
(ThreadsChanged, MessagesAdded, CustomerWrote; OutboxChanged for an echo that marked a reply
sent). It never raises for what a body holds: odd events are skipped, one event's failure
costs only that event. It raises

* `WebhookRetry` when some events could not be applied for a reason that may pass (the
  network, a rate limit, the token): the rest is applied; processing the same events again
  later applies only the missing ones;
* `store.ArchiveError` when the archive could not be written: keep the body, try later.

Events are deduplicated by `event.dedupe_key` (remembered with the change they made, for
72 h: Meta retries for up to 36 h) and applied oldest first, each in its own savepoint, by
`sync.webhook_jobs` on the archive's writer thread. A message for a thread the archive does not
know triggers a targeted fetch on the event loop, through the client's rate budget: the
customer's conversation (`conversations?user_id=<IGSID>`), its messages and the customer's
profile (`Syncer.read_conversation`, the polling pass's own code); the events waiting for it
are applied after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from igdesk.domain import Account, utc_now
from igdesk.errors import IgdeskError
from igdesk.events import EventHub, OutboxChanged
from igdesk.graph import GraphClient
from igdesk.graph.errors import GraphError, RateLimitError, TokenError, TransientError
from igdesk.store.worker import ArchiveWorker
from igdesk.sync.engine import Syncer
from igdesk.sync.ingest import ThreadUpdate
from igdesk.sync.webhook_jobs import KEEP_IDS, Applied, apply_events
from igdesk.webhooks.events import Event

log = logging.getLogger("igdesk.sync.webhooks")

#: Events applied per writer job: a 1,000-event body never holds the writer for long.
CHUNK = 200


class WebhookRetry(Exception):
    """Some events of a body were not applied for a reason that may pass; the rest were."""


@dataclass
class WebhookOutcome:
    """What applying one body did, for the event stream and the receiver's queue."""

    events: int = 0
    #: Events applied, or handled by design without a change.
    handled: int = 0
    duplicates: int = 0
    #: Dedupe keys of the events that could not be applied (not remembered).
    failed: list[str] = field(default_factory=list)
    #: Threads read by a targeted fetch.
    fetched_threads: int = 0
    #: Per changed thread, what changed (merged: one update a thread).
    updates: list[ThreadUpdate] = field(default_factory=list)
    #: Outbox entries an echo marked sent, as (thread id, entry id).
    outbox_sent: list[tuple[str, int]] = field(default_factory=list)
    #: Why targeted fetches failed.
    errors: list[GraphError | IgdeskError] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed

    @property
    def retry(self) -> bool:
        """Some events failed for a reason that may pass: process the body again later."""
        transient = (TransientError, RateLimitError, TokenError)
        return bool(self.failed) and any(isinstance(e, transient) for e in self.errors)

    @property
    def token_error(self) -> TokenError | None:
        return next((e for e in self.errors if isinstance(e, TokenError)), None)

    def raise_if_retry(self) -> None:
        if self.retry:
            raise WebhookRetry(
                f"{len(self.failed)} webhook events not applied: "
                + ", ".join(sorted({type(e).__name__ for e in self.errors}))
            )

    def take(self, applied: Applied) -> None:
        self.handled += applied.handled
        self.duplicates += applied.duplicates
        self.failed.extend(applied.failed)
        self.updates.extend(applied.updates)
        self.outbox_sent.extend(applied.outbox_sent)


class WebhookIngest:
    """Applies parsed webhook events to one archive; `client` and `syncer` are asked for only
    when a targeted fetch is needed (a body about known threads needs no token). An outbox
    entry an echo marked sent is announced on `events` (OutboxChanged); the rest is left to
    the caller (`WebhookOutcome.updates`, as `SyncSummary.updates`)."""

    def __init__(
        self,
        db: ArchiveWorker,
        events: EventHub | None = None,
        *,
        client: Callable[[], GraphClient],
        syncer: Callable[[], Syncer],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._db = db
        self._events = events
        self._client = client
        self._syncer = syncer
        self._clock = clock
        self._pruned_at: datetime | None = None

    async def apply(self, events: Sequence[Event]) -> WebhookOutcome:
        """Apply one body's events; see the module docstring. Raises only ArchiveError."""
        ordered = sorted(events, key=lambda e: (e.timestamp is None, e.timestamp or 0))
        outcome = WebhookOutcome(events=len(ordered))
        account = await self._db.write(lambda archive: archive.account.get())
        shop_id = account.id if account is not None else ""
        deferred: list[Event] = []
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            applied = await self._db.write(
                apply_events, chunk, shop_id=shop_id, forget_before=self._prune_mark()
            )
            outcome.take(applied)
            deferred.extend(applied.deferred)
        if deferred:
            await self._fetch_and_apply(deferred, account, shop_id, outcome)
        outcome.updates = merge_updates(outcome.updates)
        if self._events is not None:
            for thread_id, entry_id in outcome.outbox_sent:
                self._events.emit(OutboxChanged(thread_id, entry_id))
        if outcome.failed:
            log.warning(
                "webhook body: %d of %d events not applied", len(outcome.failed), len(ordered)
            )
        return outcome

    async def _fetch_and_apply(
        self,
        deferred: list[Event],
        account: Account | None,
        shop_id: str,
        outcome: WebhookOutcome,
    ) -> None:
        """Fetch each waiting customer's thread, then apply the events that waited for it."""
        customers = list(dict.fromkeys(event.customer_id for event in deferred))
        unreachable: set[str] = set()
        for customer in customers:
            try:
                account = account or await self._syncer().account()
                update = await self._fetch(account, customer)
            except (GraphError, IgdeskError) as error:
                log.warning("targeted fetch for %s failed: %s", customer, type(error).__name__)
                outcome.errors.append(error)
                unreachable.add(customer)
                continue
            if update is not None:
                outcome.fetched_threads += 1
                outcome.updates.append(update)
        outcome.failed.extend(e.dedupe_key for e in deferred if e.customer_id in unreachable)
        waiting = [e for e in deferred if e.customer_id not in unreachable]
        if waiting:
            shop = shop_id or (account.id if account is not None else "")
            outcome.take(await self._db.write(apply_events, waiting, shop_id=shop, fetched=True))

    async def _fetch(self, account: Account, customer_id: str) -> ThreadUpdate | None:
        """The customer's conversation, read and applied (None when the API lists none)."""
        async for page in self._client().conversations(account, user_id=customer_id):
            for listed in page:
                return await self._syncer().read_conversation(account, listed)
        log.info("targeted fetch: no conversation listed for %s", customer_id)
        return None

    def _prune_mark(self) -> datetime | None:
        """Once an hour, the time before which dedupe keys are dropped."""
        now = self._clock()
        if self._pruned_at is not None and now - self._pruned_at < KEEP_IDS / 72:
            return None
        self._pruned_at = now
        return now - KEEP_IDS


def merge_updates(updates: Sequence[ThreadUpdate]) -> list[ThreadUpdate]:
    """One update per thread (in first-seen order), adding up what changed."""
    merged: dict[str, ThreadUpdate] = {}
    for update in updates:
        known = merged.get(update.thread_id)
        if known is None:
            merged[update.thread_id] = update
            continue
        merged[update.thread_id] = ThreadUpdate(
            thread_id=update.thread_id,
            created=known.created or update.created,
            new_message_ids=_union(known.new_message_ids, update.new_message_ids),
            new_customer_messages=known.new_customer_messages + update.new_customer_messages,
            folder=update.folder,
            unsent_message_ids=_union(known.unsent_message_ids, update.unsent_message_ids),
            changed_message_ids=_union(known.changed_message_ids, update.changed_message_ids),
        )
    return list(merged.values())


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + second))
