"""Sync figures against the sandbox: requests and time of a first sync against the floor.

Run: .venv/bin/python bench/bench_sync.py [--threads N ...]
For the bundled shop world and a generated world (1,000 threads by default) it prints:

- the first sync's requests and the floor: list pages at the page size used, plus one profile
  per distinct customer, plus `/me`; and their ratio (target: at most 1.05);
- its wall time against (conversations calls ÷ 2/s), the pacing Meta imposes, with the rest
  (profile reads and local work) shown apart, and how long the client waited in all (pacing,
  and slowing down when the usage headers near 100 %: the sandbox reports 600 calls a minute
  per app, so 1,000 profile reads in a row are throttled);
- an idle pass (target: 1 request) and a pass after 3 customers wrote (target: 1 + 3);
- the highest rate of conversations calls the sandbox saw in any one-second window.

Asserts nothing: figures, not tests.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from igdesk.graph import GraphClient
from igdesk.graph.client import NESTED_PAGE_SIZE
from igdesk.graph.ratelimit import RateBudget
from igdesk.sandbox.generated import generated_scenario
from igdesk.sandbox.threaded import ThreadedSandbox
from igdesk.store import Archive
from igdesk.store.worker import ArchiveWorker
from igdesk.sync.engine import Syncer, SyncSummary

CONVERSATIONS_PER_SECOND = 2.0


def classify(entry: dict[str, Any], customers: set[str]) -> str:
    """ "conversations" (list or thread read), "profile", "me" or "other"."""
    path = str(entry["path"]).rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if last == "me":
        return "me"
    if last in customers:
        return "profile"
    if last == "conversations" or last.startswith("aWdf") or last == "messages":
        return "conversations"
    return "other"


def peak_per_second(times: list[float]) -> int:
    times = sorted(times)
    peak, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


async def one_pass(url: str, token: str, archive: Archive, budget: RateBudget) -> SyncSummary:
    worker = ArchiveWorker.around(archive)
    try:
        async with GraphClient(token, base_url=url, budget=budget) as client:
            return await Syncer(client, worker).run_once()
    finally:
        await worker.aclose()


def bench_world(label: str, world: dict[str, Any] | None) -> None:
    with ThreadedSandbox(world) as sandbox, tempfile.TemporaryDirectory() as tmp:
        control = httpx.Client(base_url=sandbox.url, timeout=60)
        truth = control.get("/_sandbox/world").json()
        listed = [t for t in truth["threads"] if t["listed"]]
        customers = {t["customer"]["id"] for t in listed}
        floor = math.ceil(len(listed) / NESTED_PAGE_SIZE) + len(customers) + 1
        archive = Archive.open(Path(tmp) / "archive.sqlite3")
        waited = [0.0]

        async def counted_sleep(seconds: float) -> None:
            waited[0] += seconds
            await asyncio.sleep(seconds)

        budget = RateBudget(sleep=counted_sleep)

        control.delete("/_sandbox/requests")
        started = time.perf_counter()
        summary = asyncio.run(one_pass(sandbox.url, sandbox.token, archive, budget))
        wall = time.perf_counter() - started
        log = control.get("/_sandbox/requests").json()
        kinds = [classify(entry, customers) for entry in log]
        calls = kinds.count("conversations")
        paced = calls / CONVERSATIONS_PER_SECOND
        conversation_times = [
            float(e["monotonic"]) for e, k in zip(log, kinds, strict=True) if k == "conversations"
        ]
        print(f"== {label}: {len(listed)} listed threads, {len(customers)} customers")
        print(
            f"first sync: {summary.requests} requests, floor {floor} "
            f"({math.ceil(len(listed) / NESTED_PAGE_SIZE)} pages of {NESTED_PAGE_SIZE} + "
            f"{len(customers)} profiles + /me), ratio {summary.requests / floor:.3f} "
            f"(target <= 1.05)"
        )
        print(
            f"  by kind: {calls} conversations, {kinds.count('profile')} profiles, "
            f"{kinds.count('me')} /me, {kinds.count('other')} other; "
            f"{summary.new_messages} messages stored, {len(summary.unreadable)} unreadable"
        )
        print(
            f"  wall {wall:.1f} s; conversations pacing {paced:.1f} s "
            f"(ratio {wall / paced if paced else float('nan'):.2f}); "
            f"profiles and local work {max(wall - paced, 0.0):.1f} s; "
            f"peak conversations calls in 1 s: {peak_per_second(conversation_times)}"
        )
        print(
            f"  the client waited {waited[0]:.1f} s in all (pacing, and slowing down as the usage "
            f"headers asked; last usage seen {budget.usage or 0:.0f} %)"
        )

        idle = asyncio.run(one_pass(sandbox.url, sandbox.token, archive, budget))
        print(f"idle pass: {idle.requests} requests (target 1)")
        for thread in listed[-3:]:
            control.post(
                "/_sandbox/customer_message",
                json={"customer_id": thread["customer"]["id"], "text": "Kak, sudah transfer"},
            ).raise_for_status()
        changed = asyncio.run(one_pass(sandbox.url, sandbox.token, archive, budget))
        print(
            f"3 changed threads: {changed.requests} requests (target <= 4), "
            f"{changed.new_messages} new messages"
        )
        archive.close()
        size = (Path(tmp) / "archive.sqlite3").stat().st_size
        print(f"archive file: {size / 1e3:.0f} kB")
        control.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="*", default=[1000])
    args = parser.parse_args()
    bench_world("bundled shop world", None)
    for count in args.threads:
        bench_world(f"generated world of {count} threads", generated_scenario(count))


if __name__ == "__main__":
    main()
