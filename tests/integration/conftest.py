"""Fixtures for integration tests: sandboxes on loopback and helpers to sync into a real archive."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

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


def run_sync(sandbox: Sandbox, archive: Archive, **client_options: Any) -> tuple[SyncSummary, int]:
    """One sync pass on a fresh client; returns the summary and the requests the client sent.

    Pass the same `budget` to successive passes against one sandbox, as the app does (one
    budget per account), or a new client's first calls may exceed the 2/s limit.
    """

    async def go() -> tuple[SyncSummary, int]:
        client_options.setdefault("budget", RateBudget(high_usage_delay=0.0))
        async with GraphClient(sandbox.token, base_url=sandbox.url, **client_options) as client:
            summary = await Syncer(client, archive).run_once()
            return summary, client.request_count

    return asyncio.run(go())


def fast_retries() -> dict[str, Any]:
    """Client options whose retry back-off waits ~nothing, for fault tests."""

    async def no_wait(_seconds: float) -> None:
        await asyncio.sleep(0)

    return {"sleep": no_wait, "budget": RateBudget(high_usage_delay=0.0, sleep=no_wait)}
