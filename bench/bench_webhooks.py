"""Webhook-to-model latency: signed deliveries at a steady rate, timed until the real window's
thread list model shows the stored message.

Run: .venv/bin/python bench/bench_webhooks.py [--rate 50] [--seconds 20]
A tiny sandbox world is synced and the real main window built (Qt offscreen, the qasync loop,
as in the app); then one message a delivery, from its customers in turn, is POSTed to the App's
receiver, signed as Meta signs it, and timed from the POST until the window has applied the
`ThreadsChanged` that follows the message's `MessagesAdded` (a slot connected after the window's
own, so the thread list model holds the change when it runs). Prints p50/p99/max and how many
were lost (never shown). Target (issue 10): p99 ≤ 50 ms at 50 events/s for 20 s, none lost.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import qasync
from PySide6.QtWidgets import QApplication

from igdesk.app import App
from igdesk.config import Profile, Settings
from igdesk.events import ThreadsChanged
from igdesk.i18n import Words
from igdesk.sandbox.testing import tiny_scenario
from igdesk.sandbox.threaded import ThreadedSandbox
from igdesk.ui.aio import TaskOwner, install_asyncgen_hooks
from igdesk.ui.images import ImageStore
from igdesk.ui.main_window import MainWindow
from igdesk.ui.tray import TrayNotifier
from igdesk.webhooks.signature import SIGNATURE_HEADER, sign, webhook_secrets

VERIFY_TOKEN = "bench"


def body_for(shop_id: str, customer_id: str, mid: str) -> bytes:
    """One inbound text message in Meta's envelope, serialized as Meta does (escaped unicode)."""
    now = int(time.time() * 1000)
    item = {
        "sender": {"id": customer_id},
        "recipient": {"id": shop_id},
        "timestamp": now,
        "message": {"mid": mid, "text": f"pesan bench {mid[-6:]}"},
    }
    envelope = {"object": "instagram", "entry": [{"id": shop_id, "time": now, "messaging": [item]}]}
    return json.dumps(envelope, separators=(",", ":")).encode("ascii")


async def run(sandbox: ThreadedSandbox, rate: float, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        app = App(Profile(Path(tmp)), graph_url=sandbox.url, token=sandbox.token, settings=settings)
        tasks = TaskOwner("bench")
        images = ImageStore(Path(tmp) / "images")
        tray = TrayNotifier(settings, use_system_tray=False)
        try:
            await app.sync_once()
            window = MainWindow(app, images=images, tasks=tasks, words=Words("en"), tray=tray)
            window.show()
            await window.reload_all()
            account = await app.inbox.account()
            assert account is not None
            customers = [t.contact_id for t in await app.inbox.threads()]
            keys = (webhook_secrets(sandbox.app_secret), VERIFY_TOKEN)
            service = await app.webhooks.start(0, keys=keys)
            sent: dict[str, float] = {}
            seen: dict[str, float] = {}
            announced: dict[str, list[str]] = {}  # thread id → message ids not yet shown

            def added(thread_id: str, message_ids: list[str]) -> None:
                announced.setdefault(thread_id, []).extend(message_ids)

            def shown(event: ThreadsChanged) -> None:
                now = time.perf_counter()
                for thread_id in event.thread_ids:
                    for mid in announced.pop(thread_id, []):
                        seen.setdefault(mid, now)

            window.bridge.messages_added.connect(added)
            window.bridge.threads_changed.connect(shown)  # after the window's own slot
            await deliver(
                service.url, account.id, customers, sandbox.app_secret, sent, rate, seconds
            )
            await asyncio.sleep(2.0)  # the last ones' processing
            report(sent, seen, rate, seconds)
            window.close()
        finally:
            await tasks.cancel_all()
            await images.aclose()
            await app.aclose()


async def deliver(
    url: str,
    shop_id: str,
    customers: list[str],
    secret: str,
    sent: dict[str, float],
    rate: float,
    seconds: float,
) -> None:
    """POST one signed delivery every 1/rate s (a bounded loop on loopback)."""
    count = int(rate * seconds)
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        pending: list[asyncio.Task[Any]] = []
        for n in range(count):
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            mid = f"aWdfbench{n:08d}"
            body = body_for(shop_id, customers[n % len(customers)], mid)
            headers = {SIGNATURE_HEADER: sign(body, secret), "Content-Type": "application/json"}
            sent[mid] = time.perf_counter()
            pending.append(asyncio.create_task(http.post(url, data=body, headers=headers)))
        for response in await asyncio.gather(*pending):
            response.release()


def report(sent: dict[str, float], seen: dict[str, float], rate: float, seconds: float) -> None:
    latencies = sorted((seen[mid] - at) * 1000 for mid, at in sent.items() if mid in seen)
    lost = len(sent) - len(latencies)
    print(f"{len(sent)} deliveries at {rate:g}/s for {seconds:g} s; shown {len(latencies)}")
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"webhook-to-model latency: p50 {statistics.median(latencies):.1f} ms, "
            f"p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms (target p99 <= 50 ms)"
        )
    print(f"lost: {lost} (target 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qt_app = QApplication.instance() or QApplication([])
    assert isinstance(qt_app, QApplication)
    qt_app.setQuitOnLastWindowClosed(False)  # as the app: the loop ends when `run` returns
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    restore_hooks = install_asyncgen_hooks(loop)  # as the app does: httpx streams need them
    try:
        with ThreadedSandbox(tiny_scenario()) as sandbox, loop:
            loop.run_until_complete(run(sandbox, args.rate, args.seconds))
    finally:
        restore_hooks()


if __name__ == "__main__":
    main()
