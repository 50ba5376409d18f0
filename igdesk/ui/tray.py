"""The tray icon (unread count, always) and desktop notifications (only when the owner asked).

Design rule: notifications are off by default and chosen per folder in Settings; the unread
count shows whether they are on or not. Without a system tray (offscreen, CI, some Linux
desktops) the notifier keeps its state and still decides and reports, it just shows nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from igdesk.config import Settings
from igdesk.domain import Folder
from igdesk.events import CustomerWrote
from igdesk.i18n import Words
from igdesk.ui import icons
from igdesk.ui.text import card_title_of, preview_text

log = logging.getLogger("igdesk.ui.tray")

NOTIFICATION_MS = 8000


class TrayNotifier(QObject):
    """Owns the QSystemTrayIcon; decides and shows new-message notifications.

    Signals: `open_thread(thread_id)` when a notification is clicked, `show_window()` when the
    tray icon itself is clicked, `shown(thread_id)` whenever a notification is shown (or would
    be, without a tray).
    """

    open_thread = Signal(str)
    show_window = Signal()
    shown = Signal(str)

    def __init__(
        self,
        settings: Settings,
        *,
        lang: str = "en",
        words: Words | None = None,
        use_system_tray: bool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._words = words or Words(lang)
        self._unread = 0
        self._last_thread_id: str | None = None
        self._icon = icons.badged_icon(0)
        self._tooltip = self._tooltip_for(0)
        available = QSystemTrayIcon.isSystemTrayAvailable()
        wanted = available if use_system_tray is None else use_system_tray and available
        self._tray: QSystemTrayIcon | None = None
        if wanted:
            self._tray = QSystemTrayIcon(self._icon, self)
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
        return folder.value in self._settings.notify_folders

    def notify(
        self, thread_id: str, folder: Folder, title: str, body: str, *, window_focused: bool
    ) -> bool:
        """Show a notification for a new message if Settings and focus allow; whether it did."""
        if not self.wants(folder, window_focused=window_focused):
            return False
        self._last_thread_id = thread_id
        if self._tray is not None:
            self._tray.showMessage(
                title, body, QSystemTrayIcon.MessageIcon.Information, NOTIFICATION_MS
            )
        if self._settings.notify_sound:
            QApplication.beep()
        self.shown.emit(thread_id)
        return True

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
        """The last notification was clicked: open its thread."""
        if self._last_thread_id is not None:
            self.open_thread.emit(self._last_thread_id)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window.emit()

    def hide(self) -> None:
        """Remove the icon from the tray (at quit)."""
        if self._tray is not None:
            self._tray.hide()

    close = hide
