"""What the window is shown: small frozen views that App hands out and events carry.

A view holds everything a row, a header or a panel shows, so nothing in `ui/` (a delegate
least of all) ever asks the archive for more. The `*_of` functions build views from the
archive; they run on the archive's worker threads (igdesk.store.worker), never on the loop.
Qt-free, like everything outside `ui/`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from igdesk.domain import Account, Contact, Folder, Message, Window, effective_window
from igdesk.graph.fields import STATE_KEY as FIELDS_KEY
from igdesk.graph.fields import Node, ReadFields
from igdesk.i18n import Text
from igdesk.store import Archive, ThreadRow
from igdesk.store.outbox import OutboxEntry, OutboxState
from igdesk.store.search import HIGHLIGHT_END, HIGHLIGHT_START
from igdesk.sync.outbox import WINDOW_CLOSED_KEY, failure_text
from igdesk.sync.unreadable import STATE_KEY as UNREADABLE_KEY
from igdesk.sync.unreadable import Unreadable, UnreadableThreads

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "Account",
    "ConversationView",
    "OutboxState",
    "OutboxView",
    "SearchResult",
    "SyncReport",
    "ThreadView",
]

#: Above this many ids, one pass over every thread beats one query per thread.
_BULK = 64


@dataclass(frozen=True)
class ThreadView:
    """One conversation as a list row and a conversation header show it."""

    id: str
    contact_id: str
    folder: Folder
    contact_name: str
    contact_username: str
    avatar_url: str  # the customer's profile picture ("" when unknown)
    sort_time: datetime  # the later of the last message and the API's updated_time
    last_customer_message_at: datetime | None
    unread: int  # customer messages after the read mark
    history_gap: bool  # older messages may be missing from the archive
    created_at: datetime  # when igdesk first stored it
    last_message_text: str = ""
    last_message_attachment_types: tuple[str, ...] = ()
    last_message_is_from_shop: bool | None = None
    last_message_card_title: str = ""
    #: When the API last refused a send here as outside the window (None: it never did).
    server_closed_at: datetime | None = None

    def window(self, now: datetime, *, human_agent: bool) -> Window:
        """The effective messaging window: our rule, overruled by the server's verdict."""
        return effective_window(
            self.last_customer_message_at,
            now,
            human_agent_allowed=human_agent,
            server_closed_at=self.server_closed_at,
        )


@dataclass(frozen=True)
class OutboxView:
    """A reply not (known to be) sent yet, as the panel under the messages shows it."""

    id: int
    thread_id: str
    state: OutboxState
    text: str  # the reply's text ("" for an attachment, a post, the heart)
    attempts: int
    failure: Text | None  # why the last attempt failed


@dataclass(frozen=True)
class SearchResult:
    """One message that matched, with the names of its conversation's customer."""

    thread_id: str
    message_id: str
    snippet: str  # matches wrapped in HIGHLIGHT_START / HIGHLIGHT_END
    created_time: datetime
    contact_name: str
    contact_username: str


@dataclass(frozen=True)
class ConversationView:
    """Everything the window shows when a thread opens, read in one go."""

    thread: ThreadView
    messages: tuple[Message, ...]  # the newest page, oldest first
    has_older: bool
    unsent: tuple[OutboxView, ...]
    draft: str
    contact: Contact | None
    customer_since: datetime


@dataclass(frozen=True)
class SyncReport:
    """What the last sync passes could not do, for `igdesk doctor`."""

    refused_fields: Mapping[Node, tuple[str, ...]]  # fields the account's API refused
    unreadable: tuple[Unreadable, ...]  # conversations that could not be read
    usernames: Mapping[str, str]  # customer id → @username, where known


# --- built on the worker threads -------------------------------------------------------------


def thread_view(row: ThreadRow, closed_at: datetime | None = None) -> ThreadView:
    sort_time = row.updated_time
    if row.last_message_at is not None and row.last_message_at > sort_time:
        sort_time = row.last_message_at
    return ThreadView(
        id=row.id,
        contact_id=row.contact_id,
        folder=row.folder,
        contact_name=row.contact_name,
        contact_username=row.contact_username,
        avatar_url=row.contact_picture,
        sort_time=sort_time,
        last_customer_message_at=row.last_customer_message_at,
        unread=row.unread,
        history_gap=row.history_gap,
        created_at=row.created_at,
        last_message_text=row.last_message_text,
        last_message_attachment_types=row.last_message_attachment_types,
        last_message_is_from_shop=row.last_message_is_from_shop,
        last_message_card_title=row.last_message_card_title,
        server_closed_at=closed_at,
    )


def _closed_at(archive: Archive) -> dict[str, datetime]:
    """Every thread's last "outside the window" verdict from the API."""
    return {
        key.removeprefix(WINDOW_CLOSED_KEY): datetime.fromisoformat(value)
        for key, value in archive.state.with_prefix(WINDOW_CLOSED_KEY).items()
        if value
    }


def threads_of(
    archive: Archive,
    folder: Folder | None = None,
    after: ThreadView | None = None,
    limit: int | None = None,
    customer_since: datetime | None = None,
) -> list[ThreadView]:
    """Threads of a folder (every thread when None), newest first; a page of at most `limit`
    rows after the row `after` when given (the thread list reads what is on screen); only
    those whose customer wrote since `customer_since` when given (open reply windows)."""
    closed = _closed_at(archive)
    rows = archive.threads.newest_first(
        folder,
        after=None if after is None else (after.sort_time, after.id),
        limit=limit,
        customer_since=customer_since,
    )
    return [thread_view(row, closed.get(row.id)) for row in rows]


def threads_by_id(archive: Archive, thread_ids: Collection[str]) -> list[ThreadView]:
    """The threads with these ids that exist, in no particular order."""
    closed = _closed_at(archive)
    if len(thread_ids) > _BULK:
        rows: Iterable[ThreadRow | None] = archive.threads.with_ids(thread_ids)
    else:
        rows = (archive.threads.get(thread_id) for thread_id in dict.fromkeys(thread_ids))
    return [thread_view(row, closed.get(row.id)) for row in rows if row is not None]


def thread_of(archive: Archive, thread_id: str) -> ThreadView | None:
    found = threads_by_id(archive, (thread_id,))
    return found[0] if found else None


def outbox_view(entry: OutboxEntry) -> OutboxView:
    message = entry.body.get("message")
    text = str(message.get("text") or "") if isinstance(message, dict) else ""
    failure = failure_text(entry.error)
    return OutboxView(entry.id, entry.thread_id, entry.state, text, entry.attempts, failure)


def unsent_of(archive: Archive, thread_id: str) -> list[OutboxView]:
    """Replies of a thread that are not (known to be) sent yet, oldest first."""
    states = [state for state in OutboxState if state is not OutboxState.SENT]
    return [outbox_view(e) for e in archive.outbox.entries(states=states, thread_id=thread_id)]


def conversation_of(archive: Archive, thread_id: str, page: int) -> ConversationView | None:
    """A thread with its newest `page` messages, unsent replies, draft and customer."""
    thread = thread_of(archive, thread_id)
    if thread is None:
        return None
    messages = archive.messages.of_thread(thread_id, limit=page)
    return ConversationView(
        thread=thread,
        messages=tuple(messages),
        has_older=len(messages) >= page,
        unsent=tuple(unsent_of(archive, thread_id)),
        draft=archive.drafts.get(thread_id),
        contact=archive.contacts.get(thread.contact_id),
        customer_since=messages[0].created_time if messages else thread.created_at,
    )


def search_of(archive: Archive, query: str, limit: int) -> list[SearchResult]:
    """Messages matching `query`, newest first, with their customers' names."""
    hits = archive.search.find(query, limit=limit)
    names = {v.id: v for v in threads_by_id(archive, {hit.thread_id for hit in hits})}
    results = []
    for hit in hits:
        thread = names.get(hit.thread_id)
        results.append(
            SearchResult(
                hit.thread_id,
                hit.message_id,
                hit.snippet,
                hit.created_time,
                thread.contact_name if thread else "",
                thread.contact_username if thread else "",
            )
        )
    return results


def messages_by_id(archive: Archive, message_ids: Iterable[str]) -> list[Message]:
    """The stored messages with these ids, in the order given (missing ones left out)."""
    found = (archive.messages.get(message_id) for message_id in message_ids)
    return [message for message in found if message is not None]


def changes_of(
    archive: Archive, thread_ids: Collection[str]
) -> tuple[list[ThreadView], dict[Folder, int]]:
    """Changed threads and the unread counts, as a ThreadsChanged event carries them."""
    return threads_by_id(archive, thread_ids), archive.threads.unread_counts()


def export_of(archive: Archive, thread_ids: Iterable[str]) -> list[dict[str, Any]]:
    """`igdesk export`'s records of these threads (the shape is a contract: store/export.py)."""
    rows = (archive.threads.get(thread_id) for thread_id in thread_ids)
    return [archive.export.record(row) for row in rows if row is not None]


def sync_report_of(archive: Archive) -> SyncReport:
    unreadable = UnreadableThreads.loads(archive.state.get(UNREADABLE_KEY)).entries()
    usernames = {}
    for entry in unreadable:
        contact = archive.contacts.get(entry.customer_id) if entry.customer_id else None
        if contact is not None and contact.username:
            usernames[entry.customer_id] = contact.username
    return SyncReport(
        refused_fields=ReadFields.loads(archive.state.get(FIELDS_KEY)).refused,
        unreadable=tuple(unreadable),
        usernames=usernames,
    )
