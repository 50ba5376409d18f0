"""Composition root: builds the archive, the Graph client, the syncer and the poller of a profile.

The headless commands and the window use the same object; the window reaches the rest only
through it: its async methods, `inbox` (reads that return views, the owner's local changes),
`replies` (what the owner sends, through the outbox) and the event stream. The archive itself
stays behind its worker threads (`ArchiveWorker`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from igdesk import changes, secrets, views
from igdesk.app_webhooks import Webhooks
from igdesk.config import Profile, Settings
from igdesk.domain import Message, utc_now
from igdesk.errors import IgdeskError, not_signed_in
from igdesk.events import CustomerWrote, MessagesAdded, SignInNeeded, SyncStatus
from igdesk.graph import GraphClient
from igdesk.graph.errors import GraphError, MessageUnreadableError, RateLimitError, TokenError
from igdesk.graph.flavour import flavour_by_name
from igdesk.graph.ratelimit import RateBudget
from igdesk.i18n import Text
from igdesk.inbox import Inbox
from igdesk.replies import Replies
from igdesk.signin import SignInHub, TokenKeeper
from igdesk.store.worker import ArchiveWorker
from igdesk.sync.engine import ProgressCallback, Syncer, SyncSummary
from igdesk.sync.ingest import ThreadUpdate
from igdesk.sync.poller import Poller, PollOutcome, PollTiming

log = logging.getLogger("igdesk.app")


class App:
    """Everything one profile needs, started and stopped in order."""

    #: Seconds a send of unknown outcome is given to land before the conversation is checked.
    outbox_settle_seconds = 30.0

    def __init__(
        self,
        profile: Profile,
        *,
        graph_url: str | None = None,
        token: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.profile = profile
        self.settings = settings or profile.settings()
        self.graph_url = graph_url
        self.events, self.keeper = SignInHub(), TokenKeeper(self)  # igdesk/signin
        self._token = token
        self._worker: ArchiveWorker | None = None
        self._inbox: Inbox | None = None
        self._replies: Replies | None = None
        self._client: GraphClient | None = None
        self._syncer: Syncer | None = None
        self._poller: Poller | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._webhooks: Webhooks | None = None
        self._webhooks_healthy = False
        self._last_status = SyncStatus(False, None, None, None, False)
        #: What the last pass could not read; None when it read all.
        self._problem: Text | None = None

    # --- parts ------------------------------------------------------------------------------

    @property
    def _db(self) -> ArchiveWorker:
        """The archive, behind its worker threads (opened, off the loop, on first use)."""
        if self._worker is None:
            self.profile.ensure()
            self._worker = ArchiveWorker(self.profile.archive_path)
        return self._worker

    @property
    def inbox(self) -> Inbox:
        """What the window reads (views) and the owner's local changes: the archive's door."""
        if self._inbox is None:
            self._inbox = Inbox(self._db, self.events, mark_seen=self._mark_seen)
        return self._inbox

    @property
    def replies(self) -> Replies:
        """What the owner sends (replies, reactions, typing) and the outbox sender."""
        if self._replies is None:
            self._replies = Replies(
                self._db,
                self.inbox,
                self.events,
                client=lambda: self.client,
                settings=self.settings,
                settle_seconds=self.outbox_settle_seconds,
            )
        return self._replies

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            token = self.current_token()
            if not token:
                raise not_signed_in()
            budget = RateBudget(conversations_per_second=self.settings.conversations_per_second)
            flavour = flavour_by_name(self.settings.flavour)
            app_secret = (
                secrets.get(self.profile.key, secrets.Secret.APP_SECRET)
                if flavour.via_page
                else None
            )
            self._client = GraphClient(
                token,
                flavour=flavour,
                base_url=self.graph_url,
                api_version=self.settings.api_version,
                budget=budget,
                app_secret=app_secret,
            )
        return self._client

    @property
    def syncer(self) -> Syncer:
        if self._syncer is None:
            self._syncer = Syncer(self.client, self._db)
        return self._syncer

    async def replace_token(self, token: str) -> bool:
        """Use a new access token from now on; True when the keyring keeps it for next time,
        False when it is kept for this run only (no usable keyring; never written elsewhere)."""
        try:
            secrets.put(self.profile.key, secrets.Secret.ACCESS_TOKEN, token)
            self._token, remembered = None, True
        except secrets.KeyringUnavailableError:
            self._token, remembered = token, False
        old, self._client, self._syncer = self._client, None, None
        if old is not None:
            await old.aclose()
        if self._poll_task is not None and self._poll_task.done():
            self._poll_task = None
            self.start_polling()
        return remembered

    def current_token(self) -> str | None:
        """The token in use: this run's (no keyring), else the keyring's or the environment's."""
        return self._token or secrets.get(self.profile.key, secrets.Secret.ACCESS_TOKEN)

    def has_token(self) -> bool:
        return bool(self.current_token())

    # --- syncing ----------------------------------------------------------------------------

    async def sync_once(self, on_progress: ProgressCallback | None = None) -> SyncSummary:
        """One pass; every change is announced on the event stream."""
        self.keeper.start()  # checks the token now, then on its timer, until aclose
        summary = await self.syncer.run_once(on_progress)
        await self._announce(summary.updates, news=not summary.first_pass)
        self._problem = summary.problem()
        self._set_status(
            dataclasses.replace(
                self._last_status, last_sync=utc_now(), offline=False, problem=self._problem
            )
        )
        return summary

    def start_polling(self, timing: PollTiming | None = None) -> None:
        """Keep syncing in the background (owned here; `aclose` stops it)."""
        if self._poll_task is not None:
            return
        idle = self.settings.poll_interval_seconds
        timing = timing or PollTiming(active=min(15.0, idle), idle=idle)
        self._poller = Poller(
            self._poll_pass, timing=timing, on_outcome=self._on_outcome, on_start=self._on_start
        )
        self._poller.webhooks_healthy = self._webhooks_healthy
        self._poll_task = asyncio.get_running_loop().create_task(
            self._poller.run(), name="igdesk-poller"
        )

    def set_webhooks_healthy(self, healthy: bool) -> None:
        """Webhooks deliver (or stopped delivering): polling becomes a safety net, or speeds up
        with a pass at once, for what the webhooks may have missed."""
        was, self._webhooks_healthy = self._webhooks_healthy, healthy
        if self._poller is not None:
            self._poller.webhooks_healthy = healthy
            if was and not healthy:
                self._poller.poke()

    def set_active(self, active: bool) -> None:
        """The owner is looking (window active, thread open): poll more often."""
        if self._poller is not None:
            was = self._poller.active
            self._poller.active = active
            if active and not was:
                self._poller.poke()

    def refresh(self) -> None:
        if self._poller is not None:
            self._poller.poke()

    @property
    def status(self) -> SyncStatus:
        return self._last_status

    async def _poll_pass(self) -> None:
        await self.sync_once()

    def _on_start(self) -> None:
        previous = self._last_status
        self._set_status(
            SyncStatus(True, previous.last_sync, None, None, previous.offline, previous.problem)
        )

    def _on_outcome(self, outcome: PollOutcome) -> None:
        if isinstance(outcome.error, TokenError):
            self.events.emit(SignInNeeded(outcome.error.text))
        last = self._last_status.last_sync if outcome.error else outcome.finished_at
        self._set_status(
            SyncStatus(
                syncing=False,
                last_sync=last,
                next_poll=None if isinstance(outcome.error, TokenError) else outcome.next_poll,
                rate_limited_until=outcome.rate_limited_until,
                offline=outcome.offline,
                problem=self._problem_of(outcome),
            )
        )

    def _problem_of(self, outcome: PollOutcome) -> Text | None:
        """The sentence a pass leaves in the status bar (the offline and rate-limit states and
        the sign-in banner speak for themselves)."""
        error = outcome.error
        if error is None:
            return self._problem
        if outcome.offline or isinstance(error, TokenError | RateLimitError):
            return None
        return error.text

    def _set_status(self, status: SyncStatus) -> None:
        self._last_status = status
        self.events.emit(status)

    async def _announce(self, updates: Sequence[ThreadUpdate], *, news: bool = True) -> None:
        """Tell the window what a pass or a webhook changed; `news` False: history only (the
        very first sync), no CustomerWrote."""
        changed = tuple(dict.fromkeys(update.thread_id for update in updates))
        if not changed:
            return
        for update in updates:
            if update.touched_message_ids:
                self.events.emit(MessagesAdded(update.thread_id, update.touched_message_ids))
        threads = await self.inbox.announce(changed)
        if not news:
            return
        fresh = [mid for update in updates for mid in update.new_message_ids]
        by_id = {thread.id: thread for thread in threads}
        for message in await self._db.write(views.messages_by_id, fresh):
            thread = by_id.get(message.thread_id)
            if thread is not None and not message.is_from_shop and not message.deleted:
                self.events.emit(CustomerWrote(thread, message))

    # --- webhooks ---------------------------------------------------------------------------

    @property
    def webhooks(self) -> Webhooks:
        """The receiver and the ingest of what it receives (`start` it to receive)."""
        if self._webhooks is None:
            self._webhooks = Webhooks(
                self._db,
                self.events,
                profile_key=self.profile.key,
                client=lambda: self.client,
                syncer=lambda: self.syncer,
                announce=self._announce,
                on_health=self.set_webhooks_healthy,
            )
        return self._webhooks

    # --- what the owner does on Instagram ------------------------------------------------

    async def refresh_message(self, thread_id: str, message_id: str) -> Message | None:
        """Read one message again (fresh attachment URLs: Instagram's expire); None if the API
        no longer shows it (older than the 20 newest). Other failures are raised, for the
        owner to be told."""
        account = await self.inbox.account()
        if account is None:
            return None
        try:
            fresh = await self.client.message(message_id, thread_id=thread_id, shop_id=account.id)
        except TokenError as error:
            self.events.emit(SignInNeeded(error.text))
            raise
        except MessageUnreadableError:
            return None
        return await self._db.write(changes.store_message, thread_id, fresh)

    async def _mark_seen(self, customer_id: str) -> None:
        if not self.settings.send_read_receipts:
            return
        account = await self.inbox.account()
        if account is None:
            return
        body = {"recipient": {"id": customer_id}, "sender_action": "mark_seen"}
        try:
            await self.client.send(account, body)
        except TokenError as error:
            self.events.emit(SignInNeeded(error.text))
        except (GraphError, IgdeskError) as error:
            log.info("mark_seen not sent: %s", type(error).__name__)

    async def aclose(self) -> None:
        """Stop the webhooks, the poller and the sender, then close the client and the archive,
        in order (the token keeper after the poller: a pass still running starts it)."""
        if self._webhooks is not None:
            await self._webhooks.stop()
        if self._poller is not None:
            self._poller.stop()
        if self._replies is not None:
            self._replies.stop()
        if self._poll_task is not None:
            await asyncio.gather(self._poll_task, return_exceptions=True)
            self._poll_task = None
        await self.keeper.stop()
        if self._replies is not None:
            await self._replies.aclose()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._worker is not None:
            await self._worker.aclose()  # every write asked for is done before it closes
            self._worker, self._inbox, self._replies, self._webhooks = None, None, None, None


@contextlib.asynccontextmanager
async def open_app(
    profile_dir: Path | None,
    *,
    graph_url: str | None = None,
    sandbox: bool = False,
    simulate_every: float | None = None,
    webhooks: bool = False,
) -> AsyncIterator[App]:
    """The App of a profile folder (the default one when None), closed on exit.

    With `sandbox`, the built-in sandbox runs in this process beside it, and the profile is a
    throwaway folder unless one is given; with `webhooks` too, the sandbox delivers signed
    webhooks to the App's receiver, so messages arrive at once and polling is a safety net.
    """
    if not sandbox:
        app = App(Profile(profile_dir) if profile_dir else Profile.default(), graph_url=graph_url)
        try:
            yield app
        finally:
            await app.aclose()
        return

    from igdesk.sandbox.server import SandboxServer  # only for --sandbox: not loaded otherwise

    server = SandboxServer.from_default_scenario(simulate_every=simulate_every)
    url = await server.start()
    with contextlib.ExitStack() as stack:
        directory = profile_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        app = App(Profile(directory), graph_url=url, token=server.token)
        try:
            if webhooks:
                await app.webhooks.connect_sandbox(server)
            yield app
        finally:
            await app.aclose()
            await server.stop()
