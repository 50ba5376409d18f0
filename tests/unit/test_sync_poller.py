"""The poller: adaptive intervals, backoff after failures, what each outcome reports.

Passes are driven with `poke()` and intervals set far beyond the test's life, so nothing
waits on a timer; expected waits are written out.
"""

from __future__ import annotations

import asyncio

import pytest

from igdesk.errors import IgdeskError
from igdesk.graph.errors import (
    GraphError,
    InvalidRequestError,
    RateLimitError,
    TokenError,
    TransientError,
)
from igdesk.i18n import Text
from igdesk.sync.poller import Poller, PollOutcome, PollTiming

LONG = PollTiming(active=100.0, idle=1000.0, max_backoff=4000.0)


def test_interval_is_shorter_while_the_owner_looks() -> None:
    poller = Poller(_never, timing=LONG)
    assert poller.interval() == 1000.0
    poller.active = True
    assert poller.interval() == 100.0


def test_healthy_webhooks_make_polling_a_safety_net_and_it_speeds_up_again() -> None:
    poller = Poller(_never, timing=PollTiming(active=15.0, idle=60.0, safety_net=300.0))
    poller.active = True
    assert poller.interval() == 15.0
    poller.webhooks_healthy = True
    assert poller.interval() == 300.0
    poller.active = False
    assert poller.interval() == 300.0
    poller.webhooks_healthy = False  # the tunnel died, or deliveries stopped
    assert poller.interval() == 60.0


async def _never() -> None:
    raise AssertionError("not run")


async def _drive(outcomes: list[GraphError | IgdeskError | None]) -> list[PollOutcome]:
    """Run one pass per planned outcome (an error to raise, or None for success)."""
    plan = list(outcomes)
    seen: list[PollOutcome] = []
    done = asyncio.Event()

    async def one_pass() -> None:
        error = plan.pop(0)
        if error is not None:
            raise error

    def record(outcome: PollOutcome) -> None:
        seen.append(outcome)
        if not plan:
            done.set()
        else:
            poller.poke()

    poller = Poller(one_pass, timing=LONG, on_outcome=record)
    task = asyncio.create_task(poller.run())
    await asyncio.wait_for(done.wait(), timeout=10)
    poller.stop()
    await asyncio.wait_for(task, timeout=10)
    return seen


def _wait_of(outcome: PollOutcome) -> float:
    return round((outcome.next_poll - outcome.finished_at).total_seconds())


@pytest.mark.asyncio
async def test_failures_back_off_and_a_success_resets() -> None:
    server = TransientError("x", code=1, http_status=500)
    seen = await _drive([server, server, server, None])
    assert [_wait_of(o) for o in seen] == [2000, 4000, 4000, 1000]  # doubled, capped, reset
    assert [o.offline for o in seen] == [False, False, False, False]  # Instagram answered
    assert seen[0].error is server and seen[3].error is None


@pytest.mark.asyncio
async def test_no_answer_at_all_is_offline() -> None:
    seen = await _drive([TransientError("connection refused"), None])
    assert [o.offline for o in seen] == [True, False]


@pytest.mark.asyncio
async def test_a_rate_limit_waits_as_long_as_meta_asks() -> None:
    seen = await _drive([RateLimitError("x", code=4, retry_after=3600.0), None])
    assert _wait_of(seen[0]) == 3600
    assert seen[0].rate_limited_until == seen[0].next_poll


@pytest.mark.asyncio
async def test_a_pass_that_read_nothing_is_reported_not_raised() -> None:
    nothing = IgdeskError(Text("4 conversations could not be read"))
    refused = InvalidRequestError("x", code=100)
    seen = await _drive([nothing, refused, None])
    assert [o.error for o in seen] == [nothing, refused, None]


@pytest.mark.asyncio
async def test_a_token_error_stops_the_loop() -> None:
    expired = TokenError("x", code=190)
    seen: list[PollOutcome] = []

    async def one_pass() -> None:
        raise expired

    poller = Poller(one_pass, timing=LONG, on_outcome=seen.append)
    await asyncio.wait_for(poller.run(), timeout=10)
    assert poller.token_error is expired
    assert [o.error for o in seen] == [expired]
