"""The webhook lines of the checkup (`doctor`, "Check setup"), against the sandbox over loopback:
a healthy setup, and each broken part with its next step."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest

from igdesk.app import App
from igdesk.config import Profile, Settings
from igdesk.i18n import Words
from igdesk.webhooks.checkup import WebhookCheck, webhook_checks
from tests.integration.conftest import Sandbox
from tests.integration.test_cli import igdesk
from tests.webhook_bodies import SECRET, VERIFY_TOKEN, delivery, post

OWN_ADDRESS = Settings(
    webhooks_enabled=True, tunnel_provider="manual", tunnel_public_url="https://toko.example.com"
)


def checkup(sandbox: Sandbox, folder: Path, settings: Settings) -> dict[str, tuple[bool, str]]:
    """Each line's label → (passed, what it says in English)."""

    async def go() -> list[WebhookCheck]:
        app = App(Profile(folder), graph_url=sandbox.url, token=sandbox.token, settings=settings)
        try:
            return await webhook_checks(app)
        finally:
            await app.aclose()

    words = Words("en")
    return {c.label: (c.ok, words.text(c.detail)) for c in asyncio.run(go())}


@pytest.fixture
def secrets_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGDESK_APP_SECRET", SECRET)
    monkeypatch.setenv("IGDESK_VERIFY_TOKEN", VERIFY_TOKEN)


def test_off_is_one_line_saying_how_often_igdesk_checks(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    lines = checkup(tiny_sandbox, tmp_path, Settings(poll_interval_seconds=90))
    assert list(lines) == ["Instant delivery"]
    passed, said = lines["Instant delivery"]
    assert passed and "every 90 seconds" in said


def test_a_healthy_setup_passes_and_restores_a_dropped_subscription(
    tiny_sandbox: Sandbox, tmp_path: Path, secrets_in_environment: None
) -> None:
    lines = checkup(tiny_sandbox, tmp_path, OWN_ADDRESS)
    assert all(passed for passed, _ in lines.values()), lines
    assert "https://toko.example.com/webhook" in lines["Tunnel"][1]
    assert "subscribed your account again" in lines["Webhook subscription"][1]
    assert "none received yet" in lines["Last webhook"][1]
    again = checkup(tiny_sandbox, tmp_path, OWN_ADDRESS)
    assert again["Webhook subscription"][1].startswith("present (")


def test_the_last_delivery_is_reported(
    tiny_sandbox: Sandbox, tmp_path: Path, secrets_in_environment: None
) -> None:
    async def receive_one() -> None:
        app = App(Profile(tmp_path), graph_url=tiny_sandbox.url, token=tiny_sandbox.token)
        try:
            service = await app.webhooks.start(0)
            async with httpx.AsyncClient() as client:
                assert (await post(client, service.url, delivery(1))).status_code == 200
        finally:
            await app.aclose()

    asyncio.run(receive_one())
    assert checkup(tiny_sandbox, tmp_path, OWN_ADDRESS)["Last webhook"][1].startswith("received ")


def test_missing_secrets_say_how_to_give_them(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    passed, said = checkup(tiny_sandbox, tmp_path, OWN_ADDRESS)["Webhook secrets"]
    assert not passed and "IGDESK_APP_SECRET" in said


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"tunnel_public_url": "http://toko.example.com"}, "https://"),
        ({"tunnel_provider": "ngrok"}, "authtoken"),
        ({"tunnel_provider": "cloudflared"}, "not installed"),
    ],
)
def test_a_tunnel_that_cannot_start_says_what_it_needs(
    tiny_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secrets_in_environment: None,
    changes: dict[str, str],
    said: str,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    settings = dataclasses.replace(OWN_ADDRESS, **changes)
    passed, line = checkup(tiny_sandbox, tmp_path / "profile", settings)["Tunnel"]
    assert not passed and said in line


def test_a_subscription_that_cannot_be_read_is_a_failed_line(
    tiny_sandbox: Sandbox, tmp_path: Path, secrets_in_environment: None
) -> None:
    tiny_sandbox.fault("server_error", code=2, count=-1, path="subscribed_apps")
    passed, said = checkup(tiny_sandbox, tmp_path, OWN_ADDRESS)["Webhook subscription"]
    assert not passed and said


def test_doctor_warns_about_webhooks_without_failing(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    broken = dataclasses.replace(OWN_ADDRESS, tunnel_public_url="http://toko.example.com")
    broken.save(Profile(tmp_path).settings_path)
    result = igdesk(
        "--profile",
        str(tmp_path),
        "--graph-url",
        tiny_sandbox.url,
        "doctor",
        token=tiny_sandbox.token,
    )
    assert result.returncode == 0, result.stderr  # polling still brings every message
    warnings = [line for line in result.stdout.splitlines() if line.startswith("! ")]
    assert any(line.startswith("! Tunnel: ") and "https://" in line for line in warnings)
    assert any(line.startswith("! Webhook secrets: ") for line in warnings)
    assert "Everything looks good." not in result.stdout
