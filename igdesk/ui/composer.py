"""The reply box under a conversation: text, emoji, saved replies, the byte limit, the window.

`Composer` never sends anything itself: it validates and emits `send_requested(text)` (once per
part when the owner chose to split a long text), `heart_requested()` and `attach_requested()`;
the window's owner writes to the outbox. It keeps nothing either: `draft_changed(thread, text)`
reports the draft (debounced, flushed on every thread switch and by `flush_draft()`) so the
archive can keep it across restarts. Call `set_thread()` and then `set_window()` on every switch.
"""

from __future__ import annotations

import itertools
import time
from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QVBoxLayout, QWidget

from igdesk.config import Settings
from igdesk.domain import MAX_TEXT_BYTES, Window, WindowState, text_bytes
from igdesk.i18n import Words
from igdesk.ui.composer_bars import OverLimitBar, ReplyBar, SizeCounter, WindowLine, tool_button
from igdesk.ui.composer_editor import ReplyEditor
from igdesk.ui.composer_text import split_message, window_later
from igdesk.ui.emoji_picker import EmojiPicker


class Composer(QWidget):
    """The reply box; see the module docstring for who does what.

    Signals: `send_requested(str text)`, `draft_changed(str thread_id, str text)`,
    `typing(bool)`, `attach_requested()`, `heart_requested()`, `reply_cancelled()`,
    `edit_saved_replies_requested()`. `reply_to()` is valid while `send_requested` is
    handled (for a split text: during the first part only).
    """

    send_requested = Signal(str)
    draft_changed = Signal(str, str)
    typing = Signal(bool)
    attach_requested = Signal()
    heart_requested = Signal()
    reply_cancelled = Signal()
    edit_saved_replies_requested = Signal()

    draft_delay_ms = 500
    typing_idle_ms = 5000
    window_check_ms = 30_000

    def __init__(self, words: Words, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = words
        self._settings = settings
        self._thread_id: str | None = None
        self._window: Window | None = None
        self._window_now: datetime | None = None
        self._window_clock = 0.0
        self._human_agent = False
        self._reply_to: str | None = None
        self._loading = False
        self._draft_pending = False
        self._typing = False
        self._build()
        self._wire()
        self._update_state()

    # --- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        words = self._words
        self.reply_bar = ReplyBar(words, self)
        self.reply_label = self.reply_bar.label
        self.cancel_reply_button = self.reply_bar.cancel_button
        self.window_label = WindowLine(words)

        self.editor = ReplyEditor(self._settings, words)
        self.editor.setAccessibleName(words("Your reply"))
        lines = self.editor.fontMetrics().lineSpacing()
        self.editor.setMinimumHeight(lines * 3)
        self.editor.setMaximumHeight(lines * 8)

        self.emoji_button = tool_button("🙂", words("Insert emoji"), "Ctrl+E", scope=self)
        self.saved_button = tool_button("⚡", words("Saved replies"), "Ctrl+Shift+R", scope=self)
        self.attach_button = tool_button("📎", words("Attach files"), "Ctrl+Shift+A", scope=self)
        self.heart_button = tool_button("❤️", words("Send a heart"), scope=self)
        self.counter_label = SizeCounter(words)
        self.send_button = QPushButton(words("Send"))
        self.send_button.setAccessibleName(words("Send"))
        self.emoji_picker = EmojiPicker(words, self)
        self.saved_menu = QMenu(self)
        self.saved_menu.setAccessibleName(words("Saved replies"))
        self.over_bar = OverLimitBar(words)
        self.over_label = self.over_bar.label
        self.split_button = self.over_bar.split_button

        row = QHBoxLayout()
        for button in (self.emoji_button, self.saved_button, self.attach_button):
            row.addWidget(button)
        row.addWidget(self.heart_button)
        row.addStretch(1)
        row.addWidget(self.counter_label)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reply_bar)
        layout.addWidget(self.window_label)
        layout.addWidget(self.editor)
        layout.addLayout(row)
        layout.addWidget(self.over_bar)
        for first, second in itertools.pairwise(self.controls()):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.editor)

    def controls(self) -> list[QWidget]:
        """Every control, in tab order (hidden or disabled ones are skipped by Tab)."""
        return [
            self.editor,
            self.emoji_button,
            self.saved_button,
            self.attach_button,
            self.heart_button,
            self.send_button,
            self.split_button,
            self.cancel_reply_button,
        ]

    def _wire(self) -> None:
        self._draft_timer = QTimer(self, singleShot=True, interval=self.draft_delay_ms)
        self._draft_timer.timeout.connect(self.flush_draft)
        self._typing_timer = QTimer(self, singleShot=True, interval=self.typing_idle_ms)
        self._typing_timer.timeout.connect(self._stop_typing)
        self._window_timer = QTimer(self, interval=self.window_check_ms)
        self._window_timer.timeout.connect(self._recheck_window)
        self.editor.textChanged.connect(self._edited)
        self.editor.send_pressed.connect(self.send)
        self.editor.escape_pressed.connect(self.cancel_reply)
        self.send_button.clicked.connect(self.send)
        self.split_button.clicked.connect(self.split_and_send)
        self.cancel_reply_button.clicked.connect(self.cancel_reply)
        self.attach_button.clicked.connect(self.attach_requested)
        self.heart_button.clicked.connect(self.heart_requested)
        self.emoji_button.clicked.connect(lambda: self._popup(self.emoji_picker))
        self.emoji_picker.picked.connect(self.insert_text)
        self.saved_button.clicked.connect(self.show_saved_replies_menu)

    # --- public helpers -----------------------------------------------------------------------

    def text(self) -> str:
        return str(self.editor.toPlainText())

    def set_text(self, text: str) -> None:
        """Replace the text as if the owner typed it (drafts and typing follow)."""
        self._load(text)
        self._edited()

    def byte_count(self) -> int:
        """Size of what Send would send (the text without outer whitespace), in UTF-8 bytes."""
        return text_bytes(self._outgoing())

    def can_reply(self) -> bool:
        """A thread is shown and its window lets the shop write."""
        return (
            self._thread_id is not None
            and self._window is not None
            and self._window.state is not WindowState.CLOSED
        )

    def can_send(self) -> bool:
        return self.can_reply() and bool(self._outgoing()) and self.byte_count() <= MAX_TEXT_BYTES

    def thread_id(self) -> str | None:
        return self._thread_id

    def reply_to(self) -> str | None:
        return self._reply_to

    def insert_text(self, text: str) -> None:
        """Insert at the cursor (an emoji, a saved reply), replacing any selection."""
        if self.can_reply():
            self.editor.insertPlainText(text)
            self.editor.setFocus()

    # --- threads and drafts -------------------------------------------------------------------

    def set_thread(self, thread_id: str | None, draft: str) -> None:
        """Show another thread (None: none) with its stored draft.

        The old thread's pending draft is reported first, and `typing(False)` if it was on; a
        reply-to is dropped silently (no `reply_cancelled`).
        """
        self.flush_draft()
        self._stop_typing()
        self.editor.popup().hide()
        self._thread_id = thread_id
        self._load(draft)
        self._set_reply(None, "")
        self._update_state()

    def flush_draft(self) -> None:
        """Report the draft now if a change is still waiting for the debounce."""
        self._draft_timer.stop()
        if self._draft_pending and self._thread_id is not None:
            self._draft_pending = False
            self.draft_changed.emit(self._thread_id, self.text())
        self._draft_pending = False

    def _load(self, text: str) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(text)
            self.editor.moveCursor(QTextCursor.MoveOperation.End)
        finally:
            self._loading = False

    def _outgoing(self) -> str:
        return self.text().strip()

    def _edited(self) -> None:
        if not self._loading:
            self._draft_pending = True
            self._draft_timer.start(self.draft_delay_ms)
            self._note_typing()
            self.editor.update_completion()
        self._update_state()

    # --- typing indicator ---------------------------------------------------------------------

    def _note_typing(self) -> None:
        if not self._settings.typing_indicator or self._thread_id is None:
            return
        if not self._typing:
            self._typing = True
            self.typing.emit(True)
        self._typing_timer.start(self.typing_idle_ms)

    def _stop_typing(self) -> None:
        self._typing_timer.stop()
        if self._typing:
            self._typing = False
            self.typing.emit(False)

    # --- sending ------------------------------------------------------------------------------

    def send(self) -> bool:
        """Send the text if it may go (not blank, within the limit, window open)."""
        if not self.can_send():
            return False
        self._emit_parts([self._outgoing()])
        return True

    def split_parts(self) -> list[str]:
        """The messages "Split" would send, in order."""
        return split_message(self._outgoing())

    def split_and_send(self) -> bool:
        """Send an over-long text as several messages, each within the byte limit."""
        if not self.can_reply() or not self._outgoing():
            return False
        self._emit_parts(self.split_parts())
        return True

    def _emit_parts(self, parts: list[str]) -> None:
        thread = self._thread_id
        self._stop_typing()
        for index, part in enumerate(parts):
            self.send_requested.emit(part)
            if index == 0:
                self._set_reply(None, "")  # a reply-to goes with the first part only
        if self._thread_id != thread:  # a slot switched threads; that draft is not ours
            return
        self._load("")
        self._draft_timer.stop()
        self._draft_pending = False
        if thread is not None:
            self.draft_changed.emit(thread, "")
        self._update_state()

    # --- the messaging window -----------------------------------------------------------------

    def set_window(self, window: Window | None, now: datetime, *, human_agent: bool) -> None:
        """Open, human agent (with the time left) or closed (with why and since when)."""
        self._window = window
        self._window_now = now
        self._window_clock = time.monotonic()
        self._human_agent = human_agent
        if window is not None and window.state is not WindowState.CLOSED:
            self._window_timer.start(self.window_check_ms)
        else:
            self._window_timer.stop()
        self._update_state()

    def _recheck_window(self) -> None:
        """Move the window on by the time passed (so it closes even if nobody calls us)."""
        if self._window is None or self._window_now is None:
            return
        elapsed = timedelta(seconds=time.monotonic() - self._window_clock)
        now = self._window_now + elapsed
        later = window_later(self._window, now, human_agent=self._human_agent)
        self.set_window(later, now, human_agent=self._human_agent)

    # --- reply-to -----------------------------------------------------------------------------

    def set_reply_to(self, message_id: str | None, quote: str) -> None:
        """Show "Replying to: <quote>" (None hides it); the next send answers that message."""
        self._set_reply(message_id, quote)
        if message_id is not None and self.can_reply():
            self.editor.setFocus()

    def cancel_reply(self) -> None:
        if self._reply_to is not None:
            self._set_reply(None, "")
            self.reply_cancelled.emit()

    def _set_reply(self, message_id: str | None, quote: str) -> None:
        self._reply_to = message_id
        self.editor.wants_escape = message_id is not None
        self.reply_bar.show_quote(None if message_id is None else quote)

    # --- emoji and saved replies --------------------------------------------------------------

    def _popup(self, menu: QMenu) -> None:
        """Open a menu above the button row without a nested event loop."""
        anchor = self.emoji_button if menu is self.emoji_picker else self.saved_button
        size = menu.sizeHint()
        menu.popup(anchor.mapToGlobal(QPoint(0, -size.height())))

    def show_saved_replies_menu(self) -> None:
        """The menu of every saved reply (rebuilt each time: Settings may have changed)."""
        words = self._words
        self.saved_menu.clear()
        replies = self.editor.replies()
        for reply in replies:
            action = self.saved_menu.addAction(reply.label())
            action.setToolTip(reply.text)
            action.triggered.connect(lambda _checked=False, t=reply.text: self.insert_text(t))
        if not replies:
            empty = self.saved_menu.addAction(words("No saved replies yet — add them in Settings"))
            empty.setEnabled(False)
        self.saved_menu.addSeparator()
        edit = self.saved_menu.addAction(words("Edit saved replies…"))
        edit.triggered.connect(self.edit_saved_replies_requested)
        self._popup(self.saved_menu)

    # --- state --------------------------------------------------------------------------------

    def _update_state(self) -> None:
        words = self._words
        can_reply = self.can_reply()
        self.editor.setReadOnly(not can_reply)
        self.editor.setEnabled(can_reply)
        for button in (self.emoji_button, self.saved_button, self.attach_button):
            button.setEnabled(can_reply)
        self.heart_button.setEnabled(can_reply)
        size = self.byte_count()
        level = self.counter_label.show_size(size)
        self.send_button.setEnabled(self.can_send())
        over = can_reply and level == "over"
        self.over_bar.setVisible(over)
        if over:
            self.over_bar.show_over(size, len(self.split_parts()))
        self.window_label.show_window(
            self._thread_id, self._window, self._window_now, human_agent=self._human_agent
        )
        if self._settings.enter_sends:
            keys = "Enter"
            hint = words("Enter sends, Shift+Enter adds a line")
        else:
            keys = "Ctrl+Enter"
            hint = words("Ctrl+Enter sends, Enter adds a line")
        self.editor.setPlaceholderText(
            words("Write a reply… ({hint})", hint=hint) if can_reply else ""
        )
        self.editor.setToolTip(hint)
        self.send_button.setToolTip(words("Send ({keys})", keys=keys))
