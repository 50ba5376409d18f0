"""One error channel: every failure of work the owner started ends as a sentence in the status
bar's notice (details a click away), the archive is left as it was, and an unexpected exception
shows a friendly window while igdesk keeps running. Real window, real sandbox, real archive."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from igdesk.domain import Folder
from igdesk.i18n import Words
from igdesk.store import Archive
from igdesk.ui import aio, crash
from igdesk.ui.attach_dialog import AttachDialog
from igdesk.ui.main_window import MainWindow
from tests.gui.conftest import RunUntil, open_by_username, settle, thread_id_of
from tests.sandbox_client import Sandbox

READ_ONLY = "read-only"


def notice_says(window: MainWindow, qtbot: QtBot, words: str) -> str:
    qtbot.waitUntil(lambda: words in window.notice.text, timeout=15_000)
    return window.notice.text


@pytest.fixture
def read_only_archive(window: MainWindow) -> Iterator[None]:
    path = window.app.profile.archive_path
    os.chmod(path, 0o444)
    try:
        yield
    finally:
        os.chmod(path, 0o644)


@pytest.mark.parametrize("action", ["accept", "deny", "move", "restore"])
def test_a_folder_change_that_cannot_be_saved_says_why_and_changes_nothing(
    window: MainWindow, qtbot: QtBot, stored: Archive, read_only_archive: None, action: str
) -> None:
    request = thread_id_of(window, "cici.request")
    general = thread_id_of(window, "bob.general")
    before = {row.id: row.folder for row in stored.threads.newest_first()}
    pane = window.conversation
    if action == "accept":
        pane.accept_requested.emit(request, "primary")
    elif action == "deny":
        pane.deny_requested.emit(request)
    elif action == "move":
        pane.move_requested.emit(general, "primary")
    else:
        pane.restore_requested.emit(request)
    sentence = notice_says(window, qtbot, READ_ONLY)
    assert "Traceback" not in sentence
    assert window.notice.details  # the technical side is a click away
    settle(qtbot, window)
    assert {row.id: row.folder for row in stored.threads.newest_first()} == before
    assert not window.undo_button.isVisible()  # a deny that failed offers no Undo


def test_a_successful_deny_says_so_and_offers_undo(
    window: MainWindow, qtbot: QtBot, stored: Archive
) -> None:
    request = thread_id_of(window, "cici.request")
    window.conversation.deny_requested.emit(request)
    notice_says(window, qtbot, "Request denied.")
    assert window.undo_button.isVisible()
    settle(qtbot, window)
    assert stored.threads.get(request).folder is Folder.DENIED  # type: ignore[union-attr]


@pytest.mark.parametrize("emoji", ["😍", None], ids=["react", "unreact"])
def test_a_reaction_instagram_refuses_says_why_and_changes_nothing(
    window: MainWindow, world: Sandbox, qtbot: QtBot, stored: Archive, emoji: str | None
) -> None:
    thread_id = open_by_username(window, qtbot, "ani.follower")
    message = next(m for m in window.conversation.model.messages() if not m.is_from_shop)
    world.fault("server_error", code=2, count=-1, path="/messages", method="POST")
    window.replying.react(thread_id, message.id, emoji)  # what the message menu's items call
    qtbot.waitUntil(lambda: bool(window.notice.text), timeout=15_000)
    settle(qtbot, window)
    assert stored.messages.get(message.id).reactions == message.reactions  # type: ignore[union-attr]


def test_a_link_that_cannot_be_sent_says_why(
    window: MainWindow, qtbot: QtBot, stored: Archive
) -> None:
    thread_id = open_by_username(window, qtbot, "ani.follower")
    outbox_before = stored.outbox.entries(thread_id=thread_id)
    window.composer.attach_requested.emit()
    qtbot.waitUntil(lambda: _open_dialog(AttachDialog) is not None, timeout=5000)
    dialog = _open_dialog(AttachDialog)
    assert isinstance(dialog, AttachDialog)
    dialog.url.setText("http://127.0.0.1:9/photo.jpg")  # nothing listens there
    dialog.accept()
    qtbot.waitUntil(lambda: bool(window.notice.text), timeout=20_000)
    settle(qtbot, window)
    assert stored.outbox.entries(thread_id=thread_id) == outbox_before  # nothing queued


def test_posts_that_cannot_be_listed_say_why(
    window: MainWindow, world: Sandbox, qtbot: QtBot
) -> None:
    open_by_username(window, qtbot, "ani.follower")
    world.fault("server_error", status=503, count=-1, path="/media")
    share = next(a for a in window.findChildren(QAction) if "posts" in a.text())
    share.trigger()
    qtbot.waitUntil(lambda: bool(window.notice.text), timeout=30_000)
    assert not any(isinstance(w, QDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_an_image_that_cannot_be_refreshed_says_why(
    window: MainWindow, world: Sandbox, qtbot: QtBot
) -> None:
    open_by_username(window, qtbot, "ani.follower")
    message = next(m for m in window.conversation.model.messages() if m.attachments)
    world.fault("server_error", code=2, count=-1, path=message.id)
    window.message_delegate.retry_requested.emit(message.attachments[0].url)
    qtbot.waitUntil(lambda: bool(window.notice.text), timeout=30_000)
    assert window.conversation.model.message(message.id) == message  # kept as it was


def test_settings_that_cannot_be_saved_say_why(window: MainWindow, qtbot: QtBot) -> None:
    from igdesk.ui.settings_dialog import SettingsDialog

    path = window.app.profile.settings_path
    if path.exists():
        path.unlink()
    path.mkdir()  # a folder where the file should be: writing it fails, even for root
    try:
        settings = next(a for a in window.findChildren(QAction) if "Settings" in a.text())
        settings.trigger()
        qtbot.waitUntil(lambda: _open_dialog(SettingsDialog) is not None, timeout=5000)
        dialog = _open_dialog(SettingsDialog)
        assert isinstance(dialog, SettingsDialog)
        dialog.accept()
        notice_says(window, qtbot, "Could not save the settings")
        assert dialog.isVisible()  # still open: nothing the owner chose is lost
        dialog.reject()
    finally:
        path.rmdir()


def test_details_open_in_a_window_and_the_notice_closes(window: MainWindow, qtbot: QtBot) -> None:
    aio.error("Something failed.", "TransientError: HTTP 503")
    assert window.notice.text == "Something failed."
    window.notice.details_button.click()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "noticeDetails") is not None, timeout=5000)
    box = window.findChild(QDialog, "noticeDetails")
    assert box is not None and box.isVisible()
    box.close()
    window.notice.close_button.click()
    assert window.notice.text == ""


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_a_friendly_window_and_igdesk_runs_on(
    window: MainWindow, qtbot: QtBot, run_until: RunUntil
) -> None:
    reporter = crash.CrashReporter(Words("en"), window)
    restore = crash.install(reporter, asyncio.get_event_loop())
    token = "IGAAsecretTOKEN1234567890abcdefghijklmnop"
    try:

        def broken_slot() -> None:
            raise RuntimeError(f"boom access_token={token}")

        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        dialog = reporter.dialog
        assert dialog is not None
        assert "keeps running" in dialog.message.text()
        details = dialog.details.toPlainText()
        assert "RuntimeError" in details and token not in details
        dialog.copy_details()
        assert token not in QGuiApplication.clipboard().text()
        dialog.accept()
    finally:
        restore()
    assert sys.excepthook is not None
    run_until(qtbot, window.show_folder(Folder.GENERAL), 10_000)  # the window still works
    assert window.thread_model.rowCount() >= 1


def _open_dialog(kind: type[QDialog]) -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None
