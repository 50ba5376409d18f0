"""The "Sign in again" banner in the real window: the sandbox revokes the token, the banner
stays (one notification, the archive readable), signing in again in the embedded browser
removes it and syncing resumes without a restart."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from igdesk import secrets
from igdesk.i18n import Words
from igdesk.signin.texts import NO_KEYRING, NO_SECRET
from igdesk.ui.main_window import MainWindow
from igdesk.ui.sign_in import AppSecretDialog
from igdesk.ui.sign_in_view import SignInView
from igdesk.views import ThreadView
from tests.gui.conftest import RunUntil
from tests.gui.sign_in_support import (
    app_secret,
    click_in_page,
    expire,
    login_settings,
    wait_shown,
)
from tests.memory_keyring import MemoryKeyring
from tests.sandbox_client import Sandbox

EN = Words("en")


def newest_text(main: MainWindow, username: str) -> str:
    rows: list[ThreadView] = [
        main.thread_model.thread_at(row) for row in range(main.thread_model.rowCount())
    ]
    return next(row.last_message_text for row in rows if row.contact_username == username)


def test_revoked_token_banner_then_sign_in_again_resumes_syncing(
    window: MainWindow,
    world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    app = window.app
    login_settings(world).save_to(app)  # what the setup assistant left
    secrets.put(app.profile.key, secrets.Secret.APP_SECRET, app_secret(world))
    rows_before = window.thread_model.rowCount()
    shown: list[str] = []
    window.banner.first_shown.connect(shown.append)

    expire(world, world.token)
    app.start_polling()
    app.refresh()
    qtbot.waitUntil(window.banner.isVisible, timeout=20_000)
    assert "Sign in again" in window.banner_label.text()
    assert window.thread_model.rowCount() == rows_before  # the archive stays readable
    app.refresh()  # refused again: still one banner, one notification
    qtbot.wait(300)
    assert len(shown) == 1
    assert window.banner.isVisible()

    window.sign_in_button.click()
    view = wait_shown(qtbot, SignInView)
    assert not window.sign_in_button.isEnabled()  # one sign-in window at a time
    assert view.browser is not None
    click_in_page(qtbot, view.browser.page(), "allow", address_has=view.login.state)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=30_000)
    assert window.notice.text.startswith("Signed in as @")

    world.writes("ani.follower", "Masih ada stok yang biru?")
    app.refresh()
    qtbot.waitUntil(
        lambda: newest_text(window, "ani.follower") == "Masih ada stok yang biru?", timeout=30_000
    )
    assert not window.banner.isVisible()


def test_without_a_keyring_sign_in_again_asks_for_the_secret_and_says_it_is_for_this_run(
    window: MainWindow, world: Sandbox, qtbot: QtBot
) -> None:
    app = window.app
    login_settings(world).save_to(app)  # the app is set up; the keyring kept nothing
    expire(world, world.token)
    app.start_polling()
    app.refresh()
    qtbot.waitUntil(window.banner.isVisible, timeout=20_000)
    assert window.banner.reassure.text().startswith("Your messages stay readable here")

    window.sign_in_button.click()
    ask = wait_shown(qtbot, AppSecretDialog)
    assert EN.text(NO_SECRET) in ask.findChild(QLabel).text()
    ask.secret.setText(app_secret(world))
    ask.accept()
    view = wait_shown(qtbot, SignInView)
    assert view.browser is not None
    click_in_page(qtbot, view.browser.page(), "allow", address_has=view.login.state)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=30_000)
    assert window.notice.text == EN.text(NO_KEYRING)  # kept for this run only, said so
    assert app.has_token()
