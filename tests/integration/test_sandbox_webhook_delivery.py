"""Sandbox webhook delivery: batching, retries on Meta time, the drop, the one-hour disable,
and the knobs (duplicates, out of order, standby, batches, dashboard test payloads).

Retry timing is checked on the ``meta_seconds`` the sandbox records (lower bounds only),
never on the wall clock: a high ``speed`` or a sandbox clock jump makes hours pass at once.
"""

from __future__ import annotations

import asyncio
from itertools import accumulate
from typing import Any

import httpx
import pytest

from igdesk.sandbox.testing import MESSAGING_FIELDS, webhooked_sandbox
from igdesk.sandbox.webhooks import RETRY_DELAYS


async def _write(client: httpx.AsyncClient, text: str = "Halo") -> str:
    reply = await client.post(
        "/_sandbox/customer_message", json={"username": "ani.follower", "text": text}
    )
    reply.raise_for_status()
    return str(reply.json()["message_id"])


def _mids(body: dict[str, Any], key: str = "messaging") -> list[str]:
    return [item["message"]["mid"] for entry in body["entry"] for item in entry[key]]


async def _log(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await client.get("/_sandbox/webhook/deliveries")).json()
    return data


async def _until(client: httpx.AsyncClient, check: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check(await _log(client)):
        assert loop.time() < end, "the sandbox did not get there in time"
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_events_close_together_share_a_post_up_to_the_cap() -> None:
    async with webhooked_sandbox(batch_window=0.3, batch_max=2) as (_server, client, recorder):
        mids = await asyncio.gather(*(_write(client, f"pesan {n}") for n in range(3)))
        first, second = await recorder.wait_posts(2)
        assert [len(first.json()["entry"]), len(second.json()["entry"])] == [2, 1]
        assert sorted(_mids(first.json()) + _mids(second.json())) == sorted(mids)
        assert all(len(e["messaging"]) == 1 for e in first.json()["entry"])
        assert [d["events"] for d in await _log(client)] == [2, 1]


@pytest.mark.asyncio
async def test_retries_after_500_then_success_with_the_same_bytes() -> None:
    async with webhooked_sandbox(batch_window=0, speed=1e4) as (_server, client, recorder):
        recorder.script(500, 503)
        mid = await _write(client)
        posts = await recorder.wait_posts(3)
        assert [p.status for p in posts] == [500, 503, 200]
        assert len({p.body for p in posts}) == 1
        assert len({p.headers["X-Hub-Signature-256"] for p in posts}) == 1
        assert _mids(posts[0].json()) == [mid]
        log = await _log(client)
        assert [(d["attempt"], d["outcome"]) for d in log] == [
            (1, "retry"),
            (2, "retry"),
            (3, "delivered"),
        ]
        assert log[2]["meta_seconds"] - log[1]["meta_seconds"] >= RETRY_DELAYS[1]
        assert len(await recorder.quiet(0.2)) == 3


@pytest.mark.asyncio
async def test_a_connection_failure_is_retried_like_a_500() -> None:
    async with webhooked_sandbox(batch_window=0, speed=1e4) as (_server, client, recorder):
        await recorder.stop()  # nobody answers at the callback now
        await _write(client)
        await _until(client, lambda log: len(log) >= 2)
        log = await _log(client)
        assert log[0]["status"] is None and "Error" in log[0]["error"]
        assert log[0]["outcome"] == "retry"
        await client.delete("/_sandbox/webhook")  # stop the retries before the test ends


@pytest.mark.asyncio
async def test_the_sandbox_clock_makes_retries_due() -> None:
    async with webhooked_sandbox(batch_window=0) as (_server, client, recorder):
        recorder.script(500, 500)
        await _write(client)
        await recorder.wait_posts(2)  # the first attempt and the immediate retry
        assert len(await recorder.quiet(0.3)) == 2  # the next one is 20 s of Meta time away
        await client.post("/_sandbox/clock", json={"advance_seconds": RETRY_DELAYS[1]})
        third = (await recorder.wait_posts(3))[2]
        assert third.status == 200


@pytest.mark.asyncio
async def test_dropped_after_the_whole_schedule() -> None:
    async with webhooked_sandbox(batch_window=0, speed=2e6, disable_after=None) as (
        server,
        client,
        recorder,
    ):
        recorder.default_status = 500
        await _write(client)
        posts = await recorder.wait_posts(len(RETRY_DELAYS) + 1)
        assert len({p.body for p in posts}) == 1
        await _until(client, lambda log: log and log[-1]["outcome"] == "dropped")
        log = await _log(client)
        assert [d["attempt"] for d in log] == list(range(1, len(RETRY_DELAYS) + 2))
        start = log[0]["meta_seconds"]
        for record, due in zip(log[1:], accumulate(RETRY_DELAYS), strict=True):
            assert record["meta_seconds"] - start >= due - 0.01
        assert log[-1]["meta_seconds"] - start > 30 * 3600
        assert len(await recorder.quiet(0.2)) == len(RETRY_DELAYS) + 1
        assert server.world.subscribed_fields  # the graph-page rule: dropped, not unsubscribed


@pytest.mark.asyncio
async def test_an_hour_of_failures_unsubscribes_the_account() -> None:
    async with webhooked_sandbox(batch_window=0, speed=2e5) as (server, client, recorder):
        recorder.default_status = 500
        await _write(client)
        await _until(client, lambda log: log and log[-1]["outcome"] == "disabled")
        log = await _log(client)
        assert log[-1]["meta_seconds"] - log[0]["meta_seconds"] >= 3600
        assert all(d["outcome"] == "retry" for d in log[:-1])
        params = {"access_token": server.token}
        assert (await client.get("/me/subscribed_apps", params=params)).json() == {"data": []}
        status = (await client.get("/_sandbox/webhook")).json()
        assert status["disabled_at"] and status["queued_deliveries"] == 0

        attempts = len(recorder.posts)
        await _write(client, "tidak sampai")
        assert len(await recorder.quiet(0.2)) == attempts
        recorder.default_status = 200
        params["subscribed_fields"] = ",".join(MESSAGING_FIELDS)
        await client.post("/me/subscribed_apps", params=params)
        mid = await _write(client, "sampai")
        assert _mids((await recorder.wait_posts(attempts + 1))[-1].json()) == [mid]


@pytest.mark.asyncio
async def test_duplicate_and_out_of_order_knobs() -> None:
    async with webhooked_sandbox(batch_window=0) as (_server, client, recorder):
        knobs = await client.post("/_sandbox/webhook/knobs", json={"duplicate": 1})
        assert knobs.json()["knobs"]["duplicate"] == 1
        mid = await _write(client)
        first, again = await recorder.wait_posts(2)
        assert first.body == again.body and _mids(first.json()) == [mid]
        assert first.headers["X-Hub-Signature-256"] == again.headers["X-Hub-Signature-256"]
        assert [d["kind"] for d in await _log(client)] == ["delivery", "duplicate"]

        await client.post("/_sandbox/webhook/knobs", json={"reorder": 1})
        early = await _write(client, "dulu")
        assert len(await recorder.quiet(0.2)) == 2  # held back
        late = await _write(client, "kemudian")
        third, fourth = (await recorder.wait_posts(4))[2:]
        assert [_mids(third.json()), _mids(fourth.json())] == [[late], [early]]
        stamps = [p.json()["entry"][0]["messaging"][0]["timestamp"] for p in (third, fourth)]
        assert stamps[0] >= stamps[1]  # order by timestamp restores it

        await client.post("/_sandbox/webhook/knobs", json={"reorder": 1})
        alone = await _write(client, "sendiri")
        assert len(await recorder.quiet(0.2)) == 4
        await client.post("/_sandbox/webhook/flush")
        assert _mids((await recorder.wait_posts(5))[4].json()) == [alone]


@pytest.mark.asyncio
async def test_standby_and_batch_knobs() -> None:
    fields = [*MESSAGING_FIELDS, "standby"]
    async with webhooked_sandbox(fields=fields, batch_window=0) as (_server, client, recorder):
        await client.post("/_sandbox/webhook/knobs", json={"standby": 1})
        mid = await _write(client)
        [post] = await recorder.wait_posts(1)
        [entry] = post.json()["entry"]
        assert "messaging" not in entry and _mids(post.json(), "standby") == [mid]

        await client.post("/_sandbox/webhook/knobs", json={"batch": 3, "same_entry": True})
        mids = [await _write(client, f"b{n}") for n in range(3)]
        together = (await recorder.wait_posts(2))[1].json()
        assert len(together["entry"]) == 1 and _mids(together) == mids

        await client.post("/_sandbox/webhook/knobs", json={"batch": 2})
        mids = [await _write(client, f"c{n}") for n in range(2)]
        apart = (await recorder.wait_posts(3))[2].json()
        assert len(apart["entry"]) == 2 and _mids(apart) == mids

    async with webhooked_sandbox(batch_window=0) as (_server, client, _recorder):
        refused = await client.post("/_sandbox/webhook/knobs", json={"standby": 1})
        assert refused.status_code == 400 and "standby" in refused.json()["error"]
        for bad in ({"duplicate": -1}, {"batch": 1001}, {"twice": 1}, {"same_entry": 1}):
            assert (await client.post("/_sandbox/webhook/knobs", json=bad)).status_code == 400


@pytest.mark.asyncio
async def test_dashboard_test_payloads() -> None:
    async with webhooked_sandbox(subscribe=False) as (server, client, recorder):
        sent = await client.post("/_sandbox/webhook/test", json={"field": "messages"})
        assert sent.status_code == 200 and sent.json()["status"] == 200
        [post] = await recorder.wait_posts(1)
        [entry] = post.json()["entry"]
        assert entry["id"] == "0" and isinstance(entry["time"], int)
        [change] = entry["changes"]
        assert change["field"] == "messages"
        assert change["value"]["message"] == {"mid": "random_mid", "text": "random_text"}
        assert change["value"]["timestamp"] == "1527459824"
        assert post.headers["X-Hub-Signature-256"].startswith("sha256=")

        recorder.script(500)
        failed = await client.post("/_sandbox/webhook/test", json={"field": "comments"})
        assert failed.json()["status"] == 500 and failed.json()["outcome"] == "failed"
        assert len(await recorder.quiet(0.2)) == 2  # a test payload is never retried
        bad = await client.post("/_sandbox/webhook/test", json={"field": "nonsense"})
        assert bad.status_code == 400
        assert server.world.subscribed_fields == []


@pytest.mark.asyncio
async def test_a_callback_slower_than_the_timeout_fails() -> None:
    async with webhooked_sandbox(batch_window=0, timeout=0.1) as (_server, client, recorder):
        recorder.delay = 0.5
        await _write(client)
        await _until(client, lambda log: len(log) >= 1)
        [first, *_] = await _log(client)
        assert first["status"] is None and first["error"].startswith("TimeoutError")
        assert first["outcome"] == "retry"
        await client.delete("/_sandbox/webhook")
