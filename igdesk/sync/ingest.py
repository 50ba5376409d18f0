"""Apply what the API says about one thread to the archive, with the folder rules.

Polling and webhooks (sync.webhook_jobs) both end here, so the order in which they deliver does
not matter: every write is an idempotent upsert keyed on message id, and one thread is applied
atomically.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from igdesk.domain import (
    READABLE_MESSAGES_PER_THREAD,
    Contact,
    Folder,
    Message,
    folder_after_customer_message,
    folder_after_shop_message,
    folder_for_new_thread,
)
from igdesk.store import Archive


@dataclass(frozen=True)
class ThreadUpdate:
    """What applying one thread changed."""

    thread_id: str
    created: bool
    new_message_ids: tuple[str, ...]
    new_customer_messages: int
    folder: Folder
    #: Archived messages the customer (or the shop) has unsent since the last read.
    unsent_message_ids: tuple[str, ...] = ()
    #: Archived messages whose reactions or text changed (webhook reactions and edits).
    changed_message_ids: tuple[str, ...] = ()

    @property
    def touched_message_ids(self) -> tuple[str, ...]:
        """Every message the window must show again: new, unsent or changed."""
        return self.new_message_ids + self.unsent_message_ids + self.changed_message_ids


def apply_thread(
    archive: Archive,
    *,
    thread_id: str,
    contact: Contact,
    messages: Sequence[Message],
    updated_time: datetime | None,
    older_history_exists: bool | None = None,
    unsent_ids: Collection[str] = (),
) -> ThreadUpdate:
    """Store one thread's messages and move it between folders as the rules say.

    `older_history_exists` tells whether the API knows messages older than the ones given that
    could not be read (None: unknown, judged from the count). `unsent_ids` are archived
    messages of this thread known to be unsent: they keep only a tombstone.
    """
    with archive.transaction():
        archive.contacts.upsert(contact)
        follows = (archive.contacts.get(contact.id) or contact).follows_business
        existing = archive.threads.get(thread_id)
        if existing is None:
            shop_has_written = any(m.is_from_shop for m in messages)
            folder = folder_for_new_thread(
                follows_business=follows, shop_has_written=shop_has_written
            )
            archive.threads.create(
                thread_id, contact.id, folder, updated_time or _newest(messages, thread_id)
            )
            before = set[str]()
        else:
            folder = existing.folder
            before = archive.messages.ids_of(thread_id)
        unsent = _tombstone(archive, thread_id, unsent_ids)
        new_ids = archive.messages.upsert(thread_id, messages)
        new_set = set(new_ids)
        fresh = [m for m in messages if m.id in new_set]
        if existing is None:
            # First sight: what the shop already answered counts as read.
            _mark_answered_read(archive, thread_id, messages)
        else:
            folder = _follow_new_messages(archive, thread_id, folder, fresh, follows)
        if older_history_exists is None:
            older_history_exists = _history_may_be_missing(messages, before)
        if older_history_exists:
            archive.threads.set_history_gap(thread_id, True)
        if updated_time is not None:
            archive.threads.set_updated(thread_id, updated_time)

    return ThreadUpdate(
        thread_id=thread_id,
        created=existing is None,
        new_message_ids=tuple(new_ids),
        new_customer_messages=sum(not m.is_from_shop for m in fresh),
        folder=folder,
        unsent_message_ids=tuple(m.id for m in unsent),
    )


def _tombstone(archive: Archive, thread_id: str, unsent_ids: Collection[str]) -> list[Message]:
    """Turn the archived messages of this thread known to be unsent into tombstones; those
    that were not tombstones yet."""
    unsent = [
        replace(m, deleted=True)
        for m in (archive.messages.get(mid) for mid in unsent_ids)
        if m is not None and m.thread_id == thread_id and not m.deleted
    ]
    if unsent:
        archive.messages.upsert(thread_id, unsent)
    return unsent


def _follow_new_messages(
    archive: Archive,
    thread_id: str,
    folder: Folder,
    fresh: Sequence[Message],
    follows_business: bool | None,
) -> Folder:
    """Move a known thread as its new messages say (the folder rules, oldest first) and mark
    what the shop answered as read; the thread's folder now."""
    outbox_ids = _outbox_message_ids(archive, thread_id)
    new_folder = folder
    for message in sorted(fresh, key=lambda m: m.created_time):
        if message.is_from_shop:
            new_folder = folder_after_shop_message(
                new_folder,
                follows_business=follows_business,
                from_igdesk=message.id in outbox_ids,
            )
        else:
            new_folder = folder_after_customer_message(new_folder)
    if new_folder != folder:
        archive.threads.set_folder(thread_id, new_folder)
    _mark_answered_read(archive, thread_id, fresh)
    return new_folder


def _mark_answered_read(archive: Archive, thread_id: str, messages: Sequence[Message]) -> None:
    """The shop answered (here or in Instagram's app): it has read what came before."""
    last_shop = max((m.created_time for m in messages if m.is_from_shop), default=None)
    if last_shop is not None:
        archive.threads.mark_read(thread_id, last_shop)


def readable_batch_is_full(messages: Sequence[Message]) -> bool:
    """True when the API gave as many messages as it ever shows, so older ones may exist."""
    return len(messages) >= READABLE_MESSAGES_PER_THREAD


def _history_may_be_missing(messages: Sequence[Message], known_before: set[str]) -> bool:
    """A full batch whose oldest message the archive did not know means a possible gap."""
    if not readable_batch_is_full(messages):
        return False
    oldest = min(messages, key=lambda m: m.created_time)
    return oldest.id not in known_before


def missing_from_read(archive: Archive, thread_id: str, readable: Sequence[Message]) -> list[str]:
    """Archived messages missing from the span the read API just returned: maybe unsent.

    The read API leaves an unsent message out (`is_deleted` is a webhook key, not a field),
    so a message we hold that falls between the oldest and the newest readable message (or
    anywhere up to the newest, when the API returned all it has) and did not come back was
    probably unsent; the caller confirms each one before it becomes a tombstone. Messages
    newer than the newest readable one are left alone: they may have been sent after the read.
    """
    if not readable:
        return []
    returned = {m.id for m in readable}
    newest = max(m.created_time for m in readable)
    oldest = min(m.created_time for m in readable) if readable_batch_is_full(readable) else None
    recent = archive.messages.of_thread(thread_id, limit=4 * READABLE_MESSAGES_PER_THREAD)
    return [
        m.id
        for m in recent
        if m.id not in returned
        and not m.deleted
        and m.created_time <= newest
        and (oldest is None or m.created_time >= oldest)
    ]


def _outbox_message_ids(archive: Archive, thread_id: str) -> set[str]:
    return {e.message_id for e in archive.outbox.entries(thread_id=thread_id) if e.message_id}


def _newest(messages: Sequence[Message], thread_id: str) -> datetime:
    if not messages:
        raise ValueError(f"thread {thread_id} has neither messages nor an update time")
    return max(m.created_time for m in messages)
