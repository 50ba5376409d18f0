"""Replying, the App façade's half that sends: text, files by link, posts, the heart, reactions
and the typing indicator, all through the outbox (igdesk.sync.outbox) where it can be lost.

A mixin of App (igdesk.app), kept apart so each file reads as one concern.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence

from igdesk.config import Settings
from igdesk.domain import (
    MAX_IMAGES_PER_MESSAGE,
    MAX_TEXT_BYTES,
    Post,
    Reaction,
    WindowState,
    text_bytes,
    utc_now,
)
from igdesk.errors import IgdeskError
from igdesk.events import EventHub, MessagesAdded, OutboxChanged, SignInNeeded, ThreadsChanged
from igdesk.graph import GraphClient
from igdesk.graph.errors import GraphError, TokenError
from igdesk.i18n import Text
from igdesk.store import Archive
from igdesk.store.outbox import OutboxEntry, OutboxState
from igdesk.sync.media_check import check_media_url
from igdesk.sync.outbox import OutboxSender, SendResult, current_window_state

log = logging.getLogger("igdesk.app")


class Replying:
    """Queueing replies and working the outbox; App provides the parts below."""

    #: Seconds a send of unknown outcome is given to land before the conversation is checked.
    outbox_settle_seconds = 30.0

    settings: Settings
    events: EventHub
    _sender: OutboxSender | None
    _send_task: asyncio.Task[None] | None

    @property
    def archive(self) -> Archive:
        raise NotImplementedError

    @property
    def client(self) -> GraphClient:
        raise NotImplementedError

    def send_text(self, thread_id: str, text: str, *, reply_to: str | None = None) -> int:
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
        entry_id = self._queue(thread_id, "text", {"text": text}, extra)
        self.archive.save_draft(thread_id, "")
        return entry_id

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
        return self._queue(thread_id, "attachment", message)

    async def shop_posts(self) -> list[Post]:
        """The shop's own recent posts, to share one in a chat."""
        account = self.archive.account()
        if account is None:
            return []
        return await self.client.media(account)

    def share_post(self, thread_id: str, post_id: str) -> int:
        """Queue one of the shop's own posts (MEDIA_SHARE)."""
        share: dict[str, object] = {
            "attachment": {"type": "MEDIA_SHARE", "payload": {"id": post_id}}
        }
        return self._queue(thread_id, "share", share)

    async def react(self, thread_id: str, message_id: str, emoji: str | None) -> None:
        """React to a customer's message with an emoji, or remove the reaction (None)."""
        row = self.archive.thread(thread_id)
        account = self.archive.account()
        message = self.archive.message(message_id)
        if row is None or account is None or message is None:
            return
        payload: dict[str, str] = {"message_id": message_id}
        if emoji:
            payload["reaction"] = emoji
        body = {
            "recipient": {"id": row.contact_id},
            "sender_action": "react" if emoji else "unreact",
            "payload": payload,
        }
        await self.client.send(account, body)
        others = tuple(r for r in message.reactions if r.user_id != account.id)
        mine = (Reaction(account.id, emoji),) if emoji else ()
        self.archive.upsert_messages(
            thread_id, [dataclasses.replace(message, reactions=others + mine)]
        )
        self.events.emit(MessagesAdded(thread_id, (message_id,)))

    def send_heart(self, thread_id: str) -> int:
        """Queue the heart sticker (`like_heart`)."""
        return self._queue(thread_id, "sticker", {"attachment": {"type": "like_heart"}})

    async def typing(self, thread_id: str, on: bool) -> None:
        """Best-effort typing indicator (off by default in Settings); never queued."""
        row = self.archive.thread(thread_id)
        account = self.archive.account()
        if row is None or account is None or not self.settings.typing_indicator:
            return
        action = "typing_on" if on else "typing_off"
        try:
            body = {"recipient": {"id": row.contact_id}, "sender_action": action}
            await self.client.send(account, body)
        except (GraphError, IgdeskError) as error:
            log.info("typing indicator not sent: %s", type(error).__name__)

    def _queue(
        self,
        thread_id: str,
        kind: str,
        message: dict[str, object],
        extra: dict[str, object] | None = None,
    ) -> int:
        """Write one outgoing message to the outbox (refused when the window is closed)."""
        row = self.archive.thread(thread_id)
        if row is None:
            raise IgdeskError(Text("This conversation is no longer here."))
        state = current_window_state(
            self.archive, thread_id, utc_now(), human_agent=self.settings.human_agent_allowed
        )
        if state is WindowState.CLOSED:
            raise IgdeskError(
                Text(
                    "The reply window of this chat has closed. "
                    "Wait for the customer to write again."
                )
            )
        body = {"recipient": {"id": row.contact_id}, "message": message, **(extra or {})}
        entry_id = self.archive.add_outbox(thread_id, row.contact_id, kind, body)
        self.events.emit(OutboxChanged(thread_id, entry_id))
        self._wake_sender()
        return entry_id

    def retry_send(self, entry_id: int) -> None:
        entry = self.archive.outbox_entry(entry_id)
        if entry is None or entry.state is not OutboxState.FAILED:
            return
        self.archive.update_outbox(entry_id, state=OutboxState.PENDING)
        self.events.emit(OutboxChanged(entry.thread_id, entry_id))
        self._wake_sender()

    def delete_send(self, entry_id: int) -> None:
        """Drop a reply that was not sent (failed or still waiting); sent ones stay history."""
        entry = self.archive.outbox_entry(entry_id)
        if entry is None or entry.state in (OutboxState.SENT, OutboxState.SENDING):
            return
        self.archive.delete_outbox(entry_id)
        self.events.emit(OutboxChanged(entry.thread_id, entry_id))

    def unsent(self, thread_id: str) -> list[OutboxEntry]:
        """Replies of a thread that are not (known to be) sent yet, oldest first."""
        states = [s for s in OutboxState if s is not OutboxState.SENT]
        return self.archive.outbox(states=states, thread_id=thread_id)

    async def flush_outbox(self) -> bool:
        """One pass over the outbox now; True when something still waits to be retried."""
        return await self._outbox_sender().work_once()

    def start_sending(self) -> None:
        """Work the outbox in the background (owned here; `aclose` stops it)."""
        if self._send_task is not None:
            return
        sender = self._outbox_sender()
        self._send_task = asyncio.get_running_loop().create_task(sender.run(), name="igdesk-outbox")

    def _outbox_sender(self) -> OutboxSender:
        if self._sender is not None:
            return self._sender

        def changed(result: SendResult) -> None:
            self.events.emit(OutboxChanged(result.thread_id, result.entry_id))
            if result.state is OutboxState.SENT:
                self.events.emit(ThreadsChanged((result.thread_id,)))
                entry = self.archive.outbox_entry(result.entry_id)
                if entry is not None and entry.message_id:
                    self.events.emit(MessagesAdded(result.thread_id, (entry.message_id,)))

        def token_refused(error: TokenError) -> None:
            self.events.emit(SignInNeeded(error.text))

        self._sender = OutboxSender(
            lambda: self.client,
            self.archive,
            human_agent=lambda: self.settings.human_agent_allowed,
            on_change=changed,
            on_token_error=token_refused,
            settle_seconds=self.outbox_settle_seconds,
        )
        return self._sender

    def _wake_sender(self) -> None:
        if self._sender is not None:
            self._sender.wake()
