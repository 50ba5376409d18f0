"""Replies of the open thread that are not sent yet: sending, waiting, being checked or failed.

Each shows its state in words, and a failed one offers Retry and Delete: a reply the owner typed
never disappears without the owner deciding so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from igdesk.i18n import Words
from igdesk.views import OutboxState, OutboxView

PREVIEW_CHARS = 80


def state_text(entry: OutboxView, words: Words) -> str:
    """What is happening to this reply, in the owner's words."""
    if entry.state is OutboxState.FAILED:
        reason = entry.failure
        return words("Not sent. {reason}", reason=reason) if reason else words("Not sent.")
    if entry.state is OutboxState.UNKNOWN:
        return words("Checking whether this was sent before trying again…")
    if entry.state is OutboxState.SENDING:
        return words("Sending…")
    if entry.attempts:
        return words("Waiting to send (will retry)…")
    return words("Sending…")


def preview(entry: OutboxView, words: Words) -> str:
    if not entry.text:
        return words("Attachment")
    flat = " ".join(entry.text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


class OutboxPanel(QFrame):
    """A short list under the messages; hidden when everything is sent."""

    retry_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = words
        self.setObjectName("outboxPanel")
        self.setAccessibleName(words("Replies not sent yet"))
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self.rows: dict[int, QWidget] = {}
        self.setVisible(False)

    def show_entries(self, entries: list[OutboxView]) -> None:
        for row in self.rows.values():
            row.deleteLater()
        self.rows = {}
        for entry in entries:
            row = self._row(entry)
            self.rows[entry.id] = row
            self._layout.addWidget(row)
        self.setVisible(bool(entries))

    def _row(self, entry: OutboxView) -> QWidget:
        words = self._words
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        text = QLabel(preview(entry, words))
        text.setTextFormat(Qt.TextFormat.PlainText)
        state = QLabel(state_text(entry, words))
        state.setTextFormat(Qt.TextFormat.PlainText)
        state.setWordWrap(True)
        state.setObjectName(f"outboxState{entry.id}")
        column = QVBoxLayout()
        column.addWidget(text)
        column.addWidget(state)
        layout.addLayout(column, 1)
        if entry.state is OutboxState.FAILED:
            retry = QPushButton(words("Retry"))
            retry.clicked.connect(lambda: self.retry_requested.emit(entry.id))
            layout.addWidget(retry)
        if entry.state in (OutboxState.FAILED, OutboxState.PENDING):
            delete = QPushButton(words("Delete"))
            delete.clicked.connect(lambda: self.delete_requested.emit(entry.id))
            layout.addWidget(delete)
        return row
