"""The webhook half of the App: the receiver and its queue, and applying what arrives.

`Webhooks` is a collaborator the App owns (`app.webhooks`), as it owns `app.replies`: it starts
the receiver (`start`), hands each stored body's events to the same ingest as polling
(`process`), announces what changed through the App's announcer, and stops with the App.
For a real account, `connect_account` also opens the tunnel and keeps the subscription
(igdesk/webhooks/link.py); for the demo, `connect_sandbox` does the dashboard's steps. Either
way, each change of `status` is sent as a `WebhookStatus` event and tells the poller whether to
slow down. Contract of the events processor: igdesk/sync/webhook_ingest.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from secrets import token_urlsafe
from typing import TYPE_CHECKING

from igdesk.config import Settings
from igdesk.events import EventHub, SignInNeeded, WebhookStatus
from igdesk.graph import GraphClient
from igdesk.store.worker import ArchiveWorker
from igdesk.sync.engine import Syncer
from igdesk.sync.ingest import ThreadUpdate
from igdesk.sync.webhook_ingest import WebhookIngest, WebhookRetry
from igdesk.webhooks.drain import ProcessLater
from igdesk.webhooks.events import Event
from igdesk.webhooks.link import Sleep, WebhookLink
from igdesk.webhooks.signature import WebhookSecret, webhook_secrets
from igdesk.webhooks.subscription import MESSAGING_FIELDS
from igdesk.webhooks.tunnel import make_tunnel, tunnel_choice

if TYPE_CHECKING:
    from igdesk.sandbox.server import SandboxServer
    from igdesk.webhooks.service import WebhookService

Announce = Callable[[Sequence[ThreadUpdate]], Awaitable[None]]


class Webhooks:
    """Receives webhooks for one profile and applies them."""

    def __init__(
        self,
        db: ArchiveWorker,
        events: EventHub,
        *,
        profile_key: str,
        client: Callable[[], GraphClient],
        syncer: Callable[[], Syncer],
        announce: Announce,
        on_health: Callable[[bool], None],
    ) -> None:
        self._events = events
        self._profile_key = profile_key
        self._announce = announce
        self._client = client
        self._on_health = on_health
        #: Applies webhook events to the archive (targeted fetches through `client`).
        self.ingest = WebhookIngest(db, events, client=client, syncer=syncer)
        self._db = db
        self.service: WebhookService | None = None
        self.link: WebhookLink | None = None
        #: How webhooks stand (also sent as an event at each change); None: not started.
        self.status: WebhookStatus | None = None

    async def process(self, events: Sequence[Event]) -> None:
        """Apply one body's events and announce them as a pass does. Raises WebhookRetry when
        some could not be applied for a reason that may pass, ArchiveError when the archive
        took nothing."""
        outcome = await self.ingest.apply(events)
        await self._announce(outcome.updates)
        if outcome.token_error is not None:
            self._events.emit(SignInNeeded(outcome.token_error.text))
        outcome.raise_if_retry()

    async def start(
        self, port: int = 0, *, keys: tuple[Sequence[WebhookSecret], str] | None = None
    ) -> WebhookService:
        """Receive webhooks on 127.0.0.1:`port` (0: a free one) and process what arrives, and
        what an earlier run left in the queue; `stop` ends it. The secrets and verify token
        come from `keys`, else from the keyring or environment. Raises IgdeskError when one is
        missing, or the port is taken."""
        if self.service is None:
            # aiohttp (the receiver) is loaded when webhooks start: a window without them
            # starts faster.
            from igdesk.webhooks.service import WebhookService, credentials

            signing, verify_token = keys or credentials(self._profile_key)
            service = WebhookService(
                self._db,
                secrets=signing,
                verify_token=verify_token,
                port=port,
                processor=self._process_body,
            )
            await service.start()
            self.service = service
        return self.service

    async def connect_account(self, settings: Settings, *, sleep: Sleep = asyncio.sleep) -> None:
        """Receive on the port in `settings`, open the chosen tunnel to it and keep the account
        subscribed; `status` follows. Raises IgdeskError (a secret missing, the port taken)
        when the receiver cannot start: a tunnel or subscription problem is a status instead."""
        service = await self.start(settings.webhook_port)
        if self.link is None:
            tunnel = make_tunnel(tunnel_choice(settings), self._profile_key)
            self.link = WebhookLink(tunnel, self._client, report=self._set_status, sleep=sleep)
            self.link.start(service.receiver.port)

    async def reconnect(self, settings: Settings) -> None:
        """Apply changed settings: stop, then connect again if webhooks are on."""
        await self.stop()
        if settings.webhooks_enabled:
            await self.connect_account(settings)

    async def connect_sandbox(self, server: SandboxServer) -> None:
        """The dashboard steps, done for the built-in sandbox: start our receiver with its
        secrets and a fresh verify token, register it, subscribe the account."""
        verify_token = token_urlsafe(16)
        keys = (webhook_secrets(server.app_secret, server.meta_app_secret), verify_token)
        service = await self.start(0, keys=keys)
        await server.configure_webhook(service.url, verify_token, list(MESSAGING_FIELDS))
        self._set_status(
            WebhookStatus(
                receiving=True,
                tunnel="sandbox",
                callback_url=service.url,
                tunnel_problem=None,
                subscribed=True,
                subscription_problem=None,
            )
        )

    async def last_received(self) -> datetime | None:
        """When the newest delivery still kept in the queue arrived (None: none kept)."""
        return await self._db.read(lambda archive: archive.webhook_queue.last_received())

    async def stop(self) -> None:
        if self.link is not None:
            await self.link.stop()
            self.link = None
        if self.service is not None:
            await self.service.stop()
            self.service = None

    async def _process_body(self, events: Sequence[Event]) -> None:
        """The queue's processor: a failure that may pass is retried as long as it lasts."""
        if self.link is not None:
            self.link.delivered()
        try:
            await self.process(events)
        except WebhookRetry as error:
            raise ProcessLater(str(error)) from error

    def _set_status(self, status: WebhookStatus) -> None:
        self.status = status
        self._on_health(status.healthy)
        self._events.emit(status)
