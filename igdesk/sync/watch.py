"""`igdesk sync --watch`: the App's passes on the poller's schedule until stopped (headless)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from igdesk.sync.engine import SyncSummary
from igdesk.sync.poller import Poller, PollOutcome, PollTiming

if TYPE_CHECKING:
    from igdesk.app import App


async def watch(
    app: App,
    stop: asyncio.Event,
    *,
    on_summary: Callable[[SyncSummary], Awaitable[None]] | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Sync until `stop` is set; a token error ends it (raised)."""

    async def one_pass() -> None:
        summary = await app.sync_once()
        if on_summary is not None:
            await on_summary(summary)

    def outcome(result: PollOutcome) -> None:
        if result.error is not None and on_error is not None:
            on_error(result.error)

    idle = app.settings.poll_interval_seconds
    poller = Poller(one_pass, timing=PollTiming(active=idle, idle=idle), on_outcome=outcome)
    loop = asyncio.get_running_loop()
    task = loop.create_task(poller.run(), name="igdesk-watch")
    stopper = loop.create_task(stop.wait(), name="igdesk-watch-stop")
    await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    poller.stop()
    stopper.cancel()
    await asyncio.gather(task, stopper, return_exceptions=True)
    if poller.token_error is not None:
        raise poller.token_error
