"""The tray icon (unread count, always), its menu, and desktop notifications (only when asked).

Design rule: notifications are off by default and chosen per folder in Settings; the unread
count shows whether they are on or not. Quiet hours silence them, and a burst is folded into
one summary (igdesk/ui/notify_rules.py). The menu shows the unread count of each folder, Open
and Quit. Without a system tray (offscreen, CI, some Linux desktops) the notifier keeps its
state and menu and still decides and reports, it just shows nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from igdesk.config import Settings
from igdesk.domain import Folder
from igdesk.events import CustomerWrote
from igdesk.i18n import Words
from igdesk.ui import icons
from igdesk.ui.models.folders import folder_name
from igdesk.ui.notify_rules import Note, Popup, RateLimit, in_quiet_hours
from igdesk.ui.text import card_title_of, preview_text

log = logging.getLogger("igdesk.ui.tray")

NOTIFICATION_MS = 8000
MENU_FOLDERS = (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS)


def local_now() -> datetime:
    return datetime.now().astimezone()


class TrayNotifier(QObject):
    """Owns the QSystemTrayIcon; decides and shows new-message notifications.

    Signals: `open_thread(thread_id)` when a notification is clicked, `show_window()` when the
    tray icon itself or Open is clicked, `show_folder(folder)` for a folder in the menu,
    `quit_requested()` for Quit; `shown(thread_id)` whenever a message is let through for a
    notification, and `displayed(popup)` when one pops up (or would, without a tray): a burst
    gives many `shown` and one `displayed`.
    """

    open_thread = Signal(str)
    show_window = Signal()
    show_folder = Signal(object)
    quit_requested = Signal()
    shown = Signal(str)
    displayed = Signal(object)

    def __init__(
        self,
        settings: Settings,
        *,
        lang: str = "en",
        words: Words | None = None,
        use_system_tray: bool | None = None,
        clock: Callable[[], datetime] = local_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._words = words or Words(lang)
        self._clock = clock
        self._rate = RateLimit()
        self._flush_timer = QTimer(self, singleShot=True)
        self._flush_timer.timeout.connect(self.flush)
        self._unread = 0
        self._counts: dict[Folder, int] = {}
        self._last_thread_id: str | None = None
        self._icon = icons.badged_icon(0)
        self._tooltip = self._tooltip_for(0)
        available = QSystemTrayIcon.isSystemTrayAvailable()
        wanted = available if use_system_tray is None else use_system_tray and available
        self._tray: QSystemTrayIcon | None = None
        self.menu = QMenu()
        self._folder_actions: dict[Folder, QAction] = {}
        self._build_menu()
        if wanted:
            self._tray = QSystemTrayIcon(self._icon, self)
            self._tray.setContextMenu(self.menu)
            self._tray.setToolTip(self._tooltip)
            self._tray.messageClicked.connect(self.on_message_clicked)
            self._tray.activated.connect(self._on_activated)
            self._tray.show()
        else:
            log.info("no system tray: notifications are decided but not shown")

    # --- state ----------------------------------------------------------------------------

    @property
    def has_tray(self) -> bool:
        return self._tray is not None

    @property
    def unread(self) -> int:
        return self._unread

    @property
    def last_thread_id(self) -> str | None:
        return self._last_thread_id

    def icon(self) -> QIcon:
        """The icon the tray shows now (with the unread badge)."""
        return self._icon

    def tool_tip(self) -> str:
        return self._tooltip

    def set_settings(self, settings: Settings) -> None:
        self._settings = settings

    def _build_menu(self) -> None:
        for folder in MENU_FOLDERS:
            action = self.menu.addAction("")
            action.triggered.connect(lambda _=False, f=folder: self.show_folder.emit(f))
            self._folder_actions[folder] = action
        self._label_folders()
        self.menu.addSeparator()
        self.menu.addAction(self._words("Open igdesk")).triggered.connect(self.show_window)
        self.menu.addAction(self._words("Quit igdesk")).triggered.connect(self.quit_requested)

    def _label_folders(self) -> None:
        for folder, action in self._folder_actions.items():
            name = folder_name(folder, self._words)
            count = self._counts.get(folder, 0)
            # TRANSLATORS: a tray menu entry: a folder's name and its unread count.
            action.setText(
                self._words.plural(
                    "{folder}: {n} unread", "{folder}: {n} unread", count, folder=name
                )
                if count
                else name
            )

    def set_counts(self, counts: Mapping[Folder, int]) -> None:
        """The unread count of each folder (menu), and their total (icon and tooltip)."""
        self._counts = {folder: max(0, int(counts.get(folder, 0))) for folder in MENU_FOLDERS}
        self._label_folders()
        self.set_unread(sum(self._counts.values()))

    def set_unread(self, total: int) -> None:
        """Show `total` unread messages on the icon and in the tooltip (redrawn only on change)."""
        total = max(0, int(total))
        if total == self._unread:
            return
        self._unread = total
        self._icon = icons.badged_icon(total)
        self._tooltip = self._tooltip_for(total)
        if self._tray is not None:
            self._tray.setIcon(self._icon)
            self._tray.setToolTip(self._tooltip)

    def _tooltip_for(self, total: int) -> str:
        # TRANSLATORS: the tray icon's tooltip.
        return self._words.plural("igdesk — {n} unread", "igdesk — {n} unread", total)

    # --- notifications --------------------------------------------------------------------

    def wants(self, folder: Folder, *, window_focused: bool) -> bool:
        """Whether a new message in `folder` deserves a desktop notification now."""
        if window_focused or folder is Folder.DENIED:
            return False
        if folder.value not in self._settings.notify_folders:
            return False
        quiet = self._settings.quiet_hours_from, self._settings.quiet_hours_until
        return not in_quiet_hours(self._clock(), *quiet)

    def notify(
        self, thread_id: str, folder: Folder, title: str, body: str, *, window_focused: bool
    ) -> bool:
        """Let a new message through to a notification if Settings, quiet hours and focus allow
        (whether it did); it pops up at once or, in a burst, folded into one summary."""
        if not self.wants(folder, window_focused=window_focused):
            return False
        self._last_thread_id = thread_id
        self._rate.offer(Note(thread_id, title, body))
        self.shown.emit(thread_id)
        self._schedule()
        return True

    def _schedule(self) -> None:
        now = self._clock()
        deadline = self._rate.deadline(now)
        if deadline is not None and not self._flush_timer.isActive():
            wait_ms = max(0, int((deadline - now).total_seconds() * 1000))
            self._flush_timer.start(wait_ms)  # 0: at the loop's next turn, after the burst

    @Slot()
    def flush(self) -> None:
        """Pop up what is due now (the timer calls this; tests call it with their clock)."""
        now = self._clock()
        popup = self._rate.take(now)
        quiet = self._settings.quiet_hours_from, self._settings.quiet_hours_until
        if popup is not None and not in_quiet_hours(now, *quiet):  # quiet hours began meanwhile
            self._display(popup)
        self._schedule()

    def _display(self, popup: Popup) -> None:
        title, body = popup.title, popup.body
        if popup.count > 1:
            words = self._words
            title = words.plural("{n} new message", "{n} new messages", popup.count)
            body = words.plural("from {n} customer", "from {n} customers", popup.customers)
        self._last_thread_id = popup.thread_id
        self._balloon(title, body)
        if self._settings.notify_sound:
            QApplication.beep()
        self.displayed.emit(popup)

    def tell(self, title: str, body: str) -> None:
        """A balloon about igdesk itself (sign in again, still running): a click on it brings
        the window forward instead of opening a thread."""
        self._last_thread_id = None
        self._balloon(title, body)

    def _balloon(self, title: str, body: str) -> None:
        """A balloon from the tray icon (nothing without a tray)."""
        if self._tray is not None:
            self._tray.showMessage(
                title, body, QSystemTrayIcon.MessageIcon.Information, NOTIFICATION_MS
            )

    def customer_wrote(self, event: CustomerWrote, *, window_focused: bool) -> bool:
        """A notification for a customer's new message: their name and a one-line preview."""
        row, message = event.thread, event.message
        body = preview_text(
            message.text,
            tuple(a.type for a in message.attachments),
            False,
            self._words.lang,
            card_title=card_title_of(message.attachments),
        )
        title = row.contact_name or row.contact_username
        return self.notify(row.id, row.folder, title, body, window_focused=window_focused)

    @Slot()
    def on_message_clicked(self) -> None:
        """The last notification was clicked: open its thread, or the window when it was
        about igdesk itself."""
        if self._last_thread_id is not None:
            self.open_thread.emit(self._last_thread_id)
        else:
            self.show_window.emit()

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window.emit()

    def hide(self) -> None:
        """Remove the icon from the tray (at quit)."""
        self._flush_timer.stop()
        if self._tray is not None:
            self._tray.hide()

    close = hide
