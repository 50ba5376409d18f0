"""Fixtures for integration tests: sandboxes on loopback and helpers to sync into a real archive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from igdesk.domain import utc_now
from igdesk.graph import GraphClient
from igdesk.graph.ratelimit import RateBudget
from igdesk.sandbox.recorder import Recorded, WebhookRecorder
from igdesk.sandbox.testing import MESSAGING_FIELDS, tiny_scenario
from igdesk.sandbox.threaded import ThreadedSandbox
from igdesk.store import Archive
from igdesk.store.worker import ArchiveWorker
from igdesk.sync.engine import Syncer, SyncSummary


class Sandbox:
    """A running sandbox plus its control endpoints, for synchronous test code."""

    def __init__(self, threaded: ThreadedSandbox) -> None:
        self.threaded = threaded
        self.url = threaded.url
        self.token = threaded.token
        self.control = httpx.Client(base_url=threaded.url, timeout=30)

    def world(self) -> dict[str, Any]:
        reply = self.control.get("/_sandbox/world")
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def fault(self, kind: str, **spec: Any) -> None:
        self.control.post("/_sandbox/faults", json={"kind": kind, **spec}).raise_for_status()

    def clear_faults(self) -> None:
        self.control.delete("/_sandbox/faults").raise_for_status()

    def customer_writes(self, **spec: Any) -> dict[str, Any]:
        reply = self.control.post("/_sandbox/customer_message", json=spec)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def requests(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.control.get("/_sandbox/requests").json()
        return data

    def clear_requests(self) -> None:
        self.control.delete("/_sandbox/requests").raise_for_status()

    def close(self) -> None:
        self.control.close()
        self.threaded.stop()

    def patch_world(self, **changes: Any) -> dict[str, Any]:
        """PATCH /_sandbox/world (human_agent, require_app_secret, missing_fields,
        max_nested_messages); returns the settings as they now are."""
        reply = self.control.patch("/_sandbox/world", json=changes)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def set_missing_fields(self, missing: dict[str, list[str]]) -> None:
        """Fields this world's API lacks, e.g. {"Message": ["reply_to"]}; {} restores all."""
        self.patch_world(missing_fields=missing)

    def require_app_secret(self, on: bool = True) -> None:
        """Page-token calls must carry appsecret_proof (Instagram Login tokens never do)."""
        self.patch_world(require_app_secret=on)

    def set_max_nested_messages(self, cap: int) -> None:
        """How many nested messages one conversations page may carry (Meta-like default 500)."""
        self.patch_world(max_nested_messages=cap)

    def unsend(self, message_id: str) -> dict[str, Any]:
        """The sender takes a message back: it leaves the read API, updated_time moves."""
        reply = self.control.post("/_sandbox/unsend", json={"message_id": message_id})
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    # -- webhooks: the app's callback, the account's subscription, deliveries, knobs, and the
    # acts that send events (igdesk/sandbox/webhook_control.py, act_routes.py) --------------

    @contextlib.contextmanager
    def webhook_receiver(
        self,
        fields: list[str] | None = None,
        *,
        verify_token: str = "verify-me",
        subscribe: bool = True,
    ) -> Iterator[WebhookRecorder]:
        """A WebhookRecorder on the sandbox's loop, set as the app's callback for `fields`
        (MESSAGING_FIELDS by default) and, with `subscribe`, the account subscribed too."""
        recorder = WebhookRecorder(verify_token)
        self.threaded.call(recorder.start())
        try:
            chosen = fields or MESSAGING_FIELDS
            self.configure_webhook(recorder.url, verify_token, chosen).raise_for_status()
            if subscribe:
                self.subscribe_account(chosen)
            yield recorder
        finally:
            self.control.delete("/_sandbox/webhook")
            self.threaded.call(recorder.stop())

    def wait_webhook_posts(
        self, recorder: WebhookRecorder, count: int, timeout: float = 10.0
    ) -> list[Recorded]:
        """The first `count` POSTs the receiver got, waiting for them."""
        return self.threaded.call(recorder.wait_posts(count, timeout), timeout + 5)

    def wait_webhook_items(
        self, recorder: WebhookRecorder, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """The first `count` messaging items, however they were batched into POSTs."""
        return self.threaded.call(recorder.wait_items(count, timeout), timeout + 5)

    def configure_webhook(
        self, callback_url: str, verify_token: str, fields: list[str]
    ) -> httpx.Response:
        """The dashboard step (with its verification GET); 400 with the reason if refused."""
        hook = {"callback_url": callback_url, "verify_token": verify_token, "fields": fields}
        return self.control.post("/_sandbox/webhook", json=hook)

    def subscribe_account(self, fields: list[str]) -> None:
        """``POST /me/subscribed_apps`` as a client does it; empty fields unsubscribe."""
        params = {"access_token": self.token, "subscribed_fields": ",".join(fields)}
        if fields:
            self.control.post("/me/subscribed_apps", params=params).raise_for_status()
        else:
            self.control.delete("/me/subscribed_apps", params=params).raise_for_status()

    def webhook_status(self) -> dict[str, Any]:
        data: dict[str, Any] = self.control.get("/_sandbox/webhook").json()
        return data

    def webhook_settings(self, **settings: Any) -> dict[str, Any]:
        """speed, batch_window, batch_max, timeout, signing_secret, disable_after, ..."""
        reply = self.control.patch("/_sandbox/webhook", json=settings)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def webhook_knobs(self, **knobs: Any) -> dict[str, Any]:
        """duplicate, reorder, standby, batch (+ same_entry) for the next deliveries."""
        reply = self.control.post("/_sandbox/webhook/knobs", json=knobs)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def webhook_deliveries(self, since: int = 0) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.control.get(
            "/_sandbox/webhook/deliveries", params={"since": since}
        ).json()
        return data

    def webhook_test(self, field: str = "messages") -> dict[str, Any]:
        """The dashboard's Test button for `field`; the attempt's record."""
        reply = self.control.post("/_sandbox/webhook/test", json={"field": field})
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def flush_webhooks(self) -> None:
        self.control.post("/_sandbox/webhook/flush").raise_for_status()

    def act(self, name: str, **spec: Any) -> dict[str, Any]:
        """``POST /_sandbox/<name>``: shop_message, customer_reaction, customer_edit,
        customer_read, customer_postback, customer_referral."""
        reply = self.control.post(f"/_sandbox/{name}", json=spec)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def shop_writes(self, **spec: Any) -> dict[str, Any]:
        """The shop writes from the Instagram app (an echo webhook, no Send API call)."""
        return self.act("shop_message", **spec)

    def customer_reacts(self, message_id: str, emoji: str = "❤️", unreact: bool = False) -> None:
        action = "unreact" if unreact else "react"
        self.act("customer_reaction", message_id=message_id, emoji=emoji, action=action)

    def customer_edits(self, message_id: str, text: str) -> dict[str, Any]:
        return self.act("customer_edit", message_id=message_id, text=text)

    def customer_reads(self, **spec: Any) -> dict[str, Any]:
        return self.act("customer_read", **spec)

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock (and Meta time: retries due by then go out)."""
        reply = self.control.post("/_sandbox/clock", json={"advance_seconds": seconds})
        reply.raise_for_status()


def start_sandbox(world: dict[str, Any] | Path | None) -> Sandbox:
    threaded = ThreadedSandbox(world)
    threaded.start()
    return Sandbox(threaded)


@pytest.fixture
def tiny_sandbox() -> Iterator[Sandbox]:
    """The five-thread world of igdesk.sandbox.testing."""
    sandbox = start_sandbox(tiny_scenario())
    try:
        yield sandbox
    finally:
        sandbox.close()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive.open(tmp_path / "archive.sqlite3")
    try:
        yield store
    finally:
        store.close()


def run_sync(
    sandbox: Sandbox,
    archive: Archive,
    *,
    clock: Callable[[], datetime] = utc_now,
    **client_options: Any,
) -> tuple[SyncSummary, int]:
    """One sync pass on a fresh client; returns the summary and the requests the client sent.

    Pass the same `budget` to successive passes against one sandbox, as the app does (one
    budget per account), or a new client's first calls may exceed the 2/s limit. `clock`
    is the syncer's (when unreadable conversations are due again).
    """

    async def go() -> tuple[SyncSummary, int]:
        client_options.setdefault("budget", RateBudget(high_usage_delay=0.0))
        worker = ArchiveWorker.around(archive)  # the pass's archive work on its own thread
        try:
            async with GraphClient(sandbox.token, base_url=sandbox.url, **client_options) as client:
                summary = await Syncer(client, worker, clock=clock).run_once()
                return summary, client.request_count
        finally:
            await worker.aclose()

    return asyncio.run(go())


def fast_retries() -> dict[str, Any]:
    """Client options whose retry back-off waits ~nothing, for fault tests."""

    async def no_wait(_seconds: float) -> None:
        await asyncio.sleep(0)

    return {"sleep": no_wait, "budget": RateBudget(high_usage_delay=0.0, sleep=no_wait)}
