"""Check setup in the window: doctor's checklist against the sandbox, a line per check; a
refused token shows as a line marked ✗ with what to do, and the summary says messaging is
blocked."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from igdesk import secrets
from igdesk.doctor import SIGN_IN
from igdesk.i18n import Words
from igdesk.ui.check_setup import CheckSetupDialog
from igdesk.ui.main_window import MainWindow
from igdesk.ui.sign_in_view import SignInView
from tests.gui.sign_in_support import app_secret, expire, login_settings, wait_shown
from tests.memory_keyring import MemoryKeyring
from tests.sandbox_client import Sandbox

EN = Words("en")


def checked(qtbot: QtBot, dialog: CheckSetupDialog) -> list[tuple[str, str, str, str]]:
    qtbot.waitUntil(lambda: not dialog.checking and bool(dialog.lines), timeout=30_000)
    return dialog.lines


def test_check_setup_shows_the_checklist_and_each_fix(
    window: MainWindow, world: Sandbox, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    window.signing.check_setup()
    window.signing.check_setup()  # asked twice at once: still one checklist
    dialog = wait_shown(qtbot, CheckSetupDialog)
    window.signing.check_setup()  # and again once it shows
    qtbot.wait(200)
    assert len([d for d in window.findChildren(CheckSetupDialog) if d.isVisible()]) == 1
    lines = checked(qtbot, dialog)
    labels = [label for _mark, label, _detail, _fix in lines]
    assert {"Access token", "Instagram account", "Professional account"} <= set(labels)
    assert all(mark != "✗" for mark, *_ in lines)
    account = next(line for line in lines if line[1] == "Instagram account")
    assert account[0] == "✓" and account[2].startswith("@")
    assert dialog.summary.text() in (
        EN("Everything looks good."),
        EN("igdesk works. The lines marked ! could be better: see what to do."),
    )

    assert not dialog.sign_in_button.isVisibleTo(dialog)
    login_settings(world).save_to(window.app)
    secrets.put(window.app.profile.key, secrets.Secret.APP_SECRET, app_secret(world))
    expire(world, world.token)
    dialog.again_button.click()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=30_000)
    failed = [line for line in dialog.lines if line[0] == "✗"]
    assert failed and failed[0][1] == "Access token"
    assert failed[0][3] == EN.text(SIGN_IN)  # what to do, on screen
    assert dialog.summary.text().startswith("Something stops igdesk")
    assert dialog.sign_in_button.isVisibleTo(dialog)  # the fix, one click away
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    view = wait_shown(qtbot, SignInView)  # the app is set up: straight to Business Login
    view.reject()
    qtbot.waitUntil(lambda: not window.tasks.tasks, timeout=10_000)
