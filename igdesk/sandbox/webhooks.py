"""Webhook subscriptions and signed deliveries, played the way instagram-api.md ("5. Webhooks")
says Meta does, in the background on the sandbox's loop.

Who gets what:

- The app-level subscription (callback URL, verify token, fields) is set like the dashboard
  sets it: ``configure`` first does the verification GET and refuses the callback unless it
  echoes the challenge. Like the dashboard, only ``https://`` callbacks are taken, except
  plain ``http://`` on a loopback host (TLS is the tunnel's job; the sandbox has no cert).
- An event goes out only if the account's ``subscribed_apps`` is not empty and its field is
  among the app-level fields. The account's own ``subscribed_fields`` do not filter (the
  sheet: "no per-account field customization"). Fields: ``messages`` (messages, echoes,
  unsends), ``message_reactions``, ``messaging_seen``, ``message_edit``,
  ``messaging_postbacks``, ``messaging_referral``; a ``standby[]`` delivery needs ``standby``
  too. ``message_echoes`` alone brings no echoes: the sheet says echoes ride on ``messages``.
  Events that cannot go are counted in ``suppressed`` (the newest 200), never queued.

Timing (Meta seconds: real time times ``speed``, plus any jump of the sandbox clock):

- Events within ``batch_window`` real seconds go in one POST, one entry each, at most
  ``batch_max`` (Meta: up to 1000) per POST. POSTs go one at a time, oldest first.
- Success is status 200 exactly; anything else, a connection failure or no answer within
  ``timeout`` real seconds (Messenger: "5 or less seconds") is a failure. A failed POST is
  sent again, the same bytes, after RETRY_DELAYS: immediately, then 20 s, 1 min, 5 min,
  15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h, 12 h (13 attempts over 35.9 h), then dropped.
- The stricter rule the sheet tells us to assume: once deliveries have failed without a
  success in between for ``disable_after`` (3600 s; None turns it off), the next failure
  disables the webhook: the account is unsubscribed (``subscribed_apps`` empty) and every
  queued delivery is dropped. Further events are suppressed until the client resubscribes.

Dashboard Test payloads (``send_test``) go to the callback once, whatever the account's
subscription, and are never retried. Once the callback is removed nothing queued is sent.

Knobs (``arm``), each for the next N deliveries: ``duplicate`` (sent twice, back to back, the
same bytes), ``reorder`` (held back and sent right after the next one; ``flush`` releases it),
``standby`` (items under ``standby[]``), ``batch`` (the next N events in one POST, waiting up
to 10 real seconds for them; ``same_entry`` puts them in one entry's list).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections import deque
from dataclasses import asdict
from typing import Any

import aiohttp

from igdesk.domain import format_graph_time
from igdesk.sandbox import webhook_wire as wire
from igdesk.sandbox.clock import SandboxClock
from igdesk.sandbox.model import DeletedFlag, World
from igdesk.sandbox.webhook_types import (
    BATCH_KNOB_WAIT,
    KNOBS,
    RETRY_DELAYS,
    Delivery,
    Knobs,
    MetaClock,
    Subscription,
    WebhookRefused,
    WebhookSettings,
    check_callback,
)

__all__ = [
    "KNOBS",
    "RETRY_DELAYS",
    "WebhookHub",
    "WebhookRefused",
    "WebhookSettings",
    "check_callback",
]


class WebhookHub:
    """The app's webhook: its subscription, the delivery queue and the log of every attempt."""

    def __init__(
        self, world: World, clock: SandboxClock, settings: WebhookSettings, secrets: dict[str, str]
    ) -> None:
        self.world = world
        self.clock = clock
        self.settings = WebhookSettings(**asdict(settings))
        self.secrets = secrets  # "instagram" and "meta"
        self.subscription: Subscription | None = None
        self.knobs = Knobs()
        self.log: list[dict[str, Any]] = []
        self.suppressed: deque[dict[str, Any]] = deque(maxlen=200)
        self.disabled_at: str | None = None
        self.deleted_flags: itertools.cycle[DeletedFlag] = itertools.cycle([True, "true"])
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._queue: list[tuple[float, int, Delivery]] = []
        self._held: Delivery | None = None
        self._order = itertools.count()
        self._numbers = itertools.count(1)
        self._failing_since: float | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._meta = MetaClock(clock, self.settings.speed)

    # -- Meta time ---------------------------------------------------------------------------

    def meta_now(self) -> float:
        return self._meta.now()

    def update(self, **changes: Any) -> None:
        """Change settings (already validated); a new speed applies from now on."""
        for key, value in changes.items():
            setattr(self.settings, key, value)
        self._meta.set_speed(self.settings.speed)
        self.kick()

    def kick(self) -> None:
        """Look at the queue again (the sandbox clock moved, settings changed)."""
        self._wake.set()

    # -- subscription ----------------------------------------------------------------------

    async def configure(self, callback_url: str, verify_token: str, fields: list[str]) -> None:
        check_callback(callback_url)
        unknown = [name for name in fields if name not in wire.WEBHOOK_FIELDS]
        if not fields or unknown:
            raise WebhookRefused(f"choose fields among {', '.join(sorted(wire.WEBHOOK_FIELDS))}")
        async with aiohttp.ClientSession() as session:  # the dashboard's own request
            problem = await wire.handshake(
                session, callback_url, verify_token, self.settings.timeout
            )
        if problem:
            raise WebhookRefused(f"{wire.DASHBOARD_REFUSAL} {problem}")
        self.subscription = Subscription(callback_url, verify_token, list(dict.fromkeys(fields)))
        self.disabled_at = None
        self._failing_since = None

    def remove(self) -> None:
        self.subscription = None
        self._pending.clear()

    def secret(self) -> str:
        return self.secrets[self.settings.signing_secret]

    # -- events in -------------------------------------------------------------------------

    def blocked(self, field_name: str) -> str | None:
        if self.subscription is None:
            return "no callback configured"
        if field_name not in self.subscription.fields:
            return f"field {field_name} not subscribed by the app"
        if not self.world.subscribed_fields:
            return "account not subscribed (subscribed_apps is empty)"
        return None

    def emit(self, field_name: str, item: dict[str, Any]) -> bool:
        """Queue one messaging item for delivery; False (and counted) when it cannot go."""
        reason = self.blocked(field_name)
        if reason is not None:
            self.suppressed.append({"field": field_name, "reason": reason, "item": item})
            return False
        self._pending.append((field_name, item))
        self._ensure_worker()
        self._wake.set()
        return True

    def arm(self, **knobs: Any) -> Knobs:
        for key, value in knobs.items():
            setattr(self.knobs, key, value)
        self.kick()
        return self.knobs

    def flush(self) -> None:
        """Send the held-back delivery and every waiting event now."""
        if self._held is not None:
            self._push(self._held, self.meta_now())
            self._held = None
        self.knobs.batch, self.knobs.same_entry = 0, False
        self._ensure_worker()
        self.kick()

    def status(self) -> dict[str, Any]:
        return {
            "subscription": asdict(self.subscription) if self.subscription else None,
            "settings": {**asdict(self.settings), "retry_delays": list(self.settings.retry_delays)},
            "knobs": asdict(self.knobs),
            "pending_events": len(self._pending),
            "queued_deliveries": len(self._queue),
            "held": self._held.number if self._held else None,
            "disabled_at": self.disabled_at,
            "suppressed": list(self.suppressed),
            "meta_seconds": self.meta_now(),
        }

    # -- the worker --------------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        if self._task is not None and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet: the next emit or flush on the loop starts it
        self._task = loop.create_task(self._run(), name="sandbox-webhooks")

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if self._pending:
                await self._collect()
                self._cut()
            due = self._take_due()
            for delivery in due:
                await self._attempt(delivery)
            if due or self._pending:
                continue
            wait = None
            if self._queue:
                wait = max(0.0, (self._queue[0][0] - self.meta_now()) / self.settings.speed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _collect(self) -> None:
        """Let more events join this POST: the batch window, or the batch knob's count."""
        if self.knobs.batch:
            loop = asyncio.get_running_loop()
            end = loop.time() + BATCH_KNOB_WAIT
            while self.knobs.batch and len(self._pending) < self.knobs.batch:
                self._wake.clear()
                left = end - loop.time()
                if left <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), left)
        elif self.settings.batch_window > 0:
            await asyncio.sleep(self.settings.batch_window)

    def _cut(self) -> None:
        while self._pending:
            same = False
            size = max(1, self.settings.batch_max)
            if self.knobs.batch:
                size, same = self.knobs.batch, self.knobs.same_entry
                self.knobs.batch, self.knobs.same_entry = 0, False
            chunk, self._pending = self._pending[:size], self._pending[size:]
            delivery = self._build(chunk, same)
            if delivery is not None:
                self._schedule(delivery)

    def _build(self, chunk: list[tuple[str, dict[str, Any]]], same: bool) -> Delivery | None:
        standby = self.knobs.standby > 0
        if standby:
            self.knobs.standby -= 1
            if self.subscription is None or "standby" not in self.subscription.fields:
                for field_name, item in chunk:
                    reason = "field standby not subscribed by the app"
                    self.suppressed.append({"field": field_name, "reason": reason, "item": item})
                return None
        account = self.world.shop.ig_id
        now_ms = int(self.clock.timestamp() * 1000)
        items = [item for _field, item in chunk]
        if same:
            entries = [wire.entry(account, now_ms, items, standby=standby)]
        else:
            entries = [wire.entry(account, now_ms, [item], standby=standby) for item in items]
        body = wire.encode(wire.envelope(entries))
        return Delivery(number=next(self._numbers), body=body, events=len(items))

    def _schedule(self, delivery: Delivery) -> None:
        if self.knobs.duplicate > 0:
            self.knobs.duplicate -= 1
            delivery.duplicate = True
        now = self.meta_now()
        if self.knobs.reorder > 0 and self._held is None:
            self.knobs.reorder -= 1
            self._held = delivery
            return
        self._push(delivery, now)
        if self._held is not None:
            self._push(self._held, now)  # right after the one that overtook it
            self._held = None

    def _push(self, delivery: Delivery, due: float) -> None:
        heapq.heappush(self._queue, (due, next(self._order), delivery))

    def _take_due(self) -> list[Delivery]:
        now = self.meta_now()
        due: list[Delivery] = []
        while self._queue and self._queue[0][0] <= now + 1e-9:
            due.append(heapq.heappop(self._queue)[2])
        return due

    async def _attempt(self, delivery: Delivery) -> None:
        if self.subscription is None:
            return  # the app's webhook was removed: nothing to send to
        delivery.attempts += 1
        status, error = await self._post(delivery.body)
        record = self._record(delivery, "delivery", status, error)
        if status == 200:
            self._failing_since = None
            record["outcome"] = "delivered"
        else:
            record["outcome"] = self._failed(delivery)
        if delivery.duplicate:
            delivery.duplicate = False
            status, error = await self._post(delivery.body)
            self._record(delivery, "duplicate", status, error)["outcome"] = (
                "delivered" if status == 200 else "ignored"
            )

    def _failed(self, delivery: Delivery) -> str:
        now = self.meta_now()
        if self._failing_since is None:
            self._failing_since = now
        limit = self.settings.disable_after
        if limit is not None and now - self._failing_since >= limit:
            self._disable()
            return "disabled"
        delays = self.settings.retry_delays
        if delivery.attempts > len(delays):
            return "dropped"
        self._push(delivery, now + delays[delivery.attempts - 1])
        return "retry"

    def _disable(self) -> None:
        """Webhooks Disabled: the app is unsubscribed from the account, the queue dropped."""
        self.world.subscribed_fields = []
        self.disabled_at = format_graph_time(self.clock.now())
        self._queue.clear()
        self._pending.clear()
        self._held = None
        self._failing_since = None

    async def _post(self, body: bytes) -> tuple[int | None, str | None]:
        assert self.subscription is not None
        sent = wire.headers(self.secret(), body, legacy_sha1=self.settings.legacy_sha1)
        try:
            async with self._client().post(
                self.subscription.callback_url,
                data=body,
                headers=sent,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout),
            ) as reply:
                await reply.read()
                return reply.status, None
        except (aiohttp.ClientError, TimeoutError) as failure:
            return None, f"{type(failure).__name__}: {failure}"

    def _record(
        self, delivery: Delivery | None, kind: str, status: int | None, error: str | None
    ) -> dict[str, Any]:
        body = delivery.body if delivery else b""
        record: dict[str, Any] = {
            "delivery": delivery.number if delivery else None,
            "attempt": delivery.attempts if delivery else 1,
            "kind": kind,
            "time": format_graph_time(self.clock.now()),
            "meta_seconds": round(self.meta_now(), 3),
            "callback_url": self.subscription.callback_url if self.subscription else None,
            "status": status,
            "error": error,
            "events": delivery.events if delivery else 0,
            "body": body.decode("ascii"),
            "signature": wire.signature_256(self.secret(), body),
            "signed_with": self.settings.signing_secret,
        }
        self.log.append(record)
        return record

    async def send_test(self, field_name: str) -> dict[str, Any]:
        """The dashboard's Test button: one sample POST, answered with what the callback said."""
        if self.subscription is None:
            raise WebhookRefused("configure the callback URL first")
        payload = wire.sample_payload(field_name, int(self.clock.timestamp()))
        test = Delivery(number=next(self._numbers), body=wire.encode(payload), events=1)
        test.attempts = 1
        status, error = await self._post(test.body)
        record = self._record(test, "test", status, error)
        record["outcome"] = "delivered" if status == 200 else "failed"
        return record
