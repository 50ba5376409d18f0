"""Fixtures for integration tests: sandboxes on loopback and helpers to sync into a real archive."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from igdesk.domain import utc_now
from igdesk.graph import GraphClient
from igdesk.graph.ratelimit import RateBudget
from igdesk.sandbox.testing import tiny_scenario
from igdesk.sandbox.threaded import ThreadedSandbox
from igdesk.store import Archive
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
        async with GraphClient(sandbox.token, base_url=sandbox.url, **client_options) as client:
            summary = await Syncer(client, archive, clock=clock).run_once()
            return summary, client.request_count

    return asyncio.run(go())


def fast_retries() -> dict[str, Any]:
    """Client options whose retry back-off waits ~nothing, for fault tests."""

    async def no_wait(_seconds: float) -> None:
        await asyncio.sleep(0)

    return {"sleep": no_wait, "budget": RateBudget(high_usage_delay=0.0, sleep=no_wait)}
