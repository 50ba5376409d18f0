"""Sync figures against the sandbox: a first full sync of the bundled shop and a re-sync.

Run: .venv/bin/python bench/bench_sync.py
Prints the time, the requests, and the highest rate of conversations calls seen by the sandbox
in any one-second window (Meta allows 2 per second per account). Asserts nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from igdesk.graph import GraphClient
from igdesk.graph.ratelimit import RateBudget
from igdesk.sandbox.threaded import ThreadedSandbox
from igdesk.store import Archive
from igdesk.sync.engine import Syncer


def peak_conversation_calls_per_second(log: list[dict[str, object]]) -> int:
    times = sorted(
        float(str(entry["monotonic"]))
        for entry in log
        if "conversations" in str(entry["path"]) or str(entry["path"]).startswith("/aWdf")
    )
    peak, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


async def run(url: str, token: str, archive: Archive) -> None:
    budget = RateBudget()
    for label in ("first sync", "re-sync, nothing new"):
        async with GraphClient(token, base_url=url, budget=budget) as client:
            started = time.perf_counter()
            summary = await Syncer(client, archive).run_once()
            seconds = time.perf_counter() - started
        print(
            f"{label}: {seconds:.1f} s, {summary.requests} requests, "
            f"{summary.threads_updated} conversations, {summary.new_messages} messages"
        )


def main() -> None:
    with ThreadedSandbox(None) as sandbox, tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp) / "archive.sqlite3")
        asyncio.run(run(sandbox.url, sandbox.token, archive))
        log = httpx.get(f"{sandbox.url}/_sandbox/requests").json()
        peak = peak_conversation_calls_per_second(log)
        print(f"peak conversations calls in any 1 s window: {peak}")
        archive.close()  # checkpoints the WAL into the main file
        print(f"archive file: {(Path(tmp) / 'archive.sqlite3').stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
