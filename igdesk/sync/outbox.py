"""The outbox sender: replies go out in order per thread, and never twice without anyone knowing.

A reply is written to the archive before any network call. Each entry then moves
pending → sending → sent | failed | unknown. The Send API has no idempotency key, so an entry
whose outcome is unknown (the request may have reached Meta: a dropped connection, a 5xx, a
crash mid-request) is reconciled against the conversation's newest messages before any retry.

The server's "window closed" verdict is kept per thread, and only from a window refusal
(`OutsideWindowError`): a HUMAN_AGENT send refused because the app lacks that feature fails
with its own sentence and says nothing about the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from igdesk.domain import (
    Account,
    Attachment,
    Folder,
    Message,
    WindowState,
    effective_window,
    folder_after_shop_message,
    utc_now,
)
from igdesk.errors import IgdeskError
from igdesk.graph import GraphClient
from igdesk.graph.errormap import human_agent_refusal
from igdesk.graph.errors import (
    GraphError,
    OutsideWindowError,
    RateLimitError,
    SendOutcomeUnknownError,
    TokenError,
    TransientError,
)
from igdesk.i18n import Text, Words
from igdesk.store import Archive, ArchiveError
from igdesk.store.outbox import OutboxEntry, OutboxState
from igdesk.store.worker import ArchiveWorker

log = logging.getLogger("igdesk.sync.outbox")

#: Sync-state key prefix: when the API last said a thread's window is closed.
WINDOW_CLOSED_KEY = "window_closed_at:"
#: How far apart our clock and Meta's may be when matching an unknown send to a message.
CLOCK_SKEW = timedelta(minutes=5)
#: Meta's "(#100) Upload attachment failure": it could not fetch or accept the file.
UPLOAD_FAILURE_SUBCODE = 2018047
#: An unknown send that the conversation does not show is retried at most this often.
MAX_ATTEMPTS = 3
#: Seconds before the outbox is looked at again while something in it has to wait.
RETRY_DELAY = 5.0


@dataclass(frozen=True)
class SendResult:
    """What happened to one entry, for the event stream."""

    entry_id: int
    thread_id: str
    state: OutboxState


def text_json(text: Text) -> str:
    """The outbox keeps its failure reason as a catalogue message (no customer text in it)."""
    return json.dumps(text.to_json(), ensure_ascii=False)


def failure_text(error: str | None) -> Text | None:
    """The stored failure reason (None: none). Archives of older igdesk versions kept both
    sentences as {"en": …, "id": …}: their English is shown as it is."""
    if not error:
        return None
    try:
        data = json.loads(error)
    except ValueError:
        return Text(error)
    if not isinstance(data, dict):
        return Text(error)
    try:
        return Text.from_json(data)
    except ValueError:
        return Text(str(data.get("en") or error))


def sentence_of(error: str | None, lang: str) -> str:
    """The stored failure reason in `lang` ("" when there is none)."""
    text = failure_text(error)
    return "" if text is None else Words(lang).text(text)


def window_closed_at(archive: Archive, thread_id: str) -> datetime | None:
    value = archive.state.get(WINDOW_CLOSED_KEY + thread_id)
    return datetime.fromisoformat(value) if value else None


def current_window_state(
    archive: Archive, thread_id: str, now: datetime, *, human_agent: bool
) -> WindowState:
    """The window as igdesk knows it: our computation, overruled by the API's last verdict."""
    row = archive.threads.get(thread_id)
    if row is None:
        return WindowState.CLOSED
    return effective_window(
        row.last_customer_message_at,
        now,
        human_agent_allowed=human_agent,
        server_closed_at=window_closed_at(archive, thread_id),
    ).state


class OutboxSender:
    """Works the outbox until stopped; `wake()` when something was queued or came back online."""

    def __init__(
        self,
        client: Callable[[], GraphClient],
        db: ArchiveWorker,
        *,
        human_agent: Callable[[], bool],
        on_change: Callable[[SendResult], Awaitable[None]] | None = None,
        on_token_error: Callable[[TokenError], None] | None = None,
        settle_seconds: float = 30.0,
    ) -> None:
        self._client = client
        self._db = db
        self._human_agent = human_agent
        self._on_change = on_change
        self._on_token_error = on_token_error
        #: How long a request of unknown outcome may still be in flight at Meta: the
        #: conversation is not taken as proof of "not sent" before that.
        self.settle = timedelta(seconds=settle_seconds)
        self._wake = asyncio.Event()
        self._stopped = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    async def run(self) -> None:
        """Entries interrupted mid-send by a crash are 'unknown' first; then work forever."""
        sending = [OutboxState.SENDING]
        for entry in await self._db.write(lambda a: a.outbox.entries(states=sending)):
            await self._set(entry, OutboxState.UNKNOWN)
        while not self._stopped:
            self._wake.clear()
            try:
                blocked = await self.work_once()
            except ArchiveError as error:  # the file went away or read-only: keep trying
                log.warning("outbox waits for the archive: %s", error.technical)
                blocked = True
            timeout = RETRY_DELAY if blocked else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    async def work_once(self) -> bool:
        """One pass over the outbox; True when something is waiting to be tried again."""
        blocked_threads: set[str] = set()
        waiting = False
        states = [OutboxState.PENDING, OutboxState.UNKNOWN]
        for entry in await self._db.write(lambda a: a.outbox.entries(states=states)):
            if entry.thread_id in blocked_threads:
                continue  # in order per thread: nothing overtakes an entry still waiting
            if not await self._work(entry):
                blocked_threads.add(entry.thread_id)
                waiting = True
            if self._stopped:
                break
        return waiting

    async def _work(self, entry: OutboxEntry) -> bool:
        """Handle one entry; False when it must wait (offline, rate limit, unknown kept)."""
        account = await self._db.write(lambda archive: archive.account.get())
        if account is None:
            return False
        if entry.state is OutboxState.UNKNOWN:
            if utc_now() - entry.updated_at < self.settle:
                return False  # the lost request may still be landing at Meta: look later
            found = await self._reconcile(entry, account)
            if found is None:
                return False  # could not check: try later, never resend blind
            if found:
                return True
            if entry.attempts >= MAX_ATTEMPTS:
                await self._fail(entry, _NOT_CONFIRMED)
                return True
        return await self._send(entry, account)

    async def _send(self, entry: OutboxEntry, account: Account) -> bool:
        body = dict(entry.body)
        state = await self._db.write(
            current_window_state, entry.thread_id, utc_now(), human_agent=self._human_agent()
        )
        if state is WindowState.CLOSED:
            await self._fail(entry, _WINDOW_CLOSED)
            return True
        tagged = state is WindowState.HUMAN_AGENT
        if tagged:
            body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        await self._set(entry, OutboxState.SENDING)
        try:
            answer = await self._client().send(account, body)
        except SendOutcomeUnknownError:
            await self._set(entry, OutboxState.UNKNOWN)
            return False
        except TokenError as error:
            await self._set(entry, OutboxState.PENDING)
            if self._on_token_error is not None:
                self._on_token_error(error)
            return False
        except (RateLimitError, TransientError):
            await self._set(entry, OutboxState.PENDING)  # nothing went out: try again later
            return False
        except OutsideWindowError as error:
            key = WINDOW_CLOSED_KEY + entry.thread_id
            closed = utc_now().isoformat()
            await self._db.write(lambda archive: archive.state.set(key, closed))
            await self._fail(entry, error.text)
            return True
        except GraphError as error:
            # Never retried by itself (the owner may Retry); a refused tag is not a window
            # verdict, so nothing is recorded for the thread here.
            reason = human_agent_refusal(error) if tagged else error
            if error.subcode == UPLOAD_FAILURE_SUBCODE:
                await self._fail(entry, _UPLOAD_FAILED)
            else:
                await self._fail(entry, reason.text)
            return True
        except IgdeskError as error:  # no token at all
            await self._set(entry, OutboxState.PENDING)
            log.info("send waits: %s", type(error).__name__)
            return False
        message_id = str(answer.get("message_id") or "")
        await self._db.write(_delivered, entry, account, message_id)
        await self._changed(entry, OutboxState.SENT)
        return True

    async def _reconcile(self, entry: OutboxEntry, account: Account) -> bool | None:
        """Is an unknown send in the conversation? True (now marked sent), False, None: unknown."""
        try:
            messages = await self._client().conversation_messages(
                entry.thread_id, shop_id=account.id
            )
        except TokenError as error:
            if self._on_token_error is not None:
                self._on_token_error(error)
            return None
        except (GraphError, IgdeskError) as error:
            log.info("reconcile postponed: %s", type(error).__name__)
            return None
        thread_id = entry.thread_id
        entries = await self._db.write(lambda a: a.outbox.entries(thread_id=thread_id))
        match = _matching_message(entry, messages, {e.message_id for e in entries})
        if match is None:
            log.info("outbox entry %d not in the conversation; it will be sent", entry.id)
            return False
        await self._db.write(_delivered, entry, account, match.id, found=match)
        await self._changed(entry, OutboxState.SENT)
        return True

    async def _set(self, entry: OutboxEntry, state: OutboxState) -> None:
        await self._db.write(lambda archive: archive.outbox.update(entry.id, state=state))
        await self._changed(entry, state)

    async def _fail(self, entry: OutboxEntry, reason: Text) -> None:
        error = text_json(reason)
        await self._db.write(
            lambda a: a.outbox.update(entry.id, state=OutboxState.FAILED, error=error)
        )
        await self._changed(entry, OutboxState.FAILED)

    async def _changed(self, entry: OutboxEntry, state: OutboxState) -> None:
        if self._on_change is not None:
            await self._on_change(SendResult(entry.id, entry.thread_id, state))


def _delivered(
    archive: Archive,
    entry: OutboxEntry,
    account: Account,
    message_id: str,
    *,
    found: Message | None = None,
) -> None:
    """Sent (a job on the archive's writer thread): record the id (the echo carries the same
    one), store the message as the conversation showed it (`found`) or as we sent it, and
    apply the folder rule."""
    with archive.transaction():
        if found is not None:
            archive.messages.upsert(entry.thread_id, [found])
        archive.outbox.update(entry.id, state=OutboxState.SENT, message_id=message_id)
        if message_id and archive.messages.get(message_id) is None:
            archive.messages.upsert(entry.thread_id, [_local_copy(entry, account, message_id)])
        row = archive.threads.get(entry.thread_id)
        if row is not None:
            contact = archive.contacts.get(row.contact_id)
            folder = folder_after_shop_message(
                row.folder,
                follows_business=contact.follows_business if contact else None,
                from_igdesk=True,
            )
            if folder is not row.folder and row.folder is not Folder.DENIED:
                archive.threads.set_folder(entry.thread_id, folder)
            archive.threads.mark_read(entry.thread_id)


def _matching_message(
    entry: OutboxEntry, messages: list[Message], taken: set[str | None]
) -> Message | None:
    """The shop's message that is this entry: same text and kind, sent after it was queued."""
    text = str((entry.body.get("message") or {}).get("text") or "")
    since = entry.created_at - CLOCK_SKEW
    for message in messages:
        if not message.is_from_shop or message.id in taken or message.created_time < since:
            continue
        if text and message.text == text:
            return message
        if not text and message.attachments:
            return message
    return None


def _local_copy(entry: OutboxEntry, account: Account, message_id: str) -> Message:
    """Our sent message as the archive shows it until the poll brings Meta's own copy."""
    message = entry.body.get("message") or {}
    items = message.get("attachments") or [message.get("attachment")]
    attachments = tuple(
        Attachment(str(item.get("type")), str((item.get("payload") or {}).get("url") or ""))
        for item in items
        if isinstance(item, dict) and item.get("type")
    )
    return Message(
        id=message_id,
        thread_id=entry.thread_id,
        sender_id=account.id,
        created_time=utc_now(),
        text=str(message.get("text") or ""),
        attachments=attachments,
        is_from_shop=True,
    )


_WINDOW_CLOSED = Text(
    "Not sent: the reply window of this chat has closed. Wait for the customer to write again."
)
_UPLOAD_FAILED = Text(
    "Not sent: Instagram could not fetch or accept this file. Check that the link opens the "
    "file itself and that it is within Instagram's type and size limits."
)
_NOT_CONFIRMED = Text(
    "igdesk could not confirm this reply went out. Check the chat in Instagram, then Retry "
    "or Delete."
)
