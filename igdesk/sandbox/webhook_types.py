"""The webhook hub's vocabulary: settings, subscription, deliveries, knobs, the retry schedule,
the callback rule and Meta time (see webhooks.py for how they are used).

Meta time is what retry delays and the one-hour disable are counted in: real time since the
hub started times ``speed``, plus every jump of the sandbox clock (``POST /_sandbox/clock``).
A new speed applies from the moment it is set; Meta time never jumps back because of it.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from igdesk.sandbox import webhook_wire as wire
from igdesk.sandbox.clock import SandboxClock

#: Meta seconds to wait after each failed attempt (12 retries, 35.9 h in all).
RETRY_DELAYS: tuple[float, ...] = (
    0,
    20,
    60,
    300,
    900,
    1800,
    3600,
    7200,
    14400,
    28800,
    28800,
    43200,
)
BATCH_KNOB_WAIT = 10.0
KNOBS = ("duplicate", "reorder", "standby", "batch")


class WebhookRefused(ValueError):
    """The dashboard would not take this subscription; the message says why."""


@dataclass
class WebhookSettings:
    """Timing and signing knobs; the defaults are Meta's."""

    speed: float = 1.0
    batch_window: float = 0.05
    batch_max: int = 1000
    timeout: float = 5.0
    signing_secret: str = "instagram"  # or "meta"
    disable_after: float | None = 3600.0
    legacy_sha1: bool = True
    retry_delays: tuple[float, ...] = RETRY_DELAYS


@dataclass
class Subscription:
    callback_url: str
    verify_token: str
    fields: list[str]


@dataclass
class Delivery:
    number: int
    body: bytes
    events: int
    attempts: int = 0
    duplicate: bool = False


@dataclass
class Knobs:
    duplicate: int = 0
    reorder: int = 0
    standby: int = 0
    batch: int = 0
    same_entry: bool = False


def check_callback(url: str) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and loopback:
        return
    raise WebhookRefused(f"{wire.DASHBOARD_REFUSAL} (the callback URL must be https)")


class MetaClock:
    """Meta seconds: real seconds times the speed, plus the sandbox clock's jumps."""

    def __init__(self, clock: SandboxClock, speed: float) -> None:
        self._clock = clock
        self._speed = speed
        self._base = 0.0
        self._monotonic = time.monotonic()
        self._offset = clock.offset

    def now(self) -> float:
        real = (time.monotonic() - self._monotonic) * self._speed
        jumped = (self._clock.offset - self._offset).total_seconds()
        return self._base + real + jumped

    def set_speed(self, speed: float) -> None:
        self._base = self.now()
        self._monotonic = time.monotonic()
        self._offset = self._clock.offset
        self._speed = speed
