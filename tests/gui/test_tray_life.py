"""Tray life: the menu's unread counts, Open and Quit; quiet hours; a burst gives one summary;
closing the window keeps igdesk in the tray (said once), or quits when there is no tray."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from igdesk.config import Settings
from igdesk.domain import Folder
from igdesk.i18n import Words
from igdesk.ui.notify_rules import Popup
from igdesk.ui.tray import TrayNotifier
from igdesk.ui.tray_life import TrayLife


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _texts(notifier: TrayNotifier) -> list[str]:
    return [action.text() for action in notifier.menu.actions() if not action.isSeparator()]


def test_menu_shows_unread_per_folder_open_and_quit(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(), use_system_tray=False)
    assert _texts(notifier) == ["Primary", "General", "Requests", "Open igdesk", "Quit igdesk"]
    notifier.set_counts({Folder.PRIMARY: 3, Folder.REQUESTS: 1, Folder.DENIED: 9})
    assert _texts(notifier)[:3] == ["Primary: 3 unread", "General", "Requests: 1 unread"]
    assert notifier.unread == 4  # Denied is not counted
    assert notifier.tool_tip() == "igdesk — 4 unread"
    actions = [a for a in notifier.menu.actions() if not a.isSeparator()]
    with qtbot.waitSignal(notifier.show_folder) as folder:
        actions[2].trigger()
    assert folder.args == [Folder.REQUESTS]
    with qtbot.waitSignal(notifier.show_window):
        actions[3].trigger()
    with qtbot.waitSignal(notifier.quit_requested):
        actions[4].trigger()


def test_menu_in_indonesian(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(), words=Words("id"), use_system_tray=False)
    notifier.set_counts({Folder.GENERAL: 2})
    texts = _texts(notifier)
    assert texts[1].endswith("2 belum dibaca")
    assert "Quit igdesk" not in texts


def test_a_burst_of_fifty_messages_pops_up_once(qtbot: QtBot) -> None:
    clock = Clock(datetime(2026, 11, 29, 12, 0).astimezone())
    notifier = TrayNotifier(
        Settings(notify_folders=["primary"]), use_system_tray=False, clock=clock
    )
    shown: list[Popup] = []
    notifier.displayed.connect(shown.append)
    for i in range(50):
        assert notifier.notify(f"t{i % 7}", Folder.PRIMARY, "x", "y", window_focused=False)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=2000)  # the timer fires at the next turn
    qtbot.wait(50)
    assert len(shown) == 1
    assert (shown[0].count, shown[0].customers) == (50, 7)
    assert notifier.last_thread_id == "t0"  # the newest: 49 % 7
    # Within the cooldown, the next messages wait and come as one more summary.
    notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)
    notifier.flush()
    assert len(shown) == 1
    clock.now = clock.now.replace(minute=1)
    notifier.flush()
    assert len(shown) == 2 and shown[1].count == 1 and shown[1].title == "Ana"


def test_quiet_hours_silence_notifications(qtbot: QtBot) -> None:
    clock = Clock(datetime(2026, 11, 29, 23, 30).astimezone())
    settings = Settings(
        notify_folders=["primary"], quiet_hours_from="22:00", quiet_hours_until="07:00"
    )
    notifier = TrayNotifier(settings, use_system_tray=False, clock=clock)
    with qtbot.assertNotEmitted(notifier.shown):
        assert not notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)
    clock.now = clock.now.replace(day=30, hour=7, minute=0)
    assert notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)


def test_a_summary_held_back_until_quiet_hours_began_stays_quiet(qtbot: QtBot) -> None:
    clock = Clock(datetime(2026, 11, 29, 21, 59, 50).astimezone())
    settings = Settings(
        notify_folders=["primary"], quiet_hours_from="22:00", quiet_hours_until="07:00"
    )
    notifier = TrayNotifier(settings, use_system_tray=False, clock=clock)
    shown: list[Popup] = []
    notifier.displayed.connect(shown.append)
    notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=2000)
    assert notifier.notify("t2", Folder.PRIMARY, "Budi", "halo", window_focused=False)
    clock.now = clock.now.replace(hour=22, minute=0, second=10)  # its cooldown ends in quiet
    notifier.flush()
    assert len(shown) == 1


def _life(
    qtbot: QtBot, tmp_path: Path, keep: bool
) -> tuple[QMainWindow, TrayNotifier, TrayLife, Settings]:
    window = QMainWindow()
    qtbot.addWidget(window)
    tray = TrayNotifier(Settings(), use_system_tray=False)
    settings = Settings()
    life = TrayLife(
        window, tray, settings, tmp_path / "settings.json", Words("en"), keep_in_tray=keep
    )
    window.show()
    return window, tray, life, settings


def test_closing_keeps_igdesk_in_the_tray_and_says_so_once(qtbot: QtBot, tmp_path: Path) -> None:
    window, tray, life, settings = _life(qtbot, tmp_path, keep=True)
    title, text = life.first_close_message()
    assert title == "igdesk is still running" and "Quit" in text
    with qtbot.assertNotEmitted(life.ended), qtbot.waitSignal(life.hidden_to_tray):
        assert not window.close()
    assert not window.isVisible()
    assert settings.close_to_tray_told
    assert json.loads((tmp_path / "settings.json").read_text())["close_to_tray_told"] is True
    tray.show_window.emit()  # the tray icon clicked
    assert window.isVisible()
    with qtbot.waitSignal(life.ended):
        tray.quit_requested.emit()  # Quit in the tray menu
    assert not window.isVisible() and life.quitting


def test_quit_from_the_tray_while_hidden(qtbot: QtBot, tmp_path: Path) -> None:
    window, tray, life, _settings = _life(qtbot, tmp_path, keep=True)
    window.close()
    assert not window.isVisible()
    with qtbot.waitSignal(life.ended):
        tray.quit_requested.emit()


def test_without_a_tray_closing_quits(qtbot: QtBot, tmp_path: Path) -> None:
    window, _tray, life, settings = _life(qtbot, tmp_path, keep=False)
    with qtbot.waitSignal(life.ended):
        assert window.close()
    assert not settings.close_to_tray_told


def test_the_windows_quit_action_quits_even_with_a_tray(qtbot: QtBot, tmp_path: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    quit_action = QAction("&Quit", window)
    quit_action.triggered.connect(window.close)  # as window_layout connects it
    tray = TrayNotifier(Settings(), use_system_tray=False)
    life = TrayLife(
        window, tray, Settings(), tmp_path / "s.json", Words("en"),
        keep_in_tray=True, quit_action=quit_action,
    )  # fmt: skip
    window.show()
    with qtbot.assertNotEmitted(life.hidden_to_tray), qtbot.waitSignal(life.ended):
        quit_action.trigger()
    assert not window.isVisible() and life.quitting


def test_a_close_for_good_is_not_a_move_to_the_tray(qtbot: QtBot, tmp_path: Path) -> None:
    """An account switch or deleted data closes the window for good: its own close runs (the
    draft is saved there) and no balloon says igdesk still runs."""
    window, _tray, life, settings = _life(qtbot, tmp_path, keep=True)
    life.closing_for_real()
    with qtbot.assertNotEmitted(life.hidden_to_tray):
        assert window.close()  # True: the close was accepted, not turned into a hide
    assert not settings.close_to_tray_told
    assert not (tmp_path / "settings.json").exists()
