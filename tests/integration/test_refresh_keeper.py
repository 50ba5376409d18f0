"""The refresh keeper against the sandbox, days driven by a controllable clock (the keeper's and
the sandbox's move together): when it renews, Meta's 24 h rule, daily retries, expiry, a
refused token, the network down, and the timer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from igdesk import secrets
from igdesk.app import App
from igdesk.config import Profile
from igdesk.domain import utc_now
from igdesk.events import Event, SignInNeeded, SyncStatus
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox
from igdesk.signin import BusinessLogin, LoginSettings, sign_in_with_token
from igdesk.signin import record as records
from igdesk.signin.refresh import Outcome, next_refresh
from tests.memory_keyring import MemoryKeyring
from tests.signin_helpers import consent


class Days:
    """One clock for the keeper and the sandbox."""

    def __init__(self, control: httpx.AsyncClient) -> None:
        self.now = utc_now()
        self.control = control

    def __call__(self) -> datetime:
        return self.now

    async def advance(self, delta: timedelta) -> None:
        self.now += delta
        await self.control.post("/_sandbox/clock", json={"advance_seconds": delta.total_seconds()})


class Signed:
    def __init__(self, app: App, server: SandboxServer, days: Days) -> None:
        self.app, self.server, self.days = app, server, days
        self.events: list[Event] = []
        app.events.subscribe(self.events.append)

    def token(self) -> str | None:
        return secrets.get(self.app.profile.key, secrets.Secret.ACCESS_TOKEN)

    def sign_in_needed(self) -> list[Event]:
        return [e for e in self.events if isinstance(e, SignInNeeded)]


@pytest_asyncio.fixture
async def signed(tmp_path: Path, memory_keyring: MemoryKeyring) -> AsyncIterator[Signed]:
    async with running_sandbox() as (server, control):
        app = App(Profile(tmp_path / "profile"), graph_url=server.url)
        days = Days(control)
        app.keeper.clock = days
        login = BusinessLogin(app, LoginSettings(server.world.shop.app_id), server.app_secret)
        await login.finish(await consent(login.authorize_url))
        try:
            yield Signed(app, server, days)
        finally:
            await app.aclose()


@pytest.mark.asyncio
async def test_renews_from_seven_days_before_expiry(signed: Signed) -> None:
    keeper, first = signed.app.keeper, signed.token()
    assert await keeper.check() is Outcome.NOT_DUE
    await signed.days.advance(timedelta(days=52))
    assert await keeper.check() is Outcome.NOT_DUE
    await signed.days.advance(timedelta(days=1, hours=1))  # 7 days before the end
    assert await keeper.check() is Outcome.REFRESHED
    renewed = records.load(signed.app.profile)
    assert renewed is not None and renewed.refreshed_at == signed.days.now
    assert renewed.expires_at is not None
    assert renewed.expires_at - signed.days.now > timedelta(days=59)
    assert signed.token() not in (None, first)
    assert await keeper.check() is Outcome.NOT_DUE  # the new one is not due for 53 days
    assert (await signed.app.sync_once()).threads_updated > 0  # with the new token
    assert not signed.sign_in_needed()


@pytest.mark.asyncio
async def test_pasted_token_is_renewed_a_day_later_and_meta_refuses_under_24_hours(
    signed: Signed,
) -> None:
    app, days = signed.app, signed.days
    made = await days.control.post("/_sandbox/oauth/token", json={"kind": "instagram"})
    await sign_in_with_token(app, made.json()["access_token"])
    record = records.load(app.profile)
    assert record is not None and record.expires_at is None
    assert next_refresh(record) == record.obtained_at + timedelta(hours=24)
    days.now += timedelta(hours=25)  # the keeper thinks a day passed; Meta's clock did not
    assert await app.keeper.check() is Outcome.FAILED  # Meta: less than 24 hours old
    failed = records.load(app.profile)
    assert failed is not None and failed.refresh_failed_at == days.now
    await days.advance(timedelta(hours=23))
    assert await app.keeper.check() is Outcome.NOT_DUE  # tried again a day after the failure
    await days.advance(timedelta(hours=1, minutes=1))
    assert await app.keeper.check() is Outcome.REFRESHED
    renewed = records.load(app.profile)
    assert renewed is not None and renewed.expires_at is not None  # now it is known
    assert renewed.refresh_failed_at is None


@pytest.mark.asyncio
async def test_network_down_during_refresh_retries_next_day(signed: Signed) -> None:
    app, days = signed.app, signed.days
    before = signed.token()
    await days.advance(timedelta(days=54))
    real = app.graph_url
    app.graph_url = "http://127.0.0.1:9"
    assert await app.keeper.check() is Outcome.FAILED
    assert signed.token() == before and not signed.sign_in_needed()
    app.graph_url = real
    await days.advance(timedelta(hours=12))
    assert await app.keeper.check() is Outcome.NOT_DUE
    await days.advance(timedelta(hours=12))
    assert await app.keeper.check() is Outcome.REFRESHED


@pytest.mark.asyncio
async def test_after_expiry_sign_in_is_needed_once(signed: Signed) -> None:
    await signed.days.advance(timedelta(days=61))
    assert await signed.app.keeper.check() is Outcome.SIGN_IN_NEEDED
    assert await signed.app.keeper.check() is Outcome.SIGN_IN_NEEDED
    needed = signed.sign_in_needed()
    assert len(needed) == 1
    assert "has ended" in str(needed[0].text)  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_refused_token_is_sign_in_needed(signed: Signed) -> None:
    await signed.days.control.post("/_sandbox/oauth/expire", json={"token": signed.token()})
    signed.days.now += timedelta(days=54)
    assert await signed.app.keeper.check() is Outcome.SIGN_IN_NEEDED
    assert len(signed.sign_in_needed()) == 1


class Stop(Exception):
    pass


@pytest.mark.asyncio
async def test_the_timer_wakes_when_due(signed: Signed) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            raise Stop
        await signed.days.advance(timedelta(seconds=seconds))

    keeper = signed.app.keeper
    keeper._sleep = sleep
    with pytest.raises(Stop):
        await keeper.run()
    assert slept[0] == 6 * 3600  # never more than 6 hours between checks
    assert keeper.last is Outcome.NOT_DUE
    record = records.load(signed.app.profile)
    assert record is not None and record.refreshed_at is None


@pytest.mark.asyncio
async def test_the_timer_renews_on_time(signed: Signed) -> None:
    outcomes: list[Outcome | None] = []

    async def sleep(seconds: float) -> None:
        outcomes.append(keeper.last)
        if keeper.last is Outcome.REFRESHED:
            raise Stop
        await signed.days.advance(timedelta(seconds=seconds))

    keeper = signed.app.keeper
    keeper._sleep = sleep
    with pytest.raises(Stop):
        await keeper.run()
    record = records.load(signed.app.profile)
    assert record is not None and record.refreshed_at is not None
    assert record.expires_at is not None
    left = record.expires_at - record.refreshed_at
    assert left > timedelta(days=59)
    assert outcomes.count(Outcome.NOT_DUE) == len(outcomes) - 1
    assert len(outcomes) <= 53 * 4 + 2  # one check every 6 hours at most


@pytest.mark.asyncio
async def test_the_token_is_swapped_between_sync_passes(signed: Signed) -> None:
    app = signed.app
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        if len(waited) == 3:  # the pass in progress ends
            app._set_status(SyncStatus(False, utc_now(), None, None, False))

    app._set_status(SyncStatus(True, None, None, None, False))  # a pass is running
    app.keeper._sleep = sleep
    before = signed.token()
    await signed.days.advance(timedelta(days=54))
    assert await app.keeper.check() is Outcome.REFRESHED
    assert waited == [0.5, 0.5, 0.5] and signed.token() != before
