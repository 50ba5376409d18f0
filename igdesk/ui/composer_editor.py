"""The composer's text field: plain text only, Enter as Settings say, "/shortcut" completion.

`ReplyEditor` emits `send_pressed()` for the send key (Enter, or Ctrl+Enter when Enter adds a
line) and `escape_pressed()` when Escape should cancel a reply-to; it never decides whether the
text may go. Typing "/" at the start of a word opens a popup of the saved replies whose
shortcut starts with what follows; choosing one (Enter, Tab or a click) replaces the "/shortcut".
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QPlainTextEdit, QWidget

from igdesk.config import Settings
from igdesk.i18n import Words
from igdesk.ui import saved_replies
from igdesk.ui.saved_replies import SavedRepliesModel

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_COMPLETER_KEYS = (*_ENTER, Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)


def utf16_len(text: str) -> int:
    """Length as Qt's text positions count it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def utf16_prefix(text: str, units: int) -> str:
    """The first `units` UTF-16 code units of `text`, as a Python string."""
    return text.encode("utf-16-le")[: units * 2].decode("utf-16-le", errors="ignore")


class ReplyEditor(QPlainTextEdit):
    """See the module docstring. `wants_escape` is set by the composer while a reply-to shows."""

    send_pressed = Signal()
    escape_pressed = Signal()

    def __init__(self, settings: Settings, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.wants_escape = False
        self.setTabChangesFocus(True)  # Tab walks on to the buttons: keyboard users need it
        self.replies_model = SavedRepliesModel(self)
        self.completer = QCompleter(self.replies_model, self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.popup().setAccessibleName(words("Saved replies"))
        self.completer.activated.connect(self._completed)  # the str overload: "/shortcut"

    def popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # QCompleter always makes one on first use
        return popup

    def _popup_open(self) -> bool:
        return self.popup().isVisible()

    # --- keys ---------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Escape closes the popup or cancels a reply-to before the window's Escape shortcut.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and (self.wants_escape or self._popup_open())
        ):
            event.accept()
            return True
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _COMPLETER_KEYS
            and self._popup_open()
        ):
            event.ignore()  # before Tab moves the focus: the completer chooses with it
            return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self._popup_open() and key in _COMPLETER_KEYS:
            event.ignore()  # the completer chooses (Enter/Tab) or closes (Escape)
            return
        if key == Qt.Key.Key_Escape and self.wants_escape:
            self.escape_pressed.emit()
            return
        if key in _ENTER:
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            plain = mods == Qt.KeyboardModifier.NoModifier
            if ctrl or (plain and self._settings.enter_sends):
                self.send_pressed.emit()
            elif not self.isReadOnly():
                self.textCursor().insertText("\n")  # a real line break, never U+2028
                self.ensureCursorVisible()
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData | None) -> None:
        """Paste and drop take the plain text only, whatever the source offered."""
        if source is not None and source.hasText():
            self.insertPlainText(source.text())

    # --- saved replies ------------------------------------------------------------------------

    def replies(self) -> list[saved_replies.SavedReply]:
        """The saved replies as Settings hold them now."""
        return saved_replies.from_settings(self._settings.saved_replies)

    def _before_cursor(self) -> str:
        cursor = self.textCursor()
        return utf16_prefix(cursor.block().text(), cursor.positionInBlock())

    def update_completion(self) -> None:
        """Open, filter or close the popup for the "/shortcut" before the cursor."""
        popup = self.popup()
        typed = None
        if not self.textCursor().hasSelection():
            typed = saved_replies.typed_shortcut(self._before_cursor())
        replies = self.replies() if typed is not None else []
        if typed is None or not saved_replies.matching(replies, typed):
            popup.hide()
            return
        self.replies_model.set_replies(replies)
        self.completer.setCompletionPrefix(typed)
        rect = self.cursorRect()
        rect.setWidth(max(popup.sizeHintForColumn(0) + 24, 240))
        self.completer.complete(rect)
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))

    def _completed(self, chosen: str) -> None:
        """The chosen saved reply replaces the "/shortcut" typed before the cursor."""
        wanted = chosen.removeprefix("/").casefold()
        reply = next((r for r in self.replies() if r.shortcut.casefold() == wanted), None)
        if reply is None:
            return
        cursor = self.textCursor()
        typed = saved_replies.typed_shortcut(self._before_cursor())
        if typed is not None:
            cursor.movePosition(
                QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, utf16_len(typed)
            )
        cursor.insertText(reply.text)
        self.setTextCursor(cursor)
