"""`doctor`'s checklist against the sandbox: a healthy setup, and each broken one with its line,
its fix and the exit code (what the terminal prints and "Check setup" shows)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from igdesk.app import App
from igdesk.config import Profile
from igdesk.doctor import CheckResult, Status, blocks_messaging, checklist, run_doctor
from igdesk.domain import utc_now
from igdesk.i18n import Words
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox
from igdesk.signin import BusinessLogin, LoginSettings
from igdesk.signin import record as records
from tests.memory_keyring import MemoryKeyring
from tests.signin_helpers import consent

World = tuple[SandboxServer, httpx.AsyncClient]


@pytest_asyncio.fixture
async def world() -> AsyncIterator[World]:
    async with running_sandbox() as pair:
        yield pair


@pytest_asyncio.fixture
async def signed_in(
    world: World, tmp_path: Path, memory_keyring: MemoryKeyring
) -> AsyncIterator[App]:
    server, _ = world
    app = App(Profile(tmp_path / "profile"), graph_url=server.url)
    login = BusinessLogin(app, LoginSettings(server.world.shop.app_id), server.app_secret)
    await login.finish(await consent(login.authorize_url))
    try:
        yield app
    finally:
        await app.aclose()


def line(results: list[CheckResult], label: str) -> CheckResult:
    return next(result for result in results if result.label == label)


def shown(result: CheckResult) -> str:
    label, detail, fix = result.said(Words("en"))
    return f"{label}: {detail} → {fix}"


@pytest.mark.asyncio
async def test_healthy_setup(signed_in: App, capsys: pytest.CaptureFixture[str]) -> None:
    results = await checklist(signed_in)
    assert [r.status for r in results] == [Status.OK] * len(results), [shown(r) for r in results]
    labels = [r.label for r in results]
    for wanted in (
        "Access token",
        "Instagram account",
        "Professional account",
        "Permissions",
        "Messaging",
        "Conversations",
        "Clock",
        "Instant delivery",
    ):
        assert wanted in labels
    assert "valid for 59 more days (renewed " in shown(line(results, "Access token"))
    granted = "instagram_business_basic, instagram_business_manage_messages"
    assert f"(granted: {granted})" in shown(line(results, "Permissions"))
    assert await run_doctor(signed_in, "en") == 0
    out = capsys.readouterr()
    assert "Everything looks good." in out.out and out.err == ""


@pytest.mark.asyncio
async def test_no_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = App(Profile(tmp_path / "empty"))
    try:
        results = await checklist(app)
        token = line(results, "Access token")
        assert token.status is Status.FAIL and "igdesk login" in shown(token)
        assert "Instagram account" not in [r.label for r in results]
        assert await run_doctor(app, "en") == 1
    finally:
        await app.aclose()
    err = capsys.readouterr().err
    assert "✗ Access token: none: igdesk is not signed in" in err
    assert "→ Sign in: in the igdesk window, or run igdesk login" in err


@pytest.mark.asyncio
async def test_refused_token(signed_in: App, world: World) -> None:

    await world[1].post("/_sandbox/oauth/expire", json={"token": signed_in.current_token()})
    results = await checklist(signed_in)
    refused = [r for r in results if r.label == "Access token" and r.status is Status.FAIL]
    assert refused and "Sign in again" in shown(refused[0])
    assert blocks_messaging(results)


@pytest.mark.asyncio
async def test_ended_token_and_one_about_to_end(signed_in: App) -> None:
    record = records.load(signed_in.profile)
    assert record is not None and record.expires_at is not None
    soon = record.expires_at - timedelta(days=3)
    records.save(signed_in.profile, replace(record, refresh_failed_at=soon - timedelta(days=54)))
    results = await checklist(signed_in, clock=lambda: soon)
    token = line(results, "Access token")
    assert token.status is Status.WARN and "renewing failed" in shown(token)
    assert "Sign in again before it ends." in shown(token)
    ended = await checklist(signed_in, clock=lambda: record.expires_at + timedelta(hours=1))
    assert line(ended, "Access token").status is Status.FAIL


@pytest.mark.asyncio
async def test_no_messaging_permission(world: World, tmp_path: Path) -> None:
    server, control = world
    made = await control.post(
        "/_sandbox/oauth/token", json={"scopes": ["instagram_business_basic"]}
    )
    app = App(Profile(tmp_path / "p"), graph_url=server.url, token=made.json()["access_token"])
    try:
        results = await checklist(app)
    finally:
        await app.aclose()
    permission = line(results, "Permissions")
    assert permission.status is Status.FAIL
    assert "instagram_business_manage_messages" in shown(permission)


@pytest.mark.asyncio
async def test_personal_account(signed_in: App, world: World) -> None:
    await world[1].patch("/_sandbox/oauth", json={"account_type": "PERSONAL"})
    results = await checklist(signed_in)
    kind = line(results, "Professional account")
    assert kind.status is Status.FAIL and "Switch to professional account" in shown(kind)
    assert blocks_messaging(results)


@pytest.mark.asyncio
async def test_messaging_switched_off(signed_in: App, world: World) -> None:
    await world[1].patch("/_sandbox/oauth", json={"messaging_access": False})
    results = await checklist(signed_in)
    messaging = line(results, "Messaging")
    assert messaging.status is Status.FAIL and "36103" in shown(messaging)
    assert "Allow access to messages" in shown(messaging)


@pytest.mark.asyncio
async def test_instagram_out_of_reach(tmp_path: Path) -> None:
    app = App(Profile(tmp_path / "p"), graph_url="http://127.0.0.1:9", token="IGAAsomething")
    try:
        results = await checklist(app)
    finally:
        await app.aclose()
    reach = line(results, "Conversations")
    assert reach.status is Status.FAIL and "could not be reached" in shown(reach)


@pytest.mark.asyncio
async def test_skewed_clock_is_a_warning(signed_in: App) -> None:
    results = await checklist(signed_in, clock=lambda: utc_now() + timedelta(minutes=12))
    clock = line(results, "Clock")
    assert clock.status is Status.WARN and "12 minutes off" in shown(clock)
    assert not blocks_messaging(results)


@pytest.mark.asyncio
async def test_lines_in_bahasa_indonesia(signed_in: App) -> None:
    results = await checklist(signed_in)
    label, detail, _ = line(results, "Messaging").said(Words("id"))
    assert label != "Messaging" or detail != "available"
