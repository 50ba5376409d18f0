"""What a sync pass reads and writes in the archive: jobs for the archive's writer thread.

The engine (igdesk.sync.engine) keeps network calls on the event loop and hands these to
`ArchiveWorker.write`; each runs whole on the writer thread, one conversation in a few jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from igdesk.domain import Contact, Message
from igdesk.graph.client import ListedConversation
from igdesk.graph.fields import STATE_KEY as FIELDS_KEY
from igdesk.store import Archive
from igdesk.sync.ingest import ThreadUpdate, apply_thread, missing_from_read
from igdesk.sync.unreadable import STATE_KEY as UNREADABLE_KEY

#: Sync-state key: newest conversation update time that a complete pass has applied.
HIGH_WATER_KEY = "conversations.high_water"


@dataclass(frozen=True)
class PassStart:
    """What a pass reads from the archive before it lists anything."""

    high_water: str | None
    needs_profile: list[str]
    unreadable: str | None
    fields: str | None


def pass_start(archive: Archive) -> PassStart:
    # A pass that will store nothing new must still say when nothing could be stored: the
    # file removed or made read-only while igdesk runs (the owner sees it in the status bar).
    archive.check_writable()
    return PassStart(
        high_water=archive.state.get(HIGH_WATER_KEY),
        needs_profile=archive.contacts.without_profile(),
        unreadable=archive.state.get(UNREADABLE_KEY),
        fields=archive.state.get(FIELDS_KEY),
    )


def is_current(archive: Archive, listed: ListedConversation) -> bool:
    """True when the archive already holds this conversation as the list shows it."""
    ref = listed.ref
    stored = archive.threads.get(ref.id)
    if stored is None:
        return False
    if ref.updated_time is not None and stored.updated_time < ref.updated_time:
        return False  # a reaction, an unsend or an edit also moves the update time
    if ref.newest_message_id is not None:
        return archive.messages.get(ref.newest_message_id) is not None
    return ref.updated_time is not None


@dataclass(frozen=True)
class Known:
    """What the archive holds of a conversation about to be applied."""

    exists: bool
    contact: Contact | None
    fetched_at: datetime | None  # when the customer's profile was last read
    message_ids: set[str]
    maybe_unsent: list[str]  # archived messages the read left out


def known(archive: Archive, thread_id: str, customer_id: str, messages: list[Message]) -> Known:
    exists = archive.threads.get(thread_id) is not None
    return Known(
        exists=exists,
        contact=archive.contacts.get(customer_id) if customer_id else None,
        fetched_at=archive.contacts.profile_fetched_at(customer_id) if customer_id else None,
        message_ids=archive.messages.ids_of(thread_id) if exists else set(),
        maybe_unsent=missing_from_read(archive, thread_id, messages) if exists else [],
    )


def store(archive: Archive, /, profile: Contact | None, **changes: Any) -> ThreadUpdate:
    """A freshly read profile and the conversation, in one transaction."""
    with archive.transaction():
        if profile is not None:
            archive.contacts.upsert(profile, profile_fetched=True)
        return apply_thread(archive, **changes)


def save_state(archive: Archive, fields: str | None, unreadable: str | None) -> None:
    with archive.transaction():
        if fields is not None:
            archive.state.set(FIELDS_KEY, fields)
        if unreadable is not None:
            archive.state.set(UNREADABLE_KEY, unreadable)
