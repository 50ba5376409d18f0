"""One sync pass: list conversations newest first, fetch what changed, apply it to the archive.

The first pass reads every listed conversation, the readable messages of each and every
customer's profile. Later passes stop listing at the first conversation updated before the last
complete pass's newest one, and skip any conversation whose newest message (the list call's
one-message preview) is already archived. So a pass with nothing new costs one request, two
messages in the same second are never mistaken for one, and a pass killed half-way resumes
where it stopped without fetching anything twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from igdesk.domain import Account, Contact, ConversationRef, Message, parse_graph_time
from igdesk.graph import GraphClient
from igdesk.graph.errors import (
    BadResponseError,
    ConsentRequiredError,
    GraphError,
    InvalidRequestError,
    TokenError,
    UserUnavailableError,
)
from igdesk.store import Archive
from igdesk.sync.ingest import ThreadUpdate, apply_thread, readable_batch_is_full

log = logging.getLogger("igdesk.sync")

#: Sync-state key: newest conversation update time that a complete pass has applied.
HIGH_WATER_KEY = "conversations.high_water"


@dataclass
class SyncSummary:
    """What one pass did, for the command line and the status bar."""

    conversations_listed: int = 0
    threads_updated: int = 0
    threads_created: int = 0
    new_messages: int = 0
    new_customer_messages: int = 0
    profiles_fetched: int = 0
    #: Conversations whose answer was unusable this pass; they are read again next pass.
    threads_failed: int = 0
    #: True for the archive's first complete listing (history, not news).
    first_pass: bool = False
    requests: int = 0
    seconds: float = 0.0
    updates: list[ThreadUpdate] = field(default_factory=list)


ProgressCallback = Callable[[SyncSummary], None]


class Syncer:
    """Runs sync passes of one account into one archive."""

    def __init__(self, client: GraphClient, archive: Archive) -> None:
        self._client = client
        self._archive = archive
        self._needs_profile: set[str] = set()

    async def account(self) -> Account:
        """The shop's account, from the archive or (first time) from `/me`."""
        account = self._archive.account()
        if account is None:
            account = await self._client.me()
            self._archive.save_account(account)
        return account

    async def run_once(self, on_progress: ProgressCallback | None = None) -> SyncSummary:
        """One complete pass. Raises GraphError subclasses; what was applied stays applied.

        `on_progress` is called after each conversation with the summary so far.
        """
        started = time.monotonic()
        requests_before = self._client.request_count
        summary = SyncSummary()
        account = await self.account()
        high_water = self._high_water()
        summary.first_pass = high_water is None
        self._needs_profile = set(self._archive.contacts_without_profile())
        newest_seen: datetime | None = None

        async for page in self._client.conversations(account):
            stop = False
            for ref in page:
                updated = ref.updated_time
                if updated is not None and (newest_seen is None or updated > newest_seen):
                    newest_seen = updated
                if high_water is not None and updated is not None and updated < high_water:
                    stop = True
                    break
                summary.conversations_listed += 1
                if self._is_current(ref):
                    continue
                try:
                    update = await self._sync_thread(account, ref, summary)
                except (BadResponseError, InvalidRequestError) as error:
                    # One unusable conversation must not cost the others: skip it, and keep
                    # the high-water mark where it was so the next pass reads it again.
                    log.warning("conversation skipped this pass: %s", type(error).__name__)
                    summary.threads_failed += 1
                    continue
                if update is not None:
                    summary.updates.append(update)
                    summary.threads_updated += 1
                    summary.threads_created += int(update.created)
                    summary.new_messages += len(update.new_message_ids)
                    summary.new_customer_messages += update.new_customer_messages
                if on_progress is not None:
                    summary.requests = self._client.request_count - requests_before
                    on_progress(summary)
            if stop:
                break

        complete = not summary.threads_failed
        if (
            complete
            and newest_seen is not None
            and (high_water is None or newest_seen > high_water)
        ):
            self._archive.set_state(HIGH_WATER_KEY, newest_seen.isoformat())
        summary.requests = self._client.request_count - requests_before
        summary.seconds = time.monotonic() - started
        return summary

    def _is_current(self, ref: ConversationRef) -> bool:
        """True when the archive already holds this conversation as the list shows it."""
        stored = self._archive.thread(ref.id)
        if stored is None:
            return False
        if ref.updated_time is not None and stored.updated_time < ref.updated_time:
            return False  # a reaction, an unsend or an edit also moves the update time
        if ref.newest_message_id is not None:
            return self._archive.message(ref.newest_message_id) is not None
        return ref.updated_time is not None

    async def _sync_thread(
        self, account: Account, ref: ConversationRef, summary: SyncSummary
    ) -> ThreadUpdate | None:
        customer = _customer(ref, account)
        messages = await self._client.conversation_messages(ref.id, shop_id=account.id)
        if not messages and self._archive.thread(ref.id) is None:
            log.info("conversation without readable messages skipped")
            return None
        if customer is None:
            customer = _customer_from_messages(messages, account)
        if customer is None:
            log.warning("conversation without a customer skipped")
            return None
        contact = await self._profile(customer, summary)
        older: bool | None = None
        if readable_batch_is_full(messages):
            known = self._archive.message_ids(ref.id)
            oldest = min(messages, key=lambda m: m.created_time)
            if oldest.id not in known:
                all_ids = {mid for mid, _ in await self._client.message_ids(ref.id)}
                older = bool(all_ids - known - {m.id for m in messages})
        return apply_thread(
            self._archive,
            thread_id=ref.id,
            contact=contact,
            messages=messages,
            updated_time=ref.updated_time,
            older_history_exists=older,
        )

    async def _profile(self, customer: Contact, summary: SyncSummary) -> Contact:
        """The customer's profile, read once per customer; a refused read keeps what we know."""
        known = self._archive.contact(customer.id)
        if known is not None and customer.id not in self._needs_profile:
            return known
        try:
            profile = await self._client.profile(customer.id)
        except TokenError:
            raise
        except (ConsentRequiredError, UserUnavailableError):
            return customer
        except GraphError as error:
            log.info("profile not read: %s", type(error).__name__)
            return customer
        summary.profiles_fetched += 1
        self._needs_profile.discard(customer.id)
        merged = Contact(
            id=customer.id,
            username=profile.username or customer.username,
            name=profile.name,
            profile_pic=profile.profile_pic,
            follows_business=profile.follows_business,
            business_follows=profile.business_follows,
            follower_count=profile.follower_count,
            is_verified=profile.is_verified,
        )
        self._archive.upsert_contact(merged, profile_fetched=True)
        return merged

    def _high_water(self) -> datetime | None:
        value = self._archive.get_state(HIGH_WATER_KEY)
        if not value:
            return None
        try:
            return parse_graph_time(value)
        except ValueError:
            log.warning("sync high-water mark unreadable; doing a full pass")
            return None


def _customer(ref: ConversationRef, account: Account) -> Contact | None:
    for participant in ref.participants:
        if participant.id and participant.id != account.id:
            return participant
    return None


def _customer_from_messages(messages: list[Message], account: Account) -> Contact | None:
    for message in messages:
        if message.sender_id and message.sender_id != account.id:
            return Contact(id=message.sender_id)
    return None
