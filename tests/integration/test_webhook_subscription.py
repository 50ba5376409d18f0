"""The webhook subscription is checked, restored when Meta dropped it, and reported; against the
sandbox over loopback (its `/me/subscribed_apps` decides whether anything is delivered)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from igdesk.graph import GraphClient
from igdesk.graph.ratelimit import RateBudget
from igdesk.webhooks.subscription import (
    MESSAGING_FIELDS,
    SubscriptionKeeper,
    SubscriptionState,
    subscribed_fields,
)
from tests.integration.conftest import Sandbox, fast_retries


def keep(sandbox: Sandbox, **client_options: Any) -> tuple[list[SubscriptionState], int]:
    """Run one check on a fresh client; the states reported and the requests sent."""
    reported: list[SubscriptionState] = []

    async def go() -> int:
        client_options.setdefault("budget", RateBudget(high_usage_delay=0.0))
        async with GraphClient(sandbox.token, base_url=sandbox.url, **client_options) as client:
            await SubscriptionKeeper(lambda: client, report=reported.append).check()
            return client.request_count

    return reported, asyncio.run(go())


def graph_subscription(sandbox: Sandbox) -> dict[str, Any]:
    reply = httpx.get(
        f"{sandbox.url}/v25.0/me/subscribed_apps", params={"access_token": sandbox.token}
    )
    reply.raise_for_status()
    data: dict[str, Any] = reply.json()
    return data


def test_an_unsubscribed_account_is_subscribed_and_confirmed(tiny_sandbox: Sandbox) -> None:
    assert graph_subscription(tiny_sandbox) == {"data": []}
    (state,), requests = keep(tiny_sandbox)
    assert state.healthy and state.resubscribed and state.error is None
    assert requests == 3  # read, subscribe, read again
    assert set(subscribed_fields(graph_subscription(tiny_sandbox))) == set(MESSAGING_FIELDS)


def test_a_healthy_subscription_costs_one_read(tiny_sandbox: Sandbox) -> None:
    keep(tiny_sandbox)
    (state,), requests = keep(tiny_sandbox)
    assert state.healthy and not state.resubscribed and requests == 1


def test_a_subscription_meta_dropped_is_restored(tiny_sandbox: Sandbox) -> None:
    keep(tiny_sandbox)
    httpx.delete(
        f"{tiny_sandbox.url}/v25.0/me/subscribed_apps",
        params={"access_token": tiny_sandbox.token},
    ).raise_for_status()  # what Meta does after an hour of failed deliveries
    (state,), _ = keep(tiny_sandbox)
    assert state.healthy and state.resubscribed


def test_a_check_that_fails_is_reported_not_raised(tiny_sandbox: Sandbox) -> None:
    tiny_sandbox.fault("server_error", code=2, count=-1, path="subscribed_apps")
    (state,), _ = keep(tiny_sandbox, **fast_retries())
    assert not state.healthy and state.error is not None and state.fields == ()


def test_run_checks_again_every_hour() -> None:
    class Client:
        def __init__(self) -> None:
            self.reads = 0

        async def get_json(self, *segments: str) -> dict[str, Any]:
            self.reads += 1
            return {"data": [{"id": "1", "subscribed_fields": list(MESSAGING_FIELDS)}]}

    waits: list[float] = []
    client = Client()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise asyncio.CancelledError

    keeper = SubscriptionKeeper(lambda: client, sleep=sleep)  # type: ignore[arg-type, return-value]
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(keeper.run())
    assert waits == [3600.0, 3600.0, 3600.0] and client.reads == 3


@pytest.mark.parametrize(
    ("answer", "fields"),
    [
        ({"data": [{"id": "1", "subscribed_fields": ["messages", "messaging_seen"]}]}, 2),
        ({"data": [{"id": "1", "subscribed_fields": [{"name": "messages", "version": 1}]}]}, 1),
        ({"data": [{"id": "1", "subscribed_fields": "messages,message_reactions"}]}, 2),
        ({"data": []}, 0),
        ({"data": "nonsense"}, 0),
        ({}, 0),
    ],
)
def test_the_subscription_answer_is_read_defensively(answer: dict[str, Any], fields: int) -> None:
    assert len(subscribed_fields(answer)) == fields
