"""The webhook receiver over real HTTP on loopback, storing into a real SQLite archive: the
verification handshake, every bad input it must refuse, and the durable queue behind it."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from igdesk.store.webhook_queue import MAX_ATTEMPTS, QueueCounts
from igdesk.store.worker import ArchiveWorker
from igdesk.webhooks.drain import EventsProcessor, ProcessLater
from igdesk.webhooks.events import Event, MessageEvent
from igdesk.webhooks.receiver import MAX_BODY
from igdesk.webhooks.service import WebhookService
from igdesk.webhooks.signature import SIGNATURE_HEADER, webhook_secrets
from tests.webhook_bodies import (
    META_SECRET,
    SECRET,
    SHOP,
    T0_MS,
    VERIFY_TOKEN,
    delivery,
    post,
    signed_headers,
)


class Recording:
    """A processor that keeps the message ids it was given; `fail` makes it raise (a bug),
    `later` raise ProcessLater (the network, say), that many times."""

    def __init__(self) -> None:
        self.mids: list[str] = []
        self.calls = 0
        self.fail = 0
        self.later = 0

    async def __call__(self, events: Sequence[Event]) -> None:
        self.calls += 1
        if self.later:
            self.later -= 1
            raise ProcessLater("offline")
        if self.fail:
            self.fail -= 1
            raise RuntimeError("ingest failed")
        self.mids.extend(e.mid for e in events if isinstance(e, MessageEvent))


async def start_service(
    worker: ArchiveWorker, processor: EventsProcessor, **options: float
) -> WebhookService:
    service = WebhookService(
        worker,
        secrets=webhook_secrets(SECRET, META_SECRET),
        verify_token=VERIFY_TOKEN,
        processor=processor,
    )
    for name, value in options.items():
        setattr(service.drainer, name, value)
    await service.start()
    return service


async def counts(worker: ArchiveWorker) -> QueueCounts:
    return await worker.read(lambda archive: archive.webhook_queue.counts())


async def until_drained(worker: ArchiveWorker, done: int, timeout: float = 10.0) -> QueueCounts:
    """Wait until `done` bodies are processed (and none pending)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        now = await counts(worker)
        if now.done >= done and now.pending == 0:
            return now
        assert loop.time() < end, f"queue not drained: {now}"
        await asyncio.sleep(0.02)


@pytest.fixture
def processor() -> Recording:
    return Recording()


@pytest_asyncio.fixture
async def worker(tmp_path: Path) -> AsyncIterator[ArchiveWorker]:
    archive_worker = ArchiveWorker(tmp_path / "archive.sqlite3")
    yield archive_worker
    await archive_worker.aclose()


@pytest_asyncio.fixture
async def service(worker: ArchiveWorker, processor: Recording) -> AsyncIterator[WebhookService]:
    running = await start_service(worker, processor)
    yield running
    await running.stop()


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


@pytest.mark.asyncio
async def test_verification_echoes_the_challenge_only_for_the_right_token(
    service: WebhookService, client: httpx.AsyncClient
) -> None:
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    answer = await client.get(service.url, params=good)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    for bad in (
        {**good, "hub.verify_token": "wrong"},
        {**good, "hub.mode": "unsubscribe"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ):
        assert (await client.get(service.url, params=bad)).status_code == 403
    assert (await client.get(service.url.replace("/webhook", "/other"))).status_code == 404


@pytest.mark.asyncio
async def test_a_signed_delivery_is_stored_answered_and_processed(
    service: WebhookService, worker: ArchiveWorker, processor: Recording, client: httpx.AsyncClient
) -> None:
    answer = await post(client, service.url, delivery(3))
    assert (answer.status_code, answer.text) == (200, "EVENT_RECEIVED")
    await until_drained(worker, 1)
    assert processor.mids == ["mid.0", "mid.1", "mid.2"]
    health = await service.health()
    assert (health.receiver.accepted, health.receiver.refused, health.receiver.errors) == (1, 0, 0)
    assert health.receiver.last_event_at is not None
    assert health.drain.processed == 1


@pytest.mark.asyncio
async def test_either_configured_secret_is_accepted_and_its_role_kept(
    service: WebhookService, worker: ArchiveWorker, client: httpx.AsyncClient
) -> None:
    assert (await post(client, service.url, delivery(), SECRET)).status_code == 200
    assert (await post(client, service.url, delivery(), META_SECRET)).status_code == 200
    roles = await worker.read(
        lambda archive: [
            row[0] for row in archive.db.conn.execute("SELECT secret_role FROM webhook_queue")
        ]
    )
    assert roles == ["instagram_app_secret", "meta_app_secret"]


@pytest.mark.asyncio
async def test_bad_signatures_are_refused_counted_and_never_stored(
    service: WebhookService, worker: ArchiveWorker, client: httpx.AsyncClient
) -> None:
    body = delivery()
    unsigned = {"Content-Type": "application/json"}
    attempts = {
        "no signature": unsigned,
        "empty signature": {**unsigned, SIGNATURE_HEADER: ""},
        "wrong secret": signed_headers(body, "not-the-secret"),
        "other bytes": signed_headers(delivery(1, first=7)),
        "not hex": {**unsigned, SIGNATURE_HEADER: "sha256=" + "zz" * 32},
        "sha1 only": {**unsigned, "X-Hub-Signature": "sha1=" + "0" * 40},
    }
    for name, headers in attempts.items():
        answer = await client.post(service.url, content=body, headers=headers)
        assert answer.status_code == 403, name
    health = await service.health()
    assert health.receiver.refused == len(attempts)
    assert health.receiver.accepted == 0
    assert await counts(worker) == QueueCounts(0, 0, 0)


@pytest.mark.asyncio
async def test_malformed_bodies_are_400_and_never_stored(
    service: WebhookService, worker: ArchiveWorker, client: httpx.AsyncClient
) -> None:
    bodies = {
        "invalid UTF-8": b'{"object":"instagram","entry":[{"id":"\xff\xfe"}]}',
        "not JSON": b'{"object":"instagram","entry":[',
        "an array": b'[{"object":"instagram","entry":[]}]',
        "a string": b'"instagram"',
        "missing entry": b'{"object":"instagram"}',
        "entry not a list": b'{"object":"instagram","entry":{"id":"1"}}',
        "another object": b'{"object":"page","entry":[]}',
        "empty": b"",
    }
    for name, body in bodies.items():
        answer = await post(client, service.url, body)
        assert answer.status_code == 400, name
    wrong_type = delivery()
    headers = {**signed_headers(wrong_type), "Content-Type": "text/plain"}
    answer = await client.post(service.url, content=wrong_type, headers=headers)
    assert answer.status_code == 400
    health = await service.health()
    assert (health.receiver.rejected, health.receiver.accepted) == (len(bodies) + 1, 0)
    assert await counts(worker) == QueueCounts(0, 0, 0)


@pytest.mark.asyncio
async def test_a_body_over_one_mebibyte_is_413_and_the_receiver_goes_on(
    service: WebhookService, worker: ArchiveWorker, client: httpx.AsyncClient
) -> None:
    padding = "x" * (2 * MAX_BODY)
    huge = json.dumps({"object": "instagram", "entry": [], "pad": padding}).encode()
    answer = await post(client, service.url, huge)
    assert answer.status_code == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the cap is counted
        for _ in range(2 * MAX_BODY // 65536):
            yield b" " * 65536

    streamed = await client.post(
        service.url, content=chunked(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert (await post(client, service.url, delivery())).status_code == 200
    assert (await service.health()).receiver.rejected == 2
    assert (await until_drained(worker, 1)).done == 1


@pytest.mark.asyncio
async def test_a_thousand_events_in_one_post_are_stored_once(
    service: WebhookService, worker: ArchiveWorker, processor: Recording, client: httpx.AsyncClient
) -> None:
    body = delivery(1000)
    assert len(body) < MAX_BODY
    assert (await post(client, service.url, body)).status_code == 200
    assert (await until_drained(worker, 1)).done == 1
    assert len(processor.mids) == 1000 and processor.calls == 1
    stored = await worker.read(
        lambda archive: archive.db.conn.execute("SELECT body FROM webhook_queue").fetchall()
    )
    assert [bytes(row[0]) for row in stored] == [body]  # the exact bytes, once


@pytest.mark.asyncio
async def test_a_replayed_body_is_stored_again_for_the_ingest_to_deduplicate(
    service: WebhookService, worker: ArchiveWorker, processor: Recording, client: httpx.AsyncClient
) -> None:
    body = delivery(2)
    for _ in range(2):
        assert (await post(client, service.url, body)).status_code == 200
    await until_drained(worker, 2)
    assert processor.mids == ["mid.0", "mid.1", "mid.0", "mid.1"]


@pytest.mark.asyncio
async def test_a_failing_processor_leaves_the_body_queued_and_it_is_retried(
    worker: ArchiveWorker, processor: Recording, client: httpx.AsyncClient
) -> None:
    processor.fail = 1
    service = await start_service(worker, processor, _retry_seconds=0.02)
    try:
        assert (await post(client, service.url, delivery())).status_code == 200
        await until_drained(worker, 1)
        assert processor.mids == ["mid.0"] and processor.calls == 2
        assert service.drainer.health().last_error == "RuntimeError"
        processor.later = MAX_ATTEMPTS + 1  # a failure that may pass uses up no attempt
        assert (await post(client, service.url, delivery(1, first=2))).status_code == 200
        await until_drained(worker, 2)
        assert processor.mids == ["mid.0", "mid.2"]
        assert service.drainer.health().last_error == "ProcessLater"
        processor.fail = MAX_ATTEMPTS
        assert (await post(client, service.url, delivery(1, first=1))).status_code == 200
        loop = asyncio.get_running_loop()
        end = loop.time() + 10
        while (await counts(worker)).failed == 0:
            assert loop.time() < end, "the body was never left aside"
            await asyncio.sleep(0.05)
        assert await counts(worker) == QueueCounts(pending=0, done=2, failed=1)
    finally:
        await service.stop()


@pytest.mark.asyncio
async def test_a_body_the_archive_cannot_take_is_500_for_meta_to_retry(
    tmp_path: Path, processor: Recording, client: httpx.AsyncClient
) -> None:
    worker = ArchiveWorker(tmp_path / "archive.sqlite3")
    service = await start_service(worker, processor)
    try:
        await until_drained(worker, 0)  # the archive file exists
        (tmp_path / "archive.sqlite3").chmod(0o444)
        answer = await post(client, service.url, delivery())
        assert answer.status_code == 500
        assert (await service.health()).receiver.errors == 1
        (tmp_path / "archive.sqlite3").chmod(0o644)
        assert (await post(client, service.url, delivery())).status_code == 200
    finally:
        await service.stop()
        await worker.aclose()


@pytest.mark.asyncio
async def test_the_shop_id_comes_from_the_archive_when_known(
    service: WebhookService, worker: ArchiveWorker, client: httpx.AsyncClient
) -> None:
    seen: list[Event] = []

    async def keep(events: Sequence[Event]) -> None:
        seen.extend(events)

    await service.stop()
    running = await start_service(worker, keep)
    try:
        item = {
            "sender": {"id": SHOP},
            "recipient": {"id": "9000000000000001"},
            "timestamp": T0_MS,
            "message": {"mid": "mid.echo", "text": "ok", "is_echo": True},
        }
        body = json.dumps({"object": "instagram", "entry": [{"id": SHOP, "messaging": [item]}]})
        assert (await post(client, running.url, body.encode())).status_code == 200
        await until_drained(worker, 1)
        assert [e.from_shop for e in seen] == [True]
    finally:
        await running.stop()


@pytest.mark.asyncio
async def test_the_port_taken_is_a_sentence(
    service: WebhookService, worker: ArchiveWorker, processor: Recording
) -> None:
    from igdesk.errors import IgdeskError

    other = WebhookService(
        worker,
        secrets=webhook_secrets(SECRET),
        verify_token=VERIFY_TOKEN,
        port=service.receiver.port,
        processor=processor,
    )
    with pytest.raises(IgdeskError) as info:
        await other.start()
    assert str(service.receiver.port) in info.value.sentence()


@pytest.mark.asyncio
async def test_random_signed_bodies_never_crash_the_receiver(
    service: WebhookService, worker: ArchiveWorker, client: httpx.AsyncClient
) -> None:
    """Bytes of every kind, signed: each is 200 (stored) or 400, never a 500; it keeps going."""
    rng = random.Random(10)
    fragments = [b"{", b"}", b"[", b"]", b'"entry"', b'"object"', b'"instagram"', b":", b","]
    fragments += [b"\xff", b"\\ud800", b"null", b"1e999", b"NaN", b" ", b'"messaging"']
    statuses = []
    for n in range(300):
        if n % 3:
            body = b"".join(rng.choice(fragments) for _ in range(rng.randint(0, 40)))
        else:
            body = rng.randbytes(rng.randint(0, 200))
        statuses.append((await post(client, service.url, body)).status_code)
    assert set(statuses) <= {200, 400}
    assert (await post(client, service.url, delivery())).status_code == 200
    health = await service.health()
    assert health.receiver.errors == 0
    assert health.receiver.accepted == statuses.count(200) + 1


@pytest.mark.asyncio
async def test_stop_cuts_a_stuck_processor_short_and_the_body_stays_queued(
    worker: ArchiveWorker, client: httpx.AsyncClient
) -> None:
    started = asyncio.Event()

    async def stuck(events: Sequence[Event]) -> None:
        started.set()
        await asyncio.Event().wait()

    service = await start_service(worker, stuck, _stop_grace=0.2)
    assert (await post(client, service.url, delivery())).status_code == 200
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.wait_for(service.stop(), 10)
    assert await counts(worker) == QueueCounts(pending=1, done=0, failed=0)
