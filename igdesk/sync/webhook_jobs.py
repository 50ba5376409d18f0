"""Webhook events applied to the archive: jobs for the archive's writer thread.

`apply_events` runs whole on the writer thread (`ArchiveWorker.write`); `webhook_ingest` keeps
the network (the targeted fetch of an unknown thread) on the event loop. Each event is applied
in its own savepoint together with its dedupe key, so a failing event costs only itself and is
not remembered (a later redelivery may still apply it), while every other event stays applied.

Rules, beside `sync.ingest.apply_thread` (which applies messages exactly as polling does):

* a message the archive already holds (from a poll, an earlier event, igdesk's own send) is
  left as it is: the archived copy is at least as new (edits, reactions, a tombstone), and a
  webhook message carries no reactions to replace them with;
* an unsend of a message the archive holds makes it a tombstone (sticky); of one it does not
  hold, only the mid is noted (`UNSENT_KEY`), so the message, delivered later, arrives unsent;
* an echo whose mid an outbox entry holds marks that entry sent (never a second bubble: the
  message row is keyed by mid, and `sync.outbox` stores the send under the same mid);
* reactions and edits change an archived message; about a message the archive does not hold
  yet they are kept (`webhook_early`) and applied when it arrives by webhook;
* reads (igdesk shows no "seen by the customer" mark), postbacks, referrals, handovers,
  unknown kinds, `is_self` tests and dashboard test payloads (`changes[]`) change nothing:
  one debug line each, with the kind and the item's key names (never its content).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from igdesk.domain import Contact, Message
from igdesk.store import Archive
from igdesk.store.outbox import OutboxState
from igdesk.sync import webhook_early
from igdesk.sync.ingest import ThreadUpdate, apply_thread
from igdesk.webhooks.convert import to_message
from igdesk.webhooks.events import (
    Channel,
    Event,
    MessageEditEvent,
    MessageEvent,
    ReactionEvent,
)

log = logging.getLogger("igdesk.sync.webhooks")

#: Sync-state key prefix: a mid unsent before the archive held its message.
UNSENT_KEY = "webhook.unsent:"
#: Dedupe keys are kept this long: Meta retries for up to 36 hours.
KEEP_IDS = timedelta(hours=72)


@dataclass
class Applied:
    """What one `apply_events` job did."""

    updates: list[ThreadUpdate] = field(default_factory=list)
    #: Messages of customers whose thread the archive does not know (nothing of them applied;
    #: later events about the same customers wait with them, in order).
    deferred: list[Event] = field(default_factory=list)
    duplicates: int = 0
    #: Events applied, or handled by design without a change (reads, postbacks, …).
    handled: int = 0
    #: Dedupe keys of events whose application failed (not remembered).
    failed: list[str] = field(default_factory=list)
    #: Outbox entries an echo marked sent, as (thread id, entry id).
    outbox_sent: list[tuple[str, int]] = field(default_factory=list)


def apply_events(
    archive: Archive,
    events: Sequence[Event],
    *,
    shop_id: str,
    fetched: bool = False,
    forget_before: datetime | None = None,
) -> Applied:
    """Apply events (oldest first) in one transaction, one savepoint each.

    `fetched`: the threads of these customers were just fetched; a message whose thread is
    still unknown is then given up (logged, not remembered) instead of deferred.
    `forget_before` drops dedupe keys older than that first.
    """
    done = Applied()
    waiting: set[str] = set()
    with archive.transaction():
        if forget_before is not None:
            archive.webhook_ids.forget_before(forget_before)
            webhook_early.forget_before(archive, forget_before)
        for event in events:
            customer = event.customer_id
            if customer in waiting or _needs_fetch(archive, event, shop_id):
                if not fetched:
                    waiting.add(customer)
                    done.deferred.append(event)
                else:
                    log.warning("webhook: no conversation found for customer %s", customer)
                    done.failed.append(event.dedupe_key)
                continue
            _apply_one(archive, event, shop_id, done)
    return done


def _apply_one(archive: Archive, event: Event, shop_id: str, done: Applied) -> None:
    key = event.dedupe_key
    try:
        with archive.transaction():
            if not archive.webhook_ids.remember(key):
                done.duplicates += 1
                return
            update = _dispatch(archive, event, shop_id, done)
    except Exception as error:  # one event's failure must not cost the others
        log.warning("webhook event %s not applied: %s", key, type(error).__name__)
        done.failed.append(key)
        return
    done.handled += 1
    if update is not None:
        done.updates.append(update)


def _skipped(event: Event) -> bool:
    """Events that change nothing here by design."""
    if event.channel is Channel.CHANGES:
        return True  # the dashboard's Test button: made-up ids, never a real message
    return isinstance(event, MessageEvent) and event.is_self


def _needs_fetch(archive: Archive, event: Event, shop_id: str) -> bool:
    """A message (not an unsend) of a customer whose thread the archive does not know."""
    if not isinstance(event, MessageEvent) or event.is_deleted or _skipped(event):
        return False
    customer = event.customer_id
    if not customer or customer == (shop_id or event.shop_id):
        return False
    return archive.threads.of_contact(customer) is None


def _dispatch(archive: Archive, event: Event, shop_id: str, done: Applied) -> ThreadUpdate | None:
    if _skipped(event):
        log.debug("webhook %s event skipped (%s)", type(event).__name__, event.channel.value)
        return None
    if isinstance(event, MessageEvent):
        if event.is_deleted:
            return _unsend(archive, event)
        return _message(archive, event, shop_id, done)
    if isinstance(event, ReactionEvent):
        return _reaction(archive, event)
    if isinstance(event, MessageEditEvent):
        return _edit(archive, event)
    # Reads: igdesk shows no "seen" mark, so a customer's read is not kept. Postbacks,
    # referrals, handovers and unknown kinds carry nothing the archive keeps.
    log.debug("webhook %s event ignored (keys %s)", type(event).__name__, sorted(event.raw))
    return None


def _message(
    archive: Archive, event: MessageEvent, shop_id: str, done: Applied
) -> ThreadUpdate | None:
    shop = shop_id or event.shop_id
    customer = event.customer_id
    thread_id = archive.threads.of_contact(customer) if customer and customer != shop else None
    if thread_id is None:
        log.info("webhook message %s has no customer thread; ignored", event.mid)
        return None
    if event.from_shop:
        done.outbox_sent.extend(_mark_echo_sent(archive, thread_id, event.mid))
    if archive.messages.get(event.mid) is not None:
        return None  # the archived copy is at least as new (see the module docstring)
    message = to_message(event, shop_id=shop, thread_id=thread_id)
    if message is None:
        return None
    message = webhook_early.apply_noted(archive, message)
    unsent_mark = UNSENT_KEY + event.mid
    unsent = archive.state.get(unsent_mark) is not None
    if unsent:
        message = replace(message, text="", attachments=(), deleted=True)
        archive.state.delete(unsent_mark)
    return apply_thread(
        archive,
        thread_id=thread_id,
        contact=Contact(id=customer),
        messages=[message],
        updated_time=None,
        older_history_exists=False,
    )


def _mark_echo_sent(archive: Archive, thread_id: str, mid: str) -> list[tuple[str, int]]:
    """Outbox entries of this thread that hold the echo's mid and are not marked sent yet."""
    marked = []
    for entry in archive.outbox.entries(thread_id=thread_id):
        if entry.message_id == mid and entry.state is not OutboxState.SENT:
            archive.outbox.update(entry.id, state=OutboxState.SENT)
            marked.append((thread_id, entry.id))
    return marked


def _unsend(archive: Archive, event: MessageEvent) -> ThreadUpdate | None:
    stored = archive.messages.get(event.mid)
    if stored is None:
        archive.state.set(UNSENT_KEY + event.mid, str(event.timestamp or ""))
        log.info("webhook unsend of unknown message %s noted", event.mid)
        return None
    return _store_revised(archive, stored, replace(stored, deleted=True), unsent=True)


def _reaction(archive: Archive, event: ReactionEvent) -> ThreadUpdate | None:
    emoji = event.emoji or event.reaction or ""
    record = webhook_early.reaction(
        event.sender_id, emoji, unreact=event.action == "unreact" or not emoji
    )
    return _revise(archive, event.mid, record)


def _edit(archive: Archive, event: MessageEditEvent) -> ThreadUpdate | None:
    return _revise(archive, event.mid, webhook_early.edit(event.text))


def _revise(archive: Archive, mid: str, record: dict[str, Any]) -> ThreadUpdate | None:
    """Change an archived message by `record` (one the archive does not hold yet: kept for
    when it arrives): what the window must show again, or None when nothing changed."""
    stored = archive.messages.get(mid)
    if stored is None:
        webhook_early.note(archive, mid, record)
        return None
    return _store_revised(archive, stored, webhook_early.revision(record)(stored))


def _store_revised(
    archive: Archive, stored: Message, revised: Message, *, unsent: bool = False
) -> ThreadUpdate | None:
    if revised == stored:
        return None
    archive.messages.upsert(stored.thread_id, [revised])
    ids = (stored.id,)
    return _changed(
        archive, stored.thread_id, unsent=ids if unsent else (), changed=() if unsent else ids
    )


def _changed(
    archive: Archive,
    thread_id: str,
    *,
    unsent: tuple[str, ...] = (),
    changed: tuple[str, ...] = (),
) -> ThreadUpdate | None:
    row = archive.threads.get(thread_id)
    if row is None:
        return None
    return ThreadUpdate(
        thread_id=thread_id,
        created=False,
        new_message_ids=(),
        new_customer_messages=0,
        folder=row.folder,
        unsent_message_ids=unsent,
        changed_message_ids=changed,
    )
