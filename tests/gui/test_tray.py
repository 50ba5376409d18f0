"""TrayNotifier: unread badge and tooltip, the notification decision, and click-to-open."""

from __future__ import annotations

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from igdesk.config import Settings
from igdesk.domain import Folder
from igdesk.ui import icons
from igdesk.ui.tray import TrayNotifier


def _image(notifier: TrayNotifier) -> QImage:
    return notifier.icon().pixmap(64, 64).toImage()


def test_works_without_a_system_tray(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(), use_system_tray=False)
    assert not notifier.has_tray
    assert notifier.unread == 0
    assert notifier.tool_tip() == "igdesk — 0 unread"
    assert not notifier.icon().isNull()
    default = TrayNotifier(Settings())  # offscreen has no tray: the default adapts
    assert not default.has_tray
    default.hide()


def test_unread_count_updates_icon_and_tooltip(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(), use_system_tray=False)
    plain = _image(notifier)
    assert plain == icons.app_pixmap(64).toImage()
    notifier.set_unread(3)
    three = _image(notifier)
    assert three != plain
    assert notifier.tool_tip() == "igdesk — 3 unread"
    notifier.set_unread(120)
    assert _image(notifier) != three
    assert icons.badge_text(120) == "99+"
    notifier.set_unread(0)
    assert _image(notifier) == plain
    assert notifier.tool_tip() == "igdesk — 0 unread"


def test_tooltip_in_indonesian(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(), lang="id", use_system_tray=False)
    notifier.set_unread(2)
    assert notifier.tool_tip() == "igdesk — 2 belum dibaca"


def test_notifications_off_by_default(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(), use_system_tray=False)
    with qtbot.assertNotEmitted(notifier.shown):
        for folder in Folder:
            assert not notifier.notify("t1", folder, "Ana", "hi", window_focused=False)


def test_notify_only_enabled_folders_and_only_when_unfocused(qtbot: QtBot) -> None:
    settings = Settings(notify_folders=["primary", "requests"])
    notifier = TrayNotifier(settings, use_system_tray=False)
    with qtbot.waitSignal(notifier.shown, timeout=500) as blocker:
        assert notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)
    assert blocker.args == ["t1"]
    assert notifier.notify("t2", Folder.REQUESTS, "Budi", "halo", window_focused=False)
    with qtbot.assertNotEmitted(notifier.shown):
        assert not notifier.notify("t3", Folder.GENERAL, "Cici", "x", window_focused=False)
        assert not notifier.notify("t4", Folder.PRIMARY, "Dodi", "y", window_focused=True)
        assert not notifier.notify("t5", Folder.DENIED, "Eka", "z", window_focused=False)
    assert notifier.last_thread_id == "t2"


def test_settings_changes_take_effect(qtbot: QtBot) -> None:
    settings = Settings()
    notifier = TrayNotifier(settings, use_system_tray=False)
    assert not notifier.notify("t1", Folder.GENERAL, "Ana", "hi", window_focused=False)
    settings.notify_folders = ["general"]  # the dialog edits the shared Settings in place
    assert notifier.notify("t1", Folder.GENERAL, "Ana", "hi", window_focused=False)
    notifier.set_settings(Settings(notify_folders=[], notify_sound=True))
    assert not notifier.notify("t1", Folder.GENERAL, "Ana", "hi", window_focused=False)


def test_sound_setting_does_not_break_notify(qtbot: QtBot) -> None:
    notifier = TrayNotifier(
        Settings(notify_folders=["primary"], notify_sound=True), use_system_tray=False
    )
    assert notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)


def test_clicking_the_notification_opens_its_thread(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(notify_folders=["primary"]), use_system_tray=False)
    with qtbot.assertNotEmitted(notifier.open_thread):
        notifier.on_message_clicked()  # nothing notified yet
    notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)
    notifier.notify("t9", Folder.PRIMARY, "Budi", "halo", window_focused=False)
    with qtbot.waitSignal(notifier.open_thread, timeout=500) as blocker:
        notifier.on_message_clicked()  # the slot QSystemTrayIcon.messageClicked connects to
    assert blocker.args == ["t9"]


def test_clicking_a_balloon_about_igdesk_brings_the_window_not_a_thread(qtbot: QtBot) -> None:
    notifier = TrayNotifier(Settings(notify_folders=["primary"]), use_system_tray=False)
    notifier.notify("t1", Folder.PRIMARY, "Ana", "hi", window_focused=False)
    notifier.tell("igdesk: sign in again", "Your Instagram sign-in has ended.")
    with qtbot.assertNotEmitted(notifier.open_thread), qtbot.waitSignal(notifier.show_window):
        notifier.on_message_clicked()


def test_app_icon_has_every_size(qtbot: QtBot) -> None:
    icon = icons.app_icon()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 64, 256}
