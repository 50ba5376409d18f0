"""RateBudget on a fake clock: exact pacing, usage headers, pauses, status hooks."""

from __future__ import annotations

import asyncio
import json

import pytest

from igdesk.graph.ratelimit import CallKind, RateBudget


class FakeClock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self, *, frozen: bool = False) -> None:
        self.now = 1000.0
        self.frozen = frozen  # frozen: time stands still, sleeps are only recorded
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if not self.frozen:
            self.now += seconds
        await asyncio.sleep(0)


def budget(clock: FakeClock, **kw: float | None) -> RateBudget:
    return RateBudget(clock=clock, sleep=clock.sleep, **kw)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_conversations_are_paced_exactly() -> None:
    clock = FakeClock()
    b = budget(clock)
    starts = []
    for _ in range(6):
        await b.acquire(CallKind.CONVERSATIONS)
        starts.append(clock.now)
    assert [round(s - starts[0], 6) for s in starts] == [0, 0.5, 1.0, 1.5, 2.0, 2.5]


@pytest.mark.asyncio
async def test_concurrent_callers_get_distinct_slots() -> None:
    clock = FakeClock(frozen=True)
    b = budget(clock, conversations_per_second=4.0)
    await asyncio.gather(*(b.acquire("conversations") for _ in range(5)))
    assert sorted(clock.sleeps) == [0.25, 0.5, 0.75, 1.0]


@pytest.mark.asyncio
async def test_kinds_are_paced_separately() -> None:
    clock = FakeClock()
    b = budget(clock)
    await b.acquire(CallKind.CONVERSATIONS)
    for _ in range(10):
        await b.acquire(CallKind.PROFILE)  # unpaced
    await b.acquire(CallKind.SEND)
    await b.acquire(CallKind.SEND)
    assert clock.sleeps == [pytest.approx(0.01)]
    await b.acquire(CallKind.SEND_MEDIA)
    await b.acquire(CallKind.SEND_MEDIA)
    assert clock.sleeps[-1] == pytest.approx(0.1)


@pytest.mark.asyncio
async def test_idle_time_is_not_banked() -> None:
    clock = FakeClock()
    b = budget(clock)
    await b.acquire(CallKind.CONVERSATIONS)
    clock.now += 60  # idle for a minute: no burst allowed afterwards
    await b.acquire(CallKind.CONVERSATIONS)
    await b.acquire(CallKind.CONVERSATIONS)
    assert clock.sleeps == [0.5]


@pytest.mark.asyncio
async def test_pause_holds_every_kind_and_notifies() -> None:
    clock = FakeClock()
    b = budget(clock)
    events: list[float | None] = []
    b.on_wait.append(events.append)
    b.pause_for(90)
    assert b.waiting_until == pytest.approx(1090) and b.paused_until == pytest.approx(1090)
    b.pause_for(10)  # never shortens
    assert b.paused_until == pytest.approx(1090)
    await b.acquire(CallKind.PROFILE)
    assert clock.now == pytest.approx(1090)
    assert events[0] == pytest.approx(1090) and events[-1] is None
    assert b.waiting_until is None


@pytest.mark.asyncio
async def test_pause_ordered_while_waiting_is_respected() -> None:
    clock = FakeClock()
    b = budget(clock)
    await b.acquire(CallKind.CONVERSATIONS)

    async def late_pause() -> None:
        b.pause_for(30)  # runs while the first acquire sleeps for its slot

    await asyncio.gather(b.acquire(CallKind.CONVERSATIONS), late_pause())
    assert clock.now >= 1030


def usage_headers(call_count: float, regain: float | None = None) -> dict[str, str]:
    entry: dict[str, float] = {"call_count": call_count, "total_cputime": 1, "total_time": 1}
    if regain is not None:
        entry["estimated_time_to_regain_access"] = regain
    return {"X-Business-Use-Case-Usage": json.dumps({"1784": [{"type": "instagram", **entry}]})}


@pytest.mark.asyncio
async def test_high_usage_adds_delay() -> None:
    clock = FakeClock()
    b = budget(clock, profile_per_second=None, high_usage_delay=1.0)
    b.observe({"X-App-Usage": json.dumps({"call_count": 90, "total_cputime": 3, "total_time": 4})})
    assert b.usage == 90
    await b.acquire(CallKind.PROFILE)
    await b.acquire(CallKind.PROFILE)
    assert clock.sleeps == [pytest.approx(0.5)] * 2  # halfway from 80 % to 100 %: 0.5 s each
    b.observe(usage_headers(10))
    before = clock.now
    await b.acquire(CallKind.PROFILE)
    assert clock.now == before


@pytest.mark.asyncio
async def test_full_usage_pauses() -> None:
    clock = FakeClock()
    b = budget(clock)
    b.observe(usage_headers(100))
    assert b.paused_until == pytest.approx(1060)  # default pause without an estimate
    b2 = budget(clock)
    b2.observe(usage_headers(100, regain=5))
    assert b2.paused_until == pytest.approx(1300)  # 5 minutes
    b3 = budget(clock)
    b3.observe(usage_headers(100, regain=0))
    assert b3.paused_until is None  # Meta says access is back: only the retry's back-off


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "null",
        "[]",
        "{}",
        '{"call_count": "abc"}',
        '{"1": "x"}',
        '{"1": [null, 3, {"call_count": null}]}',
        '{"call_count": -5}',
    ],
)
def test_garbage_headers_are_ignored(value: str) -> None:
    clock = FakeClock()
    b = budget(clock)
    b.observe({"X-App-Usage": value, "X-Business-Use-Case-Usage": value})
    assert b.usage is None and b.paused_until is None


def test_string_percentages_are_read() -> None:
    b = budget(FakeClock())
    b.observe({"x-app-usage": '{"call_count": "42", "total_time": 12}'})
    assert b.usage == 42


@pytest.mark.asyncio
async def test_failing_hook_does_not_break_acquire() -> None:
    clock = FakeClock()
    b = budget(clock)

    def bad(_: float | None) -> None:
        raise RuntimeError("status bar gone")

    b.on_wait.append(bad)
    b.pause_for(5)
    await b.acquire()
    assert clock.now == pytest.approx(1005)
