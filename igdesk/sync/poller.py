"""The background poller: sync passes at an adaptive interval, backing off when things fail.

Faster while the owner is looking (window active or a thread open), slower when idle, longer
after failures and as long as Meta asks after a rate limit. A token error stops it: nothing
will work until the owner signs in again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from igdesk.domain import utc_now
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError, RateLimitError, TokenError, TransientError

log = logging.getLogger("igdesk.sync.poller")


@dataclass(frozen=True)
class PollTiming:
    """Intervals of the poller, in seconds."""

    active: float = 15.0
    idle: float = 60.0
    max_backoff: float = 15 * 60.0
    #: While webhooks are healthy, polling is only a safety net for what one may have missed.
    safety_net: float = 5 * 60.0


@dataclass(frozen=True)
class PollOutcome:
    """What one pass ended in, for the status bar."""

    finished_at: datetime
    next_poll: datetime
    error: GraphError | IgdeskError | None
    offline: bool
    rate_limited_until: datetime | None


PassRunner = Callable[[], Awaitable[object]]
OutcomeListener = Callable[[PollOutcome], None]


class Poller:
    """Runs `run_pass` again and again until stopped; `poke()` runs one now."""

    def __init__(
        self,
        run_pass: PassRunner,
        *,
        timing: PollTiming | None = None,
        on_outcome: OutcomeListener | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self._run_pass = run_pass
        self.timing = timing or PollTiming()
        self._on_outcome = on_outcome
        self._on_start = on_start
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._failures = 0
        self.active = False
        #: Webhooks are delivering (receiver up, subscription present, events arriving).
        self.webhooks_healthy = False
        #: Set when the loop ended because the token was refused.
        self.token_error: TokenError | None = None

    def poke(self) -> None:
        """Run a pass as soon as possible (window activated, owner asked to refresh)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    def interval(self) -> float:
        base = self.timing.active if self.active else self.timing.idle
        if self.webhooks_healthy:
            base = max(base, self.timing.safety_net)
        if self._failures:
            backoff: float = base * 2.0 ** min(self._failures, 8)
            return min(backoff, self.timing.max_backoff)
        return base

    async def run(self) -> None:
        """The loop; returns after `stop()` or a token error (which it reports, not raises)."""
        while not self._stopped.is_set():
            self._wake.clear()
            if self._on_start is not None:
                self._on_start()
            error: GraphError | IgdeskError | None = None
            wait_extra = 0.0
            try:
                await self._run_pass()
                self._failures = 0
            except TokenError as failure:
                self.token_error = failure
                self._report(failure, offline=False, wait=0.0)
                return
            except RateLimitError as failure:
                error, self._failures = failure, self._failures + 1
                wait_extra = failure.retry_after or 0.0
            except (GraphError, IgdeskError) as failure:
                error, self._failures = failure, self._failures + 1
            except OSError as failure:  # the archive's disk, say: report and keep trying
                log.warning("sync pass failed: %s", type(failure).__name__)
                self._failures += 1
            wait = max(self.interval(), wait_extra)
            self._report(error, offline=_is_offline(error), wait=wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    def _report(
        self, error: GraphError | IgdeskError | None, *, offline: bool, wait: float
    ) -> None:
        if error is not None:
            log.info("sync pass failed: %s", type(error).__name__)
        if self._on_outcome is None:
            return
        now = utc_now()
        limited = isinstance(error, RateLimitError)
        self._on_outcome(
            PollOutcome(
                finished_at=now,
                next_poll=now + timedelta(seconds=wait),
                error=error,
                offline=offline,
                rate_limited_until=now + timedelta(seconds=wait) if limited else None,
            )
        )


def _is_offline(error: GraphError | IgdeskError | None) -> bool:
    """No answer came at all (a server that answered with an error is not "offline")."""
    return isinstance(error, TransientError) and error.http_status is None
