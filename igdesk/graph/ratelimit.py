"""Per-account request pacing: Conversations ≤ 2/s, Send ≤ 100/s (media 10/s), usage-header backoff.

One `RateBudget` is shared by everything that talks to the Graph API for one account. Callers
`await budget.acquire(kind)` before each HTTP request; the budget hands out evenly spaced slots
(exact pacing, no bursts), honours pauses ordered by rate-limit errors or by the usage headers,
and exposes `waiting_until` plus `on_wait` hooks for a status bar. Plain Python, no Qt.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum

from igdesk.graph.errormap import header_value, regain_seconds_from_headers
from igdesk.graph.values import as_float

log = logging.getLogger("igdesk.graph")


class CallKind(StrEnum):
    """Which Meta limit a request counts against."""

    CONVERSATIONS = "conversations"  # list conversations, read a conversation or a message
    SEND = "send"  # text, reactions, stickers, sender actions
    SEND_MEDIA = "send_media"  # audio / video sends
    PROFILE = "profile"  # /me, user profile
    OTHER = "other"


#: Usage (percent of the strictest counter) from which each call gets an extra delay.
SLOW_DOWN_AT = 80.0
#: Usage at which calls stop until access comes back.
STOP_AT = 100.0
#: Seconds every call waits at full usage when Meta gives no estimate of when access returns.
FULL_USAGE_PAUSE = 60.0
#: A wait at least this long (seconds) is logged and told to the `on_wait` hooks.
NOTIFY_AFTER = 1.0


class RateBudget:
    """Paces the Graph calls of one account.

    Rates are calls per second; `None` means unpaced (other calls always are). `clock` and
    `sleep` are injectable so tests can run on a fake clock.
    """

    def __init__(
        self,
        *,
        conversations_per_second: float | None = 2.0,
        send_per_second: float | None = 100.0,
        send_media_per_second: float | None = 10.0,
        profile_per_second: float | None = None,
        high_usage_delay: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        rates = {
            CallKind.CONVERSATIONS: conversations_per_second,
            CallKind.SEND: send_per_second,
            CallKind.SEND_MEDIA: send_media_per_second,
            CallKind.PROFILE: profile_per_second,
            CallKind.OTHER: None,
        }
        self._interval = {k: (1.0 / r if r and r > 0 else 0.0) for k, r in rates.items()}
        self._next_slot: dict[CallKind, float] = {}
        self._pause_until = 0.0
        self._pause_version = 0
        self._high_usage_delay = high_usage_delay
        self._clock = clock
        self._sleep = sleep
        self._waits: dict[int, float] = {}
        self._wait_ids = 0
        #: Last usage seen in the headers, in percent of the strictest counter (None: never).
        self.usage: float | None = None
        #: Called with the monotonic time a noticeable wait ends, and with None when it is over.
        self.on_wait: list[Callable[[float | None], None]] = []

    # --- state for a status bar -----------------------------------------------------------

    @property
    def waiting_until(self) -> float | None:
        """Monotonic time the longest current wait ends, or None when nobody waits."""
        latest = max(self._waits.values(), default=None)
        if self._pause_until > self._clock():
            latest = max(latest or 0.0, self._pause_until)
        return latest

    @property
    def paused_until(self) -> float | None:
        """Monotonic end of an account-wide pause, if one is running."""
        return self._pause_until if self._pause_until > self._clock() else None

    def _notify(self, value: float | None) -> None:
        for hook in list(self.on_wait):
            try:
                hook(value)
            except Exception:  # a status-bar hook must never break a request
                log.exception("rate budget on_wait hook failed")

    # --- pacing ---------------------------------------------------------------------------

    async def acquire(self, kind: CallKind | str = CallKind.OTHER) -> None:
        """Wait until a call of `kind` may be sent, then return."""
        kind = CallKind(kind)
        now = self._clock()
        extra = self._usage_delay()
        interval = self._interval[kind]
        start = max(now, self._pause_until)
        if interval > 0 or extra > 0:
            start = max(start, self._next_slot.get(kind, now) + extra)
            self._next_slot[kind] = start + interval
        # Reserved synchronously (no await above), so concurrent callers get distinct slots.
        while start > now:
            version = self._pause_version
            await self._wait(start - now, start)
            if version == self._pause_version:
                return
            # A pause was ordered while we slept: wait for it too.
            now = self._clock()
            start = max(now, self._pause_until)

    def _usage_delay(self) -> float:
        """Extra gap per call while usage is high: 0 below 80 %, growing to the full delay."""
        usage = self.usage or 0.0
        if usage < SLOW_DOWN_AT:
            return 0.0
        share = min(1.0, (usage - SLOW_DOWN_AT) / (STOP_AT - SLOW_DOWN_AT))
        return self._high_usage_delay * max(share, 0.1)

    async def _wait(self, seconds: float, until: float) -> None:
        self._wait_ids += 1
        wait_id = self._wait_ids
        self._waits[wait_id] = until
        notify = seconds >= NOTIFY_AFTER
        if notify:
            log.info("rate budget: waiting %.1f s", seconds)
            self._notify(until)
        try:
            await self._sleep(seconds)
        finally:
            del self._waits[wait_id]
            if notify and not self._waits:
                self._notify(None)

    def pause_for(self, seconds: float) -> None:
        """Hold every call of this account for `seconds` (extends, never shortens, a pause)."""
        if seconds <= 0:
            return
        self.pause_until(self._clock() + seconds)

    def pause_until(self, when: float) -> None:
        """Hold every call until the monotonic time `when`."""
        if when > self._pause_until:
            self._pause_until = when
            self._pause_version += 1
            log.warning("rate budget: pausing calls for %.0f s", when - self._clock())
            self._notify(when)

    # --- usage headers --------------------------------------------------------------------

    def observe(self, headers: Mapping[str, str]) -> None:
        """Read `X-App-Usage` / `X-Business-Use-Case-Usage` and slow down or pause as needed."""
        found: list[float] = []
        for name in ("x-app-usage", "x-business-use-case-usage", "x-ad-account-usage"):
            raw = header_value(headers, name)
            if raw:
                found.extend(_percentages(raw))
        if found:
            self.usage = max(found)
        regain = regain_seconds_from_headers(headers)
        if regain:
            self.pause_for(regain)
        elif regain is None and self.usage is not None and self.usage >= STOP_AT and found:
            # Full usage and no estimate: wait a while. An explicit estimate of 0 means the
            # ordinary back-off of the retry is enough.
            self.pause_for(FULL_USAGE_PAUSE)


def _percentages(raw: str) -> list[float]:
    """Every call_count/total_cputime/total_time found in one usage header; [] for garbage."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        return []
    out: list[float] = []

    def visit(node: object, depth: int) -> None:
        if depth > 4:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
                    number = as_float(value)
                    if number is not None and 0 <= number <= 10_000:
                        out.append(number)
                elif isinstance(value, dict | list):
                    visit(value, depth + 1)
        elif isinstance(node, list):
            for item in node:
                visit(item, depth + 1)

    visit(parsed, 0)
    return out
