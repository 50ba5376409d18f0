"""One sync pass: list conversations newest first, read what changed, apply it to the archive.

The first pass reads every listed conversation with its readable messages in the list call
itself (nested expansion: one conversations call a page, not one a thread), then each
customer's profile once. Later passes list with a one-message preview, stop at the first
conversation updated before the last complete pass's newest one, and read only the
conversations whose newest message is not archived yet: an idle pass costs one request, and a
pass with k changed conversations 1 + k.

A conversation that cannot be read is remembered (`sync.unreadable`), tried again with a
growing wait, and reported: such a pass is "partly done", never a success, and a pass that
listed conversations but could read none of them raises `SyncIncompleteError`. A field the
account's API refuses is dropped and remembered in the archive (`graph.fields`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from igdesk.domain import Account, Contact, Message, parse_graph_time, utc_now
from igdesk.errors import IgdeskError
from igdesk.graph import GraphClient
from igdesk.graph.client import ListedConversation, ThreadRead
from igdesk.graph.errors import (
    BadResponseError,
    ConsentRequiredError,
    GraphError,
    InvalidRequestError,
    MessageUnreadableError,
    TokenError,
    TransientError,
    UserUnavailableError,
)
from igdesk.graph.fields import ReadFields
from igdesk.i18n import Text
from igdesk.store.worker import ArchiveWorker
from igdesk.sync import passjobs as jobs
from igdesk.sync.ingest import ThreadUpdate
from igdesk.sync.passjobs import HIGH_WATER_KEY
from igdesk.sync.unreadable import Unreadable, UnreadableThreads, unreadable_text

log = logging.getLogger("igdesk.sync")

#: A stored profile older than this is read again when its customer's thread changes.
PROFILE_MAX_AGE = timedelta(days=7)
#: Server failures in a row after which a pass stops reading (Instagram is having trouble).
MAX_SERVER_FAILURES_IN_ROW = 3

#: Failures of one conversation's read that cost only that conversation, not the pass.
_THREAD_FAILURES = (BadResponseError, InvalidRequestError, TransientError)


@dataclass
class SyncSummary:
    """What one pass did, for the command line and the status bar."""

    conversations_listed: int = 0
    threads_updated: int = 0
    threads_created: int = 0
    new_messages: int = 0
    new_customer_messages: int = 0
    profiles_fetched: int = 0
    #: Conversations read (or found current) this pass.
    threads_read: int = 0
    #: Conversations that could not be read this pass (they are tried again later).
    threads_failed: int = 0
    #: Every conversation known to be unreadable after this pass, this pass's failures included.
    unreadable: list[Unreadable] = field(default_factory=list)
    #: True for the archive's first complete listing (history, not news).
    first_pass: bool = False
    requests: int = 0
    seconds: float = 0.0
    updates: list[ThreadUpdate] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when nothing known is left unread."""
        return not self.unreadable

    def problem(self) -> Text | None:
        """The sentence for what could not be read (None when the pass is complete)."""
        return unreadable_text(self.unreadable)


class SyncIncompleteError(IgdeskError):
    """Conversations were listed but none of them could be read: the pass did nothing."""


ProgressCallback = Callable[[SyncSummary], None]
Clock = Callable[[], datetime]


class Syncer:
    """Runs sync passes of one account into one archive.

    Network calls run on the event loop; everything that touches the archive runs as a few
    jobs per conversation on the archive's writer thread (`ArchiveWorker.write`), so a pass
    never blocks the loop, even while another process holds the archive's write lock.
    """

    def __init__(self, client: GraphClient, db: ArchiveWorker, *, clock: Clock = utc_now) -> None:
        self._client = client
        self._db = db
        #: Decides when an unreadable conversation is due again (tests move it forward).
        self.clock = clock
        self._needs_profile: set[str] = set()
        self._server_failures = 0
        self._saved_fields: str | None = None  # read from the archive by the first pass

    async def account(self) -> Account:
        """The shop's account, from the archive or (first time) from `/me`."""
        account = await self._db.write(lambda archive: archive.account.get())
        if account is None:
            me = await self._client.me()
            await self._db.write(lambda archive: archive.account.save(me))
            return me
        return account

    async def run_once(self, on_progress: ProgressCallback | None = None) -> SyncSummary:
        """One complete pass. Raises GraphError subclasses; what was applied stays applied.

        `on_progress` is called after each conversation with the summary so far.
        """
        started = time.monotonic()
        requests_before = self._client.request_count
        summary = SyncSummary()
        account = await self.account()
        start = await self._db.write(jobs.pass_start)
        if self._saved_fields is None:
            self._client.fields = ReadFields.loads(start.fields)
            self._saved_fields = self._client.fields.dumps()
        high_water = _high_water(start.high_water)
        summary.first_pass = high_water is None
        self._needs_profile = set(start.needs_profile)
        self._server_failures = 0
        unreadable = UnreadableThreads.loads(start.unreadable)
        newest_seen: datetime | None = None
        listed_ids: set[str] = set()
        try:
            async for page in self._client.conversations(account, nested=summary.first_pass):
                stop = False
                for listed in page:
                    updated = listed.ref.updated_time
                    if updated is not None and (newest_seen is None or updated > newest_seen):
                        newest_seen = updated
                    if high_water is not None and updated is not None and updated < high_water:
                        stop = True
                        break
                    summary.conversations_listed += 1
                    listed_ids.add(listed.ref.id)
                    await self._take(account, listed, unreadable, summary)
                    if on_progress is not None:
                        summary.requests = self._client.request_count - requests_before
                        on_progress(summary)
                if stop:
                    break
            for entry in unreadable.due(self.clock()):
                if entry.thread_id not in listed_ids:
                    await self._retry(account, entry, unreadable, summary)
        finally:
            await self._save(unreadable)
        if newest_seen is not None and (high_water is None or newest_seen > high_water):
            mark = newest_seen.isoformat()
            await self._db.write(lambda archive: archive.state.set(HIGH_WATER_KEY, mark))
        summary.unreadable = unreadable.entries()
        summary.requests = self._client.request_count - requests_before
        summary.seconds = time.monotonic() - started
        if summary.threads_failed and not summary.threads_read:
            raise SyncIncompleteError(
                summary.problem() or Text("No conversation could be read."),
                technical="no conversation read",
            )
        return summary

    async def _take(
        self,
        account: Account,
        listed: ListedConversation,
        unreadable: UnreadableThreads,
        summary: SyncSummary,
    ) -> None:
        """Read and apply one listed conversation, or note why it could not be read."""
        ref = listed.ref
        if ref.id not in unreadable and await self._db.write(jobs.is_current, listed):
            self._count(None, summary)
            return
        if unreadable.waiting(ref.id, self.clock()):
            return  # failed recently: its turn comes when the wait is over
        customer = _customer(listed, account)
        try:
            if listed.messages is None:
                read = await self._client.read_thread(ref.id, shop_id=account.id)
            else:
                read = ThreadRead(listed.messages, listed.older_exists)
            update = await self._apply(account, ref.id, customer, read, ref.updated_time, summary)
        except _THREAD_FAILURES as error:
            self._failed(ref.id, customer, error, unreadable, summary)
            return
        unreadable.read(ref.id)
        self._count(update, summary)

    async def read_conversation(
        self, account: Account, listed: ListedConversation
    ) -> ThreadUpdate | None:
        """Read one listed conversation and apply it, profile included (a webhook's targeted
        fetch of a thread the archive does not know). Raises GraphError subclasses."""
        read = await self._client.read_thread(listed.ref.id, shop_id=account.id)
        customer = _customer(listed, account)
        updated = listed.ref.updated_time
        return await self._apply(account, listed.ref.id, customer, read, updated, SyncSummary())

    async def _retry(
        self,
        account: Account,
        entry: Unreadable,
        unreadable: UnreadableThreads,
        summary: SyncSummary,
    ) -> None:
        """Try again a conversation that failed before and was not listed this pass."""
        customer = Contact(id=entry.customer_id) if entry.customer_id else None
        try:
            read = await self._client.read_thread(entry.thread_id, shop_id=account.id)
            update = await self._apply(account, entry.thread_id, customer, read, None, summary)
        except _THREAD_FAILURES as error:
            self._failed(entry.thread_id, customer, error, unreadable, summary)
            return
        unreadable.read(entry.thread_id)
        self._count(update, summary)

    def _failed(
        self,
        thread_id: str,
        customer: Contact | None,
        error: GraphError,
        unreadable: UnreadableThreads,
        summary: SyncSummary,
    ) -> None:
        if isinstance(error, TransientError) and error.http_status is None:
            raise error  # the network is gone: the whole pass fails, nothing to blame here
        log.warning("conversation not read this pass: %s", type(error).__name__)
        unreadable.failed(thread_id, customer.id if customer else "", error, self.clock())
        summary.threads_failed += 1
        if isinstance(error, TransientError):
            self._server_failures += 1
            if self._server_failures >= MAX_SERVER_FAILURES_IN_ROW:
                raise error  # Instagram is having trouble: stop asking, the poller backs off

    def _count(self, update: ThreadUpdate | None, summary: SyncSummary) -> None:
        summary.threads_read += 1
        self._server_failures = 0
        if update is None:
            return
        summary.updates.append(update)
        summary.threads_updated += 1
        summary.threads_created += int(update.created)
        summary.new_messages += len(update.new_message_ids)
        summary.new_customer_messages += update.new_customer_messages

    async def _apply(
        self,
        account: Account,
        thread_id: str,
        customer: Contact | None,
        read: ThreadRead,
        updated_time: datetime | None,
        summary: SyncSummary,
    ) -> ThreadUpdate | None:
        messages = read.messages
        customer = customer or _customer_from_messages(messages, account)
        known = await self._db.write(
            jobs.known, thread_id, customer.id if customer else "", messages
        )
        if not messages and not known.exists:
            log.info("conversation without readable messages skipped")
            return None
        if customer is None:
            log.warning("conversation without a customer skipped")
            return None
        contact, fetched = await self._profile(customer, known, summary)
        older: bool | None = None
        if read.older_exists is not None:
            oldest = min(messages, key=lambda m: m.created_time, default=None)
            older = read.older_exists and oldest is not None and oldest.id not in known.message_ids
        return await self._db.write(
            jobs.store,
            fetched,
            thread_id=thread_id,
            contact=contact,
            messages=messages,
            updated_time=updated_time,
            older_history_exists=older,
            unsent_ids=await self._confirm_unsent(account, thread_id, known.maybe_unsent),
        )

    async def _confirm_unsent(
        self, account: Account, thread_id: str, maybe_unsent: list[str]
    ) -> list[str]:
        """Archived messages the read left out that Instagram confirms are gone (unsent).

        A message is only ever made a tombstone when reading it by id answers "deleted":
        one odd answer must never wipe a customer's words.
        """
        gone = []
        for message_id in maybe_unsent:
            try:
                await self._client.message(message_id, thread_id=thread_id, shop_id=account.id)
            except MessageUnreadableError:
                gone.append(message_id)
            except (InvalidRequestError, BadResponseError, TransientError) as error:
                log.info("unsend not confirmed: %s", type(error).__name__)
        return gone

    async def _profile(
        self, customer: Contact, stored: jobs.Known, summary: SyncSummary
    ) -> tuple[Contact, Contact | None]:
        """The customer's profile: read once, then again after a week or a new username.

        Returns the contact to store and, when the profile API answered now, that answer (it
        is stored as fetched). A refused read keeps what we know.
        """
        known = stored.contact
        if known is not None and not self._profile_stale(customer, known, stored.fetched_at):
            return known, None
        try:
            profile = await self._client.profile(customer.id)
        except TokenError:
            raise
        except (ConsentRequiredError, UserUnavailableError):
            return known or customer, None
        except GraphError as error:
            log.info("profile not read: %s", type(error).__name__)
            return known or customer, None
        summary.profiles_fetched += 1
        self._needs_profile.discard(customer.id)
        merged = replace(profile, id=customer.id, username=profile.username or customer.username)
        return merged, merged

    def _profile_stale(self, seen: Contact, known: Contact, fetched: datetime | None) -> bool:
        if seen.id in self._needs_profile:
            return True
        if seen.username and known.username and seen.username != known.username:
            return True
        return fetched is not None and self.clock() - fetched > PROFILE_MAX_AGE

    async def _save(self, unreadable: UnreadableThreads) -> None:
        fields = self._client.fields.dumps()
        changed_fields = fields if fields != self._saved_fields else None
        if changed_fields is not None or unreadable.changed:
            await self._db.write(
                jobs.save_state, changed_fields, unreadable.dumps() if unreadable.changed else None
            )
            self._saved_fields = fields


def _high_water(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_graph_time(value)
    except ValueError:
        log.warning("sync high-water mark unreadable; doing a full pass")
        return None


def _customer(listed: ListedConversation, account: Account) -> Contact | None:
    for participant in listed.ref.participants:
        if participant.id and participant.id != account.id:
            return participant
    return None


def _customer_from_messages(messages: list[Message], account: Account) -> Contact | None:
    for message in messages:
        if message.sender_id and message.sender_id != account.id:
            return Contact(id=message.sender_id)
    return None
