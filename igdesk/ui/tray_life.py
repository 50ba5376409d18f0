"""Closing the window keeps igdesk in the tray; Quit (menu, tray, Ctrl+Q) ends it.

With a system tray, the window's close button hides it: igdesk keeps syncing and notifying,
and the first time a balloon (and the status of the tray icon's menu) says so; the tray icon
or its Open brings the window back. Without a tray (no tray host on the desktop, offscreen)
closing is quitting, as there would be no way back. `ended` fires when the app should stop.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from igdesk.config import Settings
from igdesk.i18n import Words
from igdesk.ui.tray import TrayNotifier

log = logging.getLogger("igdesk.ui.tray_life")


class TrayLife(QObject):
    """Watches the window's close events (an event filter); see the module docstring."""

    ended = Signal()
    hidden_to_tray = Signal()

    def __init__(
        self,
        window: QWidget,
        tray: TrayNotifier,
        settings: Settings,
        settings_path: Path,
        words: Words,
        *,
        keep_in_tray: bool | None = None,
        quit_action: QAction | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._tray = tray
        self._settings = settings
        self._settings_path = settings_path
        self._words = words
        self._keep = tray.has_tray if keep_in_tray is None else keep_in_tray
        self._quitting = False
        window.installEventFilter(self)
        tray.show_window.connect(self.bring_back)
        tray.quit_requested.connect(self.quit)
        if quit_action is not None:  # the window's Quit (connected to close) quits for real
            quit_action.triggered.disconnect(window.close)
            quit_action.triggered.connect(self.quit)

    @property
    def quitting(self) -> bool:
        return self._quitting

    def first_close_message(self) -> tuple[str, str]:
        """The balloon the first close to the tray shows (title, text)."""
        words = self._words
        return words("igdesk is still running"), words(
            "New messages keep arriving and the tray icon shows how many are unread. "
            "Click it to open igdesk again; choose Quit in its menu to stop igdesk."
        )

    def closing_for_real(self) -> None:
        """The window is about to close for good (Quit, an account switch, the local data
        deleted): the close is not a move to the tray, and no balloon says igdesk still runs."""
        self._quitting = True

    def quit(self) -> None:
        """Stop igdesk (closes the window for real)."""
        self._quitting = True
        if self._window.isVisible():
            self._window.close()  # passes the filter: `ended` follows from there
        else:
            self.ended.emit()

    def bring_back(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self._window or event.type() != QEvent.Type.Close:
            return False
        if self._quitting or not self._keep:
            self._quitting = True
            self.ended.emit()
            return False  # the window closes (and saves its draft) as usual
        event.ignore()
        self._window.hide()
        self.hidden_to_tray.emit()
        if not self._settings.close_to_tray_told:
            self._tray.tell(*self.first_close_message())
            self._settings.close_to_tray_told = True
            try:
                self._settings.save(self._settings_path)
            except OSError as error:  # told again next time: harmless
                log.warning("could not save settings: %s", type(error).__name__)
        return True
