"""The conversation pane: header with the reply window and folder actions, and the messages."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from igdesk.domain import Folder, Message, WindowState, utc_now
from igdesk.i18n import Words
from igdesk.ui.composer_text import duration_words
from igdesk.ui.delegates.message_delegate import MessageDelegate
from igdesk.ui.models.messages import MessageListModel
from igdesk.ui.outbox_panel import OutboxPanel
from igdesk.views import ThreadView

#: Older messages read per page as the owner scrolls up.
PAGE = 100


def window_text(row: ThreadView, now: datetime, *, human_agent: bool, words: Words) -> str:
    """The header's line about the 24-hour (or 7-day) reply window."""
    window = row.window(now, human_agent=human_agent)
    if window.closes_at is None:
        return words("The customer has not written yet.")
    left = duration_words(window.time_left(now), words)
    if window.state is WindowState.OPEN:
        return words("Reply window: {left} left", left=left)
    if window.state is WindowState.HUMAN_AGENT:
        return words("Human agent reply: {left} left", left=left)
    closed_at = words.date(window.closes_at.astimezone(), "d MMM HH:mm")
    return words("Reply window closed on {closed_at}", closed_at=closed_at)


class MessageView(QListView):
    """The message list; links and attachments open in the system's apps (the delegate
    reports clicks on them)."""

    older_wanted = Signal()

    def __init__(self, delegate: MessageDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(delegate)
        delegate.link_activated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        # Laying out thousands of wrapped bubbles at once would freeze the window.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(100)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMouseTracking(True)
        self.loading = False
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def _scrolled(self, value: int) -> None:
        # Within a screen of the top: the next older page is read before the owner gets there.
        # Not while a thread is being put in (its reset passes by the top on the way down).
        bar = self.verticalScrollBar()
        near_top = value - bar.minimum() <= self.viewport().height()
        if near_top and not self.loading and self.model() is not None:
            self.older_wanted.emit()


class ConversationPane(QWidget):
    """One open thread: header, messages; asks the window to act through signals."""

    accept_requested = Signal(str, str)  # thread id, folder value
    deny_requested = Signal(str)
    restore_requested = Signal(str)
    move_requested = Signal(str, str)
    older_wanted = Signal(str)  # thread id

    def __init__(
        self, words: Words, delegate: MessageDelegate, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._words = words
        self.current: ThreadView | None = None
        self.human_agent = False
        self.model = MessageListModel(lang=words.lang, parent=self)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.window_label = QLabel()
        self.window_label.setTextFormat(Qt.TextFormat.PlainText)
        self.window_label.setAccessibleName(words("Reply window"))

        self.accept_button = QToolButton()
        self.accept_button.setText(words("&Accept"))
        self.accept_button.setToolTip(words("Accept (A) — to Primary"))
        self.accept_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.accept_button)
        menu.addAction(words("Accept to Primary"), self._accept_primary)
        menu.addAction(words("Accept to General"), self._accept_general)
        self.accept_button.setMenu(menu)
        self.accept_button.clicked.connect(self._accept_primary)
        self.deny_button = QPushButton(words("&Deny"))
        self.deny_button.setToolTip(words("Deny (D)"))
        self.deny_button.clicked.connect(self._deny)
        self.move_button = QPushButton()
        self.move_button.clicked.connect(self._move)
        self.restore_button = QPushButton(words("&Restore"))
        self.restore_button.clicked.connect(self._restore)

        header = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        header.addLayout(names, 1)
        header.addWidget(self.window_label)
        for button in (self.accept_button, self.deny_button, self.move_button, self.restore_button):
            header.addWidget(button)
        self.view = MessageView(delegate)
        self.view.setModel(self.model)
        self.view.setAccessibleName(words("Messages"))
        self.view.older_wanted.connect(self._older)
        self.empty = QLabel(words("Choose a conversation"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        self.outbox = OutboxPanel(words)
        layout.addWidget(self.outbox)
        self._bottom = layout
        self.show_thread(None, [], has_older=False)

    def add_bottom(self, widget: QWidget) -> None:
        """Put the composer (owned by the window) under the messages."""
        self._bottom.addWidget(widget)

    # --- content -------------------------------------------------------------------------------

    def show_thread(
        self, row: ThreadView | None, messages: list[Message], *, has_older: bool
    ) -> None:
        """Show a thread with its newest messages (oldest first), scrolled to the bottom."""
        self.current = row
        self.view.setVisible(row is not None)
        self.empty.setVisible(row is None)
        if row is None:
            self.model.load([], has_older=False, history_gap=False)
            self._update_header()
            return
        self.view.loading = True
        try:
            self.model.load(messages, has_older=has_older, history_gap=row.history_gap)
            self._update_header()
            self.view.scrollToBottom()
        finally:
            self.view.loading = False

    def update_thread(self, row: ThreadView) -> None:
        if self.current is not None and row.id == self.current.id:
            self.current = row
            self._update_header()

    def add_messages(self, messages: list[Message]) -> None:
        at_bottom = self.view.verticalScrollBar().value() >= self.view.verticalScrollBar().maximum()
        self.model.append_or_update(messages)
        if at_bottom:
            self.view.scrollToBottom()

    def add_older(self, messages: list[Message], *, has_older: bool) -> None:
        """Older messages above the current ones, keeping what is on screen in place."""
        bar = self.view.verticalScrollBar()
        distance_from_end = bar.maximum() - bar.value()
        self.model.prepend_older(messages, has_older=has_older)
        self.view.doItemsLayout()
        bar.setValue(bar.maximum() - distance_from_end)

    def scroll_to_message(self, message_id: str) -> bool:
        row = self.model.row_of(message_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.view.setCurrentIndex(index)
        return True

    def refresh_window(self) -> None:
        self._update_header()

    def _update_header(self) -> None:
        words, row = self._words, self.current
        visible = row is not None
        for widget in (self.title, self.subtitle, self.window_label):
            widget.setVisible(visible)
        folder = row.folder if row is not None else None
        self.accept_button.setVisible(folder is Folder.REQUESTS)
        self.deny_button.setVisible(folder is Folder.REQUESTS)
        self.restore_button.setVisible(folder is Folder.DENIED)
        self.move_button.setVisible(folder in (Folder.PRIMARY, Folder.GENERAL))
        if row is None:
            return
        self.title.setText(row.contact_name or row.contact_username or words("Customer"))
        self.subtitle.setText(f"@{row.contact_username}" if row.contact_username else "")
        self.window_label.setText(
            window_text(row, utc_now(), human_agent=self.human_agent, words=words)
        )
        if folder is Folder.PRIMARY:
            self.move_button.setText(words("Move to &General"))
        else:
            self.move_button.setText(words("Move to &Primary"))

    # --- actions ------------------------------------------------------------------------------

    def _accept_primary(self) -> None:
        if self.current is not None:
            self.accept_requested.emit(self.current.id, Folder.PRIMARY.value)

    def _accept_general(self) -> None:
        if self.current is not None:
            self.accept_requested.emit(self.current.id, Folder.GENERAL.value)

    def _deny(self) -> None:
        if self.current is not None:
            self.deny_requested.emit(self.current.id)

    def _restore(self) -> None:
        if self.current is not None:
            self.restore_requested.emit(self.current.id)

    def _move(self) -> None:
        if self.current is None:
            return
        target = Folder.GENERAL if self.current.folder is Folder.PRIMARY else Folder.PRIMARY
        self.move_requested.emit(self.current.id, target.value)

    def _older(self) -> None:
        if self.current is not None and self.model.has_older:
            self.older_wanted.emit(self.current.id)
