"""The tunnel supervisor with a scripted tunnel and a fake clock: what it reports, how long it
waits (the waits it asks for are recorded, never slept), when it gives up."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import pytest

from igdesk.i18n import Text
from igdesk.webhooks.tunnel import (
    Backoff,
    Tunnel,
    TunnelDown,
    TunnelError,
    TunnelErrorKind,
    TunnelEvent,
    TunnelSupervisor,
    TunnelUp,
)

SECRET = "2supersecretTunnelToken_91"


@dataclass
class Up:
    """A start that works, then `checks` healthy checks (None: healthy for good)."""

    url: str
    checks: int | None = None
    failure: TunnelError | None = None


Step = Up | TunnelError | Exception


class ScriptedTunnel(Tunnel):
    name = "scripted"

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.starts: list[int] = []
        self.stops = 0
        self._current: Up | None = None
        self._checks_left: int | None = None

    async def start(self, local_port: int) -> str:
        self.starts.append(local_port)
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        self._current, self._checks_left = step, step.checks
        return step.url

    async def stop(self) -> None:
        self.stops += 1
        self._current = None

    def is_alive(self) -> bool:
        if self._current is None:
            return False
        if self._checks_left is None:
            return True
        self._checks_left -= 1
        return self._checks_left >= 0

    def failure(self) -> TunnelError | None:
        return self._current.failure if self._current else None

    @property
    def url(self) -> str | None:
        return self._current.url if self._current else None


class FakeTime:
    """A clock that moves only when the supervisor sleeps; once `freeze()` is called, sleeping
    blocks until the supervisor is stopped."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._frozen = asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if self._frozen.is_set():
            await asyncio.Event().wait()
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def freeze(self) -> None:
        self._frozen.set()


async def _supervise(
    tunnel: ScriptedTunnel, until: int, *, backoff: Backoff | None = None
) -> tuple[list[TunnelEvent], FakeTime, TunnelSupervisor]:
    """Run until `until` events came (or the supervisor ended), then stop it."""
    time = FakeTime()
    events: list[TunnelEvent] = []
    enough = asyncio.Event()

    def report(event: TunnelEvent) -> None:
        events.append(event)
        if len(events) >= until:
            time.freeze()
            enough.set()

    supervisor = TunnelSupervisor(
        tunnel,
        8123,
        report=report,
        check_every=10.0,
        backoff=backoff or Backoff(first=2.0, factor=2.0, longest=300.0),
        stable_after=60.0,
        sleep=time.sleep,
        clock=time.clock,
    )
    supervisor.start()
    assert supervisor.running
    done = asyncio.ensure_future(enough.wait())
    await asyncio.wait({done, supervisor._task}, timeout=5, return_when="FIRST_COMPLETED")  # type: ignore[arg-type]
    done.cancel()
    await supervisor.stop()
    assert not supervisor.running
    return events, time, supervisor


def _error(kind: TunnelErrorKind, technical: str = "") -> TunnelError:
    return TunnelError(kind, Text("The {name} tunnel stopped.", name="x"), technical=technical)


@pytest.mark.asyncio
async def test_the_first_start_reports_the_url_and_stop_closes_the_tunnel() -> None:
    tunnel = ScriptedTunnel(Up("https://a.example"))
    events, _, supervisor = await _supervise(tunnel, until=1)
    assert events == [TunnelUp("https://a.example", previous_url=None, restarts=0)]
    assert not events[0].url_changed
    assert tunnel.starts == [8123] and tunnel.stops >= 1
    assert supervisor.last_event == events[0]


@pytest.mark.asyncio
async def test_a_death_is_noticed_restarted_and_a_new_url_reported() -> None:
    died = _error(TunnelErrorKind.DIED, "exit status 1")
    tunnel = ScriptedTunnel(
        Up("https://a.example", checks=2, failure=died), Up("https://b.example")
    )
    events, time, supervisor = await _supervise(tunnel, until=3)
    assert events == [
        TunnelUp("https://a.example", None, 0),
        TunnelDown(died, retry_in=2.0),
        TunnelUp("https://b.example", previous_url="https://a.example", restarts=1),
    ]
    up = events[2]
    assert isinstance(up, TunnelUp) and up.url_changed
    assert time.sleeps == [10.0, 10.0, 10.0, 2.0]  # two good checks, one bad, then the backoff
    assert supervisor.url == "https://b.example"


@pytest.mark.asyncio
async def test_the_same_url_after_a_restart_is_not_a_change() -> None:
    tunnel = ScriptedTunnel(Up("https://shop.ngrok.app", checks=0), Up("https://shop.ngrok.app"))
    events, _, _ = await _supervise(tunnel, until=3)
    assert isinstance(events[1], TunnelDown)
    assert events[1].error.kind is TunnelErrorKind.DIED  # the tunnel gave no reason: a generic one
    assert "scripted tunnel stopped" in events[1].error.sentence("en")
    last = events[2]
    assert isinstance(last, TunnelUp) and not last.url_changed and last.restarts == 1


@pytest.mark.asyncio
async def test_failures_back_off_and_a_stable_run_resets_the_backoff() -> None:
    offline = _error(TunnelErrorKind.NO_NETWORK)
    tunnel = ScriptedTunnel(
        offline,
        offline,
        offline,
        Up("https://a.example", checks=1),  # dies after 20 s: not stable
        Up("https://b.example", checks=7),  # dies after 80 s: it was stable
        Up("https://c.example"),
    )
    events, time, _ = await _supervise(tunnel, until=8)
    downs = [event.retry_in for event in events if isinstance(event, TunnelDown)]
    assert downs == [2.0, 4.0, 8.0, 16.0, 2.0]
    assert [event.url for event in events if isinstance(event, TunnelUp)] == [
        "https://a.example",
        "https://b.example",
        "https://c.example",
    ]
    assert time.sleeps[:3] == [2.0, 4.0, 8.0]


@pytest.mark.asyncio
async def test_the_backoff_is_capped() -> None:
    offline = _error(TunnelErrorKind.NO_NETWORK)
    tunnel = ScriptedTunnel(*([offline] * 5), Up("https://a.example"))
    events, _, _ = await _supervise(tunnel, until=6, backoff=Backoff(first=1, factor=3, longest=5))
    assert [e.retry_in for e in events if isinstance(e, TunnelDown)] == [1, 3, 5, 5, 5]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "kind",
    [
        TunnelErrorKind.REFUSED,
        TunnelErrorKind.NOT_CONFIGURED,
        TunnelErrorKind.NOT_INSTALLED,
        TunnelErrorKind.NOT_AVAILABLE,
    ],
)
async def test_what_only_the_owner_can_fix_ends_the_supervision(kind: TunnelErrorKind) -> None:
    refused = _error(kind)
    tunnel = ScriptedTunnel(refused, Up("https://never.example"))
    events, time, supervisor = await _supervise(tunnel, until=2)
    assert events == [TunnelDown(refused, retry_in=None)]
    assert time.sleeps == [] and len(tunnel.starts) == 1
    assert supervisor.url is None


@pytest.mark.asyncio
async def test_an_unexpected_exception_is_a_failure_that_is_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tunnel = ScriptedTunnel(RuntimeError(f"bug with {SECRET}"), Up("https://a.example"))
    events, _, _ = await _supervise(tunnel, until=2)
    down = events[0]
    assert isinstance(down, TunnelDown) and down.error.kind is TunnelErrorKind.FAILED
    assert down.retry_in == 2.0 and SECRET not in str(down.error)
    assert isinstance(events[1], TunnelUp)
    assert "RuntimeError at:" in caplog.text and "in start" in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.asyncio
async def test_a_listener_that_raises_does_not_stop_the_tunnel() -> None:
    tunnel = ScriptedTunnel(Up("https://a.example", checks=0), Up("https://b.example"))
    seen: list[TunnelEvent] = []
    time = FakeTime()

    def report(event: TunnelEvent) -> None:
        seen.append(event)
        if len(seen) == 3:
            time.freeze()
        raise ValueError("the window is gone")

    supervisor = TunnelSupervisor(tunnel, 1, report=report, sleep=time.sleep, clock=time.clock)
    supervisor.start()
    for _ in range(100):
        if len(seen) >= 3:
            break
        await asyncio.sleep(0)
    await supervisor.stop()
    assert [type(event) for event in seen] == [TunnelUp, TunnelDown, TunnelUp]


@pytest.mark.asyncio
async def test_stop_while_waiting_to_retry_ends_everything() -> None:
    offline = _error(TunnelErrorKind.NO_NETWORK)
    tunnel = ScriptedTunnel(offline, Up("https://never.example"))
    events, _, supervisor = await _supervise(tunnel, until=1)
    assert events == [TunnelDown(offline, retry_in=2.0)]
    assert not supervisor.running and tunnel.url is None
    await supervisor.stop()  # twice is fine


@pytest.mark.asyncio
async def test_no_secret_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    leaky = TunnelError(
        TunnelErrorKind.REFUSED,
        Text("refused"),
        technical=f"authentication failed: Your authtoken: {SECRET}",
        secrets=(SECRET,),
    )
    died = TunnelError(
        TunnelErrorKind.DIED, Text("died"), technical=f"token={SECRET}", secrets=(SECRET,)
    )
    tunnel = ScriptedTunnel(Up("https://a.example", checks=0, failure=died), leaky)
    events, _, _ = await _supervise(tunnel, until=3)
    assert [type(event) for event in events] == [TunnelUp, TunnelDown, TunnelDown]
    assert "authentication failed" in caplog.text
    assert SECRET not in caplog.text
    for event in events:
        if isinstance(event, TunnelDown):
            assert SECRET not in str(event.error) and SECRET not in repr(event.error)
