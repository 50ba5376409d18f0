"""Meta-like rate limits and the usage headers that come with every Graph answer.

Conversations calls are limited per account to `rate` per second, measured over a sliding
window of `window` seconds with a little slack (more than rate*window+2 calls refuses), so
a client pacing itself at exactly `rate` is never refused. Real (monotonic) time is used:
advancing the sandbox clock does not refill the budget.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from collections.abc import Callable

APP_BUDGET_PER_MINUTE = 600
#: The business use case budget the usage header reports against (calls per rolling hour).
#: The 2/s conversations limit is separate: a client pacing itself at 2/s is refused nothing
#: and sees its hourly usage grow slowly, as at Meta.
BUC_BUDGET_PER_HOUR = 4800


class SlidingWindow:
    """Counts calls per key over the last `window` seconds."""

    def __init__(
        self, rate: float, window: float = 5.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.window = window
        self.threshold = int(rate * window) + 2
        self._now = now
        self._calls: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        calls = self._calls[key]
        edge = self._now() - self.window
        while calls and calls[0] <= edge:
            calls.popleft()
        return calls

    def hit(self, key: str) -> bool:
        """Record one call; False when it goes over the limit (it still counts, as at Meta)."""
        calls = self._recent(key)
        calls.append(self._now())
        return len(calls) <= self.threshold

    def percent(self, key: str) -> int:
        return min(100, round(len(self._recent(key)) * 100 / self.threshold))


class UsageMeter:
    """Builds X-App-Usage and X-Business-Use-Case-Usage from recent call volume."""

    def __init__(self, conversations: SlidingWindow) -> None:
        self.conversations = conversations
        self.app = SlidingWindow(APP_BUDGET_PER_MINUTE / 60.0, window=60.0)
        self.business = SlidingWindow(BUC_BUDGET_PER_HOUR / 3600.0, window=3600.0)

    def record_app_call(self, account_id: str) -> None:
        self.app.hit("app")
        self.business.hit(account_id)

    def headers(
        self, account_id: str, *, throttled: bool = False, regain_minutes: int = 0
    ) -> dict[str, str]:
        app_percent = 100 if throttled else self.app.percent("app")
        buc_percent = 100 if throttled else self.business.percent(account_id)
        app = {
            "call_count": app_percent,
            "total_cputime": app_percent // 3,
            "total_time": app_percent // 2,
        }
        buc = {
            account_id: [
                {
                    "type": "instagram",
                    "call_count": buc_percent,
                    "total_cputime": buc_percent // 3,
                    "total_time": buc_percent // 2,
                    "estimated_time_to_regain_access": regain_minutes,
                }
            ]
        }
        return {
            "X-App-Usage": json.dumps(app, separators=(",", ":")),
            "X-Business-Use-Case-Usage": json.dumps(buc, separators=(",", ":")),
        }
