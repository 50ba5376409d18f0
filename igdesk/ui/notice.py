"""The status bar's notice: the one place where a failure of the owner's work is told.

It listens to the user-message channel (`aio.messages()`): every sentence sent there, from a
failed task, an action, a dialog or the sync, shows here until the owner closes it or a newer
one replaces it, with "Details…" when there is a technical side (redacted) to show.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QToolButton, QWidget

from igdesk.i18n import Words
from igdesk.ui import aio


class Notice(QWidget):
    """A sentence, a "Details…" button and a close button, hidden when there is nothing."""

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = words
        self._details = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setObjectName("noticeText")
        self.details_button = QToolButton()
        self.details_button.setText(words("Details…"))
        self.details_button.clicked.connect(self.show_details)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip(words("Close this message"))
        self.close_button.setAccessibleName(words("Close this message"))
        self.close_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # A wrapped label would shrink to a few words a line beside a plain stretch: the sentence
        # takes most of the room, the buttons stay close to it.
        layout.addWidget(self.label, 4)
        layout.addWidget(self.details_button)
        layout.addWidget(self.close_button)
        layout.addStretch(1)
        self.setVisible(False)
        self.level = ""
        aio.messages().message.connect(self.show_message)

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    @property
    def details(self) -> str:
        return self._details

    def show_message(self, level: str, text: str, details: str) -> None:
        self.level = level
        self._details = details
        self.label.setText(text)
        self.label.setProperty("level", level)
        self.details_button.setVisible(bool(details))
        self.setVisible(True)

    def clear(self) -> None:
        self._details = ""
        self.label.clear()
        self.setVisible(False)

    def show_details(self) -> None:
        """The technical side in a small window (opened, never exec'd), with a copy button."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self._words("Details"))
        box.setText(self.label.text())
        box.setDetailedText(self._details)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setObjectName("noticeDetails")
        box.open()

    def disconnect_channel(self) -> None:
        """Stop listening (the window is closing)."""
        aio.messages().message.disconnect(self.show_message)
