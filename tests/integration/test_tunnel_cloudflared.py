"""The cloudflared tunnel against a fake `cloudflared` first on PATH (tests/cloudflared_fake.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from igdesk.webhooks.tunnel import (
    CloudflaredTunnel,
    TunnelDown,
    TunnelError,
    TunnelErrorKind,
    TunnelEvent,
    TunnelSupervisor,
    TunnelUp,
)
from tests.cloudflared_fake import install_fake_cloudflared
from tests.tunnel_fakes import until_dead

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the fake is a POSIX script")

TOKEN = "eyJhIjoiZmFrZS1hY2NvdW50IiwidCI6ImZha2UtdHVubmVsIiwicyI6InNlY3JldCJ9"


@pytest.fixture
def fake_cloudflared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The fake on PATH (alone); yields the file each of its runs is recorded in."""
    yield install_fake_cloudflared(tmp_path, monkeypatch)


def _runs(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.asyncio
async def test_a_quick_tunnel_reads_its_address_and_stops_cleanly(fake_cloudflared: Path) -> None:
    tunnel = CloudflaredTunnel(ready_timeout=5)
    assert tunnel.quick
    url = await tunnel.start(8123)
    assert url == "https://words-0-fake.trycloudflare.com" == tunnel.url
    assert tunnel.is_alive() and tunnel.failure() is None
    run = _runs(fake_cloudflared)[0]
    assert run["argv"] == ["tunnel", "--no-autoupdate", "--url", "http://127.0.0.1:8123"]
    assert run["token"] == ""
    await tunnel.stop()
    assert not tunnel.is_alive() and tunnel.url is None
    assert _gone(int(str(run["pid"])))


@pytest.mark.asyncio
async def test_a_tunnel_whose_process_dies_is_noticed(fake_cloudflared: Path) -> None:
    tunnel = CloudflaredTunnel(ready_timeout=5)
    await tunnel.start(8123)
    os.kill(int(str(_runs(fake_cloudflared)[0]["pid"])), signal.SIGKILL)
    assert await until_dead(tunnel)
    failure = tunnel.failure()
    assert failure is not None and failure.kind is TunnelErrorKind.DIED and failure.retryable
    assert "exit status -9" in failure.technical
    await tunnel.stop()


@pytest.mark.asyncio
async def test_a_restart_gets_a_new_address(fake_cloudflared: Path) -> None:
    tunnel = CloudflaredTunnel(ready_timeout=5)
    first = await tunnel.start(8123)
    second = await tunnel.start(8123)  # start again stops the first one
    assert first != second == "https://words-1-fake.trycloudflare.com"
    assert _gone(int(str(_runs(fake_cloudflared)[0]["pid"])))
    await tunnel.stop()


@pytest.mark.asyncio
async def test_stop_kills_a_cloudflared_that_ignores_terminate(
    fake_cloudflared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CLOUDFLARED_MODE", "stubborn")
    tunnel = CloudflaredTunnel(ready_timeout=5, stop_timeout=0.3)
    await tunnel.start(8123)
    await tunnel.stop()
    assert _gone(int(str(_runs(fake_cloudflared)[0]["pid"])))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("mode", "kind", "words"),
    [
        ("offline", TunnelErrorKind.NO_NETWORK, "online"),
        ("garbage", TunnelErrorKind.FAILED, "stopped before the tunnel was open"),
    ],
)
async def test_an_early_exit_says_why(
    fake_cloudflared: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    kind: TunnelErrorKind,
    words: str,
) -> None:
    monkeypatch.setenv("FAKE_CLOUDFLARED_MODE", mode)
    tunnel = CloudflaredTunnel(ready_timeout=5)
    with pytest.raises(TunnelError) as raised:
        await tunnel.start(8123)
    assert raised.value.kind is kind and raised.value.retryable
    assert words in raised.value.sentence("en")
    assert "exit status" in raised.value.technical
    assert not tunnel.is_alive() and tunnel.url is None


@pytest.mark.asyncio
async def test_no_address_in_time_is_a_timeout_and_the_process_goes(
    fake_cloudflared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CLOUDFLARED_MODE", "silent")
    tunnel = CloudflaredTunnel(ready_timeout=0.4, stop_timeout=1)
    with pytest.raises(TunnelError) as raised:
        await tunnel.start(8123)
    assert raised.value.kind is TunnelErrorKind.FAILED and raised.value.retryable
    assert "in 1 second." in raised.value.sentence("en")
    assert "still thinking" in raised.value.technical
    assert _gone(int(str(_runs(fake_cloudflared)[0]["pid"])))


@pytest.mark.asyncio
async def test_not_on_path_says_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TunnelError) as raised:
        await CloudflaredTunnel().start(8123)
    assert raised.value.kind is TunnelErrorKind.NOT_INSTALLED and not raised.value.retryable
    assert raised.value.sentence("en").startswith("cloudflared is not installed")


@pytest.mark.asyncio
async def test_a_named_tunnel_gets_its_token_from_the_environment_only(
    fake_cloudflared: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("FAKE_CLOUDFLARED_MODE", "named")
    tunnel = CloudflaredTunnel(token=TOKEN, hostname="Shop.Example.com", ready_timeout=5)
    assert not tunnel.quick
    assert await tunnel.start(8123) == "https://shop.example.com"
    run = _runs(fake_cloudflared)[0]
    assert run["argv"] == ["tunnel", "--no-autoupdate", "run"]
    assert run["token"] == TOKEN
    assert "Starting tunnel" in caplog.text
    await tunnel.stop()
    assert TOKEN not in caplog.text


@pytest.mark.asyncio
async def test_a_refused_token(
    fake_cloudflared: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("FAKE_CLOUDFLARED_MODE", "badtoken")
    with pytest.raises(TunnelError) as raised:
        await CloudflaredTunnel(token=TOKEN, hostname="shop.example.com").start(8123)
    assert raised.value.kind is TunnelErrorKind.REFUSED and not raised.value.retryable
    assert "Copy it again" in raised.value.sentence("en")
    for text in (str(raised.value), raised.value.technical, caplog.text):
        assert TOKEN not in text


@pytest.mark.asyncio
@pytest.mark.parametrize(("token", "hostname"), [(None, "shop.example.com"), (TOKEN, " ")])
async def test_a_named_tunnel_needs_both_token_and_hostname(
    fake_cloudflared: Path, token: str | None, hostname: str
) -> None:
    tunnel = CloudflaredTunnel(token=token, hostname=hostname)
    if hostname.strip():
        with pytest.raises(TunnelError) as raised:
            await tunnel.start(8123)
        assert raised.value.kind is TunnelErrorKind.NOT_CONFIGURED
        assert not fake_cloudflared.exists()  # never started
    else:
        assert not tunnel.quick  # a token alone: the hostname is missing, not a quick tunnel
        with pytest.raises(TunnelError) as raised:
            await tunnel.start(8123)
        assert "public hostname" in raised.value.sentence("en")


@pytest.mark.asyncio
async def test_the_supervisor_restarts_a_dead_quick_tunnel_and_reports_the_new_address(
    fake_cloudflared: Path,
) -> None:
    events: list[TunnelEvent] = []
    asked: list[float] = []
    changed = asyncio.Event()

    async def sleep(seconds: float) -> None:
        asked.append(seconds)  # the waits it asks for are recorded, not slept
        await asyncio.sleep(0.01)

    def report(event: TunnelEvent) -> None:
        events.append(event)
        if isinstance(event, TunnelUp) and event.url_changed:
            changed.set()

    supervisor = TunnelSupervisor(
        CloudflaredTunnel(ready_timeout=5), 8123, report=report, sleep=sleep
    )
    supervisor.start()
    for _ in range(250):
        if events:
            break
        await asyncio.sleep(0.02)
    assert events == [TunnelUp("https://words-0-fake.trycloudflare.com", None, 0)]
    os.kill(int(str(_runs(fake_cloudflared)[0]["pid"])), signal.SIGKILL)
    await asyncio.wait_for(changed.wait(), timeout=5)
    await supervisor.stop()
    down, up = events[1], events[2]
    assert isinstance(down, TunnelDown) and down.error.kind is TunnelErrorKind.DIED
    assert down.retry_in == 2.0 and 2.0 in asked
    assert up == TunnelUp(
        "https://words-1-fake.trycloudflare.com",
        previous_url="https://words-0-fake.trycloudflare.com",
        restarts=1,
    )
    assert all(_gone(int(str(run["pid"]))) for run in _runs(fake_cloudflared))
