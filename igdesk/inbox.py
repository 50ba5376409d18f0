"""The window's door to the archive: reads that return views, and the owner's local changes.

Reads run on the archive's reader thread and return small frozen views (igdesk.views); the
owner's changes (folders, read state, drafts, window flags) run as jobs on its writer thread
and announce what changed with the new views. Nothing here blocks the event loop, and nothing
here hands out the archive, a connection or a row of `store/`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from igdesk import changes, views
from igdesk.domain import Account, Contact, Folder, Message
from igdesk.events import EventHub, ThreadsChanged
from igdesk.store.worker import ArchiveWorker
from igdesk.views import ConversationView, OutboxView, SearchResult, SyncReport, ThreadView

#: Messages of a thread the window shows at first: more than the tallest window holds, few
#: enough that opening a 5,000-message thread costs what opening a short one does (older
#: ones come as the owner scrolls up).
PAGE = 60
#: Threads read per job by `export`.
EXPORT_BATCH = 100
#: Sync-state key prefix of the window's small remembered choices.
UI_FLAG_PREFIX = "ui."


class Inbox:
    """Reads and local changes for one profile's archive (`App.inbox`)."""

    def __init__(
        self,
        db: ArchiveWorker,
        events: EventHub,
        *,
        mark_seen: Callable[[str], Awaitable[None]],
    ) -> None:
        self._db = db
        self._events = events
        self._mark_seen = mark_seen
        self._drafts: dict[str, Future[None]] = {}

    # --- the owner's local changes (on the writer thread) -------------------------------------

    async def open_thread(self, thread_id: str) -> None:
        """The owner opened a thread: mark it read, and seen on Instagram unless it's a request.

        Requests are never marked seen (design.md) until they are accepted.
        """
        contact_id = await self._db.write(changes.mark_read, thread_id)
        if contact_id is not None:
            await self.announce((thread_id,))
            await self._mark_seen(contact_id)

    async def accept(self, thread_id: str, folder: Folder = Folder.PRIMARY) -> None:
        """Accept a request (to Primary unless told), then open it as read and seen."""
        await self._db.write(changes.accept, thread_id, folder)
        await self.announce((thread_id,))
        await self.open_thread(thread_id)

    async def deny(self, thread_id: str) -> None:
        """Hide a request; `restore` (Undo, or from the Denied view) brings it back."""
        await self._db.write(changes.deny, thread_id)
        await self.announce((thread_id,))

    async def restore(self, thread_id: str) -> None:
        """Undo a deny: back to the folder it came from (Requests unless it was elsewhere)."""
        if await self._db.write(changes.restore, thread_id):
            await self.announce((thread_id,))

    async def move(self, thread_id: str, folder: Folder) -> None:
        """Move an accepted thread between Primary and General."""
        if folder not in (Folder.PRIMARY, Folder.GENERAL):
            raise ValueError("threads move between Primary and General")
        if await self._db.write(changes.move, thread_id, folder):
            await self.announce((thread_id,))

    def save_draft(self, thread_id: str, text: str) -> Future[None]:
        """Keep what the composer holds for a thread ("" deletes it). Queued at once, so a
        draft flushed as the window closes is written before the app closes; reads of the
        thread's conversation wait for it."""
        future = self._db.write_soon(lambda archive: archive.drafts.save(thread_id, text))
        self._drafts[thread_id] = future
        return future

    async def set_ui_flag(self, name: str) -> None:
        """Remember a small window choice (a notice dismissed) in the archive."""
        await self._db.write(lambda archive: archive.state.set(UI_FLAG_PREFIX + name, "1"))

    async def announce(self, thread_ids: Sequence[str]) -> list[ThreadView]:
        """Tell the window these threads changed, with their views and the new unread counts
        (App's parts call this after a sync pass or a send)."""
        threads, counts = await self._db.write(views.changes_of, thread_ids)
        self._events.emit(ThreadsChanged(tuple(threads), counts))
        return threads

    # --- reads (on the reader thread) -------------------------------------------------------

    async def account(self) -> Account | None:
        """The shop's account (None before the first sync)."""
        return await self._db.read(lambda archive: archive.account.get())

    async def threads(
        self,
        folder: Folder | None = None,
        *,
        after: ThreadView | None = None,
        limit: int | None = None,
        customer_since: datetime | None = None,
    ) -> list[ThreadView]:
        """Threads of a folder (every thread when None), newest first; with `limit`, one page
        of at most that many threads after the row `after` (None: from the newest); with
        `customer_since`, only threads whose customer wrote since then."""
        return await self._db.read(views.threads_of, folder, after, limit, customer_since)

    async def thread(self, thread_id: str) -> ThreadView | None:
        return await self._db.read(views.thread_of, thread_id)

    async def conversation(self, thread_id: str, *, page: int = PAGE) -> ConversationView | None:
        """A thread as it opens: its newest `page` messages, unsent replies, draft, customer."""
        await self._draft_saved(thread_id)
        return await self._db.read(views.conversation_of, thread_id, page)

    async def messages(
        self, thread_id: str, *, limit: int = PAGE, before: Message | None = None
    ) -> list[Message]:
        """Up to `limit` messages, oldest first, older than `before` when given."""
        if before is None:
            return await self._db.read(lambda a: a.messages.of_thread(thread_id, limit=limit))
        # By id only: messages of the same second as `before` but stored before it are older
        # too (a time bound would skip them for good).
        return await self._db.read(
            lambda a: a.messages.of_thread(thread_id, limit=limit, before_id=before.id)
        )

    async def messages_by_id(self, message_ids: Sequence[str]) -> list[Message]:
        """The stored messages with these ids, in that order (missing ones left out)."""
        return await self._db.read(views.messages_by_id, message_ids)

    async def search(self, query: str, *, limit: int = 50) -> list[SearchResult]:
        """Messages matching `query`, newest first (any input is safe)."""
        return await self._db.read(views.search_of, query, limit)

    async def unread_counts(self) -> dict[Folder, int]:
        """Threads with unread messages, per folder."""
        return await self._db.read(lambda archive: archive.threads.unread_counts())

    async def contact(self, contact_id: str) -> Contact | None:
        return await self._db.read(lambda archive: archive.contacts.get(contact_id))

    async def draft(self, thread_id: str) -> str:
        await self._draft_saved(thread_id)
        return await self._db.read(lambda archive: archive.drafts.get(thread_id))

    async def unsent(self, thread_id: str) -> list[OutboxView]:
        """Replies of a thread that are not (known to be) sent yet, oldest first."""
        return await self._db.read(views.unsent_of, thread_id)

    async def ui_flag(self, name: str) -> bool:
        """A window choice remembered with `set_ui_flag`."""
        return await self._db.read(lambda archive: archive.state.get(UI_FLAG_PREFIX + name)) == "1"

    async def export(self) -> AsyncIterator[dict[str, Any]]:
        """Every thread in `igdesk export`'s shape, newest first, read a batch at a time."""
        thread_ids = [thread.id for thread in await self.threads()]
        for start in range(0, len(thread_ids), EXPORT_BATCH):
            batch = thread_ids[start : start + EXPORT_BATCH]
            for record in await self._db.read(views.export_of, batch):
                yield record

    async def sync_report(self) -> SyncReport:
        """What the last passes could not do (refused fields, unreadable conversations)."""
        return await self._db.read(views.sync_report_of)

    async def _draft_saved(self, thread_id: str) -> None:
        """Wait for a draft of this thread still being written (read your own writes)."""
        future = self._drafts.pop(thread_id, None)
        if future is not None:
            with contextlib.suppress(Exception):  # a failed save was logged; read what is there
                await asyncio.wrap_future(future)
