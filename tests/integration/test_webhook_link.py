"""A real account's webhooks through the App: the receiver, a tunnel (a fake `cloudflared` on
PATH, or the owner's own address) and the subscription kept against the sandbox over loopback.
What the owner is told is the `WebhookStatus` the App sends (the status bar shows it)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from igdesk.app import App
from igdesk.config import Profile, Settings
from igdesk.errors import IgdeskError
from igdesk.events import Event, WebhookStatus
from igdesk.i18n import Words
from igdesk.webhooks.subscription import MESSAGING_FIELDS, subscribed_fields
from tests.cloudflared_fake import install_fake_cloudflared
from tests.integration.conftest import Sandbox
from tests.webhook_bodies import META_SECRET, SECRET, VERIFY_TOKEN, delivery, post

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the fake is a POSIX script")

WEBHOOKS_ON = Settings(webhooks_enabled=True, tunnel_provider="cloudflared")


async def quick_sleep(seconds: float) -> None:
    """The tunnel's checks and backoff pass at once; the hourly subscription check never comes
    by itself (tests call it)."""
    await asyncio.sleep(0.02 if seconds < 3600 else 3600)


@pytest.fixture
def secrets_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGDESK_APP_SECRET", SECRET)
    monkeypatch.setenv("IGDESK_VERIFY_TOKEN", VERIFY_TOKEN)


def run_with_app(
    sandbox: Sandbox,
    folder: Path,
    settings: Settings,
    scenario: Callable[[App, list[WebhookStatus]], Awaitable[None]],
) -> list[WebhookStatus]:
    """Connect a real account's webhooks with `settings`, run `scenario`, close; every status
    the App sent."""
    statuses: list[WebhookStatus] = []

    def listen(event: Event) -> None:
        if isinstance(event, WebhookStatus):
            statuses.append(event)

    async def go() -> None:
        app = App(Profile(folder), graph_url=sandbox.url, token=sandbox.token, settings=settings)
        app.events.subscribe(listen)
        try:
            await app.webhooks.connect_account(settings, sleep=quick_sleep)
            await scenario(app, statuses)
        finally:
            await app.aclose()

    asyncio.run(go())
    return statuses


async def until(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not check():
        assert loop.time() < end, f"never: {what}"
        await asyncio.sleep(0.02)


def status_of(app: App) -> WebhookStatus:
    assert app.webhooks.status is not None
    return app.webhooks.status


def test_webhooks_are_healthy_once_the_tunnel_is_up_and_the_account_subscribed(
    tiny_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secrets_in_environment: None,
) -> None:
    install_fake_cloudflared(tmp_path, monkeypatch)

    async def scenario(app: App, statuses: list[WebhookStatus]) -> None:
        await until(lambda: status_of(app).healthy, "healthy")

    statuses = run_with_app(tiny_sandbox, tmp_path / "profile", WEBHOOKS_ON, scenario)
    healthy = next(status for status in statuses if status.healthy)
    assert healthy.callback_url == "https://words-0-fake.trycloudflare.com/webhook"
    assert healthy.tunnel == "cloudflared" and healthy.tunnel_problem is None
    assert not statuses[0].healthy  # nothing is claimed before both are known
    subscription = httpx.get(
        f"{tiny_sandbox.url}/v25.0/me/subscribed_apps", params={"access_token": tiny_sandbox.token}
    ).json()
    assert set(subscribed_fields(subscription)) == set(MESSAGING_FIELDS)
    assert not statuses[-1].receiving  # closing the App stopped them


def test_a_dead_tunnel_is_restarted_and_a_new_address_asks_for_the_dashboard(
    tiny_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secrets_in_environment: None,
) -> None:
    record = install_fake_cloudflared(tmp_path, monkeypatch)

    async def scenario(app: App, statuses: list[WebhookStatus]) -> None:
        await until(lambda: status_of(app).healthy, "healthy")
        first_run = json.loads(record.read_text().splitlines()[0])
        os.kill(int(first_run["pid"]), signal.SIGKILL)
        await until(lambda: status_of(app).url_changed, "restarted at a new address")
        changed = status_of(app)
        assert changed.callback_url == "https://words-1-fake.trycloudflare.com/webhook"
        assert not changed.healthy
        assert changed.tunnel_problem is not None
        sentence = Words("id").text(changed.tunnel_problem)
        assert "https://words-1-fake.trycloudflare.com/webhook" in sentence
        # Meta delivers to the new address: the dashboard was updated.
        assert app.webhooks.service is not None
        async with httpx.AsyncClient() as client:
            answer = await post(client, app.webhooks.service.url, delivery(1))
        assert answer.status_code == 200
        await until(lambda: status_of(app).healthy, "healthy again")

    statuses = run_with_app(tiny_sandbox, tmp_path / "profile", WEBHOOKS_ON, scenario)
    down = [status for status in statuses if status.receiving and status.callback_url is None]
    assert any(status.tunnel_problem is not None and not status.healthy for status in down)


def test_a_subscription_that_cannot_be_checked_keeps_polling_fast(
    tiny_sandbox: Sandbox, tmp_path: Path, secrets_in_environment: None
) -> None:
    tiny_sandbox.fault("server_error", code=2, count=-1, path="subscribed_apps")
    own_address = dataclasses.replace(
        WEBHOOKS_ON, tunnel_provider="manual", tunnel_public_url="https://shop.example.com"
    )

    async def scenario(app: App, statuses: list[WebhookStatus]) -> None:
        await until(lambda: status_of(app).subscription_problem is not None, "checked", 30)
        await until(lambda: status_of(app).callback_url is not None, "tunnel up")

    statuses = run_with_app(tiny_sandbox, tmp_path / "profile", own_address, scenario)
    last = [status for status in statuses if status.receiving][-1]
    assert last.callback_url == "https://shop.example.com/webhook"
    assert last.subscribed is None and not last.healthy
    assert last.subscription_problem is not None


def test_a_refused_subscription_is_restored_by_the_next_check(
    tiny_sandbox: Sandbox, tmp_path: Path, secrets_in_environment: None
) -> None:
    own_address = dataclasses.replace(
        WEBHOOKS_ON, tunnel_provider="manual", tunnel_public_url="https://shop.example.com"
    )

    async def scenario(app: App, statuses: list[WebhookStatus]) -> None:
        await until(lambda: status_of(app).healthy, "healthy")
        httpx.delete(
            f"{tiny_sandbox.url}/v25.0/me/subscribed_apps",
            params={"access_token": tiny_sandbox.token},
        ).raise_for_status()  # Meta dropped it after an hour of failed deliveries
        assert app.webhooks.link is not None
        state = await app.webhooks.link.check_subscription()
        assert state is not None and state.resubscribed
        assert status_of(app).healthy

    run_with_app(tiny_sandbox, tmp_path / "profile", own_address, scenario)


def test_either_app_secret_is_enough_and_none_is_a_sentence(
    tiny_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGDESK_VERIFY_TOKEN", VERIFY_TOKEN)
    own_address = dataclasses.replace(
        WEBHOOKS_ON, tunnel_provider="manual", tunnel_public_url="https://shop.example.com"
    )

    async def refused(app: App, statuses: list[WebhookStatus]) -> None:
        raise AssertionError("connected without a secret")

    with pytest.raises(IgdeskError) as missing:
        run_with_app(tiny_sandbox, tmp_path / "first", own_address, refused)
    assert "IGDESK_APP_SECRET" in missing.value.sentence("en")

    monkeypatch.setenv("IGDESK_META_APP_SECRET", META_SECRET)

    async def signed_with_meta_secret(app: App, statuses: list[WebhookStatus]) -> None:
        assert app.webhooks.service is not None
        async with httpx.AsyncClient() as client:
            good = await post(client, app.webhooks.service.url, delivery(1), META_SECRET)
            bad = await post(client, app.webhooks.service.url, delivery(1), SECRET)
        assert (good.status_code, bad.status_code) == (200, 403)

    run_with_app(tiny_sandbox, tmp_path / "second", own_address, signed_with_meta_secret)


def test_signed_out_the_check_says_sign_in_and_closing_still_works(
    tiny_sandbox: Sandbox, tmp_path: Path, secrets_in_environment: None
) -> None:
    """No token (signed out, webhooks still on): the subscription check cannot run; it says
    so and tries again later, and the App still closes in order."""
    own_address = dataclasses.replace(
        WEBHOOKS_ON, tunnel_provider="manual", tunnel_public_url="https://shop.example.com"
    )

    async def scenario() -> WebhookStatus:
        app = App(Profile(tmp_path), graph_url=tiny_sandbox.url, settings=own_address)
        try:
            await app.webhooks.connect_account(own_address, sleep=quick_sleep)
            await until(lambda: status_of(app).subscription_problem is not None, "checked")
            assert app.webhooks.link is not None
            assert await app.webhooks.link.check_subscription() is None
            return status_of(app)
        finally:
            await app.aclose()  # raised "not signed in" from the dead check before

    status = asyncio.run(scenario())
    assert status.subscription_problem is not None and not status.healthy
    assert "sign in again" in Words("en").text(status.subscription_problem)
