"""The receiver under the faults of issue 10: a process killed between the 200 and the
processing, a burst of 2,000 POSTs, the sandbox's own signed deliveries, and
`igdesk sync --watch --webhook-port N` as a real subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import httpx
import pytest

from igdesk.config import Profile, Settings
from igdesk.sandbox.testing import MESSAGING_FIELDS
from igdesk.store.worker import ArchiveWorker
from igdesk.webhooks.events import Event, MessageEvent
from igdesk.webhooks.service import WebhookService
from igdesk.webhooks.signature import webhook_secrets
from tests.integration.conftest import Sandbox
from tests.integration.test_webhook_receiver import Recording, counts, start_service, until_drained
from tests.webhook_bodies import SECRET, VERIFY_TOKEN, delivery, signed_headers

pytestmark = pytest.mark.slow

WEBHOOKS = ("--webhook-port", "0")

#: A receiver whose processing never finishes: whatever it stores stays pending until killed.
_CHILD = """
import asyncio, sys
from pathlib import Path
from igdesk.store.worker import ArchiveWorker
from igdesk.webhooks.service import WebhookService
from igdesk.webhooks.signature import webhook_secrets

async def never(events):
    await asyncio.Event().wait()

async def main():
    worker = ArchiveWorker(Path(sys.argv[1]))
    service = WebhookService(worker, secrets=webhook_secrets(sys.argv[2]), verify_token="vt",
                             processor=never)
    print(await service.start(), flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def test_a_crash_right_after_the_200_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), SECRET],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    ) as child:
        try:
            assert child.stdout is not None
            port = int(child.stdout.readline())
            body = delivery(2)
            answer = httpx.post(
                f"http://127.0.0.1:{port}/webhook",
                content=body,
                headers={"Content-Type": "application/json", **_signature(body)},
            )
            assert answer.status_code == 200
        finally:
            child.send_signal(signal.SIGKILL)  # right after the answer, before any processing
            child.wait()

    async def restart() -> tuple[list[str], int]:
        worker = ArchiveWorker(path)
        processor = Recording()
        service = await start_service(worker, processor)
        try:
            drained = await until_drained(worker, 1)
            return processor.mids, drained.done
        finally:
            await service.stop()
            await worker.aclose()

    mids, done = asyncio.run(restart())
    assert (mids, done) == (["mid.0", "mid.1"], 1)


def _signature(body: bytes) -> dict[str, str]:
    from igdesk.webhooks.signature import SIGNATURE_HEADER, sign

    return {SIGNATURE_HEADER: sign(body, SECRET)}


def test_a_burst_of_2000_posts_is_all_answered_and_all_stored(tmp_path: Path) -> None:
    """2,000 signed POSTs from a client loop with at most 32 in flight: every one answered 200,
    every one stored once and processed (the figures are printed; no timing is asserted).

    The client is aiohttp's: httpx's connection pool alone takes ~8 s for this burst."""
    total, in_flight = 2000, 32

    async def burst() -> tuple[list[int], int, int, float]:
        worker = ArchiveWorker(tmp_path / "archive.sqlite3")
        processor = Recording()
        service = await start_service(worker, processor)
        gate = asyncio.Semaphore(in_flight)
        try:
            async with aiohttp.ClientSession() as client:

                async def one(n: int) -> int:
                    body = delivery(1, first=n)
                    async with (
                        gate,
                        client.post(service.url, data=body, headers=signed_headers(body)) as reply,
                    ):
                        return reply.status

                started = time.monotonic()
                statuses = await asyncio.gather(*(one(n) for n in range(total)))
                elapsed = time.monotonic() - started
            stored = await counts(worker)
            await until_drained(worker, total, timeout=60)
            return statuses, stored.pending + stored.done, len(set(processor.mids)), elapsed
        finally:
            await service.stop()
            await worker.aclose()

    statuses, stored, processed, elapsed = asyncio.run(burst())
    print(f"burst: {statuses.count(200)}/{total} answered 200, {stored} stored in {elapsed:.2f} s")
    assert statuses.count(200) == total
    assert stored == total
    assert processed == total


def test_the_sandbox_delivers_signed_events_to_the_receiver(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    async def scenario() -> list[str]:
        worker = ArchiveWorker(tmp_path / "archive.sqlite3")
        seen: list[Event] = []

        async def keep(events: Sequence[Event]) -> None:
            seen.extend(events)

        threaded = tiny_sandbox.threaded
        service = WebhookService(
            worker,
            secrets=webhook_secrets(threaded.app_secret, threaded.meta_app_secret),
            verify_token=VERIFY_TOKEN,
            processor=keep,
        )
        await service.start()
        try:
            configured = await asyncio.to_thread(
                tiny_sandbox.configure_webhook, service.url, VERIFY_TOKEN, MESSAGING_FIELDS
            )
            assert configured.status_code == 200, configured.text
            await asyncio.to_thread(tiny_sandbox.subscribe_account, MESSAGING_FIELDS)
            wrote = await asyncio.to_thread(tiny_sandbox.writes, "ani.follower", "Kak, ready?")
            await until_drained(worker, 1)
            assert (await service.health()).receiver.refused == 0
            return [wrote["message_id"]] + [e.mid for e in seen if isinstance(e, MessageEvent)]
        finally:
            await service.stop()
            await worker.aclose()

    written, *delivered = asyncio.run(scenario())
    assert delivered == [written]


def _igdesk_env(**secrets: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGDESK_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.update(secrets)
    return env


def _watch_with_webhooks(sandbox: Sandbox, profile: Path) -> subprocess.Popen[str]:
    """`igdesk sync --watch --webhook-port 0` on `profile`, with the secrets in its environment."""
    base = ("--profile", str(profile), "--graph-url", sandbox.url)
    return subprocess.Popen(
        [sys.executable, "-m", "igdesk", "--lang", "en", *base, "sync", "--watch", *WEBHOOKS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_igdesk_env(
            IGDESK_ACCESS_TOKEN=sandbox.token,
            IGDESK_APP_SECRET=SECRET,
            IGDESK_VERIFY_TOKEN=VERIFY_TOKEN,
        ),
    )


def test_sync_watch_with_a_webhook_port_answers_and_stops_on_sigterm(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    process = _watch_with_webhooks(tiny_sandbox, tmp_path)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Receiving webhooks at http://127.0.0.1:"), first
        url = first.split()[-1]
        handshake = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}
        answer = httpx.get(url, params={**handshake, "hub.challenge": "42"})
        assert (answer.status_code, answer.text) == (200, "42")
        assert httpx.get(url, params={**handshake, "hub.verify_token": "x"}).status_code == 403
        body = delivery(1)
        signed = {"Content-Type": "application/json", **_signature(body)}
        assert httpx.post(url, content=body, headers=signed).status_code == 200
        assert "(4 new)" in process.stdout.readline()  # polling goes on beside it
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"IGDESK_VERIFY_TOKEN": VERIFY_TOKEN}, "IGDESK_APP_SECRET"),
        ({"IGDESK_APP_SECRET": SECRET}, "IGDESK_VERIFY_TOKEN"),
    ],
)
def test_sync_watch_without_a_webhook_secret_is_one_clear_line(
    tmp_path: Path, given: dict[str, str], missing: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "igdesk", "--profile", str(tmp_path), "sync", "--watch", *WEBHOOKS],
        capture_output=True,
        text=True,
        timeout=60,
        env=_igdesk_env(IGDESK_ACCESS_TOKEN="x" * 40, **given),
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and missing in lines[0], result.stderr
    assert result.stdout == ""


def test_sync_watch_opens_the_tunnel_and_keeps_the_subscription_when_settings_say_so(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    Settings(
        webhooks_enabled=True,
        tunnel_provider="manual",
        tunnel_public_url="https://toko.example.com",
    ).save(Profile(tmp_path).settings_path)
    process = _watch_with_webhooks(tiny_sandbox, tmp_path)
    lines: list[str] = []
    try:
        assert process.stdout is not None
        while not any(line.startswith("Instant delivery on") for line in lines):
            lines.append(process.stdout.readline())
            assert len(lines) < 20 and lines[-1], lines
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Callback URL for Meta's dashboard: https://toko.example.com/webhook\n" in lines
    assert "Traceback" not in err
    subscription = httpx.get(
        f"{tiny_sandbox.url}/v25.0/me/subscribed_apps", params={"access_token": tiny_sandbox.token}
    ).json()
    assert subscription["data"], "igdesk subscribed the account"
