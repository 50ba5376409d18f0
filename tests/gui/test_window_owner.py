"""One answer for the messaging window: the list badge, the header, Ending soon and the composer
all follow it, live, when the Human Agent switch changes or the server says it has closed."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from igdesk.domain import Folder
from igdesk.ui.main_window import MainWindow
from igdesk.ui.models.threads import ThreadRole
from igdesk.ui.settings_dialog import SettingsDialog
from tests.gui.conftest import RunUntil, open_by_username, settle
from tests.sandbox_client import Sandbox


def badge(window: MainWindow, thread_id: str) -> str:
    row = window.thread_model.row_of(thread_id)
    assert row is not None
    found = window.thread_model.index(row, 0).data(ThreadRole.WINDOW_BADGE)
    return found.text if found is not None else ""


def turn_human_agent(window: MainWindow, qtbot: QtBot, on: bool) -> None:
    next(a for a in window.findChildren(QAction) if "Settings" in a.text()).trigger()
    qtbot.waitUntil(lambda: _settings_dialog() is not None, timeout=5000)
    dialog = _settings_dialog()
    assert dialog is not None
    dialog.human_agent_box.setChecked(on)
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


def _settings_dialog() -> SettingsDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SettingsDialog) and widget.isVisible():
            return widget
    return None


def test_the_human_agent_switch_reopens_a_closed_chat_everywhere_at_once(
    window: MainWindow, qtbot: QtBot
) -> None:
    """eka.long last wrote 26 h ago: closed by the 24 h rule, open with the 7-day tag."""
    thread_id = open_by_username(window, qtbot, "eka.long")
    assert badge(window, thread_id) == "Closed"
    assert window.conversation.window_label.text().startswith("Reply window closed on")
    assert not window.composer.can_reply()

    turn_human_agent(window, qtbot, True)
    assert badge(window, thread_id) == ""  # days left: no badge
    assert window.conversation.window_label.text().startswith("Human agent reply:")
    assert window.composer.can_reply()

    turn_human_agent(window, qtbot, False)
    assert badge(window, thread_id) == "Closed"
    assert not window.composer.can_reply()


def test_the_servers_verdict_closes_the_chat_everywhere(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    """Our clock says 1h30m left; Meta's says the window closed: Meta wins, in every place."""
    thread_id = open_by_username(window, qtbot, "hampir.habis")
    assert badge(window, thread_id).endswith("left")
    window.ending_soon_button.setChecked(True)
    qtbot.waitUntil(lambda: window.ending_model.row_of(thread_id) is not None, timeout=5000)
    assert window.composer.can_reply()

    world.control.post("/_sandbox/clock", json={"advance_seconds": 3 * 3600}).raise_for_status()
    window.app.replies.start_sending()
    window.composer.set_text("Masih bisa kak, silakan")
    window.composer.send_requested.emit(window.composer.text())
    qtbot.waitUntil(lambda: badge(window, thread_id) == "Closed", timeout=20_000)
    qtbot.waitUntil(lambda: not window.composer.can_reply(), timeout=5000)
    assert window.conversation.window_label.text().startswith("Reply window closed on")
    qtbot.waitUntil(lambda: window.ending_model.row_of(thread_id) is None, timeout=5000)
    # The refused reply is kept, with the reason and Retry/Delete under the messages.
    panel = window.conversation.outbox
    assert panel.isVisible() and len(panel.rows) == 1
    row = next(iter(panel.rows.values()))
    texts = [label.text() for label in row.findChildren(QLabel)]
    assert texts[0] == "Masih bisa kak, silakan"
    assert texts[1].startswith("Not sent.")
    assert {b.text() for b in row.findChildren(QPushButton)} == {"Retry", "Delete"}
    settle(qtbot, window)
    assert window.folder is Folder.PRIMARY
