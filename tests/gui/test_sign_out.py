"""Sign out from the menu, in the real window: the token goes, the archive stays readable and
the banner offers to sign in; deleting the local data takes a checkbox and a confirmation,
and then igdesk closes with the archive gone."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from igdesk import secrets
from igdesk.i18n import Words
from igdesk.ui.main_window import MainWindow
from igdesk.ui.sign_in_view import SignInView
from igdesk.ui.sign_out import SignOutDialog
from tests.gui.conftest import RunUntil
from tests.gui.sign_in_support import app_secret, click_in_page, login_settings, shown, wait_shown
from tests.memory_keyring import MemoryKeyring
from tests.sandbox_client import Sandbox

EN = Words("en")


def newest_text(main: MainWindow, username: str) -> str:
    rows = [main.thread_model.thread_at(row) for row in range(main.thread_model.rowCount())]
    return next(row.last_message_text for row in rows if row.contact_username == username)


def keep_token(window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil) -> None:
    assert run_until(qtbot, window.app.replace_token(world.token), 10_000)  # in the keyring


def confirmation(qtbot: QtBot) -> QMessageBox:
    box = wait_shown(qtbot, QMessageBox)
    assert box.objectName() == "confirmErase"
    return box


def press(box: QMessageBox, role: QMessageBox.ButtonRole) -> None:
    button = next(b for b in box.buttons() if box.buttonRole(b) is role)
    button.click()


def test_sign_out_keeps_the_messages_readable(
    window: MainWindow,
    world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    keep_token(window, world, qtbot, run_until)
    rows = window.thread_model.rowCount()
    window.signing.sign_out()
    dialog = wait_shown(qtbot, SignOutDialog)
    assert not dialog.erase.isChecked()  # deleting is never the default
    dialog.sign_out_button.click()
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert window.banner_label.text() == EN(
        "You signed out. Sign in to receive and answer messages again."
    )
    assert secrets.get(window.app.profile.key, secrets.Secret.ACCESS_TOKEN) is None
    assert not window.app.has_token()
    assert window.thread_model.rowCount() == rows
    assert run_until(qtbot, window.app.inbox.threads(), 10_000)  # still readable
    assert window.app.profile.archive_path.exists()

    # Nothing is read with the old token any more; signing in again resumes everything.
    world.clear_requests()
    window.app.start_polling()
    window.app.refresh()
    qtbot.waitUntil(lambda: "No Instagram account" in window.status_label.text(), timeout=20_000)
    assert world.requests() == []  # no call reached Instagram
    login_settings(world).save_to(window.app)
    secrets.put(window.app.profile.key, secrets.Secret.APP_SECRET, app_secret(world))
    window.sign_in_button.click()
    view = wait_shown(qtbot, SignInView)
    assert view.browser is not None
    click_in_page(qtbot, view.browser.page(), "allow", address_has=view.login.state)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=30_000)
    world.writes("ani.follower", "Sudah bisa lagi?")
    window.app.refresh()
    qtbot.waitUntil(
        lambda: newest_text(window, "ani.follower") == "Sudah bisa lagi?", timeout=30_000
    )


def test_deleting_the_local_data_asks_twice_then_closes(
    window: MainWindow,
    world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    keep_token(window, world, qtbot, run_until)
    archive = window.app.profile.archive_path

    window.signing.sign_out()
    dialog = wait_shown(qtbot, SignOutDialog)
    dialog.erase.setChecked(True)
    assert dialog.sign_out_button.text() == "Sign out and delete"
    dialog.sign_out_button.click()
    press(confirmation(qtbot), QMessageBox.ButtonRole.RejectRole)  # not sure after all
    qtbot.waitUntil(lambda: not window.tasks.tasks, timeout=10_000)
    assert window.app.has_token() and archive.exists()

    window.signing.sign_out()
    dialog = wait_shown(qtbot, SignOutDialog)
    dialog.erase.setChecked(True)
    with qtbot.waitSignal(window.signing.quit_requested, timeout=20_000):
        dialog.sign_out_button.click()
        press(confirmation(qtbot), QMessageBox.ButtonRole.DestructiveRole)
    assert not archive.exists()
    assert not window.app.profile.cache_dir.exists()
    assert secrets.get(window.app.profile.key, secrets.Secret.ACCESS_TOKEN) is None
    assert shown(SignOutDialog) is None


def test_deleting_says_how_many_replies_were_never_sent(
    window: MainWindow,
    world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    keep_token(window, world, qtbot, run_until)
    thread_id = next(t.id for t in run_until(qtbot, window.app.inbox.threads(), 10_000))
    run_until(qtbot, window.app.replies.send_text(thread_id, "Siap kak, dikirim besok"), 10_000)
    window.signing.sign_out()  # the sender is not running: the reply waits in the outbox
    dialog = wait_shown(qtbot, SignOutDialog)
    dialog.erase.setChecked(True)
    dialog.sign_out_button.click()
    box = confirmation(qtbot)
    assert box.informativeText() == (
        "1 reply you wrote was not sent yet: it is deleted too and never sent."
    )
    press(box, QMessageBox.ButtonRole.RejectRole)
    qtbot.waitUntil(lambda: not window.tasks.tasks, timeout=10_000)
    assert run_until(qtbot, window.app.replies.unsent_count(), 10_000) == 1  # nothing lost


def test_a_token_from_the_environment_cannot_be_signed_out_here(
    window: MainWindow, world: Sandbox, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGDESK_ACCESS_TOKEN", world.token)
    window.signing.sign_out()
    qtbot.waitUntil(lambda: "IGDESK_ACCESS_TOKEN" in window.notice.text, timeout=10_000)
    assert shown(SignOutDialog) is None  # nothing was asked, nothing changed
    assert window.app.current_token() == world.token
    assert not window.banner.isVisible()
