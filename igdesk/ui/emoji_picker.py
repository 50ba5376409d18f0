"""A small popup grid of common emoji; a click (or Enter/Space) on one reports it with `picked`.

The system's own emoji input still works in the editor; this is the quick way for a mouse user.
Open it with `popup()` (never `exec()`, which would nest an event loop inside qasync).
"""

from __future__ import annotations

import functools
import unicodedata

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QMenu, QToolButton, QWidget, QWidgetAction

from igdesk.i18n import Words

COLUMNS = 10
EMOJI = (
    "😀", "😁", "😂", "🤣", "😊", "😍", "🥰", "😘", "😉", "😎",
    "🤗", "🤩", "🙂", "😅", "😆", "😇", "🤔", "😮", "😢", "😭",
    "😡", "😴", "🙄", "😬", "🥺", "🙈", "👍", "👎", "👌", "👏",
    "🙏", "🙌", "💪", "👋", "✌️", "🤝", "🫶", "❤️", "🧡", "💛",
    "💚", "💙", "💜", "🖤", "💯", "🔥", "✨", "🎉", "🎁", "🛍️",
    "📦", "🚚", "💸", "💰", "✅", "❌", "⭐", "📍", "⏰", "📞",
)  # fmt: skip


def emoji_name(emoji: str) -> str:
    """A readable name for an emoji ("grinning face"), from its first code point."""
    try:
        return unicodedata.name(emoji[0]).lower()
    except ValueError:
        return emoji


class _Grid(QWidget):
    """The buttons; arrow keys move between them like in a grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: list[QToolButton] = []
        layout = QGridLayout(self)
        layout.setSpacing(2)
        layout.setContentsMargins(4, 4, 4, 4)
        for index, emoji in enumerate(EMOJI):
            button = QToolButton()
            button.setText(emoji)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            name = emoji_name(emoji)
            button.setAccessibleName(name)
            button.setToolTip(name)
            layout.addWidget(button, index // COLUMNS, index % COLUMNS)
            self.buttons.append(button)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -COLUMNS,
            Qt.Key.Key_Down: COLUMNS,
        }
        focused = self.focusWidget()
        step = steps.get(Qt.Key(event.key()))
        if step is not None and focused in self.buttons:
            target = self.buttons.index(focused) + step
            if 0 <= target < len(self.buttons):
                self.buttons[target].setFocus(Qt.FocusReason.TabFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)


class EmojiPicker(QMenu):
    """The popup; signal `picked(str emoji)`; it closes itself after a pick."""

    picked = Signal(str)

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(words("Emoji"))
        self.grid = _Grid(self)
        action = QWidgetAction(self)
        action.setDefaultWidget(self.grid)
        self.addAction(action)
        for button in self.grid.buttons:
            button.clicked.connect(functools.partial(self._pick, button.text()))
        self.aboutToShow.connect(lambda: self.grid.buttons[0].setFocus())

    def buttons(self) -> list[QToolButton]:
        return list(self.grid.buttons)

    def _pick(self, emoji: str, _checked: bool = False) -> None:
        self.close()
        self.picked.emit(emoji)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # QMenu would treat arrows as moving between actions; the grid owns them.
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.grid.keyPressEvent(event)
            return
        super().keyPressEvent(event)
