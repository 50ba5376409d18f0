"""`WebhookLink`: what a real account needs besides the receiver for Meta to reach it.

The tunnel (kept up by `TunnelSupervisor`) gives the receiver its public address, and the
subscription (kept by `SubscriptionKeeper`, checked at start and every hour) makes Meta send
there. The link folds both into one `WebhookStatus` and reports each change through one
callback: the App turns it into an event for the status bar, and tells the poller whether
webhooks deliver (polling is only a safety net while they do). Qt-free; sleeping is injected.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from igdesk.errors import IgdeskError
from igdesk.events import WebhookStatus
from igdesk.graph import GraphClient
from igdesk.graph.errors import TokenError
from igdesk.i18n import Text
from igdesk.webhooks.subscription import CHECK_EVERY_SECONDS, SubscriptionKeeper, SubscriptionState
from igdesk.webhooks.tunnel import Tunnel, TunnelDown, TunnelEvent, TunnelSupervisor, TunnelUp
from igdesk.webhooks.tunnel.base import callback_url

log = logging.getLogger("igdesk.webhooks")

Sleep = Callable[[float], Awaitable[None]]

_SIGN_IN = Text("The webhook subscription cannot be checked until you sign in again.")


class WebhookLink:
    """Keeps the tunnel and the subscription of one receiver; `status` says how they are."""

    def __init__(
        self,
        tunnel: Tunnel,
        client: Callable[[], GraphClient],
        *,
        report: Callable[[WebhookStatus], None],
        sleep: Sleep = asyncio.sleep,
        check_every: float = CHECK_EVERY_SECONDS,
    ) -> None:
        self._tunnel = tunnel
        self._report = report
        self._sleep = sleep
        self._check_every = check_every
        self.keeper = SubscriptionKeeper(client, report=self._on_subscription, sleep=sleep)
        self.supervisor: TunnelSupervisor | None = None
        self._keeper_task: asyncio.Task[None] | None = None
        self.status = WebhookStatus(
            receiving=False,
            tunnel=tunnel.name,
            callback_url=None,
            tunnel_problem=None,
            subscribed=None,  # not checked yet: the first check follows at once
            subscription_problem=None,
        )

    def start(self, local_port: int) -> None:
        """Open the tunnel to the receiver on 127.0.0.1:`local_port` and keep the account
        subscribed, on the running loop (the first reports follow shortly)."""
        self._update(receiving=True)
        self.supervisor = TunnelSupervisor(
            self._tunnel, local_port, report=self._on_tunnel, sleep=self._sleep
        )
        self.supervisor.start()
        self._keeper_task = asyncio.get_running_loop().create_task(
            self._keep_subscribed(), name="webhook subscription keeper"
        )

    async def stop(self) -> None:
        """Close the tunnel and stop checking (idempotent)."""
        task, self._keeper_task = self._keeper_task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # the checks' own failure must not stop the App's closing
                log.exception("the webhook subscription checks had failed")
        if self.supervisor is not None:
            await self.supervisor.stop()
            self.supervisor = None
        self._update(receiving=False, callback_url=None)

    def delivered(self) -> None:
        """A verified delivery arrived: Meta reaches the receiver, so a changed address is
        known to the dashboard by now."""
        if self.status.url_changed:
            self._update(url_changed=False, tunnel_problem=None)

    async def check_subscription(self) -> SubscriptionState | None:
        """Check (and restore) the subscription now; None when no one is signed in (signed
        out, or the token was refused): the next check, an hour on, tries again."""
        try:
            return await self.keeper.check()
        except (TokenError, IgdeskError):
            self._update(subscribed=None, subscription_problem=_SIGN_IN)
            return None

    async def _keep_subscribed(self) -> None:
        while True:
            await self.check_subscription()
            await self._sleep(self._check_every)

    def _on_subscription(self, state: SubscriptionState) -> None:
        if state.error is not None:
            self._update(subscribed=None, subscription_problem=state.error.text)
        elif not state.healthy:
            self._update(
                subscribed=False,
                subscription_problem=Text(
                    "Meta did not keep the webhook subscription. Check that the callback URL "
                    "and verify token in Meta's dashboard match igdesk's Settings."
                ),
            )
        else:
            self._update(subscribed=True, subscription_problem=None)

    def _on_tunnel(self, event: TunnelEvent) -> None:
        match event:
            case TunnelUp(url=url) if event.url_changed:
                self._update(
                    callback_url=callback_url(url),
                    tunnel_problem=Text(
                        "The tunnel's address changed. Paste the new callback URL into Meta's "
                        "dashboard: {url}",
                        url=callback_url(url),
                    ),
                    url_changed=True,
                )
            case TunnelUp(url=url):
                self._update(callback_url=callback_url(url), tunnel_problem=None)
            case TunnelDown(error=error):
                self._update(callback_url=None, tunnel_problem=error.text, url_changed=False)

    def _update(self, **changes: object) -> None:
        status = dataclasses.replace(self.status, **changes)  # type: ignore[arg-type]
        if status == self.status:
            return
        self.status = status
        log.info(
            "webhooks: tunnel %s, subscription %s",
            "up" if status.callback_url else "down",
            {True: "present", False: "missing", None: "unknown"}[status.subscribed],
        )
        try:
            self._report(status)
        except Exception:  # a listener's bug must not stop the tunnel or the checks
            log.exception("reporting the webhook status failed")
