"""Fixtures for integration tests: sandboxes on loopback and helpers to sync into a real archive."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from igdesk.domain import utc_now
from igdesk.graph import GraphClient
from igdesk.graph.ratelimit import RateBudget
from igdesk.sandbox.testing import tiny_scenario
from igdesk.store import Archive
from igdesk.store.worker import ArchiveWorker
from igdesk.sync.engine import Syncer, SyncSummary
from tests.sandbox_client import Sandbox, start_sandbox

__all__ = ["Sandbox", "start_sandbox"]


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
