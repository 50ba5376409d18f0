"""The composer's read-outs around the text: the reply-to bar, the window line, the byte counter
and the over-limit bar with its Split button. They only show what the Composer tells them.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from igdesk.domain import MAX_TEXT_BYTES, Window, WindowState
from igdesk.i18n import Words
from igdesk.ui.composer_text import window_sentence

#: From this share of MAX_TEXT_BYTES on, the counter turns to the warning colour.
NEAR_LIMIT = 0.9
COLORS = {"ok": "", "near": "color: #b26a00;", "over": "color: #c62828; font-weight: bold;"}
_QUOTE_CHARS = 120


def tool_button(text: str, name: str, keys: str = "", *, scope: QWidget) -> QToolButton:
    """A flat button named `name` for screen readers; `keys` click it anywhere in `scope`."""
    button = QToolButton()
    button.setText(text)
    button.setAccessibleName(name)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setAutoRaise(True)
    if keys:
        QShortcut(
            QKeySequence(keys),
            scope,
            button.click,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{name} ({native})")
    else:
        button.setToolTip(name)
    return button


def _plain_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class ReplyBar(QFrame):
    """ "Replying to: <quote>" with a button that cancels the reply-to."""

    def __init__(self, words: Words, scope: QWidget) -> None:
        super().__init__()
        self._words = words
        self.label = _plain_label()
        self.cancel_button = tool_button("✕", words("Cancel reply"), scope=scope)
        self.cancel_button.setToolTip(words("Cancel reply (Esc)"))
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.label, 1)
        bar.addWidget(self.cancel_button)
        self.setVisible(False)

    def show_quote(self, quote: str | None) -> None:
        """Show the start of the message answered (None hides the bar)."""
        flat = " ".join((quote or "").split())
        if len(flat) > _QUOTE_CHARS:
            flat = flat[: _QUOTE_CHARS - 1].rstrip() + "…"
        text = self._words("Replying to: {quote}", quote=flat)
        self.label.setText(text)
        self.label.setAccessibleName(text)
        self.setVisible(quote is not None)


class WindowLine(QLabel):
    """The sentence about the messaging window above the text (hidden when it is open)."""

    def __init__(self, words: Words) -> None:
        super().__init__()
        self._words = words
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAccessibleName(words("Reply window"))

    def show_window(
        self,
        thread_id: str | None,
        window: Window | None,
        now: datetime | None,
        *,
        human_agent: bool,
    ) -> None:
        """The window of the thread shown (no thread: say to choose one; a thread whose window
        is not known yet: nothing)."""
        if thread_id is None:
            local = datetime.now().astimezone()
            sentence = window_sentence(None, local, self._words, human_agent=human_agent)
        elif window is None or now is None:
            sentence = ""
        else:
            sentence = window_sentence(window, now, self._words, human_agent=human_agent)
        closed = thread_id is not None and window is not None and window.state is WindowState.CLOSED
        self.setText(sentence)
        if self.property("closed") != closed:
            self.setProperty("closed", closed)
            self.setStyleSheet(COLORS["near"] if closed else "")
        self.setVisible(bool(sentence))
        self.setAccessibleDescription(sentence)


class SizeCounter(QLabel):
    """ "<size> / <most> bytes", coloured as the text nears and passes Instagram's limit."""

    def __init__(self, words: Words) -> None:
        super().__init__()
        self._words = words
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(words("Message size"))

    def show_size(self, size: int) -> str:
        """Show `size` (UTF-8 bytes); its level: "ok", "near" or "over"."""
        level = "over" if size > MAX_TEXT_BYTES else "ok"
        if level == "ok" and size >= MAX_TEXT_BYTES * NEAR_LIMIT:
            level = "near"
        self.setText(self._words("{size} / {most} bytes", size=size, most=MAX_TEXT_BYTES))
        if self.property("level") != level:
            self.setProperty("level", level)
            self.setStyleSheet(COLORS[level])
        return level


class OverLimitBar(QFrame):
    """Says a text is too long for one message and offers to split it (`split_button`)."""

    def __init__(self, words: Words) -> None:
        super().__init__()
        self._words = words
        self.label = _plain_label()
        self.label.setWordWrap(True)
        self.label.setStyleSheet(COLORS["over"])
        self.split_button = QPushButton()
        over = QHBoxLayout(self)
        over.setContentsMargins(0, 0, 0, 0)
        over.addWidget(self.label, 1)
        over.addWidget(self.split_button)
        self.setVisible(False)

    def show_over(self, size: int, parts: int) -> None:
        """A text of `size` bytes that Split would send as `parts` messages."""
        words = self._words
        self.label.setText(
            words(
                "Too long for one message: {size} bytes, Instagram accepts at most {most}. "
                "Shorten it or split it.",
                size=size,
                most=MAX_TEXT_BYTES,
            )
        )
        label = words.plural("Split into {n} message", "Split into {n} messages", parts)
        self.split_button.setText(label)
        self.split_button.setAccessibleName(label)
