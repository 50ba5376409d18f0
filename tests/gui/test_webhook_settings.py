"""Settings › Instant delivery in the real window: the owner sets up webhooks with their own
address, sees the callback URL and verify token to paste into Meta's dashboard, and the status
bar says when messages arrive at once; bad choices are refused in the dialog, nothing saved."""

from __future__ import annotations

import dataclasses
import json
import socket
import sys

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from igdesk import secrets
from igdesk.events import WebhookStatus
from igdesk.i18n import Text, Words
from igdesk.ui.main_window import MainWindow
from igdesk.ui.webhook_indicator import indicator_text
from igdesk.ui.webhook_settings import WebhookSettingsDialog
from igdesk.webhooks.tunnel import TunnelProvider
from tests.gui.conftest import RunUntil
from tests.memory_keyring import MemoryKeyring
from tests.sandbox_client import Sandbox

SECRET = "rahasia-aplikasi-instagram"


def open_dialog(window: MainWindow, qtbot: QtBot) -> WebhookSettingsDialog:
    window.dialogs.open_webhook_settings()
    (dialog,) = [d for d in window.findChildren(WebhookSettingsDialog) if d.isVisible()]
    return dialog


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fill_own_address(dialog: WebhookSettingsDialog, url: str, port: int, secret: str) -> None:
    dialog.enabled_box.setChecked(True)
    dialog.provider.setCurrentIndex(dialog.provider.findData(TunnelProvider.MANUAL.value))
    dialog.public_url.setText(url)
    dialog.port.setValue(port)
    dialog.app_secret.setText(secret)


def saved_settings(window: MainWindow) -> dict[str, object]:
    path = window.app.profile.settings_path
    data: dict[str, object] = json.loads(path.read_text()) if path.exists() else {}
    return data


def test_the_owner_turns_on_instant_delivery_with_their_own_address(
    window: MainWindow, world: Sandbox, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    assert not window.webhook_indicator.isVisible()  # off until the owner turns it on
    dialog = open_dialog(window, qtbot)
    verify_token = dialog.verify_token.text()
    assert len(verify_token) >= 20
    copy = [b for b in dialog.findChildren(QPushButton) if "Verify token" in b.accessibleName()]
    copy[0].click()
    assert QGuiApplication.clipboard().text() == verify_token
    port = free_port()
    fill_own_address(dialog, "https://toko.example.com/", port, SECRET)
    assert dialog.callback.text() == "https://toko.example.com/webhook"

    dialog.accept()

    assert not dialog.isVisible()
    saved = saved_settings(window)
    assert saved["webhooks_enabled"] is True and saved["tunnel_provider"] == "manual"
    assert saved["webhook_port"] == port
    key = window.app.profile.key
    assert secrets.get(key, secrets.Secret.APP_SECRET) == SECRET
    assert secrets.get(key, secrets.Secret.VERIFY_TOKEN) == verify_token
    profile_files = [p for p in window.app.profile.directory.rglob("*") if p.is_file()]
    assert not any(SECRET.encode() in p.read_bytes() for p in profile_files)
    qtbot.waitUntil(
        lambda: window.webhook_indicator.text() == "⚡ Instant delivery on", timeout=15_000
    )
    assert "https://toko.example.com/webhook" in window.webhook_indicator.toolTip()
    assert window.app.webhooks.service is not None
    assert window.app.webhooks.service.receiver.port == port

    again = open_dialog(window, qtbot)
    assert again.callback.text() == "https://toko.example.com/webhook"
    assert again.verify_token.text() == verify_token  # the same one stays in the dashboard
    assert again.app_secret.text() == "" and again.app_secret.saved
    again.reject()


@pytest.mark.parametrize(
    ("url", "port", "secret", "said"),
    [
        ("http://toko.example.com", 8443, SECRET, "https://"),
        ("https://toko.example.com", 0, SECRET, "fixed local port"),
        ("https://toko.example.com", 8443, "", "app secret"),
        ("https://toko.example.com/?a=1#b", 8443, SECRET, "? or #"),
    ],
)
def test_a_choice_that_cannot_work_is_refused_and_nothing_is_saved(
    window: MainWindow,
    qtbot: QtBot,
    memory_keyring: MemoryKeyring,
    url: str,
    port: int,
    secret: str,
    said: str,
) -> None:
    dialog = open_dialog(window, qtbot)
    fill_own_address(dialog, url, port, secret)
    dialog.accept()
    assert dialog.isVisible()  # still open, with what the owner typed
    assert said in dialog.problem.text()
    assert dialog.public_url.text() == url
    assert "webhooks_enabled" not in saved_settings(window)
    assert memory_keyring.items == {}
    assert window.app.webhooks.service is None
    dialog.reject()


def test_without_a_keyring_the_dialog_says_how_to_get_one(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_dialog(window, qtbot)  # the tests' default keyring refuses everything
    fill_own_address(dialog, "https://toko.example.com", free_port(), SECRET)
    dialog.accept()
    assert dialog.isVisible()
    assert "no working keyring" in dialog.problem.text()
    assert "IGDESK_APP_SECRET" in dialog.problem.text()
    assert "webhooks_enabled" not in saved_settings(window)
    dialog.reject()


@pytest.mark.skipif(sys.platform == "win32", reason="PATH without cloudflared")
def test_a_tunnel_that_cannot_start_is_said_in_the_status_bar(
    window: MainWindow,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty-bin")))
    dialog = open_dialog(window, qtbot)
    dialog.enabled_box.setChecked(True)
    dialog.provider.setCurrentIndex(dialog.provider.findData(TunnelProvider.CLOUDFLARED.value))
    dialog.app_secret.setText(SECRET)
    dialog.accept()
    qtbot.waitUntil(lambda: "tunnel down" in window.webhook_indicator.text(), timeout=15_000)
    assert "cloudflared" in window.notice.text  # the sentence with the next step
    assert "cloudflared" in window.webhook_indicator.toolTip()


STARTING = WebhookStatus(
    receiving=True,
    tunnel="ngrok",
    callback_url=None,
    tunnel_problem=None,
    subscribed=None,
    subscription_problem=None,
)


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (STARTING, "Instant delivery: starting…"),
        (
            dataclasses.replace(STARTING, tunnel_problem=Text("The ngrok tunnel stopped.")),
            "⚠ Instant delivery: tunnel down, checking every minute",
        ),
        (
            dataclasses.replace(
                STARTING, callback_url="https://a.example/webhook", subscribed=True
            ),
            "⚡ Instant delivery on",
        ),
        (
            dataclasses.replace(
                STARTING,
                callback_url="https://b.example/webhook",
                subscribed=True,
                url_changed=True,
            ),
            "⚠ Instant delivery: update the callback URL in Meta's dashboard",
        ),
        (
            dataclasses.replace(
                STARTING, callback_url="https://a.example/webhook", subscribed=False
            ),
            "⚠ Instant delivery: Meta is not sending, checking every minute",
        ),
    ],
)
def test_the_status_bar_word_for_each_state(status: WebhookStatus, shown: str) -> None:
    assert indicator_text(status, Words("en")) == shown
