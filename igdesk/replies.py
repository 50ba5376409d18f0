"""`Replies`: what the owner sends (text, files by link, posts, the heart, reactions and the
typing indicator), queued in the outbox (igdesk.sync.outbox) where a send can be lost, and the
sender that works it. App owns one (`app.replies`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence

from igdesk.config import Settings
from igdesk.domain import (
    MAX_IMAGES_PER_MESSAGE,
    MAX_TEXT_BYTES,
    Account,
    Post,
    Reaction,
    WindowState,
    text_bytes,
    utc_now,
)
from igdesk.errors import IgdeskError
from igdesk.events import EventHub, MessagesAdded, OutboxChanged, SignInNeeded
from igdesk.graph import GraphClient
from igdesk.graph.errors import GraphError, TokenError
from igdesk.i18n import Text
from igdesk.inbox import Inbox
from igdesk.store import Archive
from igdesk.store.outbox import OutboxState
from igdesk.store.worker import ArchiveWorker
from igdesk.sync.media_check import check_media_url
from igdesk.sync.outbox import OutboxSender, SendResult, current_window_state

log = logging.getLogger("igdesk.app")


class Replies:
    """Queueing replies and working the outbox of one profile (`App.replies`)."""

    def __init__(
        self,
        db: ArchiveWorker,
        inbox: Inbox,
        events: EventHub,
        *,
        client: Callable[[], GraphClient],
        settings: Settings,
        settle_seconds: float,
    ) -> None:
        """`client` gives the current Graph client (it changes with the token); `settings`
        are read at each use (the owner may change them); `settle_seconds` is how long a send
        of unknown outcome is given to land before the conversation is checked."""
        self._db = db
        self._inbox = inbox
        self._events = events
        self._client = client
        self._settings = settings
        self._settle_seconds = settle_seconds
        self._sender: OutboxSender | None = None
        self._send_task: asyncio.Task[None] | None = None

    async def send_text(self, thread_id: str, text: str, *, reply_to: str | None = None) -> int:
        """Queue a reply (written to the archive first) and wake the sender; the entry id.

        Raises IgdeskError with the reason when it cannot be sent at all.
        """
        if not text.strip():
            raise IgdeskError(Text("Write something first."))
        size = text_bytes(text)
        if size > MAX_TEXT_BYTES:
            raise IgdeskError(
                Text(
                    "This reply is {size} bytes; Instagram takes at most {most}. "
                    "Shorten it or split it.",
                    size=size,
                    most=MAX_TEXT_BYTES,
                )
            )
        extra: dict[str, object] = {"reply_to": {"mid": reply_to}} if reply_to else {}
        return await self._queue(thread_id, "text", {"text": text}, extra, clear_draft=True)

    async def send_file_url(self, thread_id: str, kind: str, urls: Sequence[str]) -> int:
        """Queue photos (up to 10 in one message), or one video, voice note or PDF, that Meta
        fetches from public URLs.

        Every link is checked first (reachable, type, size), so a refusal is a clear sentence.
        """
        links = [urls] if isinstance(urls, str) else [url.strip() for url in urls if url.strip()]
        most = MAX_IMAGES_PER_MESSAGE if kind == "image" else 1
        if not links or len(links) > most:
            raise IgdeskError(Text("Send 1 to {most} links at once.", most=most))
        for url in links:
            await check_media_url(url, kind)
        items = [{"type": kind, "payload": {"url": url}} for url in links]
        message: dict[str, object] = (
            {"attachments": items} if kind == "image" else {"attachment": items[0]}
        )
        return await self._queue(thread_id, "attachment", message)

    async def shop_posts(self) -> list[Post]:
        """The shop's own recent posts, to share one in a chat."""
        account = await self._db.read(lambda archive: archive.account.get())
        if account is None:
            return []
        return await self._client().media(account)

    async def share_post(self, thread_id: str, post_id: str) -> int:
        """Queue one of the shop's own posts (MEDIA_SHARE)."""
        share: dict[str, object] = {
            "attachment": {"type": "MEDIA_SHARE", "payload": {"id": post_id}}
        }
        return await self._queue(thread_id, "share", share)

    async def react(self, thread_id: str, message_id: str, emoji: str | None) -> None:
        """React to a customer's message with an emoji, or remove the reaction (None)."""
        to = await self._db.read(_recipient, thread_id)
        message = await self._db.read(lambda archive: archive.messages.get(message_id))
        if to is None or message is None:
            return
        customer_id, account = to
        payload: dict[str, str] = {"message_id": message_id}
        if emoji:
            payload["reaction"] = emoji
        body = {
            "recipient": {"id": customer_id},
            "sender_action": "react" if emoji else "unreact",
            "payload": payload,
        }
        await self._client().send(account, body)
        others = tuple(r for r in message.reactions if r.user_id != account.id)
        mine = (Reaction(account.id, emoji),) if emoji else ()
        mixed = dataclasses.replace(message, reactions=others + mine)
        await self._db.write(lambda archive: archive.messages.upsert(thread_id, [mixed]))
        self._events.emit(MessagesAdded(thread_id, (message_id,)))

    async def send_heart(self, thread_id: str) -> int:
        """Queue the heart sticker (`like_heart`)."""
        return await self._queue(thread_id, "sticker", {"attachment": {"type": "like_heart"}})

    async def typing(self, thread_id: str, on: bool) -> None:
        """Best-effort typing indicator (off by default in Settings); never queued."""
        if not self._settings.typing_indicator:
            return
        to = await self._db.read(_recipient, thread_id)
        if to is None:
            return
        customer_id, account = to
        action = "typing_on" if on else "typing_off"
        try:
            body = {"recipient": {"id": customer_id}, "sender_action": action}
            await self._client().send(account, body)
        except (GraphError, IgdeskError) as error:
            log.info("typing indicator not sent: %s", type(error).__name__)

    async def _queue(
        self,
        thread_id: str,
        kind: str,
        message: dict[str, object],
        extra: dict[str, object] | None = None,
        *,
        clear_draft: bool = False,
    ) -> int:
        """Write one outgoing message to the outbox (refused when the window is closed)."""
        human_agent = self._settings.human_agent_allowed
        entry_id = await self._db.write(
            _queue, thread_id, kind, message, extra or {}, human_agent, clear_draft
        )
        self._events.emit(OutboxChanged(thread_id, entry_id))
        self._wake_sender()
        return entry_id

    async def retry_send(self, entry_id: int) -> None:
        """Send a failed reply again (the owner's Retry)."""
        thread_id = await self._db.write(_retry, entry_id)
        if thread_id is not None:
            self._events.emit(OutboxChanged(thread_id, entry_id))
            self._wake_sender()

    async def delete_send(self, entry_id: int) -> None:
        """Drop a reply that was not sent (failed or still waiting); sent ones stay history."""
        thread_id = await self._db.write(_delete, entry_id)
        if thread_id is not None:
            self._events.emit(OutboxChanged(thread_id, entry_id))

    async def unsent_count(self) -> int:
        """Replies written but not known to be sent (waiting, sending, failed, unknown)."""
        unsent = [state for state in OutboxState if state is not OutboxState.SENT]
        entries = await self._db.read(lambda archive: archive.outbox.entries(states=unsent))
        return len(entries)

    async def flush_outbox(self) -> bool:
        """One pass over the outbox now; True when something still waits to be retried."""
        return await self._outbox_sender().work_once()

    def start_sending(self) -> None:
        """Work the outbox in the background (owned here; `stop` and `aclose` end it)."""
        if self._send_task is not None:
            return
        sender = self._outbox_sender()
        self._send_task = asyncio.get_running_loop().create_task(sender.run(), name="igdesk-outbox")

    def _outbox_sender(self) -> OutboxSender:
        if self._sender is not None:
            return self._sender

        async def changed(result: SendResult) -> None:
            self._events.emit(OutboxChanged(result.thread_id, result.entry_id))
            if result.state is OutboxState.SENT:
                await self._inbox.announce((result.thread_id,))
                entry = await self._db.read(lambda archive: archive.outbox.get(result.entry_id))
                if entry is not None and entry.message_id:
                    self._events.emit(MessagesAdded(result.thread_id, (entry.message_id,)))

        def token_refused(error: TokenError) -> None:
            self._events.emit(SignInNeeded(error.text))

        self._sender = OutboxSender(
            self._client,
            self._db,
            human_agent=lambda: self._settings.human_agent_allowed,
            on_change=changed,
            on_token_error=token_refused,
            settle_seconds=self._settle_seconds,
        )
        return self._sender

    def stop(self) -> None:
        """Ask the sender to stop after the entry it is working on."""
        if self._sender is not None:
            self._sender.stop()

    async def aclose(self) -> None:
        """Stop the sender and wait for it to end."""
        self.stop()
        if self._send_task is not None:
            await asyncio.gather(self._send_task, return_exceptions=True)
            self._send_task = None

    def _wake_sender(self) -> None:
        if self._sender is not None:
            self._sender.wake()


# --- jobs on the archive's threads ---------------------------------------------------------


def _recipient(archive: Archive, thread_id: str) -> tuple[str, Account] | None:
    """(the customer's id, the shop's account) of a thread, for a sender action."""
    row = archive.threads.get(thread_id)
    account = archive.account.get()
    return None if row is None or account is None else (row.contact_id, account)


def _queue(
    archive: Archive,
    thread_id: str,
    kind: str,
    message: dict[str, object],
    extra: dict[str, object],
    human_agent: bool,
    clear_draft: bool,
) -> int:
    """Write one outgoing message to the outbox; the entry id. Refused with a sentence when
    the thread is gone or its window is closed."""
    row = archive.threads.get(thread_id)
    if row is None:
        raise IgdeskError(Text("This conversation is no longer here."))
    state = current_window_state(archive, thread_id, utc_now(), human_agent=human_agent)
    if state is WindowState.CLOSED:
        raise IgdeskError(
            Text("The reply window of this chat has closed. Wait for the customer to write again.")
        )
    body = {"recipient": {"id": row.contact_id}, "message": message, **extra}
    entry_id = archive.outbox.add(thread_id, row.contact_id, kind, body)  # fsynced on its own
    if clear_draft:
        archive.drafts.save(thread_id, "")
    return entry_id


def _retry(archive: Archive, entry_id: int) -> str | None:
    """A failed entry back to pending; its thread id (None when it is not a failed one)."""
    entry = archive.outbox.get(entry_id)
    if entry is None or entry.state is not OutboxState.FAILED:
        return None
    archive.outbox.update(entry_id, state=OutboxState.PENDING)
    return entry.thread_id


def _delete(archive: Archive, entry_id: int) -> str | None:
    """Remove an entry not sent; its thread id (None when it is gone, sent or sending)."""
    entry = archive.outbox.get(entry_id)
    if entry is None or entry.state in (OutboxState.SENT, OutboxState.SENDING):
        return None
    archive.outbox.delete(entry_id)
    return entry.thread_id
